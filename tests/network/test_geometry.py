"""The one great-circle distance: closed forms on a meridian and the equator, broadcasting."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mobility.network.geometry import (
    MEAN_EARTH_RADIUS_KM,
    ROUNDED_EARTH_RADIUS_KM,
    haversine_km,
)


def test_meridian_and_equator_are_radius_times_angle():
    # along a meridian and along the equator the great circle is the arc R x angle
    assert haversine_km(12.5, 55.0, 12.5, 56.0) == pytest.approx(
        MEAN_EARTH_RADIUS_KM * math.radians(1.0), rel=1e-12
    )
    assert haversine_km(10.0, 0.0, 13.0, 0.0) == pytest.approx(
        MEAN_EARTH_RADIUS_KM * math.radians(3.0), rel=1e-12
    )


def test_radius_is_an_argument():
    d = haversine_km(12.5, 55.6, 12.6, 55.7, radius_km=ROUNDED_EARTH_RADIUS_KM)
    assert d == pytest.approx(
        haversine_km(12.5, 55.6, 12.6, 55.7) * ROUNDED_EARTH_RADIUS_KM / MEAN_EARTH_RADIUS_KM,
        rel=1e-12,
    )


def test_arrays_broadcast_and_antipodes_do_not_overflow():
    lon = np.array([12.5, 12.6, 12.7])
    lat = np.array([55.6, 55.7, 55.8])
    d = haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    assert d.shape == (3, 3)
    np.testing.assert_allclose(np.diag(d), 0.0)
    np.testing.assert_allclose(d, d.T)
    assert haversine_km(0.0, 0.0, 180.0, 0.0) == pytest.approx(math.pi * MEAN_EARTH_RADIUS_KM)
