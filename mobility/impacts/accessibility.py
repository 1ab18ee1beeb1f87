"""Accessibility: jobs reachable within a travel-time threshold, averaged over residents."""

from __future__ import annotations

import numpy as np

from mobility.errors import InputError


def jobs_within(
    time_min: np.ndarray,
    jobs: np.ndarray,
    residents: np.ndarray,
    *,
    threshold_min: float = 45.0,
    origins: np.ndarray | None = None,
) -> float:
    """Mean over residents of the jobs reachable within ``threshold_min``.

    Parameters
    ----------
    time_min
        ``(Z, Z)`` door-to-door travel time in minutes, the diagonal holding the intrazonal
        time (``np.inf`` where unreachable).
    jobs, residents
        ``(Z,)`` jobs at each destination and residents at each origin.
    threshold_min
        Travel-time limit (45 min in the model's indicators).
    origins
        Optional ``(Z,)`` bool mask of origin zones to average over (e.g. Region H zones).

    Returns
    -------
    float
        ``sum_i R_i sum_j J_j [t_ij <= threshold] / sum_i R_i`` over the selected origins.
    """
    t = np.asarray(time_min, dtype=np.float64)
    j = np.asarray(jobs, dtype=np.float64)
    r = np.asarray(residents, dtype=np.float64)
    z = j.shape[0]
    if t.shape != (z, z) or r.shape != (z,):
        raise InputError(f"shapes {t.shape}, {j.shape}, {r.shape} do not match", field="time_min")
    if not threshold_min > 0:
        raise InputError(f"has value {threshold_min!r}", field="threshold_min", expected="> 0")
    mask = np.ones(z, dtype=bool) if origins is None else np.asarray(origins, dtype=bool)
    weights = np.where(mask, r, 0.0)
    if not weights.sum() > 0:
        raise InputError("no residents in the selected origins", field="residents")
    reach = (t <= threshold_min) @ j
    return float(weights @ reach / weights.sum())
