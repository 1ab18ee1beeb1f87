"""``mobility.gis``: the GeoPackage layers, their CRS, values and geometry, and determinism.

Independent checks: the coordinates are projected here with pyproj (EPSG:4326 ->
EPSG:25832) and compared with what geopandas reads back; the polygon areas are compared with
Statistics Denmark's municipality areas (DST ARE207, km²: København 90, Bornholm 588).
"""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import networkx as nx
import numpy as np
import pyogrio
import pytest
from pyproj import Transformer
from shapely.geometry import LineString

from mobility.demand.outputs import LINK_COLUMNS, PT_LINE_COLUMNS
from mobility.gis import (
    CRS,
    DAGI_LABEL,
    MODEL_LAYERS,
    municipality_boundaries,
    write_link_changes_map,
    write_model_map,
)
from mobility.region.transit import Stop, TransitLine, TransitSystem

TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)


def _roads() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node(1, x=12.5800, y=55.6805)  # Indre By centroid (mobility/data/roads/node.csv)
    g.add_node(2, x=12.5760, y=55.7060)
    g.add_node(3, x=12.3100, y=55.7300)
    g.add_edge(1, 2, key=10, link_id=10, lanes=2, length_km=3.0)
    # a link with its own shape (GMNS geometry, WKT): a bend through a third point
    g.add_edge(
        2, 3, key=11, link_id=11, lanes=1, length_km=20.0,
        geometry="LINESTRING (12.576 55.706, 12.45 55.75, 12.31 55.73)",
    )  # fmt: skip
    return g


def _links() -> tuple[tuple[str, ...], list[tuple]]:
    rows = [
        (10, 1, 2, "Øster Allé", "arterial", "900.0", "12000", "1800.0", "3.0000", "6.0000"),
        (11, 2, 3, "Motorvej", "motorway", "1500.5", "20001", "1500.0", "12.0000", "15.0000"),
    ]
    return LINK_COLUMNS, rows


def _zones() -> tuple[SimpleNamespace, tuple, list[tuple]]:
    zones = SimpleNamespace(
        zone_id=np.array([1, 2, 38]),
        municipality_code=np.array([101, 101, 400]),
        lon=np.array([12.58, 12.576, 14.70]),
        lat=np.array([55.6805, 55.706, 55.10]),
    )
    header = ("zone_id", "name", "kind", "municipality_code", "residents", "jobs", "trips_produced")
    rows = [
        (1, "Indre By", "bydel", 101, "52971", "126006", "167366.8"),
        (2, "Østerbro", "bydel", 101, "75674", "46202", "205652.4"),
        (38, "Bornholm", "municipality", 400, "39572", "17000", "90000.0"),
    ]
    return zones, header, rows


def _transit() -> TransitSystem:
    stops = {
        "kh": Stop("kh", "København H", 12.5648, 55.6726, 1),
        "nrp": Stop("nrp", "Nørreport", 12.5716, 55.6834, 1),
        "oest": Stop("oest", "Østerport", 12.5877, 55.6925, 2),
    }
    lines = {"A": TransitLine("A", "S-tog A", "s-tog", 10.0, 42.0, ("kh", "nrp", "oest"), "test")}
    return TransitSystem(stops=stops, lines=lines)


def _model_map(path: Path) -> Path:
    zones, zheader, zrows = _zones()
    pt_rows = [
        ("A", "s-tog", "1000.0", "5000", "400"),
        ("local_bus_intrazonal", "bus", "200.0", "300", ""),
    ]
    return write_model_map(
        path,
        links=_links(),
        roads=_roads(),
        zones_table=(zheader, zrows),
        zones=zones,
        pt_lines=(PT_LINE_COLUMNS, pt_rows),
        transit=_transit(),
    )


def test_layers_crs_and_link_values(tmp_path: Path) -> None:
    path = _model_map(tmp_path / "map.gpkg")
    assert [name for name, _ in pyogrio.list_layers(path)] == list(MODEL_LAYERS)
    links = gpd.read_file(path, layer="links")
    assert links.crs.to_epsg() == 25832 == int(CRS.split(":")[1])
    assert list(links["link_id"]) == ["10", "11"]
    assert list(links["volume_peak_hour"]) == [900.0, 1500.5]
    assert list(links["adt"]) == [12000.0, 20001.0]
    assert list(links["lanes"]) == [2.0, 1.0]
    assert links["vc_ratio"].tolist() == [0.5, pytest.approx(1500.5 / 1500.0, abs=1e-4)]
    # congested speed = length / congested time: 3 km in 6 min = 30 km/h, 20 km in 15 min
    assert links["congested_speed_kmh"].tolist() == [30.0, 80.0]
    assert links["name"][0] == "Øster Allé"
    # link 10 has no shape: the straight line between its nodes, projected
    a, b = links.geometry[0].coords
    assert a == pytest.approx(TO_UTM.transform(12.58, 55.6805), abs=1e-3)
    assert b == pytest.approx(TO_UTM.transform(12.576, 55.706), abs=1e-3)
    # link 11 keeps its own three-point shape
    assert len(links.geometry[1].coords) == 3
    assert links.geometry[1].coords[1] == pytest.approx(TO_UTM.transform(12.45, 55.75), abs=1e-3)


