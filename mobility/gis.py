"""GeoPackage output (``map.gpkg``) for QGIS and other GIS: the model's tables with geometry.

Layers, all in ETRS89 / UTM zone 32N (EPSG:25832), the Danish national map projection
(the same as GeoDanmark and DAGI):

``links``
    LineString per directed road link: the edge's own ``geometry`` (WKT, GMNS) when the
    network has one, else the straight line from its from-node to its to-node. The values of
    ``link_flows.csv`` (parsed from the same rows, so they are equal), with ``lanes``,
    ``length_km``, ``vc_ratio`` (peak-hour volume / capacity) and ``congested_speed_kmh``
    (length / congested time).
``zones``
    A zone that is a whole municipality (the only zone with its kommunekode) gets the
    municipality polygon of DAGI (``mobility/data/municipalities.geojson``: Danmarks
    Administrative Geografiske Inddeling 1:500,000 [S], © Geodatastyrelsen og Danske
    Kommuner, simplified 50 m); the other zones (København's bydele, the Swedish zones) are
    their centroid point. Columns of ``zones.csv`` plus ``geometry_source``.
``pt_lines``
    LineString through each line's stops in order (straight stop-to-stop segments); the
    columns of ``pt_lines.csv`` and the line's name. Rows without a route (the intrazonal
    local bus) have no geometry.
``pt_stops``
    Point per stop: id, name, zone and the lines that serve it.
``link_changes`` (``mobility evaluate``)
    Per project and link: the rows of ``link_flows/<project_id>.csv`` with geometry.

``mobility network export`` writes a road network alone (:func:`write_network_map`): layers
``links`` (its attributes, no model results) and ``nodes``, from the network's own CRS
(``config.csv`` ``crs``) to EPSG:25832.

The file is written with geopandas (pyogrio, GDAL's GPKG driver). GDAL stamps the write time
into ``gpkg_contents.last_change``; it is fixed (``OGR_CURRENT_DATE``) to
:data:`FIXED_TIMESTAMP`, so the same tables give a byte-identical file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "CRS",
    "FIXED_TIMESTAMP",
    "LINK_CHANGE_LAYER",
    "MODEL_LAYERS",
    "NETWORK_LAYERS",
    "copy_layer",
    "municipality_boundaries",
    "write_link_changes_map",
    "write_model_map",
    "write_network_map",
]

#: The output CRS: ETRS89 / UTM zone 32N.
CRS = "EPSG:25832"
#: The CRS of the inputs (node, zone and stop coordinates): WGS84 lon/lat.
INPUT_CRS = "EPSG:4326"
#: ``gpkg_contents.last_change`` of every layer (a fixed time keeps the file deterministic).
FIXED_TIMESTAMP = "2000-01-01T00:00:00.000Z"
MODEL_LAYERS = ("links", "zones", "pt_lines", "pt_stops")
#: The layers of :func:`write_network_map` (``mobility network export``).
NETWORK_LAYERS = ("links", "nodes")
LINK_CHANGE_LAYER = "link_changes"
#: ``geometry_source`` of a zone drawn as its municipality's polygon.
DAGI_LABEL = "DAGI municipality boundary 1:500,000 (Geodatastyrelsen og Danske Kommuner)"
#: Columns kept as text (ids, names, classes); every other column is a number.
TEXT_COLUMNS = frozenset(
    {
        "project_id",
        "link_id",
        "from",
        "to",
        "name",
        "road_class",
        "kind",
        "line",
        "mode",
        "link_status",
        "municipality",
        "stop_id",
        "lines",
        "geometry_source",
    }
)
#: Columns kept as integers.
INT_COLUMNS = frozenset({"zone_id", "municipality_code"})

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]


def _cell(column: str, value: Any) -> Any:
    if column in TEXT_COLUMNS:
        return "" if value is None else str(value)
    if column in INT_COLUMNS:
        return int(value)
    if value is None or value == "":
        return math.nan
    return float(value)


def _columns(table: Table) -> dict[str, list[Any]]:
    header, rows = table
    return {c: [_cell(c, row[k]) for row in rows] for k, c in enumerate(header)}


def municipality_boundaries() -> dict[int, Any]:
    """Kommunekode -> shapely (Multi)Polygon in WGS84 from the bundled DAGI file."""
    from shapely.geometry import shape

    from mobility.resources import data_dir

    doc = json.loads((data_dir() / "municipalities.geojson").read_text(encoding="utf-8"))
    return {
        int(f["properties"]["municipality_code"]): shape(f["geometry"]) for f in doc["features"]
    }


def _node_xy(roads: Any) -> dict[Any, tuple[float, float]]:
    return {n: (float(d["x"]), float(d["y"])) for n, d in roads.nodes(data=True)}


def _edge_data(roads: Any) -> dict[str, Mapping[str, Any]]:
    return {str(d.get("link_id", k)): d for _, _, k, d in roads.edges(keys=True, data=True)}


def _link_geometry(
    data: Mapping[str, Any] | None, u: Any, v: Any, xy: Mapping[Any, tuple[float, float]]
) -> Any:
    """The edge's own geometry (WKT or shapely) if it has one, else the node-to-node line."""
    from shapely import wkt
    from shapely.geometry import LineString
    from shapely.geometry.base import BaseGeometry

    geom = None if data is None else data.get("geometry")
    if isinstance(geom, BaseGeometry):
        return geom
    if isinstance(geom, str) and geom.strip():
        return wkt.loads(geom)
    a, b = xy.get(_node_key(u, xy)), xy.get(_node_key(v, xy))
    return None if a is None or b is None else LineString([a, b])


