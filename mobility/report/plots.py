"""Static figures for the report, rendered to SVG strings without a display.

Every figure is drawn on a :class:`matplotlib.figure.Figure` (no pyplot, no global figure
state, no display backend) and saved as SVG with a fixed ``svg.hashsalt``, no date metadata
and text converted to paths, so the same data give byte-identical SVG and the report needs
no fonts. :func:`svg_data_uri` turns an SVG into a ``data:`` URI for an ``<img>`` tag (each
figure stays an isolated document, so element ids of two figures cannot collide).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

#: Colours of the six pejlemærker (colour-blind-safe, Okabe-Ito order).
CRITERION_COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
)

_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "mobility-report",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#6b7280",
    "axes.labelcolor": "#1f2937",
    "xtick.color": "#374151",
    "ytick.color": "#374151",
    "axes.titleweight": "bold",
    "axes.titlesize": 10.5,
    "legend.frameon": False,
}


def _figure(width_in: float, height_in: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), dpi=96, layout="constrained")


def _to_svg(fig: Figure) -> str:
    """Save a figure as SVG text (deterministic, no XML declaration)."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "mobility"})
    text = buf.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def _build(draw: Callable[[Figure], None], width_in: float, height_in: float) -> Figure:
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(width_in, height_in)
        draw(fig)
        return fig


def _render(draw: Callable[[Figure], None], width_in: float, height_in: float) -> str:
    return _to_svg(_build(draw, width_in, height_in))


