"""Compare a project run with the reference run: the indicator rows behind every pejlemærke.

:func:`effects` turns two model results (reference, project; each a
:class:`mobility.demand.results.ModelResult` or any object with the same fields) into the
physical differences; :func:`indicator_rows` writes them as the long rows of ``impacts.csv``
(``project_id,name,subcriterion,indicator,value,unit,basis``) together with the CBA of
:mod:`mobility.impacts.cba` and the project file's judgements.

Definitions (project minus reference; per weekday unless the unit says per year):

* consumer surplus, rule of half over modes: ``CS = sum_m sum_ij 1/2 (T0 + T1) (C0 - C1)``
  with ``T`` the person trips and ``C`` the generalised cost in minutes of mode ``m``
  (cells where both costs are finite). Annualised with ``delay_weekdays_per_year`` for car
  (benefits come mostly from weekday congestion relief) and ``traffic_days_per_year`` for the
  other modes (scenario ``annualisation``).
* a zone's benefit is half of its row and half of its column of the CS matrix; a zone or a
  municipality benefits *materially* when its benefit per resident is at least
  ``appraisal.material_benefit_h_per_resident`` hours per year (default 0.25 h, an estimate);
  outer municipalities are the Region H municipalities outside København and Frederiksberg.
* car traffic, CO2e, tolls, noise: from the peak-hour road assignment, weekday = peak hour /
  ``peak_hour_share``, year = weekday x ``traffic_days_per_year``; CO2e with
  :func:`mobility.impacts.emissions.co2e_g_per_vkm` at each link's congested speed and the
  scenario fleet's EV share, plus the transit service CO2e of the lines.
* corridors (scenario ``appraisal.corridors``: ``{name, from: [zones], to: [zones]}``, zone or
  municipality names, both directions): consumer surplus on those OD pairs only.
* 5.2 transfers: out-of-vehicle time (waits incl. transfer waits, walks incl. transfer walks)
  saved by PT travellers (rule of half on ``wait_min + walk_min`` of the PT skim); judged from
  the project file where the model result has no such skim.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mobility.demand.generation import PURPOSES
from mobility.errors import InputError
from mobility.impacts import cba as cba_mod
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

COLUMNS = ("project_id", "name", "subcriterion", "indicator", "value", "unit", "basis")
MODES = ("car", "pt", "bike", "walk")
#: Default material-benefit threshold, hours per resident per year (estimate).
MATERIAL_H_PER_RESIDENT = 0.25
#: Corridors used when the scenario names none (the issue's examples): Hillerød - Kastrup
#: (Københavns Lufthavn lies in Tårnby) and Køge - Lyngby.
DEFAULT_CORRIDORS = (
    {"name": "Hillerød-Kastrup", "from": ["Hillerød"], "to": ["Tårnby"]},
    {"name": "Køge-Lyngby", "from": ["Køge"], "to": ["Lyngby-Taarbæk"]},
)
#: PT time threshold for the accessibility indicator (minutes).
PT_ACCESS_MIN = 45.0


@dataclass(frozen=True)
class Corridor:
    """Named OD relation: trips between the ``origins`` and ``destinations`` zone indices."""

    name: str
    origins: tuple[int, ...]
    destinations: tuple[int, ...]


@dataclass(frozen=True)
class AppraisalSettings:
    """Settings from the scenario's ``appraisal`` section.

    Attributes
    ----------
    material_h_per_resident
        Benefit per resident and year above which a zone/municipality benefits materially.
    corridors
        Named corridors for 2.1.
    discount_base_year
        CBA discount base year (``t = 0``), the same for every project.
    """

    material_h_per_resident: float = MATERIAL_H_PER_RESIDENT
    corridors: tuple[Corridor, ...] = ()
    discount_base_year: int = 2026


def _zone_lookup(zones: Any) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i in range(len(zones.name)):
        out.setdefault(zones.name[i].lower(), []).append(i)
        out.setdefault(str(int(zones.zone_id[i])), []).append(i)
    for i in range(len(zones.municipality)):
        key = zones.municipality[i].lower()
        if key not in {n.lower() for n in zones.name} or zones.kind[i] == "bydel":
            out.setdefault("municipality:" + key, []).append(i)
    return out


def settings_from_scenario(scenario: Any, zones: Any) -> AppraisalSettings:
    """The appraisal settings of the scenario's ``appraisal`` section (absent -> defaults),
    its corridors resolved against ``zones``.

    The section is validated by :func:`mobility.scenario.load_scenario`
    (:class:`mobility.scenario_sections.AppraisalSection`); here the corridor ends (zone or
    municipality names, or zone ids) are looked up, and the defaults of what it does not give
    apply (:data:`DEFAULT_CORRIDORS`, :data:`MATERIAL_H_PER_RESIDENT`, 2026). Schema::

        appraisal:
          material_benefit_h_per_resident: 0.25
          discount_base_year: 2026
          corridors:
            - {name: Hillerød-Kastrup, from: [Hillerød], to: [Tårnby]}

    Raises
    ------
    InputError
        For a corridor end that names no zone (file and field named).
    """
    from mobility.scenario_sections import AppraisalSection, CorridorSpec

    sec = getattr(scenario, "appraisal", None) or AppraisalSection()
    file = sec.file if sec.file is not None else "(default appraisal settings)"
    specs = sec.corridors
    if specs is None:
        specs = tuple(
            CorridorSpec(str(c["name"]), tuple(c["from"]), tuple(c["to"]))
            for c in DEFAULT_CORRIDORS
        )
    lookup = _zone_lookup(zones)
    corridors = []
    for k, spec in enumerate(specs):
        ends = []
        for key, names in (("from", spec.origins), ("to", spec.destinations)):
            idx: list[int] = []
            for j, z in enumerate(names):
                name = str(z).strip().lower()
                hit = lookup.get(name) or lookup.get("municipality:" + name)
                if not hit:
                    raise InputError(
                        f"unknown zone '{z}'",
                        file=file,
                        field=f"appraisal.corridors[{k}].{key}[{j}]",
                        expected="a zone or municipality name",
                    )
                idx.extend(hit)
            ends.append(tuple(sorted(set(idx))))
        corridors.append(Corridor(spec.name, ends[0], ends[1]))
    return AppraisalSettings(
        material_h_per_resident=(
            sec.material_h_per_resident
            if sec.material_h_per_resident is not None
            else MATERIAL_H_PER_RESIDENT
        ),
        corridors=tuple(corridors),
        discount_base_year=sec.discount_base_year if sec.discount_base_year is not None else 2026,
    )


# ------------------------------------------------------------------------------ helpers


def _annual(result: Any) -> dict[str, float]:
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


def _rule_of_half(t0: np.ndarray, t1: np.ndarray, c0: np.ndarray, c1: np.ndarray) -> np.ndarray:
    ok = np.isfinite(c0) & np.isfinite(c1)
    out = np.zeros(np.shape(t0))
    out[ok] = 0.5 * (t0[ok] + t1[ok]) * (c0[ok] - c1[ok])
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
    ann = _annual(result)
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
    prices = cba_mod.load_unit_prices()
    net = result.road_net
    params = _params(result)
    share_c = _commercial_share(result)
    vpp = float(getattr(params, "vehicles_per_commercial_pcu", 0.8))
    van = prices.get("van_share_commercial_vehicles", 0.75)
    weekday_pcu = getattr(result, "link_volume_weekday", None)
    if weekday_pcu is None:
        weekday_pcu = np.asarray(result.assignment.flows, dtype=np.float64) * day
    pcu_km = np.asarray(weekday_pcu, dtype=np.float64) * np.asarray(net.length)
    types = link_road_types(result)
    for road in cba_mod.ROAD_TYPES:
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
    fare = _money_matrix(result, "pt", params)
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


def _params(result: Any) -> Any:
    params = getattr(result, "params", None)
    if params is None:
        from mobility.demand.parameters import load_demand_parameters

        params = load_demand_parameters()
    return params


def _money_matrix(result: Any, mode: str, params: Any) -> np.ndarray | None:
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


@dataclass
class Effects:
    """Project-minus-reference effects (see module docstring for definitions)."""

    cs_h_year: float
    cs_zone_h_year: np.ndarray
    corridor_h_year: dict[str, float]
    transfer_h_year: float | None
    ref: RunSummary
    proj: RunSummary
    annual: dict[str, float]
    time_h_year: float = 0.0
    money_dkk_year: float = 0.0
    foreign_h_year: float = 0.0
    foreign_dkk_year: float = 0.0
    year: int | None = None
    #: (Z,) time part of the surplus (person-hours per year) and its money part (DKK per
    #: year) by zone: half of each zone's row and half of its column
    time_zone_h_year: np.ndarray | None = None
    money_zone_dkk_year: np.ndarray | None = None
    #: PT travellers' time saved, weighted as the mode choice weighs it (in-vehicle, wait,
    #: walk and transfer penalties), fares excluded; person-hours per year
    pt_time_h_year: float = 0.0
    #: (corridor, mode) -> (peak minutes saved per trip, weekday trips weighting it)
    corridor_peak: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    #: PT transfers saved per weekday (rule of half on boardings - 1); None without the skim
    transfers_saved_day: float | None = None
    #: purpose -> the time part of the surplus (person-hours per year), all users and the
    #: users resident abroad; each is valued at its purpose's value of time in the CBA
    time_h_by_purpose: dict[str, float] = field(default_factory=dict)
    foreign_h_by_purpose: dict[str, float] = field(default_factory=dict)

    def extra(self, name: str) -> float:
        """Project minus reference of one :attr:`RunSummary.extra` entry (0 if absent)."""
        return float(self.proj.extra.get(name, 0.0) - self.ref.extra.get(name, 0.0))

    def diff(self, name: str) -> float:
        """Project minus reference of a :class:`RunSummary` field."""
        return float(getattr(self.proj, name) - getattr(self.ref, name))


def effects(ref: Any, proj: Any, *, settings: AppraisalSettings, year: int) -> Effects:
    """Compare two model results of the same zones."""
    ann = _annual(ref)
    z = len(ref.inputs.zones.zone_id)
    cs = np.zeros((z, z))
    for cell in _surplus_cells(ref, proj):
        per_year = (
            ann["delay_weekdays_per_year"] if cell.mode == "car" else ann["traffic_days_per_year"]
        )
        cs += per_year / 60.0 * _rule_of_half(cell.t0, cell.t1, cell.c0, cell.c1)
    zone_cs = 0.5 * (cs.sum(axis=1) + cs.sum(axis=0))
    split = _money_time_split(ref, proj, ann)
    corridors = {}
    for c in settings.corridors:
        corridors[c.name] = float(cs[corridor_mask(c, z)].sum())
    transfer = None
    rs, ps = ref.skims.get("pt", {}), proj.skims.get("pt", {})
    if all(k in rs and k in ps for k in ("wait_min", "walk_min")) and "pt" in ref.od:
        x0 = np.asarray(rs["wait_min"]) + np.asarray(rs["walk_min"])
        x1 = np.asarray(ps["wait_min"]) + np.asarray(ps["walk_min"])
        transfer = float(
            ann["traffic_days_per_year"]
            / 60.0
            * _rule_of_half(np.asarray(ref.od["pt"]), np.asarray(proj.od["pt"]), x0, x1).sum()
        )
    days = ann["traffic_days_per_year"]
    parts = _time_money(ref, proj)
    t_mat = sum((v[0] for v in parts.values()), np.zeros((z, z)))
    c_mat = sum((v[1] for v in parts.values()), np.zeros((z, z)))
    zone_time = 0.5 * (t_mat.sum(axis=1) + t_mat.sum(axis=0)) / 60.0 * days
    zone_money = 0.5 * (c_mat.sum(axis=1) + c_mat.sum(axis=0)) * days
    pt_time = sum(float(v[0].sum()) for (_q, m), v in parts.items() if m == "pt") / 60.0 * days
    corridor_peak = _corridor_peak(ref, proj, settings.corridors)
    transfers = None
    if "boardings" in rs and "boardings" in ps and "pt" in ref.od:
        transfers = float(
            _rule_of_half(
                np.asarray(ref.od["pt"]),
                np.asarray(proj.od["pt"]),
                np.asarray(rs["boardings"], dtype=np.float64),
                np.asarray(ps["boardings"], dtype=np.float64),
            ).sum()
        )
    return Effects(
        time_zone_h_year=zone_time,
        money_zone_dkk_year=zone_money,
        pt_time_h_year=pt_time,
        corridor_peak=corridor_peak,
        transfers_saved_day=transfers,
        cs_h_year=float(cs.sum()),
        cs_zone_h_year=zone_cs,
        corridor_h_year=corridors,
        transfer_h_year=transfer,
        ref=getattr(ref, "summary", None) or summarise(ref, year=year),
        proj=getattr(proj, "summary", None) or summarise(proj, year=year),
        annual=ann,
        time_h_year=sum(split[0].values()),
        money_dkk_year=split[1],
        foreign_h_year=sum(split[2].values()),
        foreign_dkk_year=split[3],
        time_h_by_purpose=split[0],
        foreign_h_by_purpose=split[2],
        year=year,
    )


def corridor_mask(corridor: Corridor, n_zones: int) -> np.ndarray:
    """(Z, Z) True on the corridor's OD pairs, both directions."""
    mask = np.zeros((n_zones, n_zones), dtype=bool)
    o = np.array(corridor.origins, dtype=np.int64)
    d = np.array(corridor.destinations, dtype=np.int64)
    mask[np.ix_(o, d)] = True
    mask[np.ix_(d, o)] = True
    return mask


