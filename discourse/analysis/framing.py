"""Frames and persuasion techniques, sentence by sentence, in articles and comments.

Analysts compare outlets and threads by *how* they tell a story: which frame dimensions a text
leans on (Media Frames Corpus, as used in SemEval-2023 Task 3) and which persuasion techniques it
uses (the 23 of SemEval-2023 Task 3). Both catalogues are data (``discourse/data/frames.json`` and
``discourse/data/techniques.json``) so a user can extend or replace them; this module only matches
their cues, scores them and quotes the evidence.

Matching is lexical on purpose: it is fast (thousands of comments a second on one core), every
row can say which words fired, and it degrades predictably on text it was not written for. An
optional sentence-embedding similarity to each entry's example sentences adds recall for
paraphrases when an :class:`~discourse.embeddings.Embedder` is given and ``use_embeddings`` is on.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..resources import load_json
from ..text import clip, sentence_spans, words

FRAME_COLUMNS = ["thread_id", "comment_id", "paragraph", "sentence_index", "start", "end", "sentence",
                 "kind", "label", "score", "evidence"]
SUMMARY_VALUES = ["kind", "label", "count", "sentences", "words", "per_sentence", "per_1000_words"]

# Words: letters/digits with an optional apostrophe part ("don't", "Putin's"); hyphens split words
# so "so-called" and "so called", "meat-grinder" and "meat grinder" match alike.
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


def _stem_uncached(word: str) -> str:
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("'"):
        w = w[:-1]
    if len(w) <= 3 or not w.isalpha():
        return w
    for suffix, repl in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + repl
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    return w


_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """Light, predictable stemming: cue "slaughter" matches "slaughtered", "atrocity" "atrocities".

    Cue terms and text go through the same function, so odd stems only ever meet each other.
    """
    s = _STEMS.get(word)
    if s is None:
        s = _stem_uncached(word)
        if len(_STEMS) < 500_000:
            _STEMS[word] = s
    return s


def normalise_phrase(phrase: str) -> tuple[str, ...]:
    """A cue term as the tuple of stems it must match, word by word."""
    return tuple(stem(m.group()) for m in _TOKEN.finditer(phrase))


_QUANT_AFTER = re.compile(r"[*+{]")


def check_safe_pattern(pattern: str) -> None:
    """Refuse patterns that can backtrack catastrophically on long untrusted lines.

    Nested quantifiers (a quantified group holding an unbounded quantifier) and backreferences are
    rejected; everything else in a catalogue should also be bounded (``{0,120}``), which the
    catalogue tests check.
    """
    if re.search(r"\\[1-9]|\(\?P=", pattern):
        raise ValueError(f"pattern {pattern!r}: backreferences are not allowed")
    stack: list[bool] = []  # per open group: does it contain a quantifier?
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
        elif c == "(":
            stack.append(False)
        elif c == ")":
            inner = stack.pop() if stack else False
            nxt = pattern[i + 1] if i + 1 < n else ""
            if inner and _QUANT_AFTER.match(nxt):
                raise ValueError(f"pattern {pattern!r}: nested quantifiers are not allowed")
            if stack:
                stack[-1] = stack[-1] or inner or bool(_QUANT_AFTER.match(nxt))
        elif stack and (c in "*+{" or (c == "?" and i > 0 and pattern[i - 1] not in "(?")):
            stack[-1] = True
        i += 1


@dataclass
class _Entry:
    kind: str
    name: str
    threshold: float
    detector: str | None = None
    params: dict = field(default_factory=dict)
    patterns: list = field(default_factory=list)  # (compiled, weight, triggers, source)
    examples: list = field(default_factory=list)


@dataclass(frozen=True)
class _Cue:
    entry: int
    words: tuple[str, ...]
    weight: float
    text: str
    context: frozenset | None


class _Catalogue:
    """Both catalogues compiled into one phrase index keyed by the first stem."""

    def __init__(self, frames: Mapping, techniques: Mapping):
        self.entries: list[_Entry] = []
        self.index: dict[str, list[_Cue]] = {}
        for kind, spec in (("frame", frames.get("frames", [])), ("technique", techniques.get("techniques", []))):
            for item in spec:
                self._add(kind, item)

    def _add(self, kind: str, item: Mapping) -> None:
        idx = len(self.entries)
        entry = _Entry(kind=kind, name=item["name"], threshold=float(item.get("threshold", 0.5)),
                       detector=item.get("detector"), params=dict(item.get(item.get("detector") or "", {}) or {}),
                       examples=list(item.get("examples", [])))
        best: dict[tuple, _Cue] = {}
        for group in item.get("cues", []):
            weight = float(group.get("weight", 0.5))
            context = group.get("context")
            ctx = frozenset(normalise_phrase(" ".join(context))) if context else None
            for term in group.get("terms", []):
                key = normalise_phrase(term)
                if not key:
                    continue
                old = best.get((key, ctx))
                if old is None or old.weight < weight:
                    best[(key, ctx)] = _Cue(idx, key, weight, term, ctx)
        for cue in best.values():
            self.index.setdefault(cue.words[0], []).append(cue)
        for pat in item.get("patterns", []):
            check_safe_pattern(pat["pattern"])
            flags = 0 if pat.get("case_sensitive") else re.IGNORECASE
            triggers = tuple(t.lower() for t in pat.get("trigger", [])) or ("",)
            entry.patterns.append((re.compile(pat["pattern"], flags), float(pat.get("weight", 0.5)), triggers,
                                   pat.get("note") or pat["pattern"]))
        self.entries.append(entry)


class FrameTagger:
    """Tags each sentence of article paragraphs and comments with frames and persuasion techniques.

    ``thresholds`` maps a label to the score it must reach (overriding the catalogue), so a user
    can trade precision for recall per label. ``use_embeddings`` adds similarity to the catalogue
    examples (one batch encoding of all sentences); off by default so the tagger runs fast.
    """

    def __init__(self, path_frames: str | Path | None = None, path_techniques: str | Path | None = None,
                 embedder=None, use_embeddings: bool = False, thresholds: Mapping[str, float] | None = None,
                 similarity_floor: float = 0.55, similarity_weight: float = 0.5):
        self.frames_spec = load_json("frames.json", path=path_frames)
        self.techniques_spec = load_json("techniques.json", path=path_techniques)
        self.catalogue = _Catalogue(self.frames_spec, self.techniques_spec)
        self.thresholds = dict(thresholds or {})
        self.embedder = embedder
        self.use_embeddings = use_embeddings
        self.similarity_floor = similarity_floor
        self.similarity_weight = similarity_weight
        self.stopwords = frozenset(stem(w) for w in self.techniques_spec.get("stopwords", []))

    @property
    def labels(self) -> list[tuple[str, str]]:
        """(kind, label) of every catalogue entry, in catalogue order."""
        return [(e.kind, e.name) for e in self.catalogue.entries]

    def threshold(self, label: str) -> float:
        for e in self.catalogue.entries:
            if e.name == label:
                return self.thresholds.get(label, e.threshold)
        raise KeyError(label)

    # ------------------------------------------------------------------ matching
    def _score_unit(self, text: str) -> list[tuple[int, int, dict[int, dict[str, tuple[float, str]]]]]:
        """Per sentence of ``text``: (start, end, {entry index: {cue key: (weight, evidence)}})."""
        spans = sentence_spans(text)
        if not spans:
            return []
        hits: list[dict[int, dict[str, tuple[float, str]]]] = [{} for _ in spans]
        toks: list[list[tuple[str, int, int]]] = [[] for _ in spans]
        si = 0
        last = len(spans) - 1
        for m in _TOKEN.finditer(text):
            s = m.start()
            while si < last and s >= spans[si][1]:
                si += 1
            if spans[si][0] <= s < spans[si][1]:
                toks[si].append((stem(m.group()), s, m.end()))
        entries = self.catalogue.entries
        index = self.catalogue.index
        lower = text.lower()
        active_patterns = [(ei, p) for ei, e in enumerate(entries) for p in e.patterns
                           if any(t in lower for t in p[2])]
        repetition = [(ei, e) for ei, e in enumerate(entries) if e.detector == "repetition"]
        seen_phrases: set[tuple[str, ...]] = set()
        for k, (a, b) in enumerate(spans):
            sent_toks = toks[k]
            stems = [t[0] for t in sent_toks]
            stem_set = None
            found = hits[k]
            n = len(stems)
            for i, st in enumerate(stems):
                cands = index.get(st)
                if not cands:
                    continue
                for cue in cands:
                    L = len(cue.words)
                    if L > 1 and (i + L > n or tuple(stems[i:i + L]) != cue.words):
                        continue
                    if cue.context is not None:
                        if stem_set is None:
                            stem_set = frozenset(stems)
                        if not (cue.context & stem_set) - set(cue.words):
                            continue
                    s0, s1 = sent_toks[i][1], sent_toks[i + L - 1][2]
                    slot = found.setdefault(cue.entry, {})
                    key = " ".join(cue.words)
                    if key not in slot or slot[key][0] < cue.weight:
                        slot[key] = (cue.weight, f'"{text[s0:s1]}"', s0, s1)
            if active_patterns:
                sentence = text[a:b]
                sl = lower[a:b]
                for ei, (rx, weight, triggers, note) in active_patterns:
                    if not any(t in sl for t in triggers):
                        continue
                    m = rx.search(sentence)
                    if m:
                        span = m.group().strip() or note
                        slot = found.setdefault(ei, {})
                        key = "pattern:" + rx.pattern
                        slot[key] = (weight, f'"{clip(span)}" ({note})', a + m.start(), a + m.end())
            for ei, e in repetition:
                self._repetition(ei, e, stems, sent_toks, text, seen_phrases, found)
        return [(a, b, h) for (a, b), h in zip(spans, hits)]

    def _repetition(self, ei, e, stems, sent_toks, text, seen_phrases, found) -> None:
        """A content word said three times in a sentence, a phrase said twice in it, or a phrase
        (three words, two of them content words) already said earlier in the same unit."""
        p = e.params
        stop = self.stopwords
        counts = Counter(stems)
        min_len = int(p.get("word_min_length", 4))
        min_count = int(p.get("word_min_count", 3))

        def add(key, weight, i, j, how):
            found.setdefault(ei, {})[key] = (weight, f'"{text[sent_toks[i][1]:sent_toks[j][2]]}" {how}', -1, -1)

        short = len(stems) <= int(p.get("word_max_sentence_words", 40))
        for w, c in counts.items():
            if short and c >= min_count and w not in stop and len(w) >= min_len and not w.isdigit():
                i = stems.index(w)
                add("word:" + w, float(p.get("word_weight", 0.7)), i, i, f"x{c}")
        content = [s not in stop and not s.isdigit() for s in stems]
        n = len(stems)
        # Within the sentence: a repeated phrase must start with a repeated word.
        n_min = int(p.get("phrase_min_words", 2))
        twice = {w for w, c in counts.items() if c >= 2}
        if len(twice) >= n_min:
            grams: dict[tuple, int] = {}
            for i in range(n - n_min + 1):
                if stems[i] not in twice:
                    continue
                for L in range(4, n_min - 1, -1):
                    if i + L > n:
                        continue
                    gram = tuple(stems[i:i + L])
                    if not (any(content[i:i + L]) or L >= 3):
                        continue
                    if gram in grams and grams[gram] + L <= i:
                        weight = p.get("phrase_weight_same_sentence", 0.7) if L >= 3 else p.get("bigram_weight", 0.4)
                        add("phrase:" + " ".join(gram), float(weight), i, i + L - 1, "repeated")
                        break
                    grams.setdefault(gram, i)
        # Across sentences of the same unit.
        L = int(p.get("phrase_earlier_min_words", 3))
        min_content = int(p.get("phrase_earlier_min_content", 2))
        here = []
        for i in range(n - L + 1):
            if sum(content[i:i + L]) < min_content:
                continue
            gram = tuple(stems[i:i + L])
            if gram in seen_phrases:
                add("phrase:" + " ".join(gram), float(p.get("phrase_weight_earlier", 0.4)), i, i + L - 1, "said before")
            here.append(gram)
        seen_phrases.update(here)

    # ------------------------------------------------------------------ public API
    def tag_text(self, text: str) -> list[tuple[int, int, list[tuple[str, str, float, str]]]]:
        """Per sentence of one text: (start, end, [(kind, label, score, evidence)]) above threshold."""
        scored = self._score_unit(text or "")
        sims = self._similarities([text[a:b] for a, b, _ in scored]) if self.use_embeddings else None
        return [(a, b, self._decide(h, None if sims is None else sims[k])) for k, (a, b, h) in enumerate(scored)]

    def transform(self, units):
        """One row per (sentence, label) whose score reaches the label's threshold.

        ``units`` is :func:`discourse.analysis.units.text_units` output (``thread_id, comment_id,
        paragraph, text``); ``start``/``end`` index into the unit's text.
        """
        import pandas as pd

        if units is None or len(units) == 0:
            return pd.DataFrame(columns=FRAME_COLUMNS).astype({"score": float})
        cols = [units[c].tolist() if c in units else [None] * len(units) for c in ("thread_id", "comment_id", "paragraph")]
        texts = ["" if _missing(t) else str(t) for t in units["text"].tolist()]
        scored = [self._score_unit(t) for t in texts]
        sims = None
        if self.use_embeddings:
            flat = [t[a:b] for t, sc in zip(texts, scored) for a, b, _ in sc]
            sims = self._similarities(flat)
        rows = []
        k = 0
        for (tid, cid, para), text, sc in zip(zip(*cols), texts, scored):
            cid = "" if _missing(cid) else cid
            para = -1 if _missing(para) else int(para)
            for si, (a, b, h) in enumerate(sc):
                decided = self._decide(h, None if sims is None else sims[k])
                k += 1
                for kind, label, score, evidence in decided:
                    rows.append((tid, cid, para, si, a, b, text[a:b], kind, label, score, evidence))
        out = pd.DataFrame(rows, columns=FRAME_COLUMNS)
        return out.astype({"score": float, "sentence_index": int, "start": int, "end": int, "paragraph": int})

    def _decide(self, hits, sim_row) -> list[tuple[str, str, float, str]]:
        out = []
        entries = self.catalogue.entries
        candidates = set(hits)
        if sim_row is not None:
            candidates |= {ei for ei, (s, _) in enumerate(sim_row) if s > self.similarity_floor}
        for ei in sorted(candidates):
            e = entries[ei]
            cues = _merge_nested(hits.get(ei, {}).values())
            keep = 1.0
            for w, _ in cues:
                keep *= 1.0 - w
            evidence = [ev for _, ev in sorted(cues, key=lambda x: -x[0])]
            if sim_row is not None:
                s, example = sim_row[ei]
                bonus = self.similarity_weight * max(0.0, (s - self.similarity_floor) / (1 - self.similarity_floor))
                if bonus > 0:
                    keep *= 1.0 - bonus
                    evidence.append(f"resembles example: '{example}' ({s:.2f})")
            score = round(1.0 - keep, 4)
            if score >= self.thresholds.get(e.name, e.threshold) - 1e-9:
                out.append((e.kind, e.name, score, "; ".join(evidence)))
        return out

    def _similarities(self, sentences: list[str]):
        """Per sentence, per entry: (best cosine to the entry's examples, that example)."""
        import numpy as np

        from ..embeddings import shared_embedder

        entries = self.catalogue.entries
        examples = [(ei, ex) for ei, e in enumerate(entries) for ex in e.examples]
        if not sentences or not examples:
            return [[(0.0, "")] * len(entries) for _ in sentences]
        emb = self.embedder or shared_embedder()
        vecs = emb.encode(list(sentences) + [ex for _, ex in examples])
        sv, ev = vecs[: len(sentences)], vecs[len(sentences):]
        sim = sv @ ev.T
        owner = np.array([ei for ei, _ in examples])
        out = []
        for row in sim:
            best = [(0.0, "")] * len(entries)
            for ei in range(len(entries)):
                cols = np.flatnonzero(owner == ei)
                if len(cols):
                    j = cols[int(np.argmax(row[cols]))]
                    best[ei] = (float(row[j]), examples[j][1])
            out.append(best)
        return out

    def summarise(self, frames, units, by: str | Iterable[str] = "thread_id"):
        """Per group and label: sentences carrying the label (``count``), the group's sentences
        and words, and rates per sentence and per 1,000 words, so outlets and threads of different
        length can be compared.

        Every catalogue label appears for every group (zero when absent).
        """
        import pandas as pd

        keys = [by] if isinstance(by, str) else list(by)
        if units is None or len(units) == 0:
            return pd.DataFrame(columns=keys + SUMMARY_VALUES)
        u = units.copy()
        texts = u["text"].fillna("").astype(str)
        u["_sentences"] = [len(sentence_spans(t)) for t in texts]
        u["_words"] = [len(words(t)) for t in texts]
        size = u.groupby(keys, dropna=False)[["_sentences", "_words"]].sum()
        f = frames
        if f is not None and len(f):
            missing = [k for k in keys if k not in f.columns]
            if missing:
                link = u.drop_duplicates(["thread_id", "comment_id", "paragraph"])[
                    ["thread_id", "comment_id", "paragraph"] + missing]
                f = f.merge(link, on=["thread_id", "comment_id", "paragraph"], how="left")
            have = f.groupby(keys + ["kind", "label"], dropna=False).size()
        else:
            have = None
        rows = []
        for gkey, (n_sent, n_words) in size.iterrows():
            gkey = gkey if isinstance(gkey, tuple) else (gkey,)
            for kind, label in self.labels:
                key = gkey + (kind, label)
                c = int(have.get(key, 0)) if have is not None else 0
                rows.append(gkey + (kind, label, c, int(n_sent), int(n_words),
                                    c / n_sent if n_sent else 0.0, 1000.0 * c / n_words if n_words else 0.0))
        return pd.DataFrame(rows, columns=keys + SUMMARY_VALUES)


def _merge_nested(cues) -> list[tuple[float, str]]:
    """One cue per stretch of text: "the result of" also matches "result of" and "result", which
    must not count three times. A cue inside a longer one lends it its weight (and evidence) if
    stronger."""
    cues = sorted(cues, key=lambda c: (c[2] - c[3], c[2]))  # longest first
    kept: list[list] = []
    for w, ev, a, b in cues:
        if a >= 0:
            outer = next((k for k in kept if k[2] <= a and b <= k[3]), None)
            if outer is not None:
                if w > outer[0]:
                    outer[0], outer[1] = w, ev
                continue
        kept.append([w, ev, a, b])
    return [(w, ev) for w, ev, _, _ in kept]


def _missing(v) -> bool:
    """None or NaN, as pandas hands back for an absent value."""
    return v is None or (isinstance(v, float) and math.isnan(v))


