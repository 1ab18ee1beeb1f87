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
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from mobility.network._kernels import N_CHUNKS


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
def _relax_into(j, size, label, in_indptr, in_link, cost, key, heap, hpos):
    """Queue (or re-key) the unexamined links entering ``j`` at ``u_j + c_a``; return size."""
    uj = label[j]
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
def _strategy_tree(
    dest,
    init,
    in_indptr,
    in_link,
    cost,
    freq,
    wait_gc,
    through,
    label,
    node_freq,
    fixed_out,
    attractive,
    key,
    heap,
    hpos,
    order,
    last_pos,
):
    """The backward label-setting pass of Spiess & Florian towards node ``dest``.

    Buffers must be reset on entry (``label`` inf, ``node_freq`` 0, ``fixed_out`` -1,
    ``attractive`` False, ``hpos`` -1). ``wait_gc`` is the wait weight x alpha. Fills the
    node labels, combined frequencies, the fixed link each node takes alone (-1 if none), the
    attractive frequency links, and ``order``: the node of every label update in sequence,
    ``last_pos[i]`` the position of node ``i``'s last update. Returns the number of updates.
    """
    label[dest] = 0.0
    size = _relax_into(dest, 0, label, in_indptr, in_link, cost, key, heap, hpos)
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
            size = _relax_into(i, size, label, in_indptr, in_link, cost, key, heap, hpos)
    return n_order


@njit(cache=True, nogil=True)
def _expectations(
    n_order,
    order,
    last_pos,
    out_indptr,
    out_link,
    term,
    freq,
    node_freq,
    fixed_out,
    attractive,
    acc,
    alpha,
    dest,
    expect,
):
    """Expected wait (column 0) and sums of ``acc`` (M, K) (columns 1..K) to ``dest``.

    Nodes are taken in label-setting order, so every successor is done before its
    predecessors. Rows of nodes outside the strategy are left untouched.
    """
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
def _load_tree(
    n_order,
    order,
    last_pos,
    out_indptr,
    out_link,
    term,
    freq,
    node_freq,
    fixed_out,
    attractive,
    dest,
    volume,
    flows,
):
    """Push the node ``volume`` down the strategy to ``dest``, adding link volumes to ``flows``.

    Nodes are taken in reverse label-setting order, so a node has all its inflow before it
    is split. ``volume`` is all zero again on return.
    """
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
    return label, node_freq, fixed_out, last_pos, attractive, key, heap, hpos, order


@njit(cache=True, nogil=True)
def _reset(label, node_freq, fixed_out, last_pos, attractive, hpos):
    label[:] = np.inf
    node_freq[:] = 0.0
    fixed_out[:] = -1
    last_pos[:] = -1
    attractive[:] = False
    hpos[:] = -1


@njit(cache=True, nogil=True)
def _skim_chunk(
    lo,
    hi,
    init,
    term,
    out_indptr,
    out_link,
    in_indptr,
    in_link,
    cost,
    freq,
    wait_gc,
    alpha,
    through,
    zone_nodes,
    acc,
    out_cost,
    out_sums,
):
    """Skim columns (destinations) ``lo..hi-1`` into ``out_cost`` and ``out_sums``."""
    n_nodes = through.shape[0]
    n_zones = zone_nodes.shape[0]
    n_rows = acc.shape[1] + 1
    label, node_freq, fixed_out, last_pos, attractive, key, heap, hpos, order = _buffers(
        n_nodes, init.shape[0]
    )
    expect = np.zeros((n_nodes, n_rows))
    for d in range(lo, hi):
        dest = zone_nodes[d]
        n_order = _strategy_tree(
            dest,
            init,
            in_indptr,
            in_link,
            cost,
            freq,
            wait_gc,
            through,
            label,
            node_freq,
            fixed_out,
            attractive,
            key,
            heap,
            hpos,
            order,
            last_pos,
        )
        _expectations(
            n_order,
            order,
            last_pos,
            out_indptr,
            out_link,
            term,
            freq,
            node_freq,
            fixed_out,
            attractive,
            acc,
            alpha,
            dest,
            expect,
        )
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
        _reset(label, node_freq, fixed_out, last_pos, attractive, hpos)


