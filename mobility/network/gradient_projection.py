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
        cap = max(16, 2 * z * z)
        store = _pathbased.PathStore(
            od_head=np.full(z * z, -1, dtype=np.int64),
            path_next=np.full(cap, -1, dtype=np.int64),
            path_start=np.zeros(cap, dtype=np.int64),
            path_len=np.zeros(cap, dtype=np.int64),
            path_flow=np.zeros(cap),
            path_key=np.zeros(cap, dtype=np.int64),
            links_buf=np.zeros(16 * cap, dtype=np.int32),
        )
        counts = np.zeros(2, dtype=np.int64)
        missing = 0
    else:
        link_map = warm.link_map if warm.link_map is not None else np.arange(m, dtype=np.int64)
        *arrays, counts, x, missing = _pathbased.warm_paths(
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
        store = _pathbased.PathStore(*arrays)
    time = prob.times(x).copy()
    deriv = prob.derivative(x)
    links = _pathbased.LinkState(x, time, deriv)
    # make sure every OD pair with demand has a path before the first sweep
    _, sp = prob.aon(time + prob.fixed)
    if warm is not None and missing == 0:
        # the warm start carries all the demand: it is an iterate with a gap of its own
        iterations = 1
        gap = _relative_gap(x, time + prob.fixed, sp)
        history.append(gap)
    while gap > rel_gap and iterations < max_iter:
        start = _time.perf_counter()
        store = _pathbased.gp_sweep(
            g.csr, g.ends, prob.demand, prob.vdf_params, prob.fixed, links, store, counts, 1
        )
        _pathbased.gp_inner(
            prob.demand,
            prob.vdf_params,
            prob.fixed,
            links,
            store,
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
    paths_out = PathSet(*store, m)
    return x, history, iterations, gap, paths_out
