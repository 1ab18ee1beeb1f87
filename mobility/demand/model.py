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

:func:`write_model_outputs` writes ``indicators.csv``, ``link_flows.csv``, ``pt_lines.csv``,
``zones.csv`` and ``manifest.json`` with fixed number formats (same inputs, same bytes).
"""

from __future__ import annotations

import functools
import math
import operator
import time
from collections.abc import Iterable, Mapping
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
    money_dkk,
    utilities,
)
from mobility.demand.parameters import (
    DemandParameters,
    default_parameters_path,
    load_demand_parameters,
)
from mobility.demand.timeofday import (
    TimeOfDay,
    default_time_of_day_path,
    load_time_of_day,
    mix_skims,
    period_matrices,
)
from mobility.errors import InputError
from mobility.impacts import accessibility, congestion
from mobility.network.geometry import haversine_km
from mobility.network.graph import LinkNetwork
from mobility.network.vdf import VDF_CODES
from mobility.scenario import Scenario

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

#: The period whose assignment is ``ModelResult.assignment`` (the morning peak hour).
AM_PEAK = "am_peak"
#: The car skim entries mixed over periods.
CAR_SKIM_KEYS = ("cost", "time_min", "length_km", "toll_dkk")
#: Iteration limit of the final assignment (bi-conjugate Frank-Wolfe needs ~1-3k for 1e-5).
FINAL_MAX_ITER = 10_000

PT_LINE_COLUMNS = (
    "line",
    "mode",
    "boardings_per_weekday",
    "passenger_km_per_weekday",
    "max_load_per_weekday",
)
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
        Final morning-peak-hour assignment (PCU per hour, cars + vans/trucks).
    od
        Mode -> ``(Z, Z)`` person trips per weekday, origin-destination form.
    od_by_purpose
        Purpose -> mode -> ``(Z, Z)`` person trips per weekday, production-attraction form.
    gen_cost
        Mode -> ``(Z, Z)`` generalised cost in minutes (commute, without mode constants).
    gen_cost_by_purpose, money_by_purpose
        Purpose -> mode -> ``(Z, Z)``: the generalised cost in minutes (without mode
        constants) each purpose's mode choice saw, and its money part in DKK per person
        (production-attraction form, like ``od_by_purpose``).
    skims
        Mode -> {``time_min``, ``length_km``, ...} ``(Z, Z)`` level of service.
    pt_boardings, pt_line_mode
        Line id -> boardings per weekday, and -> mode.
    pt_line_loads
        Line id -> ``passenger_km`` and ``max_load`` (largest volume on one segment and
        direction) per weekday, from the PT matrix loaded on the route-choice model.
    indicators
        Name -> (value, unit).
    annualisation
        The factors used (scenario ``annualisation``).
    feedback
        One record per feedback iteration (demand change, assignment gap and iterations).
    params
        The demand parameters used.
    car_demand_peak
        ``(Z, Z)`` assigned morning-peak-hour PCU matrix.
    zone_indicators
        Indicator -> ``(Z,)`` values per zone.
    timings
        Seconds per step.
    time_of_day
        The weekday periods (:class:`mobility.demand.timeofday.TimeOfDay`).
    period_assignments
        Period name -> final assignment of the period's mean hour.
    car_demand_periods
        ``(P, Z, Z)`` assigned hourly PCU matrices, periods in ``time_of_day`` order.
    link_volume_weekday
        ``(M,)`` PCU per weekday on each link (sum over periods of hourly flow x hours).
    state
        The converged state (assigned demand, path sets) that warm-starts other runs.
    converged
        Whether the fixed point met ``feedback_tol`` with assignments at ``rel_gap``.
    link_adt
        ``(M,)`` annual average daily traffic, vehicles: ``link_volume_weekday x
        adt_per_weekday`` x vehicles per PCU (cars 1, vans and trucks
        ``vehicles_per_commercial_pcu``, in the run's mix of PCU).
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
    time_of_day: TimeOfDay | None = None
    period_assignments: dict[str, Any] = field(default_factory=dict)
    car_demand_periods: np.ndarray | None = None
    link_volume_weekday: np.ndarray | None = None
    link_adt: np.ndarray | None = None
    pt_line_loads: dict[str, dict[str, float]] = field(default_factory=dict)
    state: ModelState | None = None
    converged: bool = True
    gen_cost_by_purpose: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    money_by_purpose: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


# --------------------------------------------------------------------------- level of service


def intrazonal_km(lon: np.ndarray, lat: np.ndarray, *, params: DemandParameters) -> np.ndarray:
    """Intrazonal trip length per zone from the distance to the nearest other centroid."""
    d = haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
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


def _period_network(net: LinkNetwork, *, hours: float) -> LinkNetwork:
    """``net`` for one time-of-day period: its Akçelik links' flow period ``T`` = the period.

    The period's demand rate holds for its ``hours``, so a queue on an over-saturated link
    grows for that long (Akçelik's ``T``); links on other functions are unchanged.
    """
    if net.vdf is None:
        return net
    queue = np.asarray(net.vdf) == VDF_CODES["akcelik"]
    if not queue.any():
        return net
    return net.with_links(power=np.where(queue, hours, net.power))


def _car_skim(
    net: LinkNetwork, times: np.ndarray, costs: np.ndarray, paths: Any = None
) -> dict[str, np.ndarray]:
    """Car skims at link ``times`` and generalised ``costs``: the shortest-path cost, and the
    time, length and toll of the trips, averaged over each OD pair's used equilibrium paths
    where ``paths`` (a gradient-projection path set) has them, else along the shortest path."""
    skim = _road_skims(
        net, costs, {"time_min": times, "length_km": net.length, "toll_dkk": net.toll}
    )
    if paths is not None:
        keys = ("time_min", "length_km", "toll_dkk")
        means = paths.mean_attributes(np.array([times, net.length, net.toll]))
        for key, mean in zip(keys, means, strict=True):
            skim[key] = np.where(np.isfinite(mean), mean, skim[key])
    return skim


def _active_skims(
    inputs: Any, zones: Any, params: DemandParameters
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    from mobility.region import road_link_network

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


def _total(arrays: Iterable[np.ndarray]) -> np.ndarray:
    """Elementwise sum in order (as ``sum()``, typed as an array)."""
    return functools.reduce(operator.add, arrays)


def _with_diagonal(m: np.ndarray, diag: np.ndarray | float) -> np.ndarray:
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
    border: np.ndarray | None = None,
) -> LevelOfService:
    """Assemble the level of service, with intrazonal values on the diagonals (``border``:
    see :class:`~mobility.demand.modechoice.LevelOfService`)."""
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
        border=border,
    )


def _border_trips(trips: Mapping[str, Any], border: np.ndarray | None, mode: str) -> float:
    """Person trips of ``mode`` across the national border (all purposes, both directions)."""
    if border is None:
        return 0.0
    return float(sum((trips[q][mode] * border).sum() for q in PURPOSES))


def border_matrix(zones: Any) -> np.ndarray:
    """``(Z, Z)`` 1.0 where origin and destination lie in different countries (the Swedish
    zones are the ``scania`` land of :attr:`~mobility.region.zones.Zones.land`), else 0.0."""
    swedish = np.array([land == "scania" for land in zones.land])
    return (swedish[:, None] != swedish[None, :]).astype(np.float64)


# --------------------------------------------------------------------------- demand


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
    """Weekday car vehicle trips (production-attraction form): home-based and business."""
    occ = {q: params.car_occupancy(q, demand.border) for q in PURPOSES}
    home = sum(demand.trips[q]["car"] / occ[q] for q in PURPOSES if q != "business")
    business = demand.trips["business"]["car"] / occ["business"]
    return np.asarray(home, dtype=np.float64), np.asarray(business, dtype=np.float64)


def commercial_matrix(home: np.ndarray, business: np.ndarray, *, total: float) -> np.ndarray:
    """Weekday van and truck PCU trips: ``total`` spread like the inter-zonal car trips."""
    car = home + home.T + business + business.T
    np.fill_diagonal(car, 0.0)
    s = float(car.sum())
    return car * (total / s) if s > 0 else np.zeros_like(car)


def period_demand(
    demand: Demand, *, params: DemandParameters, tod: TimeOfDay, commercial_total: float
) -> np.ndarray:
    """``(P, Z, Z)`` hourly PCU matrices of the periods (see :func:`period_matrices`)."""
    home, business = car_vehicle_matrices(demand, params=params)
    com = commercial_matrix(home, business, total=commercial_total)
    return period_matrices(home, business, com, tod)


def weekday_od(demand: Demand) -> dict[str, np.ndarray]:
    """Mode -> weekday person trips in origin-destination form (half each way)."""
    out = {}
    for m in MODES:
        pa = _total(demand.trips[p][m] for p in PURPOSES)
        out[m] = 0.5 * (pa + pa.T)
    return out


# --------------------------------------------------------------------------- the run


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


@dataclass(frozen=True)
class ModelState:
    """A run's converged state, to warm-start another run (a project against its reference).

    Attributes
    ----------
    demand_periods
        ``(P, Z, Z)`` assigned hourly PCU matrices of the time-of-day periods.
    paths
        Per period, the gradient-projection path set (``None`` for other algorithms).
    link_ids
        The car network's link ids, in the order the paths number the links.
    """

    demand_periods: np.ndarray
    paths: tuple[Any, ...]
    link_ids: tuple[Any, ...]

    def paths_for(self, link_ids: tuple[Any, ...], n_links: int) -> list[Any]:
        """The path sets renumbered for a car network with links ``link_ids`` (links the
        other network lacks drop the paths through them; see
        :meth:`mobility.network.assignment.PathSet.for_network`)."""
        if tuple(link_ids) == self.link_ids:
            return list(self.paths)
        where = {lid: k for k, lid in enumerate(link_ids)}
        link_map = np.array([where.get(lid, -1) for lid in self.link_ids], dtype=np.int64)
        return [None if ps is None else ps.for_network(link_map, n_links) for ps in self.paths]


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


def links_in_region(net: LinkNetwork, graph: Any, zones: Any) -> np.ndarray:
    """``(M,)`` bool: the link's midpoint is nearest to a Region H zone centroid.

    Delay, vehicle-km and CO2e indicators count these links only (the published figures are
    for hovedstadsområdet; external zones in Zealand and Skåne are there for through and
    cross-border traffic).
    """
    ids = net.meta["from_node_id"], net.meta["to_node_id"]
    lon = np.array([[graph.nodes[n]["x"] for n in side] for side in ids]).mean(axis=0)
    lat = np.array([[graph.nodes[n]["y"] for n in side] for side in ids]).mean(axis=0)
    d = haversine_km(lon[:, None], lat[:, None], zones.lon[None, :], zones.lat[None, :])
    return np.asarray(zones.in_region, dtype=bool)[np.argmin(d, axis=1)]


#: Collector links at or above this free speed are rural main roads (no signals), km/h.
RURAL_COLLECTOR_KMH = 70.0


def capacity_factors(net: LinkNetwork, params: DemandParameters) -> np.ndarray:
    """``(M,)`` calibrated capacity multipliers.

    ``capacity_factor`` on every link, times ``capacity_factor_rural_collector`` on
    collector-class links with a free speed of at least :data:`RURAL_COLLECTOR_KMH` (rural
    two-lane main roads, which the bundled network gives the urban collector's per-lane
    planning capacity; see demand_parameters.csv).
    """
    classes = np.asarray(net.meta.get("road_class", [""] * net.n_links), dtype=object)
    t0 = np.asarray(net.free_flow_time, dtype=np.float64)
    speed = np.where(t0 > 0, net.length / np.where(t0 > 0, t0, 1.0) * 60.0, 0.0)
    rural = (classes == "collector") & (speed >= RURAL_COLLECTOR_KMH - 1e-6)
    return params.capacity_factor * np.where(rural, params.capacity_factor_rural_collector, 1.0)


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
    from mobility.network.assignment import assign
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
        _check_reachable(pt["cost"], zones, "public transport")
        bike, walk = _active_skims(region, zones, p)
        intra = intrazonal_km(zones.lon, zones.lat, params=p)
        central = np.array([part == "central" for part in zones.region_part])
        parking = np.where(central, p.car_parking_central, 0.0)
        border = border_matrix(zones)
        ends = generate_trips(
            zones.residents, zones.jobs, params=p, trip_rate_factor=scenario.trip_rate_factor
        )
        free_cost = car_net.free_flow_time + toll_weight * car_net.toll
        car_free = _car_skim(car_net, car_net.free_flow_time, free_cost)
        _check_reachable(car_free["cost"], zones, "car")
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
        _period_network(car_net, hours=float(h if flow_period is None else flow_period))
        for h in hours
    ]

    algorithm = scenario.settings.road_assignment
    link_ids = tuple(car_net.meta["link_id"])

    def assign_all(matrices: np.ndarray, rel: float, warm: list[Any]) -> list[Any]:
        return [
            assign(
                period_nets[i],
                matrices[i],
                algorithm=algorithm,
                rel_gap=rel,
                toll_weight=toll_weight,
                max_iter=FINAL_MAX_ITER,
                warm_start=warm[i],
            )
            for i in range(n_per)
        ]

    def demand_at(results: list[Any]) -> tuple[Any, Any, Any, np.ndarray]:
        skims = [_car_skim(car_net, r.times, r.costs, r.paths) for r in results]
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
    indicators, zone_ind, delay_weekday = _indicators(
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
            "time_min": _with_diagonal(all_day["time_min"], np.diag(car_los.car_time_min)),
            "commute_time_min": car_los.car_time_min,
            "offpeak_time_min": los["other"].car_time_min,
            "peak_time_min": _with_diagonal(peak_time, np.diag(car_los.car_time_min)),
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


def _indicators(
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
    """Indicators, zone indicators and the weekday car delay (vehicle-hours)."""
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

    commute = _total(trips["commute"][m] for m in MODES)
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

    car_door = _with_diagonal(peak_time, np.diag(commute_los.car_time_min)) + p.car_terminal_time
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


# --------------------------------------------------------------------------- output


def fixed_decimals(x: float, digits: int) -> str:
    """``x`` with ``digits`` decimals, never a negative zero (stable CSV bytes)."""
    s = f"{float(x):.{digits}f}"
    return "0." + "0" * digits if s.startswith("-") and float(s) == 0.0 else s


def _num_or_blank(x: float, digits: int) -> str:
    return fixed_decimals(x, digits) if math.isfinite(x) else ""


def _indicator_digits(name: str) -> int:
    if name.startswith("assignment") or "change" in name:
        return 10  # gaps of 1e-6 and below stay readable without scientific notation
    if name.startswith("mode_share"):
        return 6
    return 3


def link_table(result: ModelResult) -> dict[str, Any]:
    """The road links of a result as columns of :data:`LINK_COLUMNS` (numbers as arrays).

    Small enough to send between processes (``mobility evaluate`` keeps one per run for the
    per-project link files).
    """
    net = result.road_net
    flows = np.asarray(result.assignment.flows, dtype=np.float64)
    adt = result.link_adt
    if adt is None:  # a result without time-of-day periods: single-hour approximation
        adt = congestion.adt_from_peak_hour(flows, annualisation=result.scenario.annualisation)
    meta = net.meta
    return {
        "link_id": list(meta["link_id"]),
        "from": list(meta["from_node_id"]),
        "to": list(meta["to_node_id"]),
        "name": list(meta["name"]),
        "road_class": list(meta["road_class"]),
        "volume_peak_hour": flows,
        "adt": np.asarray(adt, dtype=np.float64),
        "capacity": np.asarray(net.capacity, dtype=np.float64),
        "free_flow_time_min": np.asarray(net.free_flow_time, dtype=np.float64),
        "congested_time_min": np.asarray(result.assignment.times, dtype=np.float64),
    }


#: Decimals of the numeric link columns in the CSV files.
LINK_DIGITS = {
    "volume_peak_hour": 1,
    "adt": 0,
    "capacity": 1,
    "free_flow_time_min": 4,
    "congested_time_min": 4,
}


def link_flow_rows(table: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of ``link_flows.csv`` (:data:`LINK_COLUMNS`) from :func:`link_table` columns."""
    return [
        tuple(
            fixed_decimals(table[c][k], LINK_DIGITS[c]) if c in LINK_DIGITS else table[c][k]
            for c in LINK_COLUMNS
        )
        for k in range(len(table["link_id"]))
    ]


#: ``committed.csv``: the decided projects the scenario holds, with their sources
#: (``in_network`` 1 when open in the scenario year, so part of this run's network).
COMMITTED_COLUMNS = ("id", "name", "status", "opening_year", "in_network", "source")


def write_model_outputs(result: ModelResult, folder: str | Path) -> dict[str, Path]:
    """Write the model's output files into ``folder`` (which must exist).

    Files: ``indicators.csv`` (indicator,value,unit), ``link_flows.csv`` (see
    :data:`LINK_COLUMNS`), ``pt_lines.csv`` (:data:`PT_LINE_COLUMNS`),
    ``zones.csv`` (zone results), ``committed.csv`` (:data:`COMMITTED_COLUMNS`),
    ``map.gpkg`` (:func:`mobility.gis.write_model_map`) and ``manifest.json``. Returns
    name -> path.
    """
    from mobility import __version__
    from mobility.fileio import contained_path, manifest, write_csv, write_json

    out: dict[str, Path] = {}
    ind_rows = [
        (name, fixed_decimals(v, _indicator_digits(name)), unit)
        for name, (v, unit) in result.indicators.items()
    ]
    out["indicators"] = write_csv(
        contained_path(folder, "indicators.csv"), ("indicator", "value", "unit"), ind_rows
    )

    link_rows = link_flow_rows(link_table(result))
    out["link_flows"] = write_csv(contained_path(folder, "link_flows.csv"), LINK_COLUMNS, link_rows)

    pt_rows = []
    for line in sorted(result.pt_boardings):
        load = result.pt_line_loads.get(line, {})
        pt_rows.append(
            (
                line,
                result.pt_line_mode[line],
                fixed_decimals(result.pt_boardings[line], 1),
                _num_or_blank(load.get("passenger_km", math.nan), 0),
                _num_or_blank(load.get("max_load", math.nan), 0),
            )
        )
    out["pt_lines"] = write_csv(contained_path(folder, "pt_lines.csv"), PT_LINE_COLUMNS, pt_rows)

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
                fixed_decimals(zones.residents[i], 0),
                fixed_decimals(zones.jobs[i], 0),
                *(fixed_decimals(zi[c][i], 6 if c.startswith("mode_share") else 1) for c in zcols),
            )
        )
    zheader = ("zone_id", "name", "kind", "municipality_code", "residents", "jobs", *zcols)
    out["zones"] = write_csv(contained_path(folder, "zones.csv"), zheader, zrows)

    sc = result.scenario
    out["committed"] = write_csv(
        contained_path(folder, "committed.csv"),
        COMMITTED_COLUMNS,
        [
            (
                c.id,
                c.name,
                c.status,
                c.opening_year,
                int(c.opening_year <= sc.year),
                " ".join(c.source.split()),
            )
            for c in sc.committed
        ],
    )

    from mobility.gis import write_model_map

    out["map"] = write_model_map(
        contained_path(folder, "map.gpkg"),
        links=(LINK_COLUMNS, link_rows),
        roads=result.inputs.roads,
        zones_table=(zheader, zrows),
        zones=zones,
        pt_lines=(PT_LINE_COLUMNS, pt_rows),
        transit=result.inputs.transit,
    )

    inputs: dict[str, Path] = {
        "demand_parameters": default_parameters_path(),
        "time_of_day": default_time_of_day_path(),
    }
    if result.scenario.path is not None:
        inputs["scenario"] = Path(result.scenario.path)
    inputs.update(result.scenario.region_files.files())
    settings = {
        "scenario": result.scenario.name,
        "year": result.scenario.year,
        "annualisation": result.annualisation,
        "feedback": result.feedback,
        "converged": result.converged,
        "feedback_tol": result.scenario.settings.feedback_tol,
        "rel_gap": result.scenario.settings.rel_gap,
        "committed_projects": [c.id for c in result.scenario.committed],
        "pt_route_choice": result.scenario.settings.pt_route_choice,
        "assignment": {
            "algorithm": getattr(result.assignment, "algorithm", ""),
            "rel_gap": float(result.assignment.rel_gap),
            "iterations": int(result.assignment.iterations),
        },
        "period_assignments": {
            name: {
                "hours_of_day": list(q.hours_of_day),
                "share_of_weekday_car_traffic": q.share,
                "rel_gap": float(r.rel_gap),
                "iterations": int(r.iterations),
            }
            for q, (name, r) in zip(
                result.time_of_day.periods if result.time_of_day else (),
                result.period_assignments.items(),
                strict=False,
            )
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
