"""Tests of the road-noise / particle exposure proxy (mobility.impacts.noise)."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.impacts.noise import exposure, lden_db, link_residents, nearest_zone


def test_lden_doubles_with_three_db() -> None:
    base = lden_db(np.array([1000.0]), np.array([50.0]))
    assert base[0] == pytest.approx(58.0)
    assert lden_db(np.array([2000.0]), np.array([50.0]))[0] - base[0] == pytest.approx(
        10 * np.log10(2)
    )
    # slower traffic is quieter above 30 km/h
    assert lden_db(np.array([1000.0]), np.array([80.0]))[0] > base[0]


def test_residents_shared_by_length() -> None:
    adj = link_residents(
        np.array([0, 0, 1, -1]), np.array([1.0, 3.0, 2.0, 5.0]), np.array([400.0, 50.0])
    )
    np.testing.assert_allclose(adj, [100.0, 300.0, 50.0, 0.0])


def test_more_traffic_more_exposure_and_zero_without_traffic() -> None:
    adj = np.array([100.0, 300.0])
    v = np.array([50.0, 50.0])
    low = exposure(np.array([500.0, 500.0]), v, adj)
    high = exposure(np.array([5000.0, 20000.0]), v, adj)
    assert 0 < low.noise_exposed_residents < high.noise_exposed_residents <= 400.0
    assert high.traffic_per_resident == pytest.approx((100 * 5000 + 300 * 20000) / 400)
    none = exposure(np.zeros(2), v, adj)
    assert none.noise_exposed_residents == 0.0


def test_moving_traffic_away_from_residents_reduces_exposure() -> None:
    adj = np.array([1000.0, 0.0])  # town street, bypass in the fields
    v = np.array([50.0, 80.0])
    before = exposure(np.array([15000.0, 0.0]), v, adj)
    after = exposure(np.array([3000.0, 12000.0]), v, adj)
    assert after.noise_exposed_residents < before.noise_exposed_residents


def test_nearest_zone_and_shape_error() -> None:
    idx = nearest_zone(
        np.array([12.5, 12.61]),
        np.array([55.68, 55.66]),
        np.array([12.49, 12.6]),
        np.array([55.68, 55.66]),
    )
    assert idx.tolist() == [0, 1]
    with pytest.raises(InputError):
        exposure(np.zeros(2), np.zeros(2), np.zeros(3))


def test_heavy_share_and_distance_by_hand() -> None:
    """The class terms of the simplified road-noise level, by hand: 10,000 veh/day at 50 km/h
    is 68 dB at 10 m with no heavy vehicles; 10 % heavy at E = 8 adds 10 log10(1.7) = 2.30 dB;
    40 m instead of 10 m takes 15 log10(4) = 9.03 dB off."""
    from mobility.impacts.noise import class_constants, lden_db

    base = float(lden_db(np.array([10_000.0]), np.array([50.0]))[0])
    assert base == pytest.approx(68.0)
    heavy = float(lden_db(np.array([10_000.0]), np.array([50.0]), heavy_share=0.1)[0])
    assert heavy - base == pytest.approx(10 * np.log10(1.7))
    far = float(lden_db(np.array([10_000.0]), np.array([50.0]), distance_m=40.0)[0])
    assert base - far == pytest.approx(15 * np.log10(4.0))
    h, d = class_constants(["motorway", "local", "unknown"], 3)
    assert list(h) == [0.10, 0.03, 0.05] and list(d) == [40.0, 10.0, 10.0]
