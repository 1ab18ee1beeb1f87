"""The four-step model of hovedstadsområdet: generation, distribution, mode choice, assignment.

:func:`run_model` runs one scenario:

1. the region inputs for the scenario year (:func:`mobility.region.load_region`) with
   the scenario's committed projects applied to a deep copy;
2. level of service: car (congested skims of the time-of-day assignments), public transport
   (:mod:`mobility.network.transit_graph`; expected values under Spiess-Florian optimal
   strategies, or shortest paths, by the scenario's ``model.pt_route_choice``), bicycle and
   walking (road graph), intrazonal values from the zone size;
3. demand per purpose: trip ends (:mod:`mobility.demand.generation`), logit mode choice
   (:mod:`mobility.demand.modechoice`), gravity distribution on the logsum generalised cost
   (:mod:`mobility.demand.distribution`, doubly constrained for commuting). Commute and
   business trips see the car level of service of the peak periods, other trips that of the
   off-peak periods (traffic-weighted means; :mod:`mobility.demand.timeofday`). The
   scenario's ``car_ownership_factor`` k (cars per resident vs the base year) enters the car
   utility as a size term ``ln k`` (k times as many car-available choosers);
4. the weekday car matrix (car trips / occupancy, plus vans and trucks as PCU:
   ``commercial_pcu_trips_per_weekday`` x the scenario's ``commercial_traffic_factor``,
   spread like the car trips) split into the time-of-day periods of
   ``mobility/data/time_of_day.csv`` (hourly traffic profile, direction by period: morning
   from home, afternoon back); each period's mean hour is assigned to user equilibrium
   (:func:`mobility.network.assignment.assign`);
5. feedback: congested car times go back to mode and destination choice; the assigned
   matrices are the method-of-successive-averages mean of the demands so far; the loop stops
   when the demand from the latest skims differs from the assigned one by less than
   ``feedback_tol`` (L1 norm over all periods x hours, relative to the total) or after
   ``feedback_max_iter``;
6. indicators (:mod:`mobility.impacts.congestion`, :mod:`mobility.impacts.accessibility`,
   :func:`mobility.impacts.emissions.co2e_g_per_vkm`): weekday totals are sums over the
   periods of hourly value x period hours; delay and traffic are annualised with the
   scenario's ``delay_weekdays_per_year`` (230) and ``traffic_days_per_year``; link AADT is
   the weekday volume x ``adt_per_weekday``, in vehicles (vans and trucks at
   ``vehicles_per_commercial_pcu``).

:func:`mobility.demand.outputs.write_model_outputs` writes ``indicators.csv``,
``link_flows.csv``, ``pt_lines.csv``, ``zones.csv`` and ``manifest.json`` with fixed number
formats (same inputs, same bytes).

This module is the driver (the scenario's inputs, the demand-supply fixed point and the
self-regulated averaging of :class:`_FixedPoint`); the steps it drives have a module each:
:mod:`mobility.demand.skims` (level of service), :mod:`mobility.demand.trips` (demand per
purpose and the car matrices), :mod:`mobility.demand.road` (the car network and its
per-period assignment), :mod:`mobility.demand.indicators`, :mod:`mobility.demand.outputs`
(the output files) and :mod:`mobility.demand.results` (:class:`ModelResult`,
:class:`ModelState`).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from mobility.demand.generation import PURPOSES, generate_trips
from mobility.demand.indicators import model_indicators
from mobility.demand.modechoice import LevelOfService, mode_generalised_cost
from mobility.demand.parameters import DemandParameters, load_demand_parameters
from mobility.demand.results import ModelResult, ModelState
from mobility.demand.road import assign_periods, capacity_factors, period_network
from mobility.demand.skims import (
    CAR_SKIM_KEYS,
    active_skims,
    border_matrix,
    build_los,
    car_skim,
    check_reachable,
    intrazonal_km,
    with_diagonal,
)
from mobility.demand.timeofday import load_time_of_day, mix_skims
from mobility.demand.trips import PURPOSE_LOS, compute_demand, period_demand, weekday_od
from mobility.impacts import congestion
from mobility.scenario import Scenario

__all__ = [
    "AM_PEAK",
    "GAP_PER_CHANGE",
    "LOOP_REL_GAP",
    "SRA_BETA0",
    "SRA_GROW",
    "SRA_SHRINK",
    "ModelResult",
    "ModelState",
    "run_model",
]

#: The period whose assignment is ``ModelResult.assignment`` (the morning peak hour).
AM_PEAK = "am_peak"
#: Relative gap of the assignments at the first feedback iterations, before the demand settles.
LOOP_REL_GAP = 1e-3
#: The assignments inside the fixed point are solved to this fraction of the latest demand
#: change (never looser than :data:`LOOP_REL_GAP`, never tighter than the run's ``rel_gap``).
GAP_PER_CHANGE = 0.01
#: Self-regulated averaging (Liu, He and He 2009): the step is ``1 / beta``; ``beta`` grows by
#: :data:`SRA_GROW` after an iteration whose demand change grew, by :data:`SRA_SHRINK` otherwise.
SRA_GROW = 1.5
SRA_SHRINK = 0.05
SRA_BETA0 = 1.0


class _FixedPoint:
    """Step sizes and assignment gaps of the demand-supply fixed point ``X = F(X)``.

    ``X`` is the assigned car demand, ``F(X)`` the demand that the assignments of ``X`` imply.
    Each iteration assigns ``X`` at a gap that tightens with the demand change (so that the
    skims are never the noisier part), then moves ``X`` by the self-regulated averaging step
    towards ``F(X)``. Converged when the relative L1 change ``|F(X) - X| / |X|`` is below
    ``tol`` and the assignments were solved at the run's own ``rel_gap``.
    """

    def __init__(self, *, tol: float, gap: float, warm: bool) -> None:
        self.tol = tol
        self.gap = gap
        # a warm start is already close: solve its assignments tightly from the start
        self.last = tol if warm else math.inf
        self.beta = SRA_BETA0
        self.step = math.nan
        self.converged = False
        self._rel = LOOP_REL_GAP

    def next_gap(self) -> float:
        """The gap of the next iteration's assignments."""
        self._rel = min(LOOP_REL_GAP, max(self.gap, GAP_PER_CHANGE * self.last))
        return self._rel

    def done(self, change: float, achieved_gap: float) -> bool:
        """Whether the iterate just evaluated is the fixed point (within tolerance)."""
        self.converged = change < self.tol and max(self._rel, achieved_gap) <= self.gap
        return self.converged

    def next_step(self, change: float) -> float:
        """The averaging step after an iteration with demand change ``change``."""
        if math.isfinite(self.last) and change >= self.last:
            self.beta += SRA_GROW
        elif math.isfinite(self.last):
            self.beta += SRA_SHRINK
        self.last = change
        self.step = 1.0 / self.beta
        return self.step


