"""Plots for the reports, as PNG bytes.

Figures are built with matplotlib's object API on the Agg canvas, never pyplot: no global
figure state, no display needed, nothing left open between reports. Sizes are capped so a page
with a 1,000-comment thread stays light. Every plot has a title, axis labels and a legend or
colour bar where colour carries meaning. Each function returns None when there is nothing to draw.
"""
from __future__ import annotations

import io
import textwrap

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .view import PLOT_DPI, STANCE_COLOURS

DPI = PLOT_DPI
WIDTH = 7.6  # inches: fits the page column
SENTIMENT_CMAP = "RdYlBu"  # red negative, blue positive; readable by most colour-blind readers
KIND_COLOURS = {"frame": "#4c78a8", "technique": "#e45756", "narrative": "#72b7b2"}
MAX_LABEL = 38


def figure(width: float = WIDTH, height: float = 3.2) -> Figure:
    # Constrained layout makes room for outside legends and long labels in one pass, about
    # half the cost of bbox_inches="tight" (which draws the figure twice).
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, pil_kwargs={"compress_level": 4})
    return buf.getvalue()


def with_n(label, n) -> str:
    """A group label with its count, so no share is read without its base."""
    return f"{short(label, 30)} (n={n:,})" if n is not None else short(label, 34)


def short(label, width: int = MAX_LABEL, escape: bool = True) -> str:
    """Input text made safe for a plot: one line, clipped, and with ``$`` escaped (matplotlib
    would read ``$...$`` as mathtext, and malformed mathtext makes drawing fail)."""
    label = " ".join(str(label).split())
    label = label if len(label) <= width else label[: width - 1] + "…"
    return label.replace("$", r"\$") if escape else label


def legend_outside(ax, **kw):
    """A legend to the right of the axes, where it cannot hide data."""
    kw.setdefault("fontsize", 7)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False, **kw)


def _finite(values) -> np.ndarray:
    arr = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    return arr


