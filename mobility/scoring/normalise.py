"""Normalisation of raw indicator values to a 0-100 score per sub-criterion.

Five methods, each named in the output (``scores_long.csv``, column ``method``). The first
three work across the projects scored on the same indicator and are the choices of a scenario
(``scoring: normalisation:``) and of ``mobility rank --normalisation``
(:data:`SCENARIO_METHODS`); the weights file may set ``target`` (or any of the three) per
sub-criterion, which overrides that choice; ``grade`` is used for judged grades.

``minmax``
    Linear between the worst (0) and the best (100) project across the projects scored on the
    same indicator. When all those projects have the same value the indicator does not
    discriminate and every project gets the neutral midpoint 50 (this does not change any
    ranking: a constant column shifts every weighted sum equally and adds nothing to TOPSIS
    distances or PROMETHEE differences). One outlier squeezes every other project into a
    small part of the scale (OECD/JRC 2008, section 5).
``rank``
    Percentile rank: ``100 (r - 1) / (n - 1)`` with ``r`` the project's rank from the worst
    (1) to the best (n), ties given the mean of the ranks they span (mid-ranks). Uses only the
    order of the values, so no outlier can compress the others; the size of a lead is lost
    ("ranking", OECD/JRC 2008, section 5; mid-ranks for ties as in Kendall's rank statistics).
``winsorised``
    Min-max after clipping (winsorising) the values at their ``p``-th and ``(100 - p)``-th
    percentiles (linear interpolation between order statistics, Hyndman & Fan 1996
    definition 7, numpy's default): projects beyond a bound score 0 or 100, the others
    linearly between. Keeps the interval scale of the bulk of the projects, which the
    weighted sum needs, while an outlier only saturates its own score. Winsorising before
    normalisation is the outlier treatment of the JRC Competence Centre on Composite
    Indicators (JRC COIN, *Ten steps guide for indices and scoreboards*: winsorise up to five
    values of an indicator whose absolute skewness exceeds 2 and kurtosis 3.5). The default
    ``p = 10`` clips the extreme value fully to the next one as soon as
    ``p / 100 (n - 1) >= 1``, i.e. from ``n = 11`` projects (the bundled catalogue ranks 16),
    and keeps the middle 80 % of the spread; ``p = 5`` would only do so from 21 projects:
    among 16 its upper bound still lies a quarter of the way from the second-best value to
    the outlier.
``target``
    Linear between a ``zero`` value (score 0) and a ``target`` value (score 100), clipped to
    [0, 100]; both are set per sub-criterion in the weights file (``normalisation:``). Works
    for either direction: for a "less is better" indicator give ``target < zero`` (e.g. CO2e
    change ``zero: 0``, ``target: -20000``). Scores do not depend on the other projects.
``grade``
    A planner's judged 0-4 grade mapped linearly to 0-100 (grade x 25).

References: OECD/JRC (2008), *Handbook on Constructing Composite Indicators: Methodology and
User Guide*, OECD Publishing, part 1 section 5 (normalisation of data);
R. J. Hyndman and Y. Fan (1996), "Sample quantiles in statistical packages", *The American
Statistician* 50(4), 361-365.
"""

from __future__ import annotations

import math

import numpy as np

from mobility.scenario_sections import DEFAULT_NORMALISATION as DEFAULT_METHOD
from mobility.scenario_sections import NORMALISATION_METHODS as SCENARIO_METHODS
from mobility.scoring.pejlemaerker import GRADE_MAX, GRADE_MIN

__all__ = [
    "DEFAULT_METHOD",
    "DEFAULT_WINSOR_PCT",
    "METHODS",
    "NEUTRAL",
    "ROBUST_METHODS",
    "SCENARIO_METHODS",
    "across_projects",
    "grade",
    "mid_ranks",
    "minmax",
    "rank",
    "target",
    "winsor_bounds",
    "winsorised",
]

METHODS = ("minmax", "rank", "winsorised", "target", "grade")
# The across-projects methods a scenario (``scoring: normalisation:``) or ``mobility rank
# --normalisation`` may choose (SCENARIO_METHODS) and their default (DEFAULT_METHOD) are the
# scenario's vocabulary, defined in mobility.scenario_sections.
#: The outlier-robust ones; the sensitivity analysis may draw among them (one per draw).
ROBUST_METHODS = ("rank", "winsorised")
#: Default winsorising percentile p (clip at p and 100 - p; see the module docstring).
DEFAULT_WINSOR_PCT = 10.0
#: Score given to every project when a method has no spread to work with.
NEUTRAL = 50.0


def _check_direction(direction: str) -> None:
    if direction not in ("max", "min"):
        raise ValueError(f"direction must be 'max' or 'min', not {direction!r}")


def minmax(values: np.ndarray, *, direction: str) -> np.ndarray:
    """Min-max scores 0-100 (100 = best of the given projects).

    Parameters
    ----------
    values
        (n,) raw values.
    direction
        ``"max"`` (more is better) or ``"min"`` (less is better).

    Returns
    -------
    numpy.ndarray
        (n,) scores; all :data:`NEUTRAL` if the values are all equal.
    """
    x = np.asarray(values, dtype=np.float64)
    _check_direction(direction)
    if x.size == 0:
        return x.copy()
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        return np.full(x.shape, NEUTRAL)
    if direction == "max":
        return 100.0 * (x - lo) / (hi - lo)
    return 100.0 * (hi - x) / (hi - lo)


