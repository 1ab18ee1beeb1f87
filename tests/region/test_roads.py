"""Tests of the bundled region road network (mobility/data/roads, sources in its README)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from mobility.data import build_roads, build_zones
from mobility.errors import InputError
from mobility.network.vdf import VDF_CODES
from mobility.region import load_region, load_zones
from mobility.region.roads import (
    COUNT_SECTIONS,
    count_section_links,
    default_roads_path,
    load_roads,
    road_link_network,
)

CLASSES = {row["road_class"] for _, row in build_roads.read_table("road_classes.csv")}


@pytest.fixture(scope="module")
def roads():
    return load_roads()


@pytest.fixture(scope="module")
def zones():
    return load_zones(2015)


def _zone_costs(net):
    """Zone-to-zone shortest free-flow time, never passing through a centroid."""
    n = net.n_nodes
    # links out of a no-thru node are only usable from its own zone: solve per origin
    out = np.full((net.n_zones, net.n_zones), np.inf)
    for i, origin in enumerate(net.zone_nodes):
        keep = ~net.no_thru[net.init] | (net.init == origin)
        u, v, w = net.init[keep], net.term[keep], net.free_flow_time[keep] + 1e-9
        # parallel links: keep the fastest (csr_matrix would sum duplicates)
        order = np.lexsort((w, v, u))
        u, v, w = u[order], v[order], w[order]
        first = np.ones(u.size, dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        g = csr_matrix((w[first], (u[first], v[first])), shape=(n, n))
        dist = dijkstra(g, directed=True, indices=int(origin))
        out[i] = dist[net.zone_nodes]
    return out


def test_every_zone_reaches_every_zone_by_car(roads, zones):
    net = road_link_network(roads, zones, modes="car")
    cost = _zone_costs(net)
    assert np.isfinite(cost).all(), np.argwhere(~np.isfinite(cost))[:5]


@pytest.mark.parametrize("mode", ["bike", "walk"])
def test_cycling_and_walking_stay_on_their_land(roads, zones, mode):
    """Every zone reaches every zone on its own land; the sea (ferries carry cars, foot
    passengers are public transport) is crossed by no one on foot or by bike."""
    net = road_link_network(roads, zones, modes=mode)
    cost = _zone_costs(net)
    land = np.array(zones.land)
    same = land[:, None] == land[None, :]
    assert np.isfinite(cost[same]).all(), np.argwhere(same & ~np.isfinite(cost))[:5]
    assert not np.isfinite(cost[~same]).any()
    assert {"zealand", "scania", "bornholm"} == set(land)


def test_connectors_stay_on_the_zones_land(roads, zones):
    """Helsingborg's centroid is 6.6 km from Helsingør's ferry port: no connector there."""
    land = dict(zip(zones.zone_id.tolist(), zones.land, strict=True))
    node_land = {n["node_id"]: n["land"] for n in build_roads.load_nodes().values()}
    for u, v, d in roads.edges(data=True):
        if d["road_class"] == "connector" and u < 1000:
            assert node_land[v] == land[u], (u, v)


def test_car_times_are_plausible(roads, zones):
    net = road_link_network(roads, zones, modes="car")
    cost = _zone_costs(net)
    i, j = zones.index_of("Indre By"), zones.index_of("Hillerød")
    # København-Hillerød is ~35-45 min by car in free flow
    assert 25 < cost[i, j] < 60
    k = zones.index_of("Malmö")
    assert 25 < cost[i, k] < 70
    b = zones.index_of("Bornholm")
    assert cost[i, b] > 150  # ferry via Ystad: ~3 h door to door


def test_links_have_positive_capacity_length_and_speed(roads):
    for _, _, data in roads.edges(data=True):
        assert data["capacity_vph"] > 0
        assert data["length_km"] > 0
        assert data["free_speed_kmh"] > 0
        assert data["source"]
        assert data["road_class"] in CLASSES


def test_two_way_roads_have_both_directions(roads):
    pairs = {(u, v, d["name"]) for u, v, d in roads.edges(data=True)}
    assert all((v, u, name) in pairs for u, v, name in pairs)


def test_named_count_sections(roads):
    for key, (road, *_rest) in COUNT_SECTIONS.items():
        ids = count_section_links(roads, key)
        assert len(ids) == 2
        for _u, _v, k, data in roads.edges(keys=True, data=True):
            if k in ids:
                assert data["name"] == road
    kb = count_section_links(roads, "koege_bugt_greve_n_ishoej")
    m3 = count_section_links(roads, "motorring3_jyllingevej_husum")
    lanes = {k: d["lanes"] for _, _, k, d in roads.edges(keys=True, data=True)}
    assert all(lanes[k] == 5 for k in kb)  # 2x5 Ishøj-Greve N [S] trm.dk 2004
    assert all(lanes[k] == 3 for k in m3)


def test_per_lane_count_sections_use_the_sections_lanes(roads):
    """A per-lane count (value = per lane x lanes, [D]) names the lanes it multiplied by, and
    the bundled section has that many lanes in both directions together."""
    lanes = {k: d["lanes"] for _, _, k, d in roads.edges(keys=True, data=True)}
    per_lane = {k: v for k, v in COUNT_SECTIONS.items() if "per lane" in v[4]}
    assert len(per_lane) >= 5
    for key, (_road, _a, _b, value, unit, source) in per_lane.items():
        assert "[D]" in unit and "[S2]" in source, key
        n = int(unit.split(" x ")[1].split()[0])
        assert sum(lanes[k] for k in count_section_links(roads, key)) == n, key
        per = float(unit.split(" = ")[1].split(" per lane")[0].replace(",", ""))
        assert value == pytest.approx(per * n), key


def test_calibration_counts_match_the_sections():
    from mobility.demand.calibration import COUNTS

    assert [c[0] for c in COUNTS] == list(COUNT_SECTIONS)
    for key, target, _label, _tag in COUNTS:
        assert target == COUNT_SECTIONS[key][3], key


def test_motorway_lengths_match_published(roads):
    m3 = sum(d["length_km"] for _, _, d in roads.edges(data=True) if d["name"] == "Motorring 3")
    # 17 km per direction [S] Trafikstyrelsen
    assert m3 / 2 == pytest.approx(17.0, rel=0.1)


def test_every_named_motorway_exists(roads):
    names = {d["name"] for _, _, d in roads.edges(data=True)}
    for road in (
        "Motorring 3",
        "Motorring 4",
        "Køge Bugt Motorvejen",
        "Holbækmotorvejen",
        "Frederikssundmotorvejen",
        "Hillerødmotorvejen",
        "Hillerødmotorvejens forlængelse",
        "Helsingørmotorvejen",
        "Amagermotorvejen",
        "Øresundsmotorvejen",
        "Øresundsbroen",
        "Lyngbyvej",
        "Ring 3",
        "Ring 4",
        "Langebro",
        "Knippelsbro",
        "Sjællandsbroen",
        "Inderhavnsbroen",
        "Roskildevej" if False else "Vesterbrogade/Roskildevej",
        "Jyllingevej",
        "Frederikssundsvej",
        "Strandvejen",
        "Gammel Køge Landevej",
        "Helsingør-Helsingborg færgen",
        "Rønne-Ystad færgen (Bornholmslinjen)",
        "Albertslundruten",
        "Farumruten",
    ):
        assert road in names, road
    tolls = [d["toll_dkk"] for _, _, d in roads.edges(data=True) if d["name"] == "Øresundsbroen"]
    assert tolls and min(tolls) > 0
    bikes = [d for _, _, d in roads.edges(data=True) if d["road_class"] == "cycle_superhighway"]
    assert bikes and all(d["modes"] == "bike" for d in bikes)


def test_link_network_units_and_no_thru(roads, zones):
    net = road_link_network(roads, zones)
    assert net.no_thru[net.zone_nodes].all()
    assert net.no_thru.sum() == zones.n_zones
    i = net.meta["link_id"].index(count_section_links(roads, "koege_bugt_greve_n_ishoej")[0])
    # minutes = km / (km/h) * 60
    assert net.free_flow_time[i] == pytest.approx(net.length[i] / 110.0 * 60.0)
    assert net.capacity[i] == pytest.approx(5 * 1900)
    # motorways queue (Akcelik, J = 0.1, T = 1 h); urban roads and connectors use BPR
    assert net.vdf[i] == VDF_CODES["akcelik"]
    assert (net.akcelik_j[i], net.period_h[i]) == (0.1, 1.0)
    urban = np.array(net.meta["road_class"]) == "arterial"
    assert (net.vdf[urban] == VDF_CODES["bpr"]).all() and (net.beta[urban] == 4.0).all()
    assert (net.alpha[urban] == 0.15).all() and (net.period_h[urban] == 0.0).all()
    assert (road_link_network(roads, zones, akcelik={}).vdf == VDF_CODES["bpr"]).all()
    bike = road_link_network(roads, zones, modes="bike")
    assert (bike.vdf == VDF_CODES["bpr"]).all() and (bike.alpha == 0).all()


def test_year_filter_and_region_loader():
    r15, r35 = load_region(2015), load_region(2035)
    names15 = {d["name"] for _, _, d in r15.roads.edges(data=True)}
    names35 = {d["name"] for _, _, d in r35.roads.edges(data=True)}
    assert "Nordhavnsvej" not in names15 and "Nordhavnsvej" in names35
    assert "M3" not in r15.transit.lines and "M3" in r35.transit.lines
    assert "L" in r35.transit.lines and "300S" not in r35.transit.lines
    assert r15.zones.year == 2015


def test_builds_are_deterministic(tmp_path):
    """The GMNS files the model reads are what the loader writes from the road tables."""
    build_roads.main(tmp_path / "roads")
    for name in ("node.csv", "link.csv", "config.csv"):
        assert (tmp_path / "roads" / name).read_bytes() == (
            default_roads_path() / name
        ).read_bytes()
    build_zones.main(tmp_path)
    assert (tmp_path / "zones.csv").read_bytes() == (
        default_roads_path().parent / "zones.csv"
    ).read_bytes()


def test_bad_link_is_reported(tmp_path):
    folder = tmp_path / "roads"
    shutil.copytree(default_roads_path(), folder)
    text = (folder / "link.csv").read_text(encoding="utf-8").splitlines()
    head = text[0].split(",")
    cells = text[3].split(",")
    cells[head.index("facility_type")] = "highway"
    text[3] = ",".join(cells)
    (folder / "link.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="facility_type"):
        load_roads(folder)


def test_unknown_mode_refused(roads, zones):
    with pytest.raises(InputError, match="mode"):
        road_link_network(roads, zones, modes="plane")


def test_engine_skim_agrees_with_independent_dijkstra(roads, zones):
    """The engine's skim (mobility.network.paths) and the scipy check agree on this network."""
    from mobility.network.paths import skim

    net = road_link_network(roads, zones, modes="car")
    result = skim(net, net.free_flow_time, accumulate={"length_km": net.length})
    assert np.isfinite(result.cost).all()
    np.testing.assert_allclose(result.cost, _zone_costs(net), rtol=1e-6, atol=1e-5)
    # København (Indre By) - Roskilde by road is ~30-35 km
    i, j = zones.index_of("Indre By"), zones.index_of("Roskilde")
    assert 25 < result.sums["length_km"][i, j] < 45