#: The skim each mode's corridor travel time comes from: the car's morning peak, the others'
#: (PT runs to its timetable; cycling and walking do not congest).
CORRIDOR_TIME_SKIM = {
    "car": "peak_time_min",
    "pt": "time_min",
    "bike": "time_min",
    "walk": "time_min",
}


def _corridor_peak(
    ref: Any, proj: Any, corridors: Sequence[Corridor]
) -> dict[tuple[str, str], tuple[float, float]]:
    """Per corridor and mode: the trip-weighted mean peak travel time saved per trip
    (minutes, reference minus project, over the corridor's OD pairs in both directions,
    weights ``(T0 + T1) / 2``) and the weekday trips behind it. Modes without a time skim
    or without trips on the corridor are left out."""
    z = len(ref.inputs.zones.zone_id)
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for c in corridors:
        mask = corridor_mask(c, z)
        for m in MODES:
            key = CORRIDOR_TIME_SKIM[m]
            rs, ps = ref.skims.get(m, {}), proj.skims.get(m, {})
            if key not in rs or key not in ps or m not in ref.od or m not in proj.od:
                continue
            t0, t1 = np.asarray(rs[key], dtype=np.float64), np.asarray(ps[key], dtype=np.float64)
            w = 0.5 * (np.asarray(ref.od[m]) + np.asarray(proj.od[m]))
            ok = mask & np.isfinite(t0) & np.isfinite(t1)
            trips = float(w[ok].sum())
            if trips > 0:
                out[c.name, m] = (float((w[ok] * (t0[ok] - t1[ok])).sum()) / trips, trips)
    return out


