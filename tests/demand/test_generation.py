"""Trip generation: totals, purpose split, balancing, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.demand.generation import PURPOSES, generate_trips
from mobility.demand.parameters import load_demand_parameters
from mobility.errors import InputError


@pytest.fixture(scope="module")
def params():
    return load_demand_parameters()


def test_totals_follow_rate_and_shares(params):
    res = np.array([1000.0, 2000.0, 0.0])
    jobs = np.array([500.0, 100.0, 900.0])
    ends = generate_trips(res, jobs, params=params)
    assert ends.total() == pytest.approx(3000 * params.trip_rate_total)
    commute = ends.productions["commute"].sum()
    assert commute / ends.total() == pytest.approx(params.share_commute)
    for p in PURPOSES:
        assert ends.attractions[p].sum() == pytest.approx(ends.productions[p].sum())
    # commute attractions follow jobs, productions follow residents
    np.testing.assert_allclose(
        ends.attractions["commute"] / ends.attractions["commute"].sum(), jobs / 1500
    )
    assert ends.productions["commute"][2] == 0.0


def test_rate_factor_scales_everything(params):
    res, jobs = np.array([10.0, 20.0]), np.array([5.0, 5.0])
    a = generate_trips(res, jobs, params=params)
    b = generate_trips(res, jobs, params=params, trip_rate_factor=1.2)
    assert b.total() == pytest.approx(1.2 * a.total())


def test_rejects_negative_residents(params):
    with pytest.raises(InputError, match="residents"):
        generate_trips(np.array([-1.0, 2.0]), np.array([1.0, 1.0]), params=params)


def test_rejects_no_jobs(params):
    with pytest.raises(InputError, match="jobs"):
        generate_trips(np.array([1.0, 2.0]), np.array([0.0, 0.0]), params=params)
