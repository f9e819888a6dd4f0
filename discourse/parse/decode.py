"""The decision: each comment's parent from the scores of its candidates (the article among
them unless a reply header named someone), in page order, so a choice can depend on the links
made above it (the candidate's depth, whether it is a reply, whether it answered this author).
Blocks of comments are decided at once by fixed-point iteration, which gives what deciding one
comment after the other gives (:meth:`Decider._decide_sequential`, kept as the reference).
"""

from __future__ import annotations

import numpy as np

from discourse.model import LINK_EXPLICIT, LINK_INFERRED, LINK_ROOT, Comment, Thread
from discourse.parse.features import (
    ALL_FEATURES,
    DYNAMIC,
    FEATURES,
    Block,
    Col,
    PageFeatures,
    distinct,
    first_argmax,
)

#: One weight set per situation: a reply header names the person ("header"); no comment on the
#: page has a header ("implicit"); the page marks replies with headers but not this comment
#: ("unheaded": most likely top-level, unless the text says otherwise).
MODELS = ("header", "implicit", "unheaded")

class Decider:
    """Links comments in page order. A candidate's score is its static score (features known
    before any link is made) plus the terms that depend on links already made: its depth,
    whether it is a reply, whether it was answering this comment's author."""

    def __init__(self, linker, thread: Thread, page: PageFeatures):
        self.comments = thread.comments
        self.page = page
        n = len(self.comments)
        W = np.array([[linker.weights[m].get(f, 0.0) for f in ALL_FEATURES] for m in MODELS])
        k = len(FEATURES)
        self.static_w = W[:, :k].copy()
        for col in DYNAMIC:
            self.static_w[:, col] = 0.0
        self.root_w = W[:, k:]
        self.w_answered = W[:, Col.answered_me]
        self.w_depth, self.w_reply = W[:, Col.candidate_depth], W[:, Col.candidate_is_reply]
        self.w_deep = W[:, Col.candidate_deep]
        self.has_headers = any(c.reply_to for c in self.comments)
        self.depth = np.zeros(n, dtype=np.int64)
        self.parent_kid = np.full(n, -2, dtype=np.int64)  # author id of each comment's parent
        #: Per weight set, (slope, intercept) mapping the logit of the winner's softmax share to
        #: the logit of the probability that the link is right (fitted on held-back threads).
        self.calibration = np.array([linker.calibration.get(m, (1.0, 0.0)) for m in MODELS], dtype=float)

    def decide(self, blk: Block, max_rounds: int = 60) -> None:
        """Decide a block of comments at once, by fixed-point iteration: score every candidate
        with the link state of the previous round (depths, parents), decide all comments, repeat
        until the state stops changing. A stable state is one where every decision agrees with
        the decisions it depends on, which is exactly what deciding one comment after the other
        gives; a block that does not settle in ``max_rounds`` is decided one by one."""
        page, m, a = self.page, blk.m, blk.a
        model = self._models(blk)
        size = np.diff(blk.starts)
        aug_size = size + (~blk.explicit)
        aug_starts = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(aug_size, out=aug_starts[1:])
        seg = np.repeat(np.arange(m), aug_size)
        pos = np.arange(int(aug_starts[-1])) - aug_starts[seg]
        is_cand = pos < size[seg]
        src = (blk.starts[seg] + pos)[is_cand]  # row of the block's features
        Jc = blk.J[src]
        cand_seg = seg[is_cand]
        mc = model[cand_seg]
        me = page.kid[a + cand_seg]
        base = np.empty(len(seg))
        base[is_cand] = self._static_scores(blk, model)[src]
        base[~is_cand] = self._root_scores(blk, model)[seg[~is_cand]]
        wd, wdeep, wr, wa = self.w_depth[mc], self.w_deep[mc], self.w_reply[mc], self.w_answered[mc]
        J_aug = np.full(len(seg), -1, dtype=np.int64)
        J_aug[is_cand] = Jc
        depth, parent_kid, kid = self.depth, self.parent_kid, page.kid
        depth[a:a + m], parent_kid[a:a + m] = 0, -2
        cand_rows = np.flatnonzero(is_cand)
        base_cand, me_known = base[cand_rows], me >= 0  # the same every round
        # The candidate rows whose candidate is in this block, grouped by it: once a round has
        # moved some links, only these rows of the moved comments change their scores, and
        # only their comments can change their decisions (the rest would decide as before).
        local = Jc - a
        on_block = np.flatnonzero(local >= 0)
        by_cand = on_block[np.argsort(local[on_block], kind="stable")]
        cand_start = np.searchsorted(local[by_cand], np.arange(m + 1))

        def rescore(c) -> None:
            """Scores of candidate rows ``c`` (indices or a slice) from the current link state."""
            dep, pk = depth[Jc[c]], parent_kid[Jc[c]]
            answered = (pk == me[c]) & me_known[c]
            scores[cand_rows[c]] = (base_cand[c] + (wd[c] * dep + wdeep[c] * (dep >= 2) + wr[c] * (pk != -2))
                                    ) + wa[c] * answered

        scores = base.copy()
        rescore(slice(None))
        best, top = first_argmax(scores, aug_starts, aug_size, seg)
        decided = np.arange(m)  # the comments decided in the last round
        for _ in range(max_rounds):
            par = J_aug[best[decided]]
            new_depth = np.where(par >= 0, depth[par] + 1, 0)
            new_pk = np.where(par >= 0, kid[par], -2)
            moved = (new_depth != depth[a + decided]) | (new_pk != parent_kid[a + decided])
            if not moved.any():
                break
            changed = decided[moved]
            depth[a + changed], parent_kid[a + changed] = new_depth[moved], new_pk[moved]
            n_dep = cand_start[changed + 1] - cand_start[changed]
            c = by_cand[np.repeat(cand_start[changed] - (np.cumsum(n_dep) - n_dep), n_dep) + np.arange(int(n_dep.sum()))]
            rescore(c)
            decided = distinct(cand_seg[c])
            sub_size = aug_size[decided]  # the rows of those comments, gathered
            sub_starts = np.zeros(len(decided) + 1, dtype=np.int64)
            np.cumsum(sub_size, out=sub_starts[1:])
            sub_rows = np.repeat(aug_starts[decided] - sub_starts[:-1], sub_size) + np.arange(int(sub_starts[-1]))
            sub_best, top[decided] = first_argmax(scores[sub_rows], sub_starts, sub_size)
            best[decided] = np.where(sub_best >= 0, sub_rows[sub_best], -1)
        else:
            self._decide_sequential(blk)
            return
        par = J_aug[best]
        answered = (parent_kid[Jc] == me) & me_known
        z = np.add.reduceat(np.exp(scores - top[seg]), aug_starts[:-1])
        ans_full = np.zeros(len(seg), dtype=bool)
        ans_full[is_cand] = answered
        comments = self.comments
        confidence = self.calibrated(1.0 / z, model)
        rows = zip(best.tolist(), aug_starts[:-1].tolist(), par.tolist(), ans_full[best].tolist(), confidence.tolist())
        for k, (bk, first, j, ans, conf) in enumerate(rows):
            self._record(comments[a + k], blk, k, bk - first, j, ans, conf)

    def calibrated(self, share: np.ndarray, model: np.ndarray) -> np.ndarray:
        """The probability that a link is right, from the winner's softmax share and the weight
        set that decided it: ``sigmoid(slope * logit(share) + intercept)``."""
        share = np.asarray(share, dtype=float)
        if (self.calibration == (1.0, 0.0)).all():
            return share  # no calibration fitted: the share itself
        p = np.clip(share, 1e-6, 1 - 1e-6)
        slope, intercept = self.calibration[model, 0], self.calibration[model, 1]
        return 1.0 / (1.0 + np.exp(-(slope * np.log(p / (1 - p)) + intercept)))

    def _models(self, blk: Block) -> np.ndarray:
        unheaded = MODELS.index("unheaded") if self.has_headers else MODELS.index("implicit")
        return np.where(blk.explicit, MODELS.index("header"), unheaded)

    def _static_scores(self, blk: Block, model: np.ndarray) -> np.ndarray:
        """Each feature row times its comment's weight set. One einsum per weight set in use
        (two at most on a page), over all rows, rather than a copy of the weights for every
        row. numpy reduces a row's features with the same kernel either way (contiguous
        operands), so the sums agree to the last bit; tests/test_parse_speed.py checks it."""
        seg = np.repeat(np.arange(blk.m), np.diff(blk.starts))
        if not len(seg):
            return np.zeros(0)
        row_model = model[seg]
        used = distinct(model).tolist()
        out = np.einsum("rf,f->r", blk.F, self.static_w[used[0]])
        for mi in used[1:]:  # all rows again (cheaper than copying out those of this set)
            out = np.where(row_model == mi, np.einsum("rf,f->r", blk.F, self.static_w[mi]), out)
        return out

    def _root_scores(self, blk: Block, model: np.ndarray) -> np.ndarray:
        return np.einsum("kf,kf->k", blk.root, self.root_w[model])

    def _record(self, c: Comment, blk: Block, k: int, r: int, j: int, answered: bool, confidence: float) -> None:
        """Write the decision for comment ``a+k``: candidate ``r`` of its rows (``j`` is that
        comment, -1 for the article)."""
        if j < 0:
            c.parent_id, c.link = None, LINK_ROOT
            c.evidence = "no sign of answering an earlier comment" if not c.reply_to else (
                f"reply header names {c.reply_to!r}, who has no earlier comment here")
        else:
            parent = self.comments[j]
            c.parent_id = parent.comment_id
            starts, explicit = blk.lists()
            row = blk.F[starts[k] + r].tolist()  # Python floats: cheaper to read one by one
            row[Col.answered_me] = float(answered)
            if explicit[k]:
                c.link = LINK_EXPLICIT
                c.evidence = _explain_header(c, row, starts[k + 1] - starts[k])
            else:
                c.link = LINK_INFERRED
                c.evidence = _explain_inferred(row, parent)
        c.confidence = round(confidence, 4)

    def _decide_sequential(self, blk: Block) -> None:
        """One comment after the other (the reference the block decision must agree with)."""
        model = self._models(blk)
        S = self._static_scores(blk, model)
        root_scores = self._root_scores(blk, model)
        J, starts, kid = blk.J, blk.starts, self.page.kid
        depth, parent_kid = self.depth, self.parent_kid
        for k in range(blk.m):
            i = blk.a + k
            mi = int(model[k])
            s0, s1 = int(starts[k]), int(starts[k + 1])
            idx = J[s0:s1]
            dep, pk = depth[idx], parent_kid[idx]
            me = int(kid[i])
            answered = (pk == me) & (me >= 0)
            scores = (S[s0:s1] + (self.w_depth[mi] * dep + self.w_deep[mi] * (dep >= 2)
                                  + self.w_reply[mi] * (pk != -2))) + self.w_answered[mi] * answered
            if not blk.explicit[k]:
                scores = np.append(scores, root_scores[k])
            best = int(np.argmax(scores))
            share = 1.0 / np.add.reduce(np.exp(scores - scores[best]))
            confidence = float(self.calibrated(np.array([share]), np.array([mi]))[0])
            j = int(idx[best]) if best < s1 - s0 else -1
            self._record(self.comments[i], blk, k, best, j, bool(best < s1 - s0 and answered[best]), confidence)
            depth[i] = depth[j] + 1 if j >= 0 else 0
            parent_kid[i] = kid[j] if j >= 0 else -2


def _explain_header(c: Comment, row: list[float], n: int) -> str:
    why = [f"reply header names {c.reply_to!r}"]
    if n > 1:
        if row[Col.answered_me]:
            why.append("that comment was answering this author")
        if row[Col.quote]:
            why.append("quotes it")
        if row[Col.named_rank] == 0:
            why.append("their latest comment")
        else:
            why.append(f"chosen over {int(row[Col.named_rank])} later comment(s) by them")
    return "; ".join(why)


def _explain_inferred(row: list[float], parent: Comment) -> str:
    why = []
    if row[Col.addressed_prefix]:
        why.append(f"opens by addressing {parent.author}")
    elif row[Col.addressed_mention]:
        why.append(f"names {parent.author}")
    if row[Col.quote]:
        why.append("quotes it")
    if row[Col.rebuttal_near]:
        why.append("rebuttal opening right after it")
    if row[Col.lexical] >= 0.15 or row[Col.semantic] >= 0.5:
        why.append(f"similar wording (tf-idf {row[Col.lexical]:.2f}, semantic {row[Col.semantic]:.2f})")
    if row[Col.is_previous] and not why:
        why.append("directly below it")
    return "; ".join(why) or "closest match"
