"""Target stance summed per author, thread or outlet."""
from __future__ import annotations

from .targets import AGAINST, FAVOR, NONE


def aggregate_targets(targets, comments, by: str = "author"):
    """Per group (``author``, ``thread_id`` or ``outlet``) and target: counts and shares of favor,
    against and none, and a net score ((favor - against) / n) next to the mean signed score.

    Article paragraphs (empty ``comment_id``) group under "(article)" when grouping by author."""
    import pandas as pd

    cols = [by, "target", "n", "favor", "against", "none", "favor_share", "against_share", "none_share",
            "net", "mean_score"]
    if targets is None or len(targets) == 0:
        return pd.DataFrame(columns=cols)
    t = targets.copy()
    if by != "thread_id":
        if comments is None or by not in comments:
            raise ValueError(f"comments need a {by!r} column to aggregate by it")
        keys = comments[["thread_id", "comment_id", by]].copy()
        keys["comment_id"] = keys["comment_id"].fillna("").astype(str)
        keys = keys.drop_duplicates(["thread_id", "comment_id"])
        t["comment_id"] = t["comment_id"].fillna("").astype(str)
        t = t.merge(keys, on=["thread_id", "comment_id"], how="left")
        if by == "outlet" and "outlet" in comments:
            outlet_of = comments.drop_duplicates("thread_id").set_index("thread_id")["outlet"]
            t[by] = t[by].fillna(t["thread_id"].map(outlet_of))
        t[by] = t[by].where(t[by].notna(), "(article)" if by == "author" else "(unknown)")
        if by == "author":
            t.loc[t["comment_id"] == "", by] = "(article)"
    g = t.groupby([by, "target"], sort=True)
    out = g["stance"].value_counts().unstack(fill_value=0)
    for c in (FAVOR, AGAINST, NONE):
        if c not in out:
            out[c] = 0
    out = out[[FAVOR, AGAINST, NONE]].copy()
    out["n"] = out.sum(axis=1)
    for c in (FAVOR, AGAINST, NONE):
        out[f"{c}_share"] = (out[c] / out["n"]).round(3)
    out["net"] = ((out[FAVOR] - out[AGAINST]) / out["n"]).round(3)
    out["mean_score"] = g["score"].mean().round(3)
    out = out.reset_index()
    out.columns.name = None
    return out[cols]

