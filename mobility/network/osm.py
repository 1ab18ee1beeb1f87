"""Import OpenStreetMap road data (through osmnx) into the model's GMNS network format.

``osm_to_graph`` reads an OSM XML file offline (``osmnx.graph_from_xml``) or, only where the
machine is online and the user asks for it, a named place (``osmnx.graph_from_place``). It
keeps the motor-vehicle road classes listed in :data:`HIGHWAY_CLASSES`, merges chains of
nodes into links with ``osmnx.simplify_graph`` (a node stays wherever road class, name,
lanes or speed limit change), keeps the largest strongly connected part (cars can
leave every kept node and reach it) unless asked otherwise, keeps each link's shape as GMNS
``geometry`` WKT, and sets the region-contract attributes (see :mod:`mobility.network.gmns`).

Attributes per link and where they come from (column ``source`` and the ``*_source``
extension columns say so for every link):

- ``length_km``: osmnx great-circle length of the OSM geometry (m) / 1000.
- ``lanes`` (per direction): OSM ``lanes``; on two-way roads the tag counts both directions,
  so it is halved (rounded down, at least 1). Missing: the class default below (estimate).
- ``free_speed_kmh``: OSM ``maxspeed`` (numbers, ``"50 mph"``, or Danish implicit limits
  ``DK:urban`` 50, ``DK:rural`` 80, ``DK:motorway`` 130, per the Danish Road Traffic Act,
  færdselsloven §42-43). Missing: the class default below (estimate). The speed limit is
  used as free-flow speed; real free-flow speeds in towns are often lower.
- ``capacity_vph`` = capacity per lane (table below, estimate) x lanes.

The per-lane capacities are **estimates** [M]: motorway 2,000 veh/h/lane is near the
Highway Capacity Manual (HCM 6th ed., 2016) basic freeway capacity of 2,250-2,400 pc/h/lane,
reduced for heavy vehicles; urban arterials use about half the HCM base saturation flow of
1,900 pc/h/lane (a green share near 0.5 at signals); lower classes fall in steps. The
default speeds follow Danish general limits (130 motorway, 80 rural, 50 urban) lowered to
typical posted values around Copenhagen. Calibrate against counts before relying on them.

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

==================  ============  ============  ============  ==========  ==================
OSM highway         road_class    veh/h/lane    lanes/dir     km/h        modes
==================  ============  ============  ============  ==========  ==================
motorway            motorway      2000          2             110         car
motorway_link       motorway      1500          1             70          car
trunk               expressway    1800          2             80          car
trunk_link          expressway    1400          1             60          car
primary(_link)      arterial      1000 (900)    1             60 (50)     car,bike,walk
secondary(_link)    arterial      900 (800)     1             60 (50)     car,bike,walk
tertiary(_link)     collector     800 (700)     1             50 (40)     car,bike,walk
unclassified        local         600           1             50          car,bike,walk
residential         local         500           1             40          car,bike,walk
living_street       local         300           1             15          car,bike,walk
==================  ============  ============  ============  ==========  ==================
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from mobility.errors import InputError

__all__ = [
    "CONNECTOR_CAPACITY_VPH",
    "CONNECTOR_MIN_KM",
    "CONNECTOR_SPEED_KMH",
    "DEFAULT_CONNECTORS",
    "HIGHWAY_CLASSES",
    "IMPLICIT_SPEEDS_KMH",
    "SOURCE",
    "HighwayClass",
    "ZonePoint",
    "attach_zones",
    "import_osm",
    "load_osm",
    "osm_to_graph",
    "parse_lanes",
    "parse_maxspeed",
    "read_zone_points",
]


@dataclass(frozen=True)
class HighwayClass:
    """Model attributes assumed for one OSM ``highway`` value (estimates, see module doc)."""

    road_class: str
    capacity_per_lane_vph: float
    lanes: int
    speed_kmh: float
    modes: str
    rank: int  # lower = more important, used when merged ways differ


def _hc(road_class: str, cap: float, lanes: int, speed: float, modes: str, rank: int) -> Any:
    return HighwayClass(road_class, cap, lanes, speed, modes, rank)


_ALL = "car,bike,walk"
#: OSM highway value -> assumed attributes. Ways of any other class are not imported.
HIGHWAY_CLASSES: dict[str, HighwayClass] = {
    "motorway": _hc("motorway", 2000, 2, 110, "car", 0),
    "motorway_link": _hc("motorway", 1500, 1, 70, "car", 1),
    "trunk": _hc("expressway", 1800, 2, 80, "car", 2),
    "trunk_link": _hc("expressway", 1400, 1, 60, "car", 3),
    "primary": _hc("arterial", 1000, 1, 60, _ALL, 4),
    "primary_link": _hc("arterial", 900, 1, 50, _ALL, 5),
    "secondary": _hc("arterial", 900, 1, 60, _ALL, 6),
    "secondary_link": _hc("arterial", 800, 1, 50, _ALL, 7),
    "tertiary": _hc("collector", 800, 1, 50, _ALL, 8),
    "tertiary_link": _hc("collector", 700, 1, 40, _ALL, 9),
    "unclassified": _hc("local", 600, 1, 50, _ALL, 10),
    "residential": _hc("local", 500, 1, 40, _ALL, 11),
    "living_street": _hc("local", 300, 1, 15, _ALL, 12),
}
#: Danish implicit speed limits (færdselsloven §42-43), km/h.
IMPLICIT_SPEEDS_KMH = {"dk:urban": 50.0, "dk:rural": 80.0, "dk:motorway": 130.0}
SOURCE = "OpenStreetMap contributors (ODbL), imported with osmnx; see mobility.network.osm"
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [v for v in value if v is not None]
    return [value]


def parse_maxspeed(value: Any) -> float | None:
    """Speed limit in km/h from an OSM ``maxspeed`` value (lowest of several), or ``None``."""
    speeds = []
    for raw in _values(value):
        for part in str(raw).split(";"):
            text = part.strip().lower()
            if text in IMPLICIT_SPEEDS_KMH:
                speeds.append(IMPLICIT_SPEEDS_KMH[text])
                continue
            match = _NUMBER.match(text)
            if match:
                speed = float(match.group(1))
                if (match.group(2) or "").lower() == "mph":
                    speed *= 1.609344
                if speed > 0:
                    speeds.append(speed)
    return min(speeds) if speeds else None


def parse_lanes(value: Any) -> int | None:
    """Lane count from an OSM ``lanes`` value (lowest of several), or ``None``."""
    lanes = []
    for raw in _values(value):
        for part in str(raw).split(";"):
            try:
                n = int(float(part.strip()))
            except ValueError:
                continue
            if n > 0:
                lanes.append(n)
    return min(lanes) if lanes else None


def _highway(value: Any) -> str | None:
    """The most important known highway class among the (merged) values."""
    known = [str(v) for v in _values(value) if str(v) in HIGHWAY_CLASSES]
    if not known:
        return None
    return min(known, key=lambda h: HIGHWAY_CLASSES[h].rank)


def _text(value: Any) -> str:
    seen: list[str] = []
    for v in _values(value):
        if str(v) not in seen:
            seen.append(str(v))
    return "; ".join(seen)


def load_osm(
    path: str | Path | None = None, *, place: str | None = None, retain_all: bool = False
) -> nx.MultiDiGraph:
    """Read raw OSM roads with osmnx (unsimplified, one-way rules applied).

    Exactly one of ``path`` (an OSM XML file, read offline) and ``place`` (a geocodable
    name; downloads from the Overpass API, so it needs the internet) must be given.
    """
    import osmnx as ox

    if (path is None) == (place is None):
        raise InputError("give either an OSM file or a place name", field="FILE/--place")
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise InputError("file not found", file=path)
        try:
            return ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)
        except Exception as exc:  # osmnx/ElementTree raise several types for bad XML
            message = " ".join(str(exc).split()) or type(exc).__name__
            raise InputError(
                f"cannot be read as OSM XML ({message})", file=path, expected="an .osm file"
            ) from None
    assert place is not None  # exactly one of path and place (checked above)
    try:
        return ox.graph_from_place(place, network_type="drive", simplify=False, retain_all=True)
    except Exception as exc:  # network errors, unknown places
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(
            f"could not fetch '{place}' from OpenStreetMap ({message})", field="--place"
        ) from None


def osm_to_graph(
    raw: nx.MultiDiGraph, *, retain_all: bool = False, source_name: str = "OpenStreetMap"
) -> nx.MultiDiGraph:
    """Turn a raw osmnx graph into the model's GMNS-style road graph.

    Parameters
    ----------
    raw
        Graph from :func:`load_osm` (unsimplified; osmnx attributes ``highway``, ``lanes``,
        ``maxspeed``, ``name``, ``oneway``, ``length`` in m).
    retain_all
        Keep every connected part (default: only the largest strongly connected one).
    source_name
        Dataset name written to ``config.csv``.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by OSM node id (``x`` lon, ``y`` lat); edges keyed by ``link_id``
        (1..M in (from, to, key) order) with the region-contract attributes and
        ``osm_highway``, ``osm_way_id``, ``lanes_source``, ``speed_source``,
        ``capacity_source``, ``source``.

    Raises
    ------
    InputError
        If no road of a known class is left.
    """
    import osmnx as ox

    keep = nx.MultiDiGraph()
    keep.graph.update(raw.graph)
    keep.add_nodes_from(raw.nodes(data=True))
    for u, v, k, data in raw.edges(keys=True, data=True):
        if _highway(data.get("highway")) is not None:
            keep.add_edge(u, v, key=k, **data)
    keep.remove_nodes_from([n for n in list(keep.nodes) if keep.degree(n) == 0])
    if keep.number_of_edges() == 0:
        raise InputError(
            "no roads of a known class",
            field="highway",
            expected="ways tagged highway=" + "|".join(HIGHWAY_CLASSES),
        )
    keep.graph.setdefault("crs", "epsg:4326")
    keep.graph["simplified"] = False
    simple = ox.simplify_graph(
        keep, edge_attrs_differ=["highway", "name", "lanes", "maxspeed", "oneway"]
    )
    if not retain_all:
        # strongly connected for cars: every kept node can reach and be reached from every
        # other, so no one-way stub traps demand (a weak component keeps such dead ends)
        before = (simple.number_of_nodes(), simple.number_of_edges())
        simple = ox.truncate.largest_component(simple, strongly=True)
        dropped = (before[0] - simple.number_of_nodes(), before[1] - simple.number_of_edges())
    else:
        dropped = (0, 0)
    graph = _model_graph(simple, source_name=source_name)
    graph.graph["dropped_nodes"], graph.graph["dropped_links"] = dropped
    return graph


def _wkt(data: dict[str, Any], start: tuple[float, float], end: tuple[float, float]) -> str:
    """The edge's shape as WKT, lon lat to 6 decimals (about 0.1 m): osmnx's merged
    ``geometry`` where simplification made one, else the straight line between its nodes."""
    geom = data.get("geometry")
    coords = list(geom.coords) if geom is not None else [start, end]
    return "LINESTRING (" + ", ".join(f"{x:.6f} {y:.6f}" for x, y in coords) + ")"


def _model_graph(simple: nx.MultiDiGraph, *, source_name: str) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(dataset_name=source_name, crs="EPSG:4326")
    for node in sorted(simple.nodes):
        data = simple.nodes[node]
        graph.add_node(int(node), x=float(data["x"]), y=float(data["y"]))
    edges = sorted(simple.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    for link_id, (u, v, _, data) in enumerate(edges, start=1):
        highway = _highway(data.get("highway"))
        assert highway is not None  # filtered above
        cls = HIGHWAY_CLASSES[highway]
        lanes_tag = parse_lanes(data.get("lanes"))
        oneway = any(bool(x) for x in _values(data.get("oneway")))
        if lanes_tag is None:
            lanes, lanes_source = cls.lanes, "estimate:highway_class"
        else:
            lanes = lanes_tag if oneway else max(1, lanes_tag // 2)
            lanes_source = "osm:lanes" if oneway else "osm:lanes/2"
        speed = parse_maxspeed(data.get("maxspeed"))
        speed_source = "osm:maxspeed"
        if speed is None:
            speed, speed_source = cls.speed_kmh, "estimate:highway_class"
        attrs: dict[str, Any] = {
            "link_id": link_id,
            "road_class": cls.road_class,
            "lanes": int(lanes),
            "capacity_vph": float(cls.capacity_per_lane_vph * lanes),
            "free_speed_kmh": float(speed),
            "length_km": round(float(sum(_values(data.get("length"))) or 0.0) / 1000.0, 6),
            "toll_dkk": 0.0,
            "modes": cls.modes,
            "osm_highway": highway,
            "osm_way_id": _text(data.get("osmid")),
            "lanes_source": lanes_source,
            "speed_source": speed_source,
            "capacity_source": "estimate:highway_class x lanes",
            "source": SOURCE,
            "geometry": _wkt(
                data,
                (float(simple.nodes[u]["x"]), float(simple.nodes[u]["y"])),
                (float(simple.nodes[v]["x"]), float(simple.nodes[v]["y"])),
            ),
        }
        name = _text(data.get("name"))
        if name:
            attrs["name"] = name
        graph.add_edge(int(u), int(v), key=link_id, **attrs)
    return graph


def import_osm(
    output: str | Path,
    *,
    path: str | Path | None = None,
    place: str | None = None,
    retain_all: bool = False,
    zones: str | Path | None = None,
    connectors: int = 2,
) -> nx.MultiDiGraph:
    """Read OSM (file or place), convert with :func:`osm_to_graph`, write GMNS to ``output``.

    Parameters
    ----------
    output
        The GMNS folder to write.
    path, place
        The OSM XML file or the place name (exactly one, see :func:`load_osm`).
    retain_all
        Keep every connected part (default: only the largest strongly connected one).
    zones
        Optional zones CSV (:func:`read_zone_points`), attached by :func:`attach_zones`.
    connectors
        Road nodes each zone is joined to (with ``zones``).

    Returns
    -------
    networkx.MultiDiGraph
        The written graph.

    Raises
    ------
    InputError
        Bad OSM input, no road of a known class, or a bad zones file; nothing is written.
    """
    from mobility.network.gmns_write import write_gmns

    points = read_zone_points(zones) if zones is not None else None
    if points is not None:
        _check_connectors(connectors)
    raw = load_osm(path, place=place, retain_all=retain_all)
    name = Path(path).stem if path is not None else str(place)
    try:
        graph = osm_to_graph(raw, retain_all=retain_all, source_name=name)
    except InputError as exc:
        if path is not None and exc.file is None:
            raise InputError(
                exc.message, file=path, field=exc.field, expected=exc.expected
            ) from None
        raise
    if points is not None:
        graph = attach_zones(graph, points, connectors=connectors)
    write_gmns(graph, output)
    return graph


# --------------------------------------------------------------------------------------------
# zones and connectors

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
        A road graph of :func:`osm_to_graph` (node ``x``/``y`` WGS84, integer ids and
        ``link_id``); not changed.
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
