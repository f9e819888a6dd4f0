"""The frames table from the learned heads: techniques per sentence, frames per whole text.

:class:`~.tagger.FrameTagger` scores every sentence's catalogue cues as before; here those cue
scores become features of the technique head (with the sentence's words), and the frame head reads
each article (all its paragraphs) and each comment as one text. Catalogue techniques the head does
not cover stay cue-only, decided as before. Every row keeps its evidence: the words or cues that
weighed most (quoted from the sentence) and the head's probability.
"""
from __future__ import annotations

import numpy as np

from ...text import clip
from .heads import MultiLabelHead, lexical_keys, words

_EMBED_CHARS = 1000  # the run encodes sentences cut to this length (as the narratives stage asks)
# The frame head learned whole news articles; a text of fewer sentences (most comments) is too far
# from them for it to read (a few sentences' mean vector is much more extreme than an article's),
# so such a text gets a frame only from cues in at least two of its sentences.
MIN_SENTENCES = 8


def unit_mean(vectors: np.ndarray) -> np.ndarray:
    """The mean of a text's sentence vectors scaled to length one (the frame head's input), so a
    short text's mean and a long article's lie on the same sphere."""
    m = np.asarray(vectors, dtype=np.float32).mean(axis=0, keepdims=True)
    return m / max(float(np.linalg.norm(m)), 1e-9)


def technique_rows(tagger, head: MultiLabelHead, sentences: list[tuple[str, dict]]) -> list[list[tuple]]:
    """Per sentence (text, {label: (cue score, evidence)} of its techniques), the decided
    (kind, label, score, evidence) rows of the head's techniques. Stock sentences recur across a
    corpus, so each distinct (sentence, cues) is decided once."""
    where: dict[tuple, int] = {}
    distinct: list[tuple[str, dict]] = []
    index = []
    for text, cues in sentences:
        key = (text, tuple(sorted(cues.items())))
        k = where.get(key)
        if k is None:
            k = where[key] = len(distinct)
            distinct.append((text, cues))
        index.append(k)
    decided = _technique_rows(tagger, head, distinct)
    return [decided[k] for k in index]


def _technique_rows(tagger, head: MultiLabelHead, sentences: list[tuple[str, dict]]) -> list[list[tuple]]:
    lexical = [lexical_keys(s, words(s)) for s, _ in sentences]
    named = [head.features(lex, {lab: sc for lab, (sc, _) in cues.items()})
             for lex, (_, cues) in zip(lexical, sentences)]
    P = head.probabilities(named, None) if sentences else np.zeros((0, len(head.head.classes)))
    cut = np.array([tagger.thresholds.get(c, float(t)) for c, t in zip(head.head.classes, head.cut)], dtype=np.float32)
    out = []
    for r, row in enumerate(P):
        found = []
        for k in np.flatnonzero(row >= cut - 1e-9):
            label = head.head.classes[k]
            found.append(("technique", label, round(float(row[k]), 4),
                          _why(head, k, named[r], lexical[r], sentences[r], float(row[k]))))
        out.append(found)
    return out


def _why(head: MultiLabelHead, k: int, feats, lexical, sentence: tuple[str, dict], p: float) -> str:
    text, cues = sentence
    parts = []
    for name, weight, a, b in head.reasons(k, feats, lexical):
        if name.startswith("cue:"):
            ev = cues.get(name[4:], (0.0, ""))[1]
            parts.append(f"{name[4:]} cues: {ev} (+{weight:.2f})")
        elif a >= 0:
            parts.append(f'"{text[a:b]}" at {a}-{b} (+{weight:.2f})')
        else:
            parts.append(f"{name[6:]} sentence (+{weight:.2f})")
    return f"learned p={p:.2f}: " + ("; ".join(parts) if parts else "the sentence as a whole")


def frame_rows(tagger, head: MultiLabelHead, text_sentences: list[str], cue_counts: np.ndarray,
               cue_evidence: dict[str, str], vectors: np.ndarray | None) -> list[tuple[int, str, float, str]]:
    """Frames of one whole text: (index of the sentence that carries the frame most, label, score,
    evidence), from the mean of its sentence vectors and its cue counts."""
    if not text_sentences:
        return []
    named = [(head.column["cue:" + lab], float(v)) for lab, v in zip(head.cue_labels, cue_counts) if v]
    mean = None if vectors is None else unit_mean(vectors)
    p = head.probabilities([named], mean)[0]
    cut = np.array([tagger.thresholds.get(c, float(t)) for c, t in zip(head.head.classes, head.cut)], dtype=np.float32)
    out = []
    for k in np.flatnonzero(p >= cut - 1e-9):
        label = head.head.classes[k]
        if vectors is not None:
            lean = vectors @ head.w[k, head.emb_start:]
            best = int(np.argmax(lean))
            how = f'leans most on "{clip(text_sentences[best], 100)}"'
        else:
            best, how = 0, "cue counts only (no sentence vectors in this run)"
        cue = cue_evidence.get(label)
        ev = f"learned p={p[k]:.2f} over the whole text ({len(text_sentences)} sentences); {how}"
        out.append((best, label, round(float(p[k]), 4), ev + (f"; cues: {cue}" if cue else "")))
    return out


