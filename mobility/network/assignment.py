"""Static user-equilibrium traffic assignment.

One engine, several step rules. Every iteration evaluates link costs at the current flows,
loads the demand all-or-nothing on the shortest paths (an auxiliary solution ``y``), measures
the relative gap ``1 - (sum demand x SP cost) / (sum flow x link cost)`` and, unless it is
small enough, moves the flows towards a target point ``s`` by a step ``lambda``:

- ``aon``: one all-or-nothing load at free-flow cost (its relative gap is reported).
- ``msa``: ``s = y``, ``lambda = 1 / (k + 1)`` (method of successive averages).
- ``fw``: Frank-Wolfe, ``s = y`` with an exact line search on the Beckmann objective.
- ``cfw``: conjugate Frank-Wolfe, ``s`` a convex combination of ``y`` and the previous target
  chosen to be conjugate to it with respect to the Hessian (Mitradjieva & Lindberg 2013).
- ``bfw``: bi-conjugate Frank-Wolfe, ``s`` conjugate to the two previous targets
  (Mitradjieva & Lindberg 2013).
- ``gp``: path-based gradient projection (Jayakrishnan et al. 1994, see
  :mod:`mobility.network._pathbased`): keeps each OD pair's used paths and equalises their
  costs by Newton flow shifts; converges to gaps of 1e-8 and below. Its gap is evaluated by
  the same all-or-nothing search after every sweep (driver in
  :mod:`mobility.network.gradient_projection`).
- ``bush``: origin-based Algorithm B (Dial 2006, see :mod:`mobility.network._bush`): keeps
  one acyclic bush per origin with the origin's flows, 12 bytes per bush edge, and equalises
  the dearest used and the cheapest path into each node by Newton flow shifts; the memory-lean
  choice for large networks. Its gap is evaluated by the same all-or-nothing search, on a
  schedule that skips sweeps while the target is far (driver in :mod:`mobility.network.bush`).

Conjugate directions restart from a plain Frank-Wolfe step after a full step
(``lambda = 1``) or when the combined direction is not a descent direction.

Generalized link cost = travel time (volume-delay function) + ``toll_weight`` x toll +
``distance_weight`` x length + ``fixed_cost``. The Beckmann objective is the sum over links of
the integral of the generalized cost.

Mitradjieva, M. and Lindberg, P.O. (2013). The stiff is moving - conjugate direction
Frank-Wolfe methods with applications to traffic assignment. Transportation Science 47(2).
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from mobility.errors import InputError
from mobility.network import paths, vdf
from mobility.network.graph import LinkNetwork

#: Algorithm names accepted by :func:`assign`.
ALGORITHMS = ("aon", "msa", "fw", "cfw", "bfw", "gp", "bush")
#: Largest conjugate weight on the previous target (a weight of 1 would stall the method).
_CONJ_MAX = 0.99999


@dataclass
class AssignmentResult:
    """Result of :func:`assign`.

    Attributes
    ----------
    flows
        ``(M,)`` link flows.
    costs
        ``(M,)`` generalized link cost at ``flows``.
    times
        ``(M,)`` link travel time at ``flows``.
    gap_history
        Relative gap of every iterate, first (all-or-nothing) one first; ``nan`` for an
        iterate whose gap was not evaluated (``bush`` evaluates on a schedule, see
        :mod:`mobility.network.bush`; the last iterate is always evaluated).
    rel_gap
        Relative gap of the returned flows.
    iterations
        Number of iterates (for ``bush``: the first bushes and each sweep, whether or not
        its gap was evaluated).
    converged
        Whether ``rel_gap`` reached the requested target.
    tstt
        Total system travel time, ``sum(flows * times)``.
    objective
        Beckmann objective of the generalized cost at ``flows``.
    timings
        Seconds spent: ``total``, ``shortest_paths`` (for ``gp``: the path sweeps and the gap
        searches), ``line_search``, ``setup``.
    algorithm
        The algorithm used.
    """

    flows: np.ndarray
    costs: np.ndarray
    times: np.ndarray
    gap_history: list[float]
    rel_gap: float
    iterations: int
    converged: bool
    tstt: float
    objective: float
    timings: dict[str, float] = field(default_factory=dict)
    algorithm: str = "bfw"
    paths: PathSet | None = None


@dataclass(frozen=True)
class PathSet:
    """The used paths of a gradient-projection assignment, to warm-start another one.

    Flat arrays as :mod:`mobility.network._pathbased` keeps them (``od_head`` of length
    ``Z * Z``; per path ``next``, ``start``, ``length``, ``flow``, ``key``; the links of all
    paths in ``links``). ``n_links`` is the size of the network the link numbers refer to.
    ``link_map`` (set by :meth:`for_network`) renumbers them for another network.

    A warm start keeps each OD pair's paths and their flow proportions, scaled to the new
    demand: when the demand or the network changes a little, the equilibrium is a few Newton
    shifts away (Jayakrishnan et al. 1994 restart from the previous path flows the same way).
    """

    od_head: np.ndarray
    next: np.ndarray
    start: np.ndarray
    length: np.ndarray
    flow: np.ndarray
    key: np.ndarray
    links: np.ndarray
    n_links: int
    link_map: np.ndarray | None = None
    target_links: int | None = None

    @property
    def n_paths(self) -> int:
        """Number of live paths (walks the linked lists)."""
        n = 0
        for head in self.od_head.tolist():
            k = head
            while k >= 0:
                n += 1
                k = int(self.next[k])
        return n

    def mean_attributes(self, attrs: np.ndarray) -> np.ndarray:
        """Flow-weighted mean over each OD pair's used paths of link attributes summed along
        the path: ``attrs`` ``(K, M)`` -> ``(K, Z, Z)``, NaN where an OD pair has no flow.

        At equilibrium all used paths of an OD pair cost the same, but their travel time,
        length and toll differ; the shortest-path tree picks one of them, and which one flips
        from iteration to iteration. The mean over the used paths moves continuously with the
        flows, which a demand model fed by these skims needs to converge.
        """
        from mobility.network import _pathbased

        if self.link_map is not None:
            raise InputError("paths renumbered for another network", field="paths")
        a = np.ascontiguousarray(np.atleast_2d(attrs), dtype=np.float64)
        if a.shape[1] != self.n_links:
            raise InputError(
                f"attrs has shape {a.shape}", field="attrs", expected=f"(K, {self.n_links})"
            )
        z = math.isqrt(self.od_head.size)
        out = _pathbased.path_means(
            self.od_head, self.next, self.start, self.length, self.flow, self.links, a
        )
        return out.reshape(a.shape[0], z, z)

    def for_network(self, link_map: np.ndarray, n_links: int) -> PathSet:
        """The same paths on another network: ``link_map[a]`` is the new index of this set's
        link ``a`` (``-1`` where the link is gone; paths through it are dropped)."""
        lm = np.ascontiguousarray(link_map, dtype=np.int64)
        if lm.shape != (self.n_links,):
            raise InputError(
                f"link_map has shape {lm.shape}", field="link_map", expected=f"({self.n_links},)"
            )
        if self.link_map is not None:  # compose with a pending renumbering
            lm = np.where(self.link_map >= 0, lm[np.maximum(self.link_map, 0)], -1)
            lm = np.ascontiguousarray(lm, dtype=np.int64)
        if lm.size and (lm.max() >= n_links or lm.min() < -1):
            raise InputError("link_map points outside the network", field="link_map")
        return PathSet(
            self.od_head,
            self.next,
            self.start,
            self.length,
            self.flow,
            self.key,
            self.links,
            self.n_links if self.link_map is None else len(self.link_map),
            lm,
            int(n_links),
        )


def generalized_fixed_cost(
    net: LinkNetwork,
    *,
    toll_weight: float = 0.0,
    distance_weight: float = 0.0,
    fixed_cost: np.ndarray | None = None,
) -> np.ndarray:
    """The flow-independent part of each link's generalized cost, ``(M,)``."""
    m = net.n_links
    fixed = toll_weight * np.asarray(net.toll, dtype=np.float64)
    fixed = fixed + distance_weight * np.asarray(net.length, dtype=np.float64)
    if fixed_cost is not None:
        extra = np.asarray(fixed_cost, dtype=np.float64)
        if extra.shape != (m,):
            raise InputError(f"has shape {extra.shape}", field="fixed_cost", expected=f"({m},)")
        fixed = fixed + extra
    bad = np.flatnonzero(~(np.isfinite(fixed) & (fixed >= 0)))
    if bad.size:
        raise InputError(
            f"link {bad[0] + 1} has fixed generalized cost {fixed[bad[0]]!r}",
            field="fixed_cost",
            expected="a finite number >= 0 (check toll_weight, distance_weight, fixed_cost)",
        )
    return np.ascontiguousarray(fixed)


