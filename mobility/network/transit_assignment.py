"""Optimal-strategy (hyperpath) transit assignment after Spiess & Florian (1989).

H. Spiess and M. Florian, "Optimal strategies: a new assignment model for transit networks",
*Transportation Research B* 23(2), 1989, pp. 83-102 (the method of EMME's and AequilibraE's
frequency-based transit assignment).

A traveller waiting at a stop boards the first vehicle to arrive among a set of *attractive*
lines. Each link ``a`` of the graph has a fixed cost ``c_a`` and a frequency ``f_a`` (vehicles
per minute on boarding links; ``np.inf`` on every other link: walking, riding, alighting,
which involve no wait). With random arrivals the wait at a node whose attractive links have
the combined frequency ``F = sum f_a`` is ``alpha / F`` minutes (``alpha = 0.5`` for regular
headways), and link ``a`` is taken with probability ``f_a / F``.

Per destination ``r`` the strategy is found by a backward label-setting pass (the paper's
algorithm): labels ``u_i`` (expected generalised cost from ``i`` to ``r``) start at infinity
(``u_r = 0``); links are examined in increasing ``u_j + c_a``; a link ``a = (i, j)`` is
attractive if ``u_j + c_a < u_i``, and then

* a link with a frequency updates ``u_i = (f_i u_i + f_a (u_j + c_a)) / (f_i + f_a)``
  (``u_i = w alpha / f_a + u_j + c_a`` for the first one, ``w`` the wait weight) and
  ``f_i = f_i + f_a``;
* a link without a wait (infinite frequency) replaces the node's strategy: ``u_i = u_j + c_a``
  and the node takes that link alone.

Expected components of the trip (in-vehicle minutes, boardings ... and the wait itself) then
follow by one pass over the nodes in label-setting order, and an OD matrix is loaded by one
pass in reverse order, splitting the volume at each node over its attractive links in
proportion to frequency. Nodes flagged as not passable (zone centroids) end strategies but
are never passed through.

Computation is on numpy arrays with numba kernels; destinations are split over a fixed number
of chunks (:data:`mobility.network._kernels.N_CHUNKS`), and each destination writes its own
skim column, so results are bitwise identical whatever the thread count. No capacity or
crowding effects are modelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from mobility.errors import InputError
from mobility.network._transit_kernels import (
    LinkService,
    StarArrays,
    _buffers,
    _strategy_tree,
    strategy_loads,
    strategy_skims,
)
from mobility.network.paths import check_link_cost, link_arrays

#: Wait = ALPHA / combined frequency: half the combined headway (regular service, random arrivals).
ALPHA = 0.5


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class StrategyGraph:
    """Forward and reverse star arrays of a graph, built once by :func:`build_strategy_graph`.

    Attributes
    ----------
    n_nodes
        Number of nodes ``N``.
    init, term
        ``(M,)`` int32 tail and head node of each link.
    out_indptr, out_link
        Forward star: links leaving node ``i`` are ``out_link[out_indptr[i]:out_indptr[i+1]]``.
    in_indptr, in_link
        Reverse star: links entering node ``i``.
    zone_nodes
        ``(Z,)`` int32 node of each zone, in OD-matrix order.
    through
        ``(N,)`` bool: False for nodes a strategy may end at but never pass (centroids).
    """

    n_nodes: int
    init: np.ndarray
    term: np.ndarray
    out_indptr: np.ndarray
    out_link: np.ndarray
    in_indptr: np.ndarray
    in_link: np.ndarray
    zone_nodes: np.ndarray
    through: np.ndarray

    @property
    def n_links(self) -> int:
        """Number of links ``M``."""
        return int(self.init.shape[0])

    @property
    def n_zones(self) -> int:
        """Number of zones ``Z``."""
        return int(self.zone_nodes.shape[0])


@dataclass(frozen=True)
class Strategy:
    """The optimal strategy towards one destination node.

    Attributes
    ----------
    destination
        The destination node.
    label
        ``(N,)`` expected generalised cost from each node to the destination (``np.inf`` where
        the destination cannot be reached, 0 at the destination).
    node_frequency
        ``(N,)`` combined frequency of the node's attractive links (``np.inf`` where the node
        takes one link without wait, 0 where it takes none).
    share
        ``(M,)`` probability that a traveller at a link's tail node takes that link (0 for links
        outside the strategy); the shares of a node's links sum to 1.
    order
        Nodes in the order their labels were set (each appears once, destination excluded): the
        head of every strategy link comes before its tail.
    """

    destination: int
    label: np.ndarray
    node_frequency: np.ndarray
    share: np.ndarray
    order: np.ndarray


@dataclass(frozen=True)
class StrategySkim:
    """Zone-to-zone expected values under the optimal strategies.

    Attributes
    ----------
    cost
        ``(Z, Z)`` expected generalised cost (``np.inf`` where unconnected, 0 on the diagonal).
    wait_min
        ``(Z, Z)`` expected wait, minutes (unweighted; ``nan`` where unconnected).
    sums
        Name -> ``(Z, Z)`` expected sum of that link array over the trip (``nan`` where
        unconnected, 0 on the diagonal).
    """

    cost: np.ndarray
    wait_min: np.ndarray
    sums: dict[str, np.ndarray] = field(default_factory=dict)


# --------------------------------------------------------------------------- wrappers


def _star(tail: np.ndarray, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(tail, kind="stable").astype(np.int32)
    indptr = np.zeros(n_nodes + 1, dtype=np.int32)
    indptr[1:] = np.cumsum(np.bincount(tail, minlength=n_nodes))
    return indptr, order


def build_strategy_graph(
    init: np.ndarray,
    term: np.ndarray,
    *,
    n_nodes: int,
    zone_nodes: np.ndarray,
    no_thru: np.ndarray | None = None,
) -> StrategyGraph:
    """Build the forward and reverse stars of a graph for strategy computations.

    Parameters
    ----------
    init, term
        ``(M,)`` 0-based tail and head node of each link.
    n_nodes
        Number of nodes ``N``.
    zone_nodes
        ``(Z,)`` node of each zone (OD-matrix order).
    no_thru
        ``(N,)`` True for nodes that strategies may start or end at but not pass through
        (default: none).

    Raises
    ------
    InputError
        Mismatched shapes or node indices out of range.
    """
    tail = np.asarray(init, dtype=np.int64)
    head = np.asarray(term, dtype=np.int64)
    zones = np.asarray(zone_nodes, dtype=np.int64)
    if tail.ndim != 1 or head.shape != tail.shape:
        raise InputError(f"has shape {head.shape}", field="term", expected=f"{tail.shape}")
    for name, arr in (("init", tail), ("term", head), ("zone_nodes", zones)):
        if arr.size and (arr.min() < 0 or arr.max() >= n_nodes):
            raise InputError("node index out of range", field=name, expected=f"0..{n_nodes - 1}")
    blocked = np.zeros(n_nodes, dtype=bool) if no_thru is None else np.asarray(no_thru, bool)
    if blocked.shape != (n_nodes,):
        raise InputError(f"has shape {blocked.shape}", field="no_thru", expected=f"({n_nodes},)")
    out_indptr, out_link = _star(tail, n_nodes)
    in_indptr, in_link = _star(head, n_nodes)
    return StrategyGraph(
        n_nodes=int(n_nodes),
        init=tail.astype(np.int32),
        term=head.astype(np.int32),
        out_indptr=out_indptr,
        out_link=out_link,
        in_indptr=in_indptr,
        in_link=in_link,
        zone_nodes=zones.astype(np.int32),
        through=~blocked,
    )


def _check_inputs(
    graph: StrategyGraph, cost: np.ndarray, frequency: np.ndarray, wait_weight: float, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    m = graph.n_links
    c = check_link_cost(cost, m, "cost")
    f = np.ascontiguousarray(frequency, dtype=np.float64)
    if f.shape != (m,):
        raise InputError(f"has shape {f.shape}", field="frequency", expected=f"({m},)")
    bad = np.flatnonzero(~(f > 0))
    if bad.size:
        raise InputError(
            f"link {bad[0] + 1} has frequency {f[bad[0]]!r}",
            field="frequency",
            expected="> 0 per minute (np.inf for links without a wait)",
        )
    for name, value in (("wait_weight", wait_weight), ("alpha", alpha)):
        if not (np.isfinite(value) and value >= 0):
            raise InputError(f"is {value!r}", field=name, expected="a finite number >= 0")
    return c, f


def _star_arrays(graph: StrategyGraph) -> StarArrays:
    """The graph's arrays as the kernels take them."""
    return StarArrays(
        init=graph.init,
        term=graph.term,
        out_indptr=graph.out_indptr,
        out_link=graph.out_link,
        in_indptr=graph.in_indptr,
        in_link=graph.in_link,
        through=graph.through,
        zone_nodes=graph.zone_nodes,
    )


