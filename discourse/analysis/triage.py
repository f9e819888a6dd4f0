"""Moderation priority: which comments a moderator should see first, and why.

Combines what earlier stages found (incivility, possible disinformation, coordination) with cheap
spam signals (links, link-only comments, shouting) and escalation (a reply far harsher than the
comment it answers). Weights are in ``data/scoring.toml`` (section ``[triage]``). Every
contribution above ``min_contribution`` is named in ``triage_reasons``: moderators' most common
complaint about such tools is a flag without a reason.

Incivility counts by its kind: what moderators act on is an attack on a person or a group (insult,
threat, identity attack), not a swear word aimed at no one. So the incivility signal is the
gravest of P(insult), P(threat), P(identity attack) (the incivility heads' per-kind probabilities)
and ``incivility_untargeted`` x P(toxic), which lets toxicity of no targeted kind (obscene, other)
count, at a discount. Without the per-kind columns, P(toxic) counts in full.
"""
from __future__ import annotations

import math
import re

from ..config import load_config
from .stage import RunContext, Stage

#: the stages `discourse triage` runs: triage and what its signals come from
TRIAGE_STAGES = ("embeddings", "sentiment", "narratives", "claims", "coordination", "incivility", "disinfo",
                 "triage")
TRIAGE_COLUMNS = ["thread_id", "comment_id", "triage_priority", "triage_reasons"]

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_HOST = re.compile(r"(?:https?://)?(?:www\.)?([^/\s:?#]+)", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_UPPER = re.compile(r"[A-Z]")
_REPEAT = re.compile(r"(.)\1{4,}")


def _num(v) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(f) else f


def _nums(column) -> list[float]:
    """``[_num(v) for v in column]``, in one array pass for a float or integer column."""
    import numpy as np

    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "fi":
        values = column.to_numpy(dtype=np.float64)
        return np.where(np.isnan(values), 0.0, values).tolist()
    return [_num(v) for v in column.tolist()]


def _first_reason(reasons) -> str:
    return str(reasons).split("; ")[0] if isinstance(reasons, str) and reasons else ""


#: the incivility kinds aimed at a person or a group (the heads' ``p_<kind>`` columns), as reasons name them
TARGETED_KINDS = {"insult": "insult / personal attack", "threat": "threat", "identity_attack": "identity attack"}


def incivility_signal(toxic: float, kinds: dict[str, float], untargeted: float, named: str = "") -> tuple[float, str]:
    """What incivility weighs in triage, and how the reason names its kind: the gravest targeted
    kind's probability, or ``untargeted`` x P(toxic) when that is more. ``kinds``: P(kind) per
    targeted kind, empty when the incivility stage gave none (then P(toxic) counts in full);
    ``named``: the kind the incivility stage named for the comment (its ``incivility_kind``)."""
    if not kinds:
        return toxic, ""
    kind, p = max(kinds.items(), key=lambda kv: kv[1])
    signal = max(p, untargeted * toxic)
    if named in kinds:
        return signal, f"{TARGETED_KINDS[named]} {kinds[named]:.2f}"
    if named or p < untargeted * toxic:
        return signal, f"{named + ', ' if named else ''}not aimed at a person or group"
    return signal, f"{TARGETED_KINDS[kind]} {p:.2f}"


class TriagePriority:
    """``transform(comments) -> thread_id, comment_id, triage_priority, triage_reasons``.

    ``comments`` is the analysis ``comments`` table; columns a stage did not produce count as 0.
    """

    def __init__(self, config: dict | None = None, site_hosts: tuple[str, ...] = ()):
        self.weights = (config or load_config())["triage"]
        self.site_hosts = tuple(h.lower() for h in site_hosts)

    def spam_parts(self, text: str) -> list[tuple[float, str]]:
        w = self.weights
        text = text or ""
        parts = []
        # A link holds "://" or "www." (in any case): the case-blind search runs only where one may be.
        urls = _URL.findall(text) if "://" in text or "www." in text.lower() else []
        without_links = _URL.sub("", text) if urls else text
        external = []
        for u in urls:
            m = _HOST.match(u)
            host = (m.group(1) if m else u).lower()
            if not any(host.endswith(h) for h in self.site_hosts):
                external.append(host)
        if external:
            if len(without_links.strip().split()) <= 3:
                parts.append((w["link_only"], f"little more than a link to {external[0]}"))
            else:
                parts.append((w["external_link"], f"link to an external site ({external[0]})"))
        # Shouting needs 20+ letters, over 70% capitals: so at least 14 capitals (every A-Z is a
        # letter). Counting capitals first spares counting the letters of almost every comment.
        upper = len(_UPPER.findall(without_links))
        if upper >= 14:
            letters = len(_LETTER.findall(without_links))
            if letters >= 20 and upper / letters > 0.7:
                parts.append((w["shouting"], f"mostly capital letters ({upper / letters:.0%})"))
        m = _REPEAT.search(text)
        if m:
            parts.append((w["repeated_characters"], f"repeated characters: '{m.group()[:12]}'"))
        return parts

    def transform(self, comments):
        import pandas as pd

        w = self.weights
        if comments.empty:
            return pd.DataFrame(columns=TRIAGE_COLUMNS)
        col = {c: comments[c].tolist() if c in comments else [None] * len(comments) for c in (
            "incivility_reasons", "incivility_target", "incivility_kind", "disinfo_reasons", "coordination_reasons",
            "sentiment", "parent_id", "author")}
        num = {c: _nums(comments[c]) if c in comments else [0.0] * len(comments) for c in (
            "incivility", "disinfo_risk", "coordination_score", "sentiment")}
        kind_cols = [k for k in TARGETED_KINDS if f"p_{k}" in comments]
        kind_num = {k: _nums(comments[f"p_{k}"]) for k in kind_cols}
        tids, cids = comments["thread_id"].tolist(), comments["comment_id"].tolist()
        sentiment_of = {}
        author_of = {}
        if "sentiment" in comments:
            keys = list(zip(tids, cids))
            sentiment_of = dict(zip(keys, col["sentiment"]))
            author_of = dict(zip(keys, col["author"]))
        rows = []
        for i, (tid, cid, text) in enumerate(zip(tids, cids, comments["text"].tolist())):
            parts: list[tuple[float, str]] = []
            inc = num["incivility"][i]
            reason = _first_reason(col["incivility_reasons"][i])
            if inc and (reason or inc >= w["incivility_floor"]):
                # a low score with no quoted evidence is noise, not a reason to look
                target = col["incivility_target"][i]
                if not reason:
                    reason = "hostile tone" + (f" toward {target}" if isinstance(target, str) and target else "")
                named = col["incivility_kind"][i]
                signal, kind = incivility_signal(inc, {k: kind_num[k][i] for k in kind_cols},
                                                 w["incivility_untargeted"], named if isinstance(named, str) else "")
                label = f"incivility {inc:.2f}" + (f", {kind}" if kind else "")
                parts.append((w["incivility"] * signal, f"{label}: {reason}"))
            risk = num["disinfo_risk"][i]
            if risk:
                parts.append((w["disinfo"] * risk, _first_reason(col["disinfo_reasons"][i]) or "possible disinformation"))
            coord = num["coordination_score"][i]
            if coord:
                reason = _first_reason(col["coordination_reasons"][i]) or "coordination signal"
                if reason not in (r for _, r in parts):
                    parts.append((w["coordination"] * coord, reason))
            parts += self.spam_parts(text or "")
            parent = col["parent_id"][i]
            if sentiment_of and isinstance(parent, str) and parent:
                mine, theirs = num["sentiment"][i], sentiment_of.get((tid, parent))
                if theirs is not None and not math.isnan(float(theirs)):
                    drop = float(theirs) - mine
                    if drop >= w["escalation_min_drop"]:
                        who = author_of.get((tid, parent)) or parent
                        parts.append((w["escalation"] * min(drop / 2, 1.0),
                                      f"reply much more negative than its parent ({who}: {theirs:+.2f} → {mine:+.2f})"))
            prio = 1.0 - math.prod(1.0 - min(max(p, 0.0), 1.0) for p, _ in parts) if parts else 0.0
            reasons = "; ".join(r for p, r in sorted(parts, key=lambda x: -x[0]) if p >= w["min_contribution"])
            rows.append((tid, cid, round(prio, 4), reasons))
        return pd.DataFrame(rows, columns=TRIAGE_COLUMNS)


class TriageStage(Stage):
    """Moderation priority per comment with its reasons (the queue itself lives in SQLite)."""

    name = "triage"
    requires = ("comments.text",)
    uses = ("comments.incivility", "comments.p_insult", "comments.p_threat", "comments.p_identity_attack",
            "comments.disinfo_risk", "comments.coordination_score", "comments.sentiment")
    reduced = ("a signal from a stage that did not run (incivility, disinfo, coordination, sentiment) counts as 0; "
               "without the incivility kinds, P(toxic) counts in full")
    provides = ("comments.triage_priority", "comments.triage_reasons")

    def run(self, ctx: RunContext) -> None:
        ctx.add_columns(TriagePriority(config=ctx.config).transform(ctx.comments))