def _node_key(node: Any, xy: Mapping[Any, Any]) -> Any:
    """The graph's node key for a node id read back from a table (``"12"`` -> ``12``)."""
    if node in xy:
        return node
    try:
        return int(node)
    except (TypeError, ValueError):
        return node


@contextmanager
def _fixed_timestamp() -> Iterator[None]:
    import pyogrio

    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIMESTAMP})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def _write_layers(
    path: Path,
    layers: Mapping[str, tuple[dict[str, list[Any]], list[Any]]],
    *,
    crs: Any = INPUT_CRS,
) -> Path:
    """Write ``layers`` (name -> columns, geometry in ``crs``) as a fresh GeoPackage in
    :data:`CRS`."""
    import geopandas as gpd

    if path.exists():
        path.unlink()  # a fresh file: layers are appended to an existing GeoPackage
    with _fixed_timestamp():
        for name, (columns, geometry) in layers.items():
            frame = gpd.GeoDataFrame(columns, geometry=geometry, crs=crs).to_crs(CRS)
            frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path


def _links_layer(table: Table, roads: Any) -> tuple[dict[str, list[Any]], list[Any]]:
    cols = _columns(table)
    xy, edges = _node_xy(roads), _edge_data(roads)
    lanes, length, vc, speed, geometry = [], [], [], [], []
    for k, link_id in enumerate(cols["link_id"]):
        data = edges.get(link_id)
        km = math.nan if data is None else float(data.get("length_km", math.nan))
        cap, vol, t = (
            cols["capacity"][k],
            cols["volume_peak_hour"][k],
            cols["congested_time_min"][k],
        )
        lanes.append(math.nan if data is None else float(data.get("lanes", math.nan)))
        length.append(km)
        vc.append(round(vol / cap, 4) if cap > 0 else math.nan)
        speed.append(round(km / t * 60.0, 2) if t > 0 else math.nan)
        geometry.append(_link_geometry(data, cols["from"][k], cols["to"][k], xy))
    out = {
        "link_id": cols["link_id"],
        "from": cols["from"],
        "to": cols["to"],
        "name": cols["name"],
        "road_class": cols["road_class"],
        "lanes": lanes,
        "length_km": length,
        "capacity": cols["capacity"],
        "volume_peak_hour": cols["volume_peak_hour"],
        "adt": cols["adt"],
        "vc_ratio": vc,
        "free_flow_time_min": cols["free_flow_time_min"],
        "congested_time_min": cols["congested_time_min"],
        "congested_speed_kmh": speed,
    }
    return out, geometry


