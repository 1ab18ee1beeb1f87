"""Normalisation to 0-100."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.scoring import normalise


def test_minmax_directions() -> None:
    x = np.array([10.0, 20.0, 40.0])
    np.testing.assert_allclose(normalise.minmax(x, direction="max"), [0.0, 100.0 / 3.0, 100.0])
    np.testing.assert_allclose(normalise.minmax(x, direction="min"), [100.0, 200.0 / 3.0, 0.0])


def test_minmax_constant_is_neutral() -> None:
    np.testing.assert_array_equal(normalise.minmax(np.array([3.0, 3.0]), direction="max"), [50, 50])


def test_minmax_bad_direction() -> None:
    with pytest.raises(ValueError):
        normalise.minmax(np.array([1.0]), direction="up")


def test_target_clips_and_handles_less_is_better() -> None:
    # CO2e change: 0 t/year scores 0, -20000 t/year scores 100
    x = np.array([5000.0, 0.0, -5000.0, -20000.0, -30000.0])
    np.testing.assert_allclose(
        normalise.target(x, zero=0.0, target=-20000.0), [0.0, 0.0, 25.0, 100.0, 100.0]
    )
    with pytest.raises(ValueError):
        normalise.target(x, zero=1.0, target=1.0)


def test_grade() -> None:
    np.testing.assert_allclose(normalise.grade(np.array([0, 1, 2.5, 4])), [0, 25, 62.5, 100])
    with pytest.raises(ValueError):
        normalise.grade(np.array([4.5]))
    with pytest.raises(ValueError):
        normalise.grade(np.array([np.nan]))
