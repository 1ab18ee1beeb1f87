"""Origin-based user equilibrium: the driver of Algorithm B (``assign(algorithm="bush")``).

The kernels are in :mod:`mobility.network._bush`; this module builds the renumbered graph the
sweeps run on, loads the first bushes, runs the sweeps and evaluates the relative gap after
each with the same all-or-nothing search as the other algorithms of
:mod:`mobility.network.assignment`.

Dial, R.B. (2006). A path-based user-equilibrium traffic assignment algorithm that obviates
path storage and enumeration. Transportation Research Part B 40(10), 917-936.
"""

from __future__ import annotations

import time as _time
from typing import TYPE_CHECKING

import numpy as np

from mobility.network import _bush, paths, vdf
from mobility.network.assignment import _relative_gap

if TYPE_CHECKING:
    from mobility.network.assignment import _Problem

__all__ = ["DYNAMIC_TOL", "PASSES", "TOL", "solve"]

#: Flow-shifting passes over each origin's bush per sweep (Algorithm B).
PASSES = 2
#: A bush node whose dearest used and cheapest costs agree within this fraction of the target
#: relative gap is left alone by the flow shifts.
TOL = 0.1
#: ... or within this fraction of the current relative gap (early sweeps skip small excesses).
DYNAMIC_TOL = 0.1


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
    :func:`mobility.network._bush.origin_update` over the origins, followed by the
    all-or-nothing gap evaluation at the sweep's exact flows. The sweeps run on the graph of
    :func:`_bush_graph`, in edge-indexed arrays."""
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
    in_bush = np.zeros(n_edges, dtype=np.bool_)
    xo = np.zeros(n_edges)
    indeg = np.zeros(n_nodes, dtype=np.int64)
    work = np.zeros(n_nodes, dtype=np.int64)
    topo = np.empty(n_nodes, dtype=np.int64)
    pos = np.full(n_nodes, -1, dtype=np.int64)
    lo = np.empty(n_nodes)
    hi = np.empty(n_nodes)
    pmin = np.empty(n_nodes, dtype=np.int64)
    pmax = np.empty(n_nodes, dtype=np.int64)
    back_buf = np.empty(n_edges, dtype=np.int64)
    tol = TOL * rel_gap
    history: list[float] = []
    iterations = 0
    while True:
        x = np.zeros(m)
        x[link_of] = xe
        cost = prob.times(x) + prob.fixed
        _, sp = prob.aon(cost)
        iterations += 1
        gap = _relative_gap(x, cost, sp)
        history.append(gap)
        if gap <= rel_gap or iterations >= max_iter:
            break
        start = _time.perf_counter()
        live = xe.copy()
        time = edge_times(live)
        deriv = vdf.link_time_derivative(code, live, t0, b, p, c, np.empty(n_edges))
        x_acc = np.zeros(n_edges)
        for o in origins:
            bush = bushes[o]
            assert bush is not None
            edges, flows, _ = _bush.origin_update(
                g.sources[o],
                bush[0],
                bush[1],
                g.indptr,
                g.adj_head,
                g.adj_tail,
                g.adj_link,
                code,
                t0,
                b,
                p,
                c,
                fixed,
                live,
                time,
                deriv,
                in_bush,
                xo,
                indeg,
                work,
                topo,
                pos,
                lo,
                hi,
                pmin,
                pmax,
                back_buf,
                PASSES,
                max(tol, DYNAMIC_TOL * gap),
                x_acc,
            )
            bushes[o] = (edges, flows)
        xe = x_acc
        prob.sp_seconds += _time.perf_counter() - start
    return x, history, iterations, gap
