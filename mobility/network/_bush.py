"""Origin-based equilibrium assignment: Algorithm B (Dial 2006) as numba kernels.

Each origin keeps a *bush*: an acyclic set of CSR edges that reaches every node from the
origin, with the origin's own flow on each edge. One sweep visits the origins in order; for
each origin it

1. orders the bush topologically and computes, in that order, the cheapest (``L``) and the
   dearest used (``U``) cost of reaching each node inside the bush (``U = L`` where no
   origin flow enters);
2. drops the edges without origin flow, except each node's cheapest way in (so the labels
   and the order stay valid);
3. adds every edge ``(i, j)`` outside the bush with ``U_i + c_ij < U_j`` (Dial 2006,
   section 3). An edge forward in the current order keeps it; if a backward one closes a
   cycle, the backward ones of that sweep are taken out again;
4. equalises, node by node in reverse topological order, the dearest used path and the
   cheapest path into the node from their last common node: a Newton step
   ``(C_max - C_min) / (sum of t'(a) over both segments)``, at most the smallest origin flow
   on the dear segment. Link flows, times and derivatives change at once (Gauss-Seidel).

A bush lives between sweeps as two compact arrays (edge ids, int32, and origin flows), so the
memory is 12 bytes per bush edge rather than per origin and link. The scratch arrays of one
origin (dense flags and flows over all edges, labels over all nodes) are allocated once and
cleared edge by edge after each origin.

Dial, R.B. (2006). A path-based user-equilibrium traffic assignment algorithm that obviates
path storage and enumeration. Transportation Research Part B 40(10), 917-936.
Nie, Y. (2010). A class of bush-based algorithms for the traffic assignment problem.
Transportation Research Part B 44(1), 73-89.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from mobility.network._kernels import dijkstra
from mobility.network.vdf import _der1, _time1


class BushScratch(NamedTuple):
    """One origin's working arrays in :func:`origin_update`, allocated once per thread and
    left cleared (as described) after each origin.

    Attributes
    ----------
    in_bush, xo
        ``(E,)`` False / 0: the bush's edges and the origin's flow on them.
    indeg, work, topo, pos, lo, hi, pmin, pmax, first, last
        ``(N',)`` in-degree in the bush (0), Kahn counters (0), topological order, place in
        it (-1), cheapest and dearest used cost, the edge each comes in by, and each tail's
        range in an edge list (-1).
    back_buf, list_buf, list_out
        ``(E,)`` the shortcuts added against the order, and the bush's edge list (two
        buffers for a re-sort).
    """

    in_bush: np.ndarray
    xo: np.ndarray
    indeg: np.ndarray
    work: np.ndarray
    topo: np.ndarray
    pos: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    pmin: np.ndarray
    pmax: np.ndarray
    back_buf: np.ndarray
    list_buf: np.ndarray
    list_out: np.ndarray
    first: np.ndarray
    last: np.ndarray


def bush_scratch(n_nodes: int, n_edges: int) -> BushScratch:
    """Fresh :class:`BushScratch` for a graph of ``n_nodes`` nodes and ``n_edges`` edges."""
    return BushScratch(
        in_bush=np.zeros(n_edges, dtype=np.bool_),
        xo=np.zeros(n_edges),
        indeg=np.zeros(n_nodes, dtype=np.int64),
        work=np.zeros(n_nodes, dtype=np.int64),
        topo=np.empty(n_nodes, dtype=np.int64),
        pos=np.full(n_nodes, -1, dtype=np.int64),
        lo=np.empty(n_nodes),
        hi=np.empty(n_nodes),
        pmin=np.empty(n_nodes, dtype=np.int64),
        pmax=np.empty(n_nodes, dtype=np.int64),
        back_buf=np.empty(n_edges, dtype=np.int64),
        list_buf=np.empty(n_edges, dtype=np.int64),
        list_out=np.empty(n_edges, dtype=np.int64),
        first=np.full(n_nodes, -1, dtype=np.int64),
        last=np.full(n_nodes, -1, dtype=np.int64),
    )


@njit(cache=True, nogil=True)
def origin_tree(src, dest_nodes, dest_demand, indptr, adj_head, adj_tail, ecost):
    """The first bush of one origin: its shortest-path tree, loaded all-or-nothing.

    Parameters
    ----------
    src
        CSR node the origin's trips start from.
    dest_nodes, dest_demand
        CSR node and demand of each destination with trips from this origin.
    indptr, adj_head, adj_tail
        The CSR graph.
    ecost
        ``(E,)`` cost of each CSR edge.

    Returns
    -------
    (edges, flows, unreachable)
        The tree's edges (int32, grouped by tail, tails in settling order), their origin
        flows, and the demand to destinations the tree does not reach.
    """
    n_nodes = indptr.shape[0] - 1
    dist = np.full(n_nodes, np.inf)
    pred = np.full(n_nodes, -1, dtype=np.int64)
    order = np.empty(n_nodes, dtype=np.int64)
    heap = np.empty(n_nodes, dtype=np.int64)
    pos = np.full(n_nodes, -1, dtype=np.int64)
    target = np.zeros(n_nodes, dtype=np.bool_)
    n_settled = dijkstra(src, indptr, adj_head, ecost, dist, pred, order, heap, pos, target, -1)
    load = np.zeros(n_nodes)
    unreachable = 0.0
    for k in range(dest_nodes.shape[0]):
        v = dest_nodes[k]
        if dist[v] < np.inf:
            load[v] += dest_demand[k]
        else:
            unreachable += dest_demand[k]
    for i in range(n_settled - 1, 0, -1):
        v = order[i]
        load[adj_tail[pred[v]]] += load[v]
    # the tree's edges grouped by tail, tails in settling order (the list order of a bush)
    edges = np.empty(max(n_settled - 1, 0), dtype=np.int32)
    flows = np.zeros(max(n_settled - 1, 0))
    k = 0
    for i in range(n_settled):
        u = order[i]
        for e in range(indptr[u], indptr[u + 1]):
            v = adj_head[e]
            if pred[v] == e and v != src:
                edges[k] = e
                flows[k] = load[v]
                k += 1
    return edges, flows, unreachable


@njit(cache=True, nogil=True, inline="always")
def _refresh(a, state, params):
    v = state.x[a]
    if v < 0.0:
        v = 0.0
    code, t0, first, second, c = params
    state.time[a] = _time1(code[a], v, t0[a], first[a], second[a], c[a])
    state.deriv[a] = _der1(code[a], v, t0[a], first[a], second[a], c[a])


@njit(cache=True, nogil=True)
def _list_labels(n, edges, n_edges, graph, time, fixed, s):
    """Cheapest and dearest costs into each bush node, along the bush's edge list (in the
    order of :func:`_reorder`).

    ``lo``/``pmin``: cheapest over every bush edge; ``hi``/``pmax``: dearest over the edges
    with origin flow (-1 where none enters)."""
    topo, xo, lo, hi, pmin, pmax = s.topo, s.xo, s.lo, s.hi, s.pmin, s.pmax
    adj_tail, adj_head, adj_link = graph.adj_tail, graph.adj_head, graph.adj_link
    for i in range(n):
        v = topo[i]
        lo[v] = np.inf
        hi[v] = -np.inf
        pmin[v] = -1
        pmax[v] = -1
    src = topo[0]
    lo[src] = 0.0
    hi[src] = 0.0
    for k in range(n_edges):
        e = edges[k]
        u = adj_tail[e]
        v = adj_head[e]
        a = adj_link[e]
        cost = time[a] + fixed[a]
        if lo[u] + cost < lo[v]:
            lo[v] = lo[u] + cost
            pmin[v] = e
        hu = hi[u]
        if xo[e] > 0.0 and hu > -np.inf and hu + cost > hi[v]:
            hi[v] = hu + cost
            pmax[v] = e


@njit(cache=True, nogil=True)
def _reorder(src, edges, n_edges, graph, s, out):
    """Kahn's order of the bush from its edge list into ``topo``, and the list regrouped in
    that order into ``out``; returns (nodes ordered, edges listed).

    ``edges`` holds the bush grouped by tail, each group in CSR order; an edge whose
    ``in_bush`` is False is skipped (taken out). The order is therefore the one a Kahn search
    over the CSR graph restricted to the bush finds. ``pos`` gets each
    ordered node's place; ``work``, ``first`` and ``last`` (node size, 0 / -1 / -1) are left
    that way."""
    adj_tail, adj_head = graph.adj_tail, graph.adj_head
    in_bush, indeg, work, first, last, topo, pos = (
        s.in_bush,
        s.indeg,
        s.work,
        s.first,
        s.last,
        s.topo,
        s.pos,
    )
    for k in range(n_edges):
        u = adj_tail[edges[k]]
        if first[u] < 0:
            first[u] = k
        last[u] = k + 1
    topo[0] = src
    pos[src] = 0
    n = 1
    i = 0
    while i < n:
        u = topo[i]
        i += 1
        if first[u] < 0:
            continue
        for k in range(first[u], last[u]):
            e = edges[k]
            if not in_bush[e]:
                continue
            v = adj_head[e]
            work[v] += 1
            if work[v] == indeg[v]:
                pos[v] = n
                topo[n] = v
                n += 1
    m = 0
    for i in range(n):
        u = topo[i]
        if first[u] < 0:
            continue
        for k in range(first[u], last[u]):
            e = edges[k]
            if in_bush[e]:
                out[m] = e
                m += 1
    for k in range(n_edges):
        e = edges[k]
        first[adj_tail[e]] = -1
        last[adj_tail[e]] = -1
        work[adj_head[e]] = 0
    return n, m


@njit(cache=True, nogil=True)
def _add_shortcuts(n, graph, time, fixed, s):
    """Add the edges that shorten the dearest used way into a node, and list the bush's
    edges grouped by tail in the order ``topo`` into ``edges``; return (edges listed, edges
    added against the order, listed in ``back_buf``).

    A node's label is its dearest used-path cost, or its cheapest where no flow enters.
    Edges that go forward in the order ``pos`` keep it (and the list) valid; the backward
    ones may close a cycle, which the caller checks."""
    indptr, adj_head, adj_link = graph.indptr, graph.adj_head, graph.adj_link
    topo, in_bush, indeg, pos, lo, hi, pmax = s.topo, s.in_bush, s.indeg, s.pos, s.lo, s.hi, s.pmax
    back_buf, edges = s.back_buf, s.list_buf
    n_back = 0
    k = 0
    for i in range(n):
        u = topo[i]
        hu = hi[u] if pmax[u] >= 0 or i == 0 else lo[u]
        for e in range(indptr[u], indptr[u + 1]):
            if in_bush[e]:
                edges[k] = e
                k += 1
                continue
            v = adj_head[e]
            if pos[v] < 0:
                continue
            hv = hi[v] if pmax[v] >= 0 else lo[v]
            a = adj_link[e]
            if hu + time[a] + fixed[a] < hv:
                in_bush[e] = True
                indeg[v] += 1
                edges[k] = e
                k += 1
                if pos[v] < i:
                    back_buf[n_back] = e
                    n_back += 1
    return k, n_back


@njit(cache=True, nogil=True)
def origin_update(
    src,
    bush_edges,
    bush_flows,
    graph,
    params,
    fixed,
    state,
    s,
    n_passes,
    tol,
    x_acc,
    out_edges,
    out_flows,
):
    """One origin's turn of a sweep: bush update, then ``n_passes`` flow-shifting passes.

    Parameters
    ----------
    src
        CSR node the origin's trips start from.
    bush_edges, bush_flows
        The origin's bush (edge ids, origin flows) as the previous sweep left it.
    graph
        The CSR graph (:class:`~mobility.network._kernels.CsrGraph`).
    params, fixed
        Per-link volume-delay inputs (:class:`~mobility.network.vdf.VdfParams`) and the
        flow-independent cost.
    state
        ``(M,)`` link flows, times and time derivatives
        (:class:`~mobility.network._pathbased.LinkState`), updated in place.
    s
        :class:`BushScratch` as :func:`bush_scratch` made it; left that way on return.
    n_passes
        Flow-shifting passes over the bush.
    tol
        A node is left alone when its dearest used and cheapest costs differ by at most
        ``tol`` times the cheapest.
    x_acc
        ``(M,)`` the origin's final flows are added here (exact link flows of the sweep).
    out_edges, out_flows
        ``(E,)`` int32 and float buffers the new bush is written into: the caller copies it
        out (in the thread that keeps the bushes, so that their memory comes from one
        allocator arena; freed and allocated bushes spread over the threads' arenas cost
        Chicago Regional 0.25 GB more peak memory).

    Returns
    -------
    (n_edges, shifted)
        The size of the new bush, written into ``out_edges[:n_edges]`` and
        ``out_flows[:n_edges]`` (its edges grouped by tail in topological order, each group
        in CSR order), and the total flow moved.
    """
    adj_head, adj_tail, adj_link = graph.adj_head, graph.adj_tail, graph.adj_link
    x, time, deriv = state.x, state.time, state.deriv
    in_bush, xo, indeg, topo, pos = s.in_bush, s.xo, s.indeg, s.topo, s.pos
    lo, hi, pmin, pmax = s.lo, s.hi, s.pmin, s.pmax
    back_buf, list_buf, list_out = s.back_buf, s.list_buf, s.list_out
    nb = bush_edges.shape[0]
    for k in range(nb):
        e = bush_edges[k]
        in_bush[e] = True
        xo[e] = bush_flows[k]
        indeg[adj_head[e]] += 1
    # 1. order and label the bush from its stored edge list; drop the edges without origin
    # flow that are not the cheapest way into their head (the labels and order stay valid)
    n, _ = _reorder(src, bush_edges, nb, graph, s, list_out)
    _list_labels(n, bush_edges, nb, graph, time, fixed, s)
    for k in range(nb):
        e = bush_edges[k]
        if xo[e] <= 0.0:
            v = adj_head[e]
            if pmin[v] != e:
                in_bush[e] = False
                xo[e] = 0.0
                indeg[v] -= 1
    # 2. add the shortcuts on the dearest used-path labels, listing the bush on the way
    n_list, n_back = _add_shortcuts(n, graph, time, fixed, s)
    if n_back > 0:
        # re-sort from the list; a backward edge that closed a cycle leaves nodes unordered:
        # then take the backward ones out again and re-sort without them
        n_old = n
        for i in range(n):
            pos[topo[i]] = -1
        n, m = _reorder(src, list_buf, n_list, graph, s, list_out)
        if n < n_old:
            for k in range(n_back):
                e = back_buf[k]
                in_bush[e] = False
                indeg[adj_head[e]] -= 1
            for i in range(n):
                pos[topo[i]] = -1
            n, m = _reorder(src, list_buf, n_list, graph, s, list_out)
        n_list = m
        list_buf[:m] = list_out[:m]
    # 4. shift flow from the dearest used path to the cheapest, node by node
    shifted = 0.0
    for _ in range(n_passes):
        _list_labels(n, list_buf, n_list, graph, time, fixed, s)
        moved = 0.0
        for i in range(n - 1, 0, -1):
            j = topo[i]
            if pmax[j] < 0 or pmax[j] == pmin[j]:
                continue
            if hi[j] - lo[j] <= tol * lo[j]:
                continue
            # last common node of the cheapest and the dearest path into j
            u = adj_tail[pmin[j]]
            w = adj_tail[pmax[j]]
            ok = True
            while u != w:
                if pos[u] > pos[w]:
                    u = adj_tail[pmin[u]]
                else:
                    if pmax[w] < 0:
                        ok = False
                        break
                    w = adj_tail[pmax[w]]
            if not ok:
                continue
            top = u
            c_min = 0.0
            d_min = 0.0
            v = j
            while v != top:
                e = pmin[v]
                a = adj_link[e]
                c_min += time[a] + fixed[a]
                d_min += deriv[a]
                v = adj_tail[e]
            c_max = 0.0
            d_max = 0.0
            cap = np.inf
            v = j
            while v != top:
                e = pmax[v]
                a = adj_link[e]
                c_max += time[a] + fixed[a]
                d_max += deriv[a]
                if xo[e] < cap:
                    cap = xo[e]
                v = adj_tail[e]
            excess = c_max - c_min
            if excess <= 0.0 or cap <= 0.0:
                continue
            curv = d_max + d_min
            step = cap if curv <= 0.0 else min(cap, excess / curv)
            v = j
            while v != top:
                e = pmax[v]
                a = adj_link[e]
                left = xo[e] - step
                xo[e] = left if left > 1e-12 * cap else 0.0
                x[a] -= step
                _refresh(a, state, params)
                v = adj_tail[e]
            v = j
            while v != top:
                e = pmin[v]
                a = adj_link[e]
                xo[e] += step
                x[a] += step
                _refresh(a, state, params)
                v = adj_tail[e]
            moved += step
        shifted += moved
        if moved == 0.0:
            break
    # the bush back into compact arrays (in the list's order), and clear the scratch
    for k in range(n_list):
        e = list_buf[k]
        out_edges[k] = e
        out_flows[k] = xo[e]
        x_acc[adj_link[e]] += xo[e]
        in_bush[e] = False
        xo[e] = 0.0
    for i in range(n):
        u = topo[i]
        pos[u] = -1
        indeg[u] = 0
    return n_list, shifted
