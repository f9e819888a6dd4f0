"""Similarity between comments and with the article: TF-IDF cosines (built without
scikit-learn, in chunks, so a huge page stays small) or sentence-embedding cosines, read as
pairs, as bands (each comment against the ``w`` above it) or against the article; and the
page's order score, which tells nested pages from chronological ones.
"""

from __future__ import annotations

import re

import numpy as np

_TOKEN = re.compile(r"\b[^\W\d_][\w'’]+\b")  # scikit-learn's default token pattern, apostrophes kept
#: The same for ASCII text, where the ASCII classes are the Unicode ones and a third faster.
_TOKEN_ASCII = re.compile(_TOKEN.pattern, re.ASCII)
#: Put between lower-cased documents, the break is a token of its own (new lines on both sides)
#: that no lower-cased text contains (upper case), so the tokens of a chunk are those of its
#: documents one after the other, breaks between them.
_DOC_BREAK = "QZ"
_DOC_JOIN = f"\n{_DOC_BREAK}\n"


class _Vocabulary(dict):
    """Token -> column code; a token seen for the first time gets the next code, in the order
    tokens come, so one ``map(vocab.__getitem__, tokens)`` both codes and extends it."""

    size = 0  # the next code

    def __missing__(self, token: str) -> int:
        code = self[token] = self.size
        self.size += 1
        return code


class Similarity:
    """Cosine similarities between comments (rows 0..n-1) and the article (row n)."""

    def __init__(self, sparse=None, dense=None):
        self.dense = dense
        self.sparse = sparse
        self.n = (sparse.shape[0] if sparse is not None else dense.shape[0]) - 1

    @classmethod
    def tfidf(cls, texts: list[str], article: str, stop_words: frozenset[str] = frozenset(),
              chunk: int = 8192) -> Similarity:
        """L2-normalised TF-IDF rows (sublinear tf, smoothed idf), as scikit-learn's
        ``TfidfVectorizer(sublinear_tf=True)`` makes them, built in chunks of documents so the
        token lists of a huge page never exist all at once."""
        from scipy import sparse

        vocab = _Vocabulary({w: k for k, w in enumerate(sorted(stop_words))})
        n_stop = vocab.size = len(vocab)
        vocab[_DOC_BREAK] = -1
        pieces = []
        n_docs = len(texts) + 1
        for a in range(0, n_docs, chunk):
            docs = texts[a:a + chunk] + ([article] if len(texts) < a + chunk else [])
            # One regex pass over the chunk (a call per document costs a quarter more), the
            # documents told apart by a break token between them.
            joined = _DOC_JOIN.join([d.lower() for d in docs])
            flat = (_TOKEN_ASCII if joined.isascii() else _TOKEN).findall(joined)
            codes = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
            rows = np.cumsum(codes < 0)  # the document of each token: breaks before it
            keep = codes >= n_stop
            piece = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], codes[keep] - n_stop)),
                                      shape=(len(docs), max(1, vocab.size - n_stop)))
            piece.sum_duplicates()
            pieces.append(piece)
        width = max(1, vocab.size - n_stop)
        for p in pieces:
            p.resize((p.shape[0], width))
        X = sparse.vstack(pieces, format="csr") if len(pieces) > 1 else pieces[0]
        if X.nnz:
            np.log(X.data, out=X.data)
            X.data += 1.0
            df = np.bincount(X.indices, minlength=width)
            idf = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
            X.data *= idf[X.indices]
            row_of = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
            norms = np.sqrt(np.bincount(row_of, weights=X.data.astype(np.float64) ** 2, minlength=X.shape[0]))
            X.data /= norms[row_of].astype(np.float32)
        sim = cls(sparse=X)
        sim.vocabulary, sim.first_column = vocab, n_stop  # for looking quoted words up (quotes.py)
        return sim

    def pairs(self, I: np.ndarray, J: np.ndarray, chunk: int = 50_000) -> np.ndarray:
        """Cosine of each pair (I[k], J[k]), computed in chunks to bound memory."""
        out = np.zeros(len(I), dtype=np.float64)
        for a in range(0, len(I), chunk):
            i, j = I[a:a + chunk], J[a:a + chunk]
            if self.dense is not None:
                out[a:a + chunk] = np.einsum("ij,ij->i", self.dense[i], self.dense[j])
            else:
                out[a:a + chunk] = np.asarray(self.sparse[i].multiply(self.sparse[j]).sum(axis=1)).ravel()
        return out

    def band(self, a: int, b: int, w: int) -> np.ndarray:
        """``out[k, d-1]`` = cosine of comment ``a+k`` with comment ``a+k-d`` (0 where that is
        before the page), for d = 1..w."""
        if self.dense is None:
            return sparse_band(self.sparse, a, b, w)
        out = np.zeros((b - a, w))
        for d in range(1, w + 1):  # one elementwise product of two row ranges per d
            lo = max(a, d)
            if lo >= b:
                break
            out[lo - a:, d - 1] = np.einsum("ij,ij->i", self.dense[lo:b], self.dense[lo - d:b - d])
        return out

    def pairs_banded(self, I: np.ndarray, J: np.ndarray, a: int, b: int, w: int) -> np.ndarray:
        """:meth:`pairs` for the pairs of comments ``a..b-1``, those within ``w`` from a band."""
        out = np.zeros(len(I), dtype=np.float64)
        if not len(I):
            return out
        d = I - J
        near = (d >= 1) & (d <= w)
        if near.any():
            out[near] = self.band(a, b, w)[I[near] - a, d[near] - 1]
        far = ~near
        if far.any():
            out[far] = self.pairs(I[far], J[far])
        return out

    def roots(self) -> np.ndarray:
        """Cosine of every comment with the article."""
        if self.dense is not None:
            return self.dense[: self.n] @ self.dense[self.n]
        return np.asarray(self.sparse[: self.n] @ self.sparse[self.n].T.toarray()).ravel()


