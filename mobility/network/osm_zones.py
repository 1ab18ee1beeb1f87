"""Zones and centroid connectors for a road graph imported from OpenStreetMap.

Zones (``--zones``, :func:`read_zone_points`, :func:`attach_zones`): each zone of a CSV file
(``zone_id``, ``lat``, ``lon``, optional ``name``; WGS84) becomes a GMNS centroid node
(``node_type`` centroid, its ``zone_id``, ``no_thru`` 1: no path passes through it) at its
coordinate, joined both ways to its nearest ``k`` road nodes (default 2) by great-circle
distance, ties by node id. Those road nodes are taken from the largest strongly connected
part for cars, and not at a junction whose every link is motorway or expressway (as the
bundled region's connectors, ``mobility/data/build_roads.py``: such an interchange has no
local access), unless no other node is left. A connector has ``road_class`` connector, the
bundled region's connector attributes (``mobility/data/road_classes.csv``: 4,000 veh/h on one
lane, every mode; 30 km/h standing for access within the zone, ``build_roads.py``) and BPR
``vdf_alpha`` 0 (it does not congest, as ``mobility.region.roads.BPR_BY_CLASS``); its length is
the great-circle distance (at least :data:`CONNECTOR_MIN_KM`), not a road length. A centroid's
``node_id`` is its ``zone_id`` (the bundled region's convention) unless a road node already has
one of the zone ids; then every centroid gets ``10^d + zone_id``, ``10^d`` above every road
node id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from mobility.errors import InputError
from mobility.network.osm import _wkt

__all__ = [
    "CONNECTOR_CAPACITY_VPH",
    "CONNECTOR_MIN_KM",
    "CONNECTOR_SPEED_KMH",
    "DEFAULT_CONNECTORS",
    "ZonePoint",
    "attach_zones",
    "read_zone_points",
]

#: Road nodes each zone is joined to by default.
DEFAULT_CONNECTORS = 2
#: Connector capacity, veh/h on its one lane (``mobility/data/road_classes.csv``, connector).
CONNECTOR_CAPACITY_VPH = 4000.0
#: Connector free speed, km/h: access within the zone (``mobility/data/build_roads.py``).
CONNECTOR_SPEED_KMH = 30.0
#: Shortest connector, km (a zone on a road node still gets a length above 0, which
#: ``mobility network info`` and the region loader require).
CONNECTOR_MIN_KM = 0.001
CONNECTOR_SOURCE = (
    "centroid connector (mobility network from-osm --zones): great-circle length, "
    "30 km/h, 4000 veh/h, no congestion [M]"
)
ZONE_COLUMNS = ("zone_id", "lat", "lon")
_FAST_CLASSES = frozenset({"motorway", "expressway"})


@dataclass(frozen=True)
class ZonePoint:
    """One zone of a zones file: its id, WGS84 coordinate and (optional) name."""

    zone_id: int
    lon: float
    lat: float
    name: str = ""


def _check_connectors(connectors: int) -> None:
    if isinstance(connectors, bool) or not isinstance(connectors, int) or connectors < 1:
        raise InputError(f"value {connectors!r}", field="--connectors", expected="an integer >= 1")


def read_zone_points(path: str | Path) -> list[ZonePoint]:
    """Read a zones CSV: ``zone_id`` (integer >= 1, unique), ``lat``, ``lon`` (WGS84
    degrees) and optionally ``name``.

    Parameters
    ----------
    path
        The CSV file (UTF-8, comma-separated, one header line).

    Returns
    -------
    list of ZonePoint
        In file order.

    Raises
    ------
    InputError
        Missing file or column, an empty, non-numeric or out-of-range value (latitude
        -90..90, longitude -180..180), a duplicate ``zone_id`` or no zone at all; naming the
        file, line and field.
    """
    from mobility.network.gmns import _int, _num, _read_table

    path = Path(path)
    _, rows = _read_table(path, ZONE_COLUMNS)
    points: list[ZonePoint] = []
    seen: dict[int, int] = {}
    for line, row in rows:
        zone = _int(row, "zone_id", path=path, line=line, required=True)
        assert zone is not None  # required
        if zone < 1:
            raise InputError(
                f"value {zone}", file=path, line=line, field="zone_id", expected="an integer >= 1"
            )
        if zone in seen:
            raise InputError(
                f"duplicate zone_id {zone} (also on line {seen[zone]})",
                file=path,
                line=line,
                field="zone_id",
            )
        seen[zone] = line
        coords = {}
        for name, limit in (("lat", 90.0), ("lon", 180.0)):
            value = _num(row, name, path=path, line=line)
            if value is None:
                raise InputError(
                    "empty value", file=path, line=line, field=name, expected="a number"
                )
            if not -limit <= value <= limit:
                raise InputError(
                    f"value {row[name]}",
                    file=path,
                    line=line,
                    field=name,
                    expected=f"WGS84 degrees from {-limit:g} to {limit:g}",
                )
            coords[name] = value
        points.append(ZonePoint(zone, coords["lon"], coords["lat"], row.get("name", "")))
    if not points:
        raise InputError("no zones", file=path, expected="one row per zone")
    return points


def _connector_targets(graph: nx.MultiDiGraph) -> list[Any]:
    """Road nodes a connector may end at (ascending id): the largest strongly connected part
    for cars, without the junctions whose every car link is motorway or expressway (unless
    that leaves none)."""
    from mobility.network.gmns_network import allows_mode

    car = nx.MultiDiGraph()
    car.add_nodes_from(graph.nodes)
    car.add_edges_from((u, v) for u, v, d in graph.edges(data=True) if allows_mode(d, "car"))
    part = max(nx.strongly_connected_components(car), key=lambda c: (len(c), -min(c)))
    classes: dict[Any, set[str]] = {}
    for u, v, d in graph.edges(data=True):
        if allows_mode(d, "car"):
            for n in (u, v):
                classes.setdefault(n, set()).add(str(d.get("road_class", "")))
    local = [n for n in part if not classes.get(n, set()) <= _FAST_CLASSES]
    return sorted(local or part)


def attach_zones(
    graph: nx.MultiDiGraph,
    zones: Sequence[ZonePoint],
    *,
    connectors: int = DEFAULT_CONNECTORS,
) -> nx.MultiDiGraph:
    """The road graph with a centroid node per zone and connectors both ways to its
    ``connectors`` nearest road nodes (rules in the module docstring).

    Parameters
    ----------
    graph
        A road graph of :func:`mobility.network.osm.osm_to_graph` (node ``x``/``y`` WGS84,
        integer ids and ``link_id``); not changed.
    zones
        The zones (:func:`read_zone_points`).
    connectors
        Road nodes per zone (fewer where the network has fewer).

    Returns
    -------
    networkx.MultiDiGraph
        A copy with the centroids (``node_type`` centroid, ``zone_id``, ``name``,
        ``no_thru`` True) and the connector links (``link_id`` from above the largest one,
        zone by zone in ascending ``zone_id``, each pair out then back); ``graph.graph``
        gets ``n_zones`` and ``n_connectors``, and ``longest_connector_km``.

    Raises
    ------
    InputError
        A bad ``connectors`` value, or no road node open to cars.
    """
    import numpy as np

    from mobility.network.geometry import haversine_km

    _check_connectors(connectors)
    targets = _connector_targets(graph)
    if not targets:
        raise InputError("no road node open to cars to attach the zones to", field="--zones")
    out = graph.copy()
    ids = {int(z.zone_id) for z in zones}
    road_ids = [int(n) for n in graph.nodes]
    base = 0
    if ids & set(road_ids):
        base = 10 ** len(str(max(road_ids)))
    link_ids = [int(d["link_id"]) for _, _, d in graph.edges(data=True) if "link_id" in d]
    next_link = max(link_ids, default=0) + 1
    tx = np.array([float(graph.nodes[n]["x"]) for n in targets])
    ty = np.array([float(graph.nodes[n]["y"]) for n in targets])
    longest = 0.0
    n_links = 0
    for zone in sorted(zones, key=lambda z: z.zone_id):
        c = base + zone.zone_id
        attrs: dict[str, Any] = {
            "x": zone.lon,
            "y": zone.lat,
            "node_type": "centroid",
            "zone_id": zone.zone_id,
            "no_thru": True,
        }
        if zone.name:
            attrs["name"] = zone.name
        out.add_node(c, **attrs)
        dist = haversine_km(zone.lon, zone.lat, tx, ty)
        order = sorted(range(len(targets)), key=lambda i: (float(dist[i]), targets[i]))
        for i in order[:connectors]:
            n = targets[i]
            km = max(round(float(dist[i]), 6), CONNECTOR_MIN_KM)
            longest = max(longest, km)
            node_xy = (float(tx[i]), float(ty[i]))
            for u, v, a, b in ((c, n, (zone.lon, zone.lat), node_xy),
                               (n, c, node_xy, (zone.lon, zone.lat))):  # fmt: skip
                out.add_edge(
                    u,
                    v,
                    key=next_link,
                    link_id=next_link,
                    name=f"Connector zone {zone.zone_id}",
                    road_class="connector",
                    lanes=1,
                    capacity_vph=CONNECTOR_CAPACITY_VPH,
                    free_speed_kmh=CONNECTOR_SPEED_KMH,
                    length_km=km,
                    toll_dkk=0.0,
                    modes="car,bike,walk",
                    vdf_alpha=0.0,
                    vdf_beta=1.0,
                    source=CONNECTOR_SOURCE,
                    geometry=_wkt({}, a, b),
                )
                next_link += 1
                n_links += 1
    out.graph["n_zones"] = len(zones)
    out.graph["n_connectors"] = n_links
    out.graph["longest_connector_km"] = longest
    return out
