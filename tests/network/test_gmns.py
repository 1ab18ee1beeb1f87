"""GMNS node/link/config read and write (mobility.network.gmns)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.network import gmns, tntp

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = DATA / "gmns" / "small"


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
    out = gmns.write_gmns(g, tmp_path / "a")
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
    gmns.write_gmns(g2, tmp_path / "b")
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
    gmns.write_gmns(gmns.read_gmns(folder), folder)
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
        ("node.csv", "centroid,2,", "centroid,1,", ["line 3", "zone_id"]),
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
    net = gmns.gmns_to_link_network(SMALL)
    assert net.n_links == 11 and net.n_nodes == 4 and net.n_zones == 2
    assert net.node_ids.tolist() == [1, 2, 10, 11]
    assert net.meta["link_ids"] == [1, 2, 3, 4, 5, 5, 6, 7, 8, 8, 9]
    k = 2  # link 3, the 3-lane motorway
    assert net.capacity[k] == pytest.approx(5400.0)
    assert net.free_flow_time[k] == pytest.approx(60 * 7.5 / 110)
    assert net.length[k] == 7.5
    assert (net.b[k], net.power[k]) == (0.5, 4.0)
    assert net.link_type[k] == 1 + gmns.ROAD_CLASSES.index("motorway")
    assert net.toll[-1] == 25.5
    assert net.no_thru.tolist() == [True, True, False, False]
    assert net.zone_nodes.tolist() == [0, 1]
    # reversed zone order and a car-only network
    car = gmns.gmns_to_link_network(gmns.read_gmns(SMALL), zones=[2, 1], mode="car")
    assert car.zone_nodes.tolist() == [1, 0]
    assert 8 not in car.meta["link_ids"] and car.n_links == 9
    with pytest.raises(InputError, match="zone 3 has no centroid"):
        gmns.gmns_to_link_network(SMALL, zones=[1, 3])


def test_zero_speed_is_refused_for_assignment(tmp_path):
    folder = _copy_small(tmp_path)
    _edit(folder / "link.csv", "1800,110,0,car,0.5", "1800,0,0,car,0.5")
    with pytest.raises(InputError, match="free_speed"):
        gmns.gmns_to_link_network(folder)


def test_tntp_conversion_keeps_the_network(tmp_path):
    src = DATA / "tntp" / "SiouxFalls_net.tntp"
    out = gmns.tntp_to_gmns(src, tmp_path / "sf", node_path=DATA / "tntp" / "SiouxFalls_node.tntp")
    ref = tntp.read_net(src)
    net = gmns.gmns_to_link_network(out)
    assert net.n_links == ref.n_links == 76
    assert net.n_zones == ref.n_zones == 24
    np.testing.assert_array_equal(net.node_ids[net.init], ref.node_ids[ref.init])
    np.testing.assert_array_equal(net.node_ids[net.term], ref.node_ids[ref.term])
    for name in ("capacity", "free_flow_time", "length", "b", "power", "toll"):
        np.testing.assert_allclose(getattr(net, name), getattr(ref, name), rtol=1e-12)
    np.testing.assert_array_equal(net.no_thru, ref.no_thru)
    np.testing.assert_array_equal(net.node_ids[net.zone_nodes], ref.node_ids[ref.zone_nodes])
    g = gmns.read_gmns(out)
    assert g.nodes[1]["x"] != 0.0 and g.nodes[1]["zone_id"] == 1
