"""The analysis pipeline: named stages over parsed threads, each adding tables or columns.

Like a spaCy pipeline, stages run in a fixed order and can be switched off by name
(``Analyzer(stages=[...])``); each stage reads what earlier ones wrote into the shared
:class:`Analysis` and adds its own. Texts are encoded once up front by the run's one embedder, so
every stage that needs vectors (reply stance, topics, narratives, near-duplicates) reads them from
memory. :func:`analyze` is the one-call API behind ``discourse analyze``.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import Thread, threads_to_frame
from ..progress import progress
from ..runtime import gc_paused
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
STANCES = ("support", "deny", "query", "comment")


@dataclass
class Analysis:
    """What a run produced: the threads, their tables by name, notes for people, stage timings."""

    threads: list[Thread]
    tables: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    units: object = None  # article paragraphs and comments (see units.text_units)
    articles: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.tables[name]

    @property
    def comments(self):
        return self.tables["comments"]


class Analyzer:
    """Configured once, run over any number of threads (``run``). Deterministic for a given seed."""

    #: every stage, in the order they run
    STAGES: tuple[str, ...] = ("embeddings", "sentiment", "stance", "targets", "topics", "frames", "narratives",
                               "claims", "coordination", "incivility", "disinfo", "triage", "threads")

    def __init__(self, stages: Iterable[str] | None = None, targets: list[str] | None = None,
                 domain: str | None = "russia_ukraine", embedder=None, use_embeddings: bool = True,
                 seed: int = 42, quiet: bool = False, topic_options: dict | None = None,
                 config: dict | None = None):
        wanted = list(stages) if stages is not None else list(self.STAGES)
        unknown = [s for s in wanted if s not in self.STAGES]
        if unknown:
            raise ValueError(f"unknown stage(s) {unknown}; stages are {list(self.STAGES)}")
        self.stages = [s for s in self.STAGES if s in wanted]
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

    # -- running ---------------------------------------------------------------------------------
    def run(self, threads: list[Thread]) -> Analysis:
        # The run builds millions of short-lived rows; CPython's cyclic collector would sweep the
        # whole heap (threads, earlier tables) again and again meanwhile (see runtime.gc_paused).
        with gc_paused():
            result = Analysis(threads=list(threads))
            result.tables["comments"] = threads_to_frame(result.threads)
            result.units = text_units(result.threads)
            result.articles = article_texts(result.threads)
            for name in progress(self.stages, desc="analysing", unit="stage", quiet=self.quiet):
                start = time.perf_counter()
                getattr(self, f"_stage_{name}")(result)
                result.timings[name] = time.perf_counter() - start
                log.info("stage %s: %.2f s", name, result.timings[name])
            result.tables["comments"] = _order_columns(result.tables["comments"], COMMENT_COLUMNS)
            if "threads" in result.tables:
                result.tables["threads"] = _order_columns(result.tables["threads"], THREAD_COLUMNS)
        return result

    def _embedder(self):
        if self.embedder is None:
            from ..embeddings import shared_embedder

            self.embedder = shared_embedder()
        return self.embedder

    # -- stages ----------------------------------------------------------------------------------
    def _stage_embeddings(self, a: Analysis) -> None:
        """Encode every distinct text of the run once, whole texts and their sentences (what reply
        stance, topics, narratives and near-duplicates read), so later stages find them in memory."""
        if not self.use_embeddings or a.units is None or a.units.empty:
            return
        from ..text import sentences
        from .narratives import _MAX_EMBED_CHARS
        from .reply_stance import clean_text

        texts = a.units["text"].fillna("").tolist()
        wanted = texts + list(a.articles.values()) + [clean_text(t) for t in texts]
        if self.domain and "narratives" in self.stages:
            wanted += [s[:_MAX_EMBED_CHARS] for t in texts for s in sentences(t)]
        embedder = self._embedder()
        # ``prepare`` fills the cache without building one big matrix nobody reads; any object
        # with ``encode`` can stand in for the Embedder.
        (getattr(embedder, "prepare", None) or embedder.encode)(list(dict.fromkeys(wanted)))

    def _stage_sentiment(self, a: Analysis) -> None:
        from .sentiment import Sentiment, author_means, escalation

        model = Sentiment()
        scores = model.transform(a.comments)
        a.tables["comments"] = _merge(a.comments, scores)
        a.tables["sentences"] = model.sentences(a.units)
        a.tables["escalation"] = escalation(a.comments)
        a.tables["authors"] = author_means(a.comments)

    def _stage_stance(self, a: Analysis) -> None:
        from .reply_stance import ReplyStance

        model = ReplyStance(embedder=self._embedder() if self.use_embeddings else None,
                            use_embeddings=self.use_embeddings)
        a.tables["comments"] = _merge(a.comments, model.transform(a.comments, a.articles))

    def _stage_targets(self, a: Analysis) -> None:
        """Stance toward named targets in comments and article paragraphs (the domain pack, the
        user's ``--targets`` and each thread's salient names)."""
        from .target_stance import TargetStance, aggregate_targets

        model = TargetStance(domain=self.domain, targets=self.targets)
        targets = model.transform(a.units, a.articles)
        a.tables["targets"] = targets
        on_comments = targets[targets["comment_id"] != ""] if not targets.empty else targets
        for by in ("author", "thread_id", "outlet"):
            try:
                a.tables[f"targets_by_{by if by != 'thread_id' else 'thread'}"] = aggregate_targets(
                    on_comments if by == "author" else targets, a.comments, by=by)
            except KeyError:  # no such column (e.g. no outlets known)
                continue

    def _stage_topics(self, a: Analysis) -> None:
        from .topics import Topics, thread_topics

        opts = dict(self.topic_options)
        model = Topics(embedder=self._embedder(), seed=self.seed, **opts)
        if not self.use_embeddings:
            model.min_docs = None  # keywords only: clustering needs the encoder
        assigned = model.fit_transform(a.units)
        a.tables["topics"] = model.topics_
        a.tables["thread_topics"] = thread_topics(assigned)
        a.tables["unit_topics"] = assigned
        if model.note_:
            a.notes.append(f"topics: {model.note_}")
        on_comments = assigned[assigned["comment_id"] != ""][["thread_id", "comment_id", "topic", "topic_label",
                                                               "topic_score"]]
        a.tables["comments"] = _merge(a.comments, on_comments)

    def _stage_frames(self, a: Analysis) -> None:
        """Frames and persuasion techniques per sentence of article paragraphs and comments."""
        from .framing import FrameTagger

        model = FrameTagger()
        frames = model.transform(a.units)
        a.tables["frames"] = frames
        a.tables["frames_by_thread"] = model.summarise(frames, a.units, by="thread_id")

    def _stage_claims(self, a: Analysis) -> None:
        """Check-worthy figures with who asserts them, and where figures about the same thing disagree."""
        from .claims import ClaimExtractor, compare_claims

        claims = ClaimExtractor().transform(a.units)
        a.tables["claims"] = claims
        a.tables["claim_comparison"] = compare_claims(claims)

    def _stage_narratives(self, a: Analysis) -> None:
        """Sentences that resemble the domain's narrative catalogue (examples and cue terms)."""
        from .narratives import NarrativeMatcher, summarise

        if not self.domain:
            return
        model = NarrativeMatcher(domain=self.domain, embedder=self._embedder() if self.use_embeddings else None,
                                 use_embeddings=self.use_embeddings)
        narratives = model.transform(a.units)
        a.tables["narratives"] = narratives
        a.tables["narratives_by_thread"] = summarise(narratives, a.units, by="thread_id")

    def _stage_coordination(self, a: Analysis) -> None:
        """Exact and near-duplicate comments across authors and threads; bursts by one author."""
        from .coordination import Coordination

        model = Coordination(embedder=self._embedder() if self.use_embeddings else None,
                             use_embeddings=self.use_embeddings)
        coordination = model.transform(a.comments)
        a.tables["coordination"] = coordination
        keep = ["thread_id", "comment_id", "duplicate_group", "near_duplicates", "exact_duplicates",
                "duplicate_authors", "coordination_score", "coordination_reasons"]
        a.tables["comments"] = _merge(a.comments, coordination[[c for c in keep if c in coordination]])

    def _stage_incivility(self, a: Analysis) -> None:
        """Insults, profanity, threats and identity attacks per comment, aimed at whom."""
        from .incivility import Incivility

        a.tables["comments"] = _merge(a.comments, Incivility().transform(a.comments))

    def _stage_disinfo(self, a: Analysis) -> None:
        """Possible-disinformation risk per comment, per article and per thread, with reasons."""
        from .disinfo import DisinfoRisk

        model = DisinfoRisk(config=self.config)
        units = model.transform(a.comments, narratives=a.tables.get("narratives"), claims=a.tables.get("claims"),
                                claim_comparison=a.tables.get("claim_comparison"),
                                coordination=a.tables.get("coordination"), articles=a.articles)
        on_comments = units[units["comment_id"] != ""]
        a.tables["comments"] = _merge(a.comments, on_comments)
        a.tables["thread_disinfo"] = model.threads(units, a.comments, a.articles,
                                                   published={t.thread_id: t.article.published or "" for t in a.threads})

    def _stage_triage(self, a: Analysis) -> None:
        """Moderation priority per comment with its reasons (the queue itself lives in SQLite)."""
        from .triage import TriagePriority

        a.tables["comments"] = _merge(a.comments, TriagePriority(config=self.config).transform(a.comments))

    def _stage_threads(self, a: Analysis) -> None:
        table = thread_table(a.threads, a.comments)
        sents = a.tables.get("sentences")
        if sents is not None and len(sents):
            from .sentiment import combine_sentences

            article = sents[sents["comment_id"] == ""].groupby("thread_id")["sentiment"].agg(combine_sentences)
            table["article_sentiment"] = table["thread_id"].map(article)
        extra = a.tables.pop("thread_disinfo", None)
        if extra is not None and len(extra):
            table = table.merge(extra, on="thread_id", how="left")
        a.tables["threads"] = table


