"""GMNS network files: read and write ``node.csv``, ``link.csv`` and ``config.csv``.

The General Modeling Network Specification (GMNS) of the Zephyr Foundation
(https://github.com/zephyr-data-specs/GMNS, ``docs/spec/node.md``, ``link.md``, ``config.md``)
is the model's exchange format for road networks: the bundled region network
(``mobility/data/roads/``) and networks imported from OpenStreetMap are GMNS folders.

Units (what :func:`write_gmns` states in ``config.csv``, and what :func:`read_gmns` assumes
when a folder has no ``config.csv``):

==============  ===========================  ===================================
GMNS field      unit in the file             graph attribute
==============  ===========================  ===================================
``length``      ``long_length`` = km         ``length_km``
``free_speed``  ``speed`` = kph              ``free_speed_kmh``
``capacity``    veh/h **per lane** (GMNS)    ``capacity_vph`` = capacity x lanes
``toll``        ``currency`` = DKK           ``toll_dkk``
``x_coord``     ``crs`` = EPSG:4326 (lon)    node ``x``
``y_coord``     ``crs`` = EPSG:4326 (lat)    node ``y``
==============  ===========================  ===================================

GMNS capacity is per lane; the graph carries the capacity of the whole direction
(``capacity_vph``). Where ``lanes`` is empty or 0 (bike-only links, for instance) the per-lane
figure is undefined and ``capacity`` is read and written as the whole-direction capacity.
On read, ``config.csv`` lengths in m, km or mi and speeds in kph or mph are converted. Tolls
are read as DKK: a ``currency`` other than DKK is accepted only when no link has a toll
(the official GMNS examples state "US cents" and have none); with a toll it is refused (no
exchange rate is assumed).

Other mappings: ``facility_type`` -> ``road_class``, ``allowed_uses`` -> ``modes`` (a
comma- or semicolon-separated string such as ``"car,bike,walk"``; absent or ``all`` means
every mode, ``auto`` means car; see :func:`allows_mode`), ``name``, ``lanes`` (int),
``link_id`` (the edge key). Extension columns are kept as-is as strings, except these
numeric ones: ``vdf_alpha`` and ``vdf_beta`` (BPR ``b`` and ``power``; Path4GMNS/DTALite
write them ``VDF_alpha1``/``VDF_beta1``, read as the same) and ``free_flow_time_min``
(overrides length / speed, e.g. for TNTP connectors of length 0). An undirected link
(``directed`` false) becomes two edges with the same ``link_id``; the reverse copy carries
``gmns_reverse=True`` and is not written back separately.

Zones and centroids (GMNS ``node.md``): a node's ``zone_id`` is the zone the node *lies in*;
several nodes may share one. A zone's centroid, the node its trips start and end at
(:func:`zone_centroids`), is its node whose ``node_type`` is one of
:data:`CENTROID_NODE_TYPES` (``centroid``, ``zone``, ...); else the zone's only node; else,
of several candidates, the one whose ``node_id`` equals the zone id (the zephyr Lima
example; also of several typed centroids, as for zone 140 of Path4GMNS Lima); else a
generated centroid joined to each candidate by zero-cost connectors
(:func:`with_zone_connectors`; zone 195 of both Lima sets). A demand file's zone id that
no node lies in is the node with that ``node_id`` (Path4GMNS sets whose zones are nodes).

No path passes through a node marked ``no_thru`` (0/1 node extension); without that
column, through traffic is barred at typed and generated centroids and at a centroid
picked out of several nodes of its zone, and allowed at the single node of a zone (in
Path4GMNS's Sioux Falls every node is a zone and a through node, as in TNTP).

Link order (for :func:`write_gmns` and :func:`gmns_to_link_network`) is ascending ``link_id``.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from mobility.errors import InputError
from mobility.fileio import atomic_write_text, csv_text

#: Road classes of the region contract, in the order of their ``link_type`` code (1-based;
#: 0 = any other class).
ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "expressway",
    "arterial",
    "collector",
    "local",
    "connector",
    "ferry",
    "cycle_superhighway",
)

NODE_COLUMNS: tuple[str, ...] = ("node_id", "name", "x_coord", "y_coord", "node_type", "zone_id")
LINK_COLUMNS: tuple[str, ...] = (
    "link_id",
    "name",
    "from_node_id",
    "to_node_id",
    "directed",
    "length",
    "facility_type",
    "lanes",
    "capacity",
    "free_speed",
    "toll",
    "allowed_uses",
)
CONFIG_COLUMNS: tuple[str, ...] = (
    "dataset_name",
    "short_length",
    "long_length",
    "speed",
    "crs",
    "geometry_field_format",
    "currency",
    "version_number",
    "id_type",
)
#: ``node_type`` values (lower case) that mark a zone centroid.
CENTROID_NODE_TYPES = frozenset({"centroid", "zone", "zone_centroid", "taz", "taz_centroid"})
#: Extension link columns read under the name of the standard one (Path4GMNS / DTALite).
LINK_ALIASES = {"vdf_alpha1": "vdf_alpha", "vdf_beta1": "vdf_beta"}
REQUIRED_NODE = ("node_id", "x_coord", "y_coord")
REQUIRED_LINK = ("link_id", "from_node_id", "to_node_id")
#: Extension link columns parsed as numbers (``>= 0``).
NUMERIC_LINK_EXTENSIONS = ("vdf_alpha", "vdf_beta", "free_flow_time_min")

_LENGTH_TO_KM = {
    "km": 1.0,
    "kilometer": 1.0,
    "kilometers": 1.0,
    "m": 1e-3,
    "meter": 1e-3,
    "meters": 1e-3,
    "mi": 1.609344,
    "mile": 1.609344,
    "miles": 1.609344,
}
_SPEED_TO_KMH = {"kph": 1.0, "km/h": 1.0, "kmh": 1.0, "km/hr": 1.0, "mph": 1.609344}
# graph edge attribute -> link.csv column, for the standard fields
_EDGE_TO_COLUMN = {
    "name": "name",
    "length_km": "length",
    "road_class": "facility_type",
    "lanes": "lanes",
    "free_speed_kmh": "free_speed",
    "toll_dkk": "toll",
    "modes": "allowed_uses",
}
_INTERNAL_EDGE = {"link_id", "capacity_vph", "directed", "gmns_reverse"}


# --------------------------------------------------------------------------------------------
# small parsers


def _fmt(value: Any) -> str:
    """Format a value for CSV: shortest round-trip floats, integral floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return repr(x)
    return str(value)


