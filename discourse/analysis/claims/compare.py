"""Lining up claims about the same quantity across threads and outlets, and saying whether they
agree and if not, why not.

Lining up needs care with time: a running total (``since the start``, ``so far``) grows, so 172,900
one month and 414,680 a year later is growth, not a contradiction; only figures for the same moment
and the same scope that differ beyond a tolerance are called a disagreement, and a running total
that shrinks over time is called inconsistent.
"""
from __future__ import annotations

import math
from pathlib import Path

from .extractor import ClaimExtractor
from .tokens import _MEASURES, _fmt

COMPARE_COLUMNS = [
    "group", "subject",
    "thread_id_a", "comment_id_a", "outlet_a", "raw_a", "value_a", "date_a", "as_of_a", "attributed_a",
    "thread_id_b", "comment_id_b", "outlet_b", "raw_b", "value_b", "date_b", "as_of_b", "attributed_b",
    "relation", "explanation",
]

RELATIONS = ("agree", "disagree", "different_dates", "different_scope", "inconsistent")


class _UnionFind:
    """Claims that match pairwise form one group (the ledger's ``group`` column)."""

    def __init__(self, parent: dict[int, int]):
        self.parent = parent

    def __call__(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x


def _months_between(a: str, b: str) -> int | None:
    try:
        ya, ma = int(a[:4]), int(a[5:7]) if len(a) >= 7 else None
        yb, mb = int(b[:4]), int(b[5:7]) if len(b) >= 7 else None
    except ValueError:
        return None
    if ma is None or mb is None:
        return abs(ya - yb) * 12
    return abs((yb - ya) * 12 + (mb - ma))


def _same_date(a: str, b: str) -> bool:
    k = min(len(a), len(b))
    return a[:k] == b[:k]


def _row_get(r: dict, key: str, default=None):
    v = r.get(key, default)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return default
    return v


def compare_claims(claims, tolerance: float = 0.1, *, path: str | Path | None = None,
                   max_group: int = 300, extractor: ClaimExtractor | None = None):
    """Line up claims about the same quantity and say whether they agree, and if not, why not.

    Claims match when their subjects share a head noun (after synonyms such as casualties ~
    personnel) and their modifiers are compatible (one set inside the other: "drones" and
    "Ukrainian drones"), with the same unit and no conflicting action (launched vs shot down).
    Relations: ``agree`` (within ``tolerance``, bounds such as "over 414,000" respected),
    ``disagree`` (same scope and the same date, or both undated in the same thread),
    ``different_dates`` (a cumulative count that grew, or periods/dates that differ or cannot be
    placed), ``different_scope`` (a running total against a per-period count, or a day against a
    month), ``inconsistent`` (a running total that shrank over time).
    """
    import pandas as pd

    if claims is None or len(claims) == 0:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    ext = extractor or ClaimExtractor(path=path)
    buckets = _buckets(_records(claims, ext))
    rows: list[dict] = []
    group_id = 0
    for head in sorted(buckets):
        members = buckets[head]
        if len(members) < 2:
            continue
        if len(members) > max_group:
            members = sorted(members, key=lambda r: -r["_score"])[:max_group]
        group_id = _compare_members(members, tolerance, group_id, rows)
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)


def _records(claims, ext: ClaimExtractor) -> list[dict]:
    """The ledger's rows as dicts with the fields comparison reads, cleaned (``_key``, ``_lo`` ...)."""
    recs = claims.to_dict("records")
    for idx, r in enumerate(recs):
        r["_idx"] = idx
        r["_key"] = ext.subject_key(_row_get(r, "subject", ""))
        v = float(_row_get(r, "value", math.nan))
        r["_lo"] = float(_row_get(r, "low", v))
        r["_hi"] = float(_row_get(r, "high", v))
        r["_date"] = str(_row_get(r, "date", "") or _row_get(r, "published", "") or "")
        r["_cum"] = bool(_row_get(r, "cumulative", False))
        r["_period"] = str(_row_get(r, "period", "") or "")
        r["_unit"] = str(_row_get(r, "unit", "") or "")
        r["_action"] = str(_row_get(r, "action", "") or "")
        r["_asof"] = " ".join(str(_row_get(r, "as_of", "") or "").lower().split())
        r["_score"] = float(_row_get(r, "checkworthy", 0.5))
    return recs


