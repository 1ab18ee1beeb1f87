"""Dirichlet weight sampling, rank acceptability and neighbour swaps."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mobility.scoring import mcda
from mobility.scoring import sensitivity as sv


def test_dirichlet_mean_variance_and_zero_weights() -> None:
    base = np.array([0.5, 0.3, 0.2, 0.0])
    draws = sv.sample_weights(base, n=40000, concentration=30.0, seed=1)
    assert np.allclose(draws.sum(axis=1), 1.0)
    assert np.all(draws[:, 3] == 0.0)
    np.testing.assert_allclose(draws.mean(axis=0), base, atol=3e-3)
    # Var = w (1 - w) / (concentration + 1)
    np.testing.assert_allclose(
        draws[:, :3].var(axis=0), base[:3] * (1 - base[:3]) / 31.0, rtol=0.05
    )
    again = sv.sample_weights(base, n=10, concentration=30.0, seed=1)
    np.testing.assert_array_equal(again, sv.sample_weights(base, n=10, concentration=30.0, seed=1))
    with pytest.raises(ValueError):
        sv.sample_weights(np.array([-1.0, 2.0]), n=5)


def _ws_fn(p: np.ndarray):
    return lambda w: mcda.weighted_sum(p, w)


def test_acceptability_dominant_and_symmetric_projects() -> None:
    # A dominates everyone; B and C are mirror images on two equally weighted criteria.
    p = np.array([[100.0, 100.0], [80.0, 20.0], [20.0, 80.0], [0.0, 0.0]])
    res = sv.rank_acceptability(_ws_fn(p), np.array([0.5, 0.5]), n_samples=4000, top_k=2, seed=3)
    acc = res.acceptability
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)
    assert acc[0, 0] == 1.0 and acc[3, 3] == 1.0
    assert res.p_top_k[0] == 1.0 and res.p_top_k[3] == 0.0
    # B and C swap ranks 2 and 3 about half the time each (symmetric around equal weights)
    assert acc[1, 1] == pytest.approx(0.5, abs=0.05)
    assert acc[1, 1] + acc[2, 1] == pytest.approx(1.0, abs=1e-12)
    assert res.base_rank.tolist() == [1, 2, 2, 4]  # tie under the given weights
    assert not res.unstable.any()  # within +-1 of rank 2 always
    assert res.rank_p05[0] == 1 and res.rank_p95[3] == 4


def test_unstable_flag() -> None:
    # six projects that trade places freely: a project near the middle is unstable
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 100, (6, 3))
    p[:, 2] = 100 - p[:, 0]
    res = sv.rank_acceptability(
        _ws_fn(p), np.ones(3) / 3, n_samples=3000, top_k=3, concentration=2.0, seed=0
    )
    assert res.unstable.any()
    assert np.all((res.p_rank_stable < 0.8) == res.unstable)


def test_closed_form_swap_is_exact() -> None:
    rng = np.random.default_rng(11)
    for _ in range(50):
        p = rng.uniform(0, 100, (2, 6))
        w = rng.dirichlet(np.ones(6))
        s = p @ w
        a, b = (0, 1) if s[0] > s[1] else (1, 0)
        sw = sv.swap_weighted_sum(p, w, a, b)
        if sw.criterion < 0:
            continue
        c = sw.criterion
        t = sw.delta_weight / (1 - w[c])
        e = np.eye(6)[c]
        for eps, should_swap in ((-1e-6, False), (1e-6, True)):
            tt = t + np.sign(t) * eps
            w2 = (1 - tt) * w + tt * e
            assert w2.min() >= -1e-12
            d = (p[a] - p[b]) @ w2
            assert (d < 0) == should_swap
        assert sw.new_weight == pytest.approx(w[c] + sw.delta_weight)


def test_numeric_swap_matches_closed_form_for_weighted_sum() -> None:
    rng = np.random.default_rng(5)
    p = rng.uniform(0, 100, (8, 6))
    w = rng.dirichlet(np.ones(6) * 3)
    order = np.argsort(-(p @ w))
    pairs = [(int(a), int(b)) for a, b in itertools.pairwise(order)]
    numeric = sv.swap_numeric(_ws_fn(p), w, pairs)
    for (a, b), sw in zip(pairs, numeric, strict=True):
        exact = sv.swap_weighted_sum(p, w, a, b)
        assert sw.criterion == exact.criterion
        assert sw.delta_weight == pytest.approx(exact.delta_weight, abs=1e-9)