def _read_table(path: Path, required: Sequence[str]) -> tuple[list[str], list[tuple[int, dict]]]:
    """Read a CSV table; return its header and ``(line number, row)`` pairs."""
    if not path.is_file():
        raise InputError("file not found", file=path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = [h.strip() for h in next(reader)]
            except StopIteration:
                raise InputError("file is empty", file=path, expected="a header line") from None
            rows: list[tuple[int, dict]] = []
            for raw in reader:
                if not raw or all(not cell.strip() for cell in raw):
                    continue
                line = reader.line_num
                if len(raw) != len(header):
                    raise InputError(
                        f"has {len(raw)} fields",
                        file=path,
                        line=line,
                        expected=f"{len(header)} fields as in the header",
                    )
                rows.append((line, {h: cell.strip() for h, cell in zip(header, raw, strict=True)}))
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text ({exc.reason})", file=path) from None
    except csv.Error as exc:
        raise InputError(f"is not valid CSV ({exc})", file=path) from None
    for name in required:
        if name not in header:
            raise InputError("missing column", file=path, line=1, field=name)
    return header, rows


def _num(
    row: dict,
    name: str,
    *,
    path: Path,
    line: int,
    minimum: float | None = None,
    positive: bool = False,
) -> float | None:
    """A finite float from ``row[name]`` (``None`` when empty), range-checked."""
    text = row.get(name, "")
    if text == "" or text.lower() == "nan":
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"'{text}' is not a number", file=path, line=line, field=name) from None
    if not math.isfinite(value):
        raise InputError(f"'{text}' is not finite", file=path, line=line, field=name)
    if positive and value <= 0:
        raise InputError(
            f"value {text}", file=path, line=line, field=name, expected="a positive number"
        )
    if minimum is not None and value < minimum:
        raise InputError(
            f"value {text}",
            file=path,
            line=line,
            field=name,
            expected=f"a number >= {_fmt(minimum)}",
        )
    return value


def _int(row: dict, name: str, *, path: Path, line: int, required: bool = False) -> int | None:
    """An integer from ``row[name]`` (``"2"`` or ``"2.0"``); ``None`` when empty."""
    text = row.get(name, "")
    if text == "":
        if required:
            raise InputError("empty value", file=path, line=line, field=name, expected="an integer")
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value.is_integer():
        raise InputError(f"'{text}' is not an integer", file=path, line=line, field=name)
    return int(value)


def _link_id(text: str, *, path: Path, line: int) -> int | str:
    if text == "":
        raise InputError("empty value", file=path, line=line, field="link_id")
    try:
        return int(text)
    except ValueError:
        return text


