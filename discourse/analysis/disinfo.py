"""Possible disinformation: a 0-1 risk per comment and per thread, always with its reasons.

Nothing is called false. The score gathers signals a person should look at: narrative matches,
figures nobody is named as asserting or that another source contradicts, language that
delegitimises the press, coordination, and, for a thread, the reply pattern around its claim:
denials piling up under a claim are the classic sign of a false rumour. On RumourEval the mean
probability of "deny" among the replies separates false from true rumours best (questions do
not: they follow true breaking news as much as false), so that is the signal used.
Weights live in ``data/scoring.toml`` (section ``[disinfo]``); cue phrases in
``data/lexicons/disinfo_cues.json``.
"""
from __future__ import annotations

import math
import re

import numpy as np

from ..config import load_config
from ..resources import load_json
from ..text import _PHRASE_TOKEN, PhraseMatcher, clip
from .stage import RunContext, Stage

COMMENT_COLUMNS = ["thread_id", "comment_id", "disinfo_risk", "disinfo_reasons"]
THREAD_COLUMNS = ["thread_id", "disinfo_risk", "disinfo_reasons", "article_disinfo_risk", "deny_query_share",
                  "deny_level", "replies_to_claim", "negation_share", "reply_time_spread", "contested"]
# what ``_unit_parts`` reads of a unit's best narrative match and of its unattributed figure
_NARRATIVE_FIELDS = ("narrative", "subnarrative", "score", "evidence")
_CLAIM_FIELDS = ("raw", "value", "subject")
_LINK_OR_HANDLE = re.compile(r"(?:https?://|www\.)\S+|@\w+")
_LINK = re.compile(r"https?://|www\.")
#: what the veracity head (``data/models/veracity.npz``) reads of a claim and its replies
VERACITY_FEATURES = ("negation_share", "question_share", "denial_share", "link_share", "reply_time_spread",
                     "log_replies", "claim_hedge", "claim_link", "claim_question")


class _Screened:
    """A :class:`PhraseMatcher` behind a cheaper test that a phrase could be in the text at all.

    Press cues start with everyday words ("media", "state", "they", "do"), so the matcher's own
    test lets about half of all comments through to be split into words, though far fewer hold a
    cue. A phrase can only match where each of its words occurs as a substring: looking for the
    longest word of each phrase, then for its other words, rules out nearly every comment without
    splitting it. What ``find`` returns is the matcher's.
    """

    def __init__(self, phrases):
        self.matcher = PhraseMatcher(phrases)
        self._rest: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            toks = [m.group().replace("’", "'") for m in _PHRASE_TOKEN.finditer(phrase.lower())]
            if toks:
                key = max(toks, key=len)
                self._rest.setdefault(key, []).append(tuple(t for t in toks if t != key))

    def possible(self, text: str) -> bool:
        """False only where no phrase can match ``text`` (every word of a match is in its text)."""
        plain = text.lower().replace("’", "'")
        for key, rests in self._rest.items():
            if key in plain:
                for rest in rests:
                    if all(t in plain for t in rest):
                        return True
        return False

    def find(self, text: str) -> list[tuple[int, int, str]]:
        return self.matcher.find(text) if self.possible(text) else []


def _noisy_or(parts: list[tuple[float, str]], floor: float) -> tuple[float, str]:
    """Combine (contribution, reason) pairs; reasons strongest first, weak ones left out."""
    risk = 1.0 - math.prod(1.0 - min(max(p, 0.0), 1.0) for p, _ in parts) if parts else 0.0
    reasons = [r for p, r in sorted(parts, key=lambda x: -x[0]) if p >= floor]
    return round(risk, 4), "; ".join(reasons)


