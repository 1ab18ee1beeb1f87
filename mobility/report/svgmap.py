"""Network maps as small inline vector SVG, sharing one base map.

The matplotlib maps of earlier reports were whole SVG documents (text as paths, every link
its own element) embedded as base64 images: about 180-290 kB each, 4.7 MB for the default
run's 25 maps. Here every map is an inline ``<svg>`` in one coordinate frame (the region,
:class:`Frame`, rounded to whole user units of about 30 m):

- the land (the municipality boundaries, whose outer edges draw the coast) and the
  reference road network in light grey are drawn once, in a hidden ``<defs>`` block
  (:func:`base_defs`), and each map reuses them with ``<use href="#...">``;
- a map then adds only its coloured links, grouped into one ``<path>`` per colour class and
  line width (:func:`link_map`); a change map draws only the links whose change is outside the
  middle class of its scale, over the grey reference network;
- the names and the scale bar are live text and lines; line widths stay in screen pixels
  (``vector-effect: non-scaling-stroke`` in ``report.css``), so a zoomed view keeps them;
- the colour scale (:func:`colour_bar`) is a row of classes with their limits, and an arrow
  end where values beyond the limit take the end colour.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Width of the frame in user units (the region's width; about 30 m per unit).
FRAME_WIDTH = 2000.0


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Frame:
    """A lon/lat window projected to user units: x east, y south, the x axis scaled by the
    cosine of the mean latitude so that the map is not stretched."""

    lon0: float
    lat1: float
    kx: float
    scale: float
    width: float
    height: float

    @classmethod
    def from_extent(cls, extent: tuple[float, float, float, float]) -> Frame:
        x0, x1, y0, y1 = extent
        kx = max(float(np.cos(np.radians((y0 + y1) / 2))), 0.1)
        scale = FRAME_WIDTH / max((x1 - x0) * kx, 1e-9)
        return cls(x0, y1, kx, scale, FRAME_WIDTH, round((y1 - y0) * scale))

    def xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rounded user coordinates of lon/lat arrays."""
        x = np.rint((np.asarray(lon) - self.lon0) * self.kx * self.scale).astype(int)
        y = np.rint((self.lat1 - np.asarray(lat)) * self.scale).astype(int)
        return x, y

    def view(self, extent: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
        """The viewBox ``(x, y, w, h)`` of a lon/lat window inside the frame."""
        (ax, bx), (ay, by) = self.xy(
            np.array([extent[0], extent[1]]), np.array([extent[3], extent[2]])
        )
        return int(ax), int(ay), int(bx - ax), int(by - ay)

    def km_per_unit(self) -> float:
        return 111.32 / self.scale


def _segments_d(frame: Frame, seg: np.ndarray) -> str:
    """``M x y L x y`` path data of line segments (zero-length ones left out)."""
    if not len(seg):
        return ""
    ax, ay = frame.xy(seg[:, 0], seg[:, 1])
    bx, by = frame.xy(seg[:, 2], seg[:, 3])
    keep = (ax != bx) | (ay != by)
    return "".join(
        f"M{a} {b}L{c} {d}"
        for a, b, c, d in zip(ax[keep], ay[keep], bx[keep], by[keep], strict=True)
    )


def _ring_d(frame: Frame, ring: np.ndarray) -> str:
    x, y = frame.xy(ring[:, 0], ring[:, 1])
    pts = np.stack([x, y], axis=1)
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)  # drop repeated points after rounding
    pts = pts[keep]
    if len(pts) < 3:
        return ""
    return "M" + "L".join(f"{a} {b}" for a, b in pts) + "Z"


def base_defs(frame: Frame, rings: Sequence[np.ndarray], network: np.ndarray | None) -> str:
    """The hidden block every map reuses: ``#mb-land`` (boundaries) and ``#mb-net`` (the
    reference network in grey)."""
    land = "".join(_ring_d(frame, np.asarray(r, dtype=float)) for r in rings)
    net = _segments_d(frame, network) if network is not None else ""
    return (
        '<svg class="mapdefs" width="0" height="0" aria-hidden="true"><defs>'
        f'<path id="mb-land" class="land" d="{land}"/>'
        f'<path id="mb-net" class="net" d="{net}"/>'
        "</defs></svg>"
    )


