"""Topics with BERTopic over the whole corpus (comments and article paragraphs), reported per thread.

Every stage is a swappable part with a default chosen for this job:

* embeddings: the run's shared MiniLM :class:`~discourse.embeddings.Embedder` (cached on disk), also
  used for KeyBERT-style label words, so no text is encoded twice;
* reduction: UMAP (seeded) from ``umap_min_docs`` up to ``umap_max_docs`` texts, PCA outside that
  range: beyond it UMAP's cost dominates the whole run on one core, and below it the 20-45 s numba
  spends compiling UMAP and pynndescent in every new process is more than the whole rest of the
  run of under 200 texts (topics there can differ from what UMAP would give; on 399 real Reddit
  comments PCA found no structure where UMAP found three topics, hence the low bound). numba's
  on-disk cache does not remove that tax: it already keeps what is marked cacheable (beside the
  package or in the user cache), and the rest (UMAP's layout optimisation, pynndescent's search
  built at run time) compiles again in every process;
* clustering: HDBSCAN; outliers are then given the nearest topic when their embedding is close
  enough, and otherwise stay topic -1 ("no clear topic");
* words: a CountVectorizer with English and web stop words (a data file users can extend), uni- and
  bigrams, then KeyBERTInspired and MMR so labels read as words, not ``0_the_of_to``.

A corpus too small to cluster (default: under 40 texts) gets one keyword topic and a note rather
than an exception or a meaningless split.
"""
from __future__ import annotations

import logging
import re
from collections import Counter

import numpy as np

from ..resources import load_json
from .stage import RunContext, Stage
from .topics_cache import FittedTopicsStore

log = logging.getLogger("discourse")

TOPIC_COLUMNS = ["topic", "size", "label", "words", "note"]
ASSIGN_COLUMNS = ["thread_id", "comment_id", "paragraph", "topic", "topic_label", "topic_score"]
NO_TOPIC_LABEL = "no clear topic"

_TOKEN = r"(?u)\b[^\W\d_][\w'’-]*[^\W_]\b"
_URL = re.compile(r"https?://\S+|www\.\S+")


def stop_words(path=None) -> list[str]:
    """The English stop words (``data/lang/en``, scikit-learn's list) plus web and comment-section
    words from the data file."""
    from ..tokens import stop_words as language_stop_words

    extra = load_json("lexicons", "topic_stopwords.json", path=path)["stop_words"]
    return sorted(language_stop_words("en") | {w.lower() for w in extra})


_POSSESSIVE = re.compile(r"[’']s\b")


def _clean(text: str) -> str:
    """Drop URLs and possessive 's so "Ukraine’s" counts as "Ukraine" in topic words."""
    return _POSSESSIVE.sub("", _URL.sub(" ", text or ""))


def label_from_words(words: list[str], n: int = 3) -> str:
    """A short readable label: the first ``n`` distinct terms, skipping words a chosen bigram covers."""
    chosen: list[str] = []
    covered: set[str] = set()
    for w in words:
        parts = w.split()
        if not w or w in chosen or (len(parts) == 1 and w in covered):
            continue
        if len(parts) > 1 and all(p in covered for p in parts):
            continue
        chosen.append(w)
        covered.update(parts)
        if len(chosen) == n:
            break
    return ", ".join(chosen) if chosen else NO_TOPIC_LABEL


def keywords(docs: list[str], stop: list[str], top_n: int = 10) -> list[str]:
    """Keywords of a small corpus: frequent bigram collocations first (NLTK), then frequent words."""
    from nltk.collocations import BigramCollocationFinder

    stopset = set(stop)
    token_re = re.compile(_TOKEN)
    docs_tokens = [[t.lower() for t in token_re.findall(_clean(d))] for d in docs]
    words = [t for toks in docs_tokens for t in toks if t not in stopset and len(t) > 2]
    finder = BigramCollocationFinder.from_documents(
        [[t for t in toks if t not in stopset and len(t) > 2] for toks in docs_tokens])
    finder.apply_freq_filter(2)
    bigrams = [" ".join(b) for b in finder.nbest(_likelihood_ratio, 3)]
    counts = Counter(words)
    ranked = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return (bigrams + ranked)[:top_n]


def _likelihood_ratio(*marginals):
    """NLTK's likelihood ratio, or None (bigram left out) where its contingency table is impossible.

    NLTK counts all words as the sample size, but a document of n words has n - 1 bigrams: a word
    repeated back to back ("spam spam spam") gives a negative cell and a log of a negative number.
    """
    from nltk.collocations import BigramAssocMeasures

    try:
        return BigramAssocMeasures.likelihood_ratio(*marginals)
    except (ValueError, ZeroDivisionError):
        return None