def _money_time_split(
    ref: Any, proj: Any, ann: Mapping[str, float]
) -> tuple[dict[str, float], float, dict[str, float], float]:
    """Consumer surplus for the CBA, split into time and money, all users and foreign users.

    For each purpose and mode the rule of half is applied to the generalised cost (minutes)
    that purpose's mode choice saw, and to its money part ``M`` (DKK per person):
    ``money = RoH(T, M0 - M1)`` (DKK) and ``time = RoH(T, C0 - C1) - money x 60 / VOT_q``
    (minutes), with ``VOT_q`` the purpose's value of time in the model year, the one the
    mode choice used. The demand model takes that value from the CBA's unit prices, so the
    time the CBA values at ``VOT_q`` and the money it counts in kroner add up to the surplus
    the model's behaviour implies (one conversion). All modes are annualised with
    ``traffic_days_per_year``, like the revenues they are transfers with. A cell's surplus
    is foreign by half for each end in a Swedish zone (``land == "scania"``).

    Returns
    -------
    (purpose -> time person-hours per year, money DKK per year,
     purpose -> foreign time, foreign money)
    """
    days = ann["traffic_days_per_year"]
    zones = ref.inputs.zones
    land = getattr(zones, "land", None)
    z = len(zones.zone_id)
    foreign = np.zeros(z)
    if land is not None:
        foreign = np.array([x == "scania" for x in land], dtype=np.float64)
    weight = 0.5 * (foreign[:, None] + foreign[None, :])
    time_min: dict[str, float] = {}
    f_time: dict[str, float] = {}
    money = f_money = 0.0
    for (purpose, _mode), (minutes, cash) in _time_money(ref, proj).items():
        time_min[purpose] = time_min.get(purpose, 0.0) + float(minutes.sum())
        f_time[purpose] = f_time.get(purpose, 0.0) + float((minutes * weight).sum())
        money += float(cash.sum())
        f_money += float((cash * weight).sum())
    return (
        {q: v / 60.0 * days for q, v in time_min.items()},
        money * days,
        {q: v / 60.0 * days for q, v in f_time.items()},
        f_money * days,
    )


