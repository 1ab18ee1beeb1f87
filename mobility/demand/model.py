"""The four-step model of hovedstadsområdet: generation, distribution, mode choice, assignment.

:func:`run_model` runs one scenario:

1. the region inputs for the scenario year (:func:`mobility.network.region.load_region`) with
   the scenario's committed projects applied to a deep copy;
2. level of service: car (congested skims of the peak-hour assignment), public transport
   (:mod:`mobility.network.transit_graph`), bicycle and walking (road graph), intrazonal
   values from the zone size;
3. demand per purpose: trip ends (:mod:`mobility.demand.generation`), logit mode choice
   (:mod:`mobility.demand.modechoice`), gravity distribution on the logsum generalised cost
   (:mod:`mobility.demand.distribution`, doubly constrained for commuting);
4. the morning-peak-hour car matrix (car trips / occupancy x peak-hour share, home-to-activity
   direction share, plus vans and trucks as PCU) assigned to user equilibrium
   (:func:`mobility.network.assignment.assign`);
5. feedback: congested car times go back to mode and destination choice; the assigned
   matrix is the method-of-successive-averages mean of the demands so far; the loop stops
   when the demand from the latest skims differs from the assigned one by less than
   ``feedback_tol`` (L1 norm relative to the total) or after ``feedback_max_iter``;
6. indicators (:mod:`mobility.impacts.congestion`, :mod:`mobility.impacts.accessibility`,
   :func:`mobility.impacts.emissions.co2e_g_per_vkm`), annualised as the scenario states.

:func:`write_model_outputs` writes ``indicators.csv``, ``link_flows.csv``, ``pt_lines.csv``,
``zones.csv`` and ``manifest.json`` with fixed number formats (same inputs, same bytes).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mobility.demand.distribution import gravity_doubly_constrained, gravity_singly_constrained
from mobility.demand.generation import PURPOSES, TripEnds, generate_trips
from mobility.demand.modechoice import (
    MODES,
    LevelOfService,
    composite_cost,
    logit,
    mode_generalised_cost,
    utilities,
)
from mobility.demand.parameters import (
    DemandParameters,
    default_parameters_path,
    load_demand_parameters,
)
from mobility.errors import InputError
from mobility.impacts import accessibility, congestion
from mobility.network.graph import LinkNetwork
from mobility.network.transit_graph import distance_km
from mobility.scenario import Scenario

#: Indicator names, in output order, with their units.
INDICATOR_UNITS: dict[str, str] = {
    "car_delay_hours_per_year": "person_hours_per_year (car occupants vs free flow, Region H)",
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
    "car_delay_vehicle_hours_peak_hour": "vehicle_hours (cars, morning peak hour, Region H)",
    "assignment_rel_gap": "relative_gap (final peak-hour assignment)",
    "feedback_iterations": "iterations (demand-supply loop)",
    "feedback_demand_change": "relative_L1_change (last demand vs assigned demand)",
}

#: Relative gap of the assignments inside the feedback loop (the last one uses the requested gap).
LOOP_REL_GAP = 1e-3
#: Iteration limit of the final assignment (bi-conjugate Frank-Wolfe needs ~1-3k for 1e-5).
FINAL_MAX_ITER = 10_000

LINK_COLUMNS = (
    "link_id",
    "from",
    "to",
    "name",
    "road_class",
    "volume_peak_hour",
    "adt",
    "capacity",
    "free_flow_time_min",
    "congested_time_min",
)


@dataclass
class ModelResult:
    """Everything one model run produces (see the region-model contract in the brief).

    Attributes
    ----------
    scenario, inputs
        The scenario and the region inputs actually modelled (committed projects applied).
    road_net
        The car :class:`LinkNetwork` (capacities after ``capacity_factor``).
    assignment
        Final peak-hour assignment (PCU per hour, cars + vans/trucks).
    od
        Mode -> ``(Z, Z)`` person trips per weekday, origin-destination form.
    od_by_purpose
        Purpose -> mode -> ``(Z, Z)`` person trips per weekday, production-attraction form.
    gen_cost
        Mode -> ``(Z, Z)`` generalised cost in minutes (commute, without mode constants).
    skims
        Mode -> {``time_min``, ``length_km``, ...} ``(Z, Z)`` level of service.
    pt_boardings, pt_line_mode
        Line id -> boardings per weekday, and -> mode.
    indicators
        Name -> (value, unit).
    annualisation
        The factors used (scenario ``annualisation``).
    feedback
        One record per feedback iteration (demand change, assignment gap and iterations).
    params
        The demand parameters used.
    car_demand_peak
        ``(Z, Z)`` assigned peak-hour PCU matrix.
    timings
        Seconds per step.
    """

    scenario: Scenario
    inputs: Any
    road_net: LinkNetwork
    assignment: Any
    od: dict[str, np.ndarray]
    od_by_purpose: dict[str, dict[str, np.ndarray]]
    gen_cost: dict[str, np.ndarray]
    skims: dict[str, dict[str, np.ndarray]]
    pt_boardings: dict[str, float]
    pt_line_mode: dict[str, str]
    indicators: dict[str, tuple[float, str]]
    annualisation: dict[str, float]
    feedback: list[dict[str, float]]
    params: DemandParameters
    car_demand_peak: np.ndarray
    zone_indicators: dict[str, np.ndarray] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- level of service


def intrazonal_km(lon: np.ndarray, lat: np.ndarray, *, params: DemandParameters) -> np.ndarray:
    """Intrazonal trip length per zone from the distance to the nearest other centroid."""
    d = distance_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.fill_diagonal(d, np.inf)
    nearest = np.min(d, axis=1)
    km = params.intrazonal_factor * nearest * params.detour_factor
    return np.minimum(km, params.intrazonal_max_km)


def _road_skims(net: LinkNetwork, cost: np.ndarray, acc: dict[str, np.ndarray]) -> dict:
    from mobility.network.paths import skim

    result = skim(net, cost, accumulate=acc)
    out = {"cost": result.cost}
    out.update(result.sums)
    return out


def _car_skim(net: LinkNetwork, times: np.ndarray, costs: np.ndarray) -> dict[str, np.ndarray]:
    return _road_skims(
        net, costs, {"time_min": times, "length_km": net.length, "toll_dkk": net.toll}
    )


def weekday_car_skim(
    peak: dict[str, np.ndarray], free: dict[str, np.ndarray], *, peak_weight: float
) -> dict[str, np.ndarray]:
    """Car level of service of an average weekday trip.

    Only part of the weekday's car trips meet peak congestion: time (and the distance and
    toll of the chosen routes) are the ``peak_weight`` mix of the congested peak-hour skim
    and the free-flow skim. ``peak_weight`` is the share of weekday traffic in peak
    conditions (:func:`mobility.impacts.congestion.peak_conditions_share`). The peak-hour
    time is kept as ``peak_time_min``.
    """
    w = float(peak_weight)
    out = {k: w * peak[k] + (1.0 - w) * free[k] for k in ("time_min", "length_km", "toll_dkk")}
    out["cost"] = peak["cost"]
    out["peak_time_min"] = peak["time_min"]
    return out


def _active_skims(
    inputs: Any, zones: Any, params: DemandParameters
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    from mobility.network.region import road_link_network

    bike = road_link_network(inputs.roads, zones, modes="bike")
    classes = np.asarray(bike.meta.get("road_class", []), dtype=object)
    factor = np.where(classes == "cycle_superhighway", params.bike_superhighway_factor, 1.0)
    bike_time = bike.length / params.bike_speed * 60.0
    b = _road_skims(bike, bike_time * factor, {"time_min": bike_time, "length_km": bike.length})
    b["time_min"] = np.where(np.isfinite(b["cost"]), b["cost"], np.inf)
    walk = road_link_network(inputs.roads, zones, modes="walk")
    w = _road_skims(walk, walk.length, {"length_km": walk.length})
    w["length_km"] = np.where(np.isfinite(w["cost"]), w["length_km"], np.inf)
    w["time_min"] = w["length_km"] / params.walk_speed * 60.0
    return b, w


def _with_diagonal(m: np.ndarray, diag: np.ndarray) -> np.ndarray:
    out = np.array(m, dtype=np.float64)
    np.fill_diagonal(out, diag)
    return out


def build_los(
    car: dict[str, np.ndarray],
    pt: dict[str, np.ndarray],
    bike: dict[str, np.ndarray],
    walk: dict[str, np.ndarray],
    *,
    intra_km: np.ndarray,
    parking_dkk: np.ndarray,
    params: DemandParameters,
) -> LevelOfService:
    """Assemble the level of service, with intrazonal values on the diagonals."""
    p = params
    car_t = _with_diagonal(
        np.where(np.isfinite(car["cost"]), car["time_min"], np.inf),
        intra_km / p.intrazonal_car_speed * 60.0,
    )
    pt_ok = np.isfinite(pt["cost"])
    inf = np.where(pt_ok, 0.0, np.inf)
    return LevelOfService(
        car_time_min=car_t,
        car_length_km=_with_diagonal(car["length_km"], intra_km),
        car_toll_dkk=_with_diagonal(car["toll_dkk"], 0.0),
        pt_in_vehicle_min=_with_diagonal(
            pt["in_vehicle_min"] + inf, intra_km / p.intrazonal_pt_speed * 60.0
        ),
        pt_wait_min=_with_diagonal(pt["wait_min"], p.intrazonal_pt_wait),
        pt_walk_min=_with_diagonal(pt["walk_min"], p.intrazonal_pt_walk),
        pt_boardings=_with_diagonal(pt["boardings"], 1.0),
        pt_length_km=_with_diagonal(pt["length_km"], intra_km),
        bike_time_min=_with_diagonal(bike["time_min"], intra_km / p.bike_speed * 60.0),
        bike_length_km=_with_diagonal(bike["length_km"], intra_km),
        walk_length_km=_with_diagonal(walk["length_km"], intra_km),
        parking_dkk=parking_dkk,
    )


# --------------------------------------------------------------------------- demand


@dataclass(frozen=True)
class Demand:
    """Person trips per purpose and mode (production-attraction form, per weekday)."""

    trips: dict[str, dict[str, np.ndarray]]
    utility_commute: dict[str, np.ndarray]
    furness_iterations: int


def compute_demand(ends: TripEnds, los: LevelOfService, *, params: DemandParameters) -> Demand:
    """Mode choice and distribution for every purpose on one level of service."""
    trips: dict[str, dict[str, np.ndarray]] = {}
    util_commute: dict[str, np.ndarray] = {}
    furness_it = 0
    for purpose in PURPOSES:
        u = utilities(los, params=params, occupancy=params.occupancy(purpose))
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
    return Demand(trips=trips, utility_commute=util_commute, furness_iterations=furness_it)


def peak_car_matrix(
    demand: Demand, *, params: DemandParameters, peak_hour_share: float, direction_share: float
) -> np.ndarray:
    """Peak-hour PCU matrix (origin-destination) for the road assignment, diagonal zero.

    Home-based purposes (commute, other) go home -> activity with ``direction_share`` in the
    morning peak; business trips are split evenly. Vans and trucks are added as a PCU share
    (``commercial_pcu_uplift``).
    """
    z = demand.trips["commute"]["car"].shape[0]
    veh = np.zeros((z, z))
    for purpose in PURPOSES:
        v = demand.trips[purpose]["car"] / params.occupancy(purpose)
        d = 0.5 if purpose == "business" else direction_share
        veh += d * v + (1.0 - d) * v.T
    veh *= peak_hour_share * (1.0 + params.commercial_pcu_uplift)
    np.fill_diagonal(veh, 0.0)
    return veh


def weekday_od(demand: Demand) -> dict[str, np.ndarray]:
    """Mode -> weekday person trips in origin-destination form (half each way)."""
    out = {}
    for m in MODES:
        pa = sum(demand.trips[p][m] for p in PURPOSES)
        out[m] = 0.5 * (pa + pa.T)
    return out


# --------------------------------------------------------------------------- the run


def _peak(demand: Demand, p: DemandParameters, ann: Any) -> np.ndarray:
    return peak_car_matrix(
        demand,
        params=p,
        peak_hour_share=ann.peak_hour_share,
        direction_share=ann.peak_direction_share,
    )


def _record(k: int, result: Any) -> dict[str, float]:
    return {
        "iteration": float(k),
        "assignment_rel_gap": float(result.rel_gap),
        "assignment_iterations": float(result.iterations),
        "demand_change": float("nan"),
    }


def _echo(message: str) -> None:
    import click

    click.echo(message, err=True)


def _apply_committed(scenario: Scenario, inputs: Any) -> Any:
    from mobility.projects import apply_changes

    out = inputs
    for project in scenario.committed:
        if project.opening_year <= scenario.year:
            out = apply_changes(out, project.changes, project_id=project.id)
    return out


def links_in_region(net: LinkNetwork, graph: Any, zones: Any) -> np.ndarray:
    """``(M,)`` bool: the link's midpoint is nearest to a Region H zone centroid.

    Delay, vehicle-km and CO2e indicators count these links only (the published figures are
    for hovedstadsområdet; external zones in Zealand and Skåne are there for through and
    cross-border traffic).
    """
    ids = net.meta["from_node_id"], net.meta["to_node_id"]
    lon = np.array([[graph.nodes[n]["x"] for n in side] for side in ids]).mean(axis=0)
    lat = np.array([[graph.nodes[n]["y"] for n in side] for side in ids]).mean(axis=0)
    d = distance_km(lon[:, None], lat[:, None], zones.lon[None, :], zones.lat[None, :])
    return np.asarray(zones.in_region, dtype=bool)[np.argmin(d, axis=1)]


def _check_reachable(cost: np.ndarray, zones: Any, mode: str) -> None:
    bad = np.argwhere(~np.isfinite(cost))
    bad = bad[bad[:, 0] != bad[:, 1]]
    if bad.size:
        i, j = (int(x) for x in bad[0])
        raise InputError(
            f"zone '{zones.name[i]}' cannot reach zone '{zones.name[j]}' by {mode} "
            f"({len(bad)} pairs unconnected)",
            field="network",
            expected="every zone connected to every other",
        )


def run_model(
    scenario: Scenario,
    *,
    inputs: Any | None = None,
    rel_gap: float | None = None,
    progress: bool = False,
    params: DemandParameters | None = None,
) -> ModelResult:
    """Run the four-step model for ``scenario``.

    Parameters
    ----------
    scenario
        The validated scenario (:func:`mobility.scenario.load_scenario`).
    inputs
        Region inputs to use instead of ``load_region(scenario.year)`` (e.g. with a project
        applied); the scenario's committed projects are applied on top, to a copy.
    rel_gap
        Relative gap of the assignments (default: the scenario's ``model.rel_gap``).
    progress
        Report the feedback iterations on stderr.
    params
        Demand parameters (default: the bundled ``demand_parameters.csv``).

    Returns
    -------
    ModelResult

    Raises
    ------
    InputError
        Invalid inputs, or a zone pair unconnected by car or public transport.
    """
    from mobility.impacts.emissions import co2e_g_per_vkm
    from mobility.network.assignment import assign
    from mobility.network.region import load_region, road_link_network
    from mobility.network.transit_graph import build_transit_network, line_boardings, pt_skim
    from mobility.progress import step

    timings: dict[str, float] = {}
    t_start = time.perf_counter()
    p = params if params is not None else load_demand_parameters()
    ann = scenario.annualisation
    gap = float(rel_gap if rel_gap is not None else scenario.settings.rel_gap)
    quiet = not progress

    with step("model: network and level of service", quiet=quiet):
        region = inputs if inputs is not None else load_region(scenario.year)
        region = _apply_committed(scenario, region)
        zones = region.zones
        car_net = road_link_network(region.roads, zones, modes="car")
        car_net = car_net.with_links(capacity=car_net.capacity * p.capacity_factor)
        toll_weight = 60.0 / p.value_of_time
        tn = build_transit_network(
            region.transit,
            zone_ids=zones.zone_id,
            zone_lon=zones.lon,
            zone_lat=zones.lat,
            params=p,
        )
        pt = pt_skim(tn)
        _check_reachable(pt["cost"], zones, "public transport")
        bike, walk = _active_skims(region, zones, p)
        intra = intrazonal_km(zones.lon, zones.lat, params=p)
        central = np.array([part == "central" for part in zones.region_part])
        parking = np.where(central, p.car_parking_central, 0.0)
        ends = generate_trips(
            zones.residents, zones.jobs, params=p, trip_rate_factor=scenario.trip_rate_factor
        )
        free_cost = car_net.free_flow_time + toll_weight * car_net.toll
        car_free = _car_skim(car_net, car_net.free_flow_time, free_cost)
        _check_reachable(car_free["cost"], zones, "car")
        car = car_free
        w_peak = congestion.peak_conditions_share(ann)
    timings["level_of_service"] = time.perf_counter() - t_start

    t_loop = time.perf_counter()
    settings = scenario.settings
    loose = max(gap, LOOP_REL_GAP)
    assigned: np.ndarray | None = None
    result = None
    feedback: list[dict[str, float]] = []
    change = float("inf")
    for k in range(1, settings.feedback_max_iter + 1):
        los = build_los(car, pt, bike, walk, intra_km=intra, parking_dkk=parking, params=p)
        demand = compute_demand(ends, los, params=p)
        new = _peak(demand, p, ann)
        if assigned is not None:
            change = float(np.abs(new - assigned).sum() / max(assigned.sum(), 1e-12))
            feedback[-1]["demand_change"] = change
            if change < settings.feedback_tol:
                break
            assigned = assigned + (new - assigned) / k
        else:
            assigned = new
        result = assign(car_net, assigned, rel_gap=loose, toll_weight=toll_weight)
        car_peak = _car_skim(car_net, result.times, result.costs)
        car = weekday_car_skim(car_peak, car_free, peak_weight=w_peak)
        feedback.append(_record(k, result))
        if progress:
            _echo(
                f"model: feedback {k}: assignment gap {result.rel_gap:.1e} "
                f"({result.iterations} it), demand change before it {change:.4f}"
            )
    assert result is not None and assigned is not None
    if loose > gap:
        # the final assignment at the requested gap, and the demand it implies
        result = assign(
            car_net, assigned, rel_gap=gap, toll_weight=toll_weight, max_iter=FINAL_MAX_ITER
        )
        car_peak = _car_skim(car_net, result.times, result.costs)
        car = weekday_car_skim(car_peak, car_free, peak_weight=w_peak)
        los = build_los(car, pt, bike, walk, intra_km=intra, parking_dkk=parking, params=p)
        demand = compute_demand(ends, los, params=p)
        change = float(np.abs(_peak(demand, p, ann) - assigned).sum() / max(assigned.sum(), 1e-12))
        feedback.append(_record(len(feedback) + 1, result))
        feedback[-1]["demand_change"] = change
        if progress:
            _echo(
                f"model: final assignment gap {result.rel_gap:.1e} ({result.iterations} it), "
                f"demand change {change:.4f}"
            )
    timings["feedback_loop"] = time.perf_counter() - t_loop

    t_ind = time.perf_counter()
    od = weekday_od(demand)
    boardings = line_boardings(pt, od["pt"], tn.line_ids)
    pt_intra = float(np.trace(od["pt"]))
    if pt_intra > 0:
        boardings["local_bus_intrazonal"] = pt_intra
    line_mode = dict(tn.line_mode)
    line_mode["local_bus_intrazonal"] = "bus"

    indicators, zone_ind = _indicators(
        scenario=scenario,
        zones=zones,
        demand=demand,
        los=los,
        car_net=car_net,
        result=result,
        graph=region.roads,
        boardings=boardings,
        params=p,
        co2e=co2e_g_per_vkm,
        feedback=feedback,
        change=change,
        peak_time=car.get("peak_time_min", car["time_min"]),
    )
    skims = {
        "car": {
            "time_min": los.car_time_min,
            "peak_time_min": _with_diagonal(
                car.get("peak_time_min", car["time_min"]), np.diag(los.car_time_min)
            ),
            "length_km": los.car_length_km,
            "toll_dkk": los.car_toll_dkk,
        },
        "pt": {
            "time_min": los.pt_in_vehicle_min + los.pt_wait_min + los.pt_walk_min,
            "in_vehicle_min": los.pt_in_vehicle_min,
            "wait_min": los.pt_wait_min,
            "walk_min": los.pt_walk_min,
            "boardings": los.pt_boardings,
            "length_km": los.pt_length_km,
        },
        "bike": {"time_min": los.bike_time_min, "length_km": los.bike_length_km},
        "walk": {
            "time_min": los.walk_length_km / p.walk_speed * 60.0,
            "length_km": los.walk_length_km,
        },
    }
    timings["indicators"] = time.perf_counter() - t_ind
    timings["total"] = time.perf_counter() - t_start
    return ModelResult(
        scenario=scenario,
        inputs=region,
        road_net=car_net,
        assignment=result,
        od=od,
        od_by_purpose=demand.trips,
        gen_cost=mode_generalised_cost(demand.utility_commute, params=p),
        skims=skims,
        pt_boardings=boardings,
        pt_line_mode=line_mode,
        indicators=indicators,
        annualisation=ann.as_dict(),
        feedback=feedback,
        params=p,
        car_demand_peak=assigned,
        zone_indicators=zone_ind,
        timings=timings,
    )


def _indicators(
    *,
    scenario: Scenario,
    zones: Any,
    demand: Demand,
    los: LevelOfService,
    car_net: LinkNetwork,
    result: Any,
    graph: Any,
    boardings: dict[str, float],
    params: DemandParameters,
    co2e: Any,
    feedback: list[dict[str, float]],
    change: float,
    peak_time: np.ndarray,
) -> tuple[dict[str, tuple[float, str]], dict[str, np.ndarray]]:
    p = params
    ann = scenario.annualisation
    region = np.asarray(zones.in_region, dtype=bool)
    trips = demand.trips

    by_mode_zone = {m: sum(trips[q][m].sum(axis=1) for q in PURPOSES) for m in MODES}
    all_zone = sum(by_mode_zone.values())
    total_region = float(all_zone[region].sum())
    shares = {m: float(by_mode_zone[m][region].sum()) / total_region for m in MODES}

    commute = sum(trips["commute"][m] for m in MODES)
    c_reg = commute[region]
    mean_commute = float((c_reg * los.car_length_km[region]).sum() / c_reg.sum())

    # car person trips / car vehicles (weekday) -> mean occupancy
    car_persons = sum(float(trips[q]["car"].sum()) for q in PURPOSES)
    car_vehicles = sum(float(trips[q]["car"].sum()) / p.occupancy(q) for q in PURPOSES)
    occupancy = car_persons / car_vehicles
    car_share_pcu = 1.0 / (1.0 + p.commercial_pcu_uplift)

    inside = links_in_region(car_net, graph, zones)
    flows = np.where(inside, np.asarray(result.flows, dtype=np.float64), 0.0)
    times = np.asarray(result.times, dtype=np.float64)
    t0 = car_net.free_flow_time
    delay_veh_h = congestion.delay_vehicle_hours(flows, times, t0) * car_share_pcu
    delay_year = congestion.annual_delay_hours(delay_veh_h * occupancy, annualisation=ann)

    intra_vehicles_day = sum(np.diag(trips[q]["car"]) / p.occupancy(q) for q in PURPOSES)
    intra_vehicles_day = np.where(region, intra_vehicles_day, 0.0)
    intra_vkm_day = float(np.sum(intra_vehicles_day * np.diag(los.car_length_km)))
    link_vkm_peak = flows * car_net.length * car_share_pcu
    vkm_year_links = link_vkm_peak / ann.peak_hour_share * ann.traffic_days_per_year
    vkm_year_intra = intra_vkm_day * ann.traffic_days_per_year
    vkm_year = float(vkm_year_links.sum()) + vkm_year_intra

    year, ev = scenario.year, scenario.ev_share()
    speed_cong = np.where(times > 0, car_net.length / np.maximum(times, 1e-9) * 60.0, 50.0)
    speed_free = np.where(t0 > 0, car_net.length / np.maximum(t0, 1e-9) * 60.0, 50.0)
    speed_cong = np.clip(speed_cong, 5.0, 130.0)
    speed_free = np.clip(speed_free, 5.0, 130.0)
    f_peak = congestion.peak_conditions_share(ann)
    ef_links = f_peak * co2e(speed_cong, year=year, ev_share=ev) + (1.0 - f_peak) * co2e(
        speed_free, year=year, ev_share=ev
    )
    ef_intra = float(
        np.asarray(co2e(np.array([p.intrazonal_car_speed]), year=year, ev_share=ev))[0]
    )
    co2_t = (float(np.sum(vkm_year_links * ef_links)) + vkm_year_intra * ef_intra) / 1e6

    car_door = _with_diagonal(peak_time, np.diag(los.car_time_min)) + p.car_terminal_time
    pt_door = los.pt_in_vehicle_min + los.pt_wait_min + los.pt_walk_min
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
        "car_delay_vehicle_hours_peak_hour": delay_veh_h,
        "assignment_rel_gap": float(result.rel_gap),
        "feedback_iterations": float(len(feedback)),
        "feedback_demand_change": float(change),
    }
    indicators = {k: (values[k], INDICATOR_UNITS[k]) for k in INDICATOR_UNITS}
    reach_car = (car_door <= 45.0) @ zones.jobs
    reach_pt = (pt_door <= 45.0) @ zones.jobs
    safe = np.where(all_zone > 0, all_zone, 1.0)
    zone_ind = {
        "trips_produced": all_zone,
        **{f"mode_share_{m}": by_mode_zone[m] / safe for m in MODES},
        "mean_commute_km": (commute * los.car_length_km).sum(axis=1)
        / np.where(commute.sum(axis=1) > 0, commute.sum(axis=1), 1.0),
        "jobs_within_45min_car": reach_car,
        "jobs_within_45min_pt": reach_pt,
    }
    return indicators, zone_ind


# --------------------------------------------------------------------------- output


def _num(x: float, digits: int) -> str:
    s = f"{float(x):.{digits}f}"
    return "0." + "0" * digits if s.startswith("-") and float(s) == 0.0 else s


def _indicator_digits(name: str) -> int:
    if name.startswith("mode_share") or name.startswith("assignment") or "change" in name:
        return 6
    return 3


def write_model_outputs(result: ModelResult, folder: str | Path) -> dict[str, Path]:
    """Write the model's output files into ``folder`` (which must exist).

    Files: ``indicators.csv`` (indicator,value,unit), ``link_flows.csv`` (see
    :data:`LINK_COLUMNS`), ``pt_lines.csv`` (line,mode,boardings_per_weekday),
    ``zones.csv`` (zone results) and ``manifest.json``. Returns name -> path.
    """
    from mobility import __version__
    from mobility.fileio import contained_path, manifest, write_csv, write_json

    out: dict[str, Path] = {}
    ind_rows = [
        (name, _num(v, _indicator_digits(name)), unit)
        for name, (v, unit) in result.indicators.items()
    ]
    out["indicators"] = write_csv(
        contained_path(folder, "indicators.csv"), ("indicator", "value", "unit"), ind_rows
    )

    net = result.road_net
    ann = result.scenario.annualisation
    flows = np.asarray(result.assignment.flows, dtype=np.float64)
    adt = congestion.adt_from_peak_hour(flows, annualisation=ann)
    meta = net.meta
    rows = []
    for k in range(net.n_links):
        rows.append(
            (
                meta["link_id"][k],
                meta["from_node_id"][k],
                meta["to_node_id"][k],
                meta["name"][k],
                meta["road_class"][k],
                _num(flows[k], 1),
                _num(adt[k], 0),
                _num(net.capacity[k], 1),
                _num(net.free_flow_time[k], 4),
                _num(result.assignment.times[k], 4),
            )
        )
    out["link_flows"] = write_csv(contained_path(folder, "link_flows.csv"), LINK_COLUMNS, rows)

    pt_rows = [
        (line, result.pt_line_mode[line], _num(result.pt_boardings[line], 1))
        for line in sorted(result.pt_boardings)
    ]
    out["pt_lines"] = write_csv(
        contained_path(folder, "pt_lines.csv"), ("line", "mode", "boardings_per_weekday"), pt_rows
    )

    zones = result.inputs.zones
    zi = result.zone_indicators
    zcols = (
        "trips_produced",
        "mode_share_car",
        "mode_share_pt",
        "mode_share_bike",
        "mode_share_walk",
        "mean_commute_km",
        "jobs_within_45min_car",
        "jobs_within_45min_pt",
    )
    zrows = []
    for i in range(zones.n_zones):
        zrows.append(
            (
                int(zones.zone_id[i]),
                zones.name[i],
                zones.kind[i],
                int(zones.municipality_code[i]),
                _num(zones.residents[i], 0),
                _num(zones.jobs[i], 0),
                *(_num(zi[c][i], 6 if c.startswith("mode_share") else 1) for c in zcols),
            )
        )
    out["zones"] = write_csv(
        contained_path(folder, "zones.csv"),
        ("zone_id", "name", "kind", "municipality_code", "residents", "jobs", *zcols),
        zrows,
    )

    inputs: dict[str, Path] = {"demand_parameters": default_parameters_path()}
    if result.scenario.path is not None:
        inputs["scenario"] = Path(result.scenario.path)
    settings = {
        "scenario": result.scenario.name,
        "year": result.scenario.year,
        "annualisation": result.annualisation,
        "feedback": result.feedback,
        "committed_projects": [c.id for c in result.scenario.committed],
        "assignment": {
            "algorithm": getattr(result.assignment, "algorithm", ""),
            "rel_gap": float(result.assignment.rel_gap),
            "iterations": int(result.assignment.iterations),
        },
    }
    out["manifest"] = write_json(
        contained_path(folder, "manifest.json"),
        manifest(
            version=__version__,
            inputs=inputs,
            settings=_json_safe(settings),
            timings_s=result.timings,
            outputs=dict(out),
        ),
    )
    return out


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj
