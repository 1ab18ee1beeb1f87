"""Jobs within 45 minutes, hand-computed."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.impacts.accessibility import jobs_within


def test_hand_computed_three_zones():
    t = np.array([[10.0, 40.0, 50.0], [40.0, 5.0, np.inf], [50.0, np.inf, 8.0]])
    jobs = np.array([100.0, 200.0, 300.0])
    res = np.array([1.0, 1.0, 2.0])
    # zone0 reaches 0,1 -> 300; zone1 reaches 0,1 -> 300; zone2 reaches 2 -> 300
    assert jobs_within(t, jobs, res) == pytest.approx(300.0)
    assert jobs_within(t, jobs, res, threshold_min=60.0) == pytest.approx((600 + 300 + 2 * 400) / 4)
    assert jobs_within(t, jobs, res, origins=np.array([True, False, False])) == pytest.approx(300.0)


def test_rejects_empty_origins():
    with pytest.raises(InputError):
        jobs_within(np.zeros((1, 1)), np.ones(1), np.zeros(1))
