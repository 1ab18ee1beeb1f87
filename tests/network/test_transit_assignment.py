"""Optimal strategies (Spiess & Florian 1989) against published and hand-derived results.

The example network of the paper (Fig. 1; also in the EMME and AequilibraE documentation and
AequilibraE's test suite): stops A, X, Y, B and four lines

=====  ===========  =======  ===========================
line   stops        headway  in-vehicle minutes
=====  ===========  =======  ===========================
1      A-B          12       25
2      A-X-Y        12       A-X 7, X-Y 6
3      X-Y-B        30       X-Y 4, Y-B 4
4      Y-B          6        10
=====  ===========  =======  ===========================

with wait = half the combined headway and no boarding cost. The paper's optimal strategy
from A to B: board the first of lines 1 and 2; on line 2 ride to Y, then take the first of
lines 3 and 4; expected travel time 27.75 min. Labels derived by hand from the algorithm
(and equal to AequilibraE's reference values in seconds: 1665, 1144.2857, 690, 1050):

* u_Y = (0.5 + 4/30 + 10/6) / (1/30 + 1/6) = 11.5 (line 3 then line 4, both attractive)
* line 2 at X rides on to Y: 6 + 11.5 = 17.5; stop X: line 3 (8) then line 2 (17.5):
  u_X = (0.5 + 8/30 + 17.5/12) / (1/30 + 1/12) = 19.0714...
* u_A = (0.5 + 25/12 + 24.5/12) / (2/12) = 27.75; expected wait 3 + 0.5 x 2.5 = 4.25 min,
  in-vehicle 23.5 min; boardings line 1: 0.5, line 2: 0.5, line 3: 1/12, line 4: 5/12.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pytest

from mobility.demand.parameters import load_demand_parameters
from mobility.errors import InputError
from mobility.network.geometry import haversine_km
from mobility.network.transit_assignment import (
    build_strategy_graph,
    optimal_strategy,
    strategy_load,
    strategy_skim,
)
from mobility.network.transit_graph import (
    BOARD,
    IN_VEHICLE,
    build_transit_network,
    line_boardings,
    line_loads,
    pt_load,
    pt_skim,
)
from mobility.region.transit import Stop, TransitLine, TransitSystem

# --------------------------------------------------------------------------- the paper's network

SF_LINES = {
    "1": (12.0, ("A", "B"), (25.0,)),
    "2": (12.0, ("A", "X", "Y"), (7.0, 6.0)),
    "3": (30.0, ("X", "Y", "B"), (4.0, 4.0)),
    "4": (6.0, ("Y", "B"), (10.0,)),
}
STOPS = ("A", "X", "Y", "B")


@dataclass
class ArrayNet:
    graph: object
    cost: np.ndarray
    freq: np.ndarray
    board: dict[str, np.ndarray]
    ride: dict[str, np.ndarray]
    ivt: np.ndarray
    stop: dict[str, int]


def _sf_network() -> ArrayNet:
    """Zones 0 (at A) and 1 (at B), stop nodes, one route node per line and stop."""
    init, term, cost, freq, tag = [], [], [], [], []

    def add(u: int, v: int, c: float, f: float = np.inf, t: str = "") -> None:
        init.append(u)
        term.append(v)
        cost.append(c)
        freq.append(f)
        tag.append(t)

    stop = {s: 2 + k for k, s in enumerate(STOPS)}
    add(0, stop["A"], 0.0)
    add(stop["B"], 1, 0.0)
    node = 2 + len(STOPS)
    for lid, (headway, stops, times) in SF_LINES.items():
        route = list(range(node, node + len(stops)))
        node += len(stops)
        for pos, s in enumerate(stops):
            if pos < len(stops) - 1:
                add(stop[s], route[pos], 0.0, 1.0 / headway, f"board{lid}")
            if pos > 0:
                add(route[pos], stop[s], 0.0)
        for pos, t in enumerate(times):
            add(route[pos], route[pos + 1], t, np.inf, f"ride{lid}")
    no_thru = np.zeros(node, dtype=bool)
    no_thru[:2] = True
    graph = build_strategy_graph(
        np.array(init), np.array(term), n_nodes=node, zone_nodes=np.array([0, 1]), no_thru=no_thru
    )
    tags = np.array(tag)
    return ArrayNet(
        graph=graph,
        cost=np.array(cost),
        freq=np.array(freq),
        board={lid: (tags == f"board{lid}").astype(float) for lid in SF_LINES},
        ride={lid: tags == f"ride{lid}" for lid in SF_LINES},
        ivt=np.where(np.char.startswith(tags, "ride"), np.array(cost), 0.0),
        stop=stop,
    )


@pytest.fixture(scope="module")
def sf() -> ArrayNet:
    net = _sf_network()
    optimal_strategy(net.graph, net.cost, net.freq, 1)  # load the numba kernels once
    return net


def test_paper_labels_and_strategy(sf):
    s = optimal_strategy(sf.graph, sf.cost, sf.freq, 1)
    assert s.label[0] == pytest.approx(27.75, rel=1e-12)
    assert s.label[sf.stop["A"]] == pytest.approx(27.75, rel=1e-12)
    assert s.label[sf.stop["X"]] == pytest.approx((0.5 + 8 / 30 + 17.5 / 12) / (1 / 30 + 1 / 12))
    assert s.label[sf.stop["Y"]] == pytest.approx(11.5, rel=1e-12)
    # at A: lines 1 and 2 half each; at Y: line 3 one sixth, line 4 five sixths
    a_out = sf.graph.init == sf.stop["A"]
    assert s.share[a_out & (sf.board["1"] > 0)].item() == pytest.approx(0.5)
    assert s.share[a_out & (sf.board["2"] > 0)].item() == pytest.approx(0.5)
    assert s.node_frequency[sf.stop["A"]] == pytest.approx(2 / 12)
    assert s.node_frequency[sf.stop["Y"]] == pytest.approx(1 / 30 + 1 / 6)
    y_out = sf.graph.init == sf.stop["Y"]
    y3 = y_out & (sf.board["3"] > 0)
    y4 = y_out & (sf.board["4"] > 0)
    assert s.share[y3].item() == pytest.approx(1 / 6)
    assert s.share[y4].item() == pytest.approx(5 / 6)
    # every node in the strategy splits all its travellers
    tails = sf.graph.init[s.share > 0]
    for node in np.unique(tails):
        assert s.share[sf.graph.init == node].sum() == pytest.approx(1.0)
    # the order puts the head of every strategy link before its tail
    rank = {int(n): k for k, n in enumerate(s.order)}
    rank[1] = -1
    for a in np.flatnonzero(s.share > 0):
        assert rank[int(sf.graph.term[a])] < rank[int(sf.graph.init[a])]


def test_paper_expected_components(sf):
    acc = {"ivt": sf.ivt, **{f"board:{lid}": arr for lid, arr in sf.board.items()}}
    sk = strategy_skim(sf.graph, sf.cost, sf.freq, accumulate=acc)
    assert sk.cost[0, 1] == pytest.approx(27.75, rel=1e-12)
    assert sk.wait_min[0, 1] == pytest.approx(3.0 + 0.5 * 2.5)
    assert sk.sums["ivt"][0, 1] == pytest.approx(23.5)
    boards = [sk.sums[f"board:{lid}"][0, 1] for lid in SF_LINES]
    assert boards == pytest.approx([0.5, 0.5, 1 / 12, 5 / 12])
    # B -> A has no service: unconnected, and 0 on the diagonal
    assert np.isinf(sk.cost[1, 0]) and np.isnan(sk.wait_min[1, 0])
    assert sk.cost[0, 0] == 0.0 and sk.sums["ivt"][1, 1] == 0.0


def test_paper_loading(sf):
    flows = strategy_load(sf.graph, sf.cost, sf.freq, np.array([[0.0, 120.0], [0.0, 0.0]]))
    ride = {lid: flows[mask] for lid, mask in sf.ride.items()}
    assert ride["1"] == pytest.approx([60.0])
    assert ride["2"] == pytest.approx([60.0, 60.0])  # rides on past X to Y
    assert ride["3"] == pytest.approx([0.0, 10.0])  # boarded at Y only
    assert ride["4"] == pytest.approx([50.0])
    boardings = [float(flows @ sf.board[lid]) for lid in SF_LINES]
    assert boardings == pytest.approx([60.0, 60.0, 10.0, 50.0])


def test_wait_weight_scales_only_the_wait(sf):
    acc = {"ivt": sf.ivt}
    one = strategy_skim(sf.graph, sf.cost, sf.freq, accumulate=acc)
    two = strategy_skim(sf.graph, sf.cost, sf.freq, wait_weight=2.0, accumulate=acc)
    # same strategy (wider waits only widen the line sets here), so cost = ivt + 2 x wait
    assert two.cost[0, 1] == pytest.approx(two.sums["ivt"][0, 1] + 2.0 * two.wait_min[0, 1])
    assert two.cost[0, 1] > one.cost[0, 1]


def test_bad_inputs_are_input_errors(sf):
    with pytest.raises(InputError, match="cost"):
        optimal_strategy(sf.graph, -sf.cost, sf.freq, 1)
    with pytest.raises(InputError, match="frequency"):
        optimal_strategy(sf.graph, sf.cost, np.zeros_like(sf.freq), 1)
    with pytest.raises(InputError, match="destination"):
        optimal_strategy(sf.graph, sf.cost, sf.freq, 999)
    with pytest.raises(InputError, match="no transit strategy"):
        strategy_load(sf.graph, sf.cost, sf.freq, np.array([[0.0, 0.0], [1.0, 0.0]]))
    with pytest.raises(InputError) as info:
        build_strategy_graph(np.array([0]), np.array([5]), n_nodes=2, zone_nodes=np.array([0]))
    assert info.value.field == "term"


# --------------------------------------------------------------------------- transit graphs


# the package's own transit records (lines get a test source string)
Line = functools.partial(TransitLine, source="test")
System = TransitSystem


STOP_LIST = [
    Stop("A", "A", 12.50, 55.70),
    Stop("B", "B", 12.55, 55.70),
    Stop("C", "C", 12.60, 55.70),
    Stop("D", "D", 12.60, 55.75),
]
ZONES = {
    "zone_ids": np.array([1, 2, 3]),
    "zone_lon": np.array([12.50, 12.60, 12.60]),
    "zone_lat": np.array([55.70, 55.70, 55.75]),
}


def _system(*lines: Line) -> System:
    return System({s.stop_id: s for s in STOP_LIST}, {ln.line_id: ln for ln in lines})


@pytest.fixture(scope="module")
def params():
    return load_demand_parameters()


@pytest.mark.parametrize("bus_headway", [6.0, 20.0, 30.0, 90.0])
def test_lone_lines_give_the_shortest_path_skim(params, bus_headway):
    """No stop offers two lines to the same place: strategies = shortest paths, wait capped."""
    system = _system(
        Line("L1", "metro", "metro", 4.0, 40.0, ("A", "B", "C")),
        Line("L2", "bus", "bus", bus_headway, 20.0, ("C", "D")),
    )
    tn = build_transit_network(system, **ZONES, params=params.transit_graph_params())
    strat = pt_skim(tn, route_choice="optimal_strategy")
    short = pt_skim(tn, route_choice="shortest_path")
    assert set(strat) == set(short)
    for key in short:
        np.testing.assert_allclose(strat[key], short[key], rtol=1e-12, atol=1e-12)
    assert strat["wait_min"][0, 2] == pytest.approx(2.0 + min(bus_headway / 2, params.pt_wait_cap))


@pytest.mark.parametrize(("h1", "h2"), [(4.0, 12.0), (10.0, 10.0), (5.0, 40.0)])
def test_parallel_lines_combine_frequencies(params, h1, h2):
    system = _system(
        Line("P1", "s1", "s-tog", h1, 40.0, ("A", "B", "C")),
        Line("P2", "s2", "s-tog", h2, 40.0, ("A", "B", "C")),
    )
    tn = build_transit_network(system, **ZONES, params=params.transit_graph_params())
    sk = pt_skim(tn)
    cap = params.pt_wait_cap
    f1, f2 = 1 / min(h1, 2 * cap), 1 / min(h2, 2 * cap)
    assert sk["wait_min"][0, 1] == pytest.approx(0.5 / (f1 + f2), rel=1e-12)
    assert sk["board:P1"][0, 1] == pytest.approx(f1 / (f1 + f2), rel=1e-12)
    assert sk["board:P2"][0, 1] == pytest.approx(f2 / (f1 + f2), rel=1e-12)
    assert sk["boardings"][0, 1] == pytest.approx(1.0)
    km = haversine_km(12.50, 55.70, 12.60, 55.70) * params.detour_factor
    assert sk["in_vehicle_min"][0, 1] == pytest.approx(km / 40.0 * 60.0)
    expected = (
        sk["walk_min"][0, 1] * params.pt_walk_weight
        + sk["in_vehicle_min"][0, 1]
        + params.pt_wait_weight * 0.5 / (f1 + f2)
        + params.pt_transfer_penalty
    )
    assert sk["cost"][0, 1] == pytest.approx(expected, rel=1e-12)
    # the shortest-path model sees only the better line's own wait
    short = pt_skim(tn, route_choice="shortest_path")
    assert short["wait_min"][0, 1] == pytest.approx(0.5 / max(f1, f2))
    # boardings split in proportion to frequency, by skim and by loading alike
    od = np.array([[0.0, 100.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    by_skim = line_boardings(sk, od, tn.line_ids)
    by_load = line_loads(tn, pt_load(tn, od))
    assert by_skim["P1"] == pytest.approx(100 * f1 / (f1 + f2))
    assert by_load["P1"]["boardings"] == pytest.approx(by_skim["P1"])
    assert by_load["P2"]["boardings"] == pytest.approx(by_skim["P2"])
    assert by_load["P1"]["max_load"] + by_load["P2"]["max_load"] == pytest.approx(100.0)


@pytest.mark.parametrize(("slow_kmh", "used"), [(13.0, False), (30.0, True)])
def test_a_dominated_line_is_not_used(params, slow_kmh, used):
    """A slower parallel line is attractive only if it saves more than it costs to ride.

    Line F: 40 km/h every 10 min. Line S: ``slow_kmh`` every 10 min. With F alone the expected
    cost from A is wait_weight x 5 + t_F + penalty, so S joins the strategy iff
    t_S < wait_weight x 5 + t_F.
    """
    system = _system(
        Line("F", "fast", "s-tog", 10.0, 40.0, ("A", "B", "C")),
        Line("S", "slow", "bus", 10.0, slow_kmh, ("A", "B", "C")),
    )
    tn = build_transit_network(system, **ZONES, params=params.transit_graph_params())
    km = haversine_km(12.50, 55.70, 12.60, 55.70) * params.detour_factor
    t_fast, t_slow = km / 40.0 * 60.0, km / slow_kmh * 60.0
    assert bool(t_slow < params.pt_wait_weight * 5.0 + t_fast) is used  # the premise
    sk = pt_skim(tn)
    if used:
        assert sk["board:S"][0, 1] == pytest.approx(0.5)
        assert sk["cost"][0, 1] < pt_skim(tn, route_choice="shortest_path")["cost"][0, 1]
    else:
        assert sk["board:S"][0, 1] == 0.0
        assert sk["board:F"][0, 1] == 1.0
        assert sk["wait_min"][0, 1] == pytest.approx(5.0)
        assert sk["in_vehicle_min"][0, 1] == pytest.approx(t_fast)


def test_strategies_never_cost_more_than_shortest_paths(params):
    system = _system(
        Line("L1", "metro", "metro", 4.0, 40.0, ("A", "B", "C")),
        Line("L2", "bus", "bus", 15.0, 20.0, ("A", "C", "D")),
        Line("L3", "bus", "bus", 8.0, 25.0, ("B", "C", "D")),
        Line("L4", "bus", "bus", 30.0, 30.0, ("A", "D")),
    )
    tn = build_transit_network(system, **ZONES, params=params.transit_graph_params())
    strat = pt_skim(tn)
    short = pt_skim(tn, route_choice="shortest_path")
    assert np.all(strat["cost"] <= short["cost"] + 1e-9)
    od = np.arange(9, dtype=float).reshape(3, 3)
    volumes = pt_load(tn, od)
    loads = line_loads(tn, volumes)
    by_skim = line_boardings(strat, od, tn.line_ids)
    for lid in tn.line_ids:
        assert loads[lid]["boardings"] == pytest.approx(by_skim[lid], abs=1e-9)
    # passenger-km on the lines = trips x expected in-vehicle km
    pkm = sum(v["passenger_km"] for v in loads.values())
    off = ~np.eye(3, dtype=bool)
    assert pkm == pytest.approx(float(np.sum((od * strat["length_km"])[off])))
    assert set(np.unique(tn.net.link_type[volumes > 0])) >= {BOARD, IN_VEHICLE}


def test_unknown_route_choice(params):
    tn = build_transit_network(
        _system(Line("L1", "m", "metro", 4.0, 40.0, ("A", "B", "C", "D"))),
        **ZONES,
        params=params.transit_graph_params(),
    )
    with pytest.raises(InputError) as info:
        pt_skim(tn, route_choice="logit")
    assert info.value.field == "pt_route_choice"


def test_more_service_on_the_less_frequent_parallel_line_is_valued(params):
    """P2 from every 20 to every 10 min beside P1 every 5: shortest paths see no change."""

    def skims(h2: float) -> tuple[dict, dict]:
        system = _system(
            Line("P1", "s1", "s-tog", 5.0, 40.0, ("A", "B", "C")),
            Line("P2", "s2", "s-tog", h2, 40.0, ("A", "B", "C")),
        )
        tn = build_transit_network(system, **ZONES, params=params.transit_graph_params())
        return pt_skim(tn), pt_skim(tn, route_choice="shortest_path")

    (strat20, short20), (strat10, short10) = skims(20.0), skims(10.0)
    assert short10["cost"][0, 1] == short20["cost"][0, 1]
    saving = params.pt_wait_weight * (0.5 / (1 / 5 + 1 / 20) - 0.5 / (1 / 5 + 1 / 10))
    assert strat20["cost"][0, 1] - strat10["cost"][0, 1] == pytest.approx(saving, rel=1e-9)