@dataclass(frozen=True)
class _Cell:
    """One purpose and mode of a run pair: trips, generalised cost (minutes) and its money
    part (DKK per person, ``None`` if unknown), reference (0) and project (1)."""

    purpose: str
    mode: str
    t0: np.ndarray
    t1: np.ndarray
    c0: np.ndarray
    c1: np.ndarray
    m0: np.ndarray | None
    m1: np.ndarray | None


def _by_purpose(result: Any, name: str) -> Mapping[str, Any]:
    table = getattr(result, name, None)
    return table if isinstance(table, Mapping) else {}


def _origin_destination(pa: Any) -> np.ndarray:
    """Weekday trips of a production-attraction matrix in origin-destination form: half
    of each pair's trips go out, half come back (as :func:`mobility.demand.trips.weekday_od`)."""
    a = np.asarray(pa, dtype=np.float64)
    return 0.5 * (a + a.T)


def _surplus_cells(ref: Any, proj: Any) -> list[_Cell]:
    """The purpose-and-mode cells of the rule of half.

    Model results carry each purpose's trips (production-attraction form), generalised cost
    and money part. The trips are taken in origin-destination form, each direction with its
    own cost, so a toll charged one way (c08's inbound cordon) is paid once per round trip,
    as the assignment collects it. A result without them (a hand-made one in tests) is one
    purpose, ``commute``, with the origin-destination trips, ``gen_cost`` and
    :func:`_money_matrix`.
    """
    names = ("od_by_purpose", "gen_cost_by_purpose", "money_by_purpose")
    tables = [(_by_purpose(ref, n), _by_purpose(proj, n)) for n in names]
    cells = []
    if all(a and b for a, b in tables):
        (od0, od1), (gc0, gc1), (mo0, mo1) = tables
        for q in PURPOSES:
            for m in MODES:
                if not all(m in t.get(q, {}) for t in (od0, od1, gc0, gc1)):
                    continue
                cells.append(
                    _Cell(
                        q,
                        m,
                        _origin_destination(od0[q][m]),
                        _origin_destination(od1[q][m]),
                        np.asarray(gc0[q][m]),
                        np.asarray(gc1[q][m]),
                        np.asarray(mo0[q][m]) if m in mo0.get(q, {}) else None,
                        np.asarray(mo1[q][m]) if m in mo1.get(q, {}) else None,
                    )
                )
        return cells
    params = _params(proj)
    for m in MODES:
        if m not in ref.od or m not in proj.od:
            continue
        cells.append(
            _Cell(
                "commute",
                m,
                np.asarray(ref.od[m]),
                np.asarray(proj.od[m]),
                np.asarray(ref.gen_cost[m]),
                np.asarray(proj.gen_cost[m]),
                _money_matrix(ref, m, params),
                _money_matrix(proj, m, params),
            )
        )
    return cells