def _bool(row: dict, name: str, *, path: Path, line: int, default: bool) -> bool:
    text = row.get(name, "").lower()
    if text == "":
        return default
    if text in ("1", "true", "t", "yes", "y"):
        return True
    if text in ("0", "false", "f", "no", "n"):
        return False
    raise InputError(
        f"'{row[name]}' is not a boolean",
        file=path,
        line=line,
        field=name,
        expected="true/false or 1/0",
    )


def _config(folder: Path) -> tuple[dict[str, str], float, float]:
    """Read ``config.csv`` if present; return it and the length and speed factors to km, km/h."""
    path = folder / "config.csv"
    if not path.is_file():
        return {}, 1.0, 1.0
    _, rows = _read_table(path, ())
    if not rows:
        return {}, 1.0, 1.0
    line, cfg = rows[0]
    long_length = cfg.get("long_length", "").lower() or "km"
    speed = cfg.get("speed", "").lower() or "kph"
    currency = cfg.get("currency", "").upper() or "DKK"
    if long_length not in _LENGTH_TO_KM:
        raise InputError(
            f"unknown unit '{long_length}'",
            file=path,
            line=line,
            field="long_length",
            expected=", ".join(sorted(_LENGTH_TO_KM)),
        )
    if speed not in _SPEED_TO_KMH:
        raise InputError(
            f"unknown unit '{speed}'",
            file=path,
            line=line,
            field="speed",
            expected=", ".join(sorted(_SPEED_TO_KMH)),
        )
    cfg = {**cfg, "currency": currency}
    return cfg, _LENGTH_TO_KM[long_length], _SPEED_TO_KMH[speed]


def _check_currency(folder: Path, cfg: dict[str, str], graph: nx.MultiDiGraph) -> None:
    """Refuse a currency other than DKK when a link has a toll (no exchange rate)."""
    currency = cfg.get("currency", "DKK")
    if currency == "DKK":
        return
    for _, _, key, data in ordered_edges(graph):
        if float(data.get("toll_dkk", 0.0) or 0.0) > 0:
            raise InputError(
                f"currency '{currency}' cannot be converted and link "
                f"{data.get('link_id', key)} has a toll",
                file=folder / "config.csv",
                field="currency",
                expected="DKK (or no tolls)",
            )


# --------------------------------------------------------------------------------------------
# read