class _CachedBackend:
    """Lets BERTopic embed label candidates through the run's cached encoder."""

    def __new__(cls, embedder):
        from bertopic.backend import BaseEmbedder

        class Backend(BaseEmbedder):
            def __init__(self, emb):
                super().__init__()
                self._emb = emb

            def embed(self, documents, verbose=False):
                return self._emb.encode(list(documents))

        return Backend(embedder)


def _batched_mmr(diversity: float, top_n_words: int):
    """BERTopic's MaximalMarginalRelevance, but the candidate words and each topic's joined words
    go to the encoder in one batched call first (BERTopic asks for them topic by topic, one text
    at a time); the per-topic lookups then come from the encoder's memory."""
    from bertopic.representation import MaximalMarginalRelevance

    class BatchedMMR(MaximalMarginalRelevance):
        def extract_topics(self, topic_model, documents, c_tf_idf, topics):
            if topic_model.embedding_model is not None and topics:
                words = [[w for w, _ in tw] for tw in topics.values()]
                batch = [w for ws in words for w in ws] + [" ".join(ws) for ws in words]
                topic_model._extract_embeddings(list(dict.fromkeys(batch)), method="word", verbose=False)
            return super().extract_topics(topic_model, documents, c_tf_idf, topics)

    return BatchedMMR(diversity=diversity, top_n_words=top_n_words)


def encoded_units(units) -> list[str]:
    """The texts of ``units`` as the topics stage hands them to the encoder (see encoder_text)."""
    from .encode import encoder_text

    return [encoder_text(t) for t in units["text"].fillna("").tolist()]