class DisinfoRisk:
    """Combine the outputs of earlier stages into ``disinfo_risk`` and ``disinfo_reasons``."""

    def __init__(self, config: dict | None = None, cues_path=None, veracity=None):
        self.weights = (config or load_config())["disinfo"]
        #: the thread veracity head (``data/models/veracity.npz``; a :class:`LinearHead` may be
        #: passed); without it the hand-set stance-pattern and push-back weights of scoring.toml
        self.veracity = veracity if veracity is not None else _packaged_veracity()
        cues = load_json("lexicons", "disinfo_cues.json", path=cues_path)
        self._press = {c["phrase"]: c for c in cues["press_delegitimising"]}
        self._hedges = {c["phrase"]: c for c in cues["hedged_source"]}
        self._press_matcher = _Screened(self._press)
        self._hedge_matcher = _Screened(self._hedges)
        negations = cues.get("reply_negation", {}).get("cues", [])
        words = [re.escape(c) for c in negations if not c.startswith("n't")]
        alternatives = ([r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b"] if words else []) + \
            [re.escape(c) + r"\b" for c in negations if c.startswith("n't")]
        self._negation = re.compile("|".join(alternatives)) if alternatives else None
        denials = cues.get("reply_denial", {}).get("cues", [])
        self._denial = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in denials) + r")\b") if denials else None

    # -- signals -----------------------------------------------------------------------------------
    @staticmethod
    def _strongest(matcher, entries: dict, text: str) -> tuple[float, str]:
        """The heaviest cue of ``entries`` in ``text``: (weight, the quoted span)."""
        best, quote = 0.0, ""
        for s, e, phrase in matcher.find(text or ""):
            w = float(entries[phrase]["weight"])
            if w > best:
                best, quote = w, text[s:e]
        return best, quote

    def press_cues(self, text: str) -> tuple[float, str]:
        """Strongest press-delegitimising cue in ``text``: (weight, quoted evidence)."""
        return self._strongest(self._press_matcher, self._press, text)

    def hedge_cues(self, text: str) -> tuple[float, str]:
        """Strongest hedge ("unconfirmed", "reportedly") in ``text``: (weight, quoted evidence)."""
        return self._strongest(self._hedge_matcher, self._hedges, text)

    def _unit_parts(self, text, narratives, claims, contradicted, coordination) -> list[tuple[float, str]]:
        w = self.weights
        parts: list[tuple[float, str]] = []
        if narratives is not None:
            top = narratives
            label = f"{top['narrative']}: {top['subnarrative']}" if top.get("subnarrative") else top["narrative"]
            parts.append((w["narrative"] * float(top["score"]),
                          f"matches narrative '{label}' ({float(top['score']):.2f}): {clip(top.get('evidence', ''))}"))
        weight, quote = self.press_cues(text)
        if weight:
            parts.append((w["press_delegitimising"] * weight, f"delegitimises the press: '{clip(quote)}'"))
        if claims is not None:
            raw = claims.get("raw", claims.get("value"))
            parts.append((w["unattributed_claim"], f"figure with no source named: '{clip(raw, 40)} {claims['subject']}'"))
        if contradicted:
            parts.append((w["contradicted_claim"], f"figure contradicted elsewhere: {clip(contradicted, 120)}"))
        if coordination is not None and float(coordination.get("coordination_score", 0) or 0) > 0:
            parts.append((w["coordination"] * float(coordination["coordination_score"]),
                          str(coordination.get("coordination_reasons") or "coordination signal")))
        return parts

    def _persuasive_in_articles(self, frame, sentence_column: str):
        """``frame`` without the rows on an article's own sentences (``comment_id`` "") that carry
        no persuasion signal (a press-delegitimising cue in the matched sentence). A news report
        names the actors of every narrative and gives figures without a source in each sentence;
        its neutral prose is what a thread is about, not a sign of disinformation. Comments keep
        every row."""
        if frame is None or len(frame) == 0 or "comment_id" not in frame:
            return frame
        on_article = (frame["comment_id"].fillna("") == "").to_numpy()
        if not on_article.any():
            return frame
        text = frame[sentence_column] if sentence_column in frame else frame.get("evidence")
        if text is None:
            return frame[~on_article]
        signal = [bool(art) and self.press_cues(t if isinstance(t, str) else "")[0] > 0
                  for art, t in zip(on_article, text.tolist())]
        return frame[~on_article | np.array(signal, dtype=bool)]

    def negation(self, text: str) -> str:
        """The first negation cue in a reply ("" if none), links and @handles left out."""
        if self._negation is None or not text:
            return ""
        lower = text.lower().replace("\u2019", "'")
        if "@" in lower or "http" in lower or "www." in lower:  # else there is nothing to leave out
            lower = _LINK_OR_HANDLE.sub(" ", lower)
        m = self._negation.search(lower)
        return m.group() if m else ""

    def contested(self, replies: list[str], reply_times: list[float], source_time: float) -> dict:
        """How much the replies to a claim push back: the share of replies with a negation
        (smoothed toward ``contested_prior`` so three replies cannot say 0 or 1) and, when times
        are known, the spread of log reply delays (false rumours keep drawing replies for longer).
        ``score`` is the logistic combination whose weights are in ``scoring.toml``."""
        w = self.weights
        found = [(text, cue) for text in replies if (cue := self.negation(text))]
        n = len(replies)
        share = (len(found) + w["contested_strength"] * w["contested_prior"]) / (n + w["contested_strength"])
        delays = [math.log1p(max(0.0, t - source_time)) for t in reply_times
                  if not math.isnan(t) and not math.isnan(source_time)]
        spread = float(np.std(delays)) if len(delays) >= 2 else 0.0
        z = w["contested_negation"] * share + w["contested_spread"] * spread + w["contested_intercept"]
        return {"share": share, "spread": spread, "score": 1.0 / (1.0 + math.exp(-z)), "negating": len(found),
                "replies": n, "example": found[0] if found else None}

    def thread_features(self, claim: str, replies: list[str], reply_times: list[float],
                        source_time: float) -> dict[str, float]:
        """What the veracity head reads of a claim and its replies (times in seconds, NaN unknown):
        shares of replies with a negation, a question, a denial word ("hoax", "fake") and a link
        (each smoothed toward ``contested_prior`` as if ``contested_strength`` replies had it), the
        spread of log reply delays, how many replies, and whether the claim is hedged, links a
        source or asks."""
        w = self.weights
        prior, strength, n = w["contested_prior"], w["contested_strength"], len(replies)

        def share(found: int) -> float:
            return (found + strength * prior) / (n + strength)

        lower = [(t or "").lower() for t in replies]
        c = self.contested(replies, reply_times, source_time)
        return {
            "negation_share": c["share"],
            "question_share": share(sum("?" in _LINK_OR_HANDLE.sub(" ", t) for t in lower)),
            "denial_share": share(sum(bool(self._denial and self._denial.search(t)) for t in lower)),
            "link_share": share(sum(bool(_LINK.search(t)) for t in lower)),
            "reply_time_spread": c["spread"],
            "log_replies": math.log1p(n),
            "claim_hedge": self.hedge_cues(claim or "")[0],
            "claim_link": float(bool(_LINK.search(claim or ""))),
            "claim_question": float("?" in _LINK_OR_HANDLE.sub(" ", claim or "")),
        }

    # -- per comment and per thread --------------------------------------------------------------
    def transform(self, comments, *, narratives=None, claims=None, claim_comparison=None, coordination=None,
                  articles: dict[str, str] | None = None):
        """Per comment ``disinfo_risk, disinfo_reasons`` (``thread_id, comment_id`` keys), and the
        same for article text under ``comment_id == ""`` when ``articles`` is given."""
        import pandas as pd

        by_unit = _best_per_unit(self._persuasive_in_articles(narratives, "sentence"), columns=_NARRATIVE_FIELDS)
        claims_by_unit = _best_per_unit(self._persuasive_in_articles(_unattributed(claims), "claim"), by=None,
                                        columns=_CLAIM_FIELDS)
        coord = {}
        if coordination is not None and len(coordination) and "coordination_score" in coordination:
            # Only comments with a coordination signal contribute; the rest need no lookup.
            reasons = (coordination["coordination_reasons"].tolist() if "coordination_reasons" in coordination
                       else [None] * len(coordination))
            for tid, cid, score, why in zip(coordination["thread_id"].tolist(), coordination["comment_id"].tolist(),
                                            coordination["coordination_score"].tolist(), reasons):
                if float(score or 0) > 0:
                    coord[(tid, cid)] = {"coordination_score": score, "coordination_reasons": why}
        contradicted = _contradictions(claim_comparison)
        rows = []
        units = list(zip(comments["thread_id"].tolist(), comments["comment_id"].tolist(), comments["text"].tolist()))
        if articles:
            units += [(tid, "", text) for tid, text in articles.items()]
        for tid, cid, text in units:
            key = (tid, cid)
            parts = self._unit_parts(text or "", by_unit.get(key), claims_by_unit.get(key),
                                     contradicted.get(key, ""), coord.get(key))
            risk, reasons = _noisy_or(parts, self.weights["min_contribution"])
            rows.append((tid, cid, risk, reasons))
        return pd.DataFrame(rows, columns=COMMENT_COLUMNS)

    def threads(self, unit_risk, comments, articles: dict[str, str] | None = None,
                published: dict[str, str] | None = None):
        """Per thread: the riskiest comments, the article's own risk, a claim's hedges, and how the
        replies to the claim (the article, or the first comment when the article has no text, as in
        a rumour thread that starts with a post) push back on it. ``published`` (thread id -> the
        article's date and time) dates an article claim, for the spread of reply times."""
        import pandas as pd

        articles = articles or {}
        risk_of = {(tid, cid): (risk, why) for tid, cid, risk, why in
                   unit_risk[["thread_id", "comment_id", "disinfo_risk", "disinfo_reasons"]].itertuples(index=False)}
        groups = dict(list(comments.groupby("thread_id", sort=True))) if len(comments) else {}
        rows = [self._thread_row(tid, groups.get(tid), (articles.get(tid) or "").strip(),
                                 (published or {}).get(tid) or "", risk_of)
                for tid in dict.fromkeys([*articles, *groups])]
        return pd.DataFrame(rows, columns=THREAD_COLUMNS)

    def _thread_row(self, tid, frame, article_text: str, stamp: str, risk_of: dict) -> tuple:
        """One row of ``threads``: ``frame`` holds the thread's comments (None when it has none)."""
        w = self.weights
        parts: list[tuple[float, str]] = []
        art_risk, art_reasons = risk_of.get((tid, ""), (0.0, ""))
        if art_risk:
            parts.append((w["thread_article_weight"] * art_risk, f"article: {art_reasons.split('; ')[0]}"))
        claim_text, replies, source_time = _claim_and_replies(frame, article_text, stamp)
        learned = self.veracity is not None
        hedge, quote = self.hedge_cues(claim_text)
        if hedge and not learned:  # the head reads the hedge itself
            parts.append((w["hedged_claim"] * hedge, f"the claim is hedged: '{clip(quote)}'"))
        share, deny_level, n_resp = 0.0, 0.0, 0
        if replies is not None and len(replies) and "stance" in replies:
            share, deny_level, n_resp, part = self._stance_pattern(replies)
            parts += [] if learned else part
        negation_share, spread, contested = math.nan, math.nan, math.nan
        if replies is not None and len(replies):
            texts, times = _texts_and_times(replies)
            negation_share, spread, contested, part = self._pushback(texts, times, source_time)
            parts += self._veracity_part(claim_text, texts, times, source_time) if learned else part
        if frame is not None and len(frame):
            parts += self._riskiest_comments(tid, frame["comment_id"].tolist(), risk_of)
        risk, reasons = _noisy_or(parts, w["min_contribution"])
        return (tid, risk, reasons, art_risk, round(share, 4), round(deny_level, 4), n_resp,
                round(negation_share, 4), round(spread, 4), round(contested, 4))

    def _stance_pattern(self, replies):
        """Share of replies that deny or question the claim, how strongly they deny (the mean
        ``p_deny`` when the model gave one: smoother than counting labels on a dozen replies), and
        the contribution when the denial is above the baseline."""
        w = self.weights
        stances = replies["stance"].dropna().tolist()
        n_resp = len(stances)
        n_deny, n_query = stances.count("deny"), stances.count("query")
        if not n_resp:
            return 0.0, 0.0, 0, []
        share = (n_deny + n_query) / n_resp
        p = replies["p_deny"].astype(float) if "p_deny" in replies else None
        deny_level = float(p.mean()) if p is not None and not p.isna().all() else n_deny / n_resp
        base = w["stance_pattern_baseline"]
        if n_resp < w["stance_pattern_min_replies"] or deny_level <= base:
            return share, deny_level, n_resp, []
        excess = min((deny_level - base) / (w["stance_pattern_full"] - base), 1.0)
        return share, deny_level, n_resp, [(w["stance_pattern_weight"] * excess, (
            f"replies lean toward denial (mean deny probability {deny_level:.2f}; "
            f"{n_deny} of {n_resp} replies deny, {n_query} question it)"))]

    def _veracity_part(self, claim: str, texts: list[str], times: list[float], source_time: float):
        """The veracity head's probability that the claim is a false rumour, as a contribution
        that names the reply signal which weighed most."""
        w = self.weights
        if len(texts) < w["contested_min_replies"]:
            return []
        found = self.thread_features(claim, texts, times, source_time)
        x = np.array([found[f] for f in self.veracity.feature_names], dtype=np.float32)
        p = float(self.veracity.predict_proba(x[None, :])[0, 1])
        top = self.veracity.explain(x, self.veracity.classes[-1], top=1)
        why = self._veracity_reason(top[0][0] if top else "", found, texts)
        return [(w["veracity_weight"] * p, f"replies push back on the claim (veracity model: {p:.2f} false rumour"
                                           f"{'; ' + why if why else ''})")]

    def _veracity_reason(self, feature: str, found: dict, texts: list[str]) -> str:
        n = len(texts)
        if feature == "negation_share":
            hits = [(t, cue) for t in texts if (cue := self.negation(t))]
            return f"{len(hits)} of {n} replies contain a negation" + (
                f", e.g. '{clip(hits[0][0], 60)}' ({hits[0][1]})" if hits else "")
        if feature == "denial_share" and self._denial is not None:
            hits = [t for t in texts if self._denial.search((t or "").lower())]
            return f"{len(hits)} of {n} replies call it untrue" + (f", e.g. '{clip(hits[0], 60)}'" if hits else "")
        if feature == "reply_time_spread":
            return f"reply times spread {found['reply_time_spread']:.2f} (log seconds)"
        labels = {"question_share": "replies question it", "link_share": "replies post links",
                  "log_replies": f"{n} replies", "claim_hedge": "the claim is hedged",
                  "claim_link": "the claim links a source", "claim_question": "the claim asks"}
        return labels.get(feature, "")

    def _pushback(self, texts: list[str], times: list[float], source_time: float):
        """Negation share, spread of reply delays and their combined score, with the contribution."""
        w = self.weights
        c = self.contested(texts, times, source_time)
        part = []
        if c["replies"] >= w["contested_min_replies"]:
            how = f"{c['negating']} of {c['replies']} replies contain a negation"
            if c["example"]:
                how += f", e.g. '{clip(c['example'][0], 60)}' ({c['example'][1]})"
            if c["spread"]:
                how += f"; reply times spread {c['spread']:.2f} (log seconds)"
            part.append((w["contested_weight"] * c["score"], f"replies push back on the claim: {how}"))
        return c["share"], c["spread"], c["score"], part

    def _riskiest_comments(self, tid, comment_ids: list, risk_of: dict) -> list[tuple[float, str]]:
        """The mean risk of the thread's riskiest comments, naming the riskiest."""
        w = self.weights
        risks = sorted(((risk_of.get((tid, cid), (0.0, ""))[0], cid) for cid in comment_ids), reverse=True)
        top = risks[: int(w["thread_top_comments"])]
        mean_top = float(np.mean([r for r, _ in top])) if top else 0.0
        if not mean_top:
            return []
        first_reason = risk_of[(tid, top[0][1])][1].split("; ")[0]
        return [(w["thread_comment_weight"] * mean_top,
                 f"riskiest comments (mean {mean_top:.2f}), e.g. {top[0][1]}: {first_reason}")]