def read_gmns(folder: str | Path) -> nx.MultiDiGraph:
    """Read a GMNS folder (``node.csv``, ``link.csv``, optional ``config.csv``).

    Parameters
    ----------
    folder
        The folder holding the tables.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by integer ``node_id`` with ``x``, ``y`` (and ``name``, ``node_type``,
        ``zone_id`` when given); edges keyed by ``link_id`` with the attributes listed in the
        module docstring. ``graph.graph`` holds ``dataset_name`` and ``crs`` from the config.

    Raises
    ------
    InputError
        Missing file or column, unknown node, non-numeric or negative value, duplicate id;
        naming file, line and field.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            "GMNS folder not found", file=folder, expected="a folder with node.csv and link.csv"
        )
    cfg, to_km, to_kmh = _config(folder)
    graph = nx.MultiDiGraph()
    graph.graph["dataset_name"] = cfg.get("dataset_name", folder.name)
    graph.graph["crs"] = cfg.get("crs", "") or "EPSG:4326"
    graph.graph["currency"] = cfg.get("currency", "DKK")
    # for check_lengths: the unit the file states, and whether config.csv names a CRS
    graph.graph["length_unit"] = cfg.get("long_length", "").lower() or "km"
    graph.graph["crs_stated"] = bool(cfg.get("crs", ""))
    _read_nodes(folder / "node.csv", graph)
    _read_links(folder / "link.csv", graph, to_km=to_km, to_kmh=to_kmh)
    _check_currency(folder, cfg, graph)
    return graph


def _read_nodes(path: Path, graph: nx.MultiDiGraph) -> None:
    header, rows = _read_table(path, REQUIRED_NODE)
    extra = [h for h in header if h not in NODE_COLUMNS]
    for line, row in rows:
        node = _int(row, "node_id", path=path, line=line, required=True)
        if node in graph:
            raise InputError(f"duplicate node_id {node}", file=path, line=line, field="node_id")
        attrs: dict[str, Any] = {
            "x": _num(row, "x_coord", path=path, line=line),
            "y": _num(row, "y_coord", path=path, line=line),
        }
        for coord, name in (("x", "x_coord"), ("y", "y_coord")):
            if attrs[coord] is None:
                raise InputError(
                    "empty value", file=path, line=line, field=name, expected="a number"
                )
        if row.get("name"):
            attrs["name"] = row["name"]
        if row.get("node_type"):
            attrs["node_type"] = row["node_type"]
        zone = _int(row, "zone_id", path=path, line=line)
        if zone is not None:
            attrs["zone_id"] = zone  # the zone the node lies in (several nodes may share it)
        for name in extra:
            if name == "no_thru":
                attrs["no_thru"] = _bool(row, name, path=path, line=line, default=False)
            elif row[name] != "":
                attrs[name] = row[name]
        graph.add_node(node, **attrs)


def _read_links(path: Path, graph: nx.MultiDiGraph, *, to_km: float, to_kmh: float) -> None:
    header, rows = _read_table(path, REQUIRED_LINK)
    extra = [h for h in header if h not in LINK_COLUMNS]
    seen: set[int | str] = set()
    for line, row in rows:
        link_id = _link_id(row["link_id"], path=path, line=line)
        if link_id in seen:
            raise InputError(f"duplicate link_id {link_id}", file=path, line=line, field="link_id")
        seen.add(link_id)
        ends = []
        for name in ("from_node_id", "to_node_id"):
            node = _int(row, name, path=path, line=line, required=True)
            if node not in graph:
                raise InputError(
                    f"unknown node {node}",
                    file=path,
                    line=line,
                    field=name,
                    expected="a node_id of node.csv",
                )
            ends.append(node)
        attrs: dict[str, Any] = {"link_id": link_id}
        if row.get("name"):
            attrs["name"] = row["name"]
        length = _num(row, "length", path=path, line=line, minimum=0.0)
        if length is not None:
            attrs["length_km"] = length * to_km
        if row.get("facility_type"):
            attrs["road_class"] = row["facility_type"]
        lanes = _int(row, "lanes", path=path, line=line)
        if lanes is not None:
            if lanes < 0:
                raise InputError(
                    f"value {lanes}",
                    file=path,
                    line=line,
                    field="lanes",
                    expected="an integer >= 0",
                )
            attrs["lanes"] = lanes
        capacity = _num(row, "capacity", path=path, line=line, minimum=0.0)
        if capacity is not None:
            attrs["capacity_vph"] = capacity * lanes if lanes else capacity
        speed = _num(row, "free_speed", path=path, line=line, minimum=0.0)
        if speed is not None:
            attrs["free_speed_kmh"] = speed * to_kmh
        toll = _num(row, "toll", path=path, line=line, minimum=0.0)
        if toll is not None:
            attrs["toll_dkk"] = toll
        if row.get("allowed_uses"):
            attrs["modes"] = row["allowed_uses"]
        for name in extra:
            alias = LINK_ALIASES.get(name.lower())
            if alias is not None and alias in header:
                continue  # the standard column wins
            if alias is not None or name in NUMERIC_LINK_EXTENSIONS:
                value = _num(row, name, path=path, line=line, minimum=0.0)
                if value is not None:
                    attrs[alias or name] = value
            elif row[name] != "":
                attrs[name] = row[name]
        u, v = ends
        directed = _bool(row, "directed", path=path, line=line, default=True)
        graph.add_edge(u, v, key=link_id, **attrs)
        if not directed:
            graph[u][v][link_id]["directed"] = False
            graph.add_edge(v, u, key=link_id, **attrs, directed=False, gmns_reverse=True)


# --------------------------------------------------------------------------------------------
# length check

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


# --------------------------------------------------------------------------------------------
# write


def _link_sort_key(link_id: Any) -> tuple[int, Any]:
    if isinstance(link_id, (int, np.integer)):
        return (0, int(link_id))
    return (1, str(link_id))


def ordered_edges(graph: nx.MultiDiGraph) -> list[tuple[Any, Any, Any, dict]]:
    """The graph's edges ``(u, v, key, data)`` in link order (ascending ``link_id``)."""
    edges = list(graph.edges(keys=True, data=True))
    edges.sort(
        key=lambda e: (
            _link_sort_key(e[3].get("link_id", e[2])),
            bool(e[3].get("gmns_reverse", False)),
        )
    )
    return edges