def _service(
    cost: np.ndarray, frequency: np.ndarray, wait_weight: float, alpha: float
) -> LinkService:
    """Checked link costs and frequencies and the wait constants, as the kernels take them."""
    return LinkService(
        cost=cost, freq=frequency, wait_gc=float(wait_weight * alpha), alpha=float(alpha)
    )


def optimal_strategy(
    graph: StrategyGraph,
    cost: np.ndarray,
    frequency: np.ndarray,
    destination: int,
    *,
    wait_weight: float = 1.0,
    alpha: float = ALPHA,
) -> Strategy:
    """The optimal strategy from every node to ``destination`` (Spiess & Florian 1989).

    Parameters
    ----------
    graph
        From :func:`build_strategy_graph`.
    cost
        ``(M,)`` fixed generalised cost of each link (>= 0; no wait included).
    frequency
        ``(M,)`` vehicles per minute of each boarding link; ``np.inf`` for links without wait.
    destination
        The destination node (0-based).
    wait_weight
        Generalised minutes per minute of wait.
    alpha
        Wait = ``alpha`` / combined frequency (0.5: half the combined headway).

    Returns
    -------
    Strategy

    Raises
    ------
    InputError
        Bad shapes, negative costs, non-positive frequencies or a node out of range.
    """
    c, f = _check_inputs(graph, cost, frequency, wait_weight, alpha)
    if not 0 <= int(destination) < graph.n_nodes:
        raise InputError(
            f"node {destination} out of range", field="destination", expected="a node index"
        )
    buf = _buffers(graph.n_nodes, graph.n_links)
    n_order = _strategy_tree(
        int(destination), _star_arrays(graph), _service(c, f, wait_weight, alpha), buf
    )
    label, node_freq, fixed_out, last_pos, attractive, order = (
        buf.label,
        buf.node_freq,
        buf.fixed_out,
        buf.last_pos,
        buf.attractive,
        buf.order,
    )
    positions = np.arange(n_order)
    settled = order[:n_order][last_pos[order[:n_order]] == positions]
    share = np.zeros(graph.n_links)
    tails = graph.init
    free = fixed_out[tails] < 0
    sel = attractive & free
    share[sel] = f[sel] / node_freq[tails[sel]]
    fixed = fixed_out[fixed_out >= 0]
    share[fixed] = 1.0
    return Strategy(
        destination=int(destination),
        label=label,
        node_frequency=node_freq,
        share=share,
        order=settled.astype(np.int64),
    )


