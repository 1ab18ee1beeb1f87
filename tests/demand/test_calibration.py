"""Calibration updates (mobility.demand.calibration) on hand-made indicators."""

from __future__ import annotations

import math

import pytest

from mobility.demand.calibration import (
    CAPACITY_FACTOR_RANGE,
    RURAL_COLLECTOR_RANGE,
    TARGET_OERESUND,
    TARGET_SHARES,
    calibration_step,
    markdown_table,
)
from mobility.demand.parameters import load_demand_parameters


def _indicators(*, delay: float, km: float = 16.0, shares=None, oeresund=None) -> dict:
    shares = shares or TARGET_SHARES
    out = {f"mode_share_{m}": (s, "") for m, s in shares.items()}
    out["mean_commute_km"] = (km, "km")
    out["car_delay_hours_per_year"] = (delay, "h")
    for m, trips in (oeresund or TARGET_OERESUND).items():
        out[f"oeresund_{m}_trips_per_weekday"] = (trips, "trips")
    return out


def test_on_target_changes_nothing():
    p = load_demand_parameters()
    q = calibration_step(p, _indicators(delay=16.7e6), delay=True, delay_2035=33.4e6)
    fitted = ("asc_pt", "asc_bike", "asc_walk", "asc_border_car", "asc_border_pt")
    for name in (*fitted, "deterrence_commute", "capacity_factor"):
        assert getattr(q, name) == pytest.approx(getattr(p, name)), name


def test_border_constants_move_toward_the_oeresund_crossings():
    p = load_demand_parameters()
    few_cars = dict(TARGET_OERESUND, car=TARGET_OERESUND["car"] / 2)
    q = calibration_step(p, _indicators(delay=16.7e6, oeresund=few_cars), delay=False)
    assert q.asc_border_car - p.asc_border_car == pytest.approx(math.log(2.0))
    assert q.asc_border_pt == pytest.approx(p.asc_border_pt)
    assert q.capacity_factor_rural_collector == pytest.approx(p.capacity_factor_rural_collector)


def test_update_directions():
    p = load_demand_parameters().replace(capacity_factor=1.0, capacity_factor_rural_collector=1.2)
    # too much delay in both years -> more capacity; growth too low -> more rural capacity
    q = calibration_step(p, _indicators(delay=20e6, km=18.0), delay=True, delay_2035=30e6)
    assert q.capacity_factor == pytest.approx((20 / 16.7 * 30 / 33.4) ** (1 / 6))
    assert q.capacity_factor_rural_collector == pytest.approx(1.2 * (2.0 / 1.5) ** 2)
    assert q.deterrence_commute > p.deterrence_commute  # commutes too long -> steeper decay
    too_much_car = dict(TARGET_SHARES, car=TARGET_SHARES["car"] + 0.05)
    r = calibration_step(p, _indicators(delay=16.7e6, shares=too_much_car), delay=False)
    assert r.asc_pt - p.asc_pt == pytest.approx(
        -math.log(TARGET_SHARES["car"] / too_much_car["car"])
    )
    assert r.capacity_factor == p.capacity_factor


def test_updates_stay_in_prior_ranges():
    p = load_demand_parameters()
    q = calibration_step(p, _indicators(delay=1e9), delay=True, delay_2035=1.0e9 * 1.01)
    assert q.capacity_factor == CAPACITY_FACTOR_RANGE[1]
    assert q.capacity_factor_rural_collector == RURAL_COLLECTOR_RANGE[1]
    q = calibration_step(p, _indicators(delay=1.0), delay=True, delay_2035=100.0)
    assert q.capacity_factor == CAPACITY_FACTOR_RANGE[0]
    assert q.capacity_factor_rural_collector == RURAL_COLLECTOR_RANGE[0]


def test_markdown_table():
    text = markdown_table([("a", "b", "c", "S", "1", "2")])
    assert text.splitlines()[0].startswith("| target | published")
    assert text.splitlines()[2] == "| a | b | c | S | 1 | 2 |"
