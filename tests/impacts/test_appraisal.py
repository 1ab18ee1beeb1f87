"""Appraisal on a toy network: a bypass relieves a bottleneck; a void project changes nothing.

The toy "model" is fixed demand assigned to equilibrium (mobility.network.assignment) on a
road graph built like the region's (mobility.region.roads.road_link_network); the project
is applied with mobility.region.apply_changes, so the test runs the real chain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import networkx as nx
import numpy as np
import pytest

from mobility.impacts import cba
from mobility.impacts.appraisal import AppraisalSettings, Corridor
from mobility.impacts.cba_inputs import cba_inputs
from mobility.impacts.effects import effects
from mobility.impacts.indicators import indicator_rows
from mobility.impacts.unit_prices import load_unit_prices
from mobility.network.assignment import assign
from mobility.network.paths import skim
from mobility.projects import project_from_mapping
from mobility.region import road_link_network
from mobility.region.zones import Zones

PEAK_SHARE = 0.1
YEAR = 2035


@dataclass
class Inputs:
    zones: Zones
    roads: nx.MultiDiGraph
    transit: Any
    year: int


def toy_zones() -> Zones:
    return Zones(
        zone_id=np.array([1, 2], dtype=np.int64),
        name=["Vest", "Øst"],
        kind=["municipality", "municipality"],
        municipality_code=np.array([151, 101], dtype=np.int64),
        municipality=["Ballerup", "København"],
        lon=np.array([12.30, 12.60]),
        lat=np.array([55.70, 55.70]),
        residents=np.array([50_000.0, 80_000.0]),
        jobs=np.array([20_000.0, 90_000.0]),
        region_part=["frederikssund", "central"],
        in_region=np.array([True, True]),
        year=YEAR,
    )


def toy_roads() -> nx.MultiDiGraph:
    """Centroids 1, 2; road 11-12-13-14 with a one-lane bottleneck 12-13 through a town."""
    g = nx.MultiDiGraph()
    g.add_node(1, x=12.30, y=55.70, zone_id=1)
    g.add_node(2, x=12.60, y=55.70, zone_id=2)
    for n, x, y in (
        (11, 12.32, 55.70),
        (12, 12.40, 55.70),
        (13, 12.43, 55.70),
        (14, 12.58, 55.70),
        (15, 12.415, 55.715),
    ):
        g.add_node(n, x=x, y=y)
    spec = [
        (1, 11, "connector", 1, 99999, 50, 0.5),
        (11, 12, "motorway", 2, 3800, 110, 5.0),
        (12, 13, "arterial", 1, 900, 50, 2.0),
        (13, 14, "motorway", 2, 3800, 110, 9.5),
        (14, 2, "connector", 1, 99999, 50, 0.5),
    ]
    lid = 1
    for u, v, cls, lanes, cap, speed, length in spec:
        for a, b in ((u, v), (v, u)):
            g.add_edge(
                a,
                b,
                key=lid,
                link_id=lid,
                name=f"road {u}-{v}",
                road_class=cls,
                lanes=lanes,
                capacity_vph=float(cap),
                free_speed_kmh=float(speed),
                length_km=length,
                toll_dkk=0.0,
                modes="car,bike",
                source="test",
            )
            lid += 1
    return g


def mini_model(inputs: Inputs, peak_demand: float = 2500.0) -> Any:
    """Fixed-demand stand-in of run_model: car assigned at equilibrium, other modes fixed."""
    net = road_link_network(inputs.roads, inputs.zones, modes="car")
    demand = np.array([[0.0, peak_demand], [0.3 * peak_demand, 0.0]])
    res = assign(net, demand, rel_gap=1e-9, max_iter=5000)
    sk = skim(net, res.times, accumulate={"length_km": net.length})
    cost = sk.cost.copy()
    np.fill_diagonal(cost, 5.0)
    day = demand / PEAK_SHARE
    fixed = np.array([[5.0, 60.0], [60.0, 5.0]])
    return SimpleNamespace(
        scenario=None,
        inputs=inputs,
        road_net=net,
        assignment=res,
        od={"car": day, "pt": 0.5 * day, "bike": 0.1 * day, "walk": 0.0 * day},
        gen_cost={"car": cost, "pt": fixed, "bike": 2 * fixed, "walk": 4 * fixed},
        skims={
            "car": {"time_min": cost, "peak_time_min": cost, "length_km": sk.sums["length_km"]},
            "bike": {"length_km": np.array([[1.0, 17.0], [17.0, 1.0]])},
            "pt": {"time_min": fixed},
        },
        pt_boardings={},
        annualisation={
            "peak_hour_share": PEAK_SHARE,
            "delay_weekdays_per_year": 230.0,
            "traffic_days_per_year": 338.0,
            "delay_peak_hour_to_weekday": 4.0,
        },
    )


def project(changes: list[dict[str, Any]], capex: float = 400.0) -> Any:
    doc = {
        "id": "bypass",
        "name": "Bypass",
        "kind": "road",
        "status": "candidate",
        "municipalities": ["Ballerup"],
        "opening_year": 2032,
        "capex": {"mdkk": capex, "price_year": 2022, "estimate_class": "test"},
        "opex_mdkk_per_year": 0.0,
        "construction_co2e_t": 0.0 if capex == 0 else 5000.0,
        "network_changes": changes,
        "judgements": {
            "2.2": {"level": "2.2-1", "reason": "r"},
            "5.2": {"level": "5.2-0", "reason": "r"},
        },
        "sources": ["test"],
    }
    return project_from_mapping(doc, path="bypass.yaml", zones=toy_zones())


def run(changes: list[dict[str, Any]], capex: float) -> tuple[list[tuple], Any, Any]:
    from mobility.region import apply_changes

    ref_inputs = Inputs(toy_zones(), toy_roads(), None, YEAR)
    p = project(changes, capex)
    proj_inputs = apply_changes(ref_inputs, p.changes, project_id=p.id)
    ref, proj = mini_model(ref_inputs), mini_model(proj_inputs)
    settings = AppraisalSettings(corridors=(Corridor("Vest-Øst", (0,), (1,)),))
    eff = effects(ref, proj, settings=settings, year=YEAR)
    prices = load_unit_prices()
    result = cba.appraise(cba_inputs(p, eff, prices), prices=prices, base_year=2026)
    rows = indicator_rows(
        p, eff, result, zones=ref_inputs.zones, settings=settings, prices=prices, year=YEAR
    )
    return rows, result, ref_inputs


BYPASS = [
    {
        "op": "add_link",
        "from": {"node": 12},
        "to": {"node": 13},
        "via": [{"node": 15}],
        "name": "Omfartsvej",
        "road_class": "motorway",
        "lanes": 2,
        "free_speed_kmh": 90,
    }
]


def value(rows: list[tuple], indicator: str) -> float:
    hits = [r[4] for r in rows if r[3] == indicator]
    assert len(hits) == 1, indicator
    return hits[0]


def test_bypass_relieves_bottleneck() -> None:
    rows, result, ref_inputs = run(BYPASS, capex=400.0)
    assert ref_inputs.roads.number_of_edges() == 10  # reference not mutated
    assert value(rows, "hours_saved_per_year") > 0
    assert value(rows, "corridor_hours_saved_per_year") == pytest.approx(
        value(rows, "hours_saved_per_year")
    )
    assert value(rows, "car_delay_hours_saved_per_year") > 0
    # out of stop-and-go in the town onto a free-flowing bypass: less CO2e, fewer exposed
    assert value(rows, "co2e_change_t_per_year") < 0
    assert value(rows, "residents_exposed_change") <= 0
    assert 0 < value(rows, "co2e_payback_years") < 999
    # 1.1 is continuous: the time gain per resident, by municipality and on average
    assert value(rows, "time_gain_h_per_resident[Ballerup]") > 0
    assert value(rows, "time_gain_h_per_resident_municipal_mean") == pytest.approx(
        0.5
        * (
            value(rows, "time_gain_h_per_resident[Ballerup]")
            + value(rows, "time_gain_h_per_resident[København]")
        )
    )
    assert value(rows, "residents_benefiting") > 0
    # 2.1 on the scenario's relation: minutes saved per peak trip, by mode (car only here)
    assert value(rows, "corridor_peak_minutes_saved[Vest-Øst|car]") > 0
    # NPV consistent with cost: benefits are valued, a higher cost lowers the NPV by its PV
    _, result_dear, _ = run(BYPASS, capex=40_000.0)
    assert result_dear.npv_mdkk < result.npv_mdkk
    assert result_dear.npv_mdkk < 0
    assert (result.npv_mdkk > 0) == (result.pv_benefits_mdkk > result.pv_costs_mdkk)
    assert value(rows, "npv_mdkk") == pytest.approx(round(result.npv_mdkk, 9))
    subs = {r[2] for r in rows}
    assert subs == {
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
        "4.1",
        "4.2",
        "5.1",
        "5.2",
        "6.1",
        "6.2",
    }
    assert all(r[6] in ("modelled", "judged") for r in rows)


def _staged(pid: str, stage: str | None, capex_note: str = "") -> Any:
    """The bypass project with a planning ``stage`` and a note on its capex estimate."""
    out: dict[str, Any] = {
        "id": pid,
        "name": pid,
        "kind": "road",
        "status": "candidate",
        "municipalities": ["Ballerup"],
        "opening_year": 2032,
        "capex": {"mdkk": 400.0, "price_year": 2022, "estimate_class": "test"},
        "opex_mdkk_per_year": 0.0,
        "construction_co2e_t": 5000.0,
        "network_changes": BYPASS,
        "judgements": {
            "2.2": {"level": "2.2-0", "reason": "r"},
            "5.2": {"level": "5.2-0", "reason": "r"},
        },
        "sources": ["test"],
    }
    if stage is not None:
        out["stage"] = stage
    if capex_note:
        out["estimates"] = {"capex": capex_note}
    return project_from_mapping(out, path=f"{pid}.yaml", zones=toy_zones())


def _staged_rows(p: Any) -> list[tuple]:
    from mobility.impacts.combined import Combined
    from mobility.region import apply_changes

    ref_inputs = Inputs(toy_zones(), toy_roads(), None, YEAR)
    parts = p.parts if isinstance(p, Combined) else (p,)
    proj_inputs = ref_inputs
    for part in parts:
        proj_inputs = apply_changes(proj_inputs, part.changes, project_id=part.id)
    ref, proj = mini_model(ref_inputs), mini_model(proj_inputs)
    settings = AppraisalSettings(corridors=(Corridor("Vest-Øst", (0,), (1,)),))
    eff = effects(ref, proj, settings=settings, year=YEAR)
    prices = load_unit_prices()
    result = cba.appraise(cba_inputs(p, eff, prices), prices=prices, base_year=2026)
    return indicator_rows(
        p, eff, result, zones=ref_inputs.zones, settings=settings, prices=prices, year=YEAR
    )


def test_6_2_row_is_the_rubric_rule_on_stage_and_cost_estimate() -> None:
    from mobility.impacts.combined import Combined

    unit = "grade 0-4 (rule: rubric.yaml)"
    for stage, note, grade in (("vvm", "", 3.0), ("anlaegslov", "[M] guess", 3.0), (None, "", 0)):
        rows = _staged_rows(_staged("b", stage, note))
        assert [r[2:] for r in rows if r[2] == "6.2"] == [
            ("6.2", "stage_grade", grade, unit, "judged")
        ]
    # a combination: the mean of its parts' rule grades (vvm 3, screening 1)
    both = Combined((_staged("b", "vvm"), _staged("c", "screening")))
    rows = _staged_rows(both)
    assert [r[4] for r in rows if r[2] == "6.2"] == [2.0]


def test_void_project_changes_nothing() -> None:
    rows, result, _ = run([], capex=0.0)
    for r in rows:
        if r[6] != "modelled":
            continue
        if r[3] == "co2e_payback_years":
            assert r[4] == 999.0
        elif r[3] == "construction_co2e_vs_type_norm":
            assert r[4] == 1.0  # nothing built: neutral, the norm itself
        else:
            assert r[4] == pytest.approx(0.0, abs=1e-6), r[3]
    assert result.npv_mdkk == pytest.approx(0.0, abs=1e-9)
    # undefined ratios are left out, never written as nan
    assert math.isnan(result.irr_pct) and math.isnan(result.bcr)
    assert not {"bcr", "irr_pct", "nnk"} & {r[3] for r in rows}
    assert all(math.isfinite(r[4]) for r in rows)


# --------------------------------------------------------------------------------------------
# Hand-made runs for the sub-criteria (issue 12): two zones, numbers chosen by hand


DAYS = 338.0


def _run(od: dict[str, np.ndarray], cost: dict[str, np.ndarray], skims: dict) -> Any:
    from mobility.impacts.run_summary import RunSummary

    summary = RunSummary(
        car_vkm_day=0.0,
        co2e_t_day=0.0,
        toll_dkk_day=0.0,
        noise_exposed=0.0,
        noise_exposure=0.0,
        trips={m: float(od[m].sum()) if m in od else 0.0 for m in ("car", "pt", "bike", "walk")},
        bike_km_day=0.0,
        pt_boardings_day=0.0,
        jobs_pt_45=0.0,
        delay_vh_peak=0.0,
    )
    inputs = SimpleNamespace(zones=toy_zones())
    annual = {
        "peak_hour_share": PEAK_SHARE,
        "delay_weekdays_per_year": 230.0,
        "traffic_days_per_year": DAYS,
        "delay_peak_hour_to_weekday": 4.0,
    }
    return SimpleNamespace(
        inputs=inputs, od=od, gen_cost=cost, skims=skims, summary=summary, annualisation=annual
    )


def _rows_of(ref: Any, proj: Any) -> list[tuple]:
    settings = AppraisalSettings(corridors=(Corridor("Vest-Øst", (0,), (1,)),))
    eff = effects(ref, proj, settings=settings, year=YEAR)
    prices = load_unit_prices()
    p = project([], capex=100.0)
    result = cba.appraise(cba_inputs(p, eff, prices), prices=prices, base_year=2026)
    return indicator_rows(
        p, eff, result, zones=toy_zones(), settings=settings, prices=prices, year=YEAR
    )


def test_pricing_scheme_1_1_is_its_time_gain_and_the_toll_is_shown_beside() -> None:
    """A charge that cuts the car time Vest -> Øst from 30 to 20 minutes at a toll of 20 DKK:
    1.1 holds the time gain only (rule of half on the minutes), the money is a separate row,
    and the two add up to the surplus the demand model saw."""
    from mobility.demand.parameters import load_demand_parameters

    par = load_demand_parameters()
    occ = par.car_occupancy("commute")
    t0 = np.array([[0.0, 1000.0], [0.0, 0.0]])
    t1 = 0.9 * t0
    km = np.array([[0.0, 20.0], [20.0, 0.0]])
    money0 = km * par.car_cost_per_km / occ
    toll = np.array([[0.0, 20.0], [0.0, 0.0]])
    money1 = (km * par.car_cost_per_km + toll) / occ
    minutes0, minutes1 = np.array([[5.0, 30.0], [30.0, 5.0]]), np.array([[5.0, 20.0], [30.0, 5.0]])
    vot = par.value_of_time("commute")
    ref = _run(
        {"car": t0},
        {"car": minutes0 + 60.0 * money0 / vot},
        {"car": {"length_km": km, "peak_time_min": minutes0}},
    )
    proj = _run(
        {"car": t1},
        {"car": minutes1 + 60.0 * money1 / vot},
        {"car": {"length_km": km, "toll_dkk": toll, "peak_time_min": minutes1}},
    )
    rows = _rows_of(ref, proj)
    trips = 0.5 * (1000.0 + 900.0)
    time_h = trips * 10.0 / 60.0 * DAYS  # split half to each end's zone
    res = toy_zones().residents
    assert value(rows, "time_gain_h_per_resident[Ballerup]") == pytest.approx(0.5 * time_h / res[0])
    assert value(rows, "time_gain_h_per_resident[København]") == pytest.approx(
        0.5 * time_h / res[1]
    )
    paid = trips * 20.0 / occ * DAYS
    assert value(rows, "money_change_dkk_per_resident") == pytest.approx(-paid / res.sum())
    assert value(rows, "outer_share_of_time_gain") == pytest.approx(0.5)
    # 1.2: each zone's residents weighted by min(1, gain per resident / 0.25 h), once each
    per_res = 0.5 * time_h / res
    expected = float((res * np.minimum(1.0, per_res / 0.25)).sum())
    assert value(rows, "residents_benefiting") == pytest.approx(expected)
    assert value(rows, "corridor_peak_minutes_saved[Vest-Øst|car]") == pytest.approx(10.0)


def test_an_added_transfer_lowers_5_1_by_no_more_than_its_time() -> None:
    """A service change that adds one transfer costing 6 weighted minutes to the PT trip:
    5.1 (PT travellers' time) falls by at most 6 minutes x the reference trips, the boardings
    rise (so a boardings-based 5.1 would have rewarded it), and 5.2 counts one transfer more
    per trip."""
    t0 = np.array([[0.0, 1000.0], [1000.0, 0.0]])
    t1 = 0.95 * t0
    c0 = np.array([[5.0, 40.0], [40.0, 5.0]])
    c1 = c0 + 6.0 * (1.0 - np.eye(2))
    b0, b1 = np.ones((2, 2)), 2.0 * np.ones((2, 2))
    km = np.full((2, 2), 10.0)
    skim0 = {"time_min": c0, "length_km": km, "boardings": b0}
    skim1 = {"time_min": c1, "length_km": km, "boardings": b1}
    from mobility.demand.parameters import load_demand_parameters

    par = load_demand_parameters()
    fare = (par.pt_fare_base + par.pt_fare_per_km * km) * 60.0 / par.value_of_time("commute")
    ref = _run({"pt": t0}, {"pt": c0 + fare}, {"pt": skim0})
    proj = _run({"pt": t1}, {"pt": c1 + fare}, {"pt": skim1})
    rows = _rows_of(ref, proj)
    lost_h = -value(rows, "pt_time_saved_h_per_year")
    assert 0 < lost_h <= 2000.0 * 6.0 / 60.0 * DAYS
    assert lost_h == pytest.approx(0.5 * (2000.0 + 1900.0) * 6.0 / 60.0 * DAYS)
    assert value(rows, "transfers_saved_per_day") == pytest.approx(-0.5 * (2000.0 + 1900.0))


def test_active_km_is_cycled_plus_walked_km_by_hand() -> None:
    """4.1: cycle-km and walk-km (trips x skim length) change by exactly what the OD changes
    imply; the car network is the toy's, unchanged between the runs."""
    inputs = Inputs(toy_zones(), toy_roads(), None, YEAR)
    ref, proj = mini_model(inputs), mini_model(inputs)
    bike_km = ref.skims["bike"]["length_km"]  # the toy's: 17 km between the zones
    walk_km = np.array([[0.8, 15.0], [15.0, 0.8]])
    for run_ in (ref, proj):
        run_.skims["walk"] = {"length_km": walk_km}
    proj.od = dict(proj.od)
    proj.od["bike"] = ref.od["bike"] + np.array([[0.0, 300.0], [100.0, 0.0]])
    proj.od["walk"] = ref.od["walk"] + np.array([[50.0, 0.0], [0.0, 0.0]])
    rows = _rows_of(ref, proj)
    assert bike_km[0, 1] == bike_km[1, 0] == 17.0
    expected = 300.0 * 17.0 + 100.0 * 17.0 + 50.0 * 0.8
    assert value(rows, "active_km_change_per_day") == pytest.approx(expected)
    assert value(rows, "walk_km_change_per_day") == pytest.approx(50.0 * 0.8)
    assert value(rows, "cycle_km_change_per_day") == pytest.approx(400.0 * 17.0)


def _no_effects() -> Any:
    """The effects of two identical empty runs (a project that changes nothing)."""
    empty = _run({"car": np.zeros((2, 2))}, {"car": np.zeros((2, 2))}, {})
    return effects(empty, empty, settings=AppraisalSettings(), year=YEAR)


def test_nnk_where_the_public_cost_is_negative_is_per_krone_of_construction() -> None:
    """6.1: NNK is NPV / public outlay; where the project yields a net public revenue (a
    congestion charge) that is undefined, and the row holds NPV per krone of construction
    cost, saying so in its unit."""
    eff = _no_effects()
    prices = load_unit_prices()
    p = project([], capex=100.0)
    result = cba.appraise(cba_inputs(p, eff, prices), prices=prices, base_year=2026)
    construction = -float((result.items["construction"] * result.discount).sum())
    assert construction > 0
    defined = indicator_rows(
        p, eff, result, zones=toy_zones(), settings=AppraisalSettings(), prices=prices, year=YEAR
    )
    assert value(defined, "nnk") == pytest.approx(result.nnk)
    import dataclasses

    revenue = dataclasses.replace(result, nnk=math.nan)
    rows = indicator_rows(
        p, eff, revenue, zones=toy_zones(), settings=AppraisalSettings(), prices=prices, year=YEAR
    )
    nnk = [r for r in rows if r[3] == "nnk"]
    assert len(nnk) == 1 and nnk[0][4] == pytest.approx(result.npv_mdkk / construction)
    assert "construction cost" in nnk[0][5]


def test_low_co2_choice_scores_3_2_against_the_type_norm() -> None:
    """3.2: construction CO2e over the type's norm; a documented 25 % low-CO2 choice gives 0.75
    whatever the project's size (a larger project of the same design scores the same)."""
    from mobility.projects import load_construction_factors

    def low(km: float) -> Any:
        doc = dict(
            id="low",
            name="Low",
            kind="road",
            status="candidate",
            municipalities=["Ballerup"],
            opening_year=2032,
            capex={"mdkk": 400.0, "price_year": 2022, "estimate_class": "test"},
            opex_mdkk_per_year=0.0,
            quantities={"road_km": km},
            low_co2={"reduction_share": 0.25, "reason": "low-clinker concrete", "source": "t"},
            network_changes=[],
            judgements={
                "2.2": {"level": "2.2-1", "reason": "r"},
                "5.2": {"level": "5.2-0", "reason": "r"},
            },
            sources=["test"],
        )
        return project_from_mapping(doc, path="low.yaml", zones=toy_zones())

    eff = _no_effects()
    prices = load_unit_prices()
    ratios = []
    for km in (4.0, 40.0):
        p = low(km)
        assert p.construction_co2e_t == pytest.approx(
            0.75 * km * load_construction_factors()["road_km"]
        )
        res = cba.appraise(cba_inputs(p, eff, prices), prices=prices, base_year=2026)
        rows = indicator_rows(
            p, eff, res, zones=toy_zones(), settings=AppraisalSettings(), prices=prices, year=YEAR
        )
        ratios.append(value(rows, "construction_co2e_vs_type_norm"))
    assert ratios == pytest.approx([0.75, 0.75])


def test_time_and_money_split_by_purpose_at_the_values_the_model_used() -> None:
    """The same toll and time saving for a commute and a business trip: each purpose's cost
    turned money into minutes at its own value of time (110 and 440 kr./h), and the split
    gives back the same hours and kroner for both, whatever the conversion."""
    from mobility.impacts.effects import _money_time_split

    vots = {"commute": 110.0, "business": 440.0}
    t0 = np.array([[0.0, 1000.0], [0.0, 0.0]])
    t1 = 0.9 * t0
    minutes0 = np.array([[5.0, 30.0], [30.0, 5.0]])
    minutes1 = np.array([[5.0, 20.0], [30.0, 5.0]])
    money0 = np.zeros((2, 2))
    money1 = np.array([[0.0, 20.0], [0.0, 0.0]])

    def run(t: np.ndarray, minutes: np.ndarray, money: np.ndarray) -> Any:
        r = _run({"car": t}, {"car": minutes}, {})
        r.od_by_purpose = {q: {"car": t} for q in vots}
        r.gen_cost_by_purpose = {q: {"car": minutes + 60.0 * money / v} for q, v in vots.items()}
        r.money_by_purpose = {q: {"car": money} for q in vots}
        r.values_of_time = vots
        return r

    time_h, money_dkk, foreign_h, _ = _money_time_split(
        run(t0, minutes0, money0), run(t1, minutes1, money1), {"traffic_days_per_year": DAYS}
    )
    # production-attraction 0 -> 1: half the trips go 0 -> 1 (saved and tolled), half return
    trips = 0.5 * (500.0 + 450.0)
    for q in vots:
        assert time_h[q] == pytest.approx(trips * 10.0 / 60.0 * DAYS)
    assert money_dkk == pytest.approx(-2 * trips * 20.0 * DAYS)
    assert sum(foreign_h.values()) == 0.0
