"""Weight sensitivity: SMAA-style rank acceptability and the weight change that swaps neighbours.

Sampling. The six criterion weights ``w`` (summing to 1) are perturbed by drawing ``N`` vectors
from a Dirichlet distribution with parameters ``alpha = concentration * w`` (seeded
``numpy.random.default_rng(seed)``). Its mean is ``w`` and each weight's variance is
``w_c (1 - w_c) / (concentration + 1)``: with the default concentration 30 and equal weights
(1/6) the standard deviation of each weight is 0.067, i.e. about +-40 % of its value. A
criterion weighted 0 stays 0 (it is left out of the draw). Sub-criterion weights within each
criterion are held fixed. The MCDA method runs once on the whole batch (vectorised kernels of
:mod:`mobility.scoring.mcda`).

Normalisation. Optionally each draw also picks one of several alternative score functions
uniformly at random: the same projects normalised by another method (in :mod:`ranking`, the
robust ones, percentile rank and winsorised min-max, :data:`normalise.ROBUST_METHODS`), so
the acceptability reflects the choice of normalisation as well as the weights. The picks come
from a second stream, ``numpy.random.default_rng((seed, 1))``, so the weight draws are the
same as without the option; without it nothing is drawn and the result is unchanged. The
base rank stays the one of the chosen normalisation and weights.

Reported per project (as in SMAA, Lahdelma & Salminen): the rank acceptability
``b[i, r]`` = share of draws in which project i has rank r (competition ranks, ties share the
lowest rank), the probability of being in the top k, the mean rank and the 5th and 95th
percentile ranks (observed ranks, ``inverted_cdf``), and ``p_rank_stable`` = share of draws in
which the rank is within +-``window`` (default 1) of the rank under the given weights. A project
is flagged ``unstable`` when ``p_rank_stable`` < ``stable_prob`` (default 0.8).

Swap. For two neighbouring projects a (ranked above) and b, the weight of one criterion c is
moved, the others scaled proportionally so the sum stays 1: ``w(t) = (1 - t) w + t e_c``, so
the new weight of c is ``w_c + t (1 - w_c)``, with t in ``[-w_c / (1 - w_c), 1]`` (weight of c
from 0 to 1). For the weighted sum the score difference is linear in t:
``d(t) = (1 - t) D + t (P_ac - P_bc)`` with ``D`` the current difference and ``P`` the
pejlemærke scores, so the swap happens at ``t* = D / (D - (P_ac - P_bc))`` (closed form,
:func:`swap_weighted_sum`). For TOPSIS and PROMETHEE the same path is scanned on a grid and the
first crossing either side of t = 0 interpolated linearly (:func:`swap_numeric`). The reported
swap is the criterion needing the smallest absolute change of its weight; none if no single
criterion can swap them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mobility.scoring import mcda

DEFAULT_CONCENTRATION = 30.0
DEFAULT_WINDOW = 1
DEFAULT_STABLE_PROB = 0.8


def sample_weights(
    base: np.ndarray, *, n: int, concentration: float = DEFAULT_CONCENTRATION, seed: int = 0
) -> np.ndarray:
    """(n, k) Dirichlet draws with mean ``base`` (normalised) and the given concentration.

    Criteria with base weight 0 get 0 in every draw.
    """
    w = np.asarray(base, dtype=np.float64)
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("base weights must be non-negative with sum > 0")
    if concentration <= 0:
        raise ValueError("concentration must be > 0")
    if n < 1:
        raise ValueError("n must be >= 1")
    w = w / w.sum()
    rng = np.random.default_rng(seed)
    out = np.zeros((n, w.size))
    active = w > 0
    if active.sum() == 1:
        out[:, active] = 1.0
    else:
        out[:, active] = rng.dirichlet(concentration * w[active], size=n)
    return out


def sample_choices(k: int, *, n: int, seed: int = 0) -> np.ndarray:
    """(n,) indices 0..k-1 drawn uniformly, from the stream ``default_rng((seed, 1))``.

    Kept apart from :func:`sample_weights`'s stream so that adding the choice leaves the
    weight draws of the same seed unchanged.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    if n < 1:
        raise ValueError("n must be >= 1")
    return np.random.default_rng((seed, 1)).integers(0, k, size=n)


@dataclass
class Acceptability:
    """Rank acceptability of n projects over N weight draws (arrays in project order).

    ``alternative_draws`` is, when the draws also picked among alternative score functions
    (normalisations), the number of draws that used each; None otherwise.
    """

    n_samples: int
    concentration: float
    seed: int
    top_k: int
    base_rank: np.ndarray
    acceptability: np.ndarray  # (n, n): [i, r-1] = P(rank of i == r)
    p_top_k: np.ndarray
    rank_mean: np.ndarray
    rank_p05: np.ndarray
    rank_p95: np.ndarray
    p_rank_stable: np.ndarray
    unstable: np.ndarray
    alternative_draws: np.ndarray | None = None


