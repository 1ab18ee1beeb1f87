"""OpenStreetMap import through osmnx (mobility.network.osm), on OSM XML written here."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner

from mobility.cli import cli
from mobility.errors import InputError
from mobility.network import gmns, gmns_network, gmns_zones, osm, osm_zones

DATA = Path(__file__).resolve().parents[1] / "data"
#: The shared real OSM extract beside the repository (osmnx's test input; ODbL), not copied.
WEST_OAKLAND = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "osm" / "West-Oakland.osm.bz2"
)
needs_west_oakland = pytest.mark.skipif(
    not WEST_OAKLAND.is_file(), reason=f"{WEST_OAKLAND} not present"
)

# A small made-up street pattern near Ishøj (coordinates WGS84): a one-way motorway pair,
# a two-way residential street with lanes=2 (one per direction), a primary road with an
# implicit Danish urban limit, a footway (not imported) and a detached service road
# (not a known class) plus a detached residential stub (a second component).
OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="mobility tests">
  <node id="1" lat="55.6000" lon="12.3500"/>
  <node id="2" lat="55.6050" lon="12.3600"/>
  <node id="3" lat="55.6100" lon="12.3700"/>
  <node id="4" lat="55.6100" lon="12.3800"/>
  <node id="5" lat="55.6150" lon="12.3800"/>
  <node id="6" lat="55.6200" lon="12.3800"/>
  <node id="7" lat="55.6150" lon="12.3900"/>
  <node id="8" lat="55.6300" lon="12.4000"/>
  <node id="9" lat="55.6310" lon="12.4010"/>
  <way id="100">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="motorway"/><tag k="oneway" v="yes"/><tag k="lanes" v="3"/>
    <tag k="maxspeed" v="110"/><tag k="name" v="Køge Bugt Motorvejen"/>
  </way>
  <way id="101">
    <nd ref="3"/><nd ref="1"/>
    <tag k="highway" v="motorway"/><tag k="oneway" v="yes"/>
    <tag k="name" v="Køge Bugt Motorvejen"/>
  </way>
  <way id="102">
    <nd ref="3"/><nd ref="4"/><nd ref="5"/>
    <tag k="highway" v="residential"/><tag k="lanes" v="2"/><tag k="maxspeed" v="30"/>
    <tag k="name" v="Testvej"/>
  </way>
  <way id="103">
    <nd ref="5"/><nd ref="7"/>
    <tag k="highway" v="primary"/><tag k="maxspeed" v="DK:urban"/>
    <tag k="name" v="Ishøj Strandvej"/>
  </way>
  <way id="104">
    <nd ref="5"/><nd ref="6"/>
    <tag k="highway" v="footway"/>
  </way>
  <way id="105">
    <nd ref="8"/><nd ref="9"/>
    <tag k="highway" v="residential"/>
  </way>
</osm>
"""


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.009  # osmnx's mean Earth radius (m / 1000)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@pytest.fixture
def osm_file(tmp_path: Path) -> Path:
    path = tmp_path / "ishoej.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    return path


def _by_name(graph, name):
    return [(u, v, d) for u, v, d in graph.edges(data=True) if d.get("name") == name]