def _counted_frames(fh: MultiLabelHead, rows_of, counts, cues, units, where) -> list[tuple[int, str, float, str]]:
    """Without sentence vectors (or for a text under :data:`MIN_SENTENCES` sentences) the head does
    not read the text: a frame needs its cues in at least two sentences of the text (one noun never
    makes a frame), at the first of them."""
    out = []
    for k, label in enumerate(fh.cue_labels):
        if counts[k] < 2:
            continue
        first = next(i for i, r in enumerate(rows_of)
                     if any(d[0] == "frame" and d[1] == label for d in units[where[r][0]][where[r][1]][2]))
        out.append((first, label, round(float(counts[k] / len(rows_of)), 4),
                    f"cues in {int(counts[k])} of {len(rows_of)} sentences (cue count: no sentence vectors "
                    f"or a short text); first: {cues[label]}"))
    return out


def sentence_vectors(embedder, sentences: list[str]) -> np.ndarray | None:
    """The run's vectors of ``sentences`` (cut as the run encodes them, so the encoder's cache
    answers; no second pass over the texts)."""
    if embedder is None or not sentences:
        return None
    return np.asarray(embedder.encode([s[:_EMBED_CHARS] for s in sentences]), dtype=np.float32)


def learned_transform(tagger, texts: list[str], keys: list[tuple]) -> list[tuple]:
    """Rows of the frames table (as :meth:`FrameTagger.transform` builds them) for ``texts`` with
    their (thread_id, comment_id, paragraph) ``keys``, decided by the heads."""
    th, fh = tagger.technique_head, tagger.frame_head
    zero = [0.0] * len(tagger.catalogue.entries)
    cut = {e.name: c for e, c in zip(tagger.catalogue.entries, tagger._cutoffs())}
    cache: dict = {}
    units = []          # per unit: [(a, b, all cue decisions)]
    flat = []           # per sentence: (text, {technique: (score, evidence)})
    for text in texts:
        sents = []
        for a, b, info, extra in tagger._sentences(text, cache):
            hits = info.hits if extra is None else extra
            decided = tagger._decide(hits, None, zero) if hits else []
            sents.append((a, b, decided))
            flat.append((text[a:b], {lab: (sc, ev) for kind, lab, sc, ev in decided if kind == "technique"}))
        units.append(sents)
    learned = technique_rows(tagger, th, flat) if th is not None else None
    covered = th.covered if th is not None else set()
    frames_at = _frames_by_sentence(tagger, fh, texts, keys, units, cut) if fh is not None else None
    rows = []
    k = 0
    for u, ((tid, cid, para), text, sents) in enumerate(zip(keys, texts, units)):
        for si, (a, b, decided) in enumerate(sents):
            found = []
            if frames_at is None:
                found += [d for d in decided if d[0] == "frame" and d[2] >= cut[d[1]]]
            else:
                found += frames_at.get((u, si), [])
            found += [d for d in decided if d[0] == "technique" and d[1] not in covered and d[2] >= cut[d[1]]]
            if learned is not None:
                found += learned[k]
            k += 1
            for kind, label, score, evidence in found:
                rows.append((tid, cid, para, si, a, b, text[a:b], kind, label, score, evidence))
    return rows


def _frames_by_sentence(tagger, fh: MultiLabelHead, texts, keys, units, cut) -> dict:
    """{(unit, sentence): frame rows}: each article (its paragraphs together) and each comment is
    one text for the frame head; a frame's row sits at the sentence that carries it most."""
    groups: dict[tuple, list[int]] = {}
    for u, (tid, cid, _) in enumerate(keys):
        groups.setdefault((tid, cid), []).append(u)
    where = [(u, si) for u in range(len(texts)) for si in range(len(units[u]))]
    sentences = [texts[u][a:b] for u in range(len(texts)) for a, b, _ in units[u]]
    vectors = sentence_vectors(tagger.embedder, sentences) if fh.uses_vectors else None
    start = np.cumsum([0] + [len(s) for s in units])
    out: dict[tuple, list] = {}
    for members in groups.values():
        rows_of = [r for u in members for r in range(start[u], start[u + 1])]
        if not rows_of:
            continue
        counts = np.zeros(len(fh.cue_labels), dtype=np.float32)
        cues: dict[str, str] = {}
        index = {lab: i for i, lab in enumerate(fh.cue_labels)}
        for r in rows_of:
            u, si = where[r]
            for kind, label, score, ev in units[u][si][2]:
                if kind == "frame" and score >= cut[label] and label in index:
                    counts[index[label]] += 1
                    cues.setdefault(label, ev)
        if vectors is None or len(rows_of) < MIN_SENTENCES:
            found = _counted_frames(fh, rows_of, counts, cues, units, where)
        else:
            found = frame_rows(tagger, fh, [sentences[r] for r in rows_of], np.log1p(counts), cues,
                               vectors[rows_of])
        for best, label, score, ev in found:
            out.setdefault(where[rows_of[best]], []).append(("frame", label, score, ev))
    return out