def test_zones_polygon_for_a_whole_municipality_else_point(tmp_path: Path) -> None:
    zones = gpd.read_file(_model_map(tmp_path / "map.gpkg"), layer="zones")
    kinds = dict(zip(zones["zone_id"], zones.geometry.geom_type, strict=True))
    # København is split into bydele (two zones share 101): points; Bornholm is one zone
    assert kinds[1] == kinds[2] == "Point"
    assert kinds[38] in ("Polygon", "MultiPolygon")
    assert zones.loc[zones["zone_id"] == 38, "geometry_source"].item() == DAGI_LABEL
    # Bornholm is 588 km² (DST ARE207); the 1:500,000 generalisation stays within 3 %
    area_km2 = zones.loc[zones["zone_id"] == 38].geometry.area.item() / 1e6
    assert area_km2 == pytest.approx(588, rel=0.03)
    assert zones["residents"].tolist() == [52971.0, 75674.0, 39572.0]


def test_bundled_boundaries_cover_every_zone_municipality() -> None:
    from mobility.region.zones import load_zones

    boundaries = municipality_boundaries()
    zones = load_zones(2023)
    codes = {int(c) for c in zones.municipality_code} - {0}
    assert codes <= set(boundaries)
    kbh = gpd.GeoSeries([boundaries[101]], crs="EPSG:4326").to_crs(CRS).area.item() / 1e6
    assert kbh == pytest.approx(90, rel=0.05)  # København 90 km² (DST ARE207)
    # every centroid of a whole-municipality zone lies in (or within 2 km of) its polygon
    for i, code in enumerate(zones.municipality_code):
        if code and list(zones.municipality_code).count(code) == 1:
            pt = gpd.GeoSeries.from_xy([zones.lon[i]], [zones.lat[i]], crs="EPSG:4326")
            dist = pt.to_crs(CRS).distance(
                gpd.GeoSeries([boundaries[int(code)]], crs="EPSG:4326").to_crs(CRS)
            )
            assert dist.item() < 2000, zones.name[i]


def test_pt_layers(tmp_path: Path) -> None:
    path = _model_map(tmp_path / "map.gpkg")
    lines = gpd.read_file(path, layer="pt_lines")
    assert list(lines["line"]) == ["A", "local_bus_intrazonal"]
    assert len(lines.geometry[0].coords) == 3  # through its three stops
    assert lines.geometry[1] is None  # no route
    assert lines["max_load_per_weekday"][0] == 400.0 and np.isnan(lines["max_load_per_weekday"][1])
    stops = gpd.read_file(path, layer="pt_stops")
    assert list(stops["stop_id"]) == ["kh", "nrp", "oest"]
    assert set(stops["lines"]) == {"A"}
    assert stops.geometry.geom_type.tolist() == ["Point"] * 3


def test_same_tables_give_the_same_bytes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _model_map(tmp_path / "a" / "map.gpkg").read_bytes()
    time.sleep(1.1)  # GDAL's own timestamps have one-second resolution
    assert _model_map(tmp_path / "b" / "map.gpkg").read_bytes() == first


def test_link_changes_layer(tmp_path: Path) -> None:
    from mobility.pipeline.tables import LINK_CHANGE_COLUMNS

    header = (*LINK_COLUMNS, *LINK_CHANGE_COLUMNS)
    base = (10, 1, 2, "Øster Allé", "arterial", "950.0", "12500", "1800.0", "3.0", "6.5")
    new = ("p1.001", 1, 3, "Ny vej", "arterial", "40.0", "400", "900.0", "9.0", "9.1")
    gone = (11, 2, 3, "Motorvej", "motorway", "0.0", "0", "0.0", "12.0", "15.0")
    p1 = [(*base, "900.0", "12000", "50.0", "500", ""), (*new, "0.0", "0", "40.0", "400", "added")]
    p2 = [(*gone, "1500.5", "20001", "-1500.5", "-20001", "removed")]
    path = write_link_changes_map(
        tmp_path / "map.gpkg", {"p1": (header, p1), "p2": (header, p2)}, roads=_roads()
    )
    frame = gpd.read_file(path, layer="link_changes")
    assert frame.crs.to_epsg() == 25832
    assert list(frame["project_id"]) == ["p1", "p1", "p2"]
    assert list(frame["link_id"]) == ["10", "p1.001", "11"]
    assert frame["volume_peak_hour_change"].tolist() == [50.0, 40.0, -1500.5]
    assert list(frame["link_status"]) == ["", "added", "removed"]
    # the added link has no shape of its own: node 1 to node 3
    added = frame.geometry[1]
    assert isinstance(added, LineString)
    assert added.coords[0] == pytest.approx(TO_UTM.transform(12.58, 55.6805), abs=1e-3)
    assert added.coords[1] == pytest.approx(TO_UTM.transform(12.31, 55.73), abs=1e-3)


