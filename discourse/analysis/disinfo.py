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

    def __init__(self, config: dict | None = None, cues_path=None):
        self.weights = (config or load_config())["disinfo"]
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

    # -- per comment and per thread --------------------------------------------------------------
    def transform(self, comments, *, narratives=None, claims=None, claim_comparison=None, coordination=None,
                  articles: dict[str, str] | None = None):
        """Per comment ``disinfo_risk, disinfo_reasons`` (``thread_id, comment_id`` keys), and the
        same for article text under ``comment_id == ""`` when ``articles`` is given."""
        import pandas as pd

        by_unit = _best_per_unit(narratives, columns=_NARRATIVE_FIELDS)
        claims_by_unit = _best_per_unit(_unattributed(claims), by=None, columns=_CLAIM_FIELDS)
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
        article's date and time) dates an article claim, for the spread of reply times.

        Threads are walked as lists of row numbers over columns read once: a hundred threads'
        worth of small frames, each filtered and averaged by pandas, cost more than the signals."""
        import pandas as pd

        from ..times import parse_times

        w = self.weights
        rows = []
        articles = articles or {}
        risk_of = dict(zip(zip(unit_risk["thread_id"].tolist(), unit_risk["comment_id"].tolist()),
                           zip(unit_risk["disinfo_risk"].tolist(), unit_risk["disinfo_reasons"].tolist())))
        cols = comments.columns
        n = len(comments)
        tids = comments["thread_id"].tolist() if n else []
        # the groups of ``groupby("thread_id")``: sorted keys, missing ids left out, page order
        members: dict = {}
        for i, (t, ok) in enumerate(zip(tids, comments["thread_id"].notna().tolist() if n else [])):
            if ok:
                members.setdefault(t, []).append(i)
        groups = {t: members[t] for t in sorted(members)}
        cids = comments["comment_id"].tolist() if n else []
        texts = comments["text"].tolist() if n else []
        has_stance = "stance" in cols
        stance = comments["stance"].tolist() if n and has_stance else []
        stance_ok = comments["stance"].notna().tolist() if n and has_stance else []
        p_deny = comments["p_deny"].astype(float).to_numpy() if n and "p_deny" in cols else None
        stamps = comments["timestamp"].tolist() if n and "timestamp" in cols else None
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
                frame = comments.iloc[g]
                roots = frame[frame["parent_id"].isna() | (frame["parent_id"] == "")]
                first = roots.sort_values("position").iloc[0] if len(roots) else frame.iloc[0]
                claim_text = first["text"] or ""
                responses = [i for i in g if cids[i] != first["comment_id"]]
                if "timestamp" in frame and not pd.isna(first["timestamp"]) and first["timestamp"]:
                    source_time = parse_times([first["timestamp"]])[0]
            hedge, quote = self.hedge_cues(claim_text)
            if hedge:
                parts.append((w["hedged_claim"] * hedge, f"the claim is hedged: '{clip(quote)}'"))
            share, n_resp, deny_level = 0.0, 0, 0.0
            if responses is not None and len(responses) and has_stance:
                stances = [stance[i] for i in responses if stance_ok[i]]
                n_resp = len(stances)
                n_deny = sum(1 for s in stances if s == "deny")
                n_query = sum(1 for s in stances if s == "query")
                if n_resp:
                    share = (n_deny + n_query) / n_resp
                    # how strongly the replies deny, from the model's probabilities when present
                    # (smoother than counting labels on a dozen replies), else the label share
                    p = p_deny[responses] if p_deny is not None else None
                    if p is not None and not np.isnan(p).all():
                        deny_level = float(pd.Series(p).mean())
                    else:
                        deny_level = n_deny / n_resp
                base = w["stance_pattern_baseline"]
                if n_resp >= w["stance_pattern_min_replies"] and deny_level > base:
                    excess = min((deny_level - base) / (w["stance_pattern_full"] - base), 1.0)
                    parts.append((w["stance_pattern_weight"] * excess,
                                  (f"replies lean toward denial (mean deny probability {deny_level:.2f}; "
                                  f"{n_deny} of {n_resp} replies deny, {n_query} question it)")))
            negation_share, spread, contested = math.nan, math.nan, math.nan
            if responses is not None and len(responses):
                times = parse_times([stamps[i] for i in responses]) if stamps is not None \
                    else np.full(len(responses), np.nan)
                reply_texts = [texts[i] if isinstance(texts[i], str) else "" for i in responses]
                c = self.contested(reply_texts, times.tolist(), source_time)
                negation_share, spread, contested = c["share"], c["spread"], c["score"]
                if c["replies"] >= w["contested_min_replies"]:
                    how = f"{c['negating']} of {c['replies']} replies contain a negation"
                    if c["example"]:
                        how += f", e.g. '{clip(c['example'][0], 60)}' ({c['example'][1]})"
                    if spread:
                        how += f"; reply times spread {spread:.2f} (log seconds)"
                    parts.append((w["contested_weight"] * contested, f"replies push back on the claim: {how}"))
            if g is not None and len(g):
                risks = sorted((risk_of.get((tid, cids[i]), (0.0, ""))[0], cids[i]) for i in g)[::-1]
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
