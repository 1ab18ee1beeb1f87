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


# percentile rank: 100 (r - 1) / (n - 1), r the mid-rank from the worst


def test_mid_ranks_average_ties() -> None:
    np.testing.assert_array_equal(normalise.mid_ranks(np.array([3, 1, 3, 2, 3.0])), [4, 1, 4, 2, 4])
    assert normalise.mid_ranks(np.array([])).size == 0


def test_rank_ties_and_directions() -> None:
    # ranks from the worst 1, 2.5, 2.5, 4 -> 100 x (r - 1) / 3
    x = np.array([20.0, 10.0, 40.0, 20.0])
    np.testing.assert_allclose(normalise.rank(x, direction="max"), [50, 0, 100, 50])
    np.testing.assert_allclose(normalise.rank(x, direction="min"), [50, 100, 0, 50])


def test_rank_single_and_all_equal_are_neutral() -> None:
    np.testing.assert_array_equal(normalise.rank(np.array([7.0]), direction="max"), [50.0])
    np.testing.assert_array_equal(normalise.rank(np.full(3, 3.0), direction="min"), [50, 50, 50])
    assert normalise.rank(np.array([]), direction="max").size == 0


def test_rank_ignores_the_size_of_an_outlier() -> None:
    with_outlier = normalise.rank(np.array([1.0, 2.0, 3.0, 1000.0]), direction="max")
    np.testing.assert_allclose(with_outlier, [0.0, 100 / 3, 200 / 3, 100.0])
    np.testing.assert_array_equal(
        with_outlier, normalise.rank(np.array([1.0, 2.0, 3.0, 4.0]), direction="max")
    )


# winsorised min-max: clip at the p-th and (100 - p)-th percentiles (linear interpolation)


def test_winsorised_outlier_saturates_only_itself() -> None:
    # 0..9 and an outlier 100 (n = 11): the 10th percentile sits at order statistic
    # 0.1 x 10 = 1 (value 1), the 90th at 9 (value 9): 5 scores 100 x (5 - 1) / 8 = 50, where
    # plain min-max would give it 5
    x = np.r_[np.arange(10.0), 100.0]
    assert normalise.winsor_bounds(x) == (1.0, 9.0)
    expected = [0, 0, 12.5, 25, 37.5, 50, 62.5, 75, 87.5, 100, 100]
    np.testing.assert_allclose(normalise.winsorised(x, direction="max"), expected)
    np.testing.assert_allclose(normalise.winsorised(x, direction="min"), 100 - np.array(expected))
    assert normalise.minmax(x, direction="max")[5] == pytest.approx(5.0)


def test_winsorised_interpolates_between_order_statistics() -> None:
    # n = 5: the 10th percentile 0.4 of the way from 0 to 10 (4), the 90th 0.6 of the way from
    # 30 to 40 (36); scores 100 x (x - 4) / 32, clipped; given unsorted
    x = np.array([20.0, 40.0, 0.0, 10.0, 30.0])
    assert normalise.winsor_bounds(x) == pytest.approx((4.0, 36.0))
    np.testing.assert_allclose(normalise.winsorised(x, direction="max"), [50, 100, 0, 18.75, 81.25])
    np.testing.assert_allclose(normalise.winsorised(x, direction="min"), [50, 0, 100, 81.25, 18.75])


def test_winsorised_single_equal_and_no_spread_left() -> None:
    np.testing.assert_array_equal(normalise.winsorised(np.array([5.0]), direction="max"), [50])
    np.testing.assert_array_equal(normalise.winsorised(np.full(4, 2.0), direction="min"), [50] * 4)
    # 19 equal values and one larger: both bounds are 0 -> plain min-max of the values
    x = np.r_[np.zeros(19), 1.0]
    assert normalise.winsor_bounds(x) == (0.0, 0.0)
    np.testing.assert_array_equal(normalise.winsorised(x, direction="max"), [0.0] * 19 + [100.0])


def test_winsorised_p0_is_minmax_and_bad_p_refused() -> None:
    x = np.array([3.0, -1.0, 8.0, 2.0])
    np.testing.assert_allclose(
        normalise.winsorised(x, direction="min", pct=0.0), normalise.minmax(x, direction="min")
    )
    for pct in (-1.0, 50.0):
        with pytest.raises(ValueError):
            normalise.winsorised(x, direction="max", pct=pct)
    with pytest.raises(ValueError):
        normalise.winsorised(x, direction="up")
    with pytest.raises(ValueError):
        normalise.rank(x, direction="up")


def test_across_projects_labels() -> None:
    x = np.array([20.0, 40.0, 0.0, 10.0, 30.0])
    assert normalise.across_projects(x, method="minmax", direction="max")[1] == "minmax(max,n=5)"
    assert normalise.across_projects(x, method="rank", direction="min")[1] == "rank(min,n=5)"
    sc, label = normalise.across_projects(x, method="winsorised", direction="max")
    assert label == "winsorised(max,p=10,n=5,lo=4,hi=36)"
    np.testing.assert_allclose(sc, normalise.winsorised(x, direction="max"))
    with pytest.raises(ValueError):
        normalise.across_projects(x, method="target", direction="max")


def test_plain_numbers_never_use_scientific_notation() -> None:
    from mobility.scoring.normalise import plain

    assert plain(1957880.5) == "1957880.5"
    assert plain(2.91361e6) == "2913610"
    assert plain(-0.0) == "0" and plain(1e-9) == "0" and plain(0.25) == "0.25"
