"""Write GMNS folders (``node.csv``, ``link.csv``, ``config.csv``), and TNTP -> GMNS.

:func:`write_gmns` writes a graph with the attributes of
:func:`mobility.network.gmns.read_gmns` back as a folder of the General Modeling Network
Specification (Zephyr Foundation, https://github.com/zephyr-data-specs/GMNS,
``docs/spec/node.md``, ``link.md``, ``config.md``), in the units of the table in
:mod:`mobility.network.gmns` (km, kph, DKK, per-lane capacity), nodes and links in
ascending id, floats in shortest round-trip form: the same graph gives the same bytes.
:func:`tntp_to_gmns` converts a TNTP network (Transportation Networks for Research,
:mod:`mobility.network.tntp`) into such a folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from mobility.errors import InputError
from mobility.fileio import atomic_write_text, csv_text
from mobility.network.gmns import (
    CONFIG_COLUMNS,
    LINK_COLUMNS,
    NODE_COLUMNS,
    _fmt,
    _link_sort_key,
    ordered_edges,
)

__all__ = ["link_network_to_gmns_graph", "tntp_to_gmns", "write_gmns"]

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
        A graph with the attributes :func:`~mobility.network.gmns.read_gmns` produces.
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
# TNTP -> GMNS


def link_network_to_gmns_graph(
    net: Any,
    *,
    length_to_km: float = 1.0,
    coords: dict[int, tuple[float, float]] | None = None,
    dataset_name: str = "network",
) -> nx.MultiDiGraph:
    """A GMNS-style graph from a :class:`~mobility.network.graph.LinkNetwork` (e.g. read from TNTP).

    Every link keeps its travel time as ``free_flow_time_min`` (TNTP times are minutes by
    convention) and its volume-delay pair as ``vdf_alpha``/``vdf_beta`` (BPR alpha and beta,
    Akçelik J and T: :func:`~mobility.network.vdf.parameter_pair`); ``capacity_vph`` is the
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

    Returns
    -------
    networkx.MultiDiGraph
        Nodes by node id, edges keyed by link id 1..M in link order.
    """
    from mobility.network.vdf import VDF_CODES, parameter_pair

    graph = nx.MultiDiGraph(dataset_name=dataset_name, crs="")
    codes = VDF_CODES["bpr"] if net.vdf is None else net.vdf
    vdf_alpha, vdf_beta = parameter_pair(codes, net.alpha, net.beta, net.akcelik_j, net.period_h)
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
            "vdf_alpha": float(vdf_alpha[k]),
            "vdf_beta": float(vdf_beta[k]),
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
    :func:`~mobility.network.gmns_network.gmns_to_link_network` (same links, times,
    capacities, BPR parameters, no-thru zones). Note that TNTP toll units are kept as given
    and written as DKK.

    Parameters
    ----------
    net_path
        The ``*_net.tntp`` file.
    folder
        Output folder (created if needed).
    node_path
        Optional ``*_node.tntp`` with the node coordinates (default (0, 0)).
    length_to_km
        Factor from the network's length unit to km (1.609344 for miles).

    Returns
    -------
    pathlib.Path
        The folder written.
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
