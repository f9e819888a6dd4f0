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
from ..text import PhraseMatcher, clip

COMMENT_COLUMNS = ["thread_id", "comment_id", "disinfo_risk", "disinfo_reasons"]
THREAD_COLUMNS = ["thread_id", "disinfo_risk", "disinfo_reasons", "article_disinfo_risk", "deny_query_share",
                  "deny_level", "replies_to_claim", "negation_share", "reply_time_spread", "contested"]
_LINK_OR_HANDLE = re.compile(r"(?:https?://|www\.)\S+|@\w+")


def _noisy_or(parts: list[tuple[float, str]], floor: float) -> tuple[float, str]:
    """Combine (contribution, reason) pairs; reasons strongest first, weak ones left out."""
    risk = 1.0 - math.prod(1.0 - min(max(p, 0.0), 1.0) for p, _ in parts) if parts else 0.0
    reasons = [r for p, r in sorted(parts, key=lambda x: -x[0]) if p >= floor]
    return round(risk, 4), "; ".join(reasons)


class DisinfoRisk:
    """Combine the outputs of earlier stages into ``disinfo_risk`` and ``disinfo_reasons``."""

    def __init__(self, config: dict | None = None, cues_path=None):
        self.weights = (config or load_config())["disinfo"]
        cues = load_json("lexicons", "disinfo_cues.json", path=cues_path)
        self._press = {c["phrase"]: c for c in cues["press_delegitimising"]}
        self._hedges = {c["phrase"]: c for c in cues["hedged_source"]}
        self._press_matcher = PhraseMatcher(self._press)
        self._hedge_matcher = PhraseMatcher(self._hedges)
        negations = cues.get("reply_negation", {}).get("cues", [])
        words = [re.escape(c) for c in negations if not c.startswith("n't")]
        alternatives = ([r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b"] if words else []) + \
            [re.escape(c) + r"\b" for c in negations if c.startswith("n't")]
        self._negation = re.compile("|".join(alternatives)) if alternatives else None

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

    def negation(self, text: str) -> str:
        """The first negation cue in a reply ("" if none), links and @handles left out."""
        if self._negation is None or not text:
            return ""
        m = self._negation.search(_LINK_OR_HANDLE.sub(" ", text.lower().replace("\u2019", "'")))
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

    # -- per comment and per thread --------------------------------------------------------------
    def transform(self, comments, *, narratives=None, claims=None, claim_comparison=None, coordination=None,
                  articles: dict[str, str] | None = None):
        """Per comment ``disinfo_risk, disinfo_reasons`` (``thread_id, comment_id`` keys), and the
        same for article text under ``comment_id == ""`` when ``articles`` is given."""
        import pandas as pd

        by_unit = _best_per_unit(narratives)
        claims_by_unit = _best_per_unit(_unattributed(claims), by=None)
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

        from .coordination import parse_times

        w = self.weights
        rows = []
        articles = articles or {}
        risk_of = dict(zip(zip(unit_risk["thread_id"].tolist(), unit_risk["comment_id"].tolist()),
                           zip(unit_risk["disinfo_risk"].tolist(), unit_risk["disinfo_reasons"].tolist())))
        groups = dict(tuple(comments.groupby("thread_id"))) if len(comments) else {}
        thread_ids = list(dict.fromkeys(list(articles) + list(groups)))
        for tid in thread_ids:
            g = groups.get(tid)
            article_text = (articles.get(tid) or "").strip()
            parts: list[tuple[float, str]] = []
            art_risk, art_reasons = risk_of.get((tid, ""), (0.0, ""))
            if art_risk:
                parts.append((w["thread_article_weight"] * art_risk, f"article: {art_reasons.split('; ')[0]}"))
            claim_text, responses = article_text, g
            stamp = (published or {}).get(tid) or ""
            source_time = parse_times([stamp])[0] if ("T" in stamp or ":" in stamp) else math.nan
            if g is not None and len(g) and not article_text:
                roots = g[g["parent_id"].isna() | (g["parent_id"] == "")]
                first = roots.sort_values("position").iloc[0] if len(roots) else g.iloc[0]
                claim_text = first["text"] or ""
                responses = g[g["comment_id"] != first["comment_id"]]
                if "timestamp" in g and not pd.isna(first["timestamp"]) and first["timestamp"]:
                    source_time = parse_times([first["timestamp"]])[0]
            hedge, quote = self.hedge_cues(claim_text)
            if hedge:
                parts.append((w["hedged_claim"] * hedge, f"the claim is hedged: '{clip(quote)}'"))
            share, n_resp, deny_level = 0.0, 0, 0.0
            if responses is not None and len(responses) and "stance" in responses:
                stances = responses["stance"].dropna()
                n_resp = len(stances)
                if n_resp:
                    share = float(stances.isin(["deny", "query"]).mean())
                    # how strongly the replies deny, from the model's probabilities when present
                    # (smoother than counting labels on a dozen replies), else the label share
                    if "p_deny" in responses and responses["p_deny"].notna().any():
                        deny_level = float(responses["p_deny"].astype(float).mean())
                    else:
                        deny_level = float((stances == "deny").mean())
                base = w["stance_pattern_baseline"]
                if n_resp >= w["stance_pattern_min_replies"] and deny_level > base:
                    excess = min((deny_level - base) / (w["stance_pattern_full"] - base), 1.0)
                    n_deny = int((stances == "deny").sum())
                    n_query = int((stances == "query").sum())
                    parts.append((w["stance_pattern_weight"] * excess,
                                  (f"replies lean toward denial (mean deny probability {deny_level:.2f}; "
                                  f"{n_deny} of {n_resp} replies deny, {n_query} question it)")))
            negation_share, spread, contested = math.nan, math.nan, math.nan
            if responses is not None and len(responses):
                times = parse_times(responses["timestamp"].tolist()) if "timestamp" in responses \
                    else np.full(len(responses), np.nan)
                texts = [t if isinstance(t, str) else "" for t in responses["text"].tolist()]
                c = self.contested(texts, times.tolist(), source_time)
                negation_share, spread, contested = c["share"], c["spread"], c["score"]
                if c["replies"] >= w["contested_min_replies"]:
                    how = f"{c['negating']} of {c['replies']} replies contain a negation"
                    if c["example"]:
                        how += f", e.g. '{clip(c['example'][0], 60)}' ({c['example'][1]})"
                    if spread:
                        how += f"; reply times spread {spread:.2f} (log seconds)"
                    parts.append((w["contested_weight"] * contested, f"replies push back on the claim: {how}"))
            if g is not None and len(g):
                risks = sorted((risk_of.get((tid, c), (0.0, ""))[0], c) for c in g["comment_id"].tolist())[::-1]
                top = risks[: int(w["thread_top_comments"])]
                mean_top = float(np.mean([r for r, _ in top])) if top else 0.0
                if mean_top:
                    first_reason = risk_of[(tid, top[0][1])][1].split("; ")[0]
                    parts.append((w["thread_comment_weight"] * mean_top,
                                  f"riskiest comments (mean {mean_top:.2f}), e.g. {top[0][1]}: {first_reason}"))
            risk, reasons = _noisy_or(parts, w["min_contribution"])
            rows.append((tid, risk, reasons, art_risk, round(share, 4), round(deny_level, 4), n_resp,
                         round(negation_share, 4), round(spread, 4), round(contested, 4)))
        return pd.DataFrame(rows, columns=THREAD_COLUMNS)


def _best_per_unit(frame, by: str | None = "score") -> dict:
    """(thread_id, comment_id) → the unit's row with the highest ``by`` (first row when None)."""
    if frame is None or len(frame) == 0:
        return {}
    if by and by in frame:
        frame = frame.sort_values(by, ascending=False, kind="stable")
    first = frame.drop_duplicates(["thread_id", "comment_id"])
    return {(r["thread_id"], r["comment_id"]): r for r in first.to_dict("records")}


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
