"""Path-based gradient projection: the driver of ``assign(algorithm="gp")``.

The kernels are in :mod:`mobility.network._pathbased`; this module sets up (or warm-starts)
the path storage, alternates one sweep with the equalisation passes and evaluates the
relative gap after each with the same all-or-nothing search as the other algorithms of
:mod:`mobility.network.assignment`.

Jayakrishnan, R., Tsai, W.K., Prashker, J.N. and Rajadhyaksha, S. (1994). A faster
path-based algorithm for traffic assignment. Transportation Research Record 1443, 75-83.
"""

from __future__ import annotations

import time as _time
from typing import TYPE_CHECKING

import numpy as np

from mobility.network import _pathbased
from mobility.network.assignment import PathSet, _relative_gap

if TYPE_CHECKING:
    from mobility.network.assignment import _Problem

__all__ = ["GP_INNER_PASSES", "GP_INNER_TOL", "solve"]

#: Equalisation passes over the existing path sets after each gradient-projection sweep.
GP_INNER_PASSES = 10
#: An OD pair whose used paths' costs agree within this fraction of the target relative gap
#: (relative to its cheapest path) is left alone by the inner passes.
GP_INNER_TOL = 0.1


def solve(
    prob: _Problem, rel_gap: float, max_iter: int, warm: PathSet | None = None
) -> tuple[np.ndarray, list[float], int, float, PathSet]:
    """Path-based gradient projection: returns (flows, gap history, iterations, final gap,
    the path set)."""
    g = prob.graph
    m = prob.net.n_links
    z = prob.net.n_zones
    history: list[float] = []
    iterations = 0
    gap = np.inf
    if warm is None:
        x = np.zeros(m)
        od_head = np.full(z * z, -1, dtype=np.int64)
        cap = max(16, 2 * z * z)
        state: tuple[np.ndarray, ...] = (
            np.full(cap, -1, dtype=np.int64),  # path_next
            np.zeros(cap, dtype=np.int64),  # path_start
            np.zeros(cap, dtype=np.int64),  # path_len
            np.zeros(cap),  # path_flow
            np.zeros(cap, dtype=np.int64),  # path_key
            np.zeros(16 * cap, dtype=np.int32),  # links_buf
        )
        counts = np.zeros(2, dtype=np.int64)
        missing = 0
    else:
        link_map = warm.link_map if warm.link_map is not None else np.arange(m, dtype=np.int64)
        od_head, *rest, counts, x, missing = _pathbased.warm_paths(
            warm.od_head,
            warm.next,
            warm.start,
            warm.length,
            warm.flow,
            warm.links,
            link_map,
            m,
            prob.demand,
        )
        state = tuple(rest)
    time = prob.times(x).copy()
    deriv = prob.derivative(x)
    # make sure every OD pair with demand has a path before the first sweep
    _, sp = prob.aon(time + prob.fixed)
    if warm is not None and missing == 0:
        # the warm start carries all the demand: it is an iterate with a gap of its own
        iterations = 1
        gap = _relative_gap(x, time + prob.fixed, sp)
        history.append(gap)
    while gap > rel_gap and iterations < max_iter:
        start = _time.perf_counter()
        state = _pathbased.gp_sweep(  # type: ignore[call-arg]  # numba stub: 25 arrays
            g.indptr,
            g.adj_head,
            g.adj_tail,
            g.adj_link,
            g.sources,
            g.zone_nodes,
            prob.demand,
            prob.code,
            prob.t0,
            prob.first,
            prob.second,
            prob.c,
            prob.fixed,
            x,
            time,
            deriv,
            od_head,
            *state,
            counts,
            1,
        )
        path_next, path_start, path_len, path_flow, _, links_buf = state
        _pathbased.gp_inner(
            prob.demand,
            prob.code,
            prob.t0,
            prob.first,
            prob.second,
            prob.c,
            prob.fixed,
            x,
            time,
            deriv,
            od_head,
            path_next,
            path_start,
            path_len,
            path_flow,
            links_buf,
            GP_INNER_PASSES,
            GP_INNER_TOL * rel_gap,
        )
        prob.sp_seconds += _time.perf_counter() - start
        np.maximum(x, 0.0, out=x)
        cost = prob.times(x) + prob.fixed
        _, sp = prob.aon(cost)
        iterations += 1
        gap = _relative_gap(x, cost, sp)
        history.append(gap)
        # refresh costs from the flows (removes drift of the incremental updates)
        time[:] = prob.times(x)
        deriv[:] = prob.derivative(x)
    path_next, path_start, path_len, path_flow, path_key, links_buf = state
    paths_out = PathSet(od_head, path_next, path_start, path_len, path_flow, path_key, links_buf, m)
    return x, history, iterations, gap, paths_out