def _zones_layer(table: Table, zones: Any) -> tuple[dict[str, list[Any]], list[Any]]:
    from shapely.geometry import Point

    cols = _columns(table)
    boundaries = municipality_boundaries()
    codes = [int(c) for c in zones.municipality_code]
    where = {int(z): i for i, z in enumerate(zones.zone_id)}
    geometry, kind = [], []
    for zid, code in zip(cols["zone_id"], cols["municipality_code"], strict=True):
        i = where[zid]
        if code and codes.count(code) == 1 and code in boundaries:
            geometry.append(boundaries[code])
            kind.append(
                "DAGI municipality boundary 1:500,000 (Geodatastyrelsen og Danske Kommuner)"
            )
        else:
            geometry.append(Point(float(zones.lon[i]), float(zones.lat[i])))
            kind.append("zone centroid")
    cols["geometry_source"] = kind
    return cols, geometry


def _pt_lines_layer(table: Table, transit: Any) -> tuple[dict[str, list[Any]], list[Any]]:
    from shapely.geometry import LineString

    cols = _columns(table)
    names, geometry = [], []
    for line_id in cols["line"]:
        line = transit.lines.get(line_id)
        names.append("" if line is None else line.name)
        pts = [] if line is None else [transit.stops[s] for s in line.stops if s in transit.stops]
        geometry.append(LineString([(s.lon, s.lat) for s in pts]) if len(pts) >= 2 else None)
    cols["name"] = names
    return cols, geometry


def _pt_stops_layer(transit: Any) -> tuple[dict[str, list[Any]], list[Any]]:
    from shapely.geometry import Point

    serving: dict[str, set[str]] = {}
    for line in transit.lines.values():
        for s in line.stops:
            serving.setdefault(s, set()).add(line.line_id)
    ids = sorted(transit.stops)
    cols = {
        "stop_id": ids,
        "name": [transit.stops[s].name for s in ids],
        "zone_id": [int(transit.stops[s].zone_id) for s in ids],
        "lines": [";".join(sorted(serving.get(s, ()))) for s in ids],
    }
    return cols, [Point(transit.stops[s].lon, transit.stops[s].lat) for s in ids]