def model_value_of_time(result: Any, purpose: str) -> float:
    """The value of time (DKK per person-hour) a run's mode choice used for ``purpose``."""
    vots = getattr(result, "values_of_time", None)
    if isinstance(vots, Mapping) and purpose in vots:
        return float(vots[purpose])
    return float(_params(result).value_of_time(purpose))


def _time_money(ref: Any, proj: Any) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """Per purpose and mode, the weekday rule-of-half surplus split into time (minutes) and
    money (DKK) matrices, as :func:`_money_time_split` describes."""
    out = {}
    for cell in _surplus_cells(ref, proj):
        cs = _rule_of_half(cell.t0, cell.t1, cell.c0, cell.c1)
        cash = np.zeros(cs.shape)
        if cell.m0 is not None and cell.m1 is not None:
            ok = np.isfinite(cell.c0) & np.isfinite(cell.c1)
            cash = np.where(ok, _rule_of_half(cell.t0, cell.t1, cell.m0, cell.m1), 0.0)
        vot = model_value_of_time(proj, cell.purpose)
        out[cell.purpose, cell.mode] = (cs - cash * 60.0 / vot, cash)
    return out


def cba_inputs(
    project: Any,
    eff: Effects,
    prices: cba_mod.UnitPrices,
    *,
    later: Mapping[int, Effects] | None = None,
) -> cba_mod.CbaInputs:
    """The CBA inputs of a project (or a combination, see :class:`Combined`).

    Capital costs incl. the reserve (``Project.capex_mdkk``: the stage's korrektionsreserve
    under Ny Anlægsbudgettering or the file's sourced reserve) are converted to the CBA price
    year part by part. PT operating cost and rolling stock come from the change in service
    (:mod:`mobility.impacts.operator`) unless the project file's ``operator`` section gives
    sourced figures. ``later`` holds the effects of further model years (the growth path).
    """
    days = eff.annual["traffic_days_per_year"]
    parts = getattr(project, "parts", None) or [project]
    growth = 1.0 + prices["price_index_growth"] / 100.0
    capex = sum(
        p.capex_mdkk * growth ** (prices.base_price_year - p.capex_price_year) for p in parts
    )
    values = _effect_values(eff, prices, days)
    opex, stock, life = _operator(parts, eff, prices, days)
    values["pt_opex_mdkk"] = opex
    by_year: dict[int, dict[str, Any]] = {}
    for year, e in sorted((later or {}).items()):
        v = _effect_values(e, prices, e.annual["traffic_days_per_year"])
        v["pt_opex_mdkk"] = _operator(parts, e, prices, e.annual["traffic_days_per_year"])[0]
        by_year[int(year)] = v
    return cba_mod.CbaInputs(
        project_id=project.id,
        kind=project.kind,
        opening_year=project.opening_year,
        capex_mdkk=float(capex),
        capex_price_year=prices.base_price_year,
        opex_mdkk_per_year=project.opex_mdkk_per_year,
        construction_years=project.construction_years,
        construction_co2e_t=float(project.construction_co2e_t),
        rolling_stock_mdkk=stock,
        rolling_stock_life=life,
        model_year=eff.year,
        effects_by_year=by_year,
        **values,
    )


def _effect_values(eff: Effects, prices: cba_mod.UnitPrices, days: float) -> dict[str, Any]:
    """The yearly effect fields of :class:`mobility.impacts.cba.CbaInputs` from one run pair."""
    by_class = {
        f"{v}@{r}": eff.extra(f"vkm_day[{v}@{r}]") * days
        for v in cba_mod.VEHICLES
        for r in cba_mod.ROAD_TYPES
        if f"vkm_day[{v}@{r}]" in eff.proj.extra or f"vkm_day[{v}@{r}]" in eff.ref.extra
    }
    car = sum(x for k, x in by_class.items() if k.startswith("car@"))
    return {
        "user_benefit_h": eff.time_h_year,
        "user_benefit_h_by_purpose": dict(eff.time_h_by_purpose),
        "user_money_mdkk": eff.money_dkk_year / 1e6,
        "foreign_benefit_h": eff.foreign_h_year,
        "foreign_benefit_h_by_purpose": dict(eff.foreign_h_by_purpose),
        "foreign_money_mdkk": eff.foreign_dkk_year / 1e6,
        "van_h": -eff.extra("van_vh_day") * days,
        "truck_h": -eff.extra("truck_vh_day") * days,
        "car_vkm": car if by_class else eff.diff("car_vkm_day") * days,
        "van_vkm": sum(x for k, x in by_class.items() if k.startswith("van@")),
        "truck_vkm": sum(x for k, x in by_class.items() if k.startswith("truck@")),
        "vkm_by_class": by_class,
        "co2e_t": eff.diff("co2e_t_day") * days,
        "noise_exposed": eff.diff("noise_exposed"),
        "bike_km": eff.diff("bike_km_day") * days,
        "walk_km": eff.extra("walk_km_day") * days,
        "toll_revenue_mdkk": eff.diff("toll_dkk_day") * days / 1e6,
        "van_truck_toll_mdkk": eff.extra("van_truck_toll_dkk_day") * days / 1e6,
        "fare_revenue_mdkk": eff.extra("fare_dkk_day") * days / 1e6,
    }