def mid_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n from the smallest value, ties given the mean of the ranks they span.

    Parameters
    ----------
    values
        (n,) raw values.

    Returns
    -------
    numpy.ndarray
        (n,) float ranks (``[10, 20, 20, 40]`` -> ``[1, 2.5, 2.5, 4]``).
    """
    x = np.asarray(values, dtype=np.float64)
    n = x.size
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]]) if n else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], n].astype(np.int64)
    ranks = np.empty(n)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks


def rank(values: np.ndarray, *, direction: str) -> np.ndarray:
    """Percentile-rank scores 0-100: ``100 (r - 1) / (n - 1)``, ties averaged (mid-ranks).

    The worst project scores 0, the best 100, evenly spaced between whatever the size of
    the differences ("ranking" normalisation, OECD/JRC 2008, section 5).

    Parameters
    ----------
    values
        (n,) raw values.
    direction
        ``"max"`` (more is better) or ``"min"`` (less is better).

    Returns
    -------
    numpy.ndarray
        (n,) scores; :data:`NEUTRAL` for a single project or when all values are equal.
    """
    x = np.asarray(values, dtype=np.float64)
    _check_direction(direction)
    n = x.size
    if n == 0:
        return x.copy()
    if n == 1:
        return np.full(1, NEUTRAL)
    r = mid_ranks(x if direction == "max" else -x)
    return 100.0 * (r - 1.0) / (n - 1.0)


def winsor_bounds(values: np.ndarray, *, pct: float = DEFAULT_WINSOR_PCT) -> tuple[float, float]:
    """The ``pct``-th and ``(100 - pct)``-th percentiles (Hyndman & Fan definition 7).

    Raises
    ------
    ValueError
        If there are no values or ``pct`` is not in [0, 50).
    """
    if not 0.0 <= pct < 50.0:
        raise ValueError(f"winsorising percentile must lie in [0, 50), not {pct!r}")
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        raise ValueError("winsorising needs at least one value")
    lo, hi = np.percentile(x, [pct, 100.0 - pct], method="linear")
    return float(lo), float(hi)


def winsorised(
    values: np.ndarray, *, direction: str, pct: float = DEFAULT_WINSOR_PCT
) -> np.ndarray:
    """Winsorised min-max scores 0-100: min-max between the ``pct``-th and ``(100 - pct)``-th
    percentiles of the values, clipped (JRC COIN outlier treatment, OECD/JRC 2008).

    Parameters
    ----------
    values
        (n,) raw values.
    direction
        ``"max"`` (more is better) or ``"min"`` (less is better).
    pct
        Winsorising percentile p in [0, 50); 0 gives plain :func:`minmax`.

    Returns
    -------
    numpy.ndarray
        (n,) scores: 0 at or beyond the worse bound, 100 at or beyond the better one. When the
        two bounds coincide (at least ``1 - 2 p / 100`` of the projects share one value) the
        bounds leave no spread and the scores are plain :func:`minmax` of the values (all
        :data:`NEUTRAL` when they are all equal).
    """
    x = np.asarray(values, dtype=np.float64)
    _check_direction(direction)
    if x.size == 0:
        return x.copy()
    lo, hi = winsor_bounds(x, pct=pct)
    if hi == lo:
        return minmax(x, direction=direction)
    c = np.clip(x, lo, hi)
    if direction == "max":
        return 100.0 * (c - lo) / (hi - lo)
    return 100.0 * (hi - c) / (hi - lo)


def across_projects(
    values: np.ndarray, *, method: str, direction: str, pct: float = DEFAULT_WINSOR_PCT
) -> tuple[np.ndarray, str]:
    """Scores of the projects sharing one indicator by a :data:`SCENARIO_METHODS` method,
    and the label ``scores_long.csv`` writes in its ``method`` column.

    Labels: ``minmax(<direction>,n=<n>)``, ``rank(<direction>,n=<n>)`` and
    ``winsorised(<direction>,p=<p>,n=<n>,lo=<bound>,hi=<bound>)`` with the two clipping
    bounds in the indicator's unit (``lo == hi``: no spread left, scored by min-max).

    Raises
    ------
    ValueError
        For an unknown method or direction.
    """
    x = np.asarray(values, dtype=np.float64)
    n = x.size
    if method == "minmax":
        return minmax(x, direction=direction), f"minmax({direction},n={n})"
    if method == "rank":
        return rank(x, direction=direction), f"rank({direction},n={n})"
    if method == "winsorised":
        sc = winsorised(x, direction=direction, pct=pct)
        lo, hi = winsor_bounds(x, pct=pct)
        return sc, f"winsorised({direction},p={pct:g},n={n},lo={plain(lo)},hi={plain(hi)})"
    raise ValueError(f"method must be one of {', '.join(SCENARIO_METHODS)}, not {method!r}")


def target(values: np.ndarray, *, zero: float, target: float) -> np.ndarray:
    """Target-based scores: 0 at ``zero``, 100 at ``target``, linear between, clipped.

    Raises
    ------
    ValueError
        If ``zero == target``.
    """
    if zero == target:
        raise ValueError("target-based normalisation needs zero != target")
    x = np.asarray(values, dtype=np.float64)
    return np.clip(100.0 * (x - zero) / (target - zero), 0.0, 100.0)


def grade(values: np.ndarray) -> np.ndarray:
    """Map 0-4 grades to 0-100.

    Raises
    ------
    ValueError
        If a grade is outside [0, 4] or not finite.
    """
    x = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(x)) or np.any(x < GRADE_MIN) or np.any(x > GRADE_MAX):
        raise ValueError(f"grades must lie in [{GRADE_MIN:g}, {GRADE_MAX:g}]")
    return 100.0 * (x - GRADE_MIN) / (GRADE_MAX - GRADE_MIN)


def plain(value: float) -> str:
    """A number as fixed-point text with up to six decimals, never in scientific notation
    (``1957880.5``, not ``1.95788e+06``): what every CSV mobility writes holds."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
