"""Demand per purpose: mode choice and distribution, and the car matrices they load.

For each purpose (:data:`mobility.demand.generation.PURPOSES`): logit mode choice on the
level of service (:mod:`mobility.demand.modechoice`) and gravity distribution on its logsum
generalised cost (:mod:`mobility.demand.distribution`; doubly constrained, by Furness, for
commuting). The person trips become weekday car vehicle trips (occupancy per purpose), vans
and trucks as PCU spread like the inter-zonal car trips, and hourly PCU matrices per
time-of-day period (:func:`mobility.demand.timeofday.period_matrices`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from mobility.demand.distribution import gravity_doubly_constrained, gravity_singly_constrained
from mobility.demand.generation import PURPOSES, TripEnds
from mobility.demand.modechoice import (
    MODES,
    LevelOfService,
    composite_cost,
    logit,
    mode_generalised_cost,
    money_dkk,
    utilities,
)
from mobility.demand.parameters import DemandParameters
from mobility.demand.timeofday import TimeOfDay, period_matrices

__all__ = [
    "PURPOSE_LOS",
    "Demand",
    "car_vehicle_matrices",
    "commercial_matrix",
    "compute_demand",
    "period_demand",
    "sum_arrays",
    "weekday_od",
]


@dataclass(frozen=True)
class Demand:
    """Person trips per purpose and mode (production-attraction form, per weekday)."""

    trips: dict[str, dict[str, np.ndarray]]
    utility_commute: dict[str, np.ndarray]
    furness_iterations: int
    border: np.ndarray | None = None
    #: purpose -> mode -> (Z, Z) generalised cost in minutes without the mode constant, as
    #: that purpose's mode choice sees it (its level of service, occupancy, value of time)
    gen_cost_by_purpose: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    #: purpose -> mode -> (Z, Z) money part of that cost, DKK per person
    money_by_purpose: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


#: Which car level of service each purpose sees (periods' ``los`` kind).
PURPOSE_LOS = {"commute": "peak", "business": "peak", "other": "offpeak"}


def compute_demand(
    ends: TripEnds,
    los: LevelOfService | Mapping[str, LevelOfService],
    *,
    params: DemandParameters,
) -> Demand:
    """Mode choice and distribution for every purpose.

    ``los`` is one level of service for all purposes, or purpose -> level of service.

    Parameters
    ----------
    ends
        Productions and attractions per purpose.
    los
        The level of service (one, or per purpose: :data:`PURPOSE_LOS`).
    params
        The demand parameters.

    Returns
    -------
    Demand
    """
    trips: dict[str, dict[str, np.ndarray]] = {}
    util_commute: dict[str, np.ndarray] = {}
    costs: dict[str, dict[str, np.ndarray]] = {}
    money: dict[str, dict[str, np.ndarray]] = {}
    furness_it = 0
    border = None
    for purpose in PURPOSES:
        lp = los[purpose] if isinstance(los, Mapping) else los
        border = lp.border
        occupancy = params.car_occupancy(purpose, border)
        u = utilities(lp, params=params, occupancy=occupancy, purpose=purpose)
        costs[purpose] = mode_generalised_cost(u, params=params)
        money[purpose] = money_dkk(lp, params=params, occupancy=occupancy)
        probs, ls = logit(u)
        gc = composite_cost(ls, params=params)
        beta = params.deterrence(purpose)
        prod, attr = ends.productions[purpose], ends.attractions[purpose]
        if purpose == "commute":
            res = gravity_doubly_constrained(prod, attr, gc, beta=beta)
            total = res.matrix
            furness_it = res.iterations
            util_commute = u
        else:
            total = gravity_singly_constrained(prod, attr, gc, beta=beta)
        trips[purpose] = {m: total * probs[m] for m in MODES}
    return Demand(
        trips=trips,
        utility_commute=util_commute,
        furness_iterations=furness_it,
        border=border,
        gen_cost_by_purpose=costs,
        money_by_purpose=money,
    )


def car_vehicle_matrices(
    demand: Demand, *, params: DemandParameters
) -> tuple[np.ndarray, np.ndarray]:
    """Weekday car vehicle trips (production-attraction form): home-based and business.

    Parameters
    ----------
    demand
        The person trips.
    params
        The car occupancies per purpose.

    Returns
    -------
    home, business
        ``(Z, Z)`` vehicle trips per weekday.
    """
    occ = {q: params.car_occupancy(q, demand.border) for q in PURPOSES}
    home = sum(demand.trips[q]["car"] / occ[q] for q in PURPOSES if q != "business")
    business = demand.trips["business"]["car"] / occ["business"]
    return np.asarray(home, dtype=np.float64), np.asarray(business, dtype=np.float64)


def commercial_matrix(home: np.ndarray, business: np.ndarray, *, total: float) -> np.ndarray:
    """Weekday van and truck PCU trips: ``total`` spread like the inter-zonal car trips.

    Parameters
    ----------
    home, business
        ``(Z, Z)`` car vehicle trips (:func:`car_vehicle_matrices`).
    total
        Van and truck PCU trips per weekday.

    Returns
    -------
    numpy.ndarray
        ``(Z, Z)``, zero on the diagonal, summing to ``total`` (zeros if there are no car
        trips).
    """
    car = home + home.T + business + business.T
    np.fill_diagonal(car, 0.0)
    s = float(car.sum())
    return car * (total / s) if s > 0 else np.zeros_like(car)


def period_demand(
    demand: Demand, *, params: DemandParameters, tod: TimeOfDay, commercial_total: float
) -> np.ndarray:
    """``(P, Z, Z)`` hourly PCU matrices of the periods (see :func:`period_matrices`).

    Parameters
    ----------
    demand
        The person trips.
    params
        The car occupancies.
    tod
        The time-of-day periods.
    commercial_total
        Van and truck PCU trips per weekday.

    Returns
    -------
    numpy.ndarray
    """
    home, business = car_vehicle_matrices(demand, params=params)
    com = commercial_matrix(home, business, total=commercial_total)
    return period_matrices(home, business, com, tod)


def weekday_od(demand: Demand) -> dict[str, np.ndarray]:
    """Mode -> weekday person trips in origin-destination form (half each way).

    Parameters
    ----------
    demand
        The person trips (production-attraction form).

    Returns
    -------
    dict
        Mode -> ``(Z, Z)`` trips, all purposes.
    """
    out = {}
    for m in MODES:
        pa = sum_arrays(demand.trips[p][m] for p in PURPOSES)
        out[m] = 0.5 * (pa + pa.T)
    return out


def sum_arrays(arrays: Iterable[np.ndarray]) -> np.ndarray:
    """Elementwise sum in order (as ``sum()``, typed as an array).

    Parameters
    ----------
    arrays
        Arrays of one shape.

    Returns
    -------
    numpy.ndarray
    """
    return functools.reduce(operator.add, arrays)
