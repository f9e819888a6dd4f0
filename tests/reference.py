"""Plain reference implementations that the fast paths of the product are checked against.

Each function here is the straightforward computation a fast path replaced (or, for a table, the
row-by-row construction), kept once, for the ``tests/test_*_paths.py`` files and the module tests
that compare the two on the same input. A reference stays only while its fast path exists: when a
module goes back to the plain code, the reference and its test go.
"""
from __future__ import annotations

import inspect
import itertools
import math
import re
import unicodedata
from collections import Counter

import numpy as np
import pandas as pd


# ---------------------------------------------------------------------- framing
def framing_module():
    """The module that holds ``FrameTagger`` and the names its code reads (``_TOKEN_CHARS``,
    ``_merge_nested``), wherever the framing package keeps it."""
    from discourse.analysis.framing import FrameTagger

    return inspect.getmodule(FrameTagger)


def plain_decide(tagger, hits, cutoffs):
    """``FrameTagger._decide`` without a similarity row, as it read before the one-cue shortcut."""
    _merge_nested = framing_module()._merge_nested
    out = []
    for ei in sorted(hits):
        e = tagger.catalogue.entries[ei]
        cues = _merge_nested(hits.get(ei, {}).values())
        keep = 1.0
        for w, _ in cues:
            keep *= 1.0 - w
        evidence = [cues[0][1]] if len(cues) == 1 else [ev for _, ev in sorted(cues, key=lambda x: -x[0])]
        score = round(1.0 - keep, 4)
        if score >= cutoffs[ei]:
            out.append((e.kind, e.name, score, "; ".join(evidence)))
    return out


def frames_from_tag_text(tagger, units):
    """The frames table built row by row from ``tag_text``, one unit at a time."""
    from discourse.analysis.framing import FRAME_COLUMNS

    rows = []
    for tid, cid, para, text in zip(units["thread_id"], units["comment_id"], units["paragraph"], units["text"]):
        text = text or ""
        for si, (a, b, found) in enumerate(tagger.tag_text(text)):
            for kind, label, score, evidence in found:
                rows.append((tid, cid, int(para), si, a, b, text[a:b], kind, label, score, evidence))
    return pd.DataFrame(rows, columns=FRAME_COLUMNS).astype(
        {"score": float, "sentence_index": int, "start": int, "end": int, "paragraph": int})


# ---------------------------------------------------------------------- sentiment
def sentence_tones_plain(units, max_chars: int):
    """``Sentiment.sentences`` built from row tuples: every sentence span scored alone."""
    from discourse.analysis.sentiment import SCORE_COLUMNS, polarity
    from discourse.text import sentence_spans

    paras = units["paragraph"].tolist() if "paragraph" in units else [-1] * len(units)
    rows = [(tid, cid, para, i, a, b, text[a:b], *polarity(text[a:b][:max_chars]))
            for tid, cid, para, text in zip(units["thread_id"], units["comment_id"], paras, units["text"])
            for i, (a, b) in enumerate(sentence_spans(text or ""))]
    return pd.DataFrame(rows, columns=["thread_id", "comment_id", "paragraph", "sentence_index", "start", "end",
                                       "sentence", *SCORE_COLUMNS])


# ---------------------------------------------------------------------- target stance
def tokenise_plain(text: str):
    """The token-at-a-time tokeniser ``target_stance._tokenise`` replaced."""
    from discourse.analysis.target_stance import _tokenise

    ts = inspect.getmodule(_tokenise)  # the module with the tokeniser's patterns and token table

    if "." in text:
        text = ts._ABBREV.sub(lambda m: m.group(1) + m.group(2) + "  ", text)
    if "http" in text or "www." in text:
        text = ts._URL.sub(lambda m: " " * len(m.group()), text)
    rows: list[tuple[str, str, str, int, int, int]] = []
    find = text.find
    sent = 0
    last_sent = -1
    end = 0
    for w in ts._TOKEN.findall(text):
        start = find(w, end)
        end = start + len(w)
        if w in ts._BREAKS:
            if last_sent == sent:
                sent += 1
            continue
        low = w.lower()
        if "'" in low or "\u2019" in low:
            low = low.replace("\u2019", "'")
            base = low[:-2] if low.endswith("'s") else (low[:-1] if low.endswith("s'") else low)
        else:
            base = low
        rows.append((low, base, w, start, end, sent))
        last_sent = sent
    return ts._Tokens(rows)


# ---------------------------------------------------------------------- reply stance
def plain_stance_matrix(rs, texts, parents):
    """The whole-matrix construction the row blocks replace: every vector gathered as float64, blank
    replies masked by a multiply, the cosine over all rows at once."""
    from discourse.analysis.reply_stance import clean_text, embedding_features, has_parent

    dense, vocab, _ = rs.featurizer.transform(texts, parents)
    ok = has_parent(parents)
    cleaned = [clean_text(t) for t in texts]
    vecs = np.asarray(rs.embedder.encode(cleaned + [clean_text(p) if p else "" for p in parents]),
                      dtype=np.float64)
    n = len(texts)
    tv = vecs[:n] * np.array([1.0 if c.strip() else 0.0 for c in cleaned])[:, None]
    x = np.hstack([dense, vocab, embedding_features(tv, vecs[n:], ok.astype(float))])
    orphan = np.flatnonzero(~ok)
    x[np.ix_(orphan, rs._parent_cols)] = rs.model.mean[rs._parent_cols]
    return x