def _operator(
    parts: Sequence[Any], eff: Effects, prices: cba_mod.UnitPrices, days: float
) -> tuple[float, float, float]:
    """PT operating cost change per year, rolling-stock capital and its life.

    Derived from the service change by mode; a project file's ``operator`` section
    (``opex_mdkk_per_year``, ``rolling_stock_mdkk``, ``rolling_stock_life_years``, with a
    ``source``) replaces the derived figures (for a combination: when every part gives them).
    """
    from mobility.impacts import operator

    overrides = [getattr(p, "operator", None) or {} for p in parts]
    modes = {
        k.split("[", 1)[1].rstrip("]")
        for k in (*eff.ref.extra, *eff.proj.extra)
        if k.startswith("pt_vkm_day[")
    }
    change = {
        m: {
            "vkm": eff.extra(f"pt_vkm_day[{m}]"),
            "vehicle_hours": eff.extra(f"pt_vh_day[{m}]"),
            "peak_vehicles": eff.extra(f"pt_peak_vehicles[{m}]"),
        }
        for m in sorted(modes)
    }
    opex = operator.operating_cost_mdkk(change, prices, days_per_year=days)
    stock, life = operator.rolling_stock(change, prices)
    if all("opex_mdkk_per_year" in o for o in overrides):
        opex = float(sum(o["opex_mdkk_per_year"] for o in overrides))
    if all("rolling_stock_mdkk" in o for o in overrides):
        stock = float(sum(o["rolling_stock_mdkk"] for o in overrides))
        lives = [o.get("rolling_stock_life_years", life) for o in overrides]
        life = float(max(lives)) if lives else life
    return opex, stock, life


def _clean(value: float) -> float:
    if value == 0.0:
        return 0.0  # no negative zero
    return value


