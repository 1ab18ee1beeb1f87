"""Congestion and traffic-volume indicators from road assignments.

Definitions (stated beside every indicator the model writes):

* delay in an assigned hour = sum over links of ``flow x (congested time - free-flow
  time)``, vehicle-hours;
* time of day (what :func:`mobility.demand.model.run_model` uses): the weekday is split into
  periods, each assigned as its mean hour; weekday totals are
  ``sum_p hours_p x hourly value_p`` (:func:`weekday_total`); annual delay = weekday delay x
  ``delay_weekdays_per_year`` (scenario ``annualisation``, 230 [D]); person-hours multiply by
  the mean car occupancy; AADT of a link = weekday volume x ``adt_per_weekday``
  (:func:`adt_from_weekday`);
* select-link analysis (:func:`select_link_weekday`): which OD pairs a set of links carries,
  from the period demands on the final period costs;
* single-hour approximations (for users holding only one peak-hour assignment):
  annual delay = peak-hour delay x ``delay_peak_hour_to_weekday`` x
  ``delay_weekdays_per_year``; weekday traffic = peak-hour traffic / ``peak_hour_share``;
  AADT = peak-hour volume / ``peak_hour_share`` x ``adt_per_weekday``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mobility.errors import InputError
from mobility.network.paths import SelectLink, select_link
from mobility.scenario import Annualisation


def _arrays(*arrays: np.ndarray) -> list[np.ndarray]:
    out = [np.asarray(a, dtype=np.float64) for a in arrays]
    shape = out[0].shape
    for a in out:
        if a.shape != shape:
            raise InputError(f"link arrays differ in shape: {a.shape} vs {shape}", field="flows")
        if not np.all(np.isfinite(a)):
            raise InputError("link arrays must be finite", field="flows")
    return out


def delay_vehicle_hours(
    flows: np.ndarray, times_min: np.ndarray, free_flow_time_min: np.ndarray
) -> float:
    """Vehicle-hours lost against free flow in the assigned hour.

    Parameters
    ----------
    flows
        ``(M,)`` vehicles (or PCU) per hour on each link.
    times_min, free_flow_time_min
        ``(M,)`` congested and free-flow link times in minutes.
    """
    f, t, t0 = _arrays(flows, times_min, free_flow_time_min)
    return float(np.sum(f * np.maximum(t - t0, 0.0)) / 60.0)


def vehicle_km(flows: np.ndarray, length_km: np.ndarray) -> float:
    """Vehicle-km in the assigned hour: ``sum(flow x length)``."""
    f, length = _arrays(flows, length_km)
    return float(np.sum(f * length))


def weekday_total(hourly: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Weekday totals from per-period hourly values: ``sum_p hours_p x hourly[p]``.

    Parameters
    ----------
    hourly
        ``(P, ...)`` value in the mean hour of each period (e.g. ``(P, M)`` link flows).
    hours
        ``(P,)`` length of each period in hours (non-negative).
    """
    h = np.asarray(hours, dtype=np.float64)
    x = np.asarray(hourly, dtype=np.float64)
    if h.ndim != 1 or x.shape[:1] != h.shape:
        raise InputError(f"{x.shape} hourly values for {h.shape} periods", field="hours")
    if not (np.all(np.isfinite(h)) and np.all(h >= 0) and np.all(np.isfinite(x))):
        raise InputError("hours and hourly values must be finite, hours >= 0", field="hours")
    return np.tensordot(h, x, axes=1)


def adt_from_weekday(volume_weekday: np.ndarray, *, annualisation: Annualisation) -> np.ndarray:
    """Annual average daily traffic from weekday volumes (``x adt_per_weekday``)."""
    return np.asarray(volume_weekday, dtype=np.float64) * annualisation.adt_per_weekday


def annual_delay_hours(peak_hour_delay_h: float, *, annualisation: Annualisation) -> float:
    """Annual delay hours from the peak-hour delay (see module docstring)."""
    return (
        float(peak_hour_delay_h)
        * annualisation.delay_peak_hour_to_weekday
        * annualisation.delay_weekdays_per_year
    )


def weekday_from_peak_hour(value: float | np.ndarray, *, annualisation: Annualisation):
    """A weekday total from a peak-hour total (``value / peak_hour_share``)."""
    return value / annualisation.peak_hour_share


def annual_traffic(peak_hour_value: float, *, annualisation: Annualisation) -> float:
    """Annual traffic (vehicle-km, trips) from the peak-hour value."""
    return (
        float(peak_hour_value) / annualisation.peak_hour_share * annualisation.traffic_days_per_year
    )


def adt_from_peak_hour(volume_peak_hour: np.ndarray, *, annualisation: Annualisation) -> np.ndarray:
    """Annual average daily traffic of each link from its peak-hour volume."""
    v = np.asarray(volume_peak_hour, dtype=np.float64)
    return v / annualisation.peak_hour_share * annualisation.adt_per_weekday


def peak_conditions_share(annualisation: Annualisation) -> float:
    """Share of weekday traffic driven in peak (congested) conditions.

    ``delay_peak_hour_to_weekday`` peak-hour equivalents of ``peak_hour_share`` each,
    capped at 1; used to mix congested and free-flow speeds for emissions.
    """
    return min(1.0, annualisation.delay_peak_hour_to_weekday * annualisation.peak_hour_share)


def select_link_weekday(result: Any, link_ids: list[Any]) -> SelectLink:
    """Select-link analysis of a model run: weekday car PCU through the links ``link_ids``.

    Each time-of-day period's assigned hourly PCU matrix is loaded all-or-nothing on the
    shortest paths under the period's final equilibrium link costs and weighted by the
    period's hours (:func:`mobility.network.paths.select_link`). The AON volume over a link
    approximates its equilibrium volume (exact only where the equilibrium uses one path per
    OD pair); compare ``link_volume`` with ``result.link_volume_weekday``. Multiply by the
    scenario's ``adt_per_weekday`` for AADT.

    Parameters
    ----------
    result
        A :class:`mobility.demand.results.ModelResult`.
    link_ids
        Link ids (``road_net.meta["link_id"]``, e.g. from
        :func:`mobility.region.roads.count_section_links`).

    Raises
    ------
    InputError
        A link id that is not in the run's car network.
    """
    ids = list(result.road_net.meta["link_id"])
    missing = [x for x in link_ids if x not in ids]
    if missing:
        raise InputError(f"link ids {missing} are not in the car network", field="link_ids")
    periods = result.time_of_day.periods
    costs = np.array([result.period_assignments[q.name].costs for q in periods])
    return select_link(
        result.road_net,
        costs,
        result.car_demand_periods,
        [ids.index(x) for x in link_ids],
        weights=result.time_of_day.hours,
    )
