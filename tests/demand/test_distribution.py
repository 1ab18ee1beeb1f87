"""Gravity models and Furness balancing against hand-computed results."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.demand.distribution import (
    furness,
    gravity_doubly_constrained,
    gravity_singly_constrained,
)
from mobility.errors import ConvergenceError, InputError


def test_furness_textbook_example():
    # Ortuzar & Willumsen style 2x2: seed all ones -> independence solution P_i A_j / T
    rows, cols = np.array([30.0, 70.0]), np.array([40.0, 60.0])
    res = furness(np.ones((2, 2)), rows, cols)
    np.testing.assert_allclose(res.matrix, np.outer(rows, cols) / 100.0, rtol=1e-9)
    assert res.max_rel_error <= 1e-9


def test_furness_matches_totals_for_random_seed():
    rng = np.random.default_rng(7)
    seed = rng.uniform(0.1, 2.0, (6, 6))
    rows = rng.uniform(10, 100, 6)
    cols = rng.permutation(rows) * 1.0
    res = furness(seed, rows, cols, tol=1e-10)
    np.testing.assert_allclose(res.matrix.sum(axis=1), rows, rtol=1e-8)
    np.testing.assert_allclose(res.matrix.sum(axis=0), cols, rtol=1e-8)
    # IPF preserves cross-product ratios of the seed
    m = res.matrix
    assert m[0, 0] * m[1, 1] / (m[0, 1] * m[1, 0]) == pytest.approx(
        seed[0, 0] * seed[1, 1] / (seed[0, 1] * seed[1, 0]), rel=1e-9
    )


def test_furness_reports_non_convergence():
    # structural zeros make the targets unreachable
    seed = np.array([[1.0, 0.0], [1.0, 0.0]])
    with pytest.raises((ConvergenceError, InputError)):
        furness(seed, np.array([1.0, 1.0]), np.array([1.0, 1.0]), max_iter=50)


def test_furness_rejects_unequal_totals():
    with pytest.raises(InputError, match="differs"):
        furness(np.ones((2, 2)), np.array([1.0, 1.0]), np.array([1.0, 3.0]))


def test_doubly_constrained_deterrence_shortens_trips():
    cost = np.array([[5.0, 30.0, 60.0], [30.0, 5.0, 30.0], [60.0, 30.0, 5.0]])
    p = np.array([100.0, 200.0, 100.0])
    a = np.array([150.0, 100.0, 150.0])
    weak = gravity_doubly_constrained(p, a, cost, beta=0.01).matrix
    strong = gravity_doubly_constrained(p, a, cost, beta=0.1).matrix
    assert (weak * cost).sum() > (strong * cost).sum()
    np.testing.assert_allclose(strong.sum(axis=0), a, rtol=1e-7)


def test_singly_constrained_hand_computed():
    cost = np.array([[0.0, 10.0], [10.0, 0.0]])
    p, a = np.array([100.0, 50.0]), np.array([1.0, 3.0])
    t = gravity_singly_constrained(p, a, cost, beta=0.1)
    f = np.exp(-1.0)
    assert t[0, 1] == pytest.approx(100 * 3 * f / (1 + 3 * f))
    assert t[1, 1] == pytest.approx(50 * 3 / (f + 3))
    np.testing.assert_allclose(t.sum(axis=1), p)


def test_unreachable_destination_gets_no_trips():
    cost = np.array([[1.0, np.inf], [np.inf, 1.0]])
    t = gravity_singly_constrained(np.array([1.0, 1.0]), np.array([1.0, 1.0]), cost, beta=0.1)
    assert t[0, 1] == 0.0 and t[0, 0] == pytest.approx(1.0)
