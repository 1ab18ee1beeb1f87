"""Multinomial logit mode choice: car, public transport (pt), bicycle and walking.

Utilities (``bt`` = ``beta_time`` per minute, ``bc`` = ``beta_cost`` per DKK, per person;
``bc = bt x 60 / VOT`` with the trip purpose's value of time, the CBA's):

* car:  ``asc_car + bt (t_car + terminal) + bc ((km * cost_per_km + toll) + parking_j) / occ``
* pt:   ``asc_pt + bt (ivt + w_walk walk + w_wait wait + penalty (boardings - 1)) + bc fare``
* bike: ``asc_bike + bt t_bike + b_km_over max(0, km - threshold)``
* walk: ``asc_walk + bt t_walk + b_km_over max(0, km - threshold)``

plus, for a trip across the national border (Denmark - Sweden, ``border`` = 1), the border
constants ``asc_border_car`` and ``asc_border_pt`` (crossing the sound on foot or by bike is
not possible on the road graph: ferries carry cars, foot passengers are PT trips).

so walking and cycling fade out with distance through the utility, not through a hard cut.
A mode whose time is infinite (unreachable) gets probability 0. The logsum
``ln sum_m exp(V_m)`` divided by ``-bt`` is the composite generalised cost in minutes used by
the gravity models (:mod:`mobility.demand.distribution`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobility.demand.parameters import DemandParameters
from mobility.errors import InputError

MODES = ("car", "pt", "bike", "walk")


@dataclass(frozen=True)
class LevelOfService:
    """Zone-to-zone level of service by mode, every field ``(Z, Z)`` unless stated.

    Attributes
    ----------
    car_time_min, car_length_km, car_toll_dkk
        Car in-vehicle time (congested), distance and toll.
    pt_in_vehicle_min, pt_wait_min, pt_walk_min, pt_boardings, pt_length_km
        Public-transport components along the best path (``np.inf`` times if unreachable).
    bike_time_min, bike_length_km
        Cycling time (already including the superhighway bonus) and distance.
    walk_length_km
        Walking distance.
    parking_dkk
        ``(Z,)`` parking cost per car trip ending in each zone.
    border
        1.0 where the trip crosses the national border (Denmark - Sweden), else 0.0; ``None``
        means no zone pair does.
    """

    car_time_min: np.ndarray
    car_length_km: np.ndarray
    car_toll_dkk: np.ndarray
    pt_in_vehicle_min: np.ndarray
    pt_wait_min: np.ndarray
    pt_walk_min: np.ndarray
    pt_boardings: np.ndarray
    pt_length_km: np.ndarray
    bike_time_min: np.ndarray
    bike_length_km: np.ndarray
    walk_length_km: np.ndarray
    parking_dkk: np.ndarray
    border: np.ndarray | None = None


def _masked(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    return np.where(ok, values, -np.inf)


def money_dkk(
    los: LevelOfService, *, params: DemandParameters, occupancy: float | np.ndarray
) -> dict[str, np.ndarray]:
    """The money part of each mode's cost, DKK per person, ``(Z, Z)`` each.

    Car: ``(km x car_cost_per_km + toll + parking_j) / occupancy`` (0 where the car cannot go);
    PT: ``fare_base + fare_per_km x km``; bicycle and walking cost no money. The same
    matrices enter :func:`utilities` and the appraisal's split of the consumer surplus into
    time and money (:mod:`mobility.impacts.effects`).
    """
    car_ok = np.isfinite(los.car_time_min)
    car = (
        np.where(car_ok, los.car_length_km, 0.0) * params.car_cost_per_km
        + np.where(car_ok, los.car_toll_dkk, 0.0)
        + los.parking_dkk[None, :]
    ) / occupancy
    pt_ok = _pt_ok(los)
    fare = params.pt_fare_base + params.pt_fare_per_km * np.where(pt_ok, los.pt_length_km, 0.0)
    zero = np.zeros(np.shape(los.car_time_min))
    return {"car": car, "pt": fare, "bike": zero, "walk": zero}


def _pt_ok(los: LevelOfService) -> np.ndarray:
    # a PT trip boards at least once; expected boardings under optimal strategies are 0 or
    # >= 1 up to round-off (sum of the split shares), hence the threshold of one half
    return np.isfinite(los.pt_in_vehicle_min) & (los.pt_boardings > 0.5)


def utilities(
    los: LevelOfService,
    *,
    params: DemandParameters,
    occupancy: float | np.ndarray,
    purpose: str = "commute",
) -> dict[str, np.ndarray]:
    """Systematic utility of each mode, ``(Z, Z)`` each (``-inf`` where unavailable).

    ``occupancy`` (persons per car, a number or ``(Z, Z)``) shares the car's cost; money is
    turned into utility with ``purpose``'s cost coefficient
    (:meth:`DemandParameters.beta_cost`, from that purpose's value of time).
    """
    if not np.all(np.asarray(occupancy) >= 1.0):
        raise InputError(f"has value {occupancy!r}", field="occupancy", expected=">= 1")
    bt, bc = params.beta_time, params.beta_cost(purpose)
    money = money_dkk(los, params=params, occupancy=occupancy)
    car_ok = np.isfinite(los.car_time_min)
    border = 0.0 if los.border is None else los.border
    v_car = (
        params.asc_car
        + params.asc_border_car * border
        + bt * (los.car_time_min + params.car_terminal_time)
        + bc * money["car"]
    )
    pt_ok = _pt_ok(los)
    pt_time = (
        los.pt_in_vehicle_min
        + params.pt_walk_weight * los.pt_walk_min
        + params.pt_wait_weight * los.pt_wait_min
        + params.pt_transfer_penalty * np.maximum(los.pt_boardings - 1.0, 0.0)
    )
    v_pt = params.asc_pt + params.asc_border_pt * border + bt * pt_time + bc * money["pt"]
    bike_ok = np.isfinite(los.bike_time_min)
    v_bike = (
        params.asc_bike
        + bt * los.bike_time_min
        + params.bike_beta_km_over
        * np.maximum(np.where(bike_ok, los.bike_length_km, 0.0) - params.bike_km_threshold, 0.0)
    )
    walk_ok = np.isfinite(los.walk_length_km)
    walk_km = np.where(walk_ok, los.walk_length_km, 0.0)
    v_walk = (
        params.asc_walk
        + bt * walk_km / params.walk_speed * 60.0
        + params.walk_beta_km_over * np.maximum(walk_km - params.walk_km_threshold, 0.0)
    )
    return {
        "car": _masked(v_car, car_ok),
        "pt": _masked(v_pt, pt_ok),
        "bike": _masked(v_bike, bike_ok),
        "walk": _masked(v_walk, walk_ok),
    }


def logit(utility: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Multinomial logit probabilities and logsum.

    Parameters
    ----------
    utility
        Mode -> ``(Z, Z)`` utilities (``-inf`` = unavailable).

    Returns
    -------
    probabilities, logsum
        Mode -> ``(Z, Z)`` shares summing to 1 where any mode is available, and the
        ``(Z, Z)`` logsum (``-inf`` where no mode is available).
    """
    stack = np.stack([utility[m] for m in utility])
    vmax = np.max(stack, axis=0)
    any_ok = np.isfinite(vmax)
    shift = np.where(any_ok, vmax, 0.0)
    ex = np.exp(stack - shift[None])
    total = ex.sum(axis=0)
    probs = np.divide(ex, total[None], out=np.zeros_like(ex), where=total[None] > 0)
    logsum = np.where(any_ok, shift + np.log(np.where(any_ok, total, 1.0)), -np.inf)
    return {m: probs[k] for k, m in enumerate(utility)}, logsum


def composite_cost(logsum: np.ndarray, *, params: DemandParameters) -> np.ndarray:
    """Logsum as a generalised cost in minutes (``-logsum / |beta_time|``; inf if none)."""
    return np.where(np.isfinite(logsum), -logsum / abs(params.beta_time), np.inf)


def mode_generalised_cost(
    utility: dict[str, np.ndarray], *, params: DemandParameters
) -> dict[str, np.ndarray]:
    """Each mode's generalised cost in minutes without its constant (inf if unavailable)."""
    out = {}
    for m, v in utility.items():
        asc = float(getattr(params, f"asc_{m}"))
        out[m] = np.where(np.isfinite(v), -(v - asc) / abs(params.beta_time), np.inf)
    return out