def write_model_map(
    path: str | Path,
    *,
    links: Table,
    roads: Any,
    zones_table: Table,
    zones: Any,
    pt_lines: Table,
    transit: Any,
) -> Path:
    """Write ``map.gpkg`` of one model run: layers ``links``, ``zones``, ``pt_lines``,
    ``pt_stops`` in EPSG:25832.

    Parameters
    ----------
    path
        The GeoPackage to write (replaced if it exists; callers write into their temporary
        output folder).
    links, zones_table, pt_lines
        ``(header, rows)`` of ``link_flows.csv``, ``zones.csv`` and ``pt_lines.csv`` (the
        rows as written, so the layers hold the same values).
    roads
        The road graph modelled (node ``x``/``y`` in WGS84, edges with ``link_id``,
        ``lanes``, ``length_km`` and optionally ``geometry`` as WKT).
    zones
        The :class:`mobility.region.zones.Zones` (centroids).
    transit
        The :class:`mobility.region.transit.TransitSystem` modelled.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    layers = {
        "links": _links_layer(links, roads),
        "zones": _zones_layer(zones_table, zones),
        "pt_lines": _pt_lines_layer(pt_lines, transit),
        "pt_stops": _pt_stops_layer(transit),
    }
    return _write_layers(Path(path), layers)


def write_link_changes_map(path: str | Path, tables: Mapping[str, Table], *, roads: Any) -> Path:
    """Write ``map.gpkg`` of ``mobility evaluate``: layer ``link_changes``, one row per
    project and link (the rows of ``link_flows/<project_id>.csv`` in file order, projects in
    the order given), geometry from ``roads`` (edge geometry or node-to-node line).

    Parameters
    ----------
    path
        The GeoPackage to write.
    tables
        Project id -> ``(header, rows)`` of its ``link_flows/<project_id>.csv``.
    roads
        A road graph holding every node the links use (projects add links between
        existing nodes).
    """
    xy, edges = _node_xy(roads), _edge_data(roads)
    cols: dict[str, list[Any]] = {"project_id": []}
    geometry: list[Any] = []
    for project_id, table in tables.items():
        part = _columns(table)
        n = len(part["link_id"])
        cols["project_id"].extend([project_id] * n)
        for c, values in part.items():
            cols.setdefault(c, []).extend(values)
        for k in range(n):
            lid = part["link_id"][k]
            geometry.append(_link_geometry(edges.get(lid), part["from"][k], part["to"][k], xy))
    return _write_layers(Path(path), {LINK_CHANGE_LAYER: (cols, geometry)})


def copy_layer(source: str | Path, target: str | Path, layer: str) -> Path:
    """Add ``layer`` of the GeoPackage ``source`` to the GeoPackage ``target`` (which must
    not have it yet), e.g. ``mobility run`` puts evaluate's ``link_changes`` beside the
    model's layers. Returns ``target``."""
    import geopandas as gpd

    frame = gpd.read_file(source, layer=layer, engine="pyogrio")
    with _fixed_timestamp():
        frame.to_file(target, layer=layer, driver="GPKG", engine="pyogrio")
    return Path(target)


# --------------------------------------------------------------------------------------------
# a network alone (mobility network export)


def _network_crs(roads: Any) -> Any:
    """The pyproj CRS of a GMNS graph's coordinates (``config.csv`` ``crs``; EPSG:4326, the
    GMNS reader's assumption, when none is stated), checked against the node coordinates."""
    from pyproj import CRS as ProjCRS
    from pyproj.exceptions import CRSError

    from mobility.errors import InputError

    text = str(roads.graph.get("crs") or "").strip() or INPUT_CRS
    try:
        crs = ProjCRS.from_user_input(int(text) if text.isdigit() else text)
    except (CRSError, ValueError, TypeError):
        raise InputError(
            f"unknown crs '{text}'", field="crs", expected="an EPSG code or CRS name"
        ) from None
    if crs.is_geographic:
        for node, data in roads.nodes(data=True):
            x, y = float(data["x"]), float(data["y"])
            if not (-180.0 <= x <= 180.0 and -90.0 <= y <= 90.0):
                stated = "" if roads.graph.get("crs_stated", True) else " (none stated)"
                raise InputError(
                    f"node {node} at ({x:g}, {y:g}) is not a longitude/latitude, but the "
                    f"network's crs is {text}{stated}",
                    field="crs",
                    expected="config.csv naming the CRS of x_coord/y_coord",
                )
    return crs


def _shape(data: Mapping[str, Any], u: Any, v: Any, xy: Mapping[Any, Any]) -> Any:
    """A directed edge's line from ``u`` to ``v``: :func:`_link_geometry`, reversed where
    its shape is drawn from the to-node to the from-node (GMNS ``dir_flag`` -1, an
    undirected link's reverse direction, or a two-way link drawn either way): the shape's
    ends are matched to the nodes by distance."""
    from shapely.errors import ShapelyError
    from shapely.geometry import LineString

    from mobility.errors import InputError

    try:
        geom = _link_geometry(data, u, v, xy)
    except ShapelyError:
        raise InputError(
            f"link {data.get('link_id')}: geometry is not WKT",
            field="geometry",
            expected="a WKT LINESTRING or empty",
        ) from None
    a, b = xy.get(u), xy.get(v)
    if isinstance(geom, LineString) and not geom.is_empty and a is not None and b is not None:
        coords = list(geom.coords)
        first, last = coords[0][:2], coords[-1][:2]
        along = math.dist(first, a) + math.dist(last, b)
        against = math.dist(first, b) + math.dist(last, a)
        if against < along:
            geom = LineString(coords[::-1])
    return geom


