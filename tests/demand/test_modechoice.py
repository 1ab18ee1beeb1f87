"""Logit mode choice: probabilities, logsum identity, distance behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.demand.modechoice import (
    MODES,
    LevelOfService,
    composite_cost,
    logit,
    utilities,
)
from mobility.demand.parameters import load_demand_parameters


@pytest.fixture(scope="module")
def params():
    return load_demand_parameters()


def _los(km: np.ndarray) -> LevelOfService:
    z = km.shape[0]
    return LevelOfService(
        car_time_min=km / 50 * 60,
        car_length_km=km,
        car_toll_dkk=np.zeros((z, z)),
        pt_in_vehicle_min=km / 35 * 60,
        pt_wait_min=np.full((z, z), 5.0),
        pt_walk_min=np.full((z, z), 8.0),
        pt_boardings=np.ones((z, z)),
        pt_length_km=km,
        bike_time_min=km / 16 * 60,
        bike_length_km=km,
        walk_length_km=km,
        parking_dkk=np.zeros(z),
    )


def test_logit_hand_computed():
    u = {"a": np.array([[0.0]]), "b": np.array([[np.log(3.0)]])}
    probs, ls = logit(u)
    assert probs["b"][0, 0] == pytest.approx(0.75)
    assert ls[0, 0] == pytest.approx(np.log(4.0))


def test_logit_unavailable_mode_gets_zero():
    u = {"a": np.array([[1.0]]), "b": np.array([[-np.inf]])}
    probs, ls = logit(u)
    assert probs["b"][0, 0] == 0.0 and probs["a"][0, 0] == 1.0 and ls[0, 0] == pytest.approx(1.0)


def test_shares_sum_to_one_and_active_modes_fade_with_distance(params):
    km = np.array([[1.0, 3.0, 10.0, 30.0]] * 4)
    probs, _ls = logit(utilities(_los(km), params=params, occupancy=1.1))
    total = sum(probs[m] for m in MODES)
    np.testing.assert_allclose(total, 1.0)
    walk, bike, car = probs["walk"][0], probs["bike"][0], probs["car"][0]
    assert np.all(np.diff(walk) < 0)
    assert bike[-1] < bike[1]
    assert car[-1] > car[0]
    assert walk[-1] < 1e-3


def test_composite_cost_below_every_mode_cost(params):
    km = np.full((2, 2), 8.0)
    u = utilities(_los(km), params=params, occupancy=1.1)
    _, ls = logit(u)
    gc = composite_cost(ls, params=params)
    best = -np.max(np.stack(list(u.values())), axis=0) / abs(params.beta_time)
    assert np.all(gc <= best + 1e-12)


def test_parking_cost_lowers_car_share(params):
    km = np.full((2, 2), 5.0)
    los = _los(km)
    base, _ = logit(utilities(los, params=params, occupancy=1.1))
    paid = LevelOfService(**{**los.__dict__, "parking_dkk": np.array([0.0, 50.0])})
    after, _ = logit(utilities(paid, params=params, occupancy=1.1))
    assert after["car"][0, 1] < base["car"][0, 1]
    assert after["car"][0, 0] == pytest.approx(base["car"][0, 0])