def _packaged_veracity():
    from ..heads import LinearHead
    from ..resources import data_path

    return LinearHead.load("veracity") if data_path("models", "veracity.npz").exists() else None


def _texts_and_times(replies) -> tuple[list[str], list[float]]:
    """The replies' texts ("" for none) and times in seconds (NaN when unknown)."""
    from ..times import parse_times

    times = parse_times(replies["timestamp"].tolist()) if "timestamp" in replies else np.full(len(replies), np.nan)
    return [t if isinstance(t, str) else "" for t in replies["text"].tolist()], times.tolist()


def _claim_and_replies(frame, article_text: str, stamp: str):
    """The claim a thread's replies answer, the replies, and the claim's time (NaN when unknown):
    the article with every comment, or, when the article has no text, the first top-level comment
    with the others."""
    import pandas as pd

    from ..times import parse_times

    source_time = parse_times([stamp])[0] if ("T" in stamp or ":" in stamp) else math.nan
    if frame is None or not len(frame) or article_text:
        return article_text, frame, source_time
    roots = frame[frame["parent_id"].isna() | (frame["parent_id"] == "")]
    first = roots.sort_values("position").iloc[0] if len(roots) else frame.iloc[0]
    replies = frame[frame["comment_id"] != first["comment_id"]]
    if "timestamp" in frame and not pd.isna(first["timestamp"]) and first["timestamp"]:
        source_time = parse_times([first["timestamp"]])[0]
    return first["text"] or "", replies, source_time


