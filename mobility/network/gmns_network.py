"""A GMNS network as the assignment's compact :class:`~mobility.network.graph.LinkNetwork`.

:func:`gmns_to_link_network` turns a GMNS folder or graph (:func:`mobility.network.gmns.read_gmns`;
General Modeling Network Specification, https://github.com/zephyr-data-specs/GMNS,
``docs/spec/link.md``) into link arrays for one mode: links in ascending ``link_id``, the
zones' centroids of :func:`mobility.network.gmns_zones.zone_centroids` (with generated
connectors where a zone needs them) and their ``no_thru`` flags. :func:`allows_mode` reads a
link's ``allowed_uses`` (GMNS ``use_definition.csv``: ``auto`` is car).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from mobility.errors import InputError
from mobility.network.gmns import ROAD_CLASSES, _link_sort_key, ordered_edges, read_gmns
from mobility.network.gmns_zones import with_zone_connectors

__all__ = ["ALL_USES", "CAR_USES", "allows_mode", "gmns_to_link_network"]

#: ``allowed_uses`` values that mean every mode.
ALL_USES = frozenset({"all", "any"})
#: ``allowed_uses`` values that mean car (GMNS ``use_definition.csv``: ``auto``).
CAR_USES = frozenset({"car", "auto", "sov"})


def allows_mode(data: dict, mode: str | None) -> bool:
    """Whether an edge allows ``mode``: its ``modes`` (GMNS ``allowed_uses``, separated by
    commas or semicolons, any case) name it; absent, empty or ``all`` allows every mode;
    ``auto`` (and ``sov``) mean car.

    Parameters
    ----------
    data
        The edge's attributes.
    mode
        ``"car"``, ``"bike"``, ...; ``None`` allows every edge.

    Returns
    -------
    bool
    """
    if mode is None:
        return True
    modes = str(data.get("modes", "")).strip()
    if not modes:
        return True
    allowed = {m.strip().lower() for m in modes.replace(";", ",").split(",")} - {""}
    if not allowed or allowed & ALL_USES:
        return True
    return mode in allowed or (mode == "car" and bool(allowed & CAR_USES))


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
        A GMNS folder or a graph as returned by :func:`~mobility.network.gmns.read_gmns`.
    zones
        Zone ids in OD-matrix order, e.g. a demand file's (default: the zones
        :func:`~mobility.network.gmns_zones.zone_centroids` finds, ascending).
    mode
        Keep only links allowing this mode (``"car"``...); ``None`` keeps every link.
    source
        The folder a graph was read from, for the file names in errors.

    Returns
    -------
    LinkNetwork
        Links in ascending ``link_id``; ``capacity`` in veh/h (whole direction),
        ``free_flow_time`` in minutes (``free_flow_time_min`` or 60 x length_km /
        free_speed_kmh), ``length`` in km, the volume-delay parameters from ``vdf_alpha``/
        ``vdf_beta`` (default BPR 0.15 / 4; :func:`~mobility.network.vdf.named_parameters`:
        BPR alpha/beta, Akçelik J/T), ``toll`` in DKK, ``link_type`` = 1-based index in
        :data:`ROAD_CLASSES` (0 = other). ``meta['link_ids']`` lists the link ids.

    Raises
    ------
    InputError
        A link without capacity or usable speed, an unknown zone, a zone whose centroid
        cannot be told (:func:`~mobility.network.gmns_zones.zone_centroids`), or invalid values.
    """
    from mobility.network.graph import LinkNetwork
    from mobility.network.vdf import named_parameters

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
    cols = {k: np.zeros(m) for k in ("capacity", "fft", "length", "vdf_alpha", "vdf_beta", "toll")}
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
        cols["vdf_alpha"][k] = float(data.get("vdf_alpha", 0.15))
        cols["vdf_beta"][k] = float(data.get("vdf_beta", 4.0))
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
        **named_parameters(cols["vdf_alpha"], cols["vdf_beta"]),
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