def class_colours(cmap_name: str, n: int) -> list[str]:
    """``n`` colours sampled at the class centres of a matplotlib colour map (hex)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps[cmap_name]
    return [to_hex(cmap((k + 0.5) / n)) for k in range(n)]


def classify(values: np.ndarray, lo: float, hi: float, n: int) -> np.ndarray:
    """Class 0..n-1 of each value on ``n`` equal classes from ``lo`` to ``hi`` (values beyond
    take the end class); -1 for NaN."""
    val = np.asarray(values, dtype=float)
    k = np.floor((np.nan_to_num(val) - lo) / (hi - lo) * n).astype(int)
    k = np.clip(k, 0, n - 1)
    return np.where(np.isfinite(val), k, -1)


def link_map(
    frame: Frame,
    view: tuple[int, int, int, int],
    seg: np.ndarray,
    classes: np.ndarray,
    widths: np.ndarray,
    colours: Sequence[str],
    *,
    label: str,
    grey_network: bool,
    place_names: Sequence[tuple[str, float, float]] = (),
    scale_km: float | None = 10.0,
    decimal: str = ".",
) -> str:
    """One map: the shared land (and grey network), then the links of class >= 0 grouped by
    colour class and line width (rounded to 0.5 px), widest and most extreme on top."""
    vx, vy, vw, vh = view
    parts = [
        f'<svg class="map" viewBox="{vx} {vy} {vw} {vh}" role="img" aria-label="{_e(label)}">',
        '<use href="#mb-land"/>',
    ]
    if grey_network:
        parts.append('<use href="#mb-net"/>')
    w = np.round(np.asarray(widths, dtype=float) * 2) / 2
    cls = np.asarray(classes)
    drawn = cls >= 0
    n = len(colours)
    centre = (n - 1) / 2
    groups = sorted(
        {(int(c), float(x)) for c, x in zip(cls[drawn], w[drawn], strict=True)},
        key=lambda g: (abs(g[0] - centre), g[1]),
    )
    for c, x in groups:
        mask = drawn & (cls == c) & (w == x)
        d = _segments_d(frame, seg[mask])
        if d:
            parts.append(f'<path class="lk" stroke="{colours[c]}" stroke-width="{x:g}" d="{d}"/>')
    font = vw / 95
    for name, lon, lat in place_names:
        (x,), (y,) = frame.xy(np.array([lon]), np.array([lat]))
        if vx <= x <= vx + vw and vy <= y <= vy + vh:
            parts.append(f'<text x="{x}" y="{y}" font-size="{font:.0f}">{_e(name)}</text>')
    if scale_km:
        length = scale_km / frame.km_per_unit()
        bx, by = vx + 0.04 * vw, vy + 0.95 * vh
        text = f"{scale_km:g}".replace(".", decimal) + " km"
        parts.append(
            f'<path class="sb" d="M{bx:.0f} {by:.0f}h{length:.0f}"/>'
            f'<text class="sbt" x="{bx:.0f}" y="{by - 0.015 * vh:.0f}" '
            f'font-size="{font * 1.1:.0f}">{_e(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def colour_bar(
    colours: Sequence[str],
    lo: float,
    hi: float,
    *,
    label: str,
    clip_low: bool,
    clip_high: bool,
    fmt: object,
    hollow: int | None = None,
) -> str:
    """The colour scale of a map: ``n`` class boxes from ``lo`` to ``hi``, ticks at the
    ends and the middle, and an arrow end on a side where values beyond the limit take the
    end colour. ``hollow`` is a class drawn as not shown (the change map's middle class)."""
    n = len(colours)
    box, x0, arrow = 28, 14, 12
    width = x0 + n * box + x0
    parts = [
        f'<svg class="cbar" viewBox="0 0 {width} 38" width="{width}" height="38" role="img" '
        f'aria-label="{_e(label)}">'
    ]
    for k, colour in enumerate(colours):
        x = x0 + k * box
        fill = "#f3f4f6" if k == hollow else colour
        parts.append(f'<rect x="{x}" y="4" width="{box}" height="12" fill="{fill}"/>')
    if clip_low:
        parts.append(
            f'<path d="M{x0} 4L{x0 - arrow} 10L{x0} 16Z" fill="{colours[0]}">'
            "<title>clipped</title></path>"
        )
    if clip_high:
        e = x0 + n * box
        parts.append(
            f'<path d="M{e} 4L{e + arrow} 10L{e} 16Z" fill="{colours[-1]}">'
            "<title>clipped</title></path>"
        )
    to_text = fmt if callable(fmt) else str
    for tick_x, v, anchor in (
        (x0, lo, "start"),
        (x0 + n * box / 2, (lo + hi) / 2, "middle"),
        (x0 + n * box, hi, "end"),
    ):
        parts.append(f'<text x="{tick_x:g}" y="30" text-anchor="{anchor}">{_e(to_text(v))}</text>')
    parts.append("</svg>")
    return f'<div class="cbarwrap">{"".join(parts)}<span>{_e(label)}</span></div>'
