"""Numba kernels for shortest paths and all-or-nothing loading.

Pure array functions; validation lives in the wrappers in :mod:`mobility.network.paths`.
The graph is a forward-star (CSR) array set, :class:`CsrGraph`: ``indptr`` (N'+1,),
``adj_head``, ``adj_tail`` and ``adj_link`` (E,), where N' counts the network's nodes plus
one "origin copy" per no-thru zone (see :func:`mobility.network.paths.build_graph`); the
zones' ends in it are a :class:`ZoneEnds`. The kernels take these groups, not their arrays
one by one, so that two arrays of the same type cannot be swapped unnoticed.

Work is split over a fixed number of origin chunks (not over threads), and chunk results are
summed in chunk order, so results are bitwise identical whatever the thread count.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

#: Number of origin chunks the parallel kernels split the work into (fixed for determinism).
N_CHUNKS = 16


class CsrGraph(NamedTuple):
    """The forward-star (CSR) arrays of a graph, as the kernels take them.

    Attributes
    ----------
    indptr
        ``(N'+1,)`` offsets of each node's outgoing edges.
    adj_head, adj_tail, adj_link
        ``(E,)`` head node, tail node and link index of each edge.
    """

    indptr: np.ndarray
    adj_head: np.ndarray
    adj_tail: np.ndarray
    adj_link: np.ndarray


class ZoneEnds(NamedTuple):
    """Where each zone's paths start and end in a :class:`CsrGraph`, ``(Z,)`` nodes each.

    Attributes
    ----------
    sources
        The node each zone's trees start from (its origin copy if no-thru).
    zone_nodes
        The node each zone's trips end at.
    """

    sources: np.ndarray
    zone_nodes: np.ndarray


@njit(cache=True, nogil=True)
def dijkstra(src, indptr, adj_head, ecost, dist, pred_edge, order, heap, pos, target, n_targets):
    """One shortest-path tree from ``src`` (indexed binary heap with decrease-key).

    ``dist`` must be all ``inf`` and ``pos`` all -1 on entry (the caller resets both for the
    whole arrays after each tree). ``ecost`` is the cost
    of each CSR edge. Stops once ``n_targets`` nodes flagged in ``target`` are settled (pass
    ``n_targets < 0`` to settle everything reachable). Fills ``dist``, ``pred_edge`` (CSR
    edge into each settled node, -1 at the source) and ``order`` (settled nodes by
    non-decreasing distance, a topological order of the tree); returns how many settled.
    """
    dist[src] = 0.0
    pred_edge[src] = -1
    heap[0] = src
    pos[src] = 0
    size = 1
    n_settled = 0
    remaining = n_targets
    while size > 0:
        u = heap[0]
        du = dist[u]
        size -= 1
        pos[u] = -2
        if size > 0:
            last = heap[size]
            dl = dist[last]
            i = 0
            while True:
                child = 2 * i + 1
                if child >= size:
                    break
                if child + 1 < size and dist[heap[child + 1]] < dist[heap[child]]:
                    child += 1
                hc = heap[child]
                if dist[hc] >= dl:
                    break
                heap[i] = hc
                pos[hc] = i
                i = child
            heap[i] = last
            pos[last] = i
        order[n_settled] = u
        n_settled += 1
        if target[u]:
            remaining -= 1
            if remaining == 0:
                break
        for e in range(indptr[u], indptr[u + 1]):
            v = adj_head[e]
            nd = du + ecost[e]
            if nd < dist[v]:
                dist[v] = nd
                pred_edge[v] = e
                i = pos[v]
                if i == -1:
                    i = size
                    size += 1
                while i > 0:
                    parent = (i - 1) >> 1
                    hp = heap[parent]
                    if dist[hp] <= nd:
                        break
                    heap[i] = hp
                    pos[hp] = i
                    i = parent
                heap[i] = v
                pos[v] = i
    return n_settled


@njit(cache=True, nogil=True)
def _chunk_buffers(n_nodes, n_acc):
    dist = np.full(n_nodes, np.inf)
    pred_edge = np.empty(n_nodes, dtype=np.int32)
    order = np.empty(n_nodes, dtype=np.int32)
    heap = np.empty(n_nodes, dtype=np.int32)
    pos = np.full(n_nodes, -1, dtype=np.int32)
    target = np.zeros(n_nodes, dtype=np.bool_)
    acc = np.zeros((n_acc, n_nodes))
    return dist, pred_edge, order, heap, pos, target, acc


@njit(cache=True, nogil=True)
def _aon_chunk(lo, hi, graph, zones, ecost, demand, flows):
    """Load origins ``lo..hi-1`` into ``flows``; return (sum demand x SP cost, unreachable)."""
    indptr, adj_head, adj_tail, adj_link = graph
    sources, zone_nodes = zones
    n_nodes = indptr.shape[0] - 1
    n_zones = sources.shape[0]
    dist, pred_edge, order, heap, pos, target, _ = _chunk_buffers(n_nodes, 0)
    load = np.zeros(n_nodes)
    sp = 0.0
    unreach = 0.0
    for o in range(lo, hi):
        n_targets = 0
        for d in range(n_zones):
            if d != o and demand[o, d] > 0.0:
                node = zone_nodes[d]
                if not target[node]:
                    target[node] = True
                    n_targets += 1
        if n_targets == 0:
            continue
        n_settled = dijkstra(
            sources[o],
            indptr,
            adj_head,
            ecost,
            dist,
            pred_edge,
            order,
            heap,
            pos,
            target,
            n_targets,
        )
        for d in range(n_zones):
            q = demand[o, d]
            if d != o and q > 0.0:
                node = zone_nodes[d]
                target[node] = False
                if dist[node] < np.inf:
                    load[node] += q
                    sp += q * dist[node]
                else:
                    unreach += q
        for i in range(n_settled - 1, 0, -1):
            v = order[i]
            q = load[v]
            if q != 0.0:
                e = pred_edge[v]
                flows[adj_link[e]] += q
                load[adj_tail[e]] += q
                load[v] = 0.0
        load[order[0]] = 0.0
        for i in range(n_nodes):
            dist[i] = np.inf
            pos[i] = -1
    return sp, unreach


@njit(cache=True, nogil=True)
def _edge_cost(cost, adj_link):
    ecost = np.empty(adj_link.shape[0])
    for e in range(adj_link.shape[0]):
        ecost[e] = cost[adj_link[e]]
    return ecost


@njit(cache=True, nogil=True)
def _sum_chunks(chunk_flows, chunk_sp, chunk_unreach):
    n_links = chunk_flows.shape[1]
    out = np.zeros(n_links)
    sp_total = 0.0
    unreach_total = 0.0
    for c in range(N_CHUNKS):
        for k in range(n_links):
            out[k] += chunk_flows[c, k]
        sp_total += chunk_sp[c]
        unreach_total += chunk_unreach[c]
    return out, sp_total, unreach_total


@njit(cache=True, parallel=True)
def aon_load(graph, zones, cost, demand, n_links):
    """All-or-nothing loading of ``demand`` on shortest paths under link ``cost``.

    ``graph`` is a :class:`CsrGraph`, ``zones`` its :class:`ZoneEnds`. Origins are split in
    :data:`N_CHUNKS` chunks run in parallel threads.

    Returns
    -------
    (flows, sp_total, unreachable)
        ``(M,)`` link flows, sum of demand x shortest-path cost, and the demand with no path.
        Intrazonal demand (the diagonal) is not loaded.
    """
    n_zones = zones.sources.shape[0]
    ecost = _edge_cost(cost, graph.adj_link)
    chunk_flows = np.zeros((N_CHUNKS, n_links))
    chunk_sp = np.zeros(N_CHUNKS)
    chunk_unreach = np.zeros(N_CHUNKS)
    for c in prange(N_CHUNKS):
        lo = (c * n_zones) // N_CHUNKS
        hi = ((c + 1) * n_zones) // N_CHUNKS
        if hi > lo:
            chunk_sp[c], chunk_unreach[c] = _aon_chunk(
                lo, hi, graph, zones, ecost, demand, chunk_flows[c]
            )
    return _sum_chunks(chunk_flows, chunk_sp, chunk_unreach)


@njit(cache=True, nogil=True)
def aon_load_serial(graph, zones, cost, demand, n_links):
    """:func:`aon_load` in the calling thread (same chunking, bitwise the same result)."""
    n_zones = zones.sources.shape[0]
    ecost = _edge_cost(cost, graph.adj_link)
    chunk_flows = np.zeros((N_CHUNKS, n_links))
    chunk_sp = np.zeros(N_CHUNKS)
    chunk_unreach = np.zeros(N_CHUNKS)
    for c in range(N_CHUNKS):
        lo = (c * n_zones) // N_CHUNKS
        hi = ((c + 1) * n_zones) // N_CHUNKS
        if hi > lo:
            chunk_sp[c], chunk_unreach[c] = _aon_chunk(
                lo, hi, graph, zones, ecost, demand, chunk_flows[c]
            )
    return _sum_chunks(chunk_flows, chunk_sp, chunk_unreach)


@njit(cache=True, parallel=True)
def skim_trees(graph, zones, cost, accumulate):
    """Shortest-path cost and sums of ``accumulate`` (K, M) arrays between all zones.

    ``graph`` is a :class:`CsrGraph`, ``zones`` its :class:`ZoneEnds`.

    Returns
    -------
    (cost_matrix, sums)
        ``(Z, Z)`` costs (inf if unreachable, 0 on the diagonal) and ``(K, Z, Z)`` sums along
        the chosen paths (nan if unreachable).
    """
    indptr, adj_head, adj_tail, adj_link = graph
    sources, zone_nodes = zones
    n_nodes = indptr.shape[0] - 1
    n_zones = sources.shape[0]
    n_acc = accumulate.shape[0]
    ecost = _edge_cost(cost, adj_link)
    out_cost = np.full((n_zones, n_zones), np.inf)
    out_sums = np.full((n_acc, n_zones, n_zones), np.nan)
    for c in prange(N_CHUNKS):
        lo = (c * n_zones) // N_CHUNKS
        hi = ((c + 1) * n_zones) // N_CHUNKS
        if hi <= lo:
            continue
        dist, pred_edge, order, heap, pos, target, acc = _chunk_buffers(n_nodes, n_acc)
        for o in range(lo, hi):
            n_settled = dijkstra(
                sources[o],
                indptr,
                adj_head,
                ecost,
                dist,
                pred_edge,
                order,
                heap,
                pos,
                target,
                -1,
            )
            src = order[0]
            for k in range(n_acc):
                acc[k, src] = 0.0
            for i in range(1, n_settled):
                v = order[i]
                e = pred_edge[v]
                u = adj_tail[e]
                link = adj_link[e]
                for k in range(n_acc):
                    acc[k, v] = acc[k, u] + accumulate[k, link]
            for d in range(n_zones):
                node = zone_nodes[d]
                if d == o:
                    out_cost[o, d] = 0.0
                    for k in range(n_acc):
                        out_sums[k, o, d] = 0.0
                elif dist[node] < np.inf:
                    out_cost[o, d] = dist[node]
                    for k in range(n_acc):
                        out_sums[k, o, d] = acc[k, node]
            for i in range(n_nodes):
                dist[i] = np.inf
                pos[i] = -1
    return out_cost, out_sums
