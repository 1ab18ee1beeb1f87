"""GMNS node/link/config read and write, zones, the compact network and the length check
(mobility.network.gmns, gmns_write, gmns_zones, gmns_network, gmns_check)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.network import gmns, gmns_check, gmns_network, gmns_write, gmns_zones, tntp

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = DATA / "gmns" / "small"
PATH4GMNS = DATA / "gmns" / "path4gmns"
ZEPHYR = DATA / "gmns" / "zephyr"
#: ``../shared/data/gmns`` beside the repository (large real sets, not in the repository):
#: the tests that read it are skipped where it is absent.
SHARED_GMNS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "gmns"


def _copy_small(tmp_path: Path) -> Path:
    folder = tmp_path / "net"
    shutil.copytree(SMALL, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_read_small_maps_fields_and_units():
    g = gmns.read_gmns(SMALL)
    assert g.number_of_nodes() == 4
    # 9 rows, two undirected links give one extra reverse edge each
    assert g.number_of_edges() == 11
    assert g.nodes[1] == {
        "x": 12.40,
        "y": 55.65,
        "name": "Zone A centroid",
        "node_type": "centroid",
        "zone_id": 1,
        "source": "hand-made test fixture",
    }
    assert "zone_id" not in g.nodes[10]
    e = g[10][11][3]
    assert e["link_id"] == 3
    assert e["name"] == "Motorway E-W"
    assert e["road_class"] == "motorway"
    assert e["lanes"] == 3
    assert e["capacity_vph"] == pytest.approx(5400.0)  # 1800 veh/h/lane x 3 lanes
    assert e["free_speed_kmh"] == 110.0
    assert e["length_km"] == 7.5
    assert e["modes"] == "car"
    assert e["vdf_alpha"] == 0.5 and e["vdf_beta"] == 4.0
    assert g[11][10][9]["toll_dkk"] == 25.5
    assert g[11][10][9]["capacity_vph"] == pytest.approx(3001.0)
    # undirected local road: both directions, same id and attributes
    assert g[10][11][5]["directed"] is False
    assert g[11][10][5]["gmns_reverse"] is True
    assert g[11][10][5]["capacity_vph"] == g[10][11][5]["capacity_vph"] == 800.0
    # lanes 0: capacity taken as the whole direction
    assert g[10][11][8]["capacity_vph"] == 2000.0


def test_round_trip_gives_same_graph_and_same_bytes(tmp_path):
    g = gmns.read_gmns(SMALL)
    out = gmns_write.write_gmns(g, tmp_path / "a")
    g2 = gmns.read_gmns(out)
    assert list(g2.nodes(data=True)) == list(g.nodes(data=True))
    e1 = sorted(g.edges(keys=True, data=True), key=lambda e: (e[2], e[0]))
    e2 = sorted(g2.edges(keys=True, data=True), key=lambda e: (e[2], e[0]))
    assert [(u, v, k) for u, v, k, _ in e1] == [(u, v, k) for u, v, k, _ in e2]
    for (*_, d1), (*_, d2) in zip(e1, e2, strict=True):
        assert d1.keys() == d2.keys()
        for key in d1:
            if isinstance(d1[key], float):
                assert d2[key] == pytest.approx(d1[key], rel=1e-12)
            else:
                assert d2[key] == d1[key]
    gmns_write.write_gmns(g2, tmp_path / "b")
    for name in ("node.csv", "link.csv", "config.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # per-lane capacity written back, one row per GMNS link
    rows = (tmp_path / "a" / "link.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 10
    assert rows[3].startswith("3,Motorway E-W,10,11,true,7.5,motorway,3,1800,110,")
    assert "long_length" in (tmp_path / "a" / "config.csv").read_text(encoding="utf-8")


def test_write_keeps_other_files(tmp_path):
    folder = _copy_small(tmp_path)
    (folder / "README.md").write_text("sources\n", encoding="utf-8")
    gmns_write.write_gmns(gmns.read_gmns(folder), folder)
    assert (folder / "README.md").read_text(encoding="utf-8") == "sources\n"
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_config_units_are_converted(tmp_path):
    folder = _copy_small(tmp_path)
    _edit(folder / "config.csv", "m,km,kph", "ft,mi,mph")
    g = gmns.read_gmns(folder)
    assert g[10][11][3]["length_km"] == pytest.approx(7.5 * 1.609344)
    assert g[10][11][3]["free_speed_kmh"] == pytest.approx(110 * 1.609344)


def test_no_config_assumes_km_kph(tmp_path):
    folder = _copy_small(tmp_path)
    (folder / "config.csv").unlink()
    assert gmns.read_gmns(folder)[10][11][3]["length_km"] == 7.5


@pytest.mark.parametrize(
    ("table", "old", "new", "words"),
    [
        (
            "link.csv",
            "3,Motorway E-W,10,11",
            "3,Motorway E-W,10,99",
            ["line 4", "to_node_id", "99"],
        ),
        ("link.csv", "1800,110,0,car,0.5", "-1800,110,0,car,0.5", ["line 4", "capacity", ">= 0"]),
        ("link.csv", "true,7.5,motorway", "true,-7.5,motorway", ["line 4", "'length'"]),
        ("link.csv", "true,7.5,motorway", "true,seven,motorway", ["line 4", "'length'", "seven"]),
        ("link.csv", "motorway,3,1800", "motorway,2.5,1800", ["line 4", "lanes"]),
        ("link.csv", "\n4,Motorway W-E", "\n3,Motorway W-E", ["line 5", "duplicate link_id"]),
        ("link.csv", "10,11,true,7.5", "10,11,maybe,7.5", ["line 4", "directed"]),
        ("link.csv", "0.5,4,hand", "-0.5,4,hand", ["line 4", "vdf_alpha"]),
        ("link.csv", "link_id,name,from_node_id", "id,name,from_node_id", ["link_id", "column"]),
        ("node.csv", "12.45,55.66", "12.45,north", ["line 4", "y_coord"]),
        ("node.csv", "\n11,East", "\n10,East", ["line 5", "duplicate node_id"]),
        ("config.csv", "DKK", "EUR", ["config.csv", "currency"]),
        ("config.csv", "m,km,kph", "m,furlong,kph", ["config.csv", "long_length"]),
    ],
)
def test_bad_input_names_file_line_and_field(tmp_path, table, old, new, words):
    folder = _copy_small(tmp_path)
    _edit(folder / table, old, new)
    with pytest.raises(InputError) as info:
        gmns.read_gmns(folder)
    message = str(info.value)
    assert table in message
    for word in words:
        assert word in message


def test_short_row_and_missing_files(tmp_path):
    folder = _copy_small(tmp_path)
    _edit(folder / "link.csv", ",hand-made test fixture\n2,", "\n2,")
    with pytest.raises(InputError, match=r"link\.csv, line 2: has 14 fields"):
        gmns.read_gmns(folder)
    (folder / "node.csv").unlink()
    with pytest.raises(InputError, match=r"node\.csv: file not found"):
        gmns.read_gmns(folder)
    with pytest.raises(InputError, match="GMNS folder not found"):
        gmns.read_gmns(tmp_path / "nowhere")


def test_link_network_arrays():
    net = gmns_network.gmns_to_link_network(SMALL)
    assert net.n_links == 11 and net.n_nodes == 4 and net.n_zones == 2
    assert net.node_ids.tolist() == [1, 2, 10, 11]
    assert net.meta["link_ids"] == [1, 2, 3, 4, 5, 5, 6, 7, 8, 8, 9]
    k = 2  # link 3, the 3-lane motorway
    assert net.capacity[k] == pytest.approx(5400.0)
    assert net.free_flow_time[k] == pytest.approx(60 * 7.5 / 110)
    assert net.length[k] == 7.5
    assert (net.alpha[k], net.beta[k]) == (0.5, 4.0)
    assert (net.akcelik_j[k], net.period_h[k]) == (0.5, 4.0)  # the same pair, read for Akcelik
    assert net.link_type[k] == 1 + gmns.ROAD_CLASSES.index("motorway")
    assert net.toll[-1] == 25.5
    assert net.no_thru.tolist() == [True, True, False, False]
    assert net.zone_nodes.tolist() == [0, 1]
    # reversed zone order and a car-only network
    car = gmns_network.gmns_to_link_network(gmns.read_gmns(SMALL), zones=[2, 1], mode="car")
    assert car.zone_nodes.tolist() == [1, 0]
    assert 8 not in car.meta["link_ids"] and car.n_links == 9
    with pytest.raises(InputError, match="zone 3 has no centroid"):
        gmns_network.gmns_to_link_network(SMALL, zones=[1, 3])


def test_zero_speed_is_refused_for_assignment(tmp_path):
    folder = _copy_small(tmp_path)
    _edit(folder / "link.csv", "1800,110,0,car,0.5", "1800,0,0,car,0.5")
    with pytest.raises(InputError, match="free_speed"):
        gmns_network.gmns_to_link_network(folder)


def test_tntp_conversion_keeps_the_network(tmp_path):
    src = DATA / "tntp" / "SiouxFalls_net.tntp"
    out = gmns_write.tntp_to_gmns(
        src, tmp_path / "sf", node_path=DATA / "tntp" / "SiouxFalls_node.tntp"
    )
    ref = tntp.read_net(src)
    net = gmns_network.gmns_to_link_network(out)
    assert net.n_links == ref.n_links == 76
    assert net.n_zones == ref.n_zones == 24
    np.testing.assert_array_equal(net.node_ids[net.init], ref.node_ids[ref.init])
    np.testing.assert_array_equal(net.node_ids[net.term], ref.node_ids[ref.term])
    names = ("capacity", "free_flow_time", "length", "alpha", "beta", "akcelik_j", "period_h")
    for name in (*names, "toll"):
        np.testing.assert_allclose(getattr(net, name), getattr(ref, name), rtol=1e-12)
    np.testing.assert_array_equal(net.no_thru, ref.no_thru)
    np.testing.assert_array_equal(net.node_ids[net.zone_nodes], ref.node_ids[ref.zone_nodes])
    g = gmns.read_gmns(out)
    assert g.nodes[1]["x"] != 0.0 and g.nodes[1]["zone_id"] == 1


# --------------------------------------------------------------------------------------------
# GMNS as its users write it (issue 14): zones, centroids, currency, allowed_uses, no_thru


def _network(tmp_path: Path, nodes: str, links: str) -> Path:
    folder = tmp_path / "net"
    folder.mkdir()
    (folder / "node.csv").write_text(nodes, encoding="utf-8")
    (folder / "link.csv").write_text(links, encoding="utf-8")
    return folder


def test_zone_id_is_the_zone_a_node_lies_in(tmp_path):
    """Nodes 1 and 10 lie in zone 1 (1 is its typed centroid); 11 and 12 lie in zone 2 with
    no centroid marked (a generated one joins both); 3 and 13 lie in zone 3, whose centroid
    is node 3 (node_id = zone id); 14 is the only node of zone 4."""
    nodes = (
        "node_id,x_coord,y_coord,node_type,zone_id\n"
        "1,0,0,centroid,1\n10,1,0,,1\n11,2,0,,2\n12,2,2,,2\n3,3,0,,3\n13,4,0,,3\n14,5,0,,4\n"
    )
    links = "link_id,from_node_id,to_node_id,length,capacity,free_speed\n" + "".join(
        f"{k},{a},{b},1,100,60\n"
        for k, (a, b) in enumerate(
            [(1, 10), (10, 1), (10, 11), (11, 10), (10, 12), (12, 3), (3, 13), (13, 14), (14, 13)],
            start=1,
        )
    )
    graph = gmns.read_gmns(_network(tmp_path, nodes, links))
    assert graph.nodes[10]["zone_id"] == 1  # no longer "zone 1 already has centroid node 1"
    centroids, no_thru, connect = gmns_zones.zone_centroids(graph, [1, 2, 3, 4])
    assert centroids == {1: 1, 3: 3, 4: 14} and connect == {2: [11, 12]}
    assert no_thru == {1, 3}  # typed, picked among several; 14 is an ordinary node
    net = gmns_network.gmns_to_link_network(graph, zones=[1, 2, 3, 4])
    generated = int(net.node_ids[net.zone_nodes[1]])
    assert generated == 15 and generated not in graph  # above every node id; graph untouched
    ids = net.meta["link_ids"]
    assert ids[-4:] == ["zone2+11", "zone2+12", "zone2-11", "zone2-12"]
    k = ids.index("zone2+12")
    assert net.free_flow_time[k] == 0.0 and net.length[k] == 0.0
    assert net.node_ids[net.no_thru].tolist() == [1, 3, 15]
    # the default zones: those of the typed centroids when there are any
    assert gmns_network.gmns_to_link_network(graph).meta["zone_ids"] == [1]
    with pytest.raises(InputError, match="zone 9 has no centroid node"):
        gmns_zones.zone_centroids(graph, [9])


def test_any_currency_without_tolls(tmp_path):
    folder = _copy_small(tmp_path)
    _edit(folder / "config.csv", "DKK", "US cents")
    with pytest.raises(InputError) as info:  # link 9 has a toll of 25.5
        gmns.read_gmns(folder)
    assert "config.csv" in str(info.value) and "currency" in str(info.value)
    assert "link 9 has a toll" in str(info.value)
    _edit(folder / "link.csv", ",25.5,car,", ",0,car,")
    assert gmns.read_gmns(folder).graph["currency"] == "US CENTS"
    # the official examples: "US cents", no tolls
    for name in ("Arlington_Signals", "Cambridge_Intersection", "Freeway_Interchange"):
        graph = gmns.read_gmns(ZEPHYR / name)
        assert graph.number_of_edges() > 0, name


@pytest.mark.parametrize(
    ("uses", "car", "bike"),
    [
        ("all", True, True),
        ("ALL", True, True),
        ("auto", True, False),
        ("auto, bike", True, True),
        ("WALK, BIKE", False, True),
        ("walk;bike", False, True),
        ("", True, True),
        ("bus", False, False),
    ],
)
def test_allowed_uses_all_and_auto(uses, car, bike):
    assert gmns_network.allows_mode({"modes": uses}, "car") is car
    assert gmns_network.allows_mode({"modes": uses}, "bike") is bike


def test_official_examples_car_links():
    """Freeway_Interchange allows ``auto`` on all 12 links; Cambridge_Intersection's
    ``auto, bike`` approaches are car links, its sidewalks and crosswalks are not."""
    freeway = gmns.read_gmns(ZEPHYR / "Freeway_Interchange")
    assert sum(gmns_network.allows_mode(d, "car") for _, _, d in freeway.edges(data=True)) == 12
    graph = gmns.read_gmns(ZEPHYR / "Cambridge_Intersection")
    car = [d for _, _, d in graph.edges(data=True) if gmns_network.allows_mode(d, "car")]
    assert car and all("auto" in d["modes"].lower() for d in car)
    assert len(car) < graph.number_of_edges()


def test_path4gmns_sioux_falls_is_the_tntp_network():
    """Path4GMNS Sioux Falls read as GMNS: the same links, free-flow times, capacities, BPR
    parameters and zones as TNTP's SiouxFalls_net.tntp, and every node a through node
    (TNTP's first thru node is 1)."""
    ref = tntp.read_net(DATA / "tntp" / "SiouxFalls_net.tntp")
    zones = list(range(1, 25))
    net = gmns_network.gmns_to_link_network(PATH4GMNS / "Sioux_Falls", zones=zones, mode="car")
    assert net.n_links == ref.n_links == 76 and net.n_zones == ref.n_zones == 24
    np.testing.assert_array_equal(net.node_ids[net.init], ref.node_ids[ref.init])
    np.testing.assert_array_equal(net.node_ids[net.term], ref.node_ids[ref.term])
    for name in ("capacity", "free_flow_time", "alpha", "beta", "akcelik_j", "period_h"):
        np.testing.assert_allclose(getattr(net, name), getattr(ref, name), rtol=1e-9, err_msg=name)
    np.testing.assert_array_equal(net.no_thru, ref.no_thru)
    assert not net.no_thru.any()
    np.testing.assert_array_equal(net.node_ids[net.zone_nodes], ref.node_ids[ref.zone_nodes])


# --------------------------------------------------------------------------------------------
# stated lengths against the coordinates


def test_lengths_agree_on_the_small_network_and_arlington():
    small = gmns_check.check_lengths(gmns.read_gmns(SMALL))
    assert small.ok and small.checked == 5  # connectors and centroid links are left out
    arlington = gmns_check.check_lengths(gmns.read_gmns(ZEPHYR / "Arlington_Signals"))
    assert arlington.ok and arlington.checked == 27
    assert 0.8 < arlington.median_ratio < 1.25


@pytest.mark.parametrize(
    "name", ["Arlington_Signals_Errors", "Freeway_Interchange", "Cambridge_Intersection"]
)
def test_lengths_in_feet_stated_as_miles_are_named(name):
    """The official examples state ``long_length`` mile but give lengths in feet: each link
    about 5,280 times its coordinate length (Freeway_Interchange: 25,221 km in all)."""
    graph = gmns.read_gmns(ZEPHYR / name)
    check = gmns_check.check_lengths(graph)
    assert not check.ok and len(check.off) == check.checked > 0
    assert 4500 < check.median_ratio < 6000
    assert check.likely_unit == "foot"
    assert "look like feet, while config.csv long_length says mile" in check.message()
    if name == "Freeway_Interchange":
        total = sum(d["length_km"] for _, _, d in graph.edges(data=True))
        assert total == pytest.approx(25221, rel=1e-3)


def test_lengths_in_metres_stated_as_km(tmp_path):
    folder = _copy_small(tmp_path)
    text = (folder / "link.csv").read_text(encoding="utf-8")
    (folder / "link.csv").write_text(
        text.replace(",true,7.5,", ",true,7500,").replace(",false,6.0,", ",false,6000,"),
        encoding="utf-8",
    )
    check = gmns_check.check_lengths(gmns.read_gmns(folder))
    assert [lid for lid, _, _ in check.off] == [3, 4, 5]
    assert check.likely_unit == "m"  # three of the five checked links: the median is theirs
    assert "look like metres, while config.csv long_length says km" in check.message()
    _, stated, coord = check.off[0]
    assert stated == 7500.0 and 6 < coord < 7


def test_lengths_not_checked_without_a_stated_crs():
    check = gmns_check.check_lengths(gmns.read_gmns(PATH4GMNS / "Two_Corridor"))
    assert check.ok and check.checked == 0 and "states no crs" in check.message()
