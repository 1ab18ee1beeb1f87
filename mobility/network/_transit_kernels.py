"""Numba kernels of the optimal-strategy transit assignment (Spiess & Florian 1989).

H. Spiess and M. Florian, "Optimal strategies: a new assignment model for transit networks",
*Transportation Research B* 23(2), 1989, pp. 83-102. Pure array functions: the backward
label-setting pass per destination (:func:`_strategy_tree`, an indexed binary heap of links
keyed by ``u_j + c_a``), the expected wait and link sums over a strategy
(:func:`_expectations`), the loading of a destination's volume down its strategy
(:func:`_load_tree`), and the parallel all-zone drivers :func:`strategy_skims` and
:func:`strategy_loads`. Validation and the method's description live in the wrappers in
:mod:`mobility.network.transit_assignment`.

Destinations are split over a fixed number of chunks (:data:`mobility.network._kernels.N_CHUNKS`),
and each destination writes its own skim column, so results are bitwise identical whatever the
thread count.

The kernels take their arrays in three named groups, so that two arrays of one type cannot
change places unnoticed: :class:`StarArrays` (the graph), :class:`LinkService` (cost and
frequency of every link, and the wait constants) and :class:`StrategyBuffers` (the work
arrays of one strategy, made by :func:`_buffers`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from mobility.network._kernels import N_CHUNKS


class StarArrays(NamedTuple):
    """The arrays of a :class:`mobility.network.transit_assignment.StrategyGraph`.

    Attributes
    ----------
    init, term
        ``(M,)`` int32 tail and head node of each link.
    out_indptr, out_link
        Forward star: the links leaving node ``i`` are
        ``out_link[out_indptr[i]:out_indptr[i + 1]]``.
    in_indptr, in_link
        Reverse star, likewise for the links entering each node.
    through
        ``(N,)`` bool: whether strategies may pass through the node.
    zone_nodes
        ``(Z,)`` int32 node of each zone.
    """

    init: np.ndarray
    term: np.ndarray
    out_indptr: np.ndarray
    out_link: np.ndarray
    in_indptr: np.ndarray
    in_link: np.ndarray
    through: np.ndarray
    zone_nodes: np.ndarray


class LinkService(NamedTuple):
    """What a traveller meets on the links: fixed cost, frequency and the wait constants.

    Attributes
    ----------
    cost
        ``(M,)`` fixed generalised cost of each link.
    freq
        ``(M,)`` vehicles per minute of each link (``np.inf`` on links without a wait).
    wait_gc
        Wait weight x alpha: generalised minutes of wait = ``wait_gc`` / combined frequency.
    alpha
        Wait minutes = ``alpha`` / combined frequency.
    """

    cost: np.ndarray
    freq: np.ndarray
    wait_gc: float
    alpha: float


class StrategyBuffers(NamedTuple):
    """Work arrays of one strategy (:func:`_buffers`; reset by :func:`_reset`).

    Attributes
    ----------
    label, node_freq, fixed_out, last_pos
        ``(N,)`` per node: expected cost to the destination, combined frequency of the
        attractive links, the link the node takes alone (-1 if none), the position of the
        node's last label update in ``order``.
    attractive, key, heap, hpos, order
        ``(M,)`` per link: attractive or not, heap key ``u_j + c_a``, the heap, each link's
        heap position (-1 not queued, -2 examined), and the nodes of the label updates in
        sequence.
    """

    label: np.ndarray
    node_freq: np.ndarray
    fixed_out: np.ndarray
    last_pos: np.ndarray
    attractive: np.ndarray
    key: np.ndarray
    heap: np.ndarray
    hpos: np.ndarray
    order: np.ndarray


@njit(cache=True, nogil=True)
def _before(a, b, key):
    """Heap order: smaller key first, ties by smaller link index (canonical)."""
    ka = key[a]
    kb = key[b]
    return ka < kb or (ka == kb and a < b)


@njit(cache=True, nogil=True)
def _sift_up(i, heap, hpos, key):
    a = heap[i]
    while i > 0:
        parent = (i - 1) >> 1
        b = heap[parent]
        if not _before(a, b, key):
            break
        heap[i] = b
        hpos[b] = i
        i = parent
    heap[i] = a
    hpos[a] = i


@njit(cache=True, nogil=True)
def _sift_down(i, size, heap, hpos, key):
    a = heap[i]
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and _before(heap[child + 1], heap[child], key):
            child += 1
        b = heap[child]
        if not _before(b, a, key):
            break
        heap[i] = b
        hpos[b] = i
        i = child
    heap[i] = a
    hpos[a] = i


@njit(cache=True, nogil=True)
def _relax_into(j, size, graph, service, buf):
    """Queue (or re-key) the unexamined links entering ``j`` at ``u_j + c_a``; return size."""
    in_indptr = graph.in_indptr
    in_link = graph.in_link
    cost = service.cost
    key = buf.key
    heap = buf.heap
    hpos = buf.hpos
    uj = buf.label[j]
    for e in range(in_indptr[j], in_indptr[j + 1]):
        a = in_link[e]
        p = hpos[a]
        if p == -2:
            continue
        k = uj + cost[a]
        if p == -1:
            key[a] = k
            heap[size] = a
            hpos[a] = size
            size += 1
            _sift_up(size - 1, heap, hpos, key)
        elif k < key[a]:
            key[a] = k
            _sift_up(p, heap, hpos, key)
    return size


@njit(cache=True, nogil=True)
def _strategy_tree(dest, graph, service, buf):
    """The backward label-setting pass of Spiess & Florian towards node ``dest``.

    Buffers must be reset on entry (``label`` inf, ``node_freq`` 0, ``fixed_out`` -1,
    ``attractive`` False, ``hpos`` -1). ``service.wait_gc`` is the wait weight x alpha. Fills
    the node labels, combined frequencies, the fixed link each node takes alone (-1 if none),
    the attractive frequency links, and ``order``: the node of every label update in sequence,
    ``last_pos[i]`` the position of node ``i``'s last update. Returns the number of updates.
    """
    init = graph.init
    through = graph.through
    freq = service.freq
    wait_gc = service.wait_gc
    label = buf.label
    node_freq = buf.node_freq
    fixed_out = buf.fixed_out
    attractive = buf.attractive
    key = buf.key
    heap = buf.heap
    hpos = buf.hpos
    order = buf.order
    last_pos = buf.last_pos
    label[dest] = 0.0
    size = _relax_into(dest, 0, graph, service, buf)
    n_order = 0
    while size > 0:
        a = heap[0]
        size -= 1
        hpos[a] = -2
        if size > 0:
            heap[0] = heap[size]
            hpos[heap[0]] = 0
            _sift_down(0, size, heap, hpos, key)
        i = init[a]
        k = key[a]
        if not k < label[i]:
            continue
        fa = freq[a]
        fi = node_freq[i]
        if fa == np.inf:
            label[i] = k
            node_freq[i] = np.inf
            fixed_out[i] = a
        elif fi == np.inf:
            continue  # unreachable: a node on a fixed link has u_i = its key <= k
        else:
            if fi == 0.0:
                label[i] = wait_gc / fa + k
            else:
                label[i] = (fi * label[i] + fa * k) / (fi + fa)
            node_freq[i] = fi + fa
            attractive[a] = True
        order[n_order] = i
        last_pos[i] = n_order
        n_order += 1
        if through[i]:
            size = _relax_into(i, size, graph, service, buf)
    return n_order


@njit(cache=True, nogil=True)
def _expectations(n_order, graph, service, buf, acc, dest, expect):
    """Expected wait (column 0) and sums of ``acc`` (M, K) (columns 1..K) to ``dest``.

    Nodes are taken in label-setting order, so every successor is done before its
    predecessors. Rows of nodes outside the strategy are left untouched.
    """
    order = buf.order
    last_pos = buf.last_pos
    out_indptr = graph.out_indptr
    out_link = graph.out_link
    term = graph.term
    freq = service.freq
    node_freq = buf.node_freq
    fixed_out = buf.fixed_out
    attractive = buf.attractive
    alpha = service.alpha
    n_acc = acc.shape[1]
    for k in range(n_acc + 1):
        expect[dest, k] = 0.0
    for pos in range(n_order):
        i = order[pos]
        if last_pos[i] != pos:
            continue
        a = fixed_out[i]
        if a >= 0:
            j = term[a]
            expect[i, 0] = expect[j, 0]
            for k in range(n_acc):
                expect[i, k + 1] = acc[a, k] + expect[j, k + 1]
            continue
        f_total = node_freq[i]
        expect[i, 0] = alpha / f_total
        for k in range(n_acc):
            expect[i, k + 1] = 0.0
        for e in range(out_indptr[i], out_indptr[i + 1]):
            b = out_link[e]
            if attractive[b]:
                p = freq[b] / f_total
                j = term[b]
                expect[i, 0] += p * expect[j, 0]
                for k in range(n_acc):
                    expect[i, k + 1] += p * (acc[b, k] + expect[j, k + 1])


@njit(cache=True, nogil=True)
def _load_tree(n_order, graph, service, buf, dest, volume, flows):
    """Push the node ``volume`` down the strategy to ``dest``, adding link volumes to ``flows``.

    Nodes are taken in reverse label-setting order, so a node has all its inflow before it
    is split. ``volume`` is all zero again on return.
    """
    order = buf.order
    last_pos = buf.last_pos
    out_indptr = graph.out_indptr
    out_link = graph.out_link
    term = graph.term
    freq = service.freq
    node_freq = buf.node_freq
    fixed_out = buf.fixed_out
    attractive = buf.attractive
    for pos in range(n_order - 1, -1, -1):
        i = order[pos]
        if last_pos[i] != pos:
            continue
        v = volume[i]
        if v == 0.0:
            continue
        volume[i] = 0.0
        a = fixed_out[i]
        if a >= 0:
            flows[a] += v
            volume[term[a]] += v
            continue
        f_total = node_freq[i]
        for e in range(out_indptr[i], out_indptr[i + 1]):
            b = out_link[e]
            if attractive[b]:
                q = v * freq[b] / f_total
                flows[b] += q
                volume[term[b]] += q
    volume[dest] = 0.0


@njit(cache=True, nogil=True)
def _buffers(n_nodes, n_links):
    label = np.full(n_nodes, np.inf)
    node_freq = np.zeros(n_nodes)
    fixed_out = np.full(n_nodes, -1, dtype=np.int32)
    last_pos = np.full(n_nodes, -1, dtype=np.int32)
    attractive = np.zeros(n_links, dtype=np.bool_)
    key = np.empty(n_links)
    heap = np.empty(n_links, dtype=np.int32)
    hpos = np.full(n_links, -1, dtype=np.int32)
    order = np.empty(n_links, dtype=np.int32)
    return StrategyBuffers(
        label, node_freq, fixed_out, last_pos, attractive, key, heap, hpos, order
    )


@njit(cache=True, nogil=True)
def _reset(buf):
    buf.label[:] = np.inf
    buf.node_freq[:] = 0.0
    buf.fixed_out[:] = -1
    buf.last_pos[:] = -1
    buf.attractive[:] = False
    buf.hpos[:] = -1


@njit(cache=True, nogil=True)
def _skim_chunk(lo, hi, graph, service, acc, out_cost, out_sums):
    """Skim columns (destinations) ``lo..hi-1`` into ``out_cost`` and ``out_sums``."""
    zone_nodes = graph.zone_nodes
    n_nodes = graph.through.shape[0]
    n_zones = zone_nodes.shape[0]
    n_rows = acc.shape[1] + 1
    buf = _buffers(n_nodes, graph.init.shape[0])
    label = buf.label
    expect = np.zeros((n_nodes, n_rows))
    for d in range(lo, hi):
        dest = zone_nodes[d]
        n_order = _strategy_tree(dest, graph, service, buf)
        _expectations(n_order, graph, service, buf, acc, dest, expect)
        for o in range(n_zones):
            node = zone_nodes[o]
            if o == d:
                out_cost[o, d] = 0.0
                for k in range(n_rows):
                    out_sums[k, o, d] = 0.0
            elif label[node] < np.inf:
                out_cost[o, d] = label[node]
                for k in range(n_rows):
                    out_sums[k, o, d] = expect[node, k]
        _reset(buf)


@njit(cache=True, parallel=True)
def strategy_skims(graph, service, acc):
    """Expected cost, wait and sums of ``acc`` (M, K) under the optimal strategies, all zones.

    Parameters
    ----------
    graph
        :class:`StarArrays`.
    service
        :class:`LinkService`.
    acc
        ``(M, K)`` link values whose expected sums are wanted.

    Returns
    -------
    (cost, sums)
        ``(Z, Z)`` expected generalised cost (inf if unconnected, 0 on the diagonal) and
        ``(K + 1, Z, Z)`` expected wait minutes (row 0) and sums (nan if unconnected).
    """
    n_zones = graph.zone_nodes.shape[0]
    out_cost = np.full((n_zones, n_zones), np.inf)
    out_sums = np.full((acc.shape[1] + 1, n_zones, n_zones), np.nan)
    for c in prange(N_CHUNKS):
        lo = (c * n_zones) // N_CHUNKS
        hi = ((c + 1) * n_zones) // N_CHUNKS
        if hi > lo:
            _skim_chunk(lo, hi, graph, service, acc, out_cost, out_sums)
    return out_cost, out_sums


@njit(cache=True, nogil=True)
def _load_chunk(lo, hi, graph, service, demand, flows):
    """Load the demand to destinations ``lo..hi-1``; return (demand x cost, unreachable)."""
    zone_nodes = graph.zone_nodes
    n_nodes = graph.through.shape[0]
    n_zones = zone_nodes.shape[0]
    buf = _buffers(n_nodes, graph.init.shape[0])
    label = buf.label
    volume = np.zeros(n_nodes)
    total = 0.0
    unreach = 0.0
    for d in range(lo, hi):
        has_demand = False
        for o in range(n_zones):
            if o != d and demand[o, d] > 0.0:
                has_demand = True
                break
        if not has_demand:
            continue
        dest = zone_nodes[d]
        n_order = _strategy_tree(dest, graph, service, buf)
        for o in range(n_zones):
            q = demand[o, d]
            if o != d and q > 0.0:
                node = zone_nodes[o]
                if label[node] < np.inf:
                    volume[node] += q
                    total += q * label[node]
                else:
                    unreach += q
        _load_tree(n_order, graph, service, buf, dest, volume, flows)
        _reset(buf)
    return total, unreach


@njit(cache=True, parallel=True)
def strategy_loads(graph, service, demand):
    """Link volumes of ``demand`` (Z, Z) loaded on the optimal strategies.

    Parameters
    ----------
    graph
        :class:`StarArrays`.
    service
        :class:`LinkService` (``alpha`` is not used).
    demand
        ``(Z, Z)`` trips.

    Returns
    -------
    (flows, total_cost, unreachable)
        ``(M,)`` link volumes, sum of demand x expected cost, demand with no strategy.
        Intrazonal demand (the diagonal) is not loaded.
    """
    n_zones = graph.zone_nodes.shape[0]
    n_links = graph.init.shape[0]
    chunk_flows = np.zeros((N_CHUNKS, n_links))
    chunk_total = np.zeros(N_CHUNKS)
    chunk_unreach = np.zeros(N_CHUNKS)
    for c in prange(N_CHUNKS):
        lo = (c * n_zones) // N_CHUNKS
        hi = ((c + 1) * n_zones) // N_CHUNKS
        if hi > lo:
            chunk_total[c], chunk_unreach[c] = _load_chunk(
                lo, hi, graph, service, demand, chunk_flows[c]
            )
    flows = np.zeros(n_links)
    total = 0.0
    unreach = 0.0
    for c in range(N_CHUNKS):
        for a in range(n_links):
            flows[a] += chunk_flows[c, a]
        total += chunk_total[c]
        unreach += chunk_unreach[c]
    return flows, total, unreach
