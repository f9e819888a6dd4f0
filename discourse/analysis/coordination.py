"""Coordination signals: the same text posted by several accounts, and accounts posting in bursts.

Neither signal proves a campaign (people paste slogans, fans repeat each other, a heated reader
posts five replies in ten minutes), so each comment gets a score with its reasons and the
analyst decides. What the module measures:

* **Exact duplicates**: the text normalised (Unicode NFKC, case folded, URLs, @handles,
  punctuation and whitespace removed) and hashed, so trivial edits and a changed link do not hide
  a copy.
* **Near duplicates**: sentence-embedding cosine >= ``near_threshold`` (0.92: a paraphrase with a
  few words changed; two comments merely on the same topic score 0.5-0.8). Each distinct
  normalised text is embedded and compared once, in row blocks of a matrix product, so memory stays
  bounded (1024 x n floats) while 20,000 comments take seconds. The encoder reads the first ~256
  word pieces, so very long comments are compared on their opening. Without embeddings
  (``use_embeddings=False``), word-bigram Jaccard >= ``lexical_threshold`` (0.6), with candidate
  pairs from MinHash banding rather than all n^2 pairs. Texts shorter than ``min_chars`` after
  normalisation ("lol", "Agreed.") are left out of both duplicate checks: everyone writes them.
  Groups (``duplicate_group``) are connected components of exact and near links, so a chain of
  small edits ends in one group even where its ends are not near duplicates of each other.
* **Bursts**: ``burst_min`` or more comments by one author within ``burst_window_s`` seconds,
  across all threads, when a ``timestamp`` column gives times (ISO 8601 strings or epoch seconds
  or milliseconds). Rows without a usable time fall back to page order: ``burst_min`` comments by
  one author among ``burst_positions`` consecutive positions of one thread (default
  ``burst_min + burst_min // 2``, so two people trading replies, who hold at most half the
  positions, do not form a burst).

By default only copies by *other* authors count as duplicates (``also_same_author=False``); a
reader pasting their own comment twice is spam, not coordination, and is reported separately in
``same_author_duplicates``. ``also_same_author=True`` counts both.
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import defaultdict, deque
from typing import TYPE_CHECKING, Any

import numpy as np

from ..times import parse_times
from .stage import RunContext, Stage

if TYPE_CHECKING:
    import pandas as pd

COORDINATION_COLUMNS = [
    "thread_id", "comment_id", "author", "duplicate_group", "exact_duplicates", "near_duplicates",
    "duplicate_authors", "same_author_duplicates", "duplicate_of", "burst", "burst_size",
    "coordination_score", "coordination_reasons",
]

# Single-quantifier patterns over simple classes: linear on any input.
_URL = re.compile(r"(?:https?://|www\.)\S*", re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
_NON_WORD = re.compile(r"[\W_]+")
# ASCII letters and digits kept, every other byte a space: ``_NON_WORD`` for ASCII text
_ASCII_WORD_BYTES = bytes(b if chr(b).isalnum() and b < 128 else 32 for b in range(256))

_BLOCK = 1024  # rows per block of the similarity product: 1024 x n float32 at a time
_TILE_ROWS, _TILE_COLS = 256, 1024  # a tile of the pruning bound's products: 1 MB of float32


def normalise(text: Any) -> str:
    """Text reduced to what a copy keeps: folded case, words only, single spaces."""
    if _missing(text):
        return ""
    t = unicodedata.normalize("NFKC", str(text)).casefold()
    # After casefolding, a link holds "http" or "www." and a handle "@" as they are written (no
    # other character matches them case-blind), so a text without them skips that pass.
    if "http" in t or "www." in t:
        t = _URL.sub(" ", t)
    if "@" in t:
        t = _HANDLE.sub(" ", t)
    if t.isascii():  # the same words and spaces, from one byte-table pass instead of the regex
        return b" ".join(t.encode().translate(_ASCII_WORD_BYTES).split()).decode()
    return _NON_WORD.sub(" ", t).strip()


def text_hash(normalised: str) -> str:
    """Hash of a normalised text with its spaces removed too ("re post" == "repost")."""
    return hashlib.sha1(normalised.replace(" ", "").encode("utf-8")).hexdigest()[:16]


def _window_bursts(keys: np.ndarray, window: float, burst_min: int) -> np.ndarray:
    """For sorted values ``keys``: the largest number of values inside any window of length
    ``window`` that contains each value (0 where that is below ``burst_min``). Linear time."""
    n = len(keys)
    size = np.zeros(n, dtype=np.int64)
    if n < burst_min:
        return size
    # count[i]: values in [keys[i], keys[i] + window]; end[i] the last index inside.
    end = np.searchsorted(keys, keys + window, side="right") - 1
    count = end - np.arange(n) + 1
    # size[k] = max count[i] over windows i <= k with end[i] >= k: a sliding maximum whose
    # left edge (first i with end[i] >= k) only moves right as k grows.
    dq: deque[int] = deque()
    left = 0
    for k in range(n):
        dq_push = k
        while dq and count[dq[-1]] <= count[dq_push]:
            dq.pop()
        dq.append(dq_push)
        while end[left] < k:
            left += 1
        while dq[0] < left:
            dq.popleft()
        size[k] = count[dq[0]]
    size[size < burst_min] = 0
    return size


class Coordination:
    """Duplicate and burst signals per comment (see the module docstring for the definitions)."""

    def __init__(self, embedder=None, use_embeddings: bool = True, near_threshold: float = 0.92,
                 min_chars: int = 20, burst_window_s: float = 600, burst_min: int = 5,
                 burst_positions: int | None = None, also_same_author: bool = False,
                 lexical_threshold: float = 0.6, max_listed: int = 10):
        self.embedder = embedder
        self.use_embeddings = use_embeddings
        self.near_threshold = near_threshold
        self.min_chars = min_chars
        self.burst_window_s = burst_window_s
        self.burst_min = burst_min
        self.burst_positions = burst_positions if burst_positions else burst_min + burst_min // 2
        self.also_same_author = also_same_author
        self.lexical_threshold = lexical_threshold
        self.max_listed = max_listed

    # ----------------------------------------------------------------- near duplicates
    def near_pairs(self, texts: list[str]) -> list[tuple[int, int, float]]:
        """(i, j, similarity) with i < j for the texts at least as similar as the threshold:
        embedding cosine, or word-bigram Jaccard when embeddings are off."""
        if len(texts) < 2:
            return []
        if not self.use_embeddings:
            return _minhash_pairs([normalise(t) for t in texts], self.lexical_threshold)
        if self.embedder is None:  # this model's own encoder (a run passes the run's one)
            from ..embeddings import Embedder

            self.embedder = Embedder()
        vectors = np.asarray(self.embedder.encode(texts), dtype=np.float32)
        return _dense_pairs(vectors, self.near_threshold)

    # ----------------------------------------------------------------- bursts
    def _bursts(self, comments) -> tuple[np.ndarray, list[str]]:
        n = len(comments)
        size = np.zeros(n, dtype=np.int64)
        how = [""] * n
        authors = comments["author"].tolist() if "author" in comments.columns else [None] * n
        times = parse_times(comments["timestamp"].tolist()) if "timestamp" in comments.columns \
            else np.full(n, np.nan)
        threads = comments["thread_id"].tolist()
        positions = comments["position"].tolist() if "position" in comments.columns else list(range(n))
        timed: dict[Any, list[int]] = defaultdict(list)
        untimed: dict[tuple[Any, Any], list[int]] = defaultdict(list)
        finite = np.isfinite(times).tolist()
        for i, a in enumerate(authors):
            if _missing(a) or a == "":
                continue  # anonymous comments cannot be attributed to one person
            if finite[i]:
                timed[a].append(i)
            else:
                untimed[(threads[i], a)].append(i)
        for a, idx in timed.items():
            idx.sort(key=lambda i: times[i])
            s = _window_bursts(np.array([times[i] for i in idx]), float(self.burst_window_s), self.burst_min)
            for i, v in zip(idx, s.tolist()):
                if v:
                    size[i] = v
                    how[i] = f"{v} comments by {a} within {_duration(self.burst_window_s)}"
        # Rank of each row among its thread's rows, by position (page order).
        by_thread: dict[Any, list[int]] = defaultdict(list)
        for i, t in enumerate(threads):
            by_thread[t].append(i)
        rank: dict[int, int] = {}
        order = [_num(p) for p in positions]
        for rows in by_thread.values():
            rows.sort(key=order.__getitem__)  # stable: rows are in index order, so ties keep it
            rank.update((i, r) for r, i in enumerate(rows))
        for (t, a), idx in untimed.items():
            if len(idx) < self.burst_min:
                continue
            idx.sort(key=lambda i: rank[i])
            s = _window_bursts(np.array([rank[i] for i in idx], dtype=float), float(self.burst_positions - 1),
                               self.burst_min)
            for i, v in zip(idx, s.tolist()):
                if v:
                    size[i] = v
                    how[i] = f"{v} comments by {a} within {self.burst_positions} consecutive comments (no timestamps)"
        return size, how

    # ----------------------------------------------------------------- frame
    def transform(self, comments) -> pd.DataFrame:
        """One row per comment of ``comments`` (thread_id, comment_id, text; author, timestamp and
        position used when present), in the same order."""
        import pandas as pd

        n = len(comments)
        if n == 0:
            return pd.DataFrame(columns=COORDINATION_COLUMNS)
        comments = comments.reset_index(drop=True)
        authors = comments["author"].tolist() if "author" in comments.columns else [None] * n
        authors = [None if (_missing(a) or a == "") else a for a in authors]
        cids = comments["comment_id"].astype(str).tolist()
        raw_ids = comments["comment_id"].tolist()
        tids = comments["thread_id"].tolist()
        norm = [normalise(t) for t in comments["text"].tolist()]
        eligible = [len(t.replace(" ", "")) >= self.min_chars for t in norm]
        hashes = [text_hash(t) if ok else "" for t, ok in zip(norm, eligible)]

        # Distinct texts: exact copies share one entry, so they are embedded and compared once.
        uid: dict[str, int] = {}
        members: list[list[int]] = []
        first_text: list[str] = []
        texts = comments["text"].tolist()
        for i, h in enumerate(hashes):
            if not h:
                continue
            if h not in uid:
                uid[h] = len(members)
                members.append([])
                first_text.append(str(texts[i]))
            members[uid[h]].append(i)
        near_of_unique: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for a, b, v in self.near_pairs(first_text):
            near_of_unique[a].append((b, v))
            near_of_unique[b].append((a, v))

        # Components over exact and near links (union-find on distinct texts).
        parent = list(range(len(members)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, lst in near_of_unique.items():
            for b, _ in lst:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        comp_size: dict[int, int] = defaultdict(int)
        for u, m in enumerate(members):
            comp_size[find(u)] += len(m)
        group_name: dict[int, str] = {}
        for u in range(len(members)):
            r = find(u)
            if comp_size[r] > 1 and r not in group_name:
                group_name[r] = f"dup{len(group_name) + 1}"

        burst_size, burst_how = self._bursts(comments)
        out: dict[str, list] = {c: [] for c in COORDINATION_COLUMNS}
        for i in range(n):
            h = hashes[i]
            exact_other: list[int] = []
            near_other: list[int] = []
            group = ""
            if h:
                u = uid[h]
                group = group_name.get(find(u), "")
                if len(members[u]) > 1 or u in near_of_unique or not _SHORTCUT:
                    exact_other = [j for j in members[u] if j != i]
                    near_other = [j for b, _ in near_of_unique.get(u, []) for j in members[b]]
            burst = int(burst_size[i])
            if not exact_other and not near_other and _SHORTCUT:
                # a text nobody else posted (most comments): no links, only a burst can score
                score, reasons = self._score(0, 0, 0, 0, 0, burst, burst_how[i])
                _append(out, tids[i], raw_ids[i], authors[i], group, 0, 0, 0, 0, "", bool(burst), burst, score,
                        reasons)
                continue
            me = authors[i]
            same = [j for j in exact_other + near_other if me is not None and authors[j] == me]
            if not self.also_same_author:
                exact_other = [j for j in exact_other if me is None or authors[j] != me]
                near_other = [j for j in near_other if me is None or authors[j] != me]
            linked = exact_other + near_other
            other_authors = {authors[j] for j in linked if authors[j] is not None and authors[j] != me}
            unknown = sum(1 for j in linked if authors[j] is None or me is None)
            listed = [cids[j] for j in linked[: self.max_listed]]
            if len(linked) > self.max_listed:
                listed.append(f"... (+{len(linked) - self.max_listed})")
            score, reasons = self._score(len(exact_other), len(near_other), len(other_authors), unknown,
                                         len(same), burst, burst_how[i])
            _append(out, tids[i], raw_ids[i], authors[i], group, len(exact_other), len(near_other),
                    len(other_authors), len(same), "; ".join(listed), bool(burst), burst, score, reasons)
        # Column lists, not row dictionaries: pandas infers each column's type from its list either
        # way, and skips turning twenty thousand dictionaries into one object matrix first.
        return pd.DataFrame(out, columns=COORDINATION_COLUMNS)

    def _score(self, exact: int, near: int, other_authors: int, unknown: int, same: int,
               burst: int, burst_how: str) -> tuple[float, str]:
        """Noisy-or of the signals: each distinct other author repeating the text halves the chance
        it is innocent; a burst is weaker evidence (people do argue fast)."""
        reasons = []
        miss = 1.0
        carriers = other_authors + unknown
        if exact or near:
            miss *= 0.5 ** max(carriers, 1)
            if exact:
                reasons.append(f"exact copy of {_n(exact, 'comment')}")
            if near:
                reasons.append(f"near-duplicate of {_n(near, 'comment')}")
            reasons[-1] += (f" by {_n(other_authors, 'other author')}" if other_authors else "")
            if unknown:
                reasons[-1] += f" ({unknown} with unknown author)"
        if same and not self.also_same_author:
            miss *= 0.85 ** min(same, 5)
            reasons.append(f"same author posted it {_n(same, 'other time')}")
        if burst:
            miss *= 0.7 * (0.9 ** min(burst - self.burst_min, 10))
            reasons.append("burst: " + burst_how)
        return round(1.0 - miss, 4), "; ".join(reasons)


#: the shortcut for comments with no copies; tests switch it off to compare with the full path
_SHORTCUT = True


def _append(out: dict[str, list], *values) -> None:
    for column, value in zip(COORDINATION_COLUMNS, values):
        out[column].append(value)


def _dense_pairs(vectors: np.ndarray, threshold: float, head: int = 64) -> list[tuple[int, int, float]]:
    """Pairs above ``threshold`` cosine, without computing every full-length dot product.

    Every text is compared with every other, so this is the one quadratic step of an analysis.
    Vectors are rotated onto their principal axes (which keeps every dot product) and split into
    the first ``head`` coordinates and the rest; by Cauchy-Schwarz a pair can only reach the
    threshold if ``head·head + |rest| |rest|`` does. Appending ``|rest|`` to the head makes that
    bound one ``head + 1``-wide matrix product instead of a full one, and it rules out nearly every
    pair (on real comments, all but about 0.04% with 64 axes); the survivors are checked exactly.
    Nothing above the threshold is missed.
    """
    n, dim = vectors.shape if vectors.ndim == 2 else (len(vectors), 0)
    if n < 2:
        return []
    if n < 2 * _BLOCK or dim <= 2 * head:
        return _dense_pairs_direct(vectors, threshold)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    # The axes only need to be orthonormal (eigh makes them so in float64 whatever matrix it is
    # given); a float32 product is near enough to the principal axes for the bound to prune as well.
    _, axes = np.linalg.eigh((vectors.T @ vectors).astype(np.float64))
    # Only the head is rotated; |rest| is the length of what the head leaves of each vector,
    # found in row chunks (small temporaries, no full rotation): float32 rounding moves it by a
    # few 1e-6 at most, far inside ``floor``'s margin.
    top = axes[:, ::-1][:, :head].astype(np.float32)
    heads = np.empty((n, head + 1), dtype=np.float32)
    for lo in range(0, n, _BLOCK):
        part = vectors[lo:lo + _BLOCK]
        coords = part @ top
        left = part - coords @ top.T
        heads[lo:lo + _BLOCK, :head] = coords
        heads[lo:lo + _BLOCK, head] = np.sqrt(np.einsum("ij,ij->i", left, left))
    floor = threshold - 1e-4  # float rounding in the rotation must not drop a true pair
    pairs: list[tuple[int, int, float]] = []
    for i, j in _tiled_candidates(heads, floor):
        sims = np.einsum("ij,ij->i", vectors[i], vectors[j])
        keep = sims >= threshold
        pairs.extend(zip(i[keep].tolist(), j[keep].tolist(), sims[keep].tolist()))
    return pairs


def _dense_pairs_direct(vectors: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """Every dot product, one row block at a time (for small inputs, where that is cheapest)."""
    pairs: list[tuple[int, int, float]] = []
    for i, j, sims in _block_pairs(vectors, threshold):
        pairs.extend(zip(i.tolist(), j.tolist(), sims.tolist()))
    return pairs


def _tiled_candidates(rows: np.ndarray, floor: float, block: int = _TILE_ROWS, width: int = _TILE_COLS):
    """Row indices ``i < j`` of the pairs whose product ``rows[i]·rows[j]`` reaches ``floor``, one
    block of rows at a time, in row-major order (as ``_block_pairs`` gives them).

    Why tiles: the products against every later row are a ``block x n`` matrix that is written,
    masked, reduced and searched, four trips through memory per block; a ``block x width`` tile
    stays in the CPU cache for all four. The products themselves only pick candidates here (they
    are bounds, checked exactly afterwards), so the last bits that a tile's matrix product may
    round differently cannot change the result beyond ``floor``'s margin.
    """
    n = len(rows)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        top = rows[lo:hi]
        found_i, found_j = [], []
        for c0 in range(lo, n, width):
            c1 = min(n, c0 + width)
            products = top @ rows[c0:c1].T
            if c0 < hi:  # a tile holding some of the block's own rows: only pairs i < j
                products[np.tri(hi - lo, c1 - c0, lo - c0, dtype=bool)] = -np.inf
            hot = np.flatnonzero(products.max(axis=1) >= floor)  # rows with any candidate: few
            if not len(hot):
                continue
            r, c = np.nonzero(products[hot] >= floor)
            found_i.append(hot[r])
            found_j.append(c + c0)
        if found_i:
            i, j = np.concatenate(found_i), np.concatenate(found_j)
            order = np.lexsort((j, i))
            yield i[order] + lo, j[order]


def _block_pairs(rows: np.ndarray, floor: float):
    """Row indices ``i < j`` and products ``rows[i]·rows[j]`` of the pairs reaching ``floor``, one
    block of rows at a time (against the rows after it), in row-major order. Pairs are rare, so a
    block is first reduced to each row's best product and only rows reaching ``floor`` are searched."""
    n = len(rows)
    for lo in range(0, n, _BLOCK):
        hi = min(n, lo + _BLOCK)
        products = rows[lo:hi] @ rows[lo:].T
        products[:, : hi - lo][np.tri(hi - lo, dtype=bool)] = -np.inf  # only pairs i < j
        hot = np.flatnonzero(products.max(axis=1) >= floor)
        if not len(hot):
            continue
        sub = products[hot]
        r, c = np.nonzero(sub >= floor)
        yield hot[r] + lo, c + lo, sub[r, c]