def _best_per_unit(frame, by: str | None = "score", columns: tuple[str, ...] | None = None) -> dict:
    """(thread_id, comment_id) → the unit's row with the highest ``by`` (first row when None).

    ``columns``: the only columns the rows need (those present are kept): turning every column of
    ten thousand narrative matches into dictionaries costs more than the rest of the lookup."""
    if frame is None or len(frame) == 0:
        return {}
    if by and by in frame:
        frame = frame.sort_values(by, ascending=False, kind="stable")
    first = frame.drop_duplicates(["thread_id", "comment_id"])
    if columns is None:
        return {(r["thread_id"], r["comment_id"]): r for r in first.to_dict("records")}
    names = ["thread_id", "comment_id"] + [c for c in columns if c in first and c not in ("thread_id", "comment_id")]
    # rows from column lists: the values ``to_dict("records")`` gives, without boxing them one by one
    return {(r["thread_id"], r["comment_id"]): r
            for r in (dict(zip(names, values)) for values in zip(*(first[c].tolist() for c in names)))}


def _unattributed(claims):
    """Check-worthy figures with no source named (the first per unit is quoted)."""
    if claims is None or len(claims) == 0:
        return None
    keep = claims["attributed_to"].fillna("") == ""
    if "checkworthy" in claims:
        keep &= claims["checkworthy"].fillna(0) >= 0.5
    return claims[keep]


