"""Tests of user-equilibrium assignment against published solutions (mobility.network.assignment).

Best-known solutions: the ``*_flow.tntp`` files of Transportation Networks for Research
(tests/data/tntp/README.md).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.network import assignment, paths, tntp, vdf
from mobility.network.graph import LinkNetwork

DATA = Path(__file__).resolve().parents[1] / "data" / "tntp"


def _load(name: str):
    net = tntp.read_net(DATA / f"{name}_net.tntp")
    demand = tntp.read_trips(DATA / f"{name}_trips.tntp", n_zones=net.n_zones)
    return net, demand


def test_mixed_bpr_and_akcelik_converge() -> None:
    """Akcelik on every other link (J = 0.1, T = 1 h), BPR on the rest: bfw and gp agree."""
    net, demand = _load("SiouxFalls")
    names = ["akcelik" if k % 2 == 0 else "bpr" for k in range(net.n_links)]
    ak = np.array([name == "akcelik" for name in names])
    net = dataclasses.replace(
        net,
        akcelik_j=np.where(ak, 0.1, net.akcelik_j),
        period_h=np.where(ak, 1.0, net.period_h),
    )
    result = assignment.assign(net, demand, vdf=names, rel_gap=1e-5)
    assert result.converged
    gp = assignment.assign(net, demand, algorithm="gp", vdf=names, rel_gap=1e-9)
    assert gp.converged
    assert np.sqrt(np.mean((gp.flows - result.flows) ** 2)) < 0.01 * gp.flows.mean()
    expected = vdf.time(names, gp.flows, net.free_flow_time, net.capacity, **net.vdf_parameters())
    assert np.allclose(gp.times, expected)
    # the queueing links carry less than under BPR everywhere (their delay is steeper past c)
    bpr = assignment.assign(_load("SiouxFalls")[0], demand, rel_gap=1e-6)
    assert (gp.flows[ak] / net.capacity[ak]).max() < (bpr.flows[ak] / net.capacity[ak]).max()


@pytest.mark.parametrize(
    ("name", "published_total"),
    [("SiouxFalls", 7_480_225.3), ("Anaheim", 1_419_913.85)],
)
def test_bfw_matches_best_known_solution(name: str, published_total: float) -> None:
    net, demand = _load(name)
    init, term, volume, cost = tntp.read_flow(DATA / f"{name}_flow.tntp")
    assert np.array_equal(net.node_ids[net.init], init)
    assert np.array_equal(net.node_ids[net.term], term)
    best_total = float(volume @ cost)
    assert best_total == pytest.approx(published_total, rel=1e-8)

    result = assignment.assign(net, demand, algorithm="bfw", rel_gap=1e-6, max_iter=5000)
    assert result.converged
    assert result.rel_gap <= 1e-6
    assert result.gap_history[-1] == result.rel_gap
    assert result.tstt == pytest.approx(best_total, rel=1e-4)
    rmse = np.sqrt(np.mean((result.flows - volume) ** 2))
    assert rmse < 0.005 * volume.mean()
    assert np.allclose(result.costs, result.times)  # no tolls or distance weight here
    # the times are the BPR times of the returned flows
    expected = vdf.time(
        "bpr", result.flows, net.free_flow_time, net.capacity, **net.vdf_parameters()
    )
    assert np.allclose(result.times, expected)


@pytest.mark.parametrize("name", ["SiouxFalls", "Anaheim"])
def test_gradient_projection_reaches_1e_minus_10(name: str) -> None:
    net, demand = _load(name)
    _, _, volume, cost = tntp.read_flow(DATA / f"{name}_flow.tntp")
    result = assignment.assign(net, demand, algorithm="gp", rel_gap=1e-10, max_iter=200)
    assert result.converged and result.rel_gap <= 1e-10
    assert result.tstt == pytest.approx(float(volume @ cost), rel=1e-7)
    assert np.sqrt(np.mean((result.flows - volume) ** 2)) < 1e-4 * volume.mean()
    # same flows as the link-based engine, at the precision that one reaches
    bfw = assignment.assign(net, demand, algorithm="bfw", rel_gap=1e-6, max_iter=5000)
    assert result.objective <= bfw.objective
    # flow conservation: each node's net outflow is its zone's trips out minus trips in
    n = net.n_nodes
    out = np.bincount(net.init, result.flows, n) - np.bincount(net.term, result.flows, n)
    expected = np.zeros(n)
    d = demand * ~np.eye(net.n_zones, dtype=bool)
    expected[net.zone_nodes] = d.sum(axis=1) - d.sum(axis=0)
    assert np.allclose(out, expected, atol=1e-6 * demand.sum())


#: TNTP networks beside the repository (``../shared/benchmarks/tntp``, not in the repository).
SHARED_TNTP = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "tntp"


def _conservation_error(net: LinkNetwork, demand: np.ndarray, flows: np.ndarray) -> float:
    """Largest violation of flow conservation at a node (trips out minus trips in)."""
    n = net.n_nodes
    out = np.bincount(net.init, flows, n) - np.bincount(net.term, flows, n)
    expected = np.zeros(n)
    d = demand * ~np.eye(net.n_zones, dtype=bool)
    np.add.at(expected, net.zone_nodes, d.sum(axis=1) - d.sum(axis=0))
    return float(np.abs(out - expected).max())


@pytest.mark.parametrize("name", ["SiouxFalls", "Anaheim"])
def test_bush_based_matches_best_known_solution(name: str) -> None:
    """Algorithm B reaches 1e-10 and the published flows, as gp does (Anaheim: no-thru
    centroids, so every bush starts from an origin copy)."""
    net, demand = _load(name)
    _, _, volume, cost = tntp.read_flow(DATA / f"{name}_flow.tntp")
    result = assignment.assign(net, demand, algorithm="bush", rel_gap=1e-10, max_iter=1000)
    assert result.converged and result.rel_gap <= 1e-10
    assert result.algorithm == "bush"
    assert result.iterations == len(result.gap_history)
    assert result.tstt == pytest.approx(float(volume @ cost), rel=1e-7)
    assert np.sqrt(np.mean((result.flows - volume) ** 2)) < 1e-4 * volume.mean()
    gp = assignment.assign(net, demand, algorithm="gp", rel_gap=1e-10, max_iter=200)
    assert np.abs(result.flows - gp.flows).max() < 1e-3 * volume.mean()
    assert _conservation_error(net, demand, result.flows) < 1e-6 * demand.sum()


@pytest.mark.slow
def test_bush_based_reaches_1e_minus_8_on_chicago_sketch() -> None:
    """Chicago Sketch (933 nodes, 387 zones, generalized cost with the README's toll and
    distance weights) to a relative gap of 1e-8, against the best-known flows."""
    folder = SHARED_TNTP / "ChicagoSketch"
    if not folder.is_dir():
        pytest.skip(f"{folder} not present")
    net = tntp.read_net(folder / "ChicagoSketch_net.tntp")
    demand = tntp.read_trips(folder / "ChicagoSketch_trips.tntp", n_zones=net.n_zones)
    _, _, volume, cost = tntp.read_flow(folder / "ChicagoSketch_flow.tntp")
    result = assignment.assign(
        net,
        demand,
        algorithm="bush",
        rel_gap=1e-8,
        max_iter=500,
        toll_weight=0.02,
        distance_weight=0.04,
    )
    assert result.converged and result.rel_gap <= 1e-8
    assert float(result.flows @ result.costs) == pytest.approx(float(volume @ cost), rel=1e-7)
    assert np.sqrt(np.mean((result.flows - volume) ** 2)) < 1e-4 * volume.mean()
    assert _conservation_error(net, demand, result.flows) < 1e-6 * demand.sum()


BRAESS_FLOWS = np.array([4.0, 2.0, 2.0, 2.0, 4.0])  # analytic equilibrium, all paths cost 92


@pytest.mark.parametrize(
    ("algorithm", "target"),
    [("msa", 1e-4), ("fw", 1e-5), ("cfw", 1e-8), ("bfw", 1e-8), ("gp", 1e-10), ("bush", 1e-10)],
)
def test_braess_equilibrium_every_algorithm(algorithm: str, target: float) -> None:
    net, demand = _load("Braess")
    assert demand[0, 1] == 6.0
    result = assignment.assign(net, demand, algorithm=algorithm, rel_gap=target, max_iter=20000)
    assert result.converged
    assert result.gap_history[-1] <= target < result.gap_history[0]
    assert result.iterations == len(result.gap_history)
    assert np.allclose(result.flows, BRAESS_FLOWS, atol=200 * target)
    path_cost = result.costs[0] + result.costs[2]  # 1 -> 3 -> 2
    assert path_cost == pytest.approx(92.0, rel=10 * target)


def test_aon_is_one_free_flow_load() -> None:
    net, demand = _load("SiouxFalls")
    result = assignment.assign(net, demand, algorithm="aon")
    flows, _ = paths.aon(net, net.free_flow_time, demand)
    assert result.iterations == 1 and np.array_equal(result.flows, flows)


def test_conjugate_methods_beat_frank_wolfe() -> None:
    net, demand = _load("SiouxFalls")
    gaps = {
        a: assignment.assign(net, demand, algorithm=a, rel_gap=0.0, max_iter=60).rel_gap
        for a in ("fw", "cfw", "bfw")
    }
    assert gaps["bfw"] < gaps["fw"] and gaps["cfw"] < gaps["fw"]


def test_objective_is_minimal_at_equilibrium() -> None:
    net, demand = _load("SiouxFalls")
    eq = assignment.assign(net, demand, rel_gap=1e-6, max_iter=5000)
    rough = assignment.assign(net, demand, algorithm="msa", rel_gap=0.0, max_iter=5)
    assert eq.objective < rough.objective
    integral = vdf.integral(
        "bpr", eq.flows, net.free_flow_time, net.capacity, **net.vdf_parameters()
    )
    assert eq.objective == pytest.approx(integral.sum())


@pytest.mark.parametrize("algorithm", ["bfw", "gp"])
def test_generalized_cost_weights(algorithm: str) -> None:
    net, demand = _load("SiouxFalls")
    net = net.with_links(toll=np.arange(net.n_links, dtype=float) % 3)
    fixed = np.full(net.n_links, 0.5)
    result = assignment.assign(
        net,
        demand,
        algorithm=algorithm,
        rel_gap=1e-4,
        toll_weight=2.0,
        distance_weight=0.1,
        fixed_cost=fixed,
    )
    assert result.converged
    assert np.allclose(result.costs - result.times, 2.0 * net.toll + 0.1 * net.length + 0.5)
    base = assignment.assign(net, demand, rel_gap=1e-4)
    # tolls push flow off tolled links
    tolled = net.toll > 0
    assert result.flows[tolled].sum() < base.flows[tolled].sum()


def test_conical_vdf_converges() -> None:
    net, demand = _load("SiouxFalls")
    result = assignment.assign(net, demand, vdf="conical", rel_gap=1e-5)
    assert result.converged
    gp = assignment.assign(net, demand, algorithm="gp", vdf="conical", rel_gap=1e-9)
    assert gp.converged
    assert np.sqrt(np.mean((gp.flows - result.flows) ** 2)) < 0.01 * gp.flows.mean()
    expected = vdf.time(
        "conical", result.flows, net.free_flow_time, net.capacity, **net.vdf_parameters()
    )
    assert np.allclose(result.times, expected)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"demand": np.zeros((3, 3))}, "2 zones"),
        ({"demand": np.array([[0.0, -1.0], [0.0, 0.0]])}, "zone 1 to zone 2"),
        ({"demand": np.array([[0.0, np.nan], [0.0, 0.0]])}, "nan"),
        ({"algorithm": "tapas"}, "unknown algorithm"),
        ({"vdf": "davidson"}, "unknown volume-delay"),
        ({"fixed_cost": np.ones(3)}, "shape"),
        ({"toll_weight": -1.0, "fixed_cost": None}, None),
        ({"rel_gap": -1.0}, "rel_gap"),
        ({"max_iter": 0}, "max_iter"),
    ],
)
def test_bad_input_raises(kwargs: dict, match: str | None) -> None:
    net, demand = _load("Braess")
    if "toll_weight" in kwargs:
        net = net.with_links(toll=np.ones(net.n_links))
        match = "fixed generalized cost"
    args = {"demand": demand, **kwargs}
    with pytest.raises(InputError, match=match):
        assignment.assign(net, **args)


@pytest.mark.parametrize("algorithm", ["bfw", "gp", "bush"])
def test_results_are_deterministic(algorithm: str) -> None:
    net, demand = _load("Anaheim")
    a = assignment.assign(net, demand, algorithm=algorithm, rel_gap=1e-5)
    b = assignment.assign(net, demand, algorithm=algorithm, rel_gap=1e-5)
    assert np.array_equal(a.flows, b.flows)
    assert np.array_equal(a.gap_history, b.gap_history, equal_nan=True)


def test_bush_groups_give_the_same_result_on_any_number_of_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Algorithm B's two groups of origins give the same flows and gaps swept by one thread
    or by two; and two groups are a different iteration from one (so the groups ran)."""
    from mobility.network import bush

    net, demand = _load("Anaheim")
    monkeypatch.setattr(bush, "MIN_GROUP_ORIGINS", 16)  # Anaheim's 38 origins: two groups
    runs = {}
    for cores in (1, 2):
        monkeypatch.setattr(bush, "_cores", lambda cores=cores: cores)
        runs[cores] = assignment.assign(net, demand, algorithm="bush", rel_gap=0.0, max_iter=8)
    assert np.array_equal(runs[1].flows, runs[2].flows)
    assert np.array_equal(runs[1].gap_history, runs[2].gap_history, equal_nan=True)
    monkeypatch.setattr(bush, "GROUPS", 1)
    one = assignment.assign(net, demand, algorithm="bush", rel_gap=0.0, max_iter=8)
    assert one.gap_history[0] == runs[1].gap_history[0]  # same initial bushes and gap
    assert not np.array_equal(one.gap_history, runs[1].gap_history, equal_nan=True)
    assert _conservation_error(net, demand, runs[2].flows) < 1e-6 * demand.sum()


