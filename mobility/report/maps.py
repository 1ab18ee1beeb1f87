"""The network maps section of the report: the reference volume / capacity maps, the
most-loaded links and each project's change map.

The links come from ``link_flows.csv`` (and the per-project link flows) placed by the run's
node coordinates; the drawing itself is :mod:`mobility.report.svgmap`'s, the colour scales
:func:`mobility.report.plots.colour_scale`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mobility.report import plots, svgmap
from mobility.report.context import ReportContext, project_names, section_order
from mobility.report.markup import column_index, esc, html_table, missing_note, to_float

__all__ = [
    "CHANGE_CLASSES",
    "MAP_SKIP_CLASSES",
    "REF_CLASSES",
    "municipality_outlines",
    "project_change_maps",
    "section_maps",
]


#: Road classes left out of the maps and the most-loaded table (not real roads).
MAP_SKIP_CLASSES: frozenset[str] = frozenset({"connector"})


def _link_arrays(
    header: Sequence[str], rows: Sequence[Sequence[Any]], coords: Mapping[Any, tuple[float, float]]
) -> dict[str, Any] | None:
    """Segments, ids, volume, capacity, names and classes of the drawable links.

    Links whose end nodes have no coordinates, and centroid connectors, are left out.
    """
    # the header is the schema's (read with LINK_FLOWS / PROJECT_LINK_FLOWS); only the
    # change column is optional (link_flows.csv has none)
    names = list(header)
    i_id, i_from, i_to = names.index("link_id"), names.index("from"), names.index("to")
    i_vol, i_cap = names.index("volume_peak_hour"), names.index("capacity")
    i_name, i_cls = names.index("name"), names.index("road_class")
    i_change = column_index(header, "volume_peak_hour_change")
    seg, ids, vol, cap, link_names, classes, change = [], [], [], [], [], [], []
    for row in rows:
        cls = str(row[i_cls]) if row[i_cls] is not None else ""
        a, b = coords.get(row[i_from]), coords.get(row[i_to])
        if a is None or b is None or cls in MAP_SKIP_CLASSES:
            continue
        seg.append((*a, *b))
        ids.append(row[i_id])
        vol.append(to_float(row[i_vol]))
        cap.append(to_float(row[i_cap]))
        link_names.append(row[i_name])
        classes.append(cls)
        if i_change is not None:
            change.append(to_float(row[i_change]))
    if not seg:
        return None
    return {
        "segments": np.array(seg, dtype=float),
        "ids": ids,
        "volume": np.array(vol),
        "capacity": np.array(cap),
        "names": link_names,
        "classes": classes,
        "change": np.array(change) if i_change is not None else None,
    }


def _vc(volume: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(capacity > 0, volume / capacity, np.nan)


def _widths(volume: np.ndarray) -> np.ndarray:
    top = float(np.nanmax(volume)) if np.isfinite(volume).any() else 0.0
    if top <= 0:
        return np.full(volume.shape, 1.0)
    return 0.5 + 3.0 * np.sqrt(np.clip(np.nan_to_num(volume), 0, None) / top)


def _map_extents(links: dict[str, Any]) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The map views: the region (ferries and far outliers clipped) and, for a large region,
    a zoom on the densest part (central Copenhagen in the bundled network)."""
    seg = links["segments"]
    keep = np.array([c != "ferry" for c in links["classes"]])
    pts = seg[keep] if keep.any() else seg
    xs = np.concatenate([pts[:, 0], pts[:, 2]])
    ys = np.concatenate([pts[:, 1], pts[:, 3]])
    x0, x1 = np.percentile(xs, [1, 99])
    y0, y1 = np.percentile(ys, [1, 99])
    px, py = 0.04 * max(x1 - x0, 1e-3), 0.04 * max(y1 - y0, 1e-3)
    views = [("whole", (x0 - px, x1 + px, y0 - py, y1 + py))]
    if x1 - x0 > 0.6:  # a region-sized network: add a zoom on its densest part
        mid_x = (pts[:, 0] + pts[:, 2]) / 2
        mid_y = (pts[:, 1] + pts[:, 3]) / 2
        cx, cy = float(np.median(mid_x)), float(np.median(mid_y))
        views.append(("central", (cx - 0.16, cx + 0.16, cy - 0.09, cy + 0.09)))
    return views