# -- helpers -------------------------------------------------------------------------------------

def _merge(comments, extra):
    """Add ``extra``'s columns to ``comments`` by (thread_id, comment_id), replacing older versions."""
    keys = ["thread_id", "comment_id"]
    new = [c for c in extra.columns if c not in keys]
    base = comments.drop(columns=[c for c in new if c in comments.columns])
    return base.merge(extra[keys + new], on=keys, how="left")


def _order_columns(frame, first: list[str]):
    """Contract columns first (created empty when a stage was switched off), then the rest."""
    for col in first:
        if col not in frame.columns:
            frame[col] = None
    rest = [c for c in frame.columns if c not in first]
    return frame[first + rest]


def thread_table(threads: list[Thread], comments):
    """One row per thread: metadata, size, depth, mean tone and the shares of each reply stance."""
    import pandas as pd

    rows = []
    # Each thread's rows as a list of positions over columns read once (what ``groupby`` would
    # give, without a hundred small frames): missing thread ids belong to no thread.
    members: dict = {}
    if not comments.empty:
        for i, (tid, ok) in enumerate(zip(comments["thread_id"].tolist(), comments["thread_id"].notna().tolist())):
            if ok:
                members.setdefault(tid, []).append(i)
        authors, author_ok = comments["author"].tolist(), comments["author"].notna().tolist()
        depth = comments["depth"]
        depths = depth.to_numpy() if depth.dtype.kind in "iu" else None
        sentiment = comments["sentiment"].to_numpy() if "sentiment" in comments else None
        stance = comments["stance"].tolist() if "stance" in comments else None
    for t in threads:
        g = members.get(t.thread_id)
        n = 0 if g is None else len(g)
        row = {
            "thread_id": t.thread_id, "title": t.article.title, "outlet": t.article.outlet,
            "published": t.article.published, "url": t.article.url, "source": t.source,
            "comments": n,
            "authors": 0 if g is None else len({authors[i] for i in g if author_ok[i]}),
            "max_depth": 0 if g is None else int(depths[g].max() if depths is not None else depth.iloc[g].max()),
            "article_words": len(t.article.text.split()),
        }
        row["sentiment_mean"] = float(pd.Series(sentiment[g]).mean()) if n and sentiment is not None else None
        for s in STANCES:
            row[s] = sum(1 for i in g if stance[i] == s) / n if n and stance is not None else None
        rows.append(row)
    return pd.DataFrame(rows)


def analyze(threads: list[Thread], *, targets: list[str] | None = None, stages: Iterable[str] | None = None,
            embedder=None, use_embeddings: bool = True, seed: int = 42, quiet: bool = True,
            **options) -> Analysis:
    """Run the whole pipeline; ``analysis.tables`` holds ``comments, threads, targets, topics`` and more."""
    return Analyzer(stages=stages, targets=targets, embedder=embedder, use_embeddings=use_embeddings,
                    seed=seed, quiet=quiet, **options).run(threads)