def _check_demand(net: LinkNetwork, demand: np.ndarray) -> np.ndarray:
    d = np.ascontiguousarray(demand, dtype=np.float64)
    z = net.n_zones
    if d.shape != (z, z):
        raise InputError(
            f"demand has shape {d.shape} but the network has {z} zones",
            field="demand",
            expected=f"a ({z}, {z}) matrix",
        )
    bad = np.argwhere(~np.isfinite(d) | (d < 0))
    if bad.size:
        o, t = (int(x) for x in bad[0])
        raise InputError(
            f"demand from zone {o + 1} to zone {t + 1} is {d[o, t]!r}",
            field="demand",
            expected="a finite number >= 0",
        )
    return d


class _Problem:
    """Arrays and kernels of one assignment problem (built once, reused every iteration)."""

    def __init__(self, net: LinkNetwork, demand: np.ndarray, code: np.ndarray, fixed: np.ndarray):
        self.net = net
        self.demand = demand
        self.code = code
        self.fixed = fixed
        self.t0 = np.ascontiguousarray(net.free_flow_time, dtype=np.float64)
        # each link's volume-delay parameters as the kernels read them (vdf.parameter_pair)
        self.first, self.second = vdf.parameter_pair(
            code, net.alpha, net.beta, net.akcelik_j, net.period_h
        )
        self.c = np.ascontiguousarray(net.capacity, dtype=np.float64)
        self.vdf_params = vdf.VdfParams(self.code, self.t0, self.first, self.second, self.c)
        self.graph = paths.build_graph(net)
        self.kernel = paths.aon_kernel(self.graph)
        self.time_buf = np.empty(net.n_links)
        self.sp_seconds = 0.0
        self.ls_seconds = 0.0

    def times(self, x: np.ndarray) -> np.ndarray:
        return vdf.link_time(self.code, x, self.t0, self.first, self.second, self.c, self.time_buf)

    def aon(self, cost: np.ndarray) -> tuple[np.ndarray, float]:
        start = _time.perf_counter()
        g = self.graph
        y, sp, unreachable = self.kernel(g.csr, g.ends, cost, self.demand, g.n_links)
        if unreachable > 0:
            paths.raise_unreachable(self.net, g, self.demand)
        self.sp_seconds += _time.perf_counter() - start
        return y, float(sp)

    def derivative(self, x: np.ndarray) -> np.ndarray:
        out = np.empty_like(x)
        return vdf.link_time_derivative(self.code, x, self.t0, self.first, self.second, self.c, out)

    def line_search(self, x: np.ndarray, d: np.ndarray) -> float:
        """Exact step in [0, 1] minimising the Beckmann objective along ``x + lam d``.

        Newton steps on the objective's slope, safeguarded by bisection of a sign-change
        bracket. Returns -1.0 if ``d`` is not a descent direction (slope at 0 is >= 0).
        """
        start = _time.perf_counter()
        params, fixed = self.vdf_params, self.fixed
        g0, _ = vdf.line_derivative(params, fixed, x, d, 0.0)
        if not g0 < 0.0:
            self.ls_seconds += _time.perf_counter() - start
            return -1.0
        g1, _ = vdf.line_derivative(params, fixed, x, d, 1.0)
        if g1 <= 0.0:
            self.ls_seconds += _time.perf_counter() - start
            return 1.0
        lo, hi = 0.0, 1.0
        # secant start between the bracket ends, then Newton with bisection safeguard
        lam = g0 / (g0 - g1)
        tol = 1e-12 * abs(g0)
        for _ in range(100):
            g, h = vdf.line_derivative(params, fixed, x, d, lam)
            if abs(g) <= tol:
                break
            if g < 0.0:
                lo = lam
            else:
                hi = lam
            if hi - lo <= 1e-15:
                break
            new = lam - g / h if h > 0.0 else -1.0
            if not lo < new < hi:
                new = 0.5 * (lo + hi)
            lam = new
        self.ls_seconds += _time.perf_counter() - start
        return lam