@njit(cache=True, parallel=True)
def strategy_skims(
    init,
    term,
    out_indptr,
    out_link,
    in_indptr,
    in_link,
    cost,
    freq,
    wait_gc,
    alpha,
    through,
    zone_nodes,
    acc,
):
    """Expected cost, wait and sums of ``acc`` (M, K) under the optimal strategies, all zones.

    Returns
    -------
    (cost, sums)
        ``(Z, Z)`` expected generalised cost (inf if unconnected, 0 on the diagonal) and
        ``(K + 1, Z, Z)`` expected wait minutes (row 0) and sums (nan if unconnected).
    """
    n_zones = zone_nodes.shape[0]
    out_cost = np.full((n_zones, n_zones), np.inf)
    out_sums = np.full((acc.shape[1] + 1, n_zones, n_zones), np.nan)
    for c in prange(N_CHUNKS):
        lo = (c * n_zones) // N_CHUNKS
        hi = ((c + 1) * n_zones) // N_CHUNKS
        if hi > lo:
            _skim_chunk(
                lo,
                hi,
                init,
                term,
                out_indptr,
                out_link,
                in_indptr,
                in_link,
                cost,
                freq,
                wait_gc,
                alpha,
                through,
                zone_nodes,
                acc,
                out_cost,
                out_sums,
            )
    return out_cost, out_sums


@njit(cache=True, nogil=True)
def _load_chunk(
    lo,
    hi,
    init,
    term,
    out_indptr,
    out_link,
    in_indptr,
    in_link,
    cost,
    freq,
    wait_gc,
    through,
    zone_nodes,
    demand,
    flows,
):
    """Load the demand to destinations ``lo..hi-1``; return (demand x cost, unreachable)."""
    n_nodes = through.shape[0]
    n_zones = zone_nodes.shape[0]
    label, node_freq, fixed_out, last_pos, attractive, key, heap, hpos, order = _buffers(
        n_nodes, init.shape[0]
    )
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
        n_order = _strategy_tree(
            dest,
            init,
            in_indptr,
            in_link,
            cost,
            freq,
            wait_gc,
            through,
            label,
            node_freq,
            fixed_out,
            attractive,
            key,
            heap,
            hpos,
            order,
            last_pos,
        )
        for o in range(n_zones):
            q = demand[o, d]
            if o != d and q > 0.0:
                node = zone_nodes[o]
                if label[node] < np.inf:
                    volume[node] += q
                    total += q * label[node]
                else:
                    unreach += q
        _load_tree(
            n_order,
            order,
            last_pos,
            out_indptr,
            out_link,
            term,
            freq,
            node_freq,
            fixed_out,
            attractive,
            dest,
            volume,
            flows,
        )
        _reset(label, node_freq, fixed_out, last_pos, attractive, hpos)
    return total, unreach


@njit(cache=True, parallel=True)
def strategy_loads(
    init,
    term,
    out_indptr,
    out_link,
    in_indptr,
    in_link,
    cost,
    freq,
    wait_gc,
    through,
    zone_nodes,
    demand,
):
    """Link volumes of ``demand`` (Z, Z) loaded on the optimal strategies.

    Returns
    -------
    (flows, total_cost, unreachable)
        ``(M,)`` link volumes, sum of demand x expected cost, demand with no strategy.
        Intrazonal demand (the diagonal) is not loaded.
    """
    n_zones = zone_nodes.shape[0]
    n_links = init.shape[0]
    chunk_flows = np.zeros((N_CHUNKS, n_links))
    chunk_total = np.zeros(N_CHUNKS)
    chunk_unreach = np.zeros(N_CHUNKS)
    for c in prange(N_CHUNKS):
        lo = (c * n_zones) // N_CHUNKS
        hi = ((c + 1) * n_zones) // N_CHUNKS
        if hi > lo:
            chunk_total[c], chunk_unreach[c] = _load_chunk(
                lo,
                hi,
                init,
                term,
                out_indptr,
                out_link,
                in_indptr,
                in_link,
                cost,
                freq,
                wait_gc,
                through,
                zone_nodes,
                demand,
                chunk_flows[c],
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