# --------------------------------------------------------------------------------------------
# mobility network export: a GMNS network alone

GMNS = Path(__file__).resolve().parent / "data" / "gmns"


def _export(args: list[str]):
    from click.testing import CliRunner

    from mobility.cli import cli

    return CliRunner().invoke(cli, ["network", "export", *args], catch_exceptions=False)


def test_export_gmns_small_with_undirected_links(tmp_path: Path) -> None:
    """tests/data/gmns/small: 9 link rows, two of them undirected, so 11 directed links, as
    ``network info`` counts them; the reverse of an undirected link runs the other way."""
    from mobility.network.gmns import read_gmns

    gpkg = tmp_path / "small.gpkg"
    result = _export(["--roads", str(GMNS / "small"), "--gpkg", str(gpkg)])
    assert result.exit_code == 0, result.output
    assert [name for name, _ in pyogrio.list_layers(gpkg)] == ["links", "nodes"]
    links = gpd.read_file(gpkg, layer="links")
    nodes = gpd.read_file(gpkg, layer="nodes")
    assert links.crs.to_epsg() == 25832
    assert len(links) == read_gmns(GMNS / "small").number_of_edges() == 11
    assert list(nodes["node_id"]) == [1, 2, 10, 11]
    assert list(nodes["zone_id"]) == [1, 2, 0, 0] and list(nodes["no_thru"]) == [1, 1, 0, 0]
    local = links[links["link_id"] == "5"]
    assert list(zip(local["from"], local["to"], strict=True)) == [("10", "11"), ("11", "10")]
    there, back = local.geometry
    assert list(there.coords) == list(back.coords)[::-1]
    assert there.coords[0] == pytest.approx(TO_UTM.transform(12.45, 55.66), abs=1e-3)
    toll = links[links["link_id"] == "9"].iloc[0]
    assert toll["toll_dkk"] == 25.5 and toll["capacity"] == 2 * 1500.5 and toll["lanes"] == 2


def test_export_gmns_example_in_its_own_crs(tmp_path: Path) -> None:
    """zephyr Arlington_Signals (config.csv crs 32619, UTM 19N, shapes as WKT): reprojected to
    EPSG:25832, every shape running from its from-node to its to-node (the file draws some
    two-way links and its dir_flag -1 link the other way)."""
    from mobility.network.gmns import read_gmns

    folder = GMNS / "zephyr" / "Arlington_Signals"
    gpkg = tmp_path / "arlington.gpkg"
    assert _export(["--roads", str(folder), "--gpkg", str(gpkg)]).exit_code == 0
    links = gpd.read_file(gpkg, layer="links")
    nodes = gpd.read_file(gpkg, layer="nodes").set_index("node_id")
    g = read_gmns(folder)
    assert len(links) == g.number_of_edges() == 40 and len(nodes) == g.number_of_nodes()
    utm19 = Transformer.from_crs("EPSG:32619", "EPSG:25832", always_xy=True)
    assert (nodes.geometry[1].x, nodes.geometry[1].y) == pytest.approx(
        utm19.transform(322754, 4698346), abs=1e-3
    )
    for lid, u, v, geom in zip(
        links["link_id"], links["from"], links["to"], links.geometry, strict=True
    ):
        a, b = nodes.geometry[int(u)], nodes.geometry[int(v)]
        first, last = geom.coords[0], geom.coords[-1]
        assert a.distance(type(a)(first)) < b.distance(type(a)(first)), lid
        assert b.distance(type(b)(last)) < a.distance(type(b)(last)), lid
    bikeway = links[links["link_id"] == "11"].geometry.item()  # dir_flag -1: 6 -> 1
    assert len(bikeway.coords) == 6
    assert bikeway.coords[-1] == pytest.approx(utm19.transform(322754, 4698346), abs=1e-3)


def test_export_refuses(tmp_path: Path) -> None:
    """A user's own file is never replaced without --force, a name not ending .gpkg and a
    network whose coordinates do not fit its CRS are refused; one line, exit 2."""
    mine = tmp_path / "notes.gpkg"
    mine.write_text("my own file", encoding="utf-8")
    drawing = tmp_path / "drawing"
    drawing.mkdir()
    (drawing / "node.csv").write_text("node_id,x_coord,y_coord\n1,0,0\n2,1000,500\n")
    (drawing / "link.csv").write_text("link_id,from_node_id,to_node_id\n1,1,2\n")
    cases = [
        (["--roads", str(GMNS / "small"), "--gpkg", str(mine)], "--force"),
        (["--roads", str(GMNS / "small"), "--gpkg", str(tmp_path / "x.shp")], ".gpkg"),
        (["--roads", str(drawing), "--gpkg", str(tmp_path / "d.gpkg")], "not a longitude"),
    ]
    for args, word in cases:
        result = _export(args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("mobility: error: ") and word in lines[0]
    assert mine.read_text(encoding="utf-8") == "my own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drawing", "notes.gpkg"]