def assign(
    net: LinkNetwork,
    demand: np.ndarray,
    *,
    algorithm: str = "bfw",
    vdf: str | Sequence[str] | None = None,
    rel_gap: float = 1e-5,
    max_iter: int = 1000,
    toll_weight: float = 0.0,
    distance_weight: float = 0.0,
    fixed_cost: np.ndarray | None = None,
    warm_start: PathSet | None = None,
) -> AssignmentResult:
    """Static user-equilibrium assignment of ``demand`` on ``net``.

    Parameters
    ----------
    net
        The network (``no_thru`` centroids are respected).
    demand
        ``(Z, Z)`` OD matrix in zone order (diagonal ignored).
    algorithm
        One of :data:`ALGORITHMS`.
    vdf
        ``"bpr"``, ``"conical"`` or ``"akcelik"`` for every link, or a sequence of one name
        per link (see :mod:`mobility.network.vdf`). ``None`` (default): the network's own
        per-link functions (``net.vdf``), or BPR if it has none.
    rel_gap
        Stop when the relative gap is at most this.
    max_iter
        Stop after this many iterates.
    toll_weight, distance_weight
        Generalized cost weights of ``net.toll`` and ``net.length`` (cost units per unit).
    fixed_cost
        Optional ``(M,)`` flow-independent cost added to every link's generalized cost.
    warm_start
        ``gp`` only: start from these paths (``AssignmentResult.paths`` of an earlier run,
        renumbered with :meth:`PathSet.for_network` if the network differs), their flows
        scaled to ``demand``. If the warm start is already within ``rel_gap`` it is returned
        after one gap evaluation. Other algorithms start from zero flow and refuse it.

    Returns
    -------
    AssignmentResult

    Raises
    ------
    InputError
        Bad demand shape or values, unknown algorithm or function, bad parameters, or demand
        between zones with no path.
    """
    t_start = _time.perf_counter()
    alg = str(algorithm).lower()
    if alg not in ALGORITHMS:
        raise InputError(
            f"unknown algorithm {algorithm!r}", field="algorithm", expected=", ".join(ALGORITHMS)
        )
    if not (np.isfinite(rel_gap) and rel_gap >= 0):
        raise InputError(f"rel_gap is {rel_gap!r}", field="rel_gap", expected="a number >= 0")
    if int(max_iter) < 1:
        raise InputError(f"max_iter is {max_iter!r}", field="max_iter", expected=">= 1")
    if vdf is None and net.vdf is not None:
        code = np.ascontiguousarray(net.vdf, dtype=np.int64)
    else:
        code = _vdf_module().vdf_codes("bpr" if vdf is None else vdf, net.n_links)
    _vdf_module().check_params(
        code, net.alpha, net.beta, net.akcelik_j, net.period_h, np.asarray(net.capacity)
    )
    d = _check_demand(net, demand)
    fixed = generalized_fixed_cost(
        net, toll_weight=toll_weight, distance_weight=distance_weight, fixed_cost=fixed_cost
    )
    if warm_start is not None:
        _check_warm_start(warm_start, net, alg)
    prob = _Problem(net, d, code, fixed)
    t_setup = _time.perf_counter() - t_start

    path_set = None
    if alg == "gp":
        from mobility.network import gradient_projection

        x, history, iterations, gap, path_set = gradient_projection.solve(
            prob, rel_gap, int(max_iter), warm_start
        )
    elif alg == "bush":
        from mobility.network import bush

        x, history, iterations, gap = bush.solve(prob, rel_gap, int(max_iter))
    else:
        x, history, iterations, gap = _link_based(prob, alg, rel_gap, int(max_iter))

    t = prob.times(x).copy()
    cost = t + fixed
    integral = _vdf_module().link_time_integral(
        code, x, prob.t0, prob.first, prob.second, prob.c, np.empty_like(x)
    )
    total_time = _time.perf_counter() - t_start
    return AssignmentResult(
        flows=x,
        costs=cost,
        times=t,
        gap_history=history,
        rel_gap=float(gap),
        iterations=iterations,
        converged=bool(gap <= rel_gap),
        tstt=float(np.dot(x, t)),
        objective=float(integral.sum() + np.dot(fixed, x)),
        timings={
            "setup": t_setup,
            "shortest_paths": prob.sp_seconds,
            "line_search": prob.ls_seconds,
            "total": total_time,
        },
        algorithm=alg,
        paths=path_set,
    )


