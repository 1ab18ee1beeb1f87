"""GMNS zones: the centroid node of each zone, generated connectors, and through traffic.

GMNS (Zephyr Foundation, https://github.com/zephyr-data-specs/GMNS, ``docs/spec/node.md``)
gives each node the ``zone_id`` it lies in; this module finds the node a zone's trips start
and end at, for graphs read by :func:`mobility.network.gmns.read_gmns`.

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
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np

from mobility.errors import InputError
from mobility.network.gmns import _link_sort_key

__all__ = [
    "CENTROID_NODE_TYPES",
    "CONNECTOR_CAPACITY",
    "is_centroid_type",
    "with_zone_connectors",
    "zone_centroids",
    "zone_ids",
]

#: ``node_type`` values (lower case) that mark a zone centroid.
CENTROID_NODE_TYPES = frozenset({"centroid", "zone", "zone_centroid", "taz", "taz_centroid"})


def is_centroid_type(node_type: Any) -> bool:
    """Whether a GMNS ``node_type`` marks a zone centroid (:data:`CENTROID_NODE_TYPES`).

    Parameters
    ----------
    node_type
        A node's ``node_type`` (any case; ``None`` or empty is no centroid).

    Returns
    -------
    bool
    """
    return str(node_type or "").strip().lower() in CENTROID_NODE_TYPES


def zone_ids(graph: nx.MultiDiGraph) -> set[int]:
    """Every id :func:`zone_centroids` can look up: the ``zone_id`` values, the zones of
    typed centroids (their node id when they have no ``zone_id``) and, for zones that
    are nodes, the node ids.

    Parameters
    ----------
    graph
        A graph of :func:`mobility.network.gmns.read_gmns`.

    Returns
    -------
    set of int
    """
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
        A graph of :func:`~mobility.network.gmns.read_gmns`.
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

    Parameters
    ----------
    graph
        A graph of :func:`mobility.network.gmns.read_gmns`.
    zones, source
        As for :func:`zone_centroids`.

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
