"""Narratives: which catalogued storylines a sentence carries, with the evidence for each.

A narrative catalogue is a data file (``discourse/data/narratives/<domain>.json``): narratives,
their sub-narratives, and for each a description, example phrasings and cue terms. The packaged
``russia_ukraine`` domain reproduces the Ukraine-Russia war taxonomy of SemEval-2025 Task 10.
Another domain (climate, elections) is another file of the same shape, passed by ``path=``.

Two kinds of evidence are combined, because each fails alone: sentence-embedding similarity to the
examples finds paraphrases no cue list anticipates but also fires on neutral sentences about the
same topic; cue terms are precise when they are loaded compounds ("Kiev regime", "collective West")
and nearly worthless when they are ordinary words ("Kiev" was the standard English spelling until
2019), so cues carry a strength. Matching is per sentence, so the evidence is a quotable sentence
and one loaded sentence in a long neutral comment is not diluted.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from ..embeddings import Embedder
from ..errors import DiscourseError
from ..resources import data_path, load_json
from ..runtime import gc_paused
from ..text import sentence_spans, sentences
from .stage import RunContext, Stage

NARRATIVE_COLUMNS = [
    "thread_id", "comment_id", "paragraph", "narrative", "subnarrative", "score", "similarity",
    "cue_score", "sentence", "start", "end", "matched_example", "cue_terms", "evidence", "domain",
]

DEFAULT_MATCHING = {
    "similarity_floor": 0.5,
    "margin_floor": 0.0,
    "margin_ceiling": 0.25,
    "strong_weight": 0.45,
    "weak_weight": 0.12,
    "threshold": 0.5,
    "cue_only_threshold": 0.4,
}

# Whole words for cue matching: Unicode letters and digits. A single character class with one
# quantifier, so it cannot backtrack on hostile input.
_TOKEN = re.compile(r"[^\W_]+")
_DOMAIN_NAME = re.compile(r"[a-z0-9_]+")
# The encoder reads ~256 word pieces; longer sentences only cost hashing and memory.
_MAX_EMBED_CHARS = 1000


def available_domains() -> list[str]:
    """Names of the packaged narrative catalogues (``domain=`` values)."""
    folder = data_path("narratives")
    return sorted(p.stem for p in Path(folder).glob("*.json"))


def load_catalogue(domain: str = "russia_ukraine", path: str | Path | None = None) -> dict[str, Any]:
    """The catalogue as a dict, validated so a user's file fails with a message, not a KeyError."""
    if path is None:
        if not _DOMAIN_NAME.fullmatch(domain or ""):
            raise DiscourseError(f"narrative domain {domain!r} is not a catalogue name (a-z, 0-9, _)")
        if not data_path("narratives", f"{domain}.json").is_file():
            raise DiscourseError(
                f"no narrative catalogue {domain!r}; packaged: {', '.join(available_domains())}; "
                "pass path= for your own")
        data = load_json("narratives", f"{domain}.json")
    else:
        try:
            data = load_json(path=path)
        except (OSError, ValueError) as exc:
            raise DiscourseError(f"cannot read narrative catalogue {path}: {exc}") from None
    _validate(data, str(path or domain))
    return data


def _validate(data: Any, where: str) -> None:
    def fail(msg: str):
        raise DiscourseError(f"narrative catalogue {where}: {msg}")

    if not isinstance(data, dict) or not isinstance(data.get("narratives"), list):
        fail('expected an object with a "narratives" list')
    for i, nar in enumerate(data["narratives"]):
        if not isinstance(nar, dict) or not isinstance(nar.get("narrative"), str):
            fail(f'narratives[{i}] needs a "narrative" name')
        subs = nar.get("subnarratives")
        if not isinstance(subs, list) or not subs:
            fail(f'narrative {nar["narrative"]!r} needs a non-empty "subnarratives" list')
        for j, sub in enumerate(subs):
            label = f'{nar["narrative"]!r} subnarratives[{j}]'
            if not isinstance(sub, dict) or not isinstance(sub.get("subnarrative"), str):
                fail(f'{label} needs a "subnarrative" name')
            examples = sub.get("examples", [])
            cues = sub.get("cues", {})
            if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
                fail(f'{label}: "examples" must be a list of strings')
            if not isinstance(cues, dict) or not all(
                    k in ("strong", "weak") and isinstance(v, list) and all(isinstance(t, str) for t in v)
                    for k, v in cues.items()):
                fail(f'{label}: "cues" must be {{"strong": [...], "weak": [...]}} of strings')
            if not examples and not any(cues.values()):
                fail(f"{label} has neither examples nor cues, so it can never match")