def _check_warm_start(warm: PathSet, net: LinkNetwork, alg: str) -> None:
    if alg != "gp":
        raise InputError(
            f"algorithm {alg!r} cannot start from paths", field="warm_start", expected="gp"
        )
    links = warm.n_links if warm.target_links is None else warm.target_links
    if links != net.n_links or warm.od_head.shape != (net.n_zones * net.n_zones,):
        raise InputError(
            f"warm start is for {links} links and {math.isqrt(warm.od_head.size)} zones, the "
            f"network has {net.n_links} and {net.n_zones}",
            field="warm_start",
            expected="paths of the same network (PathSet.for_network renumbers them)",
        )


def _relative_gap(x: np.ndarray, cost: np.ndarray, sp: float) -> float:
    total = float(np.dot(x, cost))
    return max(0.0, 1.0 - sp / total) if total > 0 else 0.0


def _link_based(
    prob: _Problem, alg: str, rel_gap: float, max_iter: int
) -> tuple[np.ndarray, list[float], int, float]:
    """The Frank-Wolfe family: returns (flows, gap history, iterations, final gap)."""
    net, fixed = prob.net, prob.fixed
    # first iterate: all-or-nothing at free-flow (zero-flow) cost
    x = np.zeros(net.n_links)
    x, _ = prob.aon(prob.times(x) + fixed)
    x = x.copy()
    history: list[float] = []
    step_rule = _StepRule(alg)
    iterations = 0
    gap = np.inf
    while True:
        cost = prob.times(x) + fixed
        y, sp = prob.aon(cost)
        iterations += 1
        gap = _relative_gap(x, cost, sp)
        history.append(gap)
        if gap <= rel_gap or iterations >= max_iter or alg == "aon":
            break
        x = step_rule.step(prob, x, y, iterations)

    return x, history, iterations, gap