def rank_acceptability(
    score_fn: Callable[[np.ndarray], np.ndarray],
    base_weights: np.ndarray,
    *,
    n_samples: int,
    top_k: int,
    concentration: float = DEFAULT_CONCENTRATION,
    seed: int = 0,
    window: int = DEFAULT_WINDOW,
    stable_prob: float = DEFAULT_STABLE_PROB,
    alternatives: Sequence[Callable[[np.ndarray], np.ndarray]] | None = None,
) -> Acceptability:
    """SMAA rank acceptability for criterion weights drawn around ``base_weights``.

    Parameters
    ----------
    score_fn
        Maps criterion weights (k,) or (N, k) to scores (n,) or (N, n), higher is better.
        Gives the base rank, and the draws' scores when ``alternatives`` is None.
    base_weights
        (k,) the given criterion weights.
    n_samples, top_k, concentration, seed, window, stable_prob
        See the module docstring.
    alternatives
        Score functions like ``score_fn`` (e.g. other normalisations of the same projects);
        each draw uses one of them, picked uniformly by :func:`sample_choices`.
    """
    base_rank = mcda.rank_desc(score_fn(np.asarray(base_weights, dtype=np.float64)))
    n = base_rank.size
    draws = sample_weights(base_weights, n=n_samples, concentration=concentration, seed=seed)
    used = None
    if not alternatives:
        scores = score_fn(draws)
    else:
        pick = sample_choices(len(alternatives), n=n_samples, seed=seed)
        scores = np.empty((n_samples, n))
        for k, fn in enumerate(alternatives):
            sel = pick == k
            if sel.any():
                scores[sel] = fn(draws[sel])
        used = np.bincount(pick, minlength=len(alternatives))
    ranks = mcda.rank_desc(scores)  # (N, n)
    counts = np.zeros((n, n))
    for i in range(n):
        counts[i] = np.bincount(ranks[:, i] - 1, minlength=n)
    acc = counts / n_samples
    stable = np.mean(np.abs(ranks - base_rank[None, :]) <= window, axis=0)
    return Acceptability(
        n_samples=n_samples,
        concentration=concentration,
        seed=seed,
        top_k=top_k,
        base_rank=base_rank,
        acceptability=acc,
        p_top_k=np.mean(ranks <= top_k, axis=0),
        rank_mean=ranks.mean(axis=0),
        rank_p05=np.quantile(ranks, 0.05, axis=0, method="inverted_cdf"),
        rank_p95=np.quantile(ranks, 0.95, axis=0, method="inverted_cdf"),
        p_rank_stable=stable,
        unstable=stable < stable_prob,
        alternative_draws=used,
    )


@dataclass(frozen=True)
class Swap:
    """The smallest single-criterion weight change that makes ``lower`` catch up ``upper``.

    ``criterion`` is an index into the weights, ``delta_weight`` the change of that criterion's
    weight (others rescaled proportionally), ``new_weight`` its value at the swap. ``criterion``
    is -1 when no single criterion can swap them.
    """

    upper: int
    lower: int
    criterion: int
    delta_weight: float
    new_weight: float


def _t_bounds(wc: float) -> tuple[float, float]:
    return (-wc / (1.0 - wc) if wc < 1.0 else -np.inf), 1.0


def _best(upper: int, lower: int, w: np.ndarray, ts: list[tuple[int, float]]) -> Swap:
    if not ts:
        return Swap(upper, lower, -1, float("nan"), float("nan"))
    c, t = min(ts, key=lambda ct: (abs(ct[1] * (1.0 - w[ct[0]])), ct[0]))
    delta = t * (1.0 - w[c])
    return Swap(upper, lower, int(c), float(delta), float(w[c] + delta))


def swap_weighted_sum(crit_scores: np.ndarray, weights: np.ndarray, upper: int, lower: int) -> Swap:
    """Closed-form swap for the weighted sum of criterion scores (see module docstring)."""
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    p = np.asarray(crit_scores, dtype=np.float64)
    d0 = float((p[upper] - p[lower]) @ w)
    ts = []
    for c in range(w.size):
        if w[c] >= 1.0:
            continue
        dc = float(p[upper, c] - p[lower, c])
        if d0 == 0.0:
            ts.append((c, 0.0))
            continue
        if d0 == dc:
            continue
        t = d0 / (d0 - dc)
        lo, hi = _t_bounds(float(w[c]))
        if lo <= t <= hi:
            ts.append((c, t))
    return _best(upper, lower, w, ts)


def swap_numeric(
    score_fn: Callable[[np.ndarray], np.ndarray],
    weights: np.ndarray,
    pairs: list[tuple[int, int]],
    *,
    grid: int = 2001,
) -> list[Swap]:
    """Swaps for any method by scanning ``w(t)`` on a grid per criterion (module docstring).

    Parameters
    ----------
    score_fn
        Criterion weights (N, k) -> scores (N, n).
    weights
        (k,) current weights.
    pairs
        (upper, lower) project indices.
    grid
        Grid points per direction of t.
    """
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    found: list[list[tuple[int, float]]] = [[] for _ in pairs]
    for c in range(w.size):
        if w[c] >= 1.0:
            continue
        lo, hi = _t_bounds(float(w[c]))
        e = np.zeros(w.size)
        e[c] = 1.0
        for end in (hi, lo):
            t = np.linspace(0.0, end, grid)
            ws = np.clip((1.0 - t)[:, None] * w[None, :] + t[:, None] * e[None, :], 0.0, None)
            s = score_fn(ws)
            for k, (a, b) in enumerate(pairs):
                d = s[:, a] - s[:, b]
                if d[0] <= 0:
                    found[k].append((c, 0.0))
                    continue
                cross = np.flatnonzero(d <= 0)
                if cross.size == 0:
                    continue
                j = int(cross[0])
                t_star = t[j - 1] + (t[j] - t[j - 1]) * d[j - 1] / (d[j - 1] - d[j])
                found[k].append((c, float(t_star)))
    return [_best(a, b, w, f) for (a, b), f in zip(pairs, found, strict=True)]
