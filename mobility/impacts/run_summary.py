"""What the appraisal needs from one model run: its totals per weekday (:class:`RunSummary`).

:func:`summarise` reduces one model result (a :class:`mobility.demand.results.ModelResult` or
any object with the same fields) to the scenario-level totals that
:mod:`mobility.impacts.effects` compares:

* car traffic, CO2e, tolls, noise: from the peak-hour road assignment, weekday = peak hour /
  ``peak_hour_share``, year = weekday x ``traffic_days_per_year``; CO2e with
  :func:`mobility.impacts.emissions.co2e_g_per_vkm` at each link's congested speed and the
  scenario fleet's EV share, plus the transit service CO2e of the lines;
* trips by mode, cycled and walked km, PT boardings, jobs within 45 minutes by PT, the car
  delay in the peak hour;
* the weekday quantities the CBA needs beyond them (``RunSummary.extra``): vehicle-km of
  cars, vans and trucks by TØE road type (:func:`link_road_types`), the vans' and trucks'
  hours and tolls, fares, PT service by mode.

:func:`annual_factors` gives a run's annualisation factors (scenario ``annualisation``),
:func:`money_matrix` the money part of a mode's generalised cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mobility.impacts.accessibility import jobs_within
from mobility.impacts.emissions import (
    co2e_g_per_vkm,
    fleet_ev_share,
    transit_service_co2e_t_per_day,
)
from mobility.impacts.noise import (
    ADJACENT_SHARE,
    MOTORWAY_WEIGHT,
    class_constants,
    exposure,
    link_residents,
    nearest_zone,
)
from mobility.impacts.unit_prices import ROAD_TYPES, load_unit_prices

__all__ = [
    "MODES",
    "PT_ACCESS_MIN",
    "RunSummary",
    "annual_factors",
    "link_road_types",
    "money_matrix",
    "run_parameters",
    "summarise",
]


MODES = ("car", "pt", "bike", "walk")

#: PT time threshold for the accessibility indicator (minutes).
PT_ACCESS_MIN = 45.0


def annual_factors(result: Any) -> dict[str, float]:
    """Annualisation factors of a model result (scenario's Annualisation or a mapping)."""
    src = getattr(result, "annualisation", None)
    if src is None and getattr(result, "scenario", None) is not None:
        src = getattr(result.scenario, "annualisation", None)
    defaults = {
        "peak_hour_share": 0.10,
        "delay_weekdays_per_year": 230.0,
        "traffic_days_per_year": 338.0,
        "delay_peak_hour_to_weekday": 4.0,
    }
    out = dict(defaults)
    for key in defaults:
        if isinstance(src, Mapping) and key in src:
            out[key] = float(src[key])
        elif src is not None and hasattr(src, key):
            out[key] = float(getattr(src, key))
    return out


def _finite_sum(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    return float(np.sum(a[ok] * b[ok]))


def _link_speeds(length_km: np.ndarray, time_min: np.ndarray) -> np.ndarray:
    t = np.asarray(time_min, dtype=np.float64)
    return np.where(t > 0, 60.0 * length_km / np.where(t > 0, t, 1.0), 50.0)


def _ev_share(result: Any, year: int) -> float:
    sc = getattr(result, "scenario", None)
    if sc is not None and hasattr(sc, "ev_share") and getattr(sc, "ev_share_by_year", None):
        return float(sc.ev_share(year))
    return fleet_ev_share(year)


def _link_residents(result: Any) -> np.ndarray:
    """Residents allocated to each car link (connectors excluded)."""
    net = result.road_net
    zones = result.inputs.zones
    graph = result.inputs.roads
    nid = net.node_ids
    lon = np.array([float(graph.nodes[int(n)].get("x", np.nan)) for n in nid])
    lat = np.array([float(graph.nodes[int(n)].get("y", np.nan)) for n in nid])
    mid_lon = 0.5 * (lon[net.init] + lon[net.term])
    mid_lat = 0.5 * (lat[net.init] + lat[net.term])
    zone = nearest_zone(mid_lon, mid_lat, zones.lon, zones.lat)
    connector = net.no_thru[net.init] | net.no_thru[net.term]
    classes = net.meta.get("road_class") if isinstance(net.meta, Mapping) else None
    if classes is not None and len(classes) == net.n_links:
        connector |= np.array([c in ("connector", "ferry") for c in classes])
    weight = np.ones(net.n_links)
    if classes is not None and len(classes) == net.n_links:
        fast = np.array([c in ("motorway", "expressway") for c in classes])
        weight = np.where(fast, MOTORWAY_WEIGHT, 1.0)
    zone = np.where(connector | ~np.isfinite(mid_lon), -1, zone)
    return link_residents(
        zone,
        net.length,
        np.asarray(zones.residents, dtype=np.float64),
        weight=weight,
        share=ADJACENT_SHARE,
    )


def _toll_paid(result: Any) -> float:
    """Toll paid on the links in the assigned hour (PCU flow x toll, kr.): the one basis of
    ``RunSummary.toll_dkk_day`` and the vans' and trucks' share of it."""
    flows = np.asarray(result.assignment.flows, dtype=np.float64)
    return float(np.sum(flows * np.asarray(result.road_net.toll)))


@dataclass
class RunSummary:
    """What the appraisal needs from one model run (per weekday unless stated)."""

    car_vkm_day: float
    co2e_t_day: float
    toll_dkk_day: float
    noise_exposed: float
    noise_exposure: float
    trips: dict[str, float]
    bike_km_day: float
    pt_boardings_day: float
    jobs_pt_45: float
    delay_vh_peak: float
    extra: dict[str, float] = field(default_factory=dict)
    walk_km_day: float = 0.0


def summarise(result: Any, *, year: int) -> RunSummary:
    """The scenario-level totals of one model result."""
    ann = annual_factors(result)
    net = result.road_net
    asg = result.assignment
    flows = np.asarray(asg.flows, dtype=np.float64)
    times = np.asarray(asg.times, dtype=np.float64)
    day = 1.0 / ann["peak_hour_share"]
    speed = _link_speeds(net.length, times)
    g = co2e_g_per_vkm(speed, year=year, ev_share=_ev_share(result, year))
    car_co2 = float(np.sum(flows * net.length * g)) / 1e6 * day
    transit = getattr(result.inputs, "transit", None)
    pt_co2 = 0.0
    if transit is not None and getattr(transit, "lines", None):
        pt_co2 = transit_service_co2e_t_per_day(transit.lines, transit.stops, year=year)
    adj = _link_residents(result)
    classes = net.meta.get("road_class") if isinstance(net.meta, Mapping) else None
    heavy, distance = class_constants(classes, net.n_links)
    exp = exposure(flows * day, speed, adj, heavy_share=heavy, distance_m=distance)
    trips = {m: float(np.sum(result.od[m])) if m in result.od else 0.0 for m in MODES}
    active_km = {}
    for m in ("bike", "walk"):
        active_km[m] = 0.0
        if m in result.od and m in result.skims and "length_km" in result.skims[m]:
            active_km[m] = _finite_sum(
                np.asarray(result.od[m]), np.asarray(result.skims[m]["length_km"])
            )
    zones = result.inputs.zones
    jobs45 = 0.0
    pt_skims = result.skims.get("pt", {}) if isinstance(result.skims, Mapping) else {}
    pt_time = pt_skims.get("time_min")
    if pt_time is None and "pt" in result.gen_cost:
        pt_time = result.gen_cost["pt"]
    if pt_time is not None:
        origins = np.asarray(zones.in_region, dtype=bool)
        jobs45 = jobs_within(
            np.asarray(pt_time, dtype=np.float64),
            np.asarray(zones.jobs, dtype=np.float64),
            np.asarray(zones.residents, dtype=np.float64),
            threshold_min=PT_ACCESS_MIN,
            origins=origins if origins.any() else None,
        )
    free = np.asarray(net.free_flow_time, dtype=np.float64)
    extra = _cba_extras(result, year=year, day=day)
    return RunSummary(
        car_vkm_day=float(np.sum(flows * net.length)) * day,
        co2e_t_day=car_co2 + pt_co2,
        toll_dkk_day=_toll_paid(result) * day,
        noise_exposed=exp.noise_exposed_residents,
        noise_exposure=float(np.sum(adj * flows * day)),
        trips=trips,
        bike_km_day=active_km["bike"],
        walk_km_day=active_km["walk"],
        pt_boardings_day=float(sum(getattr(result, "pt_boardings", {}).values())),
        jobs_pt_45=jobs45,
        delay_vh_peak=float(np.sum(flows * np.maximum(times - free, 0.0))) / 60.0,
        extra=extra,
    )


#: TØE road type of each model road class (urban/rural for the others: see
#: :func:`link_road_types`); connectors, ferries and cycle links carry no road traffic cost.
_FAST = ("motorway", "expressway")

_NO_COST = ("connector", "ferry", "cycle_superhighway")


def link_road_types(result: Any) -> np.ndarray:
    """TØE road type of each car link: ``motorway``, ``rural``, ``urban`` or ``""`` (none).

    Motorways and expressways are ``motorway``; collector and local roads, and every road
    whose midpoint's nearest zone lies in the central part (København, Frederiksberg), are
    ``urban``; other arterials are ``rural`` (an approximation: the model has no urban-area
    polygons). Connectors, ferries and cycle links are ``""``.
    """
    net = result.road_net
    classes = net.meta.get("road_class") if isinstance(net.meta, Mapping) else None
    if classes is None or len(classes) != net.n_links:
        return np.full(net.n_links, "urban", dtype=object)
    zones = result.inputs.zones
    graph = result.inputs.roads
    nid = net.node_ids
    lon = np.array([float(graph.nodes[int(n)].get("x", np.nan)) for n in nid])
    lat = np.array([float(graph.nodes[int(n)].get("y", np.nan)) for n in nid])
    mid_lon = 0.5 * (lon[net.init] + lon[net.term])
    mid_lat = 0.5 * (lat[net.init] + lat[net.term])
    zone = nearest_zone(mid_lon, mid_lat, zones.lon, zones.lat)
    parts = getattr(zones, "region_part", None)
    out = np.empty(net.n_links, dtype=object)
    for k, c in enumerate(classes):
        central = parts is not None and zone[k] >= 0 and parts[int(zone[k])] == "central"
        if c in _NO_COST or (net.no_thru[net.init[k]] or net.no_thru[net.term[k]]):
            out[k] = ""
        elif c in _FAST:
            out[k] = "motorway"
        elif central or c in ("collector", "local"):
            out[k] = "urban"
        else:
            out[k] = "rural"
    return out


def _commercial_share(result: Any) -> float:
    """Share of the assigned weekday PCU that are vans and trucks (0 if unknown)."""
    ind = getattr(result, "indicators", None) or {}
    periods = getattr(result, "car_demand_periods", None)
    tod = getattr(result, "time_of_day", None)
    if "commercial_pcu_trips_per_weekday" not in ind or periods is None or tod is None:
        return 0.0
    total = float(np.einsum("p,pij->", np.asarray(tod.hours), np.asarray(periods)))
    return float(ind["commercial_pcu_trips_per_weekday"][0]) / total if total > 0 else 0.0


def _cba_extras(result: Any, *, year: int, day: float) -> dict[str, float]:
    """Weekday quantities the CBA needs beyond the indicators (keys documented inline).

    * ``vkm_day[<vehicle>@<road type>]``: vehicle-km of cars, vans and trucks by TØE road
      type (weekday PCU-km of the time-of-day assignment, cars ``1 - s``, vans and trucks
      ``s x vehicles_per_commercial_pcu`` split by ``van_share_commercial_vehicles``, with
      ``s`` the run's commercial PCU share);
    * ``van_vh_day``, ``truck_vh_day``: their vehicle-hours (sum over periods of hourly
      flow x congested time x period hours);
    * ``van_truck_toll_dkk_day``: the tolls they pay (the commercial PCU share of the toll
      paid on the links, as ``RunSummary.toll_dkk_day`` counts it);
    * ``walk_km_day``; ``fare_dkk_day`` (PT trips x the model's fare);
    * ``pt_vkm_day[<mode>]``, ``pt_vh_day[<mode>]``, ``pt_peak_vehicles[<mode>]``
      (:func:`mobility.impacts.operator.service_by_mode`).
    """
    from mobility.impacts import operator

    out: dict[str, float] = {}
    prices = load_unit_prices()
    net = result.road_net
    params = run_parameters(result)
    share_c = _commercial_share(result)
    vpp = float(getattr(params, "vehicles_per_commercial_pcu", 0.8))
    van = prices.get("van_share_commercial_vehicles", 0.75)
    weekday_pcu = getattr(result, "link_volume_weekday", None)
    if weekday_pcu is None:
        weekday_pcu = np.asarray(result.assignment.flows, dtype=np.float64) * day
    pcu_km = np.asarray(weekday_pcu, dtype=np.float64) * np.asarray(net.length)
    types = link_road_types(result)
    for road in ROAD_TYPES:
        km = float(pcu_km[types == road].sum())
        out[f"vkm_day[car@{road}]"] = km * (1.0 - share_c)
        out[f"vkm_day[van@{road}]"] = km * share_c * vpp * van
        out[f"vkm_day[truck@{road}]"] = km * share_c * vpp * (1.0 - van)
    periods = getattr(result, "period_assignments", None) or {}
    tod = getattr(result, "time_of_day", None)
    if periods and tod is not None:
        pcu_h = sum(
            float(h) * float(np.sum(np.asarray(a.flows) * np.asarray(a.times))) / 60.0
            for h, a in zip(tod.hours, (periods[q.name] for q in tod.periods), strict=True)
        )
    else:
        a = result.assignment
        pcu_h = float(np.sum(np.asarray(a.flows) * np.asarray(a.times))) / 60.0 * day
    out["van_vh_day"] = pcu_h * share_c * vpp * van
    out["truck_vh_day"] = pcu_h * share_c * vpp * (1.0 - van)
    # their share of the tolls, on the same basis as RunSummary.toll_dkk_day
    out["van_truck_toll_dkk_day"] = share_c * _toll_paid(result) * day
    walk = result.skims.get("walk", {}) if isinstance(result.skims, Mapping) else {}
    out["walk_km_day"] = (
        _finite_sum(np.asarray(result.od["walk"]), np.asarray(walk["length_km"]))
        if "walk" in result.od and "length_km" in walk
        else 0.0
    )
    fare = money_matrix(result, "pt", params)
    out["fare_dkk_day"] = (
        _finite_sum(np.asarray(result.od["pt"]), fare)
        if fare is not None and "pt" in result.od
        else 0.0
    )
    transit = getattr(result.inputs, "transit", None)
    if transit is not None and getattr(transit, "lines", None):
        by_mode = operator.service_by_mode(
            transit.lines,
            transit.stops,
            year=year,
            layover_share=prices.get("pt_layover_share", 0.15),
        )
        for mode, s in sorted(by_mode.items()):
            out[f"pt_vkm_day[{mode}]"] = s["vkm"]
            out[f"pt_vh_day[{mode}]"] = s["vehicle_hours"]
            out[f"pt_peak_vehicles[{mode}]"] = s["peak_vehicles"]
    return out


def run_parameters(result: Any) -> Any:
    """The demand parameters of a run (its ``params``), else the bundled ones."""
    params = getattr(result, "params", None)
    if params is None:
        from mobility.demand.parameters import load_demand_parameters

        params = load_demand_parameters()
    return params


def money_matrix(result: Any, mode: str, params: Any) -> np.ndarray | None:
    """Money part (DKK per person) of a mode's generalised cost, or ``None`` if unknown.

    As in :func:`mobility.demand.modechoice.utilities`: car ``(km x car_cost_per_km + toll) /
    occupancy`` (commute occupancy, the border occupancy across the sound; parking is a
    zone constant and cancels between runs), PT ``fare_base + fare_per_km x km``.
    """
    skims = result.skims if isinstance(result.skims, Mapping) else {}
    sk = skims.get(mode, {})
    if "length_km" not in sk:
        return None
    km = np.asarray(sk["length_km"], dtype=np.float64)
    if mode == "pt":
        return params.pt_fare_base + params.pt_fare_per_km * np.where(np.isfinite(km), km, 0.0)
    if mode == "car":
        toll = np.asarray(sk.get("toll_dkk", np.zeros(km.shape)), dtype=np.float64)
        zones = result.inputs.zones
        border = None
        if getattr(zones, "land", None) is not None:
            from mobility.demand.skims import border_matrix

            border = border_matrix(zones)
        occ = params.car_occupancy("commute", border)
        km0 = np.where(np.isfinite(km), km, 0.0)
        return (km0 * params.car_cost_per_km + np.where(np.isfinite(toll), toll, 0.0)) / occ
    return None