class _CueIndex:
    """Cue phrases of every sub-narrative, matched over word tokens in one linear pass.

    Tokens rather than regular expressions: matching cost is independent of how many cues a
    catalogue has and cannot blow up on a long line.
    """

    def __init__(self, subs: Sequence[dict[str, Any]]):
        self.exact: dict[str, list] = {}
        self.prefix: dict[str, list] = {}
        for k, sub in enumerate(subs):
            for strength in ("strong", "weak"):
                for term in sub.get("cues", {}).get(strength, []):
                    parts = tuple(_cue_parts(term))
                    if not parts:
                        continue
                    entry = (parts, strength, k, term)
                    first = parts[0]
                    if first.endswith("*"):
                        self.prefix.setdefault(first[:-1][:3], []).append(entry)
                    else:
                        self.exact.setdefault(first, []).append(entry)
        # The same entries in the form ``match`` tests them: (first word's prefix, or None when the
        # lookup already proved the first word equal; the other words as (text, is prefix); length,
        # strength, sub-narrative, term).
        self._exact = {w: [_compiled(e, first_known=True) for e in es] for w, es in self.exact.items()}
        self._prefix = {w: [_compiled(e, first_known=False) for e in es] for w, es in self.prefix.items()}
        self._by_word: dict[str, list | None] = {}  # a word's candidates (exact, then prefix), memoised

    def _candidates(self, w: str) -> list | None:
        cands = self._exact.get(w)
        if len(w) >= 3:
            more = self._prefix.get(w[:3])
            if more:
                cands = cands + more if cands else more
        if len(self._by_word) < 200_000:
            self._by_word[w] = cands
        return cands

    def match(self, text: str) -> dict[int, list[tuple[int, int, str, str]]]:
        """Sub-narrative index → matched cues as (char start, char end, strength, cue term)."""
        toks = list(_TOKEN.finditer(text))
        words = [m.group().lower() for m in toks]
        n_words = len(words)
        by_word = self._by_word
        found: dict[int, list[tuple[int, int, int, int, str, str]]] = {}
        for i, w in enumerate(words):
            cands = by_word.get(w, False)
            if cands is False:
                cands = self._candidates(w)
            if not cands:
                continue
            for head, tail, n, strength, k, term in cands:
                if head is not None and not w.startswith(head):
                    continue
                if tail:
                    if i + n > n_words:
                        continue
                    for j, (part, star) in enumerate(tail, i + 1):
                        if not (words[j].startswith(part) if star else words[j] == part):
                            break
                    else:
                        found.setdefault(k, []).append((i, i + n, toks[i].start(), toks[i + n - 1].end(), strength, term))
                    continue
                found.setdefault(k, []).append((i, i + n, toks[i].start(), toks[i + n - 1].end(), strength, term))
        out: dict[int, list[tuple[int, int, str, str]]] = {}
        for k, hits in found.items():
            # A weak word inside a matched compound ("regime" in "Kiev regime") is not more evidence.
            hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
            kept: list = []
            seen_terms: set[str] = set()
            for h in hits:
                if h[5] in seen_terms or any(h[0] >= g[0] and h[1] <= g[1] for g in kept):
                    continue
                kept.append(h)
                seen_terms.add(h[5])
            kept.sort(key=lambda h: h[0])
            out[k] = [(h[2], h[3], h[4], h[5]) for h in kept]
        return out


def _cue_parts(term: str) -> list[str]:
    parts = []
    for raw in term.lower().split():
        star = raw.endswith("*")
        words = _TOKEN.findall(raw)
        if not words:
            continue
        if star:
            words[-1] += "*"
        parts.extend(words)
    return parts


def _word_matches(word: str, part: str) -> bool:
    return word.startswith(part[:-1]) if part.endswith("*") else word == part


def _compiled(entry: tuple, first_known: bool) -> tuple:
    """A cue entry as :meth:`_CueIndex.match` tests it (``_word_matches`` decided ahead per part)."""
    parts, strength, k, term = entry
    head = None if first_known else parts[0][:-1]
    tail = tuple((p[:-1], True) if p.endswith("*") else (p, False) for p in parts[1:])
    return head, tail, len(parts), strength, k, term


