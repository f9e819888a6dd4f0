"""The tagger: every sentence of a unit matched against the compiled catalogues, scored, decided."""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from itertools import compress
from pathlib import Path

from ...model import _frame
from ...resources import load_json
from ...runtime import gc_paused
from ...text import clip, sentence_spans, word_count
from .heads import MultiLabelHead
from .learned import learned_transform
from .catalogue import (_STEMS, _TOKEN, _TOKEN_CHARS, _Catalogue, _merge_nested, _RepetitionParams, _Scored,
                        _unit_tokens, stem)

FRAME_COLUMNS = ["thread_id", "comment_id", "paragraph", "sentence_index", "start", "end", "sentence",
                 "kind", "label", "score", "evidence"]
SUMMARY_VALUES = ["kind", "label", "count", "sentences", "words", "per_sentence", "per_1000_words"]


class FrameTagger:
    """Tags each sentence of article paragraphs and comments with frames and persuasion techniques.

    ``thresholds`` maps a label to the score it must reach (overriding the catalogue), so a user
    can trade precision for recall per label. ``use_embeddings`` adds similarity to the catalogue
    examples (one batch encoding of all sentences); off by default so the tagger runs fast.
    """

    def __init__(self, path_frames: str | Path | None = None, path_techniques: str | Path | None = None,
                 embedder=None, use_embeddings: bool = False, thresholds: Mapping[str, float] | None = None,
                 similarity_floor: float = 0.55, similarity_weight: float = 0.5, heads: bool = True):
        self.frames_spec = load_json("frames.json", path=path_frames)
        self.techniques_spec = load_json("techniques.json", path=path_techniques)
        self.catalogue = _Catalogue(self.frames_spec, self.techniques_spec)
        self.thresholds = dict(thresholds or {})
        self.embedder = embedder
        self.use_embeddings = use_embeddings
        #: text -> sentence spans; a run sets its token layer's (each text split once per run)
        self.split = sentence_spans
        self.similarity_floor = similarity_floor
        self.similarity_weight = similarity_weight
        self.stopwords = frozenset(stem(w) for w in self.techniques_spec.get("stopwords", []))
        self._single_scores: dict[float, float] = {}  # cue weight -> score of an entry with that cue alone
        # The learned heads (data/models/techniques.npz, frames.npz) decide techniques per sentence
        # and frames per whole text; ``heads=False`` (or a run with catalogue-example similarity)
        # keeps the catalogue's cue decisions alone.
        use_heads = heads and not use_embeddings
        self.technique_head = MultiLabelHead.load("techniques") if use_heads else None
        self.frame_head = MultiLabelHead.load("frames") if use_heads else None

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
    def _cutoffs(self) -> list[float]:
        """Per entry, the score it must reach (``thresholds`` may have been changed since __init__)."""
        return [self.thresholds.get(e.name, e.threshold) - 1e-9 for e in self.catalogue.entries]

    def _score_unit(self, text: str, cache: dict | None = None
                    ) -> list[tuple[int, int, dict[int, dict[str, tuple[float, str, int, int]]]]]:
        """Per sentence of ``text``: (start, end, {entry index: {cue key: (weight, evidence, a, b)}}).

        ``a, b`` locate the cue relative to the sentence (-1 when it has no single place); they only
        decide which cues nest in which. ``cache`` is the per-sentence memo of :meth:`_sentences`.
        """
        return [(a, b, info.hits if extra is None else extra)
                for a, b, info, extra in self._sentences(text or "", {} if cache is None else cache)]

    def _sentences(self, text: str, cache: dict):
        """(start, end, :class:`_Scored`, hits or None) per sentence of one unit.

        Everything but "said before" depends on the sentence alone, and stock sentences ("Source?",
        "Well said.") recur across a corpus, so each distinct sentence is scored once per ``cache``;
        the fourth item is the sentence's hits plus its "said before" phrases when it has any (None
        means the cached hits are the whole answer).
        """
        spans = self.split(text)
        if not spans:
            return []
        plain = text.isascii()  # then lower-casing is per character and slices commute with it
        lower = None if plain else text.lower()
        unit_toks = None
        seen: set[str] = set()
        one_repetition = len(self.catalogue.repetition) == 1
        n_text = len(text)
        out = []
        for a, b in spans:
            sentence = text[a:b]
            # Where both sides of an edge could belong to one token, a token might cross it.
            if not ((a and text[a - 1] in _TOKEN_CHARS and text[a] in _TOKEN_CHARS)
                    or (b < n_text and text[b - 1] in _TOKEN_CHARS and text[b] in _TOKEN_CHARS)):
                # No token crosses the sentence's edges, so tokenising the sentence alone gives the
                # same tokens as tokenising the unit.
                key = sentence if plain else (sentence, lower[a:b])
                info = cache.get(key)
                if info is None:
                    info = self._score_sentence(sentence, 0, len(sentence),
                                                sentence.lower() if plain else lower[a:b],
                                                list(_TOKEN.finditer(sentence)), cached=True)
                    cache[key] = info
            else:
                if unit_toks is None:
                    unit_toks = _unit_tokens(text, spans)
                info = self._score_sentence(text, a, b, (lower or text.lower())[a:b], unit_toks[len(out)],
                                            cached=False)
            repeats = info.repeats
            if not repeats:
                extra = None
            elif one_repetition and seen.isdisjoint(repeats[0][2]):  # the common case, inline
                seen.update(repeats[0][2])
                extra = None
            else:
                extra = self._said_before(info, seen)
            out.append((a, b, info, extra))
        return out

    def _said_before(self, info: _Scored, seen: set[str]) -> dict | None:
        """The sentence's hits plus phrases (three words, two of them content words) already said
        earlier in the same unit; None when there are none. ``seen`` collects the unit's phrases."""
        hits = None
        for ei, weight, grams, starts, length in info.repeats:
            if seen and not seen.isdisjoint(grams):
                if hits is None:
                    hits = dict(info.hits)
                slot = hits[ei] = dict(hits.get(ei, ()))
                toks = info.toks if info.toks is not None else list(_TOKEN.finditer(info.src))
                for gram, i in zip(grams, starts):
                    if gram in seen:
                        said = info.src[toks[i].start():toks[i + length - 1].end()]
                        slot["phrase:" + gram] = (weight, f'"{said}" said before', -1, -1)
            seen.update(grams)
        return hits

    def _score_sentence(self, src: str, a: int, b: int, lowered: str, toks: list[re.Match], cached: bool
                        ) -> _Scored:
        """Cues, patterns and within-sentence repetition of the sentence ``src[a:b]``.

        ``toks`` are the matches of its words in ``src``; ``lowered`` is the sentence lower-cased.
        Cue positions in the result are relative to ``a``. A ``cached`` result is kept for the rest of
        the call, so it holds no match objects (the sentence is tokenised again in the rare case a
        phrase of it was said before).
        """
        cat = self.catalogue
        get = _STEMS.get
        stems = [get(w) or stem(w) for w in map(re.Match.group, toks)]  # stems are never empty
        n = len(stems)
        found: dict[int, dict[str, tuple[float, str, int, int]]] = {}
        starts = cat.first_stems.intersection(stems)  # most words start no cue: skip them cheaply
        if starts:
            stem_set = None
            for i, st in enumerate(stems):
                if st not in starts:
                    continue
                cands, longer = cat.fast_index[st]
                if longer and i + 1 < n:
                    more = longer.get(stems[i + 1])
                    if more:
                        cands = cands + more
                for entry, rest, length, weight, key, context in cands:
                    if length > 2 and (i + length > n or stems[i + 2:i + length] != rest):
                        continue
                    if context is not None:
                        if stem_set is None:
                            stem_set = set(stems)
                        if context.isdisjoint(stem_set):
                            continue
                    slot = found.setdefault(entry, {})
                    old = slot.get(key)
                    if old is None or old[0] < weight:
                        s0, s1 = toks[i].start(), toks[i + length - 1].end()
                        slot[key] = (weight, f'"{src[s0:s1]}"', s0 - a, s1 - a)
        if cat.patterns:
            present = {t for t in cat.triggers if t in lowered}
            if present:
                sentence = src[a:b]
                for ei, rx, weight, triggers, note, key in cat.patterns:
                    if present.isdisjoint(triggers):
                        continue
                    m = rx.search(sentence)
                    if m:
                        span = m.group().strip() or note
                        found.setdefault(ei, {})[key] = (weight, f'"{clip(span)}" ({note})', m.start(), m.end())
        repeats = tuple([self._repetition(ei, p, stems, toks, src, found) for ei, p in cat.repetition])
        return _Scored(found, repeats, src, None if cached else toks)

    def _repetition(self, ei: int, p: _RepetitionParams, stems: list[str], toks: list[re.Match], src: str,
                    found: dict) -> tuple[int, float, tuple[str, ...], tuple[int, ...], int]:
        """A content word said three times in a sentence or a phrase said twice in it (added to
        ``found``), and the sentence's candidate phrases for "said before" (returned as entry,
        weight, phrases with their stems joined by spaces, their first tokens and their length, for
        :meth:`_said_before`; stems hold no spaces, so the joined form is as distinct as the words)."""
        stop = self.stopwords
        n = len(stems)

        def add(key, weight, i, j, how):
            found.setdefault(ei, {})[key] = (weight, f'"{src[toks[i].start():toks[j].end()]}" {how}', -1, -1)

        content = None
        if len(set(stems)) < n or p.word_min_count < 2 or p.phrase_min_words < 1:  # else nothing repeats
            counts: dict[str, int] = {}
            for w in stems:
                counts[w] = counts.get(w, 0) + 1
            if n <= p.word_max_sentence_words:
                for w, c in counts.items():
                    if c >= p.word_min_count and w not in stop and len(w) >= p.word_min_length and not w.isdigit():
                        i = stems.index(w)
                        add("word:" + w, p.word_weight, i, i, f"x{c}")
            # Within the sentence: a repeated phrase must start with a repeated word.
            n_min = p.phrase_min_words
            twice = {w for w, c in counts.items() if c >= 2}
            if len(twice) >= n_min:
                content = [s not in stop and not s.isdigit() for s in stems]
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
                            weight = p.phrase_weight_same_sentence if L >= 3 else p.bigram_weight
                            add("phrase:" + " ".join(gram), weight, i, i + L - 1, "repeated")
                            break
                        grams.setdefault(gram, i)
        # Candidates for "said before" in later sentences of the unit.
        L = p.phrase_earlier_min_words
        if n - L + 1 <= 0:
            return ei, p.phrase_weight_earlier, (), (), L
        if content is None:
            content = [s not in stop and not s.isdigit() for s in stems]
        if L >= 1:  # the windows of L words, built and filtered in C
            min_content = p.phrase_earlier_min_content
            keep = [c >= min_content for c in map(sum, zip(*[content[j:] for j in range(L)]))]
            grams = tuple(compress(map(" ".join, zip(*[stems[j:] for j in range(L)])), keep))
            return ei, p.phrase_weight_earlier, grams, tuple(compress(range(len(keep)), keep)), L
        # A degenerate catalogue setting, kept for exactness.
        here = [(" ".join(stems[i:i + L]), i) for i in range(n - L + 1)
                if sum(content[i:i + L]) >= p.phrase_earlier_min_content]
        return ei, p.phrase_weight_earlier, tuple(g for g, _ in here), tuple(i for _, i in here), L

    # ------------------------------------------------------------------ public API
    def tag_text(self, text: str) -> list[tuple[int, int, list[tuple[str, str, float, str]]]]:
        """Per sentence of one text: (start, end, [(kind, label, score, evidence)]) above threshold."""
        if self.technique_head is not None or self.frame_head is not None:
            rows = learned_transform(self, [text or ""], [("", "", -1)])
            spans = [(a, b) for a, b, _ in self._score_unit(text or "")]
            return [(a, b, [r[7:] for r in rows if r[3] == si]) for si, (a, b) in enumerate(spans)]
        scored = self._score_unit(text or "")
        sims = self._similarities([text[a:b] for a, b, _ in scored]) if self.use_embeddings else None
        cutoffs = self._cutoffs()
        return [(a, b, self._decide(h, None if sims is None else sims[k], cutoffs))
                for k, (a, b, h) in enumerate(scored)]

    @gc_paused()
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
        if self.technique_head is not None or self.frame_head is not None:
            keys = [(tid, "" if _missing(cid) else cid, -1 if _missing(para) else int(para))
                    for tid, cid, para in zip(*cols)]
            out = _frame(learned_transform(self, texts, keys), FRAME_COLUMNS)
            return out.astype({"score": float, "sentence_index": int, "start": int, "end": int, "paragraph": int})
        cache: dict = {}  # per distinct sentence, for this call (thresholds may change between calls)
        cutoffs = self._cutoffs()
        sims = None
        if self.use_embeddings:
            scored = [self._sentences(t, cache) for t in texts]
            flat = [t[a:b] for t, sc in zip(texts, scored) for a, b, _, _ in sc]
            sims = self._similarities(flat)
        else:  # one unit at a time: nothing but the rows outlives its unit
            scored = (self._sentences(t, cache) for t in texts)
        rows = []
        k = 0
        for (tid, cid, para), text, sc in zip(zip(*cols), texts, scored):
            cid = "" if _missing(cid) else cid
            para = -1 if _missing(para) else int(para)
            for si, (a, b, info, extra) in enumerate(sc):
                if sims is not None:
                    decided = self._decide(info.hits if extra is None else extra, sims[k], cutoffs)
                elif extra is not None:
                    decided = self._decide(extra, None, cutoffs)
                else:
                    if info.decided is None:
                        info.decided = self._decide(info.hits, None, cutoffs)
                    decided = info.decided
                k += 1
                for kind, label, score, evidence in decided:
                    rows.append((tid, cid, para, si, a, b, text[a:b], kind, label, score, evidence))
        out = _frame(rows, FRAME_COLUMNS)
        return out.astype({"score": float, "sentence_index": int, "start": int, "end": int, "paragraph": int})

    def _decide(self, hits, sim_row, cutoffs: list[float] | None = None) -> list[tuple[str, str, float, str]]:
        """(kind, label, score, evidence) of the entries whose combined evidence reaches ``cutoffs``
        (:meth:`_cutoffs`, computed here when not given)."""
        out = []
        if not hits and sim_row is None:
            return out
        if cutoffs is None:
            cutoffs = self._cutoffs()
        entries = self.catalogue.entries
        candidates = set(hits)
        if sim_row is not None:
            candidates |= {ei for ei, (s, _) in enumerate(sim_row) if s > self.similarity_floor}
        single = self._single_scores
        for ei in sorted(candidates):
            e = entries[ei]
            if sim_row is None:
                slot = hits[ei]
                if len(slot) == 1:
                    # Most entries rest on one cue: their score is the cue weight's, worked out once
                    # per weight (the general path below gives the same number and evidence).
                    (w, ev, _, _), = slot.values()
                    score = single.get(w)
                    if score is None:
                        score = single[w] = round(1.0 - (1.0 - w), 4)
                    if score >= cutoffs[ei]:
                        out.append((e.kind, e.name, score, ev))
                    continue
            cues = _merge_nested(hits.get(ei, {}).values())
            keep = 1.0
            for w, _ in cues:
                keep *= 1.0 - w
            evidence = [cues[0][1]] if len(cues) == 1 else [ev for _, ev in sorted(cues, key=lambda x: -x[0])]
            if sim_row is not None:
                s, example = sim_row[ei]
                bonus = self.similarity_weight * max(0.0, (s - self.similarity_floor) / (1 - self.similarity_floor))
                if bonus > 0:
                    keep *= 1.0 - bonus
                    evidence.append(f"resembles example: '{example}' ({s:.2f})")
            score = round(1.0 - keep, 4)
            if score >= cutoffs[ei]:
                out.append((e.kind, e.name, score, "; ".join(evidence)))
        return out

    def _similarities(self, sentences: list[str]):
        """Per sentence, per entry: (best cosine to the entry's examples, that example)."""
        import numpy as np

        from ...embeddings import Embedder

        entries = self.catalogue.entries
        examples = [(ei, ex) for ei, e in enumerate(entries) for ex in e.examples]
        if not sentences or not examples:
            return [[(0.0, "")] * len(entries) for _ in sentences]
        if self.embedder is None:
            self.embedder = Embedder()
        emb = self.embedder
        vecs = emb.encode(list(sentences) + [ex for _, ex in examples])
        sv, ev = vecs[: len(sentences)], vecs[len(sentences):]
        sim = sv @ ev.T
        owner = np.array([ei for ei, _ in examples])
        columns = [np.flatnonzero(owner == ei) for ei in range(len(entries))]  # once, not per sentence
        out = []
        for row in sim:
            best = [(0.0, "")] * len(entries)
            for ei, cols in enumerate(columns):
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
        texts = u["text"].fillna("").astype(str).tolist()
        u["_sentences"] = [len(self.split(t)) for t in texts]
        u["_words"] = [word_count(t) for t in texts]
        size = u.groupby(keys, dropna=False)[["_sentences", "_words"]].sum()
        f = frames
        if f is not None and len(f):
            missing = [k for k in keys if k not in f.columns]
            if missing:
                link = u.drop_duplicates(["thread_id", "comment_id", "paragraph"])[
                    ["thread_id", "comment_id", "paragraph"] + missing]
                f = f.merge(link, on=["thread_id", "comment_id", "paragraph"], how="left")
            have = f.groupby(keys + ["kind", "label"], dropna=False).size().to_dict()
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


def _missing(v) -> bool:
    """None or NaN, as pandas hands back for an absent value."""
    return v is None or (isinstance(v, float) and math.isnan(v))
