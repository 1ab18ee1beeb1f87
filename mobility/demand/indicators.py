"""The model's indicators: delay, vehicle-km, CO2e, mode shares, accessibility, border trips.

Weekday totals are sums over the time-of-day periods of hourly value x period hours; delay
(:func:`mobility.impacts.congestion.delay_vehicle_hours`) and traffic are annualised with the
scenario's ``delay_weekdays_per_year`` and ``traffic_days_per_year``; CO2e per vehicle-km by
speed from :func:`mobility.impacts.emissions.co2e_g_per_vkm`; jobs within 45 minutes door to
door from :mod:`mobility.impacts.accessibility`. Delay, vehicle-km and CO2e count the Region H
links only (:func:`mobility.demand.road.links_in_region`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from mobility.demand.generation import PURPOSES
from mobility.demand.modechoice import MODES, LevelOfService
from mobility.demand.parameters import DemandParameters
from mobility.demand.road import links_in_region
from mobility.demand.skims import with_diagonal
from mobility.demand.timeofday import TimeOfDay
from mobility.demand.trips import Demand, sum_arrays
from mobility.impacts import accessibility, congestion
from mobility.network.graph import LinkNetwork
from mobility.scenario import Scenario

__all__ = ["INDICATOR_UNITS", "model_indicators"]

#: Indicator names, in output order, with their units.
INDICATOR_UNITS: dict[str, str] = {
    "car_delay_hours_per_year": (
        "person_hours_per_year (car occupants' delay vs free flow on Region H links; "
        "sum over the weekday time-of-day periods x hours, x weekdays per year)"
    ),
    "car_vehicle_km_per_year": "vehicle_km_per_year (cars excl. vans and trucks, Region H)",
    "road_co2e_t_per_year": "t_co2e_per_year (cars, Region H)",
    "pt_boardings_per_weekday": "boardings_per_weekday (modelled lines + intrazonal local bus)",
    "bike_trips_per_weekday": "trips_per_weekday (trips produced in Region H)",
    "mode_share_car": "share_of_trips (trips produced in Region H)",
    "mode_share_pt": "share_of_trips (trips produced in Region H)",
    "mode_share_bike": "share_of_trips (trips produced in Region H)",
    "mode_share_walk": "share_of_trips (trips produced in Region H)",
    "mean_commute_km": "km (road distance home-work, Region H residents)",
    "jobs_within_45min_car": "jobs (mean over Region H residents, peak door-to-door)",
    "jobs_within_45min_pt": "jobs (mean over Region H residents, door-to-door)",
    "trips_per_weekday": "person_trips_per_weekday (trips produced in Region H)",
    "oeresund_car_trips_per_weekday": (
        "person_trips_per_weekday (by car between Sweden and Denmark, both directions)"
    ),
    "oeresund_pt_trips_per_weekday": (
        "person_trips_per_weekday (by public transport between Sweden and Denmark, both directions)"
    ),
    "car_delay_vehicle_hours_peak_hour": "vehicle_hours (cars, morning peak hour, Region H)",
    "car_delay_vehicle_hours_pm_peak_hour": "vehicle_hours (cars, afternoon peak hour, Region H)",
    "car_delay_vehicle_hours_per_weekday": (
        "vehicle_hours_per_weekday (cars vs free flow, Region H; sum over periods x hours)"
    ),
    "car_delay_share_outside_peak_hours": (
        "share (weekday car delay outside the morning and afternoon peak hours)"
    ),
    "commercial_pcu_trips_per_weekday": "pcu_trips_per_weekday (vans and trucks, all zones)",
    "assignment_rel_gap": "relative_gap (largest of the final period assignments)",
    "feedback_converged": "1 = the fixed point met feedback_tol with every gap at rel_gap, else 0",
    "feedback_iterations": "iterations (demand-supply loop)",
    "feedback_demand_change": "relative_L1_change (last demand vs assigned demand)",
}


def _border_trips(trips: Mapping[str, Any], border: np.ndarray | None, mode: str) -> float:
    """Person trips of ``mode`` across the national border (all purposes, both directions)."""
    if border is None:
        return 0.0
    return float(sum((trips[q][mode] * border).sum() for q in PURPOSES))


def model_indicators(
    *,
    scenario: Scenario,
    zones: Any,
    demand: Demand,
    los: Mapping[str, LevelOfService],
    car_net: LinkNetwork,
    results: list[Any],
    tod: TimeOfDay,
    car_share_pcu: float,
    commercial_total: float,
    graph: Any,
    boardings: dict[str, float],
    params: DemandParameters,
    co2e: Any,
    feedback: list[dict[str, float]],
    change: float,
    converged: bool,
    peak_time: np.ndarray,
) -> tuple[dict[str, tuple[float, str]], dict[str, np.ndarray], float]:
    """Indicators, zone indicators and the weekday car delay (vehicle-hours).

    Parameters
    ----------
    scenario, zones, demand, los, car_net, params
        The run's scenario, zones, final demand, level of service per purpose, car network
        and demand parameters.
    results, tod
        The final assignment of each time-of-day period, and the periods.
    car_share_pcu, commercial_total
        Cars' share of the assigned PCU, and the van and truck PCU trips per weekday.
    graph
        The road graph (for :func:`~mobility.demand.road.links_in_region`).
    boardings
        Line -> boardings per weekday.
    co2e
        :func:`mobility.impacts.emissions.co2e_g_per_vkm`.
    feedback, change, converged
        The fixed point's records, last demand change and whether it converged.
    peak_time
        ``(Z, Z)`` morning-peak car time skim, minutes.

    Returns
    -------
    indicators, zone_indicators, delay_weekday
        Name -> (value, unit) in :data:`INDICATOR_UNITS` order (then one gap per period);
        name -> ``(Z,)`` values; weekday car delay in vehicle-hours.
    """
    p = params
    ann = scenario.annualisation
    region = np.asarray(zones.in_region, dtype=bool)
    trips = demand.trips
    commute_los = los["commute"]
    hours = tod.hours

    by_mode_zone = {m: sum(trips[q][m].sum(axis=1) for q in PURPOSES) for m in MODES}
    all_zone = sum(by_mode_zone.values())
    total_region = float(all_zone[region].sum())
    shares = {m: float(by_mode_zone[m][region].sum()) / total_region for m in MODES}

    commute = sum_arrays(trips["commute"][m] for m in MODES)
    c_reg = commute[region]
    mean_commute = float((c_reg * commute_los.car_length_km[region]).sum() / c_reg.sum())

    # car person trips / car vehicles (weekday) -> mean occupancy
    car_persons = sum(float(trips[q]["car"].sum()) for q in PURPOSES)
    car_vehicles = sum(
        float((trips[q]["car"] / p.car_occupancy(q, demand.border)).sum()) for q in PURPOSES
    )
    occupancy = car_persons / car_vehicles

    # per period: Region H links only; cars are car_share_pcu of every period's PCU
    inside = links_in_region(car_net, graph, zones)
    flows = np.array(
        [np.where(inside, np.asarray(r.flows, dtype=np.float64), 0.0) for r in results]
    )
    times = np.array([np.asarray(r.times, dtype=np.float64) for r in results])
    t0 = car_net.free_flow_time
    delay_hour = np.array(
        [
            congestion.delay_vehicle_hours(f, t, t0) * car_share_pcu
            for f, t in zip(flows, times, strict=True)
        ]
    )
    delay_weekday = float(np.dot(hours, delay_hour))
    delay_year = delay_weekday * occupancy * ann.delay_weekdays_per_year
    am, pm = tod.index("am_peak"), tod.index("pm_peak")
    outside = 1.0 - (delay_hour[am] + delay_hour[pm]) / delay_weekday if delay_weekday > 0 else 0.0

    intra_vehicles_day = sum(np.diag(trips[q]["car"]) / p.occupancy(q) for q in PURPOSES)
    intra_vehicles_day = np.where(region, intra_vehicles_day, 0.0)
    intra_vkm_day = float(np.sum(intra_vehicles_day * np.diag(commute_los.car_length_km)))
    link_vkm_weekday = congestion.weekday_total(flows, hours) * car_net.length * car_share_pcu
    vkm_year_links = float(link_vkm_weekday.sum()) * ann.traffic_days_per_year
    vkm_year_intra = intra_vkm_day * ann.traffic_days_per_year
    vkm_year = vkm_year_links + vkm_year_intra

    year, ev = scenario.year, scenario.ev_share()
    speed = np.clip(
        np.where(times > 0, car_net.length / np.maximum(times, 1e-9) * 60.0, 50.0), 5.0, 130.0
    )
    ef = np.array([co2e(s, year=year, ev_share=ev) for s in speed])
    g_weekday = float(np.einsum("p,pm,pm->", hours, flows * car_net.length, ef)) * car_share_pcu
    ef_intra = float(
        np.asarray(co2e(np.array([p.intrazonal_car_speed]), year=year, ev_share=ev))[0]
    )
    co2_t = (g_weekday * ann.traffic_days_per_year + vkm_year_intra * ef_intra) / 1e6

    car_door = with_diagonal(peak_time, np.diag(commute_los.car_time_min)) + p.car_terminal_time
    pt_door = commute_los.pt_in_vehicle_min + commute_los.pt_wait_min + commute_los.pt_walk_min
    jobs_car = accessibility.jobs_within(car_door, zones.jobs, zones.residents, origins=region)
    jobs_pt = accessibility.jobs_within(pt_door, zones.jobs, zones.residents, origins=region)

    values: dict[str, float] = {
        "car_delay_hours_per_year": delay_year,
        "car_vehicle_km_per_year": vkm_year,
        "road_co2e_t_per_year": co2_t,
        "pt_boardings_per_weekday": float(sum(boardings.values())),
        "bike_trips_per_weekday": float(by_mode_zone["bike"][region].sum()),
        "mode_share_car": shares["car"],
        "mode_share_pt": shares["pt"],
        "mode_share_bike": shares["bike"],
        "mode_share_walk": shares["walk"],
        "mean_commute_km": mean_commute,
        "jobs_within_45min_car": jobs_car,
        "jobs_within_45min_pt": jobs_pt,
        "trips_per_weekday": total_region,
        **{
            f"oeresund_{m}_trips_per_weekday": _border_trips(trips, commute_los.border, m)
            for m in ("car", "pt")
        },
        "car_delay_vehicle_hours_peak_hour": float(delay_hour[am]),
        "car_delay_vehicle_hours_pm_peak_hour": float(delay_hour[pm]),
        "car_delay_vehicle_hours_per_weekday": delay_weekday,
        "car_delay_share_outside_peak_hours": outside,
        "commercial_pcu_trips_per_weekday": commercial_total,
        "assignment_rel_gap": float(max(r.rel_gap for r in results)),
        "feedback_iterations": float(len(feedback)),
        "feedback_demand_change": float(change),
        "feedback_converged": float(converged),
    }
    units = dict(INDICATOR_UNITS)
    units["car_delay_hours_per_year"] = (
        "person_hours_per_year (car occupants' delay vs free flow on Region H links; "
        f"sum over {len(tod.periods)} weekday time-of-day periods x hours, "
        f"x {ann.delay_weekdays_per_year:g} weekdays per year)"
    )
    indicators = {k: (values[k], units[k]) for k in INDICATOR_UNITS}
    for q, r in zip(tod.periods, results, strict=True):
        indicators[f"assignment_rel_gap_{q.name}"] = (
            float(r.rel_gap),
            f"relative_gap (final assignment of the {q.name} period's mean hour)",
        )
    reach_car = (car_door <= 45.0) @ zones.jobs
    reach_pt = (pt_door <= 45.0) @ zones.jobs
    safe = np.where(all_zone > 0, all_zone, 1.0)
    zone_ind = {
        "trips_produced": all_zone,
        **{f"mode_share_{m}": by_mode_zone[m] / safe for m in MODES},
        "mean_commute_km": (commute * commute_los.car_length_km).sum(axis=1)
        / np.where(commute.sum(axis=1) > 0, commute.sum(axis=1), 1.0),
        "jobs_within_45min_car": reach_car,
        "jobs_within_45min_pt": reach_pt,
    }
    return indicators, zone_ind, delay_weekday
