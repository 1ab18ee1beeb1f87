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


def _two_normalisations() -> tuple[np.ndarray, np.ndarray]:
    """Five projects A-E on two criteria, normalised by winsorised min-max and by rank.

    Criterion 1: A 0, B 1, C 2, D 3, E 40 (E an outlier); criterion 2: A 3, B 2, C 0, D 2.5,
    E 1. Winsorising bounds: 0.4 and 3 + 0.6 x 37 = 25.2; 0.4 and 2.5 + 0.6 x 0.5 = 2.8. With
    equal weights the winsorised scores give E (100 + 25) / 2 = 62.5 > A 50 > D
    (2.6 / 24.8 + 2.1 / 2.4) x 50 = 48.99; percentile ranks give D (75 + 75) / 2 = 75 >
    E 62.5 > A 50.
    """
    from mobility.scoring import normalise

    x = np.array([0.0, 1.0, 2.0, 3.0, 40.0])
    y = np.array([3.0, 2.0, 0.0, 2.5, 1.0])
    win = np.c_[normalise.winsorised(x, direction="max"), normalise.winsorised(y, direction="max")]
    rnk = np.c_[normalise.rank(x, direction="max"), normalise.rank(y, direction="max")]
    return win, rnk


def test_varying_normalisation_changes_acceptability_where_methods_disagree() -> None:
    win, rnk = _two_normalisations()
    w = np.array([0.5, 0.5])
    expected = 50 * np.array([1, 0.6 / 24.8 + 1.6 / 2.4, 1.6 / 24.8, 2.6 / 24.8 + 2.1 / 2.4, 1.25])
    np.testing.assert_allclose(win @ w, expected)
    kw = {"n_samples": 2000, "top_k": 1, "concentration": 1e6, "seed": 5}
    # nearly fixed weights: alone, the winsorised ranking is certain (E first)
    alone = sv.rank_acceptability(_ws_fn(win), w, **kw)
    assert alone.acceptability[4, 0] == 1.0 and alone.alternative_draws is None
    both = sv.rank_acceptability(_ws_fn(win), w, alternatives=[_ws_fn(win), _ws_fn(rnk)], **kw)
    used = both.alternative_draws
    assert used is not None and used.sum() == 2000
    # E is first exactly in the winsorised draws, D in the rank draws (about half each)
    assert both.acceptability[4, 0] == used[0] / 2000
    assert both.acceptability[3, 0] == used[1] / 2000
    assert both.acceptability[4, 0] == pytest.approx(0.5, abs=0.05)
    # the base rank stays the chosen normalisation's
    np.testing.assert_array_equal(both.base_rank, alone.base_rank)
    assert both.unstable[3] and not alone.unstable.any()


def test_normalisation_draws_leave_the_weight_draws_alone() -> None:
    win, _ = _two_normalisations()
    w = np.array([0.6, 0.4])
    kw = {"n_samples": 500, "top_k": 2, "concentration": 5.0, "seed": 9}
    off = sv.rank_acceptability(_ws_fn(win), w, **kw)
    same = sv.rank_acceptability(_ws_fn(win), w, alternatives=[_ws_fn(win)], **kw)
    # one alternative equal to the base: the same weight draws, so the same result
    np.testing.assert_array_equal(off.acceptability, same.acceptability)
    np.testing.assert_array_equal(off.p_rank_stable, same.p_rank_stable)
    a = sv.sample_choices(2, n=1000, seed=9)
    np.testing.assert_array_equal(a, sv.sample_choices(2, n=1000, seed=9))
    assert set(np.unique(a)) == {0, 1}
    np.testing.assert_array_equal(
        sv.sample_weights(w, n=5, seed=9), sv.sample_weights(w, n=5, seed=9)
    )
