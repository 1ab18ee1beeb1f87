"""Tests of the speed-dependent car CO2e curve (mobility.impacts.emissions)."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.impacts.emissions import (
    co2e_g_per_vkm,
    co2e_t,
    fleet_ev_share,
    load_emission_factors,
)


def test_fuel_curve_passes_through_published_points() -> None:
    f = load_emission_factors()
    # base year, no EVs: the curve reproduces the AU green-guide factors at their speeds
    got = co2e_g_per_vkm(np.array([30.0, 75.0, 110.0]), year=f.base_year, ev_share=0.0)
    np.testing.assert_allclose(got, [193.0, 125.0, 134.0], rtol=1e-9)


def test_bev_curve_passes_through_published_points() -> None:
    f = load_emission_factors()
    got = co2e_g_per_vkm(np.array([30.0, 110.0]), year=f.base_year, ev_share=1.0)
    np.testing.assert_allclose(got, [24.0, 31.0], rtol=1e-9)


def test_curve_is_u_shaped() -> None:
    f = load_emission_factors()
    v = np.arange(10.0, 131.0, 1.0)
    e = co2e_g_per_vkm(v, year=f.base_year, ev_share=0.0)
    k = int(np.argmin(e))
    assert 60.0 <= v[k] <= 95.0
    assert np.all(np.diff(e[: k + 1]) <= 0)
    assert np.all(np.diff(e[k:]) >= 0)
    # the published mixed factor (141) lies between the minimum and the urban value
    assert e.min() < 141.0 < e[v == 30.0][0]


def test_fleet_mix_is_linear_in_ev_share() -> None:
    v = np.array([20.0, 50.0, 90.0, 120.0])
    e0 = co2e_g_per_vkm(v, year=2030, ev_share=0.0)
    e1 = co2e_g_per_vkm(v, year=2030, ev_share=1.0)
    e3 = co2e_g_per_vkm(v, year=2030, ev_share=0.3)
    np.testing.assert_allclose(e3, 0.7 * e0 + 0.3 * e1)
    assert np.all(e1 < e0)


def test_later_years_emit_less_and_default_share_grows() -> None:
    assert fleet_ev_share(2035) > fleet_ev_share(2023) > 0
    e23 = co2e_g_per_vkm(80.0, year=2023)
    e35 = co2e_g_per_vkm(80.0, year=2035)
    assert e35 < e23


def test_speed_is_clipped() -> None:
    assert co2e_g_per_vkm(0.5, year=2030, ev_share=0.2) == co2e_g_per_vkm(
        10.0, year=2030, ev_share=0.2
    )


def test_bad_inputs_raise() -> None:
    with pytest.raises(InputError, match="ev_share"):
        co2e_g_per_vkm(50.0, year=2030, ev_share=1.5)
    with pytest.raises(InputError, match="year"):
        co2e_g_per_vkm(50.0, year=3000, ev_share=0.1)


def test_link_total_matches_hand_sum() -> None:
    flows = np.array([1000.0, 0.0, 500.0])
    length = np.array([2.0, 1.0, 6.0])
    time = np.array([4.0, 1.0, 3.6])  # 30 km/h, 60 km/h, 100 km/h
    got = co2e_t(flows, length, time, year=2030, ev_share=0.25)
    g = co2e_g_per_vkm(np.array([30.0, 60.0, 100.0]), year=2030, ev_share=0.25)
    assert got == pytest.approx((1000 * 2 * g[0] + 500 * 6 * g[2]) / 1e6)