def test_reference_2035_upgrades_the_hilleroed_extension():
    """V3 changes Allerød-Hillerød (by name), not Hillerødmotorvejen M3-Bagsværd."""
    from mobility.demand.model import _apply_committed
    from mobility.resources import bundled_file
    from mobility.scenario import load_scenario

    scenario = load_scenario(bundled_file("scenarios", "reference_2035.yaml"))
    roads = _apply_committed(scenario, load_region(2035)).roads
    name = "Hillerødmotorvejens forlængelse"
    ext = [d for _, _, d in roads.edges(data=True) if d["name"] == name]
    assert ext and all(d["free_speed_kmh"] == 110 and d["lanes"] == 2 for d in ext)
    inner = count_section_links(roads, "hilleroedmotorvejen_bagsvaerd")
    lanes = {k: d["lanes"] for _, _, k, d in roads.edges(keys=True, data=True)}
    assert all(lanes[k] == 3 for k in inner)


def test_connectors_avoid_motorway_only_junctions(roads):
    """No zone connects straight to a motorway-to-motorway interchange (no local access)."""
    fast = {"motorway", "expressway"}
    classes: dict = {}
    for u, v, d in roads.edges(data=True):
        for n in (u, v):
            classes.setdefault(n, set()).add(d["road_class"])
    ends = [v for u, v, d in roads.edges(data=True) if d["road_class"] == "connector" and u < 1000]
    assert ends
    for n in ends:
        assert not (classes[n] - {"connector", "cycle_superhighway"}) <= fast, n