def write_gmns(
    graph: nx.MultiDiGraph,
    folder: str | Path,
    *,
    dataset_name: str | None = None,
) -> Path:
    """Write ``graph`` as a GMNS folder (``node.csv``, ``link.csv``, ``config.csv``).

    All three tables are rendered before anything is written, then each file is written
    atomically (other files in the folder, such as a README, are left alone). Nodes are
    written in ascending ``node_id``, links in ascending ``link_id`` (edge key when no
    ``link_id`` attribute); floats in shortest round-trip form, so the output is
    deterministic.

    Parameters
    ----------
    graph
        A graph with the attributes :func:`read_gmns` produces.
    folder
        Output folder (created if needed).
    dataset_name
        ``config.csv`` dataset name (default: ``graph.graph['dataset_name']`` or the folder
        name).

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    folder = Path(folder)
    node_text = _node_csv(graph)
    link_text = _link_csv(graph)
    name = dataset_name or graph.graph.get("dataset_name") or folder.name
    config_text = csv_text(
        CONFIG_COLUMNS,
        [
            [
                name,
                "m",
                "km",
                "kph",
                graph.graph.get("crs") or "EPSG:4326",
                "",
                "DKK",
                "0.96",
                "integer",
            ]
        ],
    )
    for fname, text in (
        ("node.csv", node_text),
        ("link.csv", link_text),
        ("config.csv", config_text),
    ):
        atomic_write_text(folder / fname, text)
    return folder


def _extra_columns(items: Iterable[dict], known: Iterable[str]) -> list[str]:
    known = set(known)
    extra: set[str] = set()
    for data in items:
        extra.update(k for k in data if k not in known)
    return sorted(extra)


def _node_csv(graph: nx.MultiDiGraph) -> str:
    known = {"x", "y", "name", "node_type", "zone_id"}
    extra = _extra_columns((d for _, d in graph.nodes(data=True)), known)
    rows = []
    for node in sorted(graph.nodes, key=_link_sort_key):
        data = graph.nodes[node]
        if data.get("x") is None or data.get("y") is None:
            raise InputError(f"node {node} has no coordinates", field="x/y")
        rows.append(
            [
                _fmt(node),
                _fmt(data.get("name")),
                _fmt(data["x"]),
                _fmt(data["y"]),
                _fmt(data.get("node_type")),
                _fmt(data.get("zone_id")),
            ]
            + [_fmt(data.get(k)) for k in extra]
        )
    return csv_text(list(NODE_COLUMNS) + extra, rows)


def _link_csv(graph: nx.MultiDiGraph) -> str:
    edges = [e for e in ordered_edges(graph) if not e[3].get("gmns_reverse", False)]
    known = set(_EDGE_TO_COLUMN) | _INTERNAL_EDGE
    extra = _extra_columns((e[3] for e in edges), known)
    rows = []
    seen: set[Any] = set()
    for u, v, key, data in edges:
        link_id = data.get("link_id", key)
        if link_id in seen:
            raise InputError(f"duplicate link_id {link_id}", field="link_id")
        seen.add(link_id)
        lanes = data.get("lanes")
        capacity = data.get("capacity_vph")
        if capacity is not None and lanes:
            capacity = float(capacity) / int(lanes)
        rows.append(
            [
                _fmt(link_id),
                _fmt(data.get("name")),
                _fmt(u),
                _fmt(v),
                "false" if data.get("directed", True) is False else "true",
                _fmt(data.get("length_km")),
                _fmt(data.get("road_class")),
                _fmt(lanes),
                _fmt(capacity),
                _fmt(data.get("free_speed_kmh")),
                _fmt(data.get("toll_dkk")),
                _fmt(data.get("modes")),
            ]
            + [_fmt(data.get(k)) for k in extra]
        )
    return csv_text(list(LINK_COLUMNS) + extra, rows)


# --------------------------------------------------------------------------------------------
# to the compact network


#: ``allowed_uses`` values that mean every mode.
ALL_USES = frozenset({"all", "any"})
#: ``allowed_uses`` values that mean car (GMNS ``use_definition.csv``: ``auto``).
CAR_USES = frozenset({"car", "auto", "sov"})


def allows_mode(data: dict, mode: str | None) -> bool:
    """Whether an edge allows ``mode``: its ``modes`` (GMNS ``allowed_uses``, separated by
    commas or semicolons, any case) name it; absent, empty or ``all`` allows every mode;
    ``auto`` (and ``sov``) mean car."""
    if mode is None:
        return True
    modes = str(data.get("modes", "")).strip()
    if not modes:
        return True
    allowed = {m.strip().lower() for m in modes.replace(";", ",").split(",")} - {""}
    if not allowed or allowed & ALL_USES:
        return True
    return mode in allowed or (mode == "car" and bool(allowed & CAR_USES))


def is_centroid_type(node_type: Any) -> bool:
    """Whether a GMNS ``node_type`` marks a zone centroid (:data:`CENTROID_NODE_TYPES`)."""
    return str(node_type or "").strip().lower() in CENTROID_NODE_TYPES


def zone_ids(graph: nx.MultiDiGraph) -> set[int]:
    """Every id :func:`zone_centroids` can look up: the ``zone_id`` values, the zones of
    typed centroids (their node id when they have no ``zone_id``) and, for zones that
    are nodes, the node ids."""
    ids: set[int] = set()
    for n, d in graph.nodes(data=True):
        if "zone_id" in d:
            ids.add(int(d["zone_id"]))
        if isinstance(n, (int, np.integer)):
            ids.add(int(n))
    return ids


#: Capacity (veh/h) of a generated zone connector: never binding.
CONNECTOR_CAPACITY = 1e9


def zone_centroids(
    graph: nx.MultiDiGraph, zones: Sequence[int] | None = None, *, source: Any = None
) -> tuple[dict[int, Any], set[Any], dict[int, list[Any]]]:
    """The centroid node of each zone (rules in the module docstring).

    Parameters
    ----------
    graph
        A graph of :func:`read_gmns`.
    zones
        The zones wanted (e.g. a demand file's zone ids); ``None``: the zones of typed
        centroids if there are any, else every nonzero ``zone_id`` (Path4GMNS writes 0 for
        "no zone").
    source
        File named in errors.

    Returns
    -------
    centroids, no_thru, connect
        Zone id -> centroid node (absent for the zones in ``connect``); the nodes no path
        may pass through (every typed centroid, and centroids picked among several nodes of
        their zone); zone id -> the nodes a generated centroid must be joined to, for
        zones with several candidate nodes none of which is marked
        (:func:`with_zone_connectors` adds them).

    Raises
    ------
    InputError
        A requested zone that no node lies in and no node id equals.
    """
    members: dict[int, list[Any]] = {}
    typed: dict[int, list[Any]] = {}
    for n in sorted(graph.nodes, key=_link_sort_key):
        d = graph.nodes[n]
        if "zone_id" in d:
            members.setdefault(int(d["zone_id"]), []).append(n)
        if is_centroid_type(d.get("node_type")):
            typed.setdefault(int(d.get("zone_id", n)), []).append(n)
    explicit = zones is not None
    if zones is None:
        zones = sorted(typed) if typed else sorted(z for z in members if z != 0)
    centroids: dict[int, Any] = {}
    # every typed centroid is a virtual node, used by its zone or not
    no_thru: set[Any] = {n for nodes in typed.values() for n in nodes}
    connect: dict[int, list[Any]] = {}
    for z in zones:
        candidates = typed.get(z) or members.get(z, [])
        if len(candidates) == 1:
            centroids[z] = candidates[0]
        elif z in candidates:  # several: the one whose node_id is the zone id
            centroids[z] = z
            no_thru.add(z)
        elif candidates:
            connect[z] = list(candidates)
        elif explicit and z in graph:  # a demand's zone id that is a node id
            centroids[z] = z
        else:
            raise InputError(
                f"zone {z} has no centroid node",
                file=source,
                field="zone_id",
                expected="a node with that zone_id (or node_id)",
            )
    return centroids, no_thru, connect


def with_zone_connectors(
    graph: nx.MultiDiGraph, zones: Sequence[int] | None = None, *, source: Any = None
) -> tuple[nx.MultiDiGraph, dict[int, Any], set[Any]]:
    """The graph with a generated centroid for every zone that needs one.

    A zone with several candidate nodes and none marked (:func:`zone_centroids`) gets a new
    node (id above every node id, in zone order; at the mean of its nodes' coordinates;
    ``node_type`` centroid, ``generated`` true) joined to each of its nodes by a pair of
    connectors of zero length and time and capacity :data:`CONNECTOR_CAPACITY`
    (``link_id`` ``zone<z>-<node>`` / ``zone<z>+<node>``, ``road_class`` connector, every
    mode): the zone's trips may start and end at any of its nodes, and no path passes
    through the generated node.

    Returns
    -------
    graph, centroids, no_thru
        The graph (a copy when nodes were added), zone id -> centroid node, the centroid
        nodes no path may pass through.
    """
    centroids, no_thru, connect = zone_centroids(graph, zones, source=source)
    if not connect:
        return graph, centroids, no_thru
    graph = graph.copy()
    ints = [int(n) for n in graph.nodes if isinstance(n, (int, np.integer))]
    next_id = max(ints, default=0) + 1
    for z, nodes in connect.items():
        c = next_id
        next_id += 1
        xs = [float(graph.nodes[n]["x"]) for n in nodes]
        ys = [float(graph.nodes[n]["y"]) for n in nodes]
        graph.add_node(
            c,
            x=sum(xs) / len(xs),
            y=sum(ys) / len(ys),
            node_type="centroid",
            zone_id=z,
            generated=True,
        )
        for n in nodes:
            for u, v, sign in ((c, n, "+"), (n, c, "-")):
                lid = f"zone{z}{sign}{n}"
                graph.add_edge(
                    u,
                    v,
                    key=lid,
                    link_id=lid,
                    road_class="connector",
                    length_km=0.0,
                    capacity_vph=CONNECTOR_CAPACITY,
                    free_flow_time_min=0.0,
                    generated=True,
                )
        centroids[z] = c
        no_thru.add(c)
    return graph, centroids, no_thru


def gmns_to_link_network(
    folder_or_graph: str | Path | nx.MultiDiGraph,
    *,
    zones: Sequence[int] | None = None,
    mode: str | None = None,
    source: str | Path | None = None,
) -> Any:
    """Build a :class:`~mobility.network.graph.LinkNetwork` from a GMNS folder or graph.

    Parameters
    ----------
    folder_or_graph
        A GMNS folder or a graph as returned by :func:`read_gmns`.
    zones
        Zone ids in OD-matrix order, e.g. a demand file's (default: the zones
        :func:`zone_centroids` finds, ascending).
    mode
        Keep only links allowing this mode (``"car"``...); ``None`` keeps every link.
    source
        The folder a graph was read from, for the file names in errors.

    Returns
    -------
    LinkNetwork
        Links in ascending ``link_id``; ``capacity`` in veh/h (whole direction),
        ``free_flow_time`` in minutes (``free_flow_time_min`` or 60 x length_km /
        free_speed_kmh), ``length`` in km, ``b``/``power`` from ``vdf_alpha``/``vdf_beta``
        (default BPR 0.15 / 4), ``toll`` in DKK, ``link_type`` = 1-based index in
        :data:`ROAD_CLASSES` (0 = other). ``meta['link_ids']`` lists the link ids.

    Raises
    ------
    InputError
        A link without capacity or usable speed, an unknown zone, a zone whose centroid
        cannot be told (:func:`zone_centroids`), or invalid values.
    """
    from mobility.network.graph import LinkNetwork

    if isinstance(folder_or_graph, nx.MultiDiGraph):
        graph = folder_or_graph
        folder = None if source is None else str(source)
        source = folder or str(folder_or_graph.graph.get("dataset_name", "graph"))
    else:
        graph, folder = read_gmns(folder_or_graph), str(folder_or_graph)
        source = folder
    link_csv = f"{folder}/link.csv" if folder is not None else source
    node_csv = f"{folder}/node.csv" if folder is not None else source
    graph, centroid_of, centroid_no_thru = with_zone_connectors(graph, zones, source=node_csv)
    if zones is None:
        zones = sorted(centroid_of)
    nodes = sorted(graph.nodes, key=_link_sort_key)
    index = {n: i for i, n in enumerate(nodes)}
    edges = [e for e in ordered_edges(graph) if allows_mode(e[3], mode)]
    m = len(edges)
    cols = {k: np.zeros(m) for k in ("capacity", "fft", "length", "b", "power", "toll")}
    link_type = np.zeros(m, dtype=np.int64)
    init = np.empty(m, dtype=np.int64)
    term = np.empty(m, dtype=np.int64)
    class_code = {c: i + 1 for i, c in enumerate(ROAD_CLASSES)}
    for k, (u, v, key, data) in enumerate(edges):
        link_id = data.get("link_id", key)
        init[k], term[k] = index[u], index[v]
        if data.get("capacity_vph") is None:
            raise InputError(f"link {link_id} has no capacity", file=link_csv, field="capacity")
        length = float(data.get("length_km", 0.0) or 0.0)
        if data.get("free_flow_time_min") is not None:
            fft = float(data["free_flow_time_min"])
        else:
            speed = data.get("free_speed_kmh")
            if not speed or speed <= 0:
                raise InputError(
                    f"link {link_id} has no positive free speed",
                    file=link_csv,
                    field="free_speed",
                    expected="a speed > 0 or free_flow_time_min",
                )
            fft = 60.0 * length / float(speed)
        cols["capacity"][k] = float(data["capacity_vph"])
        cols["fft"][k] = fft
        cols["length"][k] = length
        cols["b"][k] = float(data.get("vdf_alpha", 0.15))
        cols["power"][k] = float(data.get("vdf_beta", 4.0))
        cols["toll"][k] = float(data.get("toll_dkk", 0.0) or 0.0)
        link_type[k] = class_code.get(str(data.get("road_class", "")), 0)
    no_thru = np.array(
        [bool(graph.nodes[n].get("no_thru", n in centroid_no_thru)) for n in nodes], dtype=bool
    )
    net = LinkNetwork(
        node_ids=np.asarray(nodes, dtype=np.int64),
        init=init,
        term=term,
        capacity=cols["capacity"],
        free_flow_time=cols["fft"],
        length=cols["length"],
        b=cols["b"],
        power=cols["power"],
        toll=cols["toll"],
        link_type=link_type,
        zone_nodes=np.asarray([index[centroid_of[z]] for z in zones], dtype=np.int64),
        no_thru=no_thru,
        meta={
            "source": source,
            "format": "gmns",
            "units": {"capacity": "veh/h", "free_flow_time": "min", "length": "km", "toll": "DKK"},
            "link_ids": [e[3].get("link_id", e[2]) for e in edges],
            "zone_ids": list(zones),
            "mode": mode,
        },
    )
    return net.validate(source=link_csv)


# --------------------------------------------------------------------------------------------
# TNTP -> GMNS


def link_network_to_gmns_graph(
    net: Any,
    *,
    length_to_km: float = 1.0,
    coords: dict[int, tuple[float, float]] | None = None,
    dataset_name: str = "network",
) -> nx.MultiDiGraph:
    """A GMNS-style graph from a :class:`LinkNetwork` (e.g. read from TNTP).

    Every link keeps its travel time as ``free_flow_time_min`` (TNTP times are minutes by
    convention) and its BPR parameters as ``vdf_alpha``/``vdf_beta``; ``capacity_vph`` is the
    link capacity (no lanes: GMNS ``capacity`` is then the whole-link figure). Zones get
    ``zone_id`` 1..Z on their centroid nodes, and every node gets an explicit ``no_thru``.
    ``free_speed_kmh`` is derived where length and time are positive.

    Parameters
    ----------
    net
        The network.
    length_to_km
        Factor from the network's length unit to km (TNTP networks are often in miles:
        1.609344).
    coords
        Optional ``node_id -> (x, y)`` (e.g. from ``*_node.tntp``); default (0, 0).
    dataset_name
        Name stored for ``config.csv``.
    """
    graph = nx.MultiDiGraph(dataset_name=dataset_name, crs="")
    zone_of = {int(net.node_ids[i]): z + 1 for z, i in enumerate(net.zone_nodes.tolist())}
    for i, node in enumerate(net.node_ids.tolist()):
        x, y = (coords or {}).get(int(node), (0.0, 0.0))
        attrs: dict[str, Any] = {"x": float(x), "y": float(y), "no_thru": bool(net.no_thru[i])}
        if int(node) in zone_of:
            attrs["zone_id"] = zone_of[int(node)]
        graph.add_node(int(node), **attrs)
    for k in range(net.n_links):
        u, v = int(net.node_ids[net.init[k]]), int(net.node_ids[net.term[k]])
        length_km = float(net.length[k]) * length_to_km
        fft = float(net.free_flow_time[k])
        attrs = {
            "link_id": k + 1,
            "length_km": length_km,
            "capacity_vph": float(net.capacity[k]),
            "free_flow_time_min": fft,
            "vdf_alpha": float(net.b[k]),
            "vdf_beta": float(net.power[k]),
            "toll_dkk": float(net.toll[k]),
            "tntp_link_type": int(net.link_type[k]),
        }
        if length_km > 0 and fft > 0:
            attrs["free_speed_kmh"] = 60.0 * length_km / fft
        graph.add_edge(u, v, key=k + 1, **attrs)
    return graph


def tntp_to_gmns(
    net_path: str | Path,
    folder: str | Path,
    *,
    node_path: str | Path | None = None,
    length_to_km: float = 1.0,
) -> Path:
    """Convert a TNTP ``*_net.tntp`` (and optional ``*_node.tntp``) to a GMNS folder.

    The written network assigns exactly like the TNTP one through
    :func:`gmns_to_link_network` (same links, times, capacities, BPR parameters, no-thru
    zones). Note that TNTP toll units are kept as given and written as DKK.
    """
    from mobility.network import tntp

    net = tntp.read_net(net_path)
    coords = None
    if node_path is not None:
        coords = _tntp_coords(tntp.read_nodes(node_path))
    graph = link_network_to_gmns_graph(
        net,
        length_to_km=length_to_km,
        coords=coords,
        dataset_name=Path(net_path).name.removesuffix("_net.tntp"),
    )
    return write_gmns(graph, folder)


def _tntp_coords(nodes: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict:
    """``(node_ids, x, y)`` as returned by ``tntp.read_nodes`` -> ``node -> (x, y)``."""
    ids, x, y = nodes
    return {
        int(n): (float(a), float(b))
        for n, a, b in zip(ids.tolist(), x.tolist(), y.tolist(), strict=True)
    }
