"""The analysis pipeline: stages ordered from what they declare, run over one shared context.

Like a spaCy pipeline, each stage (see :mod:`discourse.analysis.stage`) says what it requires and
provides; :class:`Analyzer` puts the chosen stages in an order that satisfies those declarations,
refuses a selection that starves a stage (naming both), and notes which stages run in a reduced
mode. Texts are split and tokenised once (:mod:`discourse.tokens`) and encoded once (the
``embeddings`` stage) before the analyses read them. Extra stages come from the caller
(``analyze(threads, stages=[MyStage()])``) or from installed plug-ins (entry-point group
``discourse.stages``). :func:`analyze` is the one-call API behind ``discourse analyze``.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from ..model import Thread, threads_to_frame
from ..progress import progress
from ..runtime import gc_paused
from ..tokens import TokenLayer, Tokenizer
from .result import Analysis
from .stage import BASE_COLUMNS, RunContext, Stage
from .units import article_texts, text_units

log = logging.getLogger("discourse")

COMMENT_COLUMNS = [
    "thread_id", "comment_id", "parent_id", "author", "depth", "text", "sentiment", "sentiment_pos",
    "sentiment_neg", "sentiment_neu", "stance", "stance_score", "topic", "topic_label",
    "incivility", "incivility_reasons", "disinfo_risk", "disinfo_reasons", "triage_priority", "triage_reasons",
]
THREAD_COLUMNS = [
    "thread_id", "title", "outlet", "published", "comments", "authors", "max_depth", "sentiment_mean",
    "support", "deny", "query", "comment", "disinfo_risk", "disinfo_reasons",
]
PLUGIN_GROUP = "discourse.stages"
#: what exists before any stage runs
_GIVEN = {"comments", "units", "tokens", *(f"comments.{c}" for c in BASE_COLUMNS)}


def default_stages() -> list[Stage]:
    """The built-in stages, one per analysis module, in their usual order."""
    from .claims import ClaimsStage
    from .coordination import CoordinationStage
    from .disinfo import DisinfoStage
    from .encode import EmbeddingsStage
    from .framing import FramingStage
    from .incivility import IncivilityStage
    from .narratives import NarrativesStage
    from .reply_stance import ReplyStanceStage
    from .sentiment import SentimentStage
    from .target_stance import TargetStanceStage
    from .thread_table import ThreadTableStage
    from .topics import TopicsStage
    from .triage import TriageStage

    return [EmbeddingsStage(), SentimentStage(), ReplyStanceStage(), TargetStanceStage(), TopicsStage(),
            FramingStage(), NarrativesStage(), ClaimsStage(), CoordinationStage(), IncivilityStage(),
            DisinfoStage(), TriageStage(), ThreadTableStage()]


def plugin_stages() -> list[Stage]:
    """Stages installed by other packages under the ``discourse.stages`` entry-point group (each
    entry names a Stage subclass or a factory returning a stage)."""
    from importlib.metadata import entry_points

    found = []
    for entry in entry_points(group=PLUGIN_GROUP):
        obj = entry.load()
        stage = obj() if callable(obj) and not isinstance(obj, Stage) else obj
        if not isinstance(stage, Stage):
            raise ValueError(f"plug-in {entry.name!r} ({entry.value}) is not a discourse Stage")
        found.append(stage)
    return found


class Analyzer:
    """Configured once, run over any number of threads (``run``). Deterministic for a given seed.

    ``stages``: names pick built-in (or plug-in) stages, :class:`Stage` objects are added; with
    no names at all, every built-in stage runs. ``skip`` leaves named stages out.
    """

    #: the built-in stage names, in their usual order
    STAGES: tuple[str, ...] = ("embeddings", "sentiment", "stance", "targets", "topics", "frames", "narratives",
                               "claims", "coordination", "incivility", "disinfo", "triage", "threads")

    def __init__(self, stages: Iterable[str | Stage] | None = None, targets: list[str] | None = None,
                 domain: str | None = "russia_ukraine", embedder=None, use_embeddings: bool = True,
                 seed: int = 42, quiet: bool = False, topic_options: dict | None = None,
                 config: dict | None = None, skip: Iterable[str] = (), plugins: bool = True):
        self.stages = select_stages(stages, skip, plugins=plugins)
        self.reduced = check_requirements(self.stages)
        self.targets = targets
        self.domain = domain
        self.embedder = embedder
        self.use_embeddings = use_embeddings
        self.seed = seed
        self.quiet = quiet
        self.topic_options = topic_options or {}
        if config is None:
            from ..config import load_config

            config = load_config()
        self.config = config

    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.stages]

    def context(self, analysis: Analysis) -> RunContext:
        if self.use_embeddings and self.embedder is None and any(s.needs_embeddings for s in self.stages):
            from ..embeddings import Embedder

            self.embedder = Embedder()
        return RunContext(analysis=analysis, embedder=self.embedder, config=self.config, targets=self.targets,
                          domain=self.domain, use_embeddings=self.use_embeddings, seed=self.seed,
                          quiet=self.quiet, options={"topics": dict(self.topic_options)})

    # -- running ---------------------------------------------------------------------------------
    def run(self, threads: list[Thread]) -> Analysis:
        # The run builds millions of short-lived rows; CPython's cyclic collector would sweep the
        # whole heap (threads, earlier tables) again and again meanwhile (see runtime.gc_paused).
        with gc_paused():
            result = Analysis(threads=list(threads))
            result.tables["comments"] = threads_to_frame(result.threads)
            result.units = text_units(result.threads)
            result.articles = article_texts(result.threads)
            result.tokens = TokenLayer.build(result.units, Tokenizer())
            ctx = self.context(result)
            for note in self.reduced:
                ctx.note(note)
            for stage in progress(self.stages, desc="analysing", unit="stage", quiet=self.quiet,
                                  describe=lambda s: s.name):
                start = time.perf_counter()
                stage.run(ctx)
                result.timings[stage.name] = time.perf_counter() - start
                log.info("stage %s: %.2f s", stage.name, result.timings[stage.name])
            add_language_notes(ctx, self.stages)
            result.tables["comments"] = _order_columns(result.tables["comments"], COMMENT_COLUMNS)
            if "threads" in result.tables:
                result.tables["threads"] = _order_columns(result.tables["threads"], THREAD_COLUMNS)
        return result


# -- choosing and ordering stages -------------------------------------------------------------------

def select_stages(stages: Iterable[str | Stage] | None, skip: Iterable[str] = (), plugins: bool = True) -> list[Stage]:
    """The stages a run will use, ordered so that every stage comes after what it needs."""
    builtin_all = default_stages()
    known = builtin_all + (plugin_stages() if plugins else [])
    by_name = {s.name: s for s in known}
    wanted = list(stages) if stages is not None else []
    names = [s for s in wanted if isinstance(s, str)]
    extra = [s for s in wanted if isinstance(s, Stage)]
    unknown = [n for n in [*names, *skip] if n not in by_name]
    if unknown:
        raise ValueError(f"unknown stage(s) {unknown}; stages are {list(by_name)}")
    # with no names, every built-in stage and every installed plug-in runs
    builtin = list(known) if not names else [by_name[n] for n in names]
    chosen = [s for s in builtin if s.name not in set(skip)] + extra
    seen = set()
    for s in chosen:
        if s.name in seen:
            raise ValueError(f"two stages are named {s.name!r}; stage names must be unique")
        seen.add(s.name)
    ordered = order_stages(chosen)
    for s in ordered:  # the encoding pre-pass needs to know who reads vectors after it
        if s.name == "embeddings" and hasattr(s, "later"):
            s.later = [t for t in ordered if t is not s]
    return ordered


def order_stages(stages: list[Stage]) -> list[Stage]:
    """A stable topological order: each stage after the providers of what it requires or uses;
    otherwise the given order. A cycle is an error naming its stages."""
    providers: dict[str, Stage] = {}
    for s in stages:
        for entry in s.provides:
            providers.setdefault(entry, s)
    needs = {s.name: {providers[e].name for e in (*s.requires, *s.uses) if e in providers and providers[e] is not s}
             for s in stages}
    ordered: list[Stage] = []
    done: set[str] = set()
    pending = list(stages)
    while pending:
        ready = next((s for s in pending if needs[s.name] <= done), None)
        if ready is None:
            raise ValueError("stages depend on each other in a cycle: " + ", ".join(s.name for s in pending))
        ordered.append(ready)
        done.add(ready.name)
        pending.remove(ready)
    return ordered


def check_requirements(stages: list[Stage]) -> list[str]:
    """Raise when a stage requires something no chosen stage provides (naming the stage that would);
    return a note for each stage that runs reduced because something it uses is missing."""
    provided = set(_GIVEN)
    all_known = {e: s.name for s in default_stages() for e in s.provides}
    notes = []
    for s in stages:
        missing = [e for e in s.requires if e not in provided]
        if missing:
            givers = sorted({all_known[e] for e in missing if e in all_known})
            hint = f" (made by stage {', '.join(givers)}, which is skipped)" if givers else ""
            raise ValueError(f"stage {s.name!r} needs {', '.join(missing)}{hint}; "
                             f"run {' and '.join(givers) or 'a stage that provides it'} or skip {s.name} too")
        lacking = [e for e in s.uses if e not in provided]
        if lacking:
            givers = sorted({all_known.get(e, e) for e in lacking})
            notes.append(f"{s.name}: runs without {', '.join(givers)} (skipped): {s.reduced or 'reduced mode'}")
        provided.update(s.provides)
    return notes


def add_language_notes(ctx: RunContext, stages: list[Stage]) -> None:
    """Each comment's language, and for text not in a language a stage supports, which stages did
    not read it (``language_note``), so a missing score always has its reason."""
    layer = ctx.tokens
    if layer is None or not layer.docs:
        return
    lang_of = {(t, c): d.lang for (t, c, _), d in zip(layer.keys, layer.docs) if c != ""}
    comments = ctx.comments
    langs = [lang_of.get((t, c), "und") for t, c in zip(comments["thread_id"], comments["comment_id"])]
    comments["language"] = langs
    notes = []
    for lang in langs:
        unsupported = [s.name for s in stages if s.languages and lang not in s.languages and lang != "und"]
        notes.append(f"not analysed for {lang} (English-only resources): {', '.join(unsupported)}"
                     if unsupported else "")
    comments["language_note"] = notes
    for lang, n in layer.languages().items():
        if lang in ("en", "und"):
            continue
        unsupported = [s.name for s in stages if s.languages and lang not in s.languages]
        if unsupported:
            ctx.note(f"{n} text unit(s) in '{lang}': tokens and sentences only; "
                     f"{', '.join(unsupported)} cover English only")


def _order_columns(frame, first: list[str]):
    """Contract columns first (created empty when a stage was switched off), then the rest."""
    for col in first:
        if col not in frame.columns:
            frame[col] = None
    rest = [c for c in frame.columns if c not in first]
    return frame[first + rest]


def analyze(threads: list[Thread], *, targets: list[str] | None = None, stages: Iterable[str | Stage] | None = None,
            embedder=None, use_embeddings: bool = True, seed: int = 42, quiet: bool = True,
            **options) -> Analysis:
    """Run the whole pipeline; the result maps table names (``comments, threads, targets, topics``
    and more) to DataFrames."""
    return Analyzer(stages=stages, targets=targets, embedder=embedder, use_embeddings=use_embeddings,
                    seed=seed, quiet=quiet, **options).run(threads)
