"""Origin-based user equilibrium: the driver of Algorithm B (``assign(algorithm="bush")``).

The kernels are in :mod:`mobility.network._bush`; this module builds the renumbered graph the
sweeps run on, loads the first bushes, runs the sweeps and evaluates the relative gap with the
same all-or-nothing search as the other algorithms of :mod:`mobility.network.assignment`.

The gap is only the stopping test here (the sweeps do not use its shortest paths), and on a
large network its search costs about half a sweep, so it is evaluated on a schedule
(:func:`next_check`): after the first two iterates, the rate at which log(gap) falls (between
the last two evaluations, or since the first if that is faster) predicts the sweeps left to
the target, and the next evaluation comes after :data:`GAP_LOOKAHEAD` of them (1 to
:data:`MAX_SKIP` sweeps later). The last iterate is always evaluated; the others have ``nan``
in the gap history.

Dial, R.B. (2006). A path-based user-equilibrium traffic assignment algorithm that obviates
path storage and enumeration. Transportation Research Part B 40(10), 917-936.
"""

from __future__ import annotations

import math
import os
import time as _time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mobility.network import _bush, paths, vdf
from mobility.network._kernels import CsrGraph
from mobility.network._pathbased import LinkState
from mobility.network.assignment import _relative_gap

if TYPE_CHECKING:
    from mobility.network.assignment import _Problem

__all__ = [
    "BLOCK",
    "DYNAMIC_TOL",
    "GAP_LOOKAHEAD",
    "GROUPS",
    "MAX_SKIP",
    "MIN_GROUP_ORIGINS",
    "PASSES",
    "TOL",
    "gap_estimate",
    "next_check",
    "solve",
]

#: Flow-shifting passes over each origin's bush per sweep (Algorithm B).
PASSES = 2
#: A bush node whose dearest used and cheapest costs agree within this fraction of the target
#: relative gap is left alone by the flow shifts.
TOL = 0.1
#: ... or within this fraction of the current relative gap (early sweeps skip small excesses).
DYNAMIC_TOL = 0.1
#: Groups of origins swept side by side, one thread each. The origins are split into up to this
#: many consecutive groups whatever the machine, so that the result does not depend on its cores.
GROUPS = 2
#: ... but each group gets at least this many origins: the groups' flow shifts are merged
#: Jacobi-style, which on a network of few origins (Sioux Falls, Anaheim) overshoots and stalls;
#: with hundreds of origins per group (Chicago Sketch, Chicago Regional) it converges as the
#: serial sweep does.
MIN_GROUP_ORIGINS = 128
#: Origins each group takes between two merges of the groups' link flows.
BLOCK = 16
#: The next gap evaluation comes after this fraction of the sweeps predicted to be left.
GAP_LOOKAHEAD = 0.5
#: ... and at most this many sweeps after the last one.
MAX_SKIP = 8


def _fall(a: tuple[int, float], b: tuple[int, float]) -> float:
    """Fall of log(gap) per sweep from evaluation ``a`` to the later ``b`` (0 if none)."""
    (i0, g0), (i1, g1) = a, b
    if g0 <= 0.0 or g1 <= 0.0 or g1 >= g0:
        return 0.0
    return (math.log(g0) - math.log(g1)) / (i1 - i0)


def _log_rate(evals: list[tuple[int, float]]) -> float:
    """The rate of fall of log(gap) per sweep the schedule plans with: the larger of the rate
    between the last two evaluations and the rate since the first, so that a stalled last
    interval (a rate near 0, predicting many sweeps) does not stretch the next skip alone."""
    if len(evals) < 2:
        return 0.0
    return max(_fall(evals[-2], evals[-1]), _fall(evals[0], evals[-1]))


