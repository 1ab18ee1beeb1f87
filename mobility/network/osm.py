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

Zones and their centroid connectors (``--zones``): :mod:`mobility.network.osm_zones`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from mobility.errors import InputError

__all__ = [
    "HIGHWAY_CLASSES",
    "IMPLICIT_SPEEDS_KMH",
    "SOURCE",
    "HighwayClass",
    "import_osm",
    "load_osm",
    "osm_to_graph",
    "parse_lanes",
    "parse_maxspeed",
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
        Optional zones CSV (:func:`mobility.network.osm_zones.read_zone_points`), attached by
        :func:`mobility.network.osm_zones.attach_zones`.
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
    from mobility.network.osm_zones import _check_connectors, attach_zones, read_zone_points

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