def _float(data: Mapping[str, Any], key: str) -> float:
    value = data.get(key)
    return math.nan if value is None or value == "" else float(value)


def write_network_map(path: str | Path, roads: Any) -> Path:
    """Write a road network alone as a GeoPackage in EPSG:25832: layers ``links`` and
    ``nodes`` (``mobility network export``).

    Parameters
    ----------
    path
        The GeoPackage to write (replaced if it exists; the command decides whether it
        may be).
    roads
        A graph of :func:`mobility.network.gmns.read_gmns`: node ``x``/``y`` in the graph's
        ``crs``; edges with ``link_id`` and optionally ``geometry`` (WKT).

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    ``links``: one LineString per directed link in link order (an undirected GMNS link
    gives two, as the model and ``mobility network info`` count them), its WKT ``geometry``
    where it has one (turned to run from the from-node to the to-node, whichever way the
    file draws it), else the straight line between its nodes; columns ``link_id``,
    ``from``, ``to`` (text), ``name``, ``road_class``, ``lanes``, ``capacity`` (veh/h, whole
    direction), ``length_km``, ``free_speed_kmh``, ``toll_dkk``, ``modes``. ``nodes``: one
    Point per node; ``node_id``, ``name``, ``node_type``, ``zone_id`` (0: none),
    ``no_thru`` (1: no path passes through it, as in assignment).

    Raises
    ------
    InputError
        An unknown CRS, coordinates that do not fit it, or a link geometry that is not WKT.
    """
    from shapely.geometry import Point

    from mobility.network.gmns import ordered_edges
    from mobility.network.gmns_zones import zone_centroids

    crs = _network_crs(roads)
    xy = _node_xy(roads)
    links: dict[str, list[Any]] = {
        c: []
        for c in (
            "link_id",
            "from",
            "to",
            "name",
            "road_class",
            "lanes",
            "capacity",
            "length_km",
            "free_speed_kmh",
            "toll_dkk",
            "modes",
        )
    }
    link_geometry = []
    for u, v, key, data in ordered_edges(roads):
        links["link_id"].append(str(data.get("link_id", key)))
        links["from"].append(str(u))
        links["to"].append(str(v))
        for c in ("name", "road_class", "modes"):
            links[c].append(str(data.get(c) or ""))
        links["lanes"].append(_float(data, "lanes"))
        links["capacity"].append(_float(data, "capacity_vph"))
        for c in ("length_km", "free_speed_kmh", "toll_dkk"):
            links[c].append(_float(data, c))
        link_geometry.append(_shape(data, u, v, xy))
    _, centroid_no_thru, _ = zone_centroids(roads)
    ids = sorted(roads.nodes)  # GMNS node ids are integers
    nodes: dict[str, list[Any]] = {
        "node_id": [int(n) for n in ids],
        "name": [str(roads.nodes[n].get("name") or "") for n in ids],
        "node_type": [str(roads.nodes[n].get("node_type") or "") for n in ids],
        "zone_id": [int(roads.nodes[n].get("zone_id") or 0) for n in ids],
        "no_thru": [int(bool(roads.nodes[n].get("no_thru", n in centroid_no_thru))) for n in ids],
    }
    node_geometry = [Point(xy[n]) for n in ids]
    layers = {"links": (links, link_geometry), "nodes": (nodes, node_geometry)}
    return _write_layers(Path(path), layers, crs=crs)