def next_check(evals: list[tuple[int, float]], target: float, max_iter: int) -> int:
    """The iterate at which to evaluate the gap next.

    Parameters
    ----------
    evals
        ``(iterate, gap)`` of the evaluations so far, in order (at least one).
    target
        The relative gap to reach.
    max_iter
        The last iterate; it is always evaluated.

    Returns
    -------
    int
        The next iterate after ``evals[-1]`` to evaluate: the next one until the gap has
        fallen between two evaluations, then :data:`GAP_LOOKAHEAD` of the sweeps the rate of
        fall predicts to the target, between 1 and :data:`MAX_SKIP`.
    """
    i, g = evals[-1]
    rate = _log_rate(evals)
    skip = 1
    if rate > 0.0:
        left = math.log(g / target) / rate if target > 0.0 else math.inf
        skip = int(min(MAX_SKIP, max(1.0, GAP_LOOKAHEAD * left)))
    return min(i + skip, max_iter)


def gap_estimate(evals: list[tuple[int, float]], iterate: int) -> float:
    """The gap at ``iterate`` extrapolated from the last evaluations' rate of fall (for the
    sweeps' dynamic tolerance between evaluations)."""
    i, g = evals[-1]
    return g * math.exp(-_log_rate(evals) * (iterate - i))


def _cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class _EdgeArrays:
    """The renumbered graph and the volume-delay parameters in its edge order."""

    graph: paths.PathGraph
    code: np.ndarray
    t0: np.ndarray
    b: np.ndarray
    p: np.ndarray
    c: np.ndarray
    fixed: np.ndarray

    @property
    def csr(self) -> CsrGraph:
        """The graph's CSR arrays as the kernels take them."""
        g = self.graph
        return CsrGraph(g.indptr, g.adj_head, g.adj_tail, g.adj_link)

    @property
    def params(self) -> vdf.VdfParams:
        """The volume-delay inputs as the kernels take them."""
        return vdf.VdfParams(self.code, self.t0, self.b, self.p, self.c)

    def times(self, v: np.ndarray, out: np.ndarray) -> np.ndarray:
        return vdf.link_time(self.code, v, self.t0, self.b, self.p, self.c, out)

    def derivatives(self, v: np.ndarray, out: np.ndarray) -> np.ndarray:
        return vdf.link_time_derivative(self.code, v, self.t0, self.b, self.p, self.c, out)


class _Scratch:
    """One group's working arrays: its own copy of the link state, the per-origin scratch of
    :func:`mobility.network._bush.origin_update`, and the flows its origins end with."""

    def __init__(self, n_nodes: int, n_edges: int) -> None:
        self.live = np.empty(n_edges)
        self.time = np.empty(n_edges)
        self.deriv = np.empty(n_edges)
        self.state = LinkState(self.live, self.time, self.deriv)
        self.x_acc = np.zeros(n_edges)
        self.bush = _bush.bush_scratch(n_nodes, n_edges)
        # the block's new bushes, copied out by the main thread (see origin_update)
        self.out_edges = np.empty((BLOCK, n_edges), dtype=np.int32)
        self.out_flows = np.empty((BLOCK, n_edges))
        self.sizes = np.zeros(BLOCK, dtype=np.int64)


def _run_block(
    arrays: _EdgeArrays,
    bushes: list[tuple[np.ndarray, np.ndarray] | None],
    block: np.ndarray,
    s: _Scratch,
    tol: float,
) -> None:
    """Update the bushes of the origins ``block`` in turn, on the group's own link state; the
    new bushes are left in the group's ``out_edges``/``out_flows`` rows (:func:`_keep`)."""
    sources = arrays.graph.sources
    csr, params = arrays.csr, arrays.params
    for k, o in enumerate(block):
        bush = bushes[o]
        assert bush is not None
        s.sizes[k], _ = _bush.origin_update(
            sources[o],
            bush[0],
            bush[1],
            csr,
            params,
            arrays.fixed,
            s.state,
            s.bush,
            PASSES,
            tol,
            s.x_acc,
            s.out_edges[k],
            s.out_flows[k],
        )


