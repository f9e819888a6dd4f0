"""Narrative prevalence per group (thread, outlet, author): units matched out of units read."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def summarise(narratives, units, by: str | Sequence[str] = "thread_id", level: str = "narrative"):
    """Prevalence of each narrative (``level="narrative"``) or sub-narrative per group.

    ``units_matched / units_total``: the share of a group's text units (comments and article
    paragraphs) carrying it, so a long thread does not look more propagandistic for being long.
    ``by`` may be any column of ``units`` (``thread_id``, ``outlet``, ``author``...).
    """
    import pandas as pd

    keys = [by] if isinstance(by, str) else list(by)
    if level not in ("narrative", "subnarrative"):
        raise ValueError('level must be "narrative" or "subnarrative"')
    label = ["narrative"] if level == "narrative" else ["narrative", "subnarrative"]
    columns = keys + label + ["units_matched", "units_total", "prevalence", "comments", "article_paragraphs",
                              "mean_score", "max_score", "example"]
    if narratives is None or not len(narratives):
        return pd.DataFrame(columns=columns)
    unit_key = ["thread_id", "comment_id", "paragraph"]
    u = units.copy()
    if "paragraph" not in u.columns:
        u["paragraph"] = -1
    u["comment_id"] = u["comment_id"].fillna("")
    missing = [k for k in keys if k not in u.columns]
    if missing:
        raise ValueError(f"summarise: units have no column {missing[0]!r}")
    totals = u.groupby(keys, dropna=False).size().rename("units_total")
    n = narratives.copy()
    extra = [k for k in keys if k not in n.columns]
    if extra:
        n = n.merge(u[unit_key + extra].drop_duplicates(unit_key), on=unit_key, how="left")
    # One row per unit and label: a unit with two sub-narratives of one narrative counts once.
    n = n.sort_values("score", ascending=False)
    per_unit = n.drop_duplicates(keys + unit_key + label)
    # Per group as the groups would be iterated (sorted keys), without building a frame per group:
    # rows of a group keep their order (best score first), so its first row is its top sentence.
    grouped = per_unit.groupby(keys + label, dropna=False, sort=True)
    codes = grouped.ngroup().to_numpy()
    sizes = grouped.size()
    order = np.argsort(codes, kind="stable")
    firsts = np.concatenate([[0], np.cumsum(sizes.to_numpy())[:-1]]).tolist()
    scores = per_unit["score"].to_numpy(dtype=np.float64)[order]
    top_sentences = per_unit["sentence"].to_numpy(dtype=object)[order[firsts]].tolist()
    comments = (per_unit["comment_id"] != "").groupby(codes).sum().tolist()
    paragraphs = (per_unit["comment_id"] == "").groupby(codes).sum().tolist()
    maxima = per_unit["score"].groupby(codes).max().tolist()
    rows = []
    for g, (gkey, size) in enumerate(sizes.items()):
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        group = gkey[: len(keys)]
        total = int(totals.get(group if len(group) > 1 else group[0], 0))
        # Series.mean as before: its summation order decides the last bits the rounding may see.
        mean = pd.Series(scores[firsts[g]:firsts[g] + size]).mean()
        rows.append((*gkey, size, total, round(size / total, 4) if total else float("nan"),
                     int(comments[g]), int(paragraphs[g]), round(float(mean), 4), round(float(maxima[g]), 4),
                     str(top_sentences[g])))
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(keys + ["prevalence"], ascending=[True] * len(keys) + [False]).reset_index(drop=True)