class NarrativeMatcher:
    """Sentences of articles and comments matched to a narrative catalogue.

    ``domain`` names a packaged catalogue; ``path`` a user's file of the same shape (it wins).
    ``use_embeddings=False`` matches cue terms only (fast, no model; one strong cue suffices).
    ``threshold`` overrides the catalogue's calibrated one.
    """

    def __init__(self, domain: str = "russia_ukraine", path: str | Path | None = None, embedder=None,
                 use_embeddings: bool = True, threshold: float | None = None):
        self.catalogue = load_catalogue(domain, path)
        self.domain = str(self.catalogue.get("name") or domain)
        self.embedder = embedder
        self.use_embeddings = use_embeddings
        m = {**DEFAULT_MATCHING, **(self.catalogue.get("matching") or {})}
        self.matching = m
        if threshold is None:
            threshold = m["threshold"] if use_embeddings else m["cue_only_threshold"]
        self.threshold = float(threshold)
        self.subs: list[dict[str, Any]] = []
        for nar in self.catalogue["narratives"]:
            for sub in nar["subnarratives"]:
                self.subs.append({**sub, "narrative": nar["narrative"]})
        self.cues = _CueIndex(self.subs)
        # Examples flattened in sub-narrative order; offsets mark each sub-narrative's block.
        self._examples = [e for s in self.subs for e in s.get("examples", [])]
        self._example_owner = np.array([k for k, s in enumerate(self.subs) for _ in s.get("examples", [])],
                                       dtype=np.int64)
        self._example_vectors: np.ndarray | None = None
        self._background = [b for b in self.catalogue.get("background", []) if isinstance(b, str)]
        self._background_vectors: np.ndarray | None = None

    # ----------------------------------------------------------------- embeddings
    def _embedder(self):
        if self.embedder is None:
            from ..embeddings import Embedder

            self.embedder = Embedder()
        return self.embedder

    def example_vectors(self) -> np.ndarray:
        if self._example_vectors is None:
            self._example_vectors = np.asarray(self._embedder().encode(self._examples), dtype=np.float32)
        return self._example_vectors

    def background_vectors(self) -> np.ndarray:
        if self._background_vectors is None:
            self._background_vectors = np.asarray(self._embedder().encode(self._background), dtype=np.float32)
        return self._background_vectors

    def _similarities(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(best cosine, index of that example) per sentence and sub-narrative, and each sentence's
        best cosine to the catalogue's neutral background sentences."""
        n, k = len(sentences), len(self.subs)
        best = np.full((n, k), -1.0, dtype=np.float32)
        arg = np.full((n, k), -1, dtype=np.int64)
        neutral = np.full(n, -1.0, dtype=np.float32)
        if not n or not self._examples:
            return best, arg, neutral
        ex = self.example_vectors()
        texts = [s[:_MAX_EMBED_CHARS] for s in sentences]
        embedder = self._embedder()
        if isinstance(embedder, Embedder):
            # The Embedder hands each distinct text the one vector it holds for it, wherever the text
            # recurs, so it can copy rows straight into place: a separate matrix of the distinct
            # sentences, then copied out again, was a second large allocation, and filling fresh
            # memory was most of what this method cost on a big corpus.
            vecs = np.asarray(embedder.encode(texts), dtype=np.float32)
        else:
            vecs = self._distinct_vectors(embedder, texts)
        # The products stay as they were, over the same matrices: BLAS may sum in another order
        # for another shape, and the last bits can move a rounded score.
        if self._background:
            neutral = (vecs @ self.background_vectors().T).max(axis=1)
        # Examples are stored sub-narrative by sub-narrative, so each one's columns are one slice.
        owner = self._example_owner
        subs = np.unique(owner)
        first = np.searchsorted(owner, subs, side="left")
        stop = np.searchsorted(owner, subs, side="right")
        # A column's rank from the left (larger is further left), to find each block's first maximum.
        rank = len(owner) - np.arange(len(owner))
        for lo in range(0, n, 2048):  # bounded memory on large corpora
            sims = vecs[lo:lo + 2048] @ ex.T
            at = np.arange(len(sims))
            if np.isnan(sims).any():  # argmax's NaN rule, block by block
                for sub, c0, c1 in zip(subs.tolist(), first.tolist(), stop.tolist()):
                    j = sims[:, c0:c1].argmax(axis=1)
                    best[lo:lo + 2048, sub] = sims[at, c0 + j]
                    arg[lo:lo + 2048, sub] = c0 + j
                continue
            # All blocks at once: each block's maximum, then its first column holding it (what
            # argmax picks), then the value in that column.
            top = np.maximum.reduceat(sims, first, axis=1)
            hit = sims == np.repeat(top, stop - first, axis=1)
            j = len(owner) - np.maximum.reduceat(np.where(hit, rank, 0), first, axis=1)
            best[lo:lo + 2048, subs] = sims[at[:, None], j]
            arg[lo:lo + 2048, subs] = j
        return best, arg, neutral

    @staticmethod
    def _distinct_vectors(embedder, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts`` from any object with ``encode``: stock sentences recur, so each
        distinct one is asked for once and its row copied to every place."""
        distinct = list(dict.fromkeys(texts))
        if len(distinct) < len(texts):
            where = {t: r for r, t in enumerate(distinct)}
            rows = np.fromiter((where[t] for t in texts), dtype=np.int64, count=len(texts))
            return np.asarray(embedder.encode(distinct), dtype=np.float32)[rows]
        return np.asarray(embedder.encode(texts), dtype=np.float32)

    # ----------------------------------------------------------------- scoring
    def _cue_score(self, hits: list[tuple[int, int, str, str]]) -> float:
        m = self.matching
        miss = 1.0
        for _, _, strength, _ in hits:
            miss *= 1.0 - (m["strong_weight"] if strength == "strong" else m["weak_weight"])
        return 1.0 - miss

    def _sim_score(self, cos: float, neutral: float) -> float:
        """Similarity evidence: how much closer the sentence is to the sub-narrative's examples
        than to neutral talk about the same subject (topic alone gives a high raw cosine)."""
        m = self.matching
        if cos < m["similarity_floor"]:
            return 0.0
        lo, hi = m["margin_floor"], m["margin_ceiling"]
        return float(min(1.0, max(0.0, (cos - max(neutral, 0.0) - lo) / max(hi - lo, 1e-9))))

    def score_sentences(self, sentences: list[str]) -> list[list[dict[str, Any]]]:
        """For each sentence, the sub-narratives it carries (score >= threshold), best first."""
        memo: dict[str, dict[int, list[tuple[int, int, str, str]]]] = {}  # stock sentences recur
        cue_hits = []
        for sent in sentences:
            hits = memo.get(sent)
            if hits is None:
                hits = memo[sent] = self.cues.match(sent)
            cue_hits.append(hits)
        use = self.use_embeddings
        floor = self.matching["similarity_floor"]
        threshold = self.threshold
        if use:
            best, arg, neutral = self._similarities(sentences)
            # Per sentence, the sub-narratives over the floor (ascending, as flatnonzero per row
            # gave them): one pass over the matrix instead of one per sentence.
            rows, cols = np.nonzero(best > floor)
            bounds = np.searchsorted(rows, np.arange(len(sentences) + 1)).tolist()
            # Most of those pairs stay below the threshold unless a cue adds to them. What such a
            # pair would score without a cue is worked out for all of them at once, and only the
            # ones that might reach the threshold (a wide margin; NaN counts as might) are scored
            # one by one below; sub-narratives with cues always are.
            m = self.matching
            cos = best[rows, cols].astype(np.float64)
            sim = (cos - np.maximum(neutral[rows].astype(np.float64), 0.0) - m["margin_floor"]) / max(
                m["margin_ceiling"] - m["margin_floor"], 1e-9)
            sim = np.where(cos < floor, 0.0, np.minimum(1.0, np.maximum(0.0, sim)))
            may = ~(1.0 - (1.0 - sim) < threshold - 1e-6)
            n_subs = len(self.subs)
            may_reach = set((rows[may] * n_subs + cols[may]).tolist())
            may_before = np.concatenate(([0], np.cumsum(may)))[bounds].tolist()
            cols = cols.tolist()
            neutrals = neutral.tolist()
        out: list[list[dict[str, Any]]] = []
        for i, sent in enumerate(sentences):
            hits_i = cue_hits[i]
            if use:
                if not hits_i and may_before[i] == may_before[i + 1]:
                    out.append([])
                    continue
                lo, hi = bounds[i], bounds[i + 1]
                at = i * n_subs
                # Built as before (set of cue hits, then the similar ones): the iteration order of
                # the set decides the order of equal scores.
                cands = set(hits_i)
                cands |= set(cols[lo:hi])
                best_i, arg_i, neutral_i = best[i], arg[i], neutrals[i]
            elif not hits_i:
                out.append([])
                continue
            else:
                cands = set(hits_i)
            found = []
            for k in cands:
                hits = hits_i.get(k)
                if hits is None:
                    if at + k not in may_reach:
                        continue
                    hits = []
                c = self._cue_score(hits)
                cos = float(best_i[k]) if use else float("nan")
                s = self._sim_score(cos, neutral_i) if use else 0.0
                score = 1.0 - (1.0 - s) * (1.0 - c)
                if score < threshold:
                    continue
                example = self._examples[arg_i[k]] if use and arg_i[k] >= 0 else ""
                found.append(self._finding(k, sent, score, cos, c, hits, example, neutral_i if use else 0.0))
            found.sort(key=lambda f: -f["score"])
            out.append(found)
        return out

    def _finding(self, k, sent, score, cos, cue, hits, example, neutral) -> dict[str, Any]:
        sub = self.subs[k]
        quoted = [sent[a:b] for a, b, _, _ in hits]
        parts = []
        if hits:
            parts.append("cues: " + ", ".join(f'"{sent[a:b]}" ({st})' for a, b, st, _ in hits))
        if example and cos >= self.matching["similarity_floor"]:
            parts.append(f'resembles: "{example}" (cos {cos:.2f}, {cos - max(neutral, 0.0):+.2f} over neutral)')
        return {
            "narrative": sub["narrative"],
            "subnarrative": sub["subnarrative"],
            "score": round(float(score), 4),
            "similarity": float("nan") if math.isnan(cos) else round(cos, 4),
            "cue_score": round(float(cue), 4),
            "matched_example": example if example and cos >= self.matching["similarity_floor"] else "",
            "cue_terms": "; ".join(quoted),
            "evidence": "; ".join(parts),
        }

    # ----------------------------------------------------------------- frames
    @gc_paused()
    def transform(self, units) -> pd.DataFrame:
        """Narratives found in ``units`` (``text_units`` frame: thread_id, comment_id, paragraph, text).

        One row per unit and sub-narrative, from the unit's best-scoring sentence for it.
        """
        import pandas as pd

        sent_rows: list[tuple[int, int, int]] = []  # (unit row, start, end)
        sentences: list[str] = []
        texts = [("" if _missing(t) else str(t)) for t in units["text"].tolist()] \
            if len(units) else []
        for r, text in enumerate(texts):
            for s, e in sentence_spans(text):
                sent_rows.append((r, s, e))
                sentences.append(text[s:e])
        scored = self.score_sentences(sentences) if sentences else []
        best: dict[tuple[int, str], tuple[dict[str, Any], int, int, str]] = {}
        for (r, s, e), sent, found in zip(sent_rows, sentences, scored):
            for f in found:
                key = (r, f["subnarrative"] + "\x00" + f["narrative"])
                if key not in best or f["score"] > best[key][0]["score"]:
                    best[key] = (f, s, e, sent)
        tids = units["thread_id"].tolist() if len(units) else []
        cids = units["comment_id"].tolist() if len(units) else []
        paras = units["paragraph"].tolist() if "paragraph" in units.columns else [-1] * len(texts)
        rows = []
        for (r, _), (f, s, e, sent) in sorted(best.items(), key=lambda kv: (kv[0][0], -kv[1][0]["score"])):
            cid = cids[r]
            rows.append({
                "thread_id": tids[r],
                "comment_id": "" if _missing(cid) else cid,
                "paragraph": -1 if _missing(paras[r]) else int(paras[r]),
                **f,
                "sentence": sent,
                "start": s,
                "end": e,
                "domain": self.domain,
            })
        return pd.DataFrame(rows, columns=NARRATIVE_COLUMNS)

    def summarise(self, narratives, units, by: str | Sequence[str] = "thread_id",
                  level: str = "narrative"):
        return summarise(narratives, units, by=by, level=level)


def summarise(narratives, units, by: str | Sequence[str] = "thread_id", level: str = "narrative"):
    """Prevalence of each narrative (``level="narrative"``) or sub-narrative per group.

    ``units_matched / units_total``: the share of a group's text units (comments and article
    paragraphs) carrying it, so a long thread does not look more propagandistic for being long.
    ``by`` may be any column of ``units`` (``thread_id``, ``outlet``, ``author``...).
    """
    import pandas as pd

    keys = [by] if isinstance(by, str) else list(by)
    if level not in ("narrative", "subnarrative"):
        raise ValueError('level must be "narrative" or "subnarrative"')
    label = ["narrative"] if level == "narrative" else ["narrative", "subnarrative"]
    columns = keys + label + ["units_matched", "units_total", "prevalence", "comments", "article_paragraphs",
                              "mean_score", "max_score", "example"]
    if narratives is None or not len(narratives):
        return pd.DataFrame(columns=columns)
    unit_key = ["thread_id", "comment_id", "paragraph"]
    u = units.copy()
    if "paragraph" not in u.columns:
        u["paragraph"] = -1
    u["comment_id"] = u["comment_id"].fillna("")
    missing = [k for k in keys if k not in u.columns]
    if missing:
        raise ValueError(f"summarise: units have no column {missing[0]!r}")
    totals = u.groupby(keys, dropna=False).size().rename("units_total")
    n = narratives.copy()
    extra = [k for k in keys if k not in n.columns]
    if extra:
        n = n.merge(u[unit_key + extra].drop_duplicates(unit_key), on=unit_key, how="left")
    # One row per unit and label: a unit with two sub-narratives of one narrative counts once.
    n = n.sort_values("score", ascending=False)
    per_unit = n.drop_duplicates(keys + unit_key + label)
    # Per group as the groups would be iterated (sorted keys), without building a frame per group:
    # rows of a group keep their order (best score first), so its first row is its top sentence.
    grouped = per_unit.groupby(keys + label, dropna=False, sort=True)
    codes = grouped.ngroup().to_numpy()
    sizes = grouped.size()
    order = np.argsort(codes, kind="stable")
    firsts = np.concatenate([[0], np.cumsum(sizes.to_numpy())[:-1]]).tolist()
    scores = per_unit["score"].to_numpy(dtype=np.float64)[order]
    top_sentences = per_unit["sentence"].to_numpy(dtype=object)[order[firsts]].tolist()
    comments = (per_unit["comment_id"] != "").groupby(codes).sum().tolist()
    paragraphs = (per_unit["comment_id"] == "").groupby(codes).sum().tolist()
    maxima = per_unit["score"].groupby(codes).max().tolist()
    rows = []
    for g, (gkey, size) in enumerate(sizes.items()):
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        group = gkey[: len(keys)]
        total = int(totals.get(group if len(group) > 1 else group[0], 0))
        # Series.mean as before: its summation order decides the last bits the rounding may see.
        mean = pd.Series(scores[firsts[g]:firsts[g] + size]).mean()
        rows.append((*gkey, size, total, round(size / total, 4) if total else float("nan"),
                     int(comments[g]), int(paragraphs[g]), round(float(mean), 4), round(float(maxima[g]), 4),
                     str(top_sentences[g])))
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(keys + ["prevalence"], ascending=[True] * len(keys) + [False]).reset_index(drop=True)


def iter_subnarratives(catalogue: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(narrative name, sub-narrative entry) for every entry of a catalogue."""
    for nar in catalogue["narratives"]:
        for sub in nar["subnarratives"]:
            yield nar["narrative"], sub


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


class NarrativesStage(Stage):
    """Sentences that resemble the domain's narrative catalogue (examples and cue terms).
    Without a domain pack (``--domain ''``) there is no catalogue and the stage adds nothing."""

    name = "narratives"
    requires = ("units",)
    provides = ("narratives", "narratives_by_thread")
    needs_embeddings = True

    def texts_to_encode(self, ctx: RunContext) -> list[str]:
        if not ctx.domain or ctx.units is None:
            return []
        return [s[:_MAX_EMBED_CHARS] for t in ctx.units["text"].fillna("").tolist() for s in sentences(t)]

    def run(self, ctx: RunContext) -> None:
        if not ctx.domain:
            ctx.note("narratives: no domain pack chosen, so no narrative catalogue to match")
            return
        model = NarrativeMatcher(domain=ctx.domain, embedder=ctx.encoder(), use_embeddings=ctx.use_embeddings)
        narratives = model.transform(ctx.units)
        ctx.tables["narratives"] = narratives
        ctx.tables["narratives_by_thread"] = summarise(narratives, ctx.units, by="thread_id")