def _contradictions(comparison) -> dict:
    """(thread_id, comment_id) → explanation, for claims another unit disagrees with."""
    out: dict = {}
    if comparison is None or len(comparison) == 0:
        return out
    bad = comparison[comparison["relation"].isin(["disagree", "inconsistent"])]
    for r in bad.to_dict("records"):
        for side in ("a", "b"):
            key = (r[f"thread_id_{side}"], r.get(f"comment_id_{side}", "") or "")
            out.setdefault(key, r.get("explanation", "") or r["relation"])
    return out


class DisinfoStage(Stage):
    """Possible-disinformation risk per comment, per article and per thread, with reasons."""

    name = "disinfo"
    requires = ("comments.text",)
    uses = ("narratives", "claims", "claim_comparison", "coordination", "comments.stance")
    reduced = ("signals from a stage that did not run (narratives, claims, coordination, reply stance) "
               "count as absent, so the risk can only be lower")
    provides = ("comments.disinfo_risk", "comments.disinfo_reasons", "thread_disinfo")

    def run(self, ctx: RunContext) -> None:
        model = DisinfoRisk(config=ctx.config)
        units = model.transform(ctx.comments, narratives=ctx.tables.get("narratives"), claims=ctx.tables.get("claims"),
                                claim_comparison=ctx.tables.get("claim_comparison"),
                                coordination=ctx.tables.get("coordination"), articles=ctx.articles)
        ctx.add_columns(units[units["comment_id"] != ""])
        published = {t.thread_id: t.article.published or "" for t in ctx.analysis.threads}
        ctx.tables["thread_disinfo"] = model.threads(units, ctx.comments, ctx.articles, published=published)
