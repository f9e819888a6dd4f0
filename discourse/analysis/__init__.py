"""Analyses over threads: one module per analysis, each returning pandas DataFrames.

Conventions every module follows (so the pipeline, the reports and users can swap parts):

* Input is the ``comments`` frame of :func:`discourse.model.threads_to_frame` (columns
  ``thread_id, comment_id, parent_id, author, depth, position, text, title, outlet, published``…)
  and, where article text matters, the threads themselves.
* A class configured in its constructor (lexicon paths, thresholds, the embedder), with
  ``transform(...) -> DataFrame``; a trained part also has ``fit``. No hidden global state;
  anything random takes a seed.
* Every score comes with its reasons: an ``evidence`` or ``*_reasons`` column quoting the matched
  span or naming the catalogue example it resembles.
* Lexicons, cue lists and catalogues live in ``discourse/data/`` as JSON and are loaded with
  :func:`discourse.resources.load_json`; a ``path=`` argument lets a user substitute their own.
* Embeddings come from one :class:`discourse.embeddings.Embedder` passed in (default: the run's
  shared one), so each distinct text is encoded once per run.
"""
