"""Two small projects appraised item by item against a hand calculation (to the krone).

The unit prices are the bundled file's rows with the values used here written out below
(growth switched off, no ramp-up), so every expected number is plain arithmetic on the
numbers in this file: a rail line with fares, operating cost and rolling stock, and a road
with vans and trucks that moves traffic from rural roads to a motorway.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from mobility.impacts.cba import appraise, measures
from mobility.impacts.cba_inputs import CbaInputs
from mobility.impacts.operator import line_service
from mobility.impacts.unit_prices import load_unit_prices

#: (item, road_class) -> value used in the hand calculation.
PRICES = {
    ("vot_nonbusiness", ""): 110.0,
    ("vot_commute", ""): 110.0,
    ("vot_other", ""): 110.0,
    ("vot_business", ""): 440.0,
    ("commute_trip_share", ""): 0.26,
    ("business_trip_share", ""): 0.08,
    ("vot_van", ""): 350.0,
    ("vot_truck", ""): 560.0,
    ("voc_car", ""): 1.95,
    ("voc_perceived_share", ""): 0.5,
    ("voc_van", ""): 2.6,
    ("voc_truck", ""): 6.0,
    ("co2_price_central", ""): 600.0,
    ("co2_price_high", ""): 1500.0,
    ("noise", ""): 3000.0,
    ("accidents", "motorway"): 0.11,
    ("accidents", "rural"): 0.14,
    ("accidents", "urban"): 0.30,
    ("air_pollution_car", "motorway"): 0.02,
    ("air_pollution_car", "rural"): 0.03,
    ("air_pollution_car", "urban"): 0.25,
    ("air_pollution_van", "motorway"): 0.05,
    ("air_pollution_truck", "motorway"): 0.30,
    ("fuel_tax_car", ""): 0.45,
    ("naf", ""): 1.28,
    ("tax_distortion", ""): 0.0,
    ("ramp_up_year_1", ""): 1.0,
    ("ramp_up_year_2", ""): 1.0,
    ("asset_life_rail", ""): 70.0,
    ("asset_life_road", ""): 80.0,
    ("horizon_years", ""): 50.0,
}
VOT = 0.26 * 110 + 0.08 * 440 + 0.66 * 110  # 136.4 DKK per person-hour


@pytest.fixture
def prices(tmp_path: Path):
    src = load_unit_prices().path
    with open(src, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        key = (row["item"], row["road_class"])
        if key in PRICES:
            row["value"] = repr(PRICES[key])
        row["growth"] = "none"
    out = tmp_path / "prices.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return load_unit_prices(out)


def df(year: int, base: int = 2026) -> float:
    """FM discount factor, written out: 3.5 % to year 35, 2.5 % to 70, 1.5 % after."""
    t = year - base
    if t <= 35:
        return 1.035**-t
    if t <= 70:
        return 1.035**-35 * 1.025 ** -(t - 35)
    return 1.035**-35 * 1.025**-35 * 1.015 ** -(t - 70)


def pv(stream: dict[int, float]) -> float:
    return sum(v * df(y) for y, v in stream.items())


def check(res, expected: dict[str, dict[int, float]]) -> None:
    for item, stream in expected.items():
        got = res.pv(item)
        assert got == pytest.approx(pv(stream), abs=1e-6), item  # 1e-6 mio. kr. = 1 krone
    rest = set(res.items) - set(expected)
    for item in rest:
        assert res.pv(item) == pytest.approx(0.0, abs=1e-6), item


def test_rail_line_with_fares_operating_cost_and_rolling_stock(prices) -> None:
    inp = CbaInputs(
        project_id="rail",
        kind="rail",
        opening_year=2030,
        capex_mdkk=1000.0,
        capex_price_year=prices.base_price_year,
        construction_years=2,
        user_benefit_h=1e6,
        foreign_benefit_h=1e5,
        fare_revenue_mdkk=20.0,
        pt_opex_mdkk=15.0,
        rolling_stock_mdkk=120.0,
        rolling_stock_life=30.0,
        car_vkm=-5e6,
        vkm_by_class={"car@rural": -3e6, "car@urban": -2e6},
        co2e_t=-1000.0,
        construction_co2e_t=20000.0,
    )
    res = appraise(inp, prices=prices, base_year=2026)
    ops = range(2030, 2080)  # 50 years of operation
    residual = 1000 * (1 - 50 / 70) + 120 * (1 - 21 / 30)  # stock renewed 2059, 21 years old
    expected = {
        "construction": {2028: -1.28 * 500, 2029: -1.28 * 500},
        "rolling_stock": {2029: -1.28 * 120, 2059: -1.28 * 120},
        "pt_operating_cost": {y: -1.28 * 15 for y in ops},
        "residual_value": {2079: 1.28 * residual},
        "travel_time_user_benefit": {y: 1e6 * VOT / 1e6 for y in ops},
        "vehicle_operating_costs": {y: 5e6 * 1.95 * 0.5 / 1e6 for y in ops},
        "co2e": {y: 1000 * 600 / 1e6 for y in ops},
        "construction_co2e": {2028: -10000 * 600 / 1e6, 2029: -10000 * 600 / 1e6},
        "accidents": {y: (3e6 * 0.14 + 2e6 * 0.30) / 1e6 for y in ops},
        "air_pollution": {y: (3e6 * 0.03 + 2e6 * 0.25) / 1e6 for y in ops},
        "fuel_tax_revenue": {y: -5e6 * 0.45 / 1e6 for y in ops},
        "fare_revenue": {y: 20.0 for y in ops},
    }
    check(res, expected)
    npv = sum(pv(s) for s in expected.values())
    assert res.npv_mdkk == pytest.approx(npv, abs=1e-6)
    public = {y: 0.0 for y in range(2028, 2080)}
    for y in (2028, 2029):
        public[y] += 500
    for y in (2029, 2059):
        public[y] += 120
    for y in ops:
        public[y] += 15 + 5e6 * 0.45 / 1e6 - 20
    public[2079] -= residual
    pv_public = 1.28 * pv(public)
    m = measures(res)
    assert m["pv_public_cost"] == pytest.approx(pv_public, abs=1e-6)
    assert m["nnk"] == pytest.approx(npv / pv_public, rel=1e-12)
    costs = -sum(
        pv(expected[k])
        for k in ("construction", "rolling_stock", "pt_operating_cost", "residual_value")
    )
    assert m["bcr"] == pytest.approx((npv + costs) / costs, rel=1e-12)
    assert m["npv_danish"] == pytest.approx(npv - pv({y: 1e5 * VOT / 1e6 for y in ops}), abs=1e-6)


def test_road_with_vans_and_trucks(prices) -> None:
    inp = CbaInputs(
        project_id="road",
        kind="road",
        opening_year=2030,
        capex_mdkk=500.0,
        capex_price_year=prices.base_price_year,
        construction_years=1,
        opex_mdkk_per_year=2.0,
        user_benefit_h=5e5,
        user_money_mdkk=-1.0,
        van_h=2e4,
        truck_h=1e4,
        car_vkm=2e6,
        van_vkm=1e6,
        truck_vkm=2e5,
        vkm_by_class={
            "car@motorway": 8e6,
            "car@rural": -6e6,
            "van@motorway": 1e6,
            "truck@motorway": 2e5,
        },
        co2e_t=500.0,
        noise_exposed=-100.0,
    )
    res = appraise(inp, prices=prices, base_year=2026)
    ops = range(2030, 2080)
    expected = {
        "construction": {2029: -1.28 * 500},
        "operation_maintenance": {y: -1.28 * 2 for y in ops},
        "residual_value": {2079: 1.28 * 500 * (1 - 50 / 80)},
        "travel_time_user_benefit": {y: 5e5 * VOT / 1e6 for y in ops},
        "user_money_benefit": {y: -1.0 for y in ops},
        "van_truck_time": {y: (2e4 * 350 + 1e4 * 560) / 1e6 for y in ops},
        "vehicle_operating_costs": {y: -2e6 * 1.95 * 0.5 / 1e6 for y in ops},
        "commercial_running_costs": {y: -(1e6 * 2.6 + 2e5 * 6.0) / 1e6 for y in ops},
        "co2e": {y: -500 * 600 / 1e6 for y in ops},
        "noise": {y: 100 * 3000 / 1e6 for y in ops},
        # the motorway takes traffic off rural roads: fewer accidents on balance
        "accidents": {y: -(8e6 * 0.11 - 6e6 * 0.14 + 1e6 * 0.11 + 2e5 * 0.11) / 1e6 for y in ops},
        "air_pollution": {
            y: -(8e6 * 0.02 - 6e6 * 0.03 + 1e6 * 0.05 + 2e5 * 0.30) / 1e6 for y in ops
        },
        "fuel_tax_revenue": {y: 2e6 * 0.45 / 1e6 for y in ops},
    }
    check(res, expected)
    assert res.npv_mdkk == pytest.approx(sum(pv(s) for s in expected.values()), abs=1e-6)
    assert res.npv_danish_mdkk == pytest.approx(res.npv_mdkk, abs=1e-9)


def test_growth_path_interpolates_between_model_years_and_is_flat_after(prices) -> None:
    inp = CbaInputs(
        project_id="g",
        kind="road",
        opening_year=2038,
        capex_mdkk=0.0,
        capex_price_year=prices.base_price_year,
        user_benefit_h=1e6,
        model_year=2035,
        effects_by_year={2045: {"user_benefit_h": 2e6}},
    )
    res = appraise(inp, prices=prices, base_year=2026)
    v = dict(zip(res.years.tolist(), res.items["travel_time_user_benefit"], strict=True))
    assert all(v[y] == 0.0 for y in v if y < 2038)  # nothing before opening
    assert v[2038] == pytest.approx(1.3e6 * VOT / 1e6)  # 3/10 of the way to 2045
    assert v[2045] == pytest.approx(2e6 * VOT / 1e6)
    assert v[2087] == pytest.approx(2e6 * VOT / 1e6)  # flat after the last model year


def test_peak_vehicles_from_round_trip_and_headway() -> None:
    class Stop:
        def __init__(self, lon: float) -> None:
            self.lon, self.lat = lon, 0.0

    class Line:
        mode, headway_min, speed_kmh, stops = "bus", 10.0, 40.0, ("a", "b")

    stops = {"a": Stop(0.0), "b": Stop(0.15)}
    s = line_service(Line(), stops, hours=18.0, layover_share=0.15)
    departures = 2 * 60 * 18 / 10
    km = s["vkm"] / departures
    assert km == pytest.approx(1.2 * 6371.0088 * np.radians(0.15), rel=1e-3)
    assert s["vehicle_hours"] == pytest.approx(departures * km / 40.0)
    assert s["peak_vehicles"] == np.ceil(2 * 60 * km / 40 * 1.15 / 10)


def test_time_by_purpose_at_each_purposes_value_interpolated(prices) -> None:
    """Each purpose's hours at its own value of time (110 commute and other, 440 business),
    the split of the later model year interpolated like every effect; the foreign share by
    purpose taken off the Danish NPV the same way."""
    inp = CbaInputs(
        project_id="q",
        kind="road",
        opening_year=2035,
        capex_mdkk=0.0,
        capex_price_year=prices.base_price_year,
        user_benefit_h=1.5e6,
        user_benefit_h_by_purpose={"commute": 1e6, "business": 2e5, "other": 3e5},
        foreign_benefit_h=1e5,
        foreign_benefit_h_by_purpose={"business": 1e5},
        model_year=2035,
        effects_by_year={
            2045: {
                "user_benefit_h": 3e6,
                "user_benefit_h_by_purpose": {"commute": 2e6, "business": 4e5, "other": 6e5},
            }
        },
    )
    res = appraise(inp, prices=prices, base_year=2026)
    v = dict(zip(res.years.tolist(), res.items["travel_time_user_benefit"], strict=True))
    assert v[2035] == pytest.approx((1e6 * 110 + 2e5 * 440 + 3e5 * 110) / 1e6, abs=1e-9)
    # 2040: half way to 2045 for every purpose
    assert v[2040] == pytest.approx((1.5e6 * 110 + 3e5 * 440 + 4.5e5 * 110) / 1e6, abs=1e-9)
    assert v[2060] == pytest.approx((2e6 * 110 + 4e5 * 440 + 6e5 * 110) / 1e6, abs=1e-9)
    # the foreign business hours (no later split given: held) at 440 kr./h
    foreign = 1e5 * 440 / 1e6
    assert res.npv_mdkk - res.npv_danish_mdkk == pytest.approx(
        float(np.sum(foreign * res.discount * (res.years >= 2035))), abs=1e-9
    )


def test_van_and_truck_tolls_net_out_against_toll_revenue(prices) -> None:
    """A toll that vans and trucks pay (3 of the 10 mio. kr. a year of revenue) is their cost
    and the state's revenue: the two items cancel, and only the cars' 7 stay as revenue,
    against which the cars' own money item stands (here -7: the same tolls)."""
    inp = CbaInputs(
        project_id="toll",
        kind="pricing_policy",
        opening_year=2030,
        capex_mdkk=0.0,
        capex_price_year=prices.base_price_year,
        user_money_mdkk=-7.0,
        toll_revenue_mdkk=10.0,
        van_truck_toll_mdkk=3.0,
    )
    res = appraise(inp, prices=prices, base_year=2026)
    ops = [y for y in res.years.tolist() if y >= 2030]
    v = {k: dict(zip(res.years.tolist(), res.items[k], strict=True)) for k in res.items}
    assert all(v["van_truck_toll"][y] == pytest.approx(-3.0) for y in ops)
    assert all(v["toll_revenue"][y] == pytest.approx(10.0) for y in ops)
    transfers = ("user_money_benefit", "van_truck_toll", "toll_revenue")
    assert all(sum(v[k][y] for k in transfers) == pytest.approx(0.0, abs=1e-12) for y in ops)
