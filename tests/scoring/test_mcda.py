"""MCDA kernels against pymcdm (an established MCDA library) on the same matrices.

Like for like: pymcdm's TOPSIS and WSM are given the same normalisation function as ours
(min-max, sum or vector). pymcdm ranks ties by their average rank (``rrankdata``); ours by
competition rank (lowest shared rank): the test maps ours to average ranks with
``scipy.stats.rankdata(method="average")`` so tie groups must be identical.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import rankdata

from mobility.scoring import mcda

pymcdm = pytest.importorskip("pymcdm")
from pymcdm import normalizations as pn  # noqa: E402
from pymcdm.helpers import rrankdata  # noqa: E402
from pymcdm.methods import PROMETHEE_II, TOPSIS, WSM  # noqa: E402

# pymcdm's input validation warns about dominant alternatives; random matrices have some.
pytestmark = pytest.mark.filterwarnings("ignore:Alternatives with indices:UserWarning")


def _random_problem(rng: np.random.Generator, it: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = int(rng.integers(3, 30))
    k = int(rng.integers(2, 12))
    x = rng.uniform(1.0, 100.0, (n, k))
    if it % 3 == 0:  # coarse grades: many exact ties within columns
        x = np.round(x / 25.0) + 1.0
    if it % 2 == 0:  # duplicated alternatives: exact ties in the result
        x[rng.integers(n)] = x[rng.integers(n)]
    w = rng.dirichlet(np.ones(k))
    t = rng.choice([-1, 1], k)
    return x, w, t


def _avg(ranks: np.ndarray) -> np.ndarray:
    return rankdata(ranks, method="average")


def test_rankings_equal_pymcdm_on_200_random_matrices() -> None:
    rng = np.random.default_rng(20240501)
    mismatches = []
    n_ties = 0
    for it in range(200):
        x, w, t = _random_problem(rng, it)
        cases = {
            "wsm-minmax": (
                mcda.weighted_sum(x, w, types=t, normalization="minmax"),
                WSM(pn.minmax_normalization)(x, w, t),
            ),
            "wsm-sum": (
                mcda.weighted_sum(x, w, types=t, normalization="sum"),
                WSM(pn.sum_normalization)(x, w, t),
            ),
            "topsis-minmax": (
                mcda.topsis(x, w, types=t, normalization="minmax"),
                TOPSIS(pn.minmax_normalization)(x, w, t),
            ),
            "topsis-vector": (
                mcda.topsis(x, w, types=t, normalization="vector"),
                TOPSIS(pn.vector_normalization)(x, w, t),
            ),
        }
        for name, (ours, ref) in cases.items():
            ours_rank = mcda.rank_desc(ours)
            if len(np.unique(ours_rank)) < len(ours_rank):
                n_ties += 1
            if not np.array_equal(_avg(ours_rank), rrankdata(ref)):
                mismatches.append((it, name))
            np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
    assert mismatches == []
    assert n_ties > 50  # the tie handling was actually exercised


@pytest.mark.parametrize("preference", ["usual", "linear"])
def test_promethee_ii_flows_equal_pymcdm(preference: str) -> None:
    rng = np.random.default_rng(7)
    for it in range(50):
        x, w, t = _random_problem(rng, it)
        if preference == "usual":
            ours = mcda.promethee_ii(x, w, types=t)
            ref = PROMETHEE_II("usual")(x, w, t)
        else:
            p = np.ptp(x, axis=0) / 2.0 + 1e-9
            ours = mcda.promethee_ii(x, w, types=t, preference="linear", p=p)
            ref = PROMETHEE_II("vshape", p=p)(x, w, t)
        np.testing.assert_allclose(ours, ref, atol=1e-12)
        assert np.array_equal(_avg(mcda.rank_desc(ours)), rrankdata(ref))


def test_promethee_hand_example() -> None:
    # 3 alternatives, usual criterion, weights 0.5/0.3/0.2; computed by hand:
    # pi(A1,A2)=0.8, pi(A1,A3)=0.3, pi(A2,A1)=0.2, pi(A2,A3)=0.5, pi(A3,A1)=0.7, pi(A3,A2)=0.5
    x = np.array([[4, 3, 2], [3, 2, 4], [5, 1, 3]], dtype=float)
    phi = mcda.promethee_ii(x, np.array([0.5, 0.3, 0.2]))
    np.testing.assert_allclose(phi, [0.1, -0.3, 0.2], atol=1e-12)


def test_linear_preference_with_indifference() -> None:
    x = np.array([[0.0], [1.0], [3.0], [10.0]])
    pref = mcda.preference_tensor(x, preference="linear", p=4.0, q=1.0)[0]
    assert pref[1, 0] == 0.0  # difference 1 = q: indifferent
    assert pref[2, 0] == pytest.approx(2.0 / 3.0)  # (3 - 1) / (4 - 1)
    assert pref[3, 0] == 1.0
    assert pref[0, 3] == 0.0


def test_batch_equals_single() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, (12, 6))
    ws = rng.dirichlet(np.ones(6), size=25)
    for method in mcda.METHODS:
        batch = mcda.scores(x, ws, method=method, p=30.0)
        single = np.array([mcda.scores(x, w, method=method, p=30.0) for w in ws])
        np.testing.assert_allclose(batch, single, atol=1e-12)


def test_rank_desc_ties_share_lowest_rank() -> None:
    r = mcda.rank_desc(np.array([5.0, 7.0, 7.0, 1.0, 5.0 + 1e-13]))
    assert r.tolist() == [3, 1, 1, 5, 3]


def test_weighted_sum_known_value() -> None:
    x = np.array([[100.0, 0.0], [50.0, 50.0]])
    s = mcda.weighted_sum(x, np.array([3.0, 1.0]))
    np.testing.assert_allclose(s, [75.0, 50.0])


def test_bad_weights_rejected() -> None:
    x = np.ones((3, 2))
    with pytest.raises(ValueError):
        mcda.weighted_sum(x, np.array([-1.0, 2.0]))
    with pytest.raises(ValueError):
        mcda.topsis(x, np.array([0.0, 0.0]))
    with pytest.raises(ValueError):
        mcda.weighted_sum(x, np.array([1.0, 1.0, 1.0]))