_PERMS = 64
_BANDS = 16  # 16 bands of 4 rows: pairs with Jaccard 0.5 are candidates with probability ~0.6,
# 0.6 with ~0.88, 0.8 with ~1.0; every candidate is then checked exactly.


def _minhash_pairs(texts: list[str], threshold: float, seed: int = 1) -> list[tuple[int, int, float]]:
    """Near-duplicate pairs by word-bigram Jaccard, found through MinHash banding (no n^2)."""
    import zlib

    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2 ** 61, size=_PERMS, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2 ** 61, size=_PERMS, dtype=np.uint64)
    shingles: list[set[int]] = []
    buckets: dict[bytes, list[int]] = defaultdict(list)
    rows = _PERMS // _BANDS
    for i, t in enumerate(texts):
        words = t.split()
        grams = [" ".join(words[k:k + 2]) for k in range(max(1, len(words) - 1))]
        sh = {zlib.crc32(g.encode("utf-8")) for g in grams if g}
        shingles.append(sh)
        if not sh:
            continue
        x = np.fromiter(sh, dtype=np.uint64, count=len(sh))
        with np.errstate(over="ignore"):
            sig = ((x[:, None] * a[None, :] + b[None, :]) >> np.uint64(29)).min(axis=0)
        for band in range(_BANDS):
            buckets[band.to_bytes(1, "little") + sig[band * rows:(band + 1) * rows].tobytes()].append(i)
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[int, int, float]] = []
    for members in buckets.values():
        if len(members) < 2:
            continue
        for x_i, i in enumerate(members):
            for j in members[x_i + 1:]:
                if (i, j) in seen:
                    continue
                seen.add((i, j))
                si, sj = shingles[i], shingles[j]
                jac = len(si & sj) / len(si | sj)
                if jac >= threshold:
                    pairs.append((i, j, jac))
    return pairs


def _n(k: int, noun: str) -> str:
    return f"{k} {noun}{'' if k == 1 else 's'}"


def _num(v: Any) -> float:
    try:
        f = float(v)
        return float("inf") if math.isnan(f) else f
    except (TypeError, ValueError):
        return float("inf")


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


class CoordinationStage(Stage):
    """Exact and near-duplicate comments across authors and threads; bursts by one author."""

    name = "coordination"
    requires = ("comments.text", "comments.author")
    provides = ("coordination", "comments.coordination_score", "comments.coordination_reasons")
    needs_embeddings = True

    def run(self, ctx: RunContext) -> None:
        model = Coordination(embedder=ctx.encoder(), use_embeddings=ctx.use_embeddings)
        coordination = model.transform(ctx.comments)
        ctx.tables["coordination"] = coordination
        keep = ["thread_id", "comment_id", "duplicate_group", "near_duplicates", "exact_duplicates",
                "duplicate_authors", "coordination_score", "coordination_reasons"]
        ctx.add_columns(coordination[[c for c in keep if c in coordination]])