class Topics:
    """Fit topics once over all texts of a run, then read them per text and per thread."""

    def __init__(self, embedder=None, seed: int = 42, min_docs: int | None = 40, min_topic_size: int | None = None,
                 umap_min_docs: int = 200, umap_max_docs: int = 5000, reduction=None, clustering=None, vectorizer=None,
                 representation="keybert", outlier_threshold: float = 0.35, stop_words_path=None,
                 label_words: int = 3, prediction_data: bool = False, cache_dir=None):
        self.embedder = embedder
        #: where fitted topics are kept for a rerun over the same texts and vectors (None: never)
        self.cache_dir = cache_dir
        # HDBSCAN's prediction data is only needed to place *new* texts later
        # (``model_.transform``); building it costs as much as half the clustering.
        self.prediction_data = prediction_data
        self.seed = seed
        self.min_docs = min_docs
        self.min_topic_size = min_topic_size
        self.umap_min_docs = umap_min_docs
        self.umap_max_docs = umap_max_docs
        self.reduction = reduction
        self.clustering = clustering
        self.vectorizer = vectorizer
        self.representation = representation
        self.outlier_threshold = outlier_threshold
        self.stop_words_path = stop_words_path
        self.label_words = label_words
        self.model_ = None
        self.clustered_ = False  # True when the topics come from clustering (fitted now or read back)
        self.topics_: pd.DataFrame | None = None  # noqa: F821
        self.note_ = ""

    # -- parts ---------------------------------------------------------------------------------
    def _embedder(self):
        if self.embedder is None:
            from ..embeddings import Embedder

            self.embedder = Embedder()
        return self.embedder

    def _reduction(self, n: int):
        if self.reduction is not None:
            return self.reduction
        n_components = 5
        if self.umap_min_docs <= n <= self.umap_max_docs:
            from umap import UMAP

            return UMAP(n_neighbors=min(15, max(2, n - 1)), n_components=n_components, min_dist=0.0,
                        metric="cosine", random_state=self.seed, low_memory=True)
        from sklearn.decomposition import PCA

        return PCA(n_components=n_components, random_state=self.seed)

    def _clustering(self, size: int):
        if self.clustering is not None:
            return self.clustering
        from hdbscan import HDBSCAN

        # One job: the parallel core-distance pass costs more in process start-up than it saves on
        # the few thousand 5-d points of a comment corpus (20,600 texts: 5.7 s with 4 jobs, 2.0 s with 1).
        return HDBSCAN(min_cluster_size=size, metric="euclidean", cluster_selection_method="eom",
                       prediction_data=self.prediction_data, core_dist_n_jobs=1)

    def _vectorizer(self, n: int):
        if self.vectorizer is not None:
            return self.vectorizer
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(stop_words=stop_words(self.stop_words_path), ngram_range=(1, 2),
                               token_pattern=_TOKEN, min_df=2 if n >= 200 else 1, lowercase=True)

    def _representation(self):
        if self.representation in (None, "ctfidf"):
            return None
        if self.representation == "keybert":
            from bertopic.representation import KeyBERTInspired

            return [KeyBERTInspired(top_n_words=15, random_state=self.seed),
                    _batched_mmr(diversity=0.3, top_n_words=10)]
        return self.representation

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, units, embeddings: np.ndarray | None = None) -> Topics:
        """Fit over the ``text`` of ``units`` (comments and article paragraphs of every thread)."""
        self.fit_transform(units, embeddings)
        return self

    def fit_transform(self, units, embeddings: np.ndarray | None = None):
        """Fit, and return one row per unit: ``thread_id, comment_id, paragraph, topic, topic_label,
        topic_score`` (cosine similarity of the text to its topic's centre; 0 for no topic)."""
        import pandas as pd

        docs = [_clean(t) for t in units["text"].fillna("").tolist()]
        n = len(docs)
        stop = stop_words(self.stop_words_path)
        if n == 0:
            self.topics_ = pd.DataFrame(columns=TOPIC_COLUMNS)
            self.note_ = "no texts"
            return self._assignments(units, np.array([], dtype=int), np.array([]), {})
        nonblank = [i for i, d in enumerate(docs) if d.strip()]
        if self.min_docs is None:  # no encoder (``--fast``): nothing to cluster
            return self._keyword_topic(units, docs, stop, f"no sentence embeddings (--fast): one topic of keywords "
                                                          f"over {len(nonblank)} texts")
        if len(nonblank) < self.min_docs:
            return self._keyword_topic(units, docs, stop,
                                       f"{len(nonblank)} texts are too few to cluster into topics "
                                       f"(at least {self.min_docs} needed): one topic of keywords")
        if embeddings is None:
            embeddings = self._embedder().encode(encoded_units(units))
        try:
            topics, labels = self._fit_or_reuse(docs, embeddings, nonblank)
        except Exception as exc:  # noqa: BLE001 - BERTopic/HDBSCAN fail on degenerate inputs (all alike, all unique)
            log.warning("topic clustering failed (%s); falling back to keywords", exc)
            return self._keyword_topic(units, docs, stop,
                                       f"clustering found no structure ({type(exc).__name__}): "
                                       "one topic of keywords")
        centres = {}
        for t in set(topics.tolist()) - {-1}:
            c = embeddings[topics == t].mean(axis=0)
            centres[t] = c / (np.linalg.norm(c) or 1.0)
        score = np.zeros(len(topics))
        if centres:
            order = sorted(centres)
            row_of = {t: k for k, t in enumerate(order)}
            which = np.array([row_of.get(t, -1) for t in topics.tolist()])
            has = which >= 0
            score[has] = np.einsum("ij,ij->i", embeddings[has], np.stack([centres[t] for t in order])[which[has]])
        return self._assignments(units, topics, score, labels)

    def _fit_or_reuse(self, docs, embeddings, nonblank):
        """Topics fitted over these texts and vectors before (same settings) are read back from the
        cache: a rerun of the same corpus, as a report after an analysis is, pays nothing for the
        clustering (whose UMAP alone compiles for 20-45 s in every new process). Fitting is seeded,
        so a fresh fit would give the same answer."""
        import pandas as pd

        store = FittedTopicsStore.for_fit(self, docs, embeddings)
        if store is not None and (found := store.read()) is not None:
            topics, rows, self.note_ = found
            self.topics_ = pd.DataFrame(rows, columns=TOPIC_COLUMNS)
            self.model_, self.clustered_ = None, True
            return topics, {int(r[0]): r[2] for r in rows}
        topics, labels = self._fit_bertopic(docs, embeddings, nonblank)
        self.clustered_ = True
        if store is not None:
            store.write(topics, self.topics_.values.tolist(), self.note_)
        return topics, labels

    def _fit_bertopic(self, docs, embeddings, nonblank):
        import pandas as pd
        from bertopic import BERTopic

        idx = np.array(nonblank)
        sub_docs = [docs[i] for i in idx]
        sub_emb = embeddings[idx]
        n = len(sub_docs)
        size = self.min_topic_size or max(5, min(50, n // 50))
        model = BERTopic(
            embedding_model=_CachedBackend(self._embedder()),
            umap_model=self._reduction(n),
            hdbscan_model=self._clustering(size),
            vectorizer_model=self._vectorizer(n),
            representation_model=self._representation(),
            min_topic_size=size,
            top_n_words=10,
            calculate_probabilities=False,
            verbose=False,
        )
        sub_topics, _ = model.fit_transform(sub_docs, embeddings=sub_emb)
        sub_topics = np.asarray(sub_topics)
        if (sub_topics == -1).any() and (sub_topics != -1).any() and self.outlier_threshold is not None:
            # Give an outlier the nearest topic when it is close enough to that topic's centre.
            kept = sorted(set(sub_topics.tolist()) - {-1})
            cents = np.stack([sub_emb[sub_topics == t].mean(axis=0) for t in kept])
            cents /= np.linalg.norm(cents, axis=1, keepdims=True)
            out = np.where(sub_topics == -1)[0]
            sims = sub_emb[out] @ cents.T
            best = sims.argmax(axis=1)
            ok = sims[np.arange(len(out)), best] >= self.outlier_threshold
            sub_topics[out[ok]] = np.array(kept)[best[ok]]
        self.model_ = model
        topics = np.full(len(docs), -1, dtype=int)
        topics[idx] = sub_topics
        rows, labels = [], {}
        counts = Counter(topics.tolist())
        for t in sorted(counts):
            if t == -1:
                words, label = [], NO_TOPIC_LABEL
            else:
                words = [w for w, _ in (model.get_topic(t) or []) if w]
                label = label_from_words(words, self.label_words)
            labels[t] = label
            rows.append((t, counts[t], label, ", ".join(words), ""))
        if len(labels) == 1 and -1 in labels:
            raise ValueError("every text is an outlier")
        self.topics_ = pd.DataFrame(rows, columns=TOPIC_COLUMNS)
        self.note_ = (f"BERTopic over {n} texts: {len([t for t in labels if t != -1])} topics "
                      f"(min size {size}); {counts.get(-1, 0)} texts without a clear topic")
        return topics, labels

    def _keyword_topic(self, units, docs, stop, note):
        import pandas as pd

        words = keywords(docs, stop)
        label = label_from_words(words, self.label_words)
        topics = np.array([0 if d.strip() else -1 for d in docs], dtype=int)
        rows = [(0, int((topics == 0).sum()), label, ", ".join(words), note)]
        if (topics == -1).any():
            rows.insert(0, (-1, int((topics == -1).sum()), NO_TOPIC_LABEL, "", "empty texts"))
        self.topics_ = pd.DataFrame(rows, columns=TOPIC_COLUMNS)
        self.note_ = note
        self.model_, self.clustered_ = None, False
        return self._assignments(units, topics, np.where(topics == 0, 1.0, 0.0),
                                 {0: label, -1: NO_TOPIC_LABEL})

    @staticmethod
    def _assignments(units, topics, score, labels):
        out = units[["thread_id", "comment_id", "paragraph"]].reset_index(drop=True).copy()
        out["topic"] = topics.astype(int)
        out["topic_label"] = [labels.get(int(t), NO_TOPIC_LABEL) for t in topics]
        out["topic_score"] = np.round(score.astype(float), 4) if len(score) else score
        return out[ASSIGN_COLUMNS]


def thread_topics(assignments):
    """Per thread: how many of its texts fall in each topic, and the share."""
    import pandas as pd

    cols = ["thread_id", "topic", "topic_label", "count", "share"]
    if assignments.empty:
        return pd.DataFrame(columns=cols)
    g = assignments.groupby(["thread_id", "topic", "topic_label"]).size().rename("count").reset_index()
    g["share"] = g["count"] / g.groupby("thread_id")["count"].transform("sum")
    return g.sort_values(["thread_id", "count"], ascending=[True, False]).reset_index(drop=True)[cols]


def fitted_topics_folder(embedder):
    """The run's cache folder (beside the embedding cache) when its encoder keeps one on disk."""
    return getattr(embedder, "cache_dir", None) if getattr(embedder, "use_disk_cache", False) else None


class TopicsStage(Stage):
    """BERTopic over all comments and article paragraphs (keyword topics under ``--fast``)."""

    name = "topics"
    requires = ("units",)
    provides = ("topics", "thread_topics", "unit_topics", "comments.topic", "comments.topic_label",
                "comments.topic_score")
    needs_embeddings = True

    def texts_to_encode(self, ctx: RunContext) -> list[str]:
        if ctx.units is None:
            return []
        min_docs = ctx.options.get("topics", {}).get("min_docs", Topics().min_docs)
        if sum(1 for t in ctx.units["text"].fillna("").tolist() if _clean(t).strip()) < min_docs:
            return []  # too few to cluster (as fit_transform decides): keyword topics read no vectors
        return encoded_units(ctx.units)

    def run(self, ctx: RunContext) -> None:
        options = {"cache_dir": fitted_topics_folder(ctx.embedder), **ctx.options.get("topics", {})}
        model = Topics(embedder=ctx.embedder, seed=ctx.seed, **options)
        if not ctx.use_embeddings:
            model.min_docs = None  # keywords only: clustering needs the encoder
        assigned = model.fit_transform(ctx.units)
        ctx.tables["topics"] = model.topics_
        ctx.tables["thread_topics"] = thread_topics(assigned)
        ctx.tables["unit_topics"] = assigned
        if model.note_:
            ctx.note(f"topics: {model.note_}")
        ctx.add_columns(assigned[assigned["comment_id"] != ""][["thread_id", "comment_id", "topic", "topic_label",
                                                                "topic_score"]])
