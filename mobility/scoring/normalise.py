"""Normalisation of raw indicator values to a 0-100 score per sub-criterion.

Three methods, each named in the output (``scores_long.csv``, column ``method``):

``minmax``
    Linear between the worst (0) and the best (100) project across the projects scored on the
    same indicator. When all those projects have the same value the indicator does not
    discriminate and every project gets the neutral midpoint 50 (this does not change any
    ranking: a constant column shifts every weighted sum equally and adds nothing to TOPSIS
    distances or PROMETHEE differences).
``target``
    Linear between a ``zero`` value (score 0) and a ``target`` value (score 100), clipped to
    [0, 100]; both are set per sub-criterion in the weights file (``normalisation:``). Works
    for either direction: for a "less is better" indicator give ``target < zero`` (e.g. CO2e
    change ``zero: 0``, ``target: -20000``). Scores do not depend on the other projects.
``grade``
    A planner's judged 0-4 grade mapped linearly to 0-100 (grade x 25).
"""

from __future__ import annotations

import numpy as np

from mobility.scoring.pejlemaerker import GRADE_MAX, GRADE_MIN

METHODS = ("minmax", "target", "grade")
#: Score given to every project when min-max has no spread to work with.
NEUTRAL = 50.0


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
    if direction not in ("max", "min"):
        raise ValueError(f"direction must be 'max' or 'min', not {direction!r}")
    if x.size == 0:
        return x.copy()
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        return np.full(x.shape, NEUTRAL)
    if direction == "max":
        return 100.0 * (x - lo) / (hi - lo)
    return 100.0 * (hi - x) / (hi - lo)


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
