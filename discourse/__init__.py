"""discourse: read news articles with their reader comment threads and say what is going on in them.

The package is laid out by stage: ``model`` (the thread model), ``readers`` and ``writers``
(formats at the edges), ``parse`` (page text to thread), ``analysis`` (one module per analysis),
``report`` (HTML, Markdown, plots), ``evaluation`` (metrics against gold data), ``cli``.
"""

from discourse.model import Article, Comment, RemovedLine, Thread, threads_to_frame

__version__ = "0.1.0"
__all__ = ["Article", "Comment", "RemovedLine", "Thread", "threads_to_frame", "__version__"]
