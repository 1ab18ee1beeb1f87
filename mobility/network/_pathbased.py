"""Path-based gradient projection (Jayakrishnan et al. 1994) as numba kernels.

Each OD pair keeps the set of paths that carry (or last carried) flow. One sweep visits the
origins in order; for each it grows a shortest-path tree under the CURRENT link costs, adds the
shortest path of each destination to that OD's set if new, and moves flow from every costlier
path to the shortest one by a Newton step ``(c_p - c_sp) / sum of t'(a) over the links the two
paths do not share``, updating link flows, costs and derivatives immediately (Gauss-Seidel).
Paths left without flow are dropped.

Storage is flat arrays grown by doubling: link ids of all paths in ``links_buf``; per path its
start, length, flow, hash key and the next path of the same OD pair (a linked list from
``od_head[o * Z + d]``).

The kernels take their arrays in small named groups: the storage as a :class:`PathStore`, the
links' flows, times and derivatives as a :class:`LinkState`, the volume-delay inputs as a
:class:`~mobility.network.vdf.VdfParams` and the graph as a
:class:`~mobility.network._kernels.CsrGraph` with its
:class:`~mobility.network._kernels.ZoneEnds`.

Jayakrishnan, R., Tsai, W.K., Prashker, J.N. and Rajadhyaksha, S. (1994). A faster
path-based algorithm for traffic assignment. Transportation Research Record 1443, 75-83.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from mobility.network._kernels import dijkstra
from mobility.network.vdf import time_and_derivative


class LinkState(NamedTuple):
    """The links' flows and the travel times and derivatives at them, ``(M,)`` each; the
    kernels update them in place.

    Attributes
    ----------
    x
        Link flows.
    time, deriv
        Travel time and its derivative at ``x``.
    """

    x: np.ndarray
    time: np.ndarray
    deriv: np.ndarray


class PathStore(NamedTuple):
    """The path storage (see the module docstring).

    Attributes
    ----------
    od_head
        ``(Z * Z,)`` first path of each OD pair (-1: none).
    path_next, path_start, path_len, path_flow, path_key
        Per path: the next path of its OD pair, the start and length of its links in
        ``links_buf``, its flow and its hash key.
    links_buf
        The links of all paths.
    """

    od_head: np.ndarray
    path_next: np.ndarray
    path_start: np.ndarray
    path_len: np.ndarray
    path_flow: np.ndarray
    path_key: np.ndarray
    links_buf: np.ndarray


@njit(cache=True, nogil=True)
def _grow_int(arr, need):
    if need <= arr.shape[0]:
        return arr
    out = np.empty(max(need, 2 * arr.shape[0]), dtype=arr.dtype)
    out[: arr.shape[0]] = arr
    return out


@njit(cache=True, nogil=True)
def _grow_float(arr, need):
    if need <= arr.shape[0]:
        return arr
    out = np.zeros(max(need, 2 * arr.shape[0]), dtype=arr.dtype)
    out[: arr.shape[0]] = arr
    return out


@njit(cache=True, nogil=True)
def _shift(params, state, links, start, length, delta):
    """Add ``delta`` to the flow of every link of one path and refresh their costs.

    ``params``: :class:`~mobility.network.vdf.VdfParams`; ``state``: :class:`LinkState`.
    """
    x, time, deriv = state
    for i in range(start, start + length):
        a = links[i]
        x[a] += delta
        time[a], deriv[a] = time_and_derivative(params, a, x[a])


@njit(cache=True, nogil=True)
def _equalize_od(od, sp, q, stamp, mark, params, fixed, state, store):
    """Move flow of one OD pair from its costlier paths to path ``sp`` (Newton steps).

    The links of ``sp`` must be marked with ``stamp`` in ``mark``. Paths left without flow
    are unlinked. Returns whether any flow moved.
    """
    time, deriv = state.time, state.deriv
    od_head, path_next, path_start, path_len, path_flow, _, links_buf = store
    moved = False
    prev = -1
    k = od_head[od]
    while k >= 0:
        nxt = path_next[k]
        if k != sp:
            c_sp = 0.0
            d_sp = 0.0
            s_sp = path_start[sp]
            for i in range(s_sp, s_sp + path_len[sp]):
                a = links_buf[i]
                c_sp += time[a] + fixed[a]
                d_sp += deriv[a]
            c_p = 0.0
            d_p = 0.0
            common = 0.0
            s_p = path_start[k]
            for i in range(s_p, s_p + path_len[k]):
                a = links_buf[i]
                c_p += time[a] + fixed[a]
                d_p += deriv[a]
                if mark[a] == stamp:
                    common += deriv[a]
            excess = c_p - c_sp
            f = path_flow[k]
            if excess > 0.0 and f > 0.0:
                curv = d_p + d_sp - 2.0 * common
                step = f if curv <= 0.0 else min(f, excess / curv)
                if f - step <= 1e-12 * q:
                    step = f
                path_flow[k] = f - step
                path_flow[sp] += step
                _shift(params, state, links_buf, s_p, path_len[k], -step)
                _shift(params, state, links_buf, s_sp, path_len[sp], step)
                moved = True
            if path_flow[k] <= 0.0:
                if prev < 0:
                    od_head[od] = nxt
                else:
                    path_next[prev] = nxt
                k = nxt
                continue
        prev = k
        k = nxt
    return moved


@njit(cache=True, nogil=True)
def gp_inner(demand, params, fixed, state, store, passes, tol):
    """Equalise every OD pair's existing paths ``passes`` times (no shortest-path search).

    For each OD pair with more than one path, the cheapest path of its set receives flow from
    the others, unless its used paths' costs already agree within ``tol`` (relative to the
    cheapest). Stops early after a pass that moved no flow. Returns the number of OD pairs
    where flow moved in the last pass. ``params``: :class:`~mobility.network.vdf.VdfParams`;
    ``state``: :class:`LinkState`; ``store``: :class:`PathStore`.
    """
    time = state.time
    od_head, path_next, path_start, path_len, path_flow, _, links_buf = store
    n_zones = demand.shape[0]
    n_links = state.x.shape[0]
    mark = np.zeros(n_links, dtype=np.int64)
    stamp = 0
    n_moved = 0
    for _ in range(passes):
        n_moved = 0
        for od in range(n_zones * n_zones):
            k0 = od_head[od]
            if k0 < 0 or path_next[k0] < 0:
                continue
            best = -1
            best_cost = np.inf
            worst_cost = -np.inf
            k = k0
            while k >= 0:
                cost = 0.0
                for i in range(path_start[k], path_start[k] + path_len[k]):
                    a = links_buf[i]
                    cost += time[a] + fixed[a]
                if cost < best_cost:
                    best_cost = cost
                    best = k
                if path_flow[k] > 0.0 and cost > worst_cost:
                    worst_cost = cost
                k = path_next[k]
            if worst_cost - best_cost <= tol * best_cost:
                continue
            stamp += 1
            for i in range(path_start[best], path_start[best] + path_len[best]):
                mark[links_buf[i]] = stamp
            q = demand[od // n_zones, od % n_zones]
            if _equalize_od(od, best, q, stamp, mark, params, fixed, state, store):
                n_moved += 1
        if n_moved == 0:
            break
    return n_moved


@njit(cache=True, nogil=True)
def gp_sweep(graph, zones, demand, params, fixed, state, store, counts, inner):
    """One gradient-projection sweep over all origins (see the module docstring).

    ``graph``: :class:`~mobility.network._kernels.CsrGraph`; ``zones``: its
    :class:`~mobility.network._kernels.ZoneEnds`; ``params``:
    :class:`~mobility.network.vdf.VdfParams`; ``state``: :class:`LinkState`; ``store``:
    :class:`PathStore`. ``counts`` holds ``[n_paths, n_buf]`` (updated). ``inner`` is the
    number of Newton passes per OD pair. Returns the :class:`PathStore` (its path arrays
    possibly reallocated).
    """
    indptr, adj_head, adj_tail, adj_link = graph
    sources, zone_nodes = zones
    time = state.time
    od_head, path_next, path_start, path_len, path_flow, path_key, links_buf = store
    n_nodes = indptr.shape[0] - 1
    n_zones = sources.shape[0]
    n_edges = adj_link.shape[0]
    n_links = state.x.shape[0]
    dist = np.full(n_nodes, np.inf)
    pred_edge = np.empty(n_nodes, dtype=np.int32)
    order = np.empty(n_nodes, dtype=np.int32)
    heap = np.empty(n_nodes, dtype=np.int32)
    pos = np.full(n_nodes, -1, dtype=np.int32)
    target = np.zeros(n_nodes, dtype=np.bool_)
    ecost = np.empty(n_edges)
    mark = np.zeros(n_links, dtype=np.int64)
    stamp = 0
    tmp = np.empty(n_nodes + 1, dtype=np.int32)
    n_paths = counts[0]
    n_buf = counts[1]
    for o in range(n_zones):
        n_targets = 0
        for d in range(n_zones):
            if d != o and demand[o, d] > 0.0:
                node = zone_nodes[d]
                if not target[node]:
                    target[node] = True
                    n_targets += 1
        if n_targets == 0:
            continue
        for e in range(n_edges):
            a = adj_link[e]
            ecost[e] = time[a] + fixed[a]
        dijkstra(
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
        src = sources[o]
        for d in range(n_zones):
            q = demand[o, d]
            if d == o or q <= 0.0:
                continue
            node = zone_nodes[d]
            target[node] = False
            # shortest path links (reverse order), hash key
            length = 0
            key = np.uint64(1469598103934665603)
            v = node
            while v != src:
                e = pred_edge[v]
                a = adj_link[e]
                tmp[length] = a
                length += 1
                key = (key ^ np.uint64(a + 1)) * np.uint64(1099511628211)
                v = adj_tail[e]
            ikey = np.int64(key >> np.uint64(1))
            stamp += 1
            for i in range(length):
                mark[tmp[i]] = stamp
            od = o * n_zones + d
            sp = -1
            k = od_head[od]
            while k >= 0:
                if path_key[k] == ikey and path_len[k] == length:
                    same = True
                    s0 = path_start[k]
                    for i in range(length):
                        if links_buf[s0 + i] != tmp[i]:
                            same = False
                            break
                    if same:
                        sp = k
                        break
                k = path_next[k]
            if sp < 0:
                need = n_paths + 1
                path_next = _grow_int(path_next, need)
                path_start = _grow_int(path_start, need)
                path_len = _grow_int(path_len, need)
                path_key = _grow_int(path_key, need)
                path_flow = _grow_float(path_flow, need)
                links_buf = _grow_int(links_buf, n_buf + length)
                store = PathStore(
                    od_head, path_next, path_start, path_len, path_flow, path_key, links_buf
                )
                sp = n_paths
                n_paths += 1
                path_start[sp] = n_buf
                path_len[sp] = length
                path_key[sp] = ikey
                path_flow[sp] = 0.0
                for i in range(length):
                    links_buf[n_buf + i] = tmp[i]
                n_buf += length
                path_next[sp] = od_head[od]
                od_head[od] = sp
                if path_next[sp] < 0:
                    # first path of this OD pair: it takes the whole demand
                    path_flow[sp] = q
                    _shift(params, state, links_buf, path_start[sp], length, q)
                    continue
            for _ in range(inner):
                if not _equalize_od(od, sp, q, stamp, mark, params, fixed, state, store):
                    break
        for i in range(n_nodes):
            dist[i] = np.inf
            pos[i] = -1
    counts[0] = n_paths
    counts[1] = n_buf
    return store


@njit(cache=True, nogil=True)
def warm_paths(
    od_head, path_next, path_start, path_len, path_flow, links_buf, link_map, n_links, demand
):
    """A compact copy of a live path set for a new network and a new demand (warm start).

    Every path's links are renumbered through ``link_map`` (old link -> new link among the
    new network's ``n_links``; ``-1``: the link is gone and every path through it is
    dropped). The surviving paths of each OD pair
    keep their flow proportions and are scaled to the new demand ``demand[o, d]``; an OD pair
    with no demand keeps no path, one whose paths all carry no flow gives its demand to the
    first surviving path. Hash keys are recomputed as :func:`gp_sweep` computes them.

    Returns ``(od_head, path_next, path_start, path_len, path_flow, path_key, links_buf,
    counts, x, missing)`` with ``x`` the new link flows (``link_map``'s target numbering) and
    ``missing`` the number of OD pairs with demand and no surviving path (their demand is
    not in ``x`` until a sweep gives them a path).
    """
    n_zones = demand.shape[0]
    n_paths = 0
    n_buf = 0
    for od in range(n_zones * n_zones):
        k = od_head[od]
        while k >= 0:
            n_paths += 1
            n_buf += path_len[k]
            k = path_next[k]
    cap = max(16, n_paths)
    head2 = np.full(n_zones * n_zones, -1, dtype=np.int64)
    next2 = np.full(cap, -1, dtype=np.int64)
    start2 = np.zeros(cap, dtype=np.int64)
    len2 = np.zeros(cap, dtype=np.int64)
    flow2 = np.zeros(cap)
    key2 = np.zeros(cap, dtype=np.int64)
    buf2 = np.zeros(max(16, n_buf), dtype=np.int32)
    x = np.zeros(n_links)
    m = 0
    used = 0
    missing = 0
    for od in range(n_zones * n_zones):
        q = demand[od // n_zones, od % n_zones]
        if q <= 0.0 or od // n_zones == od % n_zones:
            continue
        first = m
        total = 0.0
        k = od_head[od]
        while k >= 0:
            ok = True
            for i in range(path_start[k], path_start[k] + path_len[k]):
                if link_map[links_buf[i]] < 0:
                    ok = False
                    break
            if ok and (path_flow[k] > 0.0 or m == first):
                key = np.uint64(1469598103934665603)
                for i in range(path_len[k]):
                    a = link_map[links_buf[path_start[k] + i]]
                    buf2[used + i] = a
                    key = (key ^ np.uint64(a + 1)) * np.uint64(1099511628211)
                start2[m] = used
                len2[m] = path_len[k]
                key2[m] = np.int64(key >> np.uint64(1))
                flow2[m] = max(path_flow[k], 0.0)
                total += flow2[m]
                used += path_len[k]
                m += 1
            k = path_next[k]
        if m == first:
            missing += 1
            continue
        # link the OD's paths (in their old order) and scale them to the new demand
        for j in range(first, m):
            next2[j] = j + 1 if j + 1 < m else -1
            if total > 0.0:
                flow2[j] = flow2[j] * (q / total)
            else:
                flow2[j] = q if j == first else 0.0
            for i in range(start2[j], start2[j] + len2[j]):
                x[buf2[i]] += flow2[j]
        head2[od] = first
    counts = np.zeros(2, dtype=np.int64)
    counts[0] = m
    counts[1] = used
    return head2, next2, start2, len2, flow2, key2, buf2, counts, x, missing


@njit(cache=True, nogil=True)
def path_means(od_head, path_next, path_start, path_len, path_flow, links_buf, attrs):
    """Flow-weighted mean over each OD pair's paths of per-link attributes summed along them.

    ``attrs`` is ``(K, M)``; returns ``(K, Z * Z)``, NaN where an OD pair has no path with flow.
    """
    n_od = od_head.shape[0]
    n_attr = attrs.shape[0]
    out = np.full((n_attr, n_od), np.nan)
    acc = np.zeros(n_attr)
    for od in range(n_od):
        total = 0.0
        acc[:] = 0.0
        k = od_head[od]
        while k >= 0:
            f = path_flow[k]
            if f > 0.0:
                total += f
                for i in range(path_start[k], path_start[k] + path_len[k]):
                    a = links_buf[i]
                    for j in range(n_attr):
                        acc[j] += f * attrs[j, a]
            k = path_next[k]
        if total > 0.0:
            for j in range(n_attr):
                out[j, od] = acc[j] / total
    return out