def csr_rows(X, lo: int, hi: int):
    """Rows ``lo..hi-1`` of a CSR matrix as a view on its arrays (slicing would copy them)."""
    from scipy import sparse

    p = X.indptr[lo:hi + 1]
    a, b = int(p[0]), int(p[-1])
    return sparse.csr_matrix((X.data[a:b], X.indices[a:b], p - a), shape=(hi - lo, X.shape[1]), copy=False)


def sparse_band(X, a: int, b: int, w: int) -> np.ndarray:
    """:meth:`Similarity.band` for CSR rows, from the columns (postings) of the rows involved.

    Multiplying row ranges elementwise once per distance ``d`` merges every row with ``w``
    others, although most pairs share no term. Walking each term's sorted list of rows instead
    touches only the pairs that share it: for the k-th next entry in a column, the pairs still
    within ``w`` rows survive to step k+1, so the work is the number of pairs that share a term.

    The cosines are bit-identical to ``(rows_i .multiply(rows_j)).sum(axis=1)``: the same
    float32 products, ordered by column within each pair as that product stores them, summed by
    the same ``np.add.reduceat`` that scipy's row sum uses.
    """
    out = np.zeros((b - a, w))
    lo = max(0, a - w)
    if b <= a or lo >= b:
        return out
    csc = csr_rows(X, lo, b).tocsc()  # row numbers sorted within each column
    width = max(1, csc.shape[1])
    rows = csc.indices.astype(np.int64)
    vals = csc.data
    col = np.repeat(np.arange(csc.shape[1], dtype=np.int64), np.diff(csc.indptr))
    first = a - lo  # rows before it are only partners
    n = len(rows)
    alive = np.arange(n)
    keys, prods = [], []
    for k in range(1, w + 1):
        s = alive[alive + k < n]
        t = s + k  # the k-th next entry: same column and at most w rows further, or no pair
        ok = (col[t] == col[s]) & (rows[t] - rows[s] <= w)
        alive, t = s[ok], t[ok]
        if not len(alive):
            break
        inb = rows[t] >= first
        ti, si = t[inb], alive[inb]
        ri = rows[ti]
        keys.append(((ri - first) * w + (ri - rows[si] - 1)) * width + col[si])
        prods.append(vals[ti] * vals[si])
    if keys:
        key = np.concatenate(keys)
        order = np.argsort(key)
        cell = key[order] // width  # (row in block) * w + (d - 1), in column order within a cell
        prod = np.concatenate(prods)[order]
        starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
        out.flat[cell[starts]] = np.add.reduceat(prod, starts)
    return out


def page_order_score(lexical: Similarity, n: int, window: int, sample: int = 2000) -> float:
    """How much more a comment resembles the one right above it than those further up, as a
    log ratio of mean TF-IDF cosines (about 0 for pages in chronological order, up to 1 for
    nested pages, where replies sit under their parents). It lets one set of weights shape the
    recency prior to the page: in a chronological page a reply may answer any earlier comment.
    Measured on the first ``sample`` comments, so it costs the same on any page."""
    m = min(n, sample)
    w = min(window, m - 1)
    if w < 2:
        return 0.0
    band = lexical.band(1, m, w)  # row k: comment k+1 against the comments above it
    valid = (np.arange(1, m)[:, None] - np.arange(1, w + 1)[None, :]) >= 0
    near = band[:, 0].mean()
    far_cells = valid[:, 1:]
    far = band[:, 1:][far_cells].mean() if far_cells.any() else near
    return float(np.clip(np.log((near + 0.01) / (far + 0.01)), -1.0, 2.0))
