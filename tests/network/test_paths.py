"""Tests of shortest paths, skims and all-or-nothing loading (mobility.network.paths)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from mobility.errors import InputError
from mobility.network import paths
from mobility.network.graph import LinkNetwork


def _net(init, term, *, n_nodes: int, zones, no_thru=()) -> LinkNetwork:
    m = len(init)
    nt = np.zeros(n_nodes, dtype=bool)
    nt[list(no_thru)] = True
    return LinkNetwork(
        node_ids=np.arange(1, n_nodes + 1, dtype=np.int64),
        init=np.asarray(init, dtype=np.int64),
        term=np.asarray(term, dtype=np.int64),
        capacity=np.ones(m),
        free_flow_time=np.ones(m),
        length=np.ones(m),
        alpha=np.full(m, 0.15),
        beta=np.full(m, 4.0),
        akcelik_j=np.full(m, 0.1),
        period_h=np.ones(m),
        toll=np.zeros(m),
        link_type=np.zeros(m, dtype=np.int64),
        zone_nodes=np.asarray(zones, dtype=np.int64),
        no_thru=nt,
    )


def _random_net(seed: int, n: int = 40, m: int = 160, n_zones: int = 8):
    rng = np.random.default_rng(seed)
    init = rng.integers(0, n, m)
    term = rng.integers(0, n, m)
    keep = init != term
    init, term = init[keep], term[keep]
    net = _net(init, term, n_nodes=n, zones=np.arange(n_zones))
    cost = rng.uniform(0.1, 10.0, init.size)
    return net, cost, rng


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_skim_matches_networkx_dijkstra(seed: int) -> None:
    net, cost, rng = _random_net(seed)
    length = rng.uniform(0.0, 5.0, net.n_links)
    result = paths.skim(net, cost, accumulate={"length": length})
    graph = nx.DiGraph()
    graph.add_nodes_from(range(net.n_nodes))
    for k, (u, v) in enumerate(zip(net.init.tolist(), net.term.tolist(), strict=True)):
        # parallel links: networkx keeps one edge per pair, so keep the cheaper
        if not graph.has_edge(u, v) or graph[u][v]["cost"] > cost[k]:
            graph.add_edge(u, v, cost=cost[k], link=k)
    for o in range(net.n_zones):
        dist, route = nx.single_source_dijkstra(graph, o, weight="cost")
        for d in range(net.n_zones):
            if o == d:
                assert result.cost[o, d] == 0.0
            elif d in dist:
                assert result.cost[o, d] == pytest.approx(dist[d], rel=1e-12)
                links = [
                    graph[a][b]["link"] for a, b in zip(route[d][:-1], route[d][1:], strict=True)
                ]
                # continuous random costs: shortest paths are unique
                assert result.sums["length"][o, d] == pytest.approx(length[links].sum(), rel=1e-9)
            else:
                assert np.isinf(result.cost[o, d])
                assert np.isnan(result.sums["length"][o, d])


def test_aon_total_equals_demand_times_skim() -> None:
    net, cost, rng = _random_net(7, n=60, m=300, n_zones=10)
    skim = paths.skim(net, cost)
    demand = rng.uniform(0, 100, (10, 10))
    demand[~np.isfinite(skim.cost)] = 0.0
    flows, sp_total = paths.aon(net, cost, demand)
    off = ~np.eye(10, dtype=bool)
    assert sp_total == pytest.approx((demand * skim.cost)[off].sum(), rel=1e-12)
    assert flows @ cost == pytest.approx(sp_total, rel=1e-12)
    # flow conservation: net outflow at each zone node = its row sum minus column sum
    out = np.bincount(net.init, flows, net.n_nodes) - np.bincount(net.term, flows, net.n_nodes)
    expected = np.zeros(net.n_nodes)
    d0 = demand * off
    expected[:10] = d0.sum(axis=1) - d0.sum(axis=0)
    assert np.allclose(out, expected, atol=1e-9)


def test_no_thru_centroid_is_never_passed_through() -> None:
    # zones 0 and 1; node 2 is a third centroid on the short route 0 -> 2 -> 1; 0 -> 3 -> 1 is long
    init = [0, 2, 0, 3, 2, 1]
    term = [2, 1, 3, 1, 0, 2]
    cost = np.array([1.0, 1.0, 5.0, 5.0, 1.0, 1.0])
    free = _net(init, term, n_nodes=4, zones=[0, 1, 2])
    blocked = _net(init, term, n_nodes=4, zones=[0, 1, 2], no_thru=[0, 1, 2])
    assert paths.skim(free, cost).cost[0, 1] == 2.0
    s = paths.skim(blocked, cost)
    assert s.cost[0, 1] == 10.0  # must go round 3
    assert s.cost[0, 2] == 1.0 and s.cost[2, 1] == 1.0  # paths may start/end at a centroid
    demand = np.zeros((3, 3))
    demand[0, 1] = 5.0
    flows, _ = paths.aon(blocked, cost, demand)
    assert list(flows) == [0.0, 0.0, 5.0, 5.0, 0.0, 0.0]


def test_parallel_links_keep_the_cheaper() -> None:
    net = _net([0, 0, 0], [1, 1, 1], n_nodes=2, zones=[0, 1])
    flows, sp = paths.aon(net, np.array([3.0, 2.0, 4.0]), np.array([[0.0, 7.0], [0.0, 0.0]]))
    assert list(flows) == [0.0, 7.0, 0.0] and sp == 14.0


def test_unreachable_demand_and_bad_costs_raise() -> None:
    net = _net([0], [1], n_nodes=2, zones=[0, 1])
    with pytest.raises(InputError, match="no path"):
        paths.aon(net, np.ones(1), np.array([[0.0, 1.0], [2.0, 0.0]]))
    with pytest.raises(InputError, match="cost"):
        paths.skim(net, np.array([-1.0]))
    with pytest.raises(InputError, match="shape"):
        paths.skim(net, np.ones(3))


def _select_link_net() -> tuple[LinkNetwork, np.ndarray]:
    """Zones A (0), B (1), C (2) and junctions X (3), Y (4): A - X - Y - B, C - X, and a
    direct A - B road. Links (both directions): A-X 0/1, X-Y 2/3, Y-B 4/5, C-X 6/7, A-B 8/9."""
    pairs = [(0, 3), (3, 4), (4, 1), (2, 3), (0, 1)]
    init = [u for a, b in pairs for u in (a, b)]
    term = [v for a, b in pairs for v in (b, a)]
    cost = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0, 5.0])
    return _net(init, term, n_nodes=5, zones=[0, 1, 2], no_thru=[0, 1, 2]), cost


def test_select_link_by_hand() -> None:
    net, cost = _select_link_net()
    demand = np.zeros((3, 3))
    demand[0, 1], demand[2, 1], demand[0, 2], demand[1, 0] = 10.0, 5.0, 3.0, 7.0
    res = paths.select_link(net, cost, demand, [2])  # X -> Y
    expected = np.zeros((3, 3))
    expected[0, 1], expected[2, 1] = 10.0, 5.0  # A->B (3 < 5 direct) and C->B; not A->C, B->A
    np.testing.assert_array_equal(res.od, expected)
    assert res.link_volume.tolist() == [15.0]
    # second period: X -> Y costs 10, so A->B goes direct (5 < 12) but C->B still uses X -> Y
    # (C-X-A-B would pass through zone A); third period: X -> Y costs 2.5, A->B through again
    # (4.5 < 5); weights 1, 2, 3
    costs = np.array([cost, cost, cost])
    costs[1, 2], costs[2, 2] = 10.0, 2.5
    later = np.zeros((3, 3))
    later[0, 1], later[2, 1] = 4.0, 6.0
    res = paths.select_link(net, costs, [demand, later, later], [2, 4], weights=[1.0, 2.0, 3.0])
    expected[0, 1], expected[2, 1] = 10.0 + 3 * 4.0, 5.0 + 2 * 6.0 + 3 * 6.0
    np.testing.assert_allclose(res.od, expected)  # each OD pair once, though it uses both links
    # B->A runs B-Y-X-A on the reverse links 5, 3, 1: on neither selected link
    np.testing.assert_allclose(res.link_volume, [15.0 + 12.0 + 30.0] * 2)
    assert res.links.tolist() == [2, 4]


def test_select_link_volumes_are_the_aon_flows() -> None:
    net, cost, rng = _random_net(11, n=50, m=250, n_zones=8)
    demand = rng.uniform(0, 50, (8, 8))
    demand[~np.isfinite(paths.skim(net, cost).cost)] = 0.0
    flows, _ = paths.aon(net, cost, demand)
    res = paths.select_link(net, cost, demand, np.arange(net.n_links))
    np.testing.assert_allclose(res.link_volume, flows, rtol=1e-12, atol=1e-9)
    used = np.flatnonzero(flows > 0)[:3]
    one = paths.select_link(net, cost, demand, used[:1])
    assert one.od.sum() == pytest.approx(flows[used[0]])
    assert np.all(one.od <= demand)


def test_select_link_bad_input() -> None:
    net, cost = _select_link_net()
    demand = np.ones((3, 3))
    with pytest.raises(InputError, match="links"):
        paths.select_link(net, cost, demand, [10])
    with pytest.raises(InputError, match="links"):
        paths.select_link(net, cost, demand, [])
    with pytest.raises(InputError, match="weights"):
        paths.select_link(net, cost, demand, [2], weights=[-1.0])
    with pytest.raises(InputError, match="demands"):
        paths.select_link(net, cost, np.ones((2, 2)), [2])
    cut = _net([0, 3], [3, 1], n_nodes=5, zones=[0, 1, 2], no_thru=[0, 1, 2])
    with pytest.raises(InputError, match="no path"):
        paths.select_link(cut, np.ones(2), demand, [0])