def test_import_small_osm(osm_file, tmp_path):
    out = tmp_path / "gmns"
    g = osm.import_osm(out, path=osm_file)
    # largest component only: nodes 1,3 (motorway) 3,5 (residential) 5,7 (primary);
    # 2 and 4 are merged away by simplification, 6 (footway) and 8-9 (other part) dropped
    assert sorted(g.nodes) == [1, 3, 5, 7]
    assert g.number_of_edges() == 6
    motorway = _by_name(g, "Køge Bugt Motorvejen")
    assert [(u, v) for u, v, _ in motorway] == [(1, 3), (3, 1)]
    fwd = motorway[0][2]
    assert fwd["road_class"] == "motorway" and fwd["modes"] == "car"
    assert fwd["lanes"] == 3 and fwd["lanes_source"] == "osm:lanes"
    assert fwd["capacity_vph"] == 3 * 2000.0
    assert fwd["free_speed_kmh"] == 110.0 and fwd["speed_source"] == "osm:maxspeed"
    expected = _haversine_km(55.6, 12.35, 55.605, 12.36) + _haversine_km(
        55.605, 12.36, 55.61, 12.37
    )
    assert fwd["length_km"] == pytest.approx(expected, rel=1e-4)
    back = motorway[1][2]
    assert back["lanes"] == 2 and back["lanes_source"] == "estimate:highway_class"
    assert back["speed_source"] == "estimate:highway_class"
    # two-way street, lanes=2 in total -> one lane each way, both directions present
    street = _by_name(g, "Testvej")
    assert sorted((u, v) for u, v, _ in street) == [(3, 5), (5, 3)]
    for _, _, d in street:
        assert d["lanes"] == 1 and d["lanes_source"] == "osm:lanes/2"
        assert d["capacity_vph"] == 500.0 and d["free_speed_kmh"] == 30.0
        assert d["road_class"] == "local" and d["modes"] == "car,bike,walk"
    primary = _by_name(g, "Ishøj Strandvej")
    assert {d["free_speed_kmh"] for _, _, d in primary} == {50.0}
    assert {d["road_class"] for _, _, d in primary} == {"arterial"}
    # the GMNS folder reads back to the same graph
    back_g = gmns.read_gmns(out)
    assert back_g.number_of_edges() == 6
    for u, v, k, d in g.edges(keys=True, data=True):
        d2 = back_g[u][v][k]
        for key, value in d.items():
            assert d2[key] == (pytest.approx(value) if isinstance(value, float) else value)
    config = (out / "config.csv").read_text(encoding="utf-8")
    assert "km,kph,EPSG:4326" in config
    assert "estimate:highway_class" in (out / "link.csv").read_text(encoding="utf-8")


def test_retain_all_keeps_the_detached_street(osm_file, tmp_path):
    g = osm.import_osm(tmp_path / "all", path=osm_file, retain_all=True)
    assert 8 in g and 9 in g
    assert g.number_of_edges() == 8


def test_import_is_deterministic(osm_file, tmp_path):
    osm.import_osm(tmp_path / "a", path=osm_file)
    osm.import_osm(tmp_path / "b", path=osm_file)
    for name in ("node.csv", "link.csv", "config.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50.0),
        ("50 mph", 80.4672),
        ("DK:rural", 80.0),
        ("60;40", 40.0),
        (None, None),
        ("signals", None),
        (["70", "90"], 70.0),
    ],
)
def test_parse_maxspeed(value, expected):
    got = osm.parse_maxspeed(value)
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_parse_lanes():
    assert osm.parse_lanes("2") == 2
    assert osm.parse_lanes(["3", "2"]) == 2
    assert osm.parse_lanes("two") is None