def _buckets(recs: list[dict]) -> dict[str, list[dict]]:
    """Claims with a value, by the head noun of their subject."""
    buckets: dict[str, list[dict]] = {}
    for r in recs:
        head = r["_key"][0]
        if head and not math.isnan(float(_row_get(r, "value", math.nan))):
            buckets.setdefault(head, []).append(r)
    return buckets


def _compare_members(members: list[dict], tolerance: float, group_id: int, rows: list[dict]) -> int:
    """Every compatible pair of one bucket as a row of ``rows``; the next free group number."""
    pairs = []
    parent = {r["_idx"]: r["_idx"] for r in members}
    find = _UnionFind(parent)
    for ai in range(len(members)):
        a = members[ai]
        for bi in range(ai + 1, len(members)):
            b = members[bi]
            if not _compatible(a, b) or _same_sentence(a, b):
                continue
            pairs.append((a, b))
            ra, rb = find(a["_idx"]), find(b["_idx"])
            if ra != rb:
                parent[rb] = ra
    groups: dict[int, int] = {}
    subjects: dict[int, dict[str, int]] = {}
    for a, b in pairs:
        root = find(a["_idx"])
        if root not in groups:
            groups[root] = group_id
            group_id += 1
        for r in (a, b):
            s = str(_row_get(r, "subject", ""))
            subjects.setdefault(root, {}).setdefault(s, 0)
            subjects[root][s] += 1
    for a, b in pairs:
        # earlier date first, so explanations read forward in time
        if a["_date"] and b["_date"] and b["_date"] < a["_date"]:
            a, b = b, a
        root = find(a["_idx"])
        rel, why = _relation(a, b, tolerance)
        subj = max(subjects[root].items(), key=lambda kv: (kv[1], -len(kv[0])))[0]
        rows.append({"group": groups[root], "subject": subj, **_side(a, "a"), **_side(b, "b"),
                     "relation": rel, "explanation": why})
    return group_id


def _side(r: dict, s: str) -> dict:
    """The columns of one claim of a pair (``thread_id_a`` ... ``attributed_a``)."""
    return {
        f"thread_id_{s}": r.get("thread_id", ""), f"comment_id_{s}": _row_get(r, "comment_id", ""),
        f"outlet_{s}": _row_get(r, "outlet", ""), f"raw_{s}": _row_get(r, "raw", _fmt(r["value"])),
        f"value_{s}": float(r["value"]), f"date_{s}": r["_date"], f"as_of_{s}": _row_get(r, "as_of", ""),
        f"attributed_{s}": _row_get(r, "attributed_to", ""),
    }


def _compatible(a: dict, b: dict) -> bool:
    if a["_key"][0] != b["_key"][0]:
        return False
    ua, ub = a["_unit"], b["_unit"]
    if (ua in _MEASURES or ub in _MEASURES) and ua != ub:
        return False
    if a["_action"] and b["_action"] and a["_action"] != b["_action"]:
        return False
    ma, mb = a["_key"][1], b["_key"][1]
    if ma <= mb or mb <= ma:
        return True
    union = ma | mb
    return bool(union) and len(ma & mb) / len(union) >= 0.5


def _same_sentence(a: dict, b: dict) -> bool:
    return (a.get("thread_id") == b.get("thread_id") and _row_get(a, "comment_id", "") == _row_get(b, "comment_id", "")
            and _row_get(a, "paragraph", -1) == _row_get(b, "paragraph", -1)
            and _row_get(a, "claim", None) is not None and _row_get(a, "claim") == _row_get(b, "claim"))


def _span_kind(r: dict) -> str:
    """The length of time a non-cumulative figure counts over; a point date counts as unstated."""
    p = r["_period"]
    return "" if p in ("", "date", "cumulative", "since") else p