def _record(k: int, results: list[Any]) -> dict[str, float]:
    return {
        "iteration": float(k),
        "assignment_rel_gap": float(max(r.rel_gap for r in results)),
        "assignment_iterations": float(sum(r.iterations for r in results)),
        "demand_change": float("nan"),
    }


def _weekday_change(new: np.ndarray, old: np.ndarray, hours: np.ndarray) -> float:
    """L1 change of the period matrices weighted by hours, relative to the old weekday total."""
    num = float(np.einsum("p,pij->", hours, np.abs(new - old)))
    return num / max(float(np.einsum("p,pij->", hours, old)), 1e-12)


def _echo(message: str) -> None:
    import click

    click.echo(message, err=True)


def _apply_committed(scenario: Scenario, inputs: Any) -> Any:
    from mobility.region import apply_changes

    out = inputs
    for project in scenario.committed:
        if project.opening_year <= scenario.year:
            out = apply_changes(out, project.changes, project_id=project.id)
    return out


def run_model(
    scenario: Scenario,
    *,
    inputs: Any | None = None,
    rel_gap: float | None = None,
    progress: bool = False,
    params: DemandParameters | None = None,
    warm_start: ModelState | None = None,
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
    warm_start
        Start the fixed point from this state (``ModelResult.state`` of another run, e.g. the
        reference for a project run, or this run at a looser tolerance) instead of from
        free-flow skims.

    Returns
    -------
    ModelResult

    Raises
    ------
    InputError
        Invalid inputs, or a zone pair unconnected by car or public transport.
    """
    from mobility.impacts.emissions import co2e_g_per_vkm
    from mobility.network.transit_graph import (
        build_transit_network,
        line_boardings,
        line_loads,
        pt_load,
        pt_skim,
    )
    from mobility.progress import step
    from mobility.region import load_region, road_link_network

    timings: dict[str, float] = {}
    t_start = time.perf_counter()
    p0 = params if params is not None else load_demand_parameters()
    # car ownership: k times as many car-available choosers -> size term ln k on car utility
    p = p0.replace(asc_car=p0.asc_car + math.log(scenario.car_ownership_factor))
    commercial_total = p.commercial_pcu_trips_per_weekday * scenario.commercial_traffic_factor
    tod = load_time_of_day()
    hours = tod.hours
    n_per = len(tod.periods)
    am = tod.index(AM_PEAK)
    weights = {kind: tod.weights(kind) for kind in ("peak", "offpeak")}
    ann = scenario.annualisation
    gap = float(rel_gap if rel_gap is not None else scenario.settings.rel_gap)
    quiet = not progress

    with step("model: network and level of service", quiet=quiet):
        region = inputs if inputs is not None else load_region(scenario.year, scenario.region_files)
        region = _apply_committed(scenario, region)
        zones = region.zones
        car_net = road_link_network(region.roads, zones, modes="car")
        car_net = car_net.with_links(capacity=car_net.capacity * capacity_factors(car_net, p))
        # one route-choice class: tolls in minutes at the commute value of time (the car
        # trips are mostly private; business trips, 8 %, value time about 4 times higher)
        toll_weight = 60.0 / p.value_of_time("commute")
        tn = build_transit_network(
            region.transit,
            zone_ids=zones.zone_id,
            zone_lon=zones.lon,
            zone_lat=zones.lat,
            params=p.transit_graph_params(),
            zone_land=zones.land,
        )
        pt = pt_skim(tn, route_choice=scenario.settings.pt_route_choice)
        check_reachable(pt["cost"], zones, "public transport")
        bike, walk = active_skims(region, zones, p)
        intra = intrazonal_km(zones.lon, zones.lat, params=p)
        central = np.array([part == "central" for part in zones.region_part])
        parking = np.where(central, p.car_parking_central, 0.0)
        border = border_matrix(zones)
        ends = generate_trips(
            zones.residents, zones.jobs, params=p, trip_rate_factor=scenario.trip_rate_factor
        )
        free_cost = car_net.free_flow_time + toll_weight * car_net.toll
        car_free = car_skim(car_net, car_net.free_flow_time, free_cost)
        check_reachable(car_free["cost"], zones, "car")
        period_skims = [car_free] * n_per
    timings["level_of_service"] = time.perf_counter() - t_start

    def level_of_service(skims: list[dict[str, np.ndarray]]) -> dict[str, LevelOfService]:
        by_kind = {
            kind: build_los(
                mix_skims(skims, w, keys=CAR_SKIM_KEYS),
                pt,
                bike,
                walk,
                intra_km=intra,
                parking_dkk=parking,
                params=p,
                border=border,
            )
            for kind, w in weights.items()
        }
        return {q: by_kind[PURPOSE_LOS[q]] for q in PURPOSES}

    flow_period = scenario.settings.queue_flow_period_h
    period_nets = [
        period_network(car_net, hours=float(h if flow_period is None else flow_period))
        for h in hours
    ]

    algorithm = scenario.settings.road_assignment
    link_ids = tuple(car_net.meta["link_id"])

    def assign_all(matrices: np.ndarray, rel: float, warm: list[Any]) -> list[Any]:
        return assign_periods(
            period_nets,
            matrices,
            algorithm=algorithm,
            rel_gap=rel,
            toll_weight=toll_weight,
            warm_start=warm,
        )

    def demand_at(results: list[Any]) -> tuple[Any, Any, Any, np.ndarray]:
        skims = [car_skim(car_net, r.times, r.costs, r.paths) for r in results]
        los = level_of_service(skims)
        demand = compute_demand(ends, los, params=p)
        new = period_demand(demand, params=p, tod=tod, commercial_total=commercial_total)
        return skims, los, demand, new

    t_loop = time.perf_counter()
    settings = scenario.settings
    warm_paths: list[Any] = [None] * n_per
    if warm_start is not None:
        assigned = np.array(warm_start.demand_periods, dtype=np.float64, copy=True)
        if algorithm == "gp":
            warm_paths = warm_start.paths_for(link_ids, car_net.n_links)
    else:
        los = level_of_service(period_skims)
        demand = compute_demand(ends, los, params=p)
        assigned = period_demand(demand, params=p, tod=tod, commercial_total=commercial_total)
    fixed_point = _FixedPoint(tol=settings.feedback_tol, gap=gap, warm=warm_start is not None)
    feedback: list[dict[str, float]] = []
    while True:
        rel = fixed_point.next_gap()
        results = assign_all(assigned, rel, warm_paths)
        if algorithm == "gp":
            warm_paths = [r.paths for r in results]
        period_skims, los, demand, new = demand_at(results)
        change = _weekday_change(new, assigned, hours)
        feedback.append(_record(len(feedback) + 1, results))
        feedback[-1]["demand_change"] = change
        feedback[-1]["step"] = fixed_point.step
        if progress:
            _echo(
                f"model: feedback {len(feedback)}: largest period gap "
                f"{feedback[-1]['assignment_rel_gap']:.1e} "
                f"({int(feedback[-1]['assignment_iterations'])} it over {n_per} periods), "
                f"demand change {change:.2e}"
            )
        if fixed_point.done(change, feedback[-1]["assignment_rel_gap"]):
            break
        if len(feedback) >= settings.feedback_max_iter:
            break
        assigned = assigned + fixed_point.next_step(change) * (new - assigned)
    converged = fixed_point.converged
    timings["feedback_loop"] = time.perf_counter() - t_loop

    t_ind = time.perf_counter()
    od = weekday_od(demand)
    boardings = line_boardings(pt, od["pt"], tn.line_ids)
    loads = line_loads(tn, pt_load(tn, od["pt"], route_choice=settings.pt_route_choice))
    pt_intra = float(np.trace(od["pt"]))
    if pt_intra > 0:
        boardings["local_bus_intrazonal"] = pt_intra
        loads["local_bus_intrazonal"] = {
            "passenger_km": float(np.diag(od["pt"]) @ intra),
            "max_load": math.nan,  # no segments: intrazonal trips are not assigned
        }
    line_mode = dict(tn.line_mode)
    line_mode["local_bus_intrazonal"] = "bus"

    flows = np.array([np.asarray(r.flows, dtype=np.float64) for r in results])
    volume_weekday = congestion.weekday_total(flows, hours)
    weekday_pcu = float(np.einsum("p,pij->", hours, assigned))
    car_share_pcu = 1.0 - commercial_total / weekday_pcu if weekday_pcu > 0 else 1.0
    peak_time = period_skims[am]["time_min"]
    all_day = mix_skims(period_skims, tod.weights_all(), keys=CAR_SKIM_KEYS)
    indicators, zone_ind, delay_weekday = model_indicators(
        scenario=scenario,
        zones=zones,
        demand=demand,
        los=los,
        car_net=car_net,
        results=results,
        tod=tod,
        car_share_pcu=car_share_pcu,
        commercial_total=commercial_total,
        graph=region.roads,
        boardings=boardings,
        params=p,
        co2e=co2e_g_per_vkm,
        feedback=feedback,
        change=change,
        converged=converged,
        peak_time=peak_time,
    )
    car_los = los["commute"]
    skims = {
        "car": {
            "time_min": with_diagonal(all_day["time_min"], np.diag(car_los.car_time_min)),
            "commute_time_min": car_los.car_time_min,
            "offpeak_time_min": los["other"].car_time_min,
            "peak_time_min": with_diagonal(peak_time, np.diag(car_los.car_time_min)),
            "length_km": car_los.car_length_km,
            "toll_dkk": car_los.car_toll_dkk,
        },
        "pt": {
            "time_min": car_los.pt_in_vehicle_min + car_los.pt_wait_min + car_los.pt_walk_min,
            "in_vehicle_min": car_los.pt_in_vehicle_min,
            "wait_min": car_los.pt_wait_min,
            "walk_min": car_los.pt_walk_min,
            "boardings": car_los.pt_boardings,
            "length_km": car_los.pt_length_km,
        },
        "bike": {"time_min": car_los.bike_time_min, "length_km": car_los.bike_length_km},
        "walk": {
            "time_min": car_los.walk_length_km / p.walk_speed * 60.0,
            "length_km": car_los.walk_length_km,
        },
    }
    annual = ann.as_dict()
    am_delay = indicators["car_delay_vehicle_hours_peak_hour"][0]
    am_period = tod.periods[am]
    # effective single-hour factors of this run, for users of the morning-peak assignment
    annual.update(
        {
            "peak_hour_share": am_period.hourly_share,
            "peak_direction_share": am_period.from_home_share,
            "delay_peak_hour_to_weekday": delay_weekday / am_delay if am_delay > 0 else 1.0,
            "time_of_day_periods": float(n_per),
            "car_ownership_factor": scenario.car_ownership_factor,
            "commercial_traffic_factor": scenario.commercial_traffic_factor,
        }
    )
    timings["indicators"] = time.perf_counter() - t_ind
    timings["total"] = time.perf_counter() - t_start
    return ModelResult(
        scenario=scenario,
        inputs=region,
        road_net=car_net,
        assignment=results[am],
        od=od,
        od_by_purpose=demand.trips,
        gen_cost=mode_generalised_cost(demand.utility_commute, params=p),
        gen_cost_by_purpose=demand.gen_cost_by_purpose,
        money_by_purpose=demand.money_by_purpose,
        skims=skims,
        pt_boardings=boardings,
        pt_line_mode=line_mode,
        indicators=indicators,
        annualisation=annual,
        feedback=feedback,
        params=p,
        car_demand_peak=assigned[am],
        zone_indicators=zone_ind,
        timings=timings,
        time_of_day=tod,
        period_assignments={q.name: r for q, r in zip(tod.periods, results, strict=True)},
        car_demand_periods=assigned,
        link_volume_weekday=volume_weekday,
        link_adt=volume_weekday
        * ann.adt_per_weekday
        * (car_share_pcu + (1.0 - car_share_pcu) * p.vehicles_per_commercial_pcu),
        pt_line_loads={
            line: {k: v for k, v in loads[line].items() if k != "boardings"} for line in loads
        },
        state=ModelState(
            demand_periods=assigned,
            paths=tuple(r.paths for r in results),
            link_ids=link_ids,
        ),
        converged=converged,
    )