def test_bad_osm_input(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        osm.import_osm(tmp_path / "out", path=tmp_path / "none.osm")
    broken = tmp_path / "broken.osm"
    broken.write_text(OSM_XML[:300], encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.osm.*OSM XML"):
        osm.import_osm(tmp_path / "out", path=broken)
    paths_only = tmp_path / "paths.osm"
    paths_only.write_text(
        OSM_XML.split("<way")[0]
        + '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"paths\.osm.*no roads of a known class"):
        osm.import_osm(tmp_path / "out", path=paths_only)
    assert not (tmp_path / "out").exists()


def test_one_way_stub_is_dropped_and_shapes_are_kept(tmp_path):
    """A one-way street out of the network and back to nowhere is weakly but not strongly
    connected: the default import drops it (a car could enter and never leave). Each link
    keeps its shape as WKT; the motorway through node 2 has three points and its length is
    the length along them."""
    stub = """  <node id="10" lat="55.6200" lon="12.4000"/>
  <way id="106">
    <nd ref="7"/><nd ref="10"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/>
  </way>
</osm>"""
    path = tmp_path / "stub.osm"
    path.write_text(OSM_XML.replace("</osm>", stub), encoding="utf-8")
    g = osm.import_osm(tmp_path / "gmns", path=path)
    assert 10 not in g and sorted(g.nodes) == [1, 3, 5, 7]
    # the stub (10) and the detached street (8-9) are counted as dropped
    assert (g.graph["dropped_nodes"], g.graph["dropped_links"]) == (3, 3)
    assert nx.is_strongly_connected(g)
    kept = osm.import_osm(tmp_path / "all", path=path, retain_all=True)
    assert 10 in kept
    fwd = _by_name(g, "Køge Bugt Motorvejen")[0][2]
    assert fwd["geometry"] == (
        "LINESTRING (12.350000 55.600000, 12.360000 55.605000, 12.370000 55.610000)"
    )
    pts = [(55.6, 12.35), (55.605, 12.36), (55.61, 12.37)]
    along = sum(_haversine_km(*a, *b) for a, b in itertools.pairwise(pts))
    assert fwd["length_km"] == pytest.approx(along, rel=1e-4)
    street = _by_name(g, "Ishøj Strandvej")[0][2]
    assert street["geometry"].count(",") == 1  # a straight link: its two nodes
    back = gmns.read_gmns(tmp_path / "gmns")
    assert back[1][3][fwd["link_id"]]["geometry"] == fwd["geometry"]


# --------------------------------------------------------------------------------------------
# --zones: centroids and connectors


def _run(args: list[str]):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


@needs_west_oakland
def test_west_oakland_zones_read_back_and_assign(tmp_path):
    """Two made-up zones on the real West Oakland extract: each a centroid joined both ways
    to its two nearest road nodes; the folder reads back and the demand between the two
    zones assigns, over the connectors and never through a centroid."""
    from mobility.network.assignment import assign

    out = tmp_path / "roads"
    zones = DATA / "osm" / "west_oakland_zones.csv"
    result = _run(["network", "from-osm", str(WEST_OAKLAND), "--zones", str(zones), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "23 nodes, 52 links" in result.stdout
    assert "2 zones attached by 8 connector links" in result.stdout
    g = gmns.read_gmns(out)
    assert g.number_of_nodes() == 25 and g.number_of_edges() == 60
    centroids, no_thru, generated = gmns_zones.zone_centroids(g)
    assert centroids == {1: 1, 2: 2} and not generated  # no road node has id 1 or 2
    assert no_thru == {1, 2}
    for c in (1, 2):
        d = g.nodes[c]
        assert d["node_type"] == "centroid" and d["no_thru"] is True
        assert d["name"].endswith("(made up)")
        assert g.out_degree(c) == g.in_degree(c) == 2
    road = [n for n in g.nodes if n not in (1, 2)]
    assert all(g.nodes[n]["no_thru"] is False for n in road)
    connectors = [(u, v, d) for u, v, d in g.edges(data=True) if d["road_class"] == "connector"]
    assert len(connectors) == 8
    for u, v, d in connectors:
        c, n = (u, v) if u in (1, 2) else (v, u)
        a, b = g.nodes[c], g.nodes[n]
        straight = _haversine_km(a["y"], a["x"], b["y"], b["x"])
        assert d["length_km"] == pytest.approx(straight, rel=1e-4)
        assert d["capacity_vph"] == 4000.0 and d["free_speed_kmh"] == 30.0
        assert d["vdf_alpha"] == 0.0 and d["modes"] == "car,bike,walk"
    # the two nearest road nodes of zone 1, by great-circle distance
    z1 = g.nodes[1]
    nearest = sorted(road, key=lambda n: _haversine_km(z1["y"], z1["x"], g.nodes[n]["y"],
                                                       g.nodes[n]["x"]))  # fmt: skip
    assert set(g.successors(1)) == set(nearest[:2])
    net = gmns_network.gmns_to_link_network(out, mode="car")
    assert net.meta["zone_ids"] == [1, 2]
    demand = np.array([[0.0, 300.0], [120.0, 0.0]])
    res = assign(net, demand, rel_gap=1e-6)
    assert res.converged
    ids = net.meta["link_ids"]
    flow = {ids[k]: float(res.flows[k]) for k in range(net.n_links)}
    by_id = {d["link_id"]: (u, v) for u, v, d in connectors}
    out_of = {c: sum(flow[i] for i, (u, _) in by_id.items() if u == c) for c in (1, 2)}
    into = {c: sum(flow[i] for i, (_, v) in by_id.items() if v == c) for c in (1, 2)}
    # every trip leaves its zone and reaches the other one over connectors, none passes through
    assert out_of == pytest.approx({1: 300.0, 2: 120.0})
    assert into == pytest.approx({1: 120.0, 2: 300.0})
    assert max(flow[i] for i in by_id) > 0


def test_zones_skip_motorway_only_junctions_and_avoid_node_ids(osm_file, tmp_path):
    """On the Ishøj pattern (road nodes 1, 3, 5, 7): zone 1 at node 1, a junction of the
    motorway only, connects to node 3 instead (as the bundled region's connectors); since
    road node 1 exists, centroids get 10 + zone_id."""
    zones = tmp_path / "zones.csv"
    zones.write_text("zone_id,lat,lon\n1,55.6000,12.3500\n2,55.6150,12.3900\n", encoding="utf-8")
    g = osm.import_osm(tmp_path / "gmns", path=osm_file, zones=zones, connectors=1)
    assert sorted(g.nodes) == [1, 3, 5, 7, 11, 12]
    assert list(g.successors(11)) == [3] and list(g.predecessors(11)) == [3]
    assert list(g.successors(12)) == [7]  # zone 2 sits on node 7: the shortest length
    assert g[12][7][min(g[12][7])]["length_km"] == osm_zones.CONNECTOR_MIN_KM
    assert g.graph["n_connectors"] == 4
    back = gmns.read_gmns(tmp_path / "gmns")
    assert gmns_zones.zone_centroids(back)[0] == {1: 11, 2: 12}
    # the connectors' ids run on above the roads' 1..6
    assert sorted(d["link_id"] for *_, d in back.edges(data=True))[-4:] == [7, 8, 9, 10]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("zone_id,lat\n1,55.6\n", ["zones.csv, line 1", "field 'lon'", "missing column"]),
        (
            "zone_id,lat,lon\n1,55.6,12.35\n1,55.61,12.36\n",
            ["zones.csv, line 3", "field 'zone_id'", "duplicate zone_id 1"],
        ),
        ("zone_id,lat,lon\n1,north,12.35\n", ["zones.csv, line 2", "field 'lat'", "not a number"]),
        ("zone_id,lat,lon\n1,55.6,212.35\n", ["zones.csv, line 2", "field 'lon'", "-180 to 180"]),
        ("zone_id,lat,lon\n0,55.6,12.35\n", ["line 2", "field 'zone_id'", ">= 1"]),
        ("zone_id,lat,lon\n", ["zones.csv", "no zones"]),
    ],
)
def test_bad_zones_file(osm_file, tmp_path, text, words):
    zones = tmp_path / "zones.csv"
    zones.write_text(text, encoding="utf-8")
    out = tmp_path / "roads"
    result = _run(["network", "from-osm", str(osm_file), "--zones", str(zones), "-o", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mobility: error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0]
    assert not out.exists()


def test_bad_connectors_value(osm_file, tmp_path):
    zones = DATA / "osm" / "west_oakland_zones.csv"
    result = _run(
        ["network", "from-osm", str(osm_file), "--zones", str(zones), "--connectors", "0",
         "-o", str(tmp_path / "roads")]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--connectors" in result.stderr and "integer >= 1" in result.stderr


# --------------------------------------------------------------------------------------------
# mobility network export: the OSM import as a GeoPackage (its WKT shapes kept)


def _export(roads: Path, gpkg: Path, *extra: str):
    return _run(["network", "export", "--roads", str(roads), "--gpkg", str(gpkg), *extra])


def _utm(lon: float, lat: float) -> tuple[float, float]:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True).transform(lon, lat)


@needs_west_oakland
def test_export_west_oakland_import(tmp_path):
    """The West Oakland import (with its two zones) exported alone: EPSG:25832, layers links
    and nodes, one row per link and node, every shape of the import's WKT kept point for
    point (the longest, 15 points), the connectors straight."""
    import geopandas as gpd
    import pyogrio

    roads = tmp_path / "roads"
    zones = DATA / "osm" / "west_oakland_zones.csv"
    _run(["network", "from-osm", str(WEST_OAKLAND), "--zones", str(zones), "-o", str(roads)])
    gpkg = tmp_path / "roads.gpkg"
    result = _export(roads, gpkg)
    assert result.exit_code == 0, result.output
    assert "60 links, 25 nodes" in result.stdout
    assert [name for name, _ in pyogrio.list_layers(gpkg)] == ["links", "nodes"]
    links = gpd.read_file(gpkg, layer="links")
    nodes = gpd.read_file(gpkg, layer="nodes")
    assert links.crs.to_epsg() == 25832 and nodes.crs.to_epsg() == 25832
    g = gmns.read_gmns(roads)
    assert len(links) == g.number_of_edges() == 60 and len(nodes) == g.number_of_nodes() == 25
    edges = {str(d["link_id"]): d for *_, d in g.edges(data=True)}
    assert list(links["link_id"]) == [str(i) for i in range(1, 61)]
    points = {
        lid: len(geom.coords) for lid, geom in zip(links["link_id"], links.geometry, strict=True)
    }
    assert max(points.values()) == 15
    for lid, geom in zip(links["link_id"], links.geometry, strict=True):
        shape = edges[lid]["geometry"]
        lonlat = [tuple(map(float, p.split())) for p in shape[12:-1].split(", ")]
        assert len(geom.coords) == len(lonlat)
        for got, (lon, lat) in zip(geom.coords, lonlat, strict=True):
            assert got == pytest.approx(_utm(lon, lat), abs=1e-3)
    connectors = links[links["road_class"] == "connector"]
    assert len(connectors) == 8 and set(connectors.geometry.apply(lambda x: len(x.coords))) == {2}
    row = links.iloc[0]
    assert row["name"] == edges["1"]["name"] and row["lanes"] == edges["1"]["lanes"]
    assert row["capacity"] == edges["1"]["capacity_vph"]
    assert row["free_speed_kmh"] == edges["1"]["free_speed_kmh"]
    assert row["length_km"] == pytest.approx(edges["1"]["length_km"])
    centroids = nodes[nodes["node_type"] == "centroid"]
    assert list(centroids["zone_id"]) == [1, 2] and list(centroids["no_thru"]) == [1, 1]
    assert nodes["no_thru"].sum() == 2
    # an existing file is replaced only with --force; the same network gives the same bytes
    first = gpkg.read_bytes()
    again = _export(roads, gpkg)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert _export(roads, gpkg, "--force").exit_code == 0
    assert gpkg.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roads", "roads.gpkg"]  # no leftovers


def test_export_keeps_the_osm_motorway_shape(osm_file, tmp_path):
    """The Ishøj motorway through node 2 (merged away by the import) keeps its three points
    in the GeoPackage, projected."""
    import geopandas as gpd

    g = osm.import_osm(tmp_path / "roads", path=osm_file)
    assert _export(tmp_path / "roads", tmp_path / "roads.gpkg").exit_code == 0
    links = gpd.read_file(tmp_path / "roads.gpkg", layer="links")
    assert len(links) == g.number_of_edges() == 6
    motorway = links[(links["name"] == "Køge Bugt Motorvejen") & (links["from"] == "1")]
    coords = list(motorway.geometry.item().coords)
    assert len(coords) == 3
    expected = [_utm(12.35, 55.6), _utm(12.36, 55.605), _utm(12.37, 55.61)]
    for got, want in zip(coords, expected, strict=True):
        assert got == pytest.approx(want, abs=1e-3)
