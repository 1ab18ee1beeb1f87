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
