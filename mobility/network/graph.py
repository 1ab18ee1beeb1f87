"""The compact link-based network every computation runs on.

The editable model lives in networkx (see :func:`from_networkx` / :func:`to_networkx`); the
numerical code (shortest paths, assignment, skims) works on :class:`LinkNetwork`, a frozen set
of numpy arrays in link input order. Links are keyed by row, never by node pair: two links may
join the same nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from mobility.errors import InputError
from mobility.network.vdf import VDF_CODES

if TYPE_CHECKING:  # networkx loads only where the editable graph is used
    import networkx as nx


@dataclass(frozen=True)
class LinkNetwork:
    """A directed network as arrays, one entry per link in input order.

    Attributes
    ----------
    node_ids
        ``(N,)`` int64 external node id of each internal node index ``0..N-1``.
    init, term
        ``(M,)`` int64 internal node index of each link's tail and head.
    capacity
        ``(M,)`` float64 capacity (veh/h for the region model; the file's unit for TNTP).
    free_flow_time
        ``(M,)`` float64 free-flow travel time (minutes in the region model).
    length
        ``(M,)`` float64 length (km in the region model; the file's unit for TNTP).
    alpha, beta
        ``(M,)`` float64 BPR parameters, ``t0 * (1 + alpha (v/c)^beta)``; ``beta`` is also the
        conical function's steepness (:mod:`mobility.network.vdf`).
    akcelik_j, period_h
        ``(M,)`` float64 parameters of Akçelik's function: the delay parameter ``J`` and the
        flow period ``T`` in hours.
    toll
        ``(M,)`` float64 toll (DKK in the region model).
    link_type
        ``(M,)`` int64 link class code.
    zone_nodes
        ``(Z,)`` int64 internal node index of each zone's centroid, in zone order; OD
        matrices are indexed in this order.
    no_thru
        ``(N,)`` bool: True for nodes no path may pass through (centroids below TNTP's
        ``<FIRST THRU NODE>``); paths may start or end there.
    vdf
        Optional ``(M,)`` int64 volume-delay function of each link, a code of
        :data:`mobility.network.vdf.VDF_CODES`; ``None``: the function named in the call to
        :func:`mobility.network.assignment.assign` (BPR by default) on every link.
    meta
        Free-form metadata (source file, units, names), not used in computation.
    """

    node_ids: np.ndarray
    init: np.ndarray
    term: np.ndarray
    capacity: np.ndarray
    free_flow_time: np.ndarray
    length: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    akcelik_j: np.ndarray
    period_h: np.ndarray
    toll: np.ndarray
    link_type: np.ndarray
    zone_nodes: np.ndarray
    no_thru: np.ndarray
    vdf: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_ids.shape[0])

    @property
    def n_links(self) -> int:
        """Number of links."""
        return int(self.init.shape[0])

    @property
    def n_zones(self) -> int:
        """Number of zones."""
        return int(self.zone_nodes.shape[0])

    def vdf_parameters(self) -> dict[str, np.ndarray]:
        """The named volume-delay parameters (``alpha``, ``beta``, ``akcelik_j``,
        ``period_h``), e.g. for :func:`mobility.network.vdf.time`."""
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "akcelik_j": self.akcelik_j,
            "period_h": self.period_h,
        }

    def with_links(self, **arrays: np.ndarray) -> LinkNetwork:
        """A copy with some link arrays replaced (the original is never mutated)."""
        changes: dict[str, Any] = {k: np.asarray(v) for k, v in arrays.items()}
        return replace(self, **changes)

    def validate(self, *, source: str | None = None) -> LinkNetwork:
        """Check shapes, index ranges and physical values; return ``self``.

        Raises
        ------
        InputError
            Naming the first offending link (1-based row) and field.
        """
        m = self.n_links
        for name in (
            "term",
            "capacity",
            "free_flow_time",
            "length",
            "alpha",
            "beta",
            "akcelik_j",
            "period_h",
            "toll",
            "link_type",
        ):
            arr = getattr(self, name)
            if arr.shape != (m,):
                raise InputError(
                    f"has shape {arr.shape}", file=source, field=name, expected=f"({m},)"
                )
        n = self.n_nodes
        for name in ("init", "term"):
            arr = getattr(self, name)
            bad = np.flatnonzero((arr < 0) | (arr >= n))
            if bad.size:
                raise InputError(
                    f"link {bad[0] + 1} refers to an unknown node", file=source, field=name
                )
        checks = (
            ("capacity", self.capacity > 0, "a positive number"),
            ("free_flow_time", self.free_flow_time >= 0, "a number >= 0"),
            ("length", self.length >= 0, "a number >= 0"),
            ("alpha", self.alpha >= 0, "a number >= 0"),
            ("beta", self.beta >= 0, "a number >= 0"),
            ("akcelik_j", self.akcelik_j >= 0, "a number >= 0"),
            ("period_h", self.period_h >= 0, "a number >= 0"),
        )
        for name, ok, expected in checks:
            arr = getattr(self, name)
            bad = np.flatnonzero(~(ok & np.isfinite(arr)))
            if bad.size:
                raise InputError(
                    f"link {bad[0] + 1} has value {float(arr[bad[0]])!r}",
                    file=source,
                    field=name,
                    expected=expected,
                )
        if self.vdf is not None:
            codes = np.asarray(self.vdf)
            known = list(VDF_CODES.values())
            bad = np.flatnonzero(~np.isin(codes, known)) if codes.shape == (m,) else np.array([0])
            if len(bad):
                raise InputError(
                    f"link {bad[0] + 1} has no known volume-delay function",
                    file=source,
                    field="vdf",
                    expected=f"({m},) codes of "
                    + ", ".join(f"{k} {v}" for k, v in VDF_CODES.items()),
                )
        if self.no_thru.shape != (n,):
            raise InputError(f"has shape {self.no_thru.shape}", file=source, field="no_thru")
        return self


def from_networkx(
    graph: nx.MultiDiGraph | nx.DiGraph, *, zones: list[Any], meta: dict[str, Any] | None = None
) -> LinkNetwork:
    """Build a :class:`LinkNetwork` from a networkx graph.

    Edge attributes used (defaults in brackets): ``capacity``, ``free_flow_time``,
    ``length`` [0], ``alpha`` [0.15], ``beta`` [4], ``akcelik_j`` [0.1], ``period_h`` [1],
    ``toll`` [0], ``link_type`` [0]. Edges are
    taken in the graph's edge order. Nodes listed in ``zones`` are centroids; a node attribute
    ``no_thru=True`` forbids paths through it.
    """
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    try:
        node_ids = np.array([int(n) for n in nodes], dtype=np.int64)
    except (TypeError, ValueError):
        node_ids = np.arange(len(nodes), dtype=np.int64)
    rows: dict[str, list[float]] = {
        k: []
        for k in (
            "capacity",
            "free_flow_time",
            "length",
            "alpha",
            "beta",
            "akcelik_j",
            "period_h",
            "toll",
            "link_type",
        )
    }
    init, term = [], []
    defaults = {
        "length": 0.0,
        "alpha": 0.15,
        "beta": 4.0,
        "akcelik_j": 0.1,
        "period_h": 1.0,
        "toll": 0.0,
        "link_type": 0,
    }
    for u, v, data in graph.edges(data=True):
        init.append(index[u])
        term.append(index[v])
        for key, values in rows.items():
            if key in data:
                values.append(data[key])
            elif key in defaults:
                values.append(defaults[key])
            else:
                raise InputError(f"edge ({u}, {v}) has no '{key}'", field=key)
    return LinkNetwork(
        node_ids=node_ids,
        init=np.asarray(init, dtype=np.int64),
        term=np.asarray(term, dtype=np.int64),
        capacity=np.asarray(rows["capacity"], dtype=np.float64),
        free_flow_time=np.asarray(rows["free_flow_time"], dtype=np.float64),
        length=np.asarray(rows["length"], dtype=np.float64),
        alpha=np.asarray(rows["alpha"], dtype=np.float64),
        beta=np.asarray(rows["beta"], dtype=np.float64),
        akcelik_j=np.asarray(rows["akcelik_j"], dtype=np.float64),
        period_h=np.asarray(rows["period_h"], dtype=np.float64),
        toll=np.asarray(rows["toll"], dtype=np.float64),
        link_type=np.asarray(rows["link_type"], dtype=np.int64),
        zone_nodes=np.asarray([index[z] for z in zones], dtype=np.int64),
        no_thru=np.asarray([bool(graph.nodes[n].get("no_thru", False)) for n in nodes]),
        meta=dict(meta or {}),
    ).validate()


def to_networkx(net: LinkNetwork) -> nx.MultiDiGraph:
    """The editable networkx form of ``net`` (node keys are external node ids)."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for i, node_id in enumerate(net.node_ids.tolist()):
        graph.add_node(node_id, no_thru=bool(net.no_thru[i]))
    for k in range(net.n_links):
        graph.add_edge(
            int(net.node_ids[net.init[k]]),
            int(net.node_ids[net.term[k]]),
            key=k,
            capacity=float(net.capacity[k]),
            free_flow_time=float(net.free_flow_time[k]),
            length=float(net.length[k]),
            alpha=float(net.alpha[k]),
            beta=float(net.beta[k]),
            akcelik_j=float(net.akcelik_j[k]),
            period_h=float(net.period_h[k]),
            toll=float(net.toll[k]),
            link_type=int(net.link_type[k]),
        )
    return graph