def _decimal_ticks(axes: Sequence[Any], decimal: str) -> None:
    """Write tick labels with ``decimal`` as the decimal mark (``","`` in Danish)."""
    if decimal == ".":
        return
    from matplotlib.ticker import ScalarFormatter

    class _Formatter(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return super().__call__(x, pos).replace(".", decimal)

    for axis in axes:
        axis.set_major_formatter(_Formatter())


def svg_data_uri(svg: str) -> str:
    """Return ``data:image/svg+xml;base64,...`` for an SVG string."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def colour_scale(
    values: np.ndarray,
    *,
    diverging: bool = False,
    vmin: float | None = None,
    vmax: float | None = None,
) -> tuple[float, float, str]:
    """The colour limits of a network map and which ends clip values.

    Defaults: for a diverging map, symmetric at the 98th percentile of ``|value|``; for a
    sequential one (volume / capacity), 0 to the 98th percentile held between 1.2 and 1.5.
    Values outside the limits take the end colour; the returned ``extend`` (matplotlib's
    ``"neither"``, ``"min"``, ``"max"`` or ``"both"``) says at which ends that happens, so that
    the colour bar gets an arrow end there and the caption can say the scale is clipped.

    Returns
    -------
    tuple
        ``(lo, hi, extend)``.
    """
    val = np.asarray(values, dtype=float).reshape(-1)
    finite = val[np.isfinite(val)]
    if diverging:
        span = float(np.percentile(np.abs(finite), 98)) if finite.size else 1.0
        span = span if span > 0 else 1.0
        lo, hi = (vmin, vmax) if vmin is not None and vmax is not None else (-span, span)
    else:
        top = float(np.percentile(finite, 98)) if finite.size else 1.0
        lo = 0.0 if vmin is None else vmin
        hi = min(max(1.2, top), 1.5) if vmax is None else vmax
    below = bool(finite.size) and float(finite.min()) < lo
    above = bool(finite.size) and float(finite.max()) > hi
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (below, above), "both"
    )
    return float(lo), float(hi), extend


def network_map_svg(
    segments: np.ndarray,
    values: np.ndarray,
    *,
    title: str,
    label: str,
    diverging: bool = False,
    vmin: float | None = None,
    vmax: float | None = None,
    widths: np.ndarray | None = None,
    extent: tuple[float, float, float, float] | None = None,
    size_in: tuple[float, float] = (7.6, 6.0),
    decimal: str = ".",
    boundaries: Sequence[np.ndarray] = (),
    place_names: Sequence[tuple[str, float, float]] = (),
    scale_km: float | None = None,
) -> str:
    """Draw links as coloured line segments (a network map).

    Parameters
    ----------
    segments
        (M, 4) array of ``x0, y0, x1, y1`` per link (lon/lat; the x axis is scaled by
        ``cos(mean latitude)`` so that the map is not stretched).
    values
        (M,) value per link: volume/capacity for the reference map, a change for a project.
        NaN links are drawn thin and grey.
    title, label
        Figure title and colour-bar label.
    diverging
        If true, a red-blue diverging scale symmetric around 0 (red = more traffic); else a
        sequential scale from green (free) through yellow to dark red (over capacity).
    vmin, vmax
        Colour limits (defaults: 0 .. max(1.2, 98th percentile) for sequential, symmetric
        98th percentile of |value| for diverging).
    widths
        (M,) line widths in points (defaults to 1.2; e.g. scaled by volume).
    extent
        ``(xmin, xmax, ymin, ymax)`` to show (default: all segments); links leaving it are
        clipped, so a long ferry line does not shrink the map.
    size_in
        Figure width and height in inches.
    decimal
        Decimal mark of the colour bar's tick labels (``","`` for Danish).
    boundaries
        Rings ``(N, 2)`` of lon/lat drawn under the links as land (light fill, grey outline):
        the municipality boundaries, whose outer edges draw the coast.
    place_names
        ``(name, lon, lat)`` written in small grey type where they fall inside the map.
    scale_km
        Length of a scale bar in the lower left corner (km; none when ``None``).

    Returns
    -------
    str
        The SVG document.
    """
    seg = np.asarray(segments, dtype=float).reshape(-1, 4)
    val = np.asarray(values, dtype=float).reshape(-1)
    if seg.shape[0] != val.shape[0]:
        raise ValueError(f"{seg.shape[0]} segments but {val.shape[0]} values")
    finite = np.isfinite(val)
    lo, hi, extend = colour_scale(val, diverging=diverging, vmin=vmin, vmax=vmax)
    cmap_name = "RdBu_r" if diverging else "RdYlGn_r"
    lw = np.full(val.shape, 1.2) if widths is None else np.asarray(widths, dtype=float)
    # Draw the most important links last (on top): largest |value|.
    order = np.argsort(np.where(finite, np.abs(val), -1.0), kind="stable")

    def draw(fig: Figure) -> None:
        from matplotlib import colormaps
        from matplotlib.collections import LineCollection
        from matplotlib.colors import Normalize

        ax = fig.add_subplot()
        if len(boundaries):
            from matplotlib.collections import PolyCollection

            ax.add_collection(
                PolyCollection(
                    [np.asarray(r, dtype=float) for r in boundaries],
                    facecolors="#f3f1ec",
                    edgecolors="#b9b4a8",
                    linewidths=0.4,
                    zorder=0,
                )
            )
        cmap = colormaps[cmap_name]
        norm = Normalize(vmin=lo, vmax=hi)
        lines = seg[order].reshape(-1, 2, 2)
        colours = np.where(
            finite[order][:, None], cmap(norm(np.nan_to_num(val[order]))), [0.8, 0.8, 0.8, 1.0]
        )
        ax.add_collection(
            LineCollection(list(lines), colors=colours, linewidths=lw[order], capstyle="round")
        )
        if extent is not None:
            ax.set_xlim(extent[0], extent[1])
            ax.set_ylim(extent[2], extent[3])
            ax.set_aspect(1.0 / max(np.cos(np.radians((extent[2] + extent[3]) / 2)), 0.1))
        elif seg.size:
            xs, ys = seg[:, [0, 2]], seg[:, [1, 3]]
            pad_x = 0.03 * max(float(np.ptp(xs)), 1e-6)
            pad_y = 0.03 * max(float(np.ptp(ys)), 1e-6)
            ax.set_xlim(float(xs.min()) - pad_x, float(xs.max()) + pad_x)
            ax.set_ylim(float(ys.min()) - pad_y, float(ys.max()) + pad_y)
            ax.set_aspect(1.0 / max(np.cos(np.radians(float(ys.mean()))), 0.1))
        ax.set_xticks([])
        ax.set_yticks([])
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        for name, lon, lat in place_names:
            if x0 <= lon <= x1 and y0 <= lat <= y1:
                ax.text(lon, lat, name, fontsize=5.5, color="#6f6a60", ha="center", zorder=1)
        if scale_km:
            km_per_deg = 111.32 * max(np.cos(np.radians((y0 + y1) / 2)), 0.1)
            bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
            ax.plot([bx, bx + scale_km / km_per_deg], [by, by], color="#333333", lw=1.5)
            scale_text = f"{scale_km:g}".replace(".", decimal) + " km"
            ax.text(bx, by + 0.012 * (y1 - y0), scale_text, fontsize=6, color="#333333")
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_title(title, loc="left")
        from matplotlib.cm import ScalarMappable

        bar = fig.colorbar(
            ScalarMappable(norm=norm, cmap=cmap),
            ax=ax,
            shrink=0.7,
            pad=0.01,
            extend=extend,
        )
        bar.set_label(label)
        bar.outline.set_visible(False)
        _decimal_ticks([bar.ax.yaxis], decimal)

    return _render(draw, *size_in)


def ranking_svg(names: Sequence[str], contributions: np.ndarray, **options: Any) -> str:
    """:func:`ranking_figure` as an SVG document (same arguments)."""
    return _to_svg(ranking_figure(names, contributions, **options))


def ranking_figure(
    names: Sequence[str],
    contributions: np.ndarray,
    *,
    criterion_labels: Sequence[str],
    scores: Sequence[float] | None = None,
    title: str = "Ranking: weighted contribution of each pejlemærke",
    xlabel: str = "score (0-100)",
    score_label: str = "method score",
    decimal: str = ".",
) -> Figure:
    """Horizontal stacked bars of each project's weighted criterion contributions.

    Parameters
    ----------
    names
        Project labels, best first (drawn top to bottom).
    contributions
        (P, C) weighted contribution of each criterion to each project's score.
    criterion_labels
        C legend labels.
    scores
        Optional (P,) score of the chosen method, drawn as a black tick when it differs from
        the sum of the contributions (TOPSIS, PROMETHEE).
    title, xlabel, score_label
        Texts of the title, the x axis and the method-score marker.
    decimal
        Decimal mark of the numbers (``","`` for Danish).
    """
    contrib = np.asarray(contributions, dtype=float)
    n, c = contrib.shape
    if len(names) != n or len(criterion_labels) != c:
        raise ValueError("names/criterion_labels do not match the contributions' shape")

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        left = np.zeros(n)
        for k in range(c):
            width = np.nan_to_num(contrib[:, k])
            ax.barh(
                y,
                width,
                left=left,
                height=0.68,
                color=CRITERION_COLOURS[k % len(CRITERION_COLOURS)],
                label=criterion_labels[k],
                edgecolor="white",
                linewidth=0.6,
            )
            left += width
        for yi, total in zip(y, left, strict=True):
            text = f"{total:.1f}".replace(".", decimal)
            ax.text(total + 0.8, yi, text, va="center", fontsize=8.5, color="#111827")
        if scores is not None:
            sc = np.asarray(scores, dtype=float)
            if not np.allclose(sc, left, atol=0.05, equal_nan=True):
                ax.scatter(sc, y, marker="|", s=160, color="black", zorder=3, label=score_label)
        ax.set_yticks(y, [str(s) for s in names])
        ax.set_xlim(0, max(100.0, float(left.max()) * 1.08 if n else 100.0))
        ax.set_xlabel(xlabel)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=10.5)
        ax.grid(axis="x", color="#e5e7eb", linewidth=0.8)
        ax.set_axisbelow(True)
        # Below the axes, inside the figure: constrained layout makes room for an "outside"
        # legend, and two columns keep the longest pejlemærke names within the width.
        fig.legend(loc="outside lower center", ncol=2, fontsize=8)

    return _build(draw, 8.0, max(3.2, 0.42 * n + 2.4))


def frontier_svg(
    budgets_mdkk: Sequence[float],
    scores: Sequence[float],
    *,
    chosen: tuple[float, float] | None = None,
    labels: Sequence[str] | None = None,
    title: str = "Portfolio frontier: best total score per budget",
    xlabel: str = "budget (mio. kr.)",
    ylabel: str = "total score",
    chosen_label: str = "selected portfolio",
    decimal: str = ".",
) -> str:
    """Step plot of the efficient frontier (budget vs best total score).

    Parameters
    ----------
    budgets_mdkk, scores
        Frontier points (budget in mio. kr., total score), any order.
    chosen
        Optional ``(capex_mdkk, score)`` of the selected portfolio, marked with a star.
    labels
        Optional short label per point (e.g. the number of projects).
    xlabel
        Label of the x axis (the budget, or the capital cost of each best portfolio).
    title, ylabel, chosen_label
        Texts of the title, the y axis and the selected portfolio's marker.
    decimal
        Decimal mark of the tick labels (``","`` for Danish).
    """
    b = np.asarray(budgets_mdkk, dtype=float)
    s = np.asarray(scores, dtype=float)
    order = np.argsort(b, kind="stable")
    b, s = b[order], s[order]

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        ax.step(b, s, where="post", color="#0072B2", linewidth=2)
        ax.scatter(b, s, color="#0072B2", s=22, zorder=3)
        if labels is not None:
            labs = [labels[i] for i in order]
            for x, y, t in zip(b, s, labs, strict=True):
                ax.annotate(t, (x, y), textcoords="offset points", xytext=(4, 5), fontsize=7.5)
        if chosen is not None:
            ax.scatter(
                [chosen[0]],
                [chosen[1]],
                marker="*",
                s=220,
                color="#D55E00",
                zorder=4,
                label=chosen_label,
            )
            ax.legend(loc="lower right")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left")
        ax.grid(color="#e5e7eb", linewidth=0.8)
        _decimal_ticks([ax.xaxis, ax.yaxis], decimal)
        ax.set_axisbelow(True)

    return _render(draw, 7.2, 3.6)


def acceptability_svg(names: Sequence[str], probabilities: np.ndarray, **options: Any) -> str:
    """:func:`acceptability_figure` as an SVG document (same arguments)."""
    return _to_svg(acceptability_figure(names, probabilities, **options))


def acceptability_figure(
    names: Sequence[str],
    probabilities: np.ndarray,
    *,
    title: str = "Rank acceptability: probability of each rank under uncertain weights",
    rank_label: str = "rank {rank}",
    xlabel: str = "probability",
    decimal: str = ".",
) -> Figure:
    """Stacked horizontal bars of P(rank = k) per project (SMAA rank acceptability).

    Parameters
    ----------
    names
        Project labels (drawn top to bottom in the given order).
    probabilities
        (P, K) probability of rank 1..K per project; rows sum to 1.
    title, xlabel
        Texts of the title and the x axis.
    rank_label
        Legend label of rank k, with a ``{rank}`` placeholder.
    decimal
        Decimal mark of the tick labels (``","`` for Danish).
    """
    prob = np.asarray(probabilities, dtype=float)
    n, k = prob.shape
    if len(names) != n:
        raise ValueError("names do not match the probabilities' rows")

    def draw(fig: Figure) -> None:
        from matplotlib import colormaps

        ax = fig.add_subplot()
        cmap = colormaps["viridis"]
        y = np.arange(n)[::-1]
        left = np.zeros(n)
        for r in range(k):
            width = np.nan_to_num(prob[:, r])
            colour = cmap(r / max(k - 1, 1))
            ax.barh(
                y,
                width,
                left=left,
                height=0.68,
                color=colour,
                edgecolor="white",
                linewidth=0.5,
                label=rank_label.format(rank=r + 1),
            )
            for yi, lft, w in zip(y, left, width, strict=True):
                if w >= 0.12:
                    bright = sum(colour[:3]) / 3
                    ax.text(
                        lft + w / 2,
                        yi,
                        f"{r + 1}",
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color="black" if bright > 0.5 else "white",
                    )
            left += width
        ax.set_yticks(y, [str(s) for s in names])
        ax.set_xlim(0, 1)
        ax.set_xlabel(xlabel)
        _decimal_ticks([ax.xaxis], decimal)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=10.5)
        # Below the axes, inside the figure (as the ranking chart's legend).
        fig.legend(loc="outside lower center", ncol=min(k, 8), fontsize=7.5)

    return _build(draw, 8.0, max(3.2, 0.42 * n + 2.4))
