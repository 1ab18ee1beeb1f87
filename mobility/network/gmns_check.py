"""GMNS length check: each link's stated ``length`` against its length by coordinates.

A GMNS folder (https://github.com/zephyr-data-specs/GMNS, ``docs/spec/config.md``) states
its length unit in ``config.csv`` (``long_length``); :func:`check_lengths` compares the
stated lengths with the links' ``geometry`` or node-to-node lines, where ``config.csv``
states a ``crs``, and names the unit the lengths look like when they are off (issue 14).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from mobility.network.gmns import ordered_edges
from mobility.network.gmns_zones import is_centroid_type

__all__ = ["LENGTH_FACTOR", "LengthCheck", "check_lengths"]

#: A link's stated length and its length by coordinates may differ by at most this factor
#: before :func:`check_lengths` reports it (issue 14: the official Freeway_Interchange
#: example states 2,193 "mile" for a ramp of about 0.4 mile).
LENGTH_FACTOR = 3.0
#: Length units :func:`check_lengths` can recognise in mis-stated lengths: name -> metres.
_UNIT_METRES = {"m": 1.0, "foot": 0.3048, "km": 1000.0, "mile": 1609.344}
_UNIT_PLURAL = {"m": "metres", "foot": "feet", "km": "km", "mile": "miles"}
_UNIT_NAMES = {
    **{k: "m" for k in ("meter", "meters")},
    **{k: "km" for k in ("kilometer", "kilometers")},
    **{k: "mile" for k in ("mi", "miles")},
}


@dataclass(frozen=True)
class LengthCheck:
    """What :func:`check_lengths` found.

    ``checked``: links compared; ``off``: ``(link_id, stated_km, coordinates_km)`` of the
    links whose ratio is outside ``[1/factor, factor]``, in link order; ``median_ratio``:
    median stated / coordinate length over the checked links; ``unit``: the file's length
    unit (``config.csv`` ``long_length``); ``likely_unit``: the unit of
    :data:`_UNIT_METRES` nearest to making the median ratio 1, if within a factor 1.4
    (roads are longer than the straight line between their nodes); ``skipped``:
    why nothing was checked (empty when something was).
    """

    checked: int
    off: list[tuple[Any, float, float]]
    median_ratio: float
    unit: str
    likely_unit: str = ""
    skipped: str = ""
    factor: float = LENGTH_FACTOR

    @property
    def ok(self) -> bool:
        return not self.off

    def message(self) -> str:
        """One line for ``network info`` and the warning of ``mobility assign``."""
        if self.skipped:
            return f"not checked ({self.skipped})"
        if not self.off:
            return (
                f"ok, {self.checked} links within a factor {self.factor:g} of their "
                f"coordinates (median ratio {self.median_ratio:.3g})"
            )
        lid, stated, coord = self.off[0]
        text = (
            f"{len(self.off)} of {self.checked} links differ from their coordinates by more "
            f"than a factor {self.factor:g} (median stated/coordinates {self.median_ratio:,.4g}; "
            f"e.g. link {lid}: {stated:,.4g} km stated, {coord:,.4g} km by coordinates)"
        )
        if self.likely_unit and self.likely_unit != _UNIT_NAMES.get(self.unit, self.unit):
            text += (
                f"; the lengths look like {_UNIT_PLURAL[self.likely_unit]}, while config.csv "
                f"long_length says {self.unit}"
            )
        return text


def _coordinate_km(graph: nx.MultiDiGraph) -> Any:
    """A function ``(u, v, data) -> km`` by coordinates (edge ``geometry`` WKT when it
    parses, else the straight line between the nodes), or a reason string when the CRS
    cannot be used."""
    from pyproj import CRS, Geod
    from pyproj.exceptions import CRSError
    from shapely import wkt
    from shapely.errors import ShapelyError

    text = str(graph.graph.get("crs") or "").strip()
    try:
        crs = CRS.from_user_input(int(text) if text.isdigit() else text)
    except (CRSError, ValueError, TypeError):
        return f"unknown crs '{text}'"
    geod = Geod(ellps="WGS84") if crs.is_geographic else None
    to_m = 1.0 if geod is not None else float(crs.axis_info[0].unit_conversion_factor)

    def km(u: Any, v: Any, data: dict) -> float:
        coords = None
        geom = data.get("geometry")
        if isinstance(geom, str) and geom.strip():
            try:
                shape = wkt.loads(geom)
                if shape.geom_type == "LineString" and not shape.is_empty:
                    coords = list(shape.coords)
            except ShapelyError:
                coords = None
        if coords is None:
            a, b = graph.nodes[u], graph.nodes[v]
            coords = [(float(a["x"]), float(a["y"])), (float(b["x"]), float(b["y"]))]
        xs, ys = [c[0] for c in coords], [c[1] for c in coords]
        if geod is not None:
            return float(geod.line_length(xs, ys)) / 1000.0
        return sum(math.dist(p, q) for p, q in itertools.pairwise(coords)) * to_m / 1e3

    return km


def check_lengths(graph: nx.MultiDiGraph, *, factor: float = LENGTH_FACTOR) -> LengthCheck:
    """Compare each link's stated ``length`` with its length by coordinates.

    Only where ``config.csv`` states a ``crs`` (without one, coordinates may be a drawing,
    as in the Path4GMNS toy networks). Links whose stated length or coordinate length is
    0, connectors (``road_class`` connector) and links that touch a typed centroid (their
    lengths are conventions, not distances) are left out. Coordinates: the link's
    ``geometry`` WKT when it has one, else the straight line between its nodes (great-circle
    for a geographic CRS, planar x the axis unit for a projected one).

    Parameters
    ----------
    graph
        A graph of :func:`mobility.network.gmns.read_gmns` (its ``length_unit``, ``crs``
        and ``crs_stated``).
    factor
        A link is reported when its stated / coordinate length ratio is outside
        ``[1/factor, factor]``.

    Returns
    -------
    LengthCheck
    """
    unit = str(graph.graph.get("length_unit", "km"))
    if not graph.graph.get("crs_stated", False):
        return LengthCheck(0, [], math.nan, unit, skipped="config.csv states no crs")
    km = _coordinate_km(graph)
    if isinstance(km, str):
        return LengthCheck(0, [], math.nan, unit, skipped=km)
    ratios: list[float] = []
    off: list[tuple[Any, float, float]] = []
    for u, v, key, data in ordered_edges(graph):
        if data.get("gmns_reverse") or str(data.get("road_class", "")).lower() == "connector":
            continue
        if any(is_centroid_type(graph.nodes[n].get("node_type")) for n in (u, v)):
            continue
        stated = float(data.get("length_km") or 0.0)
        coord = km(u, v, data)
        if stated <= 0 or not coord > 0:
            continue
        ratio = stated / coord
        ratios.append(ratio)
        if ratio > factor or ratio < 1.0 / factor:
            off.append((data.get("link_id", key), stated, coord))
    if not ratios:
        return LengthCheck(0, [], math.nan, unit, skipped="no link with a length and coordinates")
    median = float(np.median(ratios))
    likely = ""
    stated_m = _UNIT_METRES.get(_UNIT_NAMES.get(unit, unit))
    if stated_m is not None:  # the unit nearest the median ratio, if within a factor 1.4
        name, metres = min(
            _UNIT_METRES.items(), key=lambda kv: abs(math.log(median * kv[1] / stated_m))
        )
        if abs(math.log(median * metres / stated_m)) < math.log(1.4):
            likely = name
    return LengthCheck(len(ratios), off, median, unit, likely_unit=likely, factor=factor)
