"""Trip generation by purpose from residents and jobs.

Trips are one-way person trips per average weekday in production-attraction form: a
home-based trip is produced at the home zone whichever way it goes. Purposes:

* ``commute`` — produced by residents, attracted by jobs (totals balanced to productions);
* ``business`` — trips in working time, produced and attracted by jobs;
* ``other`` — shopping, leisure, escort, education: produced by residents, attracted by a
  weighted sum of residents and jobs.

The number of trips is ``trip_rate_total x purpose share x trip_rate_factor`` per resident
(parameters in ``demand_parameters.csv``; the scenario's ``demand.trip_rate_factor`` states
the change in trip-making per person against the base year).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobility.demand.parameters import DemandParameters
from mobility.errors import InputError

PURPOSES = ("commute", "business", "other")


@dataclass(frozen=True)
class TripEnds:
    """Productions and attractions per purpose, (Z,) person trips per weekday each.

    Attractions are balanced: ``attractions[p].sum() == productions[p].sum()``.
    """

    productions: dict[str, np.ndarray]
    attractions: dict[str, np.ndarray]

    def total(self) -> float:
        """All trips of all purposes."""
        return float(sum(v.sum() for v in self.productions.values()))


def _balanced(weights: np.ndarray, total: float, purpose: str) -> np.ndarray:
    s = float(weights.sum())
    if total > 0 and not s > 0:
        raise InputError(f"no zone attracts {purpose} trips", field="jobs", expected="jobs > 0")
    return weights * (total / s) if s > 0 else np.zeros_like(weights)


def generate_trips(
    residents: np.ndarray,
    jobs: np.ndarray,
    *,
    params: DemandParameters,
    trip_rate_factor: float = 1.0,
) -> TripEnds:
    """Weekday trip productions and attractions per purpose.

    Parameters
    ----------
    residents, jobs
        ``(Z,)`` residents and jobs (workplaces) per zone.
    params
        Trip rate, purpose shares and attraction weights.
    trip_rate_factor
        Multiplier on the trip rate (change of trip-making per person against the base year).

    Returns
    -------
    TripEnds
        Productions and balanced attractions per purpose.

    Raises
    ------
    InputError
        Negative or non-finite residents/jobs, or no jobs anywhere.
    """
    res = np.asarray(residents, dtype=np.float64)
    wrk = np.asarray(jobs, dtype=np.float64)
    for name, arr in (("residents", res), ("jobs", wrk)):
        if arr.ndim != 1 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise InputError("must be finite and >= 0 for every zone", field=name)
    if res.shape != wrk.shape:
        raise InputError("residents and jobs differ in length", field="jobs")
    rate = params.trip_rate_total * trip_rate_factor
    share = {
        "commute": params.share_commute,
        "business": params.share_business,
        "other": 1.0 - params.share_commute - params.share_business,
    }
    total = {p: float(res.sum()) * rate * share[p] for p in PURPOSES}
    prod = {
        "commute": res * rate * share["commute"],
        "business": _balanced(wrk, total["business"], "business"),
        "other": res * rate * share["other"],
    }
    other_weight = params.attraction_other_residents * res + params.attraction_other_jobs * wrk
    attr = {
        "commute": _balanced(wrk, total["commute"], "commute"),
        "business": _balanced(wrk, total["business"], "business"),
        "other": _balanced(other_weight, total["other"], "other"),
    }
    return TripEnds(productions=prod, attractions=attr)