def strategy_skim(
    graph: StrategyGraph,
    cost: np.ndarray,
    frequency: np.ndarray,
    *,
    wait_weight: float = 1.0,
    alpha: float = ALPHA,
    accumulate: Mapping[str, np.ndarray] | None = None,
) -> StrategySkim:
    """Zone-to-zone expected cost, wait and link sums under the optimal strategies.

    Parameters
    ----------
    graph
        From :func:`build_strategy_graph`.
    cost, frequency, wait_weight, alpha
        As for :func:`optimal_strategy`.
    accumulate
        Name -> ``(M,)`` link arrays (in-vehicle minutes, a line's boarding indicator ...)
        whose expected sum over the trip is wanted.

    Returns
    -------
    StrategySkim
    """
    c, f = _check_inputs(graph, cost, frequency, wait_weight, alpha)
    names, rows = link_arrays(accumulate, graph.n_links)
    acc = np.ascontiguousarray(rows.T)  # (M, K): the kernels read one link's values at a time
    out_cost, out_sums = strategy_skims(
        _star_arrays(graph), _service(c, f, wait_weight, alpha), acc
    )
    return StrategySkim(
        cost=out_cost,
        wait_min=out_sums[0],
        sums={name: out_sums[k + 1] for k, name in enumerate(names)},
    )


def strategy_load(
    graph: StrategyGraph,
    cost: np.ndarray,
    frequency: np.ndarray,
    demand: np.ndarray,
    *,
    wait_weight: float = 1.0,
    alpha: float = ALPHA,
) -> np.ndarray:
    """Link volumes of a zone-to-zone ``demand`` loaded on the optimal strategies.

    At every node the volume splits over the attractive links in proportion to frequency
    (or takes the node's one fixed link). Intrazonal demand (the diagonal) is not loaded.

    Parameters
    ----------
    graph
        From :func:`build_strategy_graph`.
    cost, frequency, wait_weight, alpha
        As for :func:`optimal_strategy`.
    demand
        ``(Z, Z)`` trips, finite and >= 0.

    Returns
    -------
    numpy.ndarray
        ``(M,)`` link volumes.

    Raises
    ------
    InputError
        Bad demand, or demand between zones that no strategy connects.
    """
    c, f = _check_inputs(graph, cost, frequency, wait_weight, alpha)
    d = np.ascontiguousarray(demand, dtype=np.float64)
    z = graph.n_zones
    if d.shape != (z, z):
        raise InputError(f"has shape {d.shape}", field="demand", expected=f"({z}, {z})")
    if not np.all(np.isfinite(d) & (d >= 0)):
        raise InputError("has a negative or non-finite entry", field="demand", expected=">= 0")
    flows, _total, unreachable = strategy_loads(
        _star_arrays(graph), _service(c, f, wait_weight, alpha), d
    )
    if unreachable > 0:
        raise InputError(
            f"{unreachable!r} trips have no transit strategy between their zones",
            field="demand",
            expected="demand only between connected zones",
        )
    return flows