def _keep(
    bushes: list[tuple[np.ndarray, np.ndarray] | None], block: np.ndarray, s: _Scratch
) -> None:
    """Copy the block's new bushes out of the group's buffers (in the calling thread)."""
    for k, o in enumerate(block):
        n = int(s.sizes[k])
        bushes[o] = (s.out_edges[k, :n].copy(), s.out_flows[k, :n].copy())


def _sweep(
    arrays: _EdgeArrays,
    bushes: list[tuple[np.ndarray, np.ndarray] | None],
    groups: list[np.ndarray],
    scratch: list[_Scratch],
    xe: np.ndarray,
    tol: float,
    pool: ThreadPoolExecutor | None,
) -> np.ndarray:
    """One sweep of Algorithm B over every origin; returns the link flows it ends with.

    The groups go side by side in blocks of :data:`BLOCK` origins. Within a block each
    group updates its origins in turn on its own copy of the link flows, times and
    derivatives (Gauss-Seidel within the group); after the block the groups' flow changes
    are added to the common flows in group order and the times and derivatives recomputed
    (Jacobi between the groups). Every sum runs in a fixed order, so the result is the same
    with one thread or several."""
    live = xe.copy()
    time = arrays.times(live, np.empty_like(live))
    deriv = arrays.derivatives(live, np.empty_like(live))
    for s in scratch:
        s.x_acc[:] = 0.0
    n_blocks = max(-(-grp.size // BLOCK) for grp in groups)
    for k in range(n_blocks):
        work = []
        for grp, s in zip(groups, scratch, strict=True):
            block = grp[k * BLOCK : (k + 1) * BLOCK]
            if block.size:
                s.live[:] = live
                s.time[:] = time
                s.deriv[:] = deriv
                work.append((block, s))
        if pool is None:
            for block, s in work:
                _run_block(arrays, bushes, block, s, tol)
        else:
            futures = [pool.submit(_run_block, arrays, bushes, b, s, tol) for b, s in work]
            for f in futures:
                f.result()
        for block, s in work:
            _keep(bushes, block, s)
        if len(work) == 1:
            live[:] = work[0][1].live
        else:
            base = live.copy()
            for _, s in work:
                live += s.live - base
        arrays.times(live, time)
        arrays.derivatives(live, deriv)
    total = scratch[0].x_acc.copy()
    for s in scratch[1:]:
        total += s.x_acc
    return total


def _bush_graph(g: paths.PathGraph) -> tuple[paths.PathGraph, np.ndarray]:
    """The CSR graph renumbered for Algorithm B's sweeps, and the link of each of its edges.

    Nodes are renumbered by reverse Cuthill-McKee on the undirected graph, so that a node's
    neighbours sit near it in memory, and the edges are numbered in CSR order; the sweep
    then works on edge-indexed arrays only (``adj_link`` of the returned graph is the
    identity). A pure relabelling: the equilibrium is the same."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    n = g.indptr.shape[0] - 1
    tail = g.adj_tail.astype(np.int64)
    head = g.adj_head.astype(np.int64)
    adjacency = csr_matrix((np.ones(tail.size), (tail, head)), shape=(n, n))
    perm = reverse_cuthill_mckee((adjacency + adjacency.T).tocsr(), symmetric_mode=True)
    new_of = np.empty(n, dtype=np.int64)
    new_of[perm] = np.arange(n)
    new_tail = new_of[tail]
    order = np.argsort(new_tail, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int32)
    indptr[1:] = np.cumsum(np.bincount(new_tail, minlength=n))
    graph = paths.PathGraph(
        indptr=indptr,
        adj_head=new_of[head[order]].astype(np.int32),
        adj_tail=new_tail[order].astype(np.int32),
        adj_link=np.arange(order.size, dtype=np.int32),
        sources=new_of[g.sources].astype(np.int32),
        zone_nodes=new_of[g.zone_nodes].astype(np.int32),
        n_links=int(order.size),
    )
    return graph, g.adj_link[order].astype(np.int64)


def solve(
    prob: _Problem, rel_gap: float, max_iter: int
) -> tuple[np.ndarray, list[float], int, float]:
    """Algorithm B: returns (flows, gap history, iterations, final gap).

    The first iterate loads every origin's shortest-path tree (its first bush) at the link
    costs the origins before it left (incremental loading: on Chicago Regional the first gap
    is 0.30 instead of the free-flow load's 0.95); each later one is a sweep of
    :func:`mobility.network._bush.origin_update` over the origins. The all-or-nothing gap
    evaluation at an iterate's exact flows follows the schedule of :func:`next_check` (``nan``
    in the history where it was skipped). The sweeps run on the graph of :func:`_bush_graph`,
    in edge-indexed arrays."""
    g, link_of = _bush_graph(prob.graph)
    m = prob.net.n_links
    z = prob.net.n_zones
    n_nodes = g.indptr.shape[0] - 1
    n_edges = g.adj_head.shape[0]
    # the volume-delay parameters in edge order
    code, t0, b = prob.code[link_of], prob.t0[link_of], prob.first[link_of]
    p, c, fixed = prob.second[link_of], prob.c[link_of], prob.fixed[link_of]

    def edge_times(v: np.ndarray) -> np.ndarray:
        return vdf.link_time(code, v, t0, b, p, c, np.empty(n_edges))

    start = _time.perf_counter()
    xe = np.zeros(n_edges)
    ecost = edge_times(xe) + fixed
    bushes: list[tuple[np.ndarray, np.ndarray] | None] = [None] * z
    origins = []
    for o in range(z):
        row = prob.demand[o]
        dests = np.flatnonzero(row > 0.0)
        dests = dests[dests != o]
        if dests.size == 0:
            continue
        edges, flows, unreachable = _bush.origin_tree(
            g.sources[o],
            g.zone_nodes[dests],
            row[dests],
            g.indptr,
            g.adj_head,
            g.adj_tail,
            ecost,
        )
        if unreachable > 0.0:
            paths.raise_unreachable(prob.net, prob.graph, prob.demand)
        bushes[o] = (edges, flows)
        origins.append(o)
        # incremental loading: the next origin's tree sees this origin's flows
        xe[edges] += flows
        ecost[edges] = (
            vdf.link_time(
                code[edges],
                xe[edges],
                t0[edges],
                b[edges],
                p[edges],
                c[edges],
                np.empty(edges.size),
            )
            + fixed[edges]
        )
    prob.sp_seconds += _time.perf_counter() - start
    arrays = _EdgeArrays(g, code, t0, b, p, c, fixed)
    n_groups = max(1, min(GROUPS, len(origins) // MIN_GROUP_ORIGINS))
    groups = list(np.array_split(np.asarray(origins, dtype=np.int64), n_groups))
    scratch = [_Scratch(n_nodes, n_edges) for _ in groups]
    tol = TOL * rel_gap
    history: list[float] = []
    evals: list[tuple[int, float]] = []
    iterations, check = 1, 1
    threads = min(n_groups, _cores())
    pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
    try:
        while True:
            if iterations == check:
                x = np.zeros(m)
                x[link_of] = xe
                cost = prob.times(x) + prob.fixed
                _, sp = prob.aon(cost)
                gap = _relative_gap(x, cost, sp)
                history.append(gap)
                evals.append((iterations, gap))
                if gap <= rel_gap or iterations >= max_iter:
                    break
                check = next_check(evals, rel_gap, max_iter)
            else:
                history.append(math.nan)
            start = _time.perf_counter()
            sweep_tol = max(tol, DYNAMIC_TOL * gap_estimate(evals, iterations))
            xe = _sweep(arrays, bushes, groups, scratch, xe, sweep_tol, pool)
            iterations += 1
            prob.sp_seconds += _time.perf_counter() - start
    finally:
        if pool is not None:
            pool.shutdown()
    return x, history, iterations, gap