def indicator_rows(
    project: Any,
    eff: Effects,
    result: cba_mod.CbaResult,
    *,
    zones: Any,
    settings: AppraisalSettings,
    prices: cba_mod.UnitPrices,
    year: int,
) -> list[tuple[str, str, str, str, float, str, str]]:
    """The ``impacts.csv`` rows of one project (every sub-criterion at least once)."""
    rows: list[tuple[str, str, str, str, float, str, str]] = []

    def add(sub: str, indicator: str, value: float, unit: str, basis: str = "modelled") -> None:
        if math.isnan(float(value)):
            return  # undefined (no IRR, no BCR without costs): no row rather than 'nan'
        rows.append((project.id, project.name, sub, indicator, _clean(float(value)), unit, basis))

    res = np.asarray(zones.residents, dtype=np.float64)
    jobs = np.asarray(zones.jobs, dtype=np.float64)
    in_region = np.asarray(zones.in_region, dtype=bool)
    z = len(res)
    time_zone = eff.time_zone_h_year if eff.time_zone_h_year is not None else np.zeros(z)
    money_zone = eff.money_zone_dkk_year if eff.money_zone_dkk_year is not None else np.zeros(z)
    # 1.1: time gain per resident by municipality (continuous), the outer municipalities'
    # share, and the money transfers beside it (not mixed in)
    munis: dict[str, list[int]] = {}
    for i, m in enumerate(zones.municipality):
        if in_region[i]:
            munis.setdefault(m, []).append(i)
    per_muni = {
        m: float(time_zone[idx].sum() / res[idx].sum())
        for m, idx in sorted(munis.items())
        if res[idx].sum() > 0
    }
    if per_muni:
        add(
            "1.1",
            "time_gain_h_per_resident_municipal_mean",
            float(np.mean(list(per_muni.values()))),
            "h/resident/year (mean over the municipalities, each counted once)",
        )
    outer = np.array([p != "central" for p in zones.region_part]) & in_region
    gain = np.maximum(time_zone, 0.0)
    if gain[in_region].sum() > 0:
        add(
            "1.1",
            "outer_share_of_time_gain",
            float(gain[outer].sum() / gain[in_region].sum()),
            "share of the region's positive time gain",
        )
    for m, v in per_muni.items():
        add("1.1", f"time_gain_h_per_resident[{m}]", v, "h/resident/year")
    region_res = float(res[in_region].sum())
    if region_res > 0:
        add(
            "1.1",
            "money_change_dkk_per_resident",
            float(money_zone[in_region].sum()) / region_res,
            "DKK/resident/year (tolls, fares, driving costs: transfers, not scored)",
        )
    # 1.2: residents whose travel time improves, each counted once and in proportion to how
    # much (fully from the material gain of appraisal.material_benefit_h_per_resident)
    thr = settings.material_h_per_resident
    with np.errstate(divide="ignore", invalid="ignore"):
        per_res = np.where(res > 0, time_zone / np.where(res > 0, res, 1.0), 0.0)
    share = np.clip(per_res / thr, 0.0, 1.0) * in_region
    add(
        "1.2",
        "residents_benefiting",
        float((res * share).sum()),
        f"persons (weighted: 1 from {thr:g} h/resident/year of time gain, less below)",
    )
    add(
        "1.2",
        "jobs_benefiting",
        float((jobs * share).sum()),
        "jobs in the same zones (the same people at work: shown, not added)",
    )

    # 2.1: peak travel time on the scenario's well-defined relations, by mode
    total_w = sum(w for _, w in eff.corridor_peak.values())
    if total_w > 0:
        by_corridor: dict[str, list[tuple[float, float]]] = {}
        for (name, _mode), mw in eff.corridor_peak.items():
            by_corridor.setdefault(name, []).append(mw)
        means = [sum(m * w for m, w in v) / sum(w for _, w in v) for v in by_corridor.values()]
        add(
            "2.1",
            "corridor_peak_minutes_saved_per_trip",
            float(np.mean(means)),
            "min/trip (peak; trip-weighted over modes, mean over the corridors)",
        )
    for (name, mode), (minutes, _) in sorted(eff.corridor_peak.items()):
        add("2.1", f"corridor_peak_minutes_saved[{name}|{mode}]", minutes, "min/trip (peak)")
    add("2.1", "hours_saved_per_year", eff.cs_h_year, "h/year")
    add("2.1", "corridor_hours_saved_per_year", sum(eff.corridor_h_year.values()), "h/year")
    for name, hours in sorted(eff.corridor_h_year.items()):
        add("2.1", f"corridor_hours_saved_per_year[{name}]", hours, "h/year")
    annual_delay = (
        -eff.diff("delay_vh_peak")
        * eff.annual["delay_peak_hour_to_weekday"]
        * eff.annual["delay_weekdays_per_year"]
    )
    add("2.1", "car_delay_hours_saved_per_year", annual_delay, "vehicle-h/year")
    _judged(project, "2.2", add)

    days = eff.annual["traffic_days_per_year"]
    co2_year = eff.diff("co2e_t_day") * days
    add("3.1", "co2e_change_t_per_year", co2_year, "t/year")
    shifted = -(eff.proj.trips["car"] - eff.ref.trips["car"])
    add("3.1", "car_trips_shifted_per_day", shifted, "trips/day")
    add("3.1", "pt_trips_change_per_day", eff.proj.trips["pt"] - eff.ref.trips["pt"], "trips/day")
    add("3.1", "car_vkm_change_per_year", eff.diff("car_vkm_day") * days, "vehicle-km/year")
    norm = getattr(project, "construction_co2e_norm_t", None)
    if norm is not None and norm > 0:
        add(
            "3.2",
            "construction_co2e_vs_type_norm",
            project.construction_co2e_t / norm,
            "ratio (1 = the type's norm: quantities x construction_co2e_factors.csv; below 1 "
            "a documented low-CO2 choice, project file low_co2)",
        )
    else:
        add(
            "3.2",
            "construction_co2e_vs_type_norm",
            1.0,
            "ratio (no norm: the file gives its own construction CO2e, taken as the norm)",
        )
    add("3.2", "construction_co2e_t", project.construction_co2e_t, "t")
    saving = -co2_year
    payback = project.construction_co2e_t / saving if saving > 0 else 999.0
    add("3.2", "co2e_payback_years", min(payback, 999.0), "years (999 = never)")

    add(
        "4.1",
        "active_km_change_per_day",
        eff.diff("bike_km_day") + eff.diff("walk_km_day"),
        "km/day (cycled + walked)",
    )
    add("4.1", "walk_km_change_per_day", eff.diff("walk_km_day"), "km/day")
    add(
        "4.1",
        "cycle_trips_change_per_day",
        eff.proj.trips["bike"] - eff.ref.trips["bike"],
        "trips/day",
    )
    add("4.1", "cycle_km_change_per_day", eff.diff("bike_km_day"), "km/day")
    health = (
        eff.diff("bike_km_day")
        * days
        * float(prices.at("health_cycling", np.array([year]))[0])
        / 1e6
    )
    add("4.1", "health_benefit_mdkk_per_year", health, "mDKK/year")
    add(
        "4.2",
        "noise_exposure_change",
        eff.diff("noise_exposure"),
        "resident-weighted vehicles/day (local PM2.5 and NO2 exposure proxy)",
    )
    add(
        "4.2",
        "residents_exposed_change",
        eff.diff("noise_exposed"),
        "persons (proxy, Lden >= 58 dB)",
    )

    add(
        "5.1",
        "pt_time_saved_h_per_year",
        eff.pt_time_h_year,
        "person-h/year (PT travellers; in-vehicle, wait, walk and transfer time as weighted "
        "by the mode choice; fares excluded)",
    )
    add("5.1", "pt_boardings_change_per_day", eff.diff("pt_boardings_day"), "boardings/day")
    add("5.1", "jobs_reachable_pt_45min_change", eff.diff("jobs_pt_45"), "jobs (mean per resident)")
    if eff.transfers_saved_day is not None:
        add("5.2", "transfers_saved_per_day", eff.transfers_saved_day, "transfers/weekday")
    if eff.transfer_h_year is not None:
        add(
            "5.2",
            "transfer_hours_saved_per_year",
            eff.transfer_h_year,
            "h/year (out-of-vehicle time: waits and walks, incl. access)",
        )
    if eff.transfer_h_year is None or "5.2" in project.judgements:
        _judged(project, "5.2", add)

    add("6.1", "npv_mdkk", result.npv_mdkk, "mDKK")
    add("6.1", "bcr", result.bcr, "ratio")
    add("6.1", "irr_pct", result.irr_pct, "%")
    if math.isfinite(result.nnk):
        add("6.1", "nnk", result.nnk, "ratio (NPV per DKK of public funds)")
    else:
        # net public revenue (or no public cost): the public-funds NNK is undefined; the
        # return per krone of construction cost takes its place, labelled
        construction = -float((result.items["construction"] * result.discount).sum())
        if construction > 0:
            add(
                "6.1",
                "nnk",
                result.npv_mdkk / construction,
                "ratio (NPV per DKK of construction cost: the project yields a net public "
                "revenue, so NPV per DKK of public funds is undefined)",
            )
    add("6.1", "npv_high_co2_mdkk", result.npv_high_co2_mdkk, "mDKK")
    _stage_grade(project, "6.2", add)
    return rows