def _relation(a: dict, b: dict, tol: float) -> tuple[str, str]:
    """(relation, explanation) of two compatible claims, ``a`` the earlier when both are dated."""
    fa, fb = _fmt(a["value"]), _fmt(b["value"])
    ra, rb = str(_row_get(a, "raw", fa)), str(_row_get(b, "raw", fb))
    scope = _scope_relation(a, b, ra, rb)
    if scope is not None:
        return scope
    da, db = a["_date"], b["_date"]
    la = f"{ra} ({da})" if da else f"{ra} (undated)"
    lb = f"{rb} ({db})" if db else f"{rb} (undated)"
    lo = max(a["_lo"], b["_lo"])
    hi = min(a["_hi"], b["_hi"])
    if lo <= hi or (lo - hi) <= tol * abs(lo):
        when = ""
        if da and db and not _same_date(da, db):
            gap = _months_between(da, db)
            when = f"; {gap} months apart" if gap else f"; dated {da} and {db}"
        return "agree", f"{la} and {lb} agree within {tol:.0%}{when}"
    if da and db:
        return _dated_difference(a, b, la, lb, tol)
    if not da and not db and a.get("thread_id") == b.get("thread_id"):
        if a["_asof"] != b["_asof"] and a["_asof"] and b["_asof"] and not a["_cum"]:
            return "different_dates", f"{ra} and {rb} refer to different periods: '{a['_asof']}' and '{b['_asof']}'"
        return "disagree", f"{ra} and {rb} differ by more than {tol:.0%} in the same article, same scope"
    if a["_cum"]:
        return "different_dates", (f"{la} and {lb} are running totals reported at unknown or different times "
                                   f"in different places; a cumulative count can grow, so they cannot be called "
                                   f"a contradiction")
    return "different_dates", (f"{la} and {lb} cannot be placed at the same time (dates unknown), so the "
                               f"difference is not called a contradiction")


def _scope_relation(a: dict, b: dict, ra: str, rb: str) -> tuple[str, str] | None:
    """``different_scope`` when one is a running total and the other not, or their periods differ."""
    if a["_cum"] != b["_cum"]:
        run, per = (a, b) if a["_cum"] else (b, a)
        return "different_scope", (
            f"{_row_get(run, 'raw', '')} is a running total ({run['_asof'] or 'cumulative'}) while "
            f"{_row_get(per, 'raw', '')} counts {per['_asof'] or 'one occasion'}; they measure different things")
    pa, pb = _span_kind(a), _span_kind(b)
    if not a["_cum"] and pa != pb:
        if pa and pb:
            return "different_scope", (f"{ra} counts per {pa} ({a['_asof']}) and {rb} per {pb} "
                                       f"({b['_asof']}); different periods")
        stated, bare = (a, b) if pa else (b, a)
        return "different_scope", (f"{_row_get(stated, 'raw', '')} counts over '{stated['_asof']}' while "
                                   f"{_row_get(bare, 'raw', '')} states no period; not the same measure "
                                   f"as far as the text says")
    return None


def _dated_difference(a: dict, b: dict, la: str, lb: str, tol: float) -> tuple[str, str]:
    """Two dated figures beyond the tolerance: the same date disagrees, a grown running total does not."""
    da, db = a["_date"], b["_date"]
    if _same_date(da, db):
        if a["_asof"] and b["_asof"] and a["_asof"] != b["_asof"] and not a["_cum"]:
            return "different_dates", f"{la} and {lb} refer to different periods: '{a['_asof']}' and '{b['_asof']}'"
        return "disagree", f"{la} and {lb} differ by more than {tol:.0%} for the same date and scope"
    gap = _months_between(da, db)
    gap_txt = f"{gap} months apart" if gap else f"dated {da} and {db}"
    if a["_cum"]:
        if b["_hi"] >= a["_lo"] * (1 - tol):  # b is the later one
            return "different_dates", (f"{la} and {lb} differ but are {gap_txt}; a cumulative count can "
                                       f"grow, so this is not a contradiction")
        return "inconsistent", (f"{la} and {lb}: the later running total is smaller than the earlier one "
                                f"({gap_txt}); a cumulative count should not shrink")
    return "different_dates", f"{la} and {lb} count different periods ({gap_txt})"