def municipality_outlines() -> tuple[list[np.ndarray], list[tuple[str, float, float]]]:
    """The municipality boundaries bundled with the package (``mobility/data/
    municipalities.geojson``, DAGI, Geodatastyrelsen og Danske Kommuner) as lon/lat outer
    rings (every other vertex), and each municipality's name at the mean of its largest ring
    (empty when the file is absent)."""
    import json

    from mobility.resources import data_dir

    path = data_dir() / "municipalities.geojson"
    if not path.is_file():
        return [], []
    doc = json.loads(path.read_text(encoding="utf-8"))
    rings: list[np.ndarray] = []
    names: list[tuple[str, float, float]] = []
    for feature in doc.get("features", []):
        geom = feature.get("geometry") or {}
        polys = geom.get("coordinates", [])
        if geom.get("type") == "Polygon":
            polys = [polys]
        # every other vertex: ~100 m, finer than a map of the region shows, half the bytes
        outer = [np.asarray(poly[0], dtype=float)[::2, :2] for poly in polys if poly]
        outer = [r for r in outer if len(r) >= 3]
        rings.extend(outer)
        if outer:
            big = max(outer, key=len)
            name = str((feature.get("properties") or {}).get("name", ""))
            names.append((name, float(big[:, 0].mean()), float(big[:, 1].mean())))
    return rings, names


@dataclass
class _MapState:
    """What every map of the report shares: the reference links, the frame and the views."""

    ref: dict[str, Any]
    frame: svgmap.Frame
    views: list[tuple[str, tuple[float, float, float, float]]]
    names: list[tuple[str, float, float]]
    defs: str


def _map_state(ctx: ReportContext) -> _MapState | None:
    """The reference links and the shared base map (computed once per report)."""
    if ctx.maps is not None:
        return ctx.maps or None
    data = ctx.data
    ref = None
    if "link_flows" in data.tables and data.node_coords:
        header, rows = data.tables["link_flows"]
        ref = _link_arrays(header, rows, data.node_coords)
    if ref is None:
        ctx.maps = False
        return None
    views = _map_extents(ref)
    frame = svgmap.Frame.from_extent(views[0][1])
    rings, names = municipality_outlines()
    ctx.maps = _MapState(ref, frame, views, names, svgmap.base_defs(frame, rings, ref["segments"]))
    return ctx.maps


#: Colour classes of the maps (reference: volume / capacity; change: diverging, odd so that
#: one class is centred on zero).
REF_CLASSES = 10
CHANGE_CLASSES = 11


def _map_figure(svg: str, bar: str, caption: str = "", title: str = "") -> str:
    head = f'<div class="maptitle">{esc(title)}</div>' if title else ""
    cap = f'<div class="caption">{esc(caption)}</div>' if caption else ""
    return f'<div class="figure mapfig">{head}{svg}{bar}{cap}</div>'


def section_maps(ctx: ReportContext) -> str:
    """The maps section: the reference volume / capacity maps (the region and, for a large
    region, the centre), the ten most loaded links, and where each project's change map is.

    Parameters
    ----------
    ctx
        The report's context (link_flows.csv, node coordinates, per-project link flows).

    Returns
    -------
    str
        The section's HTML (a note when link flows or coordinates are absent).
    """
    t = ctx.t
    data = ctx.data
    if "link_flows" not in data.tables:
        return missing_note(t("maps.absent"))
    if not data.node_coords:
        return missing_note(t("maps.no_coords"))
    state = _map_state(ctx)
    if state is None:
        return missing_note(t("maps.no_links"))
    ref = state.ref
    vc = _vc(ref["volume"], ref["capacity"])
    lo, vc_top, vc_extend = plots.colour_scale(vc)
    colours = svgmap.class_colours("RdYlGn_r", REF_CLASSES)
    classes = svgmap.classify(vc, lo, vc_top, REF_CLASSES)
    bar = svgmap.colour_bar(
        colours,
        lo,
        vc_top,
        label=t("maps.ref.label"),
        clip_low=vc_extend in ("min", "both"),
        clip_high=vc_extend in ("max", "both"),
        fmt=t.num,
    )
    parts = [f'<p class="sub">{esc(t("maps.sub"))}</p>', state.defs]
    figures = []
    for view, extent in state.views:
        svg = svgmap.link_map(
            state.frame,
            state.frame.view(extent),
            ref["segments"],
            classes,
            _widths(ref["volume"]),
            colours,
            label=t("maps.ref.alt", view=t(f"maps.view.{view}")),
            grey_network=False,
            place_names=state.names,
            decimal=t("decimal_mark"),
        )
        title = t("maps.ref.title", view=t(f"maps.view.{view}"))
        figures.append(_map_figure(svg, bar, title=title))
    parts.append(f'<p class="sub">{esc(t("maps.attribution"))}</p>')
    parts.append(f'<div class="grid2">{"".join(figures)}</div>' if len(figures) > 1 else figures[0])
    if vc_extend != "neither":
        parts.append(f'<p class="sub">{esc(t("maps.ref.clipped", top=t.num(vc_top)))}</p>')
    order = np.argsort(-np.nan_to_num(vc, nan=-1.0), kind="stable")[:10]
    top = [
        (
            ref["names"][i],
            ref["ids"][i],
            float(ref["volume"][i]),
            float(ref["capacity"][i]),
            float(vc[i]),
        )
        for i in order
    ]
    parts.append(f"<h3>{esc(t('maps.top.heading'))}</h3>")
    head = ["road", "link", "volume", "capacity", "vc"]
    parts.append(html_table([t(f"maps.top.col.{h}") for h in head], top, t))
    if data.project_link_flows:
        maps = project_change_maps(ctx)
        links = ", ".join(
            f'<a href="#map-{esc(pid)}">{esc(project_names(ctx).get(pid, pid))}</a>'
            for pid, m in maps.items()
            if m.startswith("<div")
        )
        parts.append(
            f"<h3>{esc(t('maps.change.heading'))}</h3>"
            f'<p class="sub">{esc(t("maps.change.sub"))}</p>'
            f'<p class="sub">{esc(t("maps.change.where"))} {links}</p>'
        )
        # a project without a section of its own (not in projects/impacts): its map here
        own = set(section_order(ctx))
        orphans = [m for pid, m in maps.items() if pid not in own and m != "unchanged"]
        if orphans:
            parts.append(f'<div class="grid2">{"".join(orphans)}</div>')
        unchanged = [
            project_names(ctx).get(pid, pid) for pid, m in maps.items() if m == "unchanged"
        ]
        if unchanged:
            parts.append(
                f'<p class="sub">{esc(t("maps.change.none", projects="; ".join(unchanged)))}</p>'
            )
    else:
        parts.append(missing_note(t("maps.change.absent")))
    return "".join(parts)


