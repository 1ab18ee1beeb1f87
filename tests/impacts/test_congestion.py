"""Congestion indicators on hand-computed link data."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.impacts.congestion import (
    adt_from_peak_hour,
    adt_from_weekday,
    annual_delay_hours,
    annual_traffic,
    delay_vehicle_hours,
    peak_conditions_share,
    vehicle_km,
    weekday_total,
)
from mobility.scenario import Annualisation


def test_delay_and_vkm_hand_computed():
    flows = np.array([1200.0, 600.0, 0.0])
    t = np.array([3.0, 10.0, 5.0])
    t0 = np.array([2.0, 10.0, 1.0])
    # 1200 veh x 1 min = 20 veh-h; others lose nothing
    assert delay_vehicle_hours(flows, t, t0) == pytest.approx(20.0)
    assert vehicle_km(flows, np.array([2.0, 1.0, 3.0])) == pytest.approx(3000.0)


def test_annualisation_factors():
    a = Annualisation(
        peak_hour_share=0.1,
        delay_peak_hour_to_weekday=5.0,
        delay_weekdays_per_year=230.0,
        traffic_days_per_year=338.0,
        adt_per_weekday=0.926,
    )
    assert annual_delay_hours(10.0, annualisation=a) == pytest.approx(11500.0)
    assert annual_traffic(100.0, annualisation=a) == pytest.approx(338000.0)
    np.testing.assert_allclose(adt_from_peak_hour(np.array([14410.0]), annualisation=a), [133436.6])
    assert peak_conditions_share(a) == pytest.approx(0.5)


def test_rejects_mismatched_arrays():
    with pytest.raises(InputError):
        delay_vehicle_hours(np.ones(2), np.ones(3), np.ones(3))


def test_weekday_total_and_adt_over_periods():
    hours = np.array([1.0, 2.0, 21.0])
    hourly = np.array([[100.0, 10.0], [80.0, 0.0], [20.0, 1.0]])
    np.testing.assert_allclose(weekday_total(hourly, hours), [100 + 160 + 420, 10 + 0 + 21])
    a = Annualisation(adt_per_weekday=0.926)
    np.testing.assert_allclose(
        adt_from_weekday(np.array([144_100.0]), annualisation=a), [133_436.6]
    )
    with pytest.raises(InputError):
        weekday_total(hourly, np.array([1.0, 2.0]))
    with pytest.raises(InputError):
        weekday_total(hourly, np.array([1.0, -2.0, 25.0]))