def test_bush_gap_schedule() -> None:
    """The schedule evaluates the next iterate until the gap has fallen, then skips about
    half the sweeps the rate of fall predicts (never more than MAX_SKIP, never past
    max_iter), and goes back to every sweep near the target or when the gap stalls."""
    from mobility.network.bush import MAX_SKIP, next_check

    assert next_check([(1, 0.3)], 1e-4, 100) == 2
    # log-gap falls by ln 10 a sweep: 3 sweeps left to 1e-4, half of them is 1
    assert next_check([(1, 1e-1), (2, 1e-2)], 1e-4, 100) == 3
    # a slow fall far from the target: the longest skip, but not past max_iter
    assert next_check([(1, 1e-1), (2, 0.9e-1)], 1e-9, 100) == 2 + MAX_SKIP
    assert next_check([(1, 1e-1), (2, 0.9e-1)], 1e-9, 5) == 5
    # the gap rose: the next sweep again
    assert next_check([(1, 1e-3), (2, 2e-3)], 1e-9, 100) == 3
    # a stalled last interval does not stretch the skip: the rate since the first counts
    assert next_check([(1, 1e-1), (5, 1e-5), (6, 0.99e-5)], 1e-6, 100) == 7


def test_bush_skipped_gaps_are_nan_and_every_sweep_schedule_is_the_old_iteration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On the schedule, unevaluated iterates have nan gaps, the last is evaluated and the
    flows meet the target; with MAX_SKIP = 1 every iterate is evaluated, the same
    equilibrium in about as many sweeps."""
    from mobility.network import bush

    net, demand = _load("SiouxFalls")
    lean = assignment.assign(net, demand, algorithm="bush", rel_gap=1e-8, max_iter=1000)
    gaps = np.asarray(lean.gap_history)
    assert lean.converged and gaps[-1] == lean.rel_gap <= 1e-8
    assert lean.iterations == gaps.size and np.isnan(gaps).sum() > gaps.size // 2
    assert not np.isnan(gaps[:2]).any()  # the schedule needs two gaps to start skipping
    longest = bush.MAX_SKIP
    monkeypatch.setattr(bush, "MAX_SKIP", 1)
    every = assignment.assign(net, demand, algorithm="bush", rel_gap=1e-8, max_iter=1000)
    assert not np.isnan(every.gap_history).any() and every.converged
    assert every.iterations <= lean.iterations <= every.iterations + longest
    np.testing.assert_allclose(lean.flows, every.flows, rtol=1e-5, atol=1e-3)


def test_gp_warm_start_reaches_the_cold_start_equilibrium() -> None:
    """A warm start from the paths of another demand gives the cold start's flows, in fewer
    sweeps; an already converged warm start is returned after one gap evaluation."""
    net, demand = _load("SiouxFalls")
    first = assignment.assign(net, demand, algorithm="gp", rel_gap=1e-9)
    assert first.paths is not None and first.paths.n_paths >= 528
    again = assignment.assign(net, demand, algorithm="gp", rel_gap=1e-8, warm_start=first.paths)
    assert again.iterations == 1 and again.converged
    np.testing.assert_allclose(again.flows, first.flows, rtol=1e-9, atol=1e-6)
    more = demand * 1.1
    cold = assignment.assign(net, more, algorithm="gp", rel_gap=1e-9)
    warm = assignment.assign(net, more, algorithm="gp", rel_gap=1e-9, warm_start=first.paths)
    assert warm.converged and warm.iterations < cold.iterations
    np.testing.assert_allclose(warm.flows, cold.flows, rtol=1e-5, atol=1e-2)


def test_gp_warm_start_on_a_network_without_one_link() -> None:
    """Paths renumbered for a network with one link removed: the paths through it are dropped
    and the equilibrium equals a cold start on the smaller network."""
    net, demand = _load("SiouxFalls")
    first = assignment.assign(net, demand, algorithm="gp", rel_gap=1e-9)
    gone = 20
    keep = np.arange(net.n_links) != gone
    small = LinkNetwork(
        node_ids=net.node_ids,
        init=net.init[keep],
        term=net.term[keep],
        capacity=net.capacity[keep],
        free_flow_time=net.free_flow_time[keep],
        length=net.length[keep],
        alpha=net.alpha[keep],
        beta=net.beta[keep],
        akcelik_j=net.akcelik_j[keep],
        period_h=net.period_h[keep],
        toll=net.toll[keep],
        link_type=net.link_type[keep],
        zone_nodes=net.zone_nodes,
        no_thru=net.no_thru,
    )
    link_map = np.where(keep, np.cumsum(keep) - 1, -1)
    warm_paths = first.paths.for_network(link_map, small.n_links)
    warm = assignment.assign(small, demand, algorithm="gp", rel_gap=1e-9, warm_start=warm_paths)
    cold = assignment.assign(small, demand, algorithm="gp", rel_gap=1e-9)
    assert warm.converged and warm.iterations < cold.iterations
    np.testing.assert_allclose(warm.flows, cold.flows, rtol=1e-5, atol=1e-2)
    with pytest.raises(InputError, match="warm start"):
        assignment.assign(small, demand, algorithm="gp", warm_start=first.paths)
    with pytest.raises(InputError, match="cannot start from paths"):
        assignment.assign(net, demand, algorithm="bfw", warm_start=first.paths)