def _finite_points(xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """The (x, y) pairs where both are numbers."""
    x, y = _finite(xs), _finite(ys)
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def sentiment_by_position(positions, values, title: str = "Sentiment along the thread") -> bytes | None:
    """Each comment's sentiment in page order, with a rolling mean to show drift."""
    x, y = _finite_points(positions, values)
    if len(y) == 0:
        return None
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    fig = figure(width=6.0)
    ax = fig.add_subplot()
    ax.axhline(0, color="#888", lw=0.8, ls="--", label="neutral")
    size = max(4, 30 - len(y) // 40)
    ax.scatter(x, y, c=y, cmap=SENTIMENT_CMAP, vmin=-1, vmax=1, s=size, edgecolors="#555", linewidths=0.3,
               label="comment (VADER compound)")
    if len(y) >= 3:
        w = max(3, len(y) // 15)
        kernel = np.ones(w) / w
        smooth = np.convolve(np.pad(y, (w // 2, w - 1 - w // 2), mode="edge"), kernel, mode="valid")
        ax.plot(x, smooth, color="#222", lw=1.6, label=f"rolling mean ({w} comments)")
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("position in the thread (page order)")
    ax.set_ylabel("sentiment (−1 … +1)")
    ax.set_title(title)
    legend_outside(ax)
    ax.grid(alpha=0.25)
    return png(fig)


def sentiment_chains(chains: list[tuple[str, list[float]]], title: str = "Sentiment along the longest reply chains") -> bytes | None:
    """Sentiment step by step down each chain: does a conversation sour as it goes deeper?"""
    chains = [(name, _finite(vals)) for name, vals in chains if len(vals) >= 2]
    if not chains:
        return None
    fig = figure(width=6.0, height=3.0)
    ax = fig.add_subplot()
    ax.axhline(0, color="#888", lw=0.8, ls="--", label="neutral")
    palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"]
    for i, (name, vals) in enumerate(chains):
        ax.plot(np.arange(len(vals)), vals, marker="o", ms=4, lw=1.5, color=palette[i % len(palette)], label=short(name, 50))
    ax.set_ylim(-1.05, 1.05)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("reply depth along the chain (0 = answers the article)")
    ax.set_ylabel("sentiment (−1 … +1)")
    ax.set_title(title)
    legend_outside(ax, title="chain (first author)", title_fontsize=7)
    ax.grid(alpha=0.25)
    return png(fig)


def article_sentiment(indexes, values, title: str = "Sentiment along the article (by sentence)") -> bytes | None:
    x, y = _finite_points(indexes, values)
    if len(y) == 0:
        return None
    fig = figure(width=6.2, height=2.6)
    ax = fig.add_subplot()
    colours = colormaps[SENTIMENT_CMAP](TwoSlopeNorm(0, -1, 1)(y))
    ax.bar(x, y, color=colours, edgecolor="#555", linewidth=0.3)
    ax.axhline(0, color="#888", lw=0.8)
    ax.set_ylim(-1.05, 1.05)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("sentence number in the article")
    ax.set_ylabel("sentiment (−1 … +1)")
    ax.set_title(title)
    from matplotlib.patches import Patch

    cmap = colormaps[SENTIMENT_CMAP]
    legend_outside(ax, handles=[Patch(color=cmap(0.9), label="positive sentence"), Patch(color=cmap(0.1), label="negative sentence")])
    return png(fig)


def stance_bar(shares: dict[str, float], title: str = "Stance of the comments") -> bytes | None:
    """Shares of support / deny / query / comment as horizontal bars with percentages."""
    if not shares or not any(v for v in shares.values()):
        return None
    keys = list(shares)
    vals = [100.0 * shares[k] for k in keys]
    labels = [short(k, 20) for k in keys]
    fig = figure(width=6.2, height=0.45 * len(labels) + 1.1)
    ax = fig.add_subplot()
    colours = [STANCE_COLOURS.get(k, "#bbbbbb") for k in keys]
    bars = ax.barh(range(len(labels)), vals, color=colours)
    ax.set_yticks(range(len(labels)), labels)
    for bar, v in zip(bars, vals):
        ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, f"{v:.0f}%", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(vals) * 1.18 + 1)
    ax.set_xlabel("share of comments (%)")
    ax.set_ylabel("stance")
    ax.set_title(title)
    ax.legend([bars[i] for i in range(len(labels))], labels, fontsize=7, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False, title="stance", title_fontsize=7)
    return png(fig)


def bar_counts(labels, counts, title: str, xlabel: str, kinds=None, ylabel: str = "") -> bytes | None:
    """Horizontal bars, largest first; ``kinds`` colours bars by kind (with a legend)."""
    labels = [short(x) for x in labels]
    if not labels:
        return None
    fig = figure(height=min(6.0, 0.28 * len(labels) + 1.2))
    ax = fig.add_subplot()
    if kinds is not None:
        colours = [KIND_COLOURS.get(k, "#888888") for k in kinds]
    else:
        colours = ["#4c78a8"] * len(labels)
    bars = ax.barh(range(len(labels)), counts, color=colours)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if kinds is not None:
        from matplotlib.patches import Patch

        present = [k for k in KIND_COLOURS if k in set(kinds)]
        legend_outside(ax, handles=[Patch(color=KIND_COLOURS[k], label=k) for k in present], title="kind", title_fontsize=7)
    else:
        legend_outside(ax, handles=[bars[0]], labels=[xlabel])
    ax.grid(axis="x", alpha=0.25)
    return png(fig)


def heatmap(pivot, title: str, cbar_label: str, xlabel: str = "label", ylabel: str = "group",
            max_cols: int = 20, counts: dict | None = None) -> bytes | None:
    """Group × label matrix (rows groups); the ``max_cols`` largest labels are kept. ``counts``
    (group → how many texts) is printed beside each group, so a share is never read without its n."""
    if pivot is None or pivot.size == 0:
        return None
    pivot = pivot.fillna(0.0)
    if pivot.shape[1] > max_cols:
        pivot = pivot[pivot.sum(axis=0).sort_values(ascending=False).index[:max_cols]]
    pivot = pivot.iloc[:30]
    values = pivot.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    fig = figure(width=min(11.0, max(5.0, 0.55 * n_cols + 3.0)), height=min(9.0, 0.4 * n_rows + 2.6))
    ax = fig.add_subplot()
    im = ax.imshow(values, aspect="auto", cmap="Blues", vmin=0)
    ax.set_xticks(range(n_cols), ["\n".join(short(w, 40) for w in textwrap.wrap(short(str(c).replace("_", " "), 40, escape=False), 16)[:3])
                   for c in pivot.columns],
                  rotation=60, ha="right", fontsize=7, rotation_mode="anchor")
    ax.set_yticks(range(n_rows), [with_n(r, (counts or {}).get(r)) for r in pivot.index], fontsize=7)
    top = values.max() if values.size else 0
    if n_rows * n_cols <= 300:
        for i in range(n_rows):
            for j in range(n_cols):
                v = values[i, j]
                if v:
                    ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=6,
                            color="white" if v > 0.6 * top else "#222")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    cbar = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cbar.set_label(cbar_label, fontsize=8)
    return png(fig)


def diverging(df, title: str = "Stance toward each target: favour vs against") -> bytes | None:
    """Per target, one bar per group: favour share to the right, against share to the left.

    ``df`` has columns target, group, favor_share, against_share.
    """
    if df is None or len(df) == 0:
        return None
    targets = list(dict.fromkeys(df["target"]))[:12]
    groups = list(dict.fromkeys(df["group"]))[:8]
    n_g = len(groups)
    fig = figure(height=float(np.clip(0.22 * len(targets) * (1 + min(n_g, 6) * 0.45) + 1.4, 2.4, 8.0)))
    ax = fig.add_subplot()
    h = 0.8 / n_g
    palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
    lookup = {(r["target"], r["group"]): r for r in df.to_dict("records")}
    for gi, g in enumerate(groups):
        ys, fav, ag = [], [], []
        for ti, t in enumerate(targets):
            r = lookup.get((t, g))
            if r is None:
                continue
            ys.append(ti - 0.4 + h * (gi + 0.5))
            fav.append(100 * float(r["favor_share"]))
            ag.append(-100 * float(r["against_share"]))
        if not any(fav) and not any(ag):  # nothing drawn for this group: keep it out of the legend too
            continue
        colour = palette[gi % len(palette)]
        ax.barh(ys, fav, height=h * 0.9, color=colour, label=short(g, 40))
        ax.barh(ys, ag, height=h * 0.9, color=colour, alpha=0.55, hatch="//", edgecolor="white")
    ax.axvline(0, color="#333", lw=0.8)
    ax.set_yticks(range(len(targets)), [short(t, 30) for t in targets], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(-105, 105)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100%\nagainst", "50%", "0", "50%", "100%\nfavour"], fontsize=7)
    ax.set_xlabel("share of mentions (against ← | → favour); hatched = against")
    ax.set_ylabel("target")
    ax.set_title(title)
    legend_outside(ax, title="group", title_fontsize=7)
    ax.grid(axis="x", alpha=0.25)
    return png(fig)


def distribution(groups: dict[str, list[float]], title: str, ylabel: str, xlabel: str = "group") -> bytes | None:
    """Box plots per group, with the points behind them when there are few."""
    groups = {k: _finite(v)[np.isfinite(_finite(v))] for k, v in groups.items()}
    groups = {k: v for k, v in groups.items() if len(v)}
    if not groups:
        return None
    names = list(groups)[:20]
    data = [groups[k] for k in names]
    fig = figure(width=min(11.0, max(5.0, 0.8 * len(names) + 2.5)), height=3.4)
    ax = fig.add_subplot()
    ax.axhline(0, color="#888", lw=0.8, ls="--", label="neutral")
    ax.boxplot(data, tick_labels=[f"{short(n, 22)}\n(n={len(d)})" for n, d in zip(names, data)],
               showmeans=True, meanprops={"marker": "D", "markerfacecolor": "#d95f02", "markeredgecolor": "#d95f02", "markersize": 4},
               medianprops={"color": "#1b9e77"}, flierprops={"markersize": 2})
    rng = np.random.default_rng(0)
    for i, d in enumerate(data, start=1):
        if len(d) <= 300:
            ax.scatter(i + rng.uniform(-0.15, 0.15, len(d)), d, s=4, alpha=0.35, color="#4c78a8", zorder=0)
    from matplotlib.lines import Line2D

    ax.legend([Line2D([], [], color="#1b9e77"), Line2D([], [], marker="D", ls="", color="#d95f02", markersize=4)],
              ["median", "mean"], fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.25)
    return png(fig)


def stacked_shares(df, categories: list[str], colours: dict[str, str], title: str, xlabel: str,
                   ylabel: str = "group", counts: dict | None = None) -> bytes | None:
    """One horizontal bar per row of ``df`` (index = group), split into category shares; ``counts``
    (group → n) labels each bar with its base. Categories no bar has stay out of the legend."""
    if df is None or len(df) == 0:
        return None
    df = df.iloc[:25]
    fig = figure(height=min(8.0, 0.38 * len(df) + 1.6))
    ax = fig.add_subplot()
    left = np.zeros(len(df))
    y = np.arange(len(df))
    for cat in categories:
        if cat not in df.columns:
            continue
        vals = 100 * df[cat].fillna(0).to_numpy(dtype=float)
        if not vals.any():
            continue
        ax.barh(y, vals, left=left, color=colours.get(cat, "#bbbbbb"), label=short(cat, 20))
        for yi, (l0, v) in enumerate(zip(left, vals)):
            if v >= 8:
                ax.text(l0 + v / 2, yi, f"{v:.0f}%", ha="center", va="center", fontsize=7, color="white")
        left += vals
    ax.set_yticks(y, [with_n(g, (counts or {}).get(g)) for g in df.index], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    legend_outside(ax)
    return png(fig)