# ---------------------------------------------------------------------- narratives
def plain_narrative_scores(matcher, sentences):
    """Every sub-narrative over the similarity floor or with a cue, scored one by one."""
    best, arg, neutral = matcher._similarities(sentences)
    floor = matcher.matching["similarity_floor"]
    out = []
    for i, sent in enumerate(sentences):
        hits_i = matcher.cues.match(sent)
        cands = set(hits_i)
        cands |= set(np.flatnonzero(best[i] > floor).tolist())
        found = []
        for k in cands:
            hits = hits_i.get(k, [])
            c = matcher._cue_score(hits)
            cos = float(best[i][k])
            s = matcher._sim_score(cos, float(neutral[i]))
            score = 1.0 - (1.0 - s) * (1.0 - c)
            if score < matcher.threshold:
                continue
            example = matcher._examples[arg[i][k]] if arg[i][k] >= 0 else ""
            found.append(matcher._finding(k, sent, score, cos, c, hits, example, float(neutral[i])))
        found.sort(key=lambda f: -f["score"])
        out.append(found)
    return out


# ---------------------------------------------------------------------- coordination
def normalise_plain(text):
    """``coordination.normalise`` as three regular expressions, with no pass skipped."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    t = unicodedata.normalize("NFKC", str(text)).casefold()
    t = re.sub(r"(?:https?://|www\.)\S*", " ", t, flags=re.IGNORECASE)
    t = re.sub(r"@\w+", " ", t)
    return re.sub(r"[\W_]+", " ", t).strip()


# ---------------------------------------------------------------------- parse
def furniture_one_by_one(rules, line, region):
    """The furniture rules tried one at a time, as before the combined regular expression."""
    from discourse.parse.furniture import MAX_CHROME_CHARS

    for rule in rules.rules:
        if rule.where not in ("both", region) or (rule.kind != "furniture" and len(line) > MAX_CHROME_CHARS):
            continue
        if rule.regex.fullmatch(line) and (rule.requires != "language_codes" or rules._all_language_codes(line)):
            return rule.kind, rule.reason
    return None


def band_by_products(X, a, b, w):
    """The plain similarity band: one elementwise product of two row ranges (sliced, copied) per
    distance."""
    out = np.zeros((b - a, w))
    for d in range(1, w + 1):
        lo = max(a, d)
        if lo < b:
            prod = X[lo:b].multiply(X[lo - d:b - d])
            out[lo - a:, d - 1] = np.asarray(prod.sum(axis=1)).ravel()
    return out


def viterbi_plain(seg, lines, sa, sr, ends, continues):
    """The plain Viterbi of the segmenter: a score list and a back-pointer list of four per line."""
    from discourse.parse.segment import NEG, A, P, R, T

    n = len(lines)
    score = [NEG] * 4
    back = [[0] * 4 for _ in range(n)]
    score[P] = 0.0 if lines[0].forced != "comments" else NEG
    score[A] = sa[0] - seg.enter_cost if lines[0].forced != "article" else NEG
    for i in range(1, n):
        ln, prev, cur, bp = lines[i], score, [NEG] * 4, back[i]
        if ln.forced != "comments":
            cur[P], bp[P] = prev[P], P
        if ln.forced != "article":
            enter = prev[P] - seg.enter_cost + (seg.boundary_bonus if ln.gap_before else -seg.boundary_bonus)
            if enter >= prev[T] + ends:
                cur[A], bp[A] = enter + sa[i], P
            else:
                cur[A], bp[A] = prev[T] + ends + sa[i], T
            cur[R], bp[R] = prev[A] + sr[i], A
            best, arg = prev[T] + continues, T
            if prev[A] > best:
                best, arg = prev[A], A
            if prev[R] > best:
                best, arg = prev[R], R
            cur[T], bp[T] = best, arg
        score = cur
    state = P if score[P] >= score[T] else T
    labels = [0] * n
    for i in range(n - 1, -1, -1):
        labels[i] = state
        state = back[i][state]
    return labels


def decode_scores_plain(seg, lines, ev, shapes, keys, base):
    """The segmenter's per-line author and reply-header scores (``sa``, ``sr``), line by line."""
    known = ev.known_names or {k for k, c in ev.line_counts.items() if c >= 2}
    sa, sr = [], []
    for ln, sh, key, b in zip(lines, shapes, keys, base):
        if sh > -8 and key in ev.known_names:
            b += 1.0
        sr.append(b + (1.5 if key in known else -seg.header_unknown_cost))
        sa.append(b + ev.gap_odds.get(("before", ln.gap_before), 0.0) + ev.gap_odds.get(("after", ln.gap_after), 0.0)
                  if sh > -8 else b)
    return sa, sr


def learned_evidence_plain(lines, labels):
    """What ``Segmenter._learn_from`` learns from a labelled page, counted line by line:
    (known names, text_continues, text_ends, gap_odds), the last three None under three authors."""
    from discourse.parse.segment import A, R, T

    names = {ln.text.casefold() for ln, lab in zip(lines, labels) if lab in (A, R)}
    n_a = labels.count(A)
    if n_a < 3:
        return names, None, None, None
    pairs = list(itertools.pairwise(labels))
    tt, ta = pairs.count((T, T)), pairs.count((T, A))
    odds = {}
    for side in ("before", "after"):
        authors = Counter(getattr(ln, "gap_" + side) for ln, lab in zip(lines, labels) if lab == A)
        others = Counter(getattr(ln, "gap_" + side) for ln, lab in zip(lines, labels) if lab == T)
        for sig in set(authors) | set(others):
            p_a = (authors[sig] + 0.5) / (n_a + 1.0)
            p_t = (others[sig] + 0.5) / (sum(others.values()) + 1.0)
            odds[(side, sig)] = max(-3.0, min(3.0, math.log(p_a / p_t)))
    return (names, 0.5 * math.log((tt + 1) / (tt + ta + 2)), 0.5 * math.log((ta + 1) / (tt + ta + 2)), odds)