def _judged(project: Any, sub: str, add: Any) -> None:
    j = project.judgements.get(sub)
    if j is None:
        raise InputError(
            f"no judgement for sub-criterion {sub}, which the model does not compute",
            file=getattr(project, "path", None),
            field=f"judgements.{sub}",
            expected=f"{{level: {sub}-0 ... {sub}-4 (rubric.yaml), reason: one line}}",
        )
    add(sub, "grade", float(j.score), "grade 0-4", "judged")


def _stage_grade(project: Any, sub: str, add: Any) -> None:
    """The rule-based grade of ``sub`` (6.2): the rubric's rule on the project's planning
    stage and cost estimate (:func:`mobility.rubric.stage_grade`); a combination gets the mean
    of its parts' grades. Basis ``judged``: not modelled, on the judged 0-4 scale."""
    from mobility.rubric import load_rubric, stage_grade

    rubric = load_rubric()
    parts = getattr(project, "parts", None) or (project,)
    grade = sum(stage_grade(p, sub, rubric).grade for p in parts) / len(parts)
    rule = rubric.rules[sub]
    add(sub, rule.indicator, grade, "grade 0-4 (rule: rubric.yaml)", "judged")


def format_value(value: float) -> str:
    """Fixed, deterministic number formatting for the CSV files (``nan`` when undefined)."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Combined:
    """Several projects evaluated together (``--combine a,b``), as one pseudo-project."""

    parts: Sequence[Any]

    @property
    def id(self) -> str:
        return "+".join(p.id for p in self.parts)

    @property
    def name(self) -> str:
        return " + ".join(p.name for p in self.parts)

    @property
    def kind(self) -> str:
        kinds = {p.kind for p in self.parts}
        return kinds.pop() if len(kinds) == 1 else "other"

    @property
    def status(self) -> str:
        return "combination"

    @property
    def opening_year(self) -> int:
        return max(p.opening_year for p in self.parts)

    @property
    def capex_mdkk(self) -> float:
        return float(sum(p.capex_mdkk for p in self.parts))

    @property
    def capex_base_mdkk(self) -> float:
        return float(sum(p.capex_base_mdkk for p in self.parts))

    @property
    def opex_mdkk_per_year(self) -> float:
        return float(sum(p.opex_mdkk_per_year for p in self.parts))

    @property
    def construction_years(self) -> int | None:
        years = [p.construction_years for p in self.parts if p.construction_years]
        return max(years) if years else None

    @property
    def construction_co2e_norm_t(self) -> float | None:
        norms = [getattr(p, "construction_co2e_norm_t", None) for p in self.parts]
        return None if any(n is None for n in norms) else float(sum(norms))  # type: ignore[arg-type]

    @property
    def construction_co2e_t(self) -> float:
        return float(sum(p.construction_co2e_t for p in self.parts))

    @property
    def municipalities(self) -> tuple[str, ...]:
        out: list[str] = []
        for p in self.parts:
            out.extend(m for m in p.municipalities if m not in out)
        return tuple(out)

    @property
    def region_part(self) -> str:
        parts = {p.region_part for p in self.parts}
        return parts.pop() if len(parts) == 1 else "region"

    @property
    def judgements(self) -> dict[str, Any]:
        from mobility.projects import Judgement

        out = {}
        for sub in ("2.2", "5.2", "6.2"):
            js = [p.judgements[sub] for p in self.parts if sub in p.judgements]
            if js:
                out[sub] = Judgement(
                    score=round(sum(j.score for j in js) / len(js)),
                    reason="mean of: " + "; ".join(j.reason for j in js),
                )
        return out

    @property
    def path(self) -> str:
        return ", ".join(p.path for p in self.parts)

    @property
    def changes(self) -> tuple[Any, ...]:
        return tuple(c for p in self.parts for c in p.changes)