def project_change_maps(ctx: ReportContext) -> dict[str, str]:
    """Project id -> its change map (a figure), ``"unchanged"`` or a missing-note (once).

    Parameters
    ----------
    ctx
        The report's context; the maps are kept in ``ctx.change_maps``.

    Returns
    -------
    dict
        One entry per project with link flows (empty when there are no maps).
    """
    if ctx.change_maps is not None:
        return ctx.change_maps
    t = ctx.t
    out: dict[str, str] = {}
    ctx.change_maps = out
    state = _map_state(ctx)
    if state is None:
        return out
    ref = state.ref
    pnames = project_names(ctx)
    ref_vol = dict(zip(ref["ids"], ref["volume"], strict=True))
    colours = svgmap.class_colours("RdBu_r", CHANGE_CLASSES)
    middle = CHANGE_CLASSES // 2
    view = state.frame.view(state.views[0][1])
    for pid, (ph, prow) in sorted(ctx.data.project_link_flows.items()):
        proj = _link_arrays(ph, prow, ctx.data.node_coords)
        if proj is None:
            out[pid] = missing_note(t("maps.change.no_coords", pid=pid))
            continue
        delta = proj["change"]
        if delta is None:  # a plain link_flows.csv of the project run: against the reference
            delta = np.array(
                [v - ref_vol.get(i, 0.0) for i, v in zip(proj["ids"], proj["volume"], strict=True)]
            )
        label = pnames.get(pid, pid)
        if not np.any(np.abs(np.nan_to_num(delta)) >= 1.0):
            out[pid] = "unchanged"
            continue
        lo, span, extend = plots.colour_scale(delta, diverging=True)
        classes = svgmap.classify(delta, lo, span, CHANGE_CLASSES)
        classes = np.where(classes == middle, -1, classes)  # near zero: the grey network
        caption = (
            t("maps.change.clipped", span=t.num(span))
            if extend != "neither"
            else t("maps.change.full", span=t.num(span))
        )
        step = 2 * span / CHANGE_CLASSES
        caption += " " + t("maps.change.middle", step=t.num(step / 2))
        bar = svgmap.colour_bar(
            colours,
            lo,
            span,
            label=t("maps.change.label"),
            clip_low=extend in ("min", "both"),
            clip_high=extend in ("max", "both"),
            fmt=t.num,
            hollow=middle,
        )
        svg = svgmap.link_map(
            state.frame,
            view,
            proj["segments"],
            classes,
            _widths(np.abs(delta)) * 1.2,
            colours,
            label=t("maps.change.alt", project=label),
            grey_network=True,
            place_names=state.names,
            decimal=t("decimal_mark"),
        )
        out[pid] = _map_figure(svg, bar, caption, title=t("maps.change.title", project=label))
    return out
