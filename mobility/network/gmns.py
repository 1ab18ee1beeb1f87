"""GMNS network files: the format, its units and the reader of ``node.csv``, ``link.csv``
and ``config.csv``.

The General Modeling Network Specification (GMNS) of the Zephyr Foundation
(https://github.com/zephyr-data-specs/GMNS, ``docs/spec/node.md``, ``link.md``, ``config.md``)
is the model's exchange format for road networks: the bundled region network
(``mobility/data/roads/``) and networks imported from OpenStreetMap are GMNS folders.

Units (what :func:`~mobility.network.gmns_write.write_gmns` states in ``config.csv``, and
what :func:`read_gmns` assumes when a folder has no ``config.csv``):

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
every mode, ``auto`` means car; see :func:`~mobility.network.gmns_network.allows_mode`),
``name``, ``lanes`` (int), ``link_id`` (the edge key). Extension columns are kept as-is as
strings, except these numeric ones: ``vdf_alpha`` and ``vdf_beta`` (the volume-delay pair:
BPR ``alpha`` and ``beta``, Akçelik ``J`` and ``T``, see
:func:`mobility.network.vdf.named_parameters`; Path4GMNS/DTALite write them
``VDF_alpha1``/``VDF_beta1``, read as the same) and
``free_flow_time_min`` (overrides length / speed, e.g. for TNTP connectors of length 0). An
undirected link (``directed`` false) becomes two edges with the same ``link_id``; the
reverse copy carries ``gmns_reverse=True`` and is not written back separately.

Link order (for writing and for the compact network) is ascending ``link_id``
(:func:`ordered_edges`).

The GMNS code has one module per concern: this one (the format, its units and the reader),
:mod:`mobility.network.gmns_write` (writing a folder, and TNTP -> GMNS),
:mod:`mobility.network.gmns_zones` (zone centroids, generated connectors, through traffic),
:mod:`mobility.network.gmns_network` (a GMNS graph as the assignment's ``LinkNetwork``, by
mode) and :mod:`mobility.network.gmns_check` (stated link lengths against the coordinates).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from mobility.errors import InputError

__all__ = [
    "CONFIG_COLUMNS",
    "LINK_ALIASES",
    "LINK_COLUMNS",
    "NODE_COLUMNS",
    "NUMERIC_LINK_EXTENSIONS",
    "REQUIRED_LINK",
    "REQUIRED_NODE",
    "ROAD_CLASSES",
    "ordered_edges",
    "read_gmns",
]

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
# link order


def _link_sort_key(link_id: Any) -> tuple[int, Any]:
    if isinstance(link_id, (int, np.integer)):
        return (0, int(link_id))
    return (1, str(link_id))


def ordered_edges(graph: nx.MultiDiGraph) -> list[tuple[Any, Any, Any, dict]]:
    """The graph's edges ``(u, v, key, data)`` in link order (ascending ``link_id``).

    Parameters
    ----------
    graph
        A graph of :func:`read_gmns` (or with the same attributes).

    Returns
    -------
    list of tuple
        ``(u, v, key, data)`` by ascending ``link_id`` (the edge key when an edge has none;
        integer ids before text ids), the reverse copy of an undirected link after it.
    """
    edges = list(graph.edges(keys=True, data=True))
    edges.sort(
        key=lambda e: (
            _link_sort_key(e[3].get("link_id", e[2])),
            bool(e[3].get("gmns_reverse", False)),
        )
    )
    return edges
