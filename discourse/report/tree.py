"""The reply tree drawn as a picture: who answers whom, coloured by stance or sentiment.

A tidy layered layout: leaves are spread left to right in page order, each parent sits above the
middle of its replies, depth grows downwards from the article. Computed iteratively, so a reply
chain thousands deep cannot exhaust Python's recursion limit.
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Patch

from . import plots
from .view import STANCE_COLOURS, STANCE_ORDER, ThreadView, has, num, text_of

LABEL_CHARS = 24  # a name longer than this is clipped with an ellipsis
ARTICLE = "\x00article"  # the root node; cannot clash with a comment id from the input


def layout(children: dict[str | None, list[str]]) -> dict[str, tuple[float, int]]:
    """Position (x, depth) of every comment reachable from the article; the article is None."""
    pos: dict[str, tuple[float, int]] = {}
    next_leaf = 0
    stack: list[tuple[str, int, bool]] = [(cid, 0, False) for cid in reversed(children.get(None, []))]
    seen: set[str] = set()
    while stack:
        cid, depth, done = stack.pop()
        kids = [k for k in children.get(cid, []) if k not in seen]
        if done:
            xs = [pos[k][0] for k in children.get(cid, []) if k in pos]
            pos[cid] = ((xs[0] + xs[-1]) / 2 if xs else float(next_leaf), depth)
            if not xs:
                next_leaf += 1
            continue
        if cid in seen:
            continue
        seen.add(cid)
        if not kids:
            pos[cid] = (float(next_leaf), depth)
            next_leaf += 1
            continue
        stack.append((cid, depth, True))
        for k in reversed(kids):
            stack.append((k, depth + 1, False))
    return pos


def node_colours(view: ThreadView, ids: list[str]):
    """Colours for ``ids`` and how they were chosen: ('stance', legend handles) or
    ('sentiment', None) or ('none', None)."""
    c = view.comments.set_index("comment_id")
    if has(view.comments, "stance"):
        stance = c["stance"].to_dict()
        colours = [STANCE_COLOURS.get(text_of(stance.get(i)), "#dddddd") for i in ids]
        present = [s for s in STANCE_ORDER if s in {text_of(v) for v in stance.values()}]
        handles = [Patch(color=STANCE_COLOURS[s], label=s) for s in present]
        if any(text_of(stance.get(i)) not in STANCE_COLOURS for i in ids):
            handles.append(Patch(color="#dddddd", label="no stance"))
        return colours, "stance", handles
    if has(view.comments, "sentiment"):
        sent = c["sentiment"].to_dict()
        vals = [num(sent.get(i), 0.0) for i in ids]
        return vals, "sentiment", None
    return ["#4c78a8"] * len(ids), "none", None


def draw_tree(view: ThreadView, max_labels: int = 30) -> bytes | None:
    """PNG of the reply tree, or None for a thread without comments."""
    if not view.thread.comments:
        return None
    pos = layout(view.children)
    if not pos:
        return None
    ids = list(pos)
    n = len(ids)
    xs = np.array([pos[i][0] for i in ids])
    ys = np.array([pos[i][1] for i in ids], dtype=float)
    roots = [r for r in view.children.get(None, []) if r in pos]
    art_x = (pos[roots[0]][0] + pos[roots[-1]][0]) / 2 if roots else 0.0
    parent = {c.comment_id: c.parent_id for c in view.thread.comments}
    segs = []
    for i in ids:
        p = parent.get(i)
        px, py = (pos[p][0], pos[p][1]) if p in pos else (art_x, -1)
        segs.append(((px, py), (pos[i][0], pos[i][1])))
    leaves = int(xs.max()) + 1 if n else 1
    max_depth = int(ys.max()) if n else 0
    labelled = n <= max_labels
    authors = {c.comment_id: c.author or "?" for c in view.thread.comments}
    # room for every name at 8 pt (about 0.075 in a character) when the nodes are labelled
    per_leaf = 0.075 * min(LABEL_CHARS, max((len(authors.get(i, "?")) for i in ids), default=4)) + 0.25 if labelled else 0.22
    width = float(np.clip(per_leaf * leaves + 2.8, 6.0, 13.0))
    height = float(np.clip(0.75 * (max_depth + 2) + 1.4, 3.0, 8.0))
    fig = plots.figure(width=width, height=height)
    ax = fig.add_subplot()
    ax.add_collection(LineCollection(segs, colors="#9a9a9a", linewidths=0.6 if n > 200 else 0.9, zorder=1))
    colours, mode, handles = node_colours(view, ids)
    size = float(np.clip(3000 / max(n, 1), 6, 60))
    if mode == "sentiment":
        sc = ax.scatter(xs, ys, c=colours, cmap=plots.SENTIMENT_CMAP, vmin=-1, vmax=1, s=size,
                        edgecolors="#444", linewidths=0.3, zorder=2)
        cbar = fig.colorbar(sc, ax=ax, fraction=0.035, pad=0.01)
        cbar.set_label("sentiment (VADER compound)", fontsize=7)
    else:
        ax.scatter(xs, ys, c=colours, s=size, edgecolors="#444", linewidths=0.3, zorder=2)
    ax.scatter([art_x], [-1], marker="s", s=70, c="#222222", zorder=3)
    if labelled:
        for i in ids:
            # neighbours' names alternate above and below their node so long names never collide
            below = int(round(pos[i][0])) % 2 == 0
            ax.annotate(plots.short(authors.get(i, "?"), LABEL_CHARS), pos[i], xytext=(0, -9 if below else 9),
                        textcoords="offset points", fontsize=8, ha="center", va="top" if below else "bottom",
                        color="#222")
    ax.set_ylim(max_depth + 0.6, -1.5)
    ax.set_xlim(-0.8, max(leaves - 0.2, 0.8))
    ax.set_xticks([])
    step = max(1, (max_depth + 2) // 10)
    ticks = list(range(-1, max_depth + 1, step))
    ax.set_yticks(ticks, ["article" if t == -1 else str(t) for t in ticks], fontsize=7)
    ax.set_ylabel("reply depth")
    ax.set_xlabel(f"{n} comments; leaves spread left to right in page order")
    how = {"stance": "colour: stance", "sentiment": "colour: sentiment", "none": "no stance or sentiment available"}[mode]
    ax.set_title(f"Reply tree: who answers whom ({how})")
    if handles:
        plots.legend_outside(ax, handles=handles, title="stance", title_fontsize=7)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    return plots.png(fig)
