"""Analyses over threads: one module per analysis, each owning its :class:`Stage`.

Conventions every module follows (so the pipeline, the reports and users can swap parts):

* A stage declares what it ``requires``, ``uses`` and ``provides`` and adds tables or columns in
  ``run(ctx)``; the :class:`RunContext` carries the one encoder, the configuration, the targets,
  the domain and the switches (see :mod:`discourse.analysis.stage`). Nothing is global.
* The model behind a stage is a class configured in its constructor (lexicon paths, thresholds,
  the embedder) with ``transform(...) -> DataFrame``; a trained part also has ``fit``. Anything
  random takes a seed.
* Text is split and tokenised once per run (:mod:`discourse.tokens`); stages read that layer.
* Every score comes with its reasons: an ``evidence`` or ``*_reasons`` column quoting the matched
  span or naming the catalogue example it resembles.
* Lexicons, cue lists, catalogues and trained weights live in ``discourse/data/`` and are loaded
  with :func:`discourse.resources.load_json` (or :class:`discourse.heads.LinearHead`); a
  ``path=`` argument lets a user substitute their own.
"""
from .pipeline import Analyzer, analyze, default_stages
from .result import Analysis
from .stage import RunContext, Stage

__all__ = ["Analysis", "Analyzer", "RunContext", "Stage", "analyze", "default_stages"]