def _vdf_module():
    """The vdf module (the ``vdf`` keyword of :func:`assign` shadows its name)."""
    return vdf


class _StepRule:
    """Direction and step size of each algorithm; keeps the previous targets."""

    def __init__(self, algorithm: str):
        self.algorithm = algorithm
        self.s1: np.ndarray | None = None  # previous target
        self.s2: np.ndarray | None = None  # the one before
        self.tau = 0.0  # previous step size
        self.next_kind = "fw"

    def step(self, prob: _Problem, x: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
        """New flows after iterate ``k`` with auxiliary all-or-nothing flows ``y``."""
        if self.algorithm == "msa":
            return x + (y - x) / (k + 1.0)
        kind = self.next_kind if self.algorithm in ("cfw", "bfw") else "fw"
        s = y
        if kind == "cfw":
            s = self._conjugate(prob, x, y)
        elif kind == "bfw":
            s = self._biconjugate(prob, x, y)
        lam = prob.line_search(x, s - x)
        if lam < 0.0 and kind != "fw":
            # not a descent direction: restart with a plain Frank-Wolfe step
            kind, s = "fw", y
            lam = prob.line_search(x, s - x)
        if lam < 0.0:
            # no descent even towards y (gap ~ 0 at machine precision): stay
            lam = 0.0
        new_x = x + lam * (s - x)
        np.maximum(new_x, 0.0, out=new_x)
        if self.algorithm in ("cfw", "bfw"):
            self.s2 = self.s1
            self.s1 = s.copy() if s is y else s
            self.tau = lam
            if lam >= 1.0 or lam <= 0.0:
                self.next_kind = "fw"
            elif kind == "fw" or self.algorithm == "cfw":
                self.next_kind = "cfw"
            else:
                self.next_kind = "bfw"
        return new_x

    def _conjugate(self, prob: _Problem, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        assert self.s1 is not None
        h = prob.derivative(x)
        z = self.s1 - x
        num = float(np.dot(z * h, y - x))
        den = float(np.dot(z * h, y - self.s1))
        alpha = num / den if den != 0.0 else 0.0
        alpha = min(max(alpha, 0.0), _CONJ_MAX)
        return alpha * self.s1 + (1.0 - alpha) * y

    def _biconjugate(self, prob: _Problem, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        assert self.s1 is not None and self.s2 is not None
        h = prob.derivative(x)
        tau = self.tau
        yx = y - x
        xb = tau * self.s1 + (1.0 - tau) * self.s2 - x
        w = self.s2 - self.s1
        z = self.s1 - x
        mu_den = float(np.dot(xb * h, w))
        mu = max(0.0, -float(np.dot(xb * h, yx)) / mu_den) if mu_den != 0.0 else 0.0
        nu_den = float(np.dot(z * h, z))
        nu = 0.0
        if nu_den != 0.0:
            nu = max(0.0, -float(np.dot(z * h, yx)) / nu_den + mu * tau / (1.0 - tau))
        beta0 = 1.0 / (1.0 + mu + nu)
        return beta0 * y + (nu * beta0) * self.s1 + (mu * beta0) * self.s2
