"""The region's data files: every row sourced, ids unique, the loader's checks bite."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from mobility.data import build_roads
from mobility.data.build_roads import haversine_km
from mobility.errors import InputError
from mobility.resources import data_dir

DATA = data_dir()
BRYGGEBROEN = (
    '"Bryggebroen, walk/bike bridge Kalvebod Brygge-Islands Brygge (2006) [S2]; '
    '[M] geometry from known junction locations"'
)
#: file -> the column(s) whose value is the row's id
TABLES = {
    "road_nodes.csv": ("node_id", "key"),
    "roads.csv": ("first_link_id",),
    "ferries.csv": ("first_link_id",),
    "cycle_routes.csv": ("first_link_id",),
    "road_classes.csv": ("road_class",),
    "transit/stops.csv": ("stop_id",),
    "transit/lines.csv": ("line_id",),
    "transit/sources.csv": ("row_id",),
}


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_row_has_a_source_and_unique_ids(name):
    rows = _rows(name)
    assert rows
    assert all(row["source"].strip() for row in rows), name
    for col in TABLES[name]:
        ids = [row[col] for row in rows]
        assert all(ids) and len(set(ids)) == len(ids), (name, col)


def test_link_ids_of_the_tables_are_the_bundled_ones():
    """A road's first_link_id is the id of its first link in link.csv (projects use them)."""
    links = {row["link_id"]: row for row in _rows("roads/link.csv")}
    nodes = {row["key"]: row["node_id"] for row in _rows("road_nodes.csv")}
    for name in ("roads.csv", "ferries.csv", "cycle_routes.csv"):
        for row in _rows(name):
            first = row.get("nodes", row.get("from_node", "")).split()[0]
            link = links[row["first_link_id"]]
            assert (link["name"], link["from_node_id"]) == (row["name"], nodes[first])


def test_toll_is_a_column_of_its_road():
    tolled = {row["name"]: row for row in _rows("roads.csv") if float(row["toll_dkk"])}
    assert set(tolled) == {"Øresundsbroen"} and tolled["Øresundsbroen"]["toll_source"]
    links = [row for row in _rows("roads/link.csv") if row["name"] == "Øresundsbroen"]
    assert len(links) == 2 and all(row["toll"] == "180.0" for row in links)


def _copy_tables(tmp_path: Path) -> Path:
    for name in ("road_nodes.csv", "roads.csv", "ferries.csv", "cycle_routes.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    for name in ("road_classes.csv", "zones.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("roads.csv", "\n23,Køge Bugt", "\n24,Køge Bugt", "first_link_id"),
        ("road_nodes.csv", "1002,m3_brondby,", "1001,m3_brondby,", "duplicate"),
        ("road_nodes.csv", ",zealand,[M] geometry", ",jutland,[M] geometry", "unknown land"),
        ("ferries.csv", ",se_hbg_port,", ",se_hbg_harbour,", "unknown node"),
        ("cycle_routes.csv", BRYGGEBROEN, '""', "empty source"),
    ],
)
def test_bad_table_is_reported(tmp_path, name, old, new, message):
    folder = _copy_tables(tmp_path)
    text = (folder / name).read_text(encoding="utf-8")
    assert old in text
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        build_roads.build(folder)


def test_stop_zones_are_the_nearest_centroid_or_sourced():
    """A stop's zone_id is its nearest zone centroid [D] unless sources.csv says why not."""
    zones = [(float(z["lat"]), float(z["lon"]), int(z["zone_id"])) for z in _rows("zones.csv")]
    noted = {r["row_id"]: r for r in _rows("transit/sources.csv") if r["column"] == "zone_id"}
    stops = {s["stop_id"]: s for s in _rows("transit/stops.csv")}
    assert set(noted) <= set(stops)
    for sid, stop in stops.items():
        lat, lon = float(stop["lat"]), float(stop["lon"])
        nearest = min((haversine_km(lat, lon, zl, zo), zid) for zl, zo, zid in zones)[1]
        if sid in noted:
            assert stop["zone_id"] == noted[sid]["value"], sid
        else:
            assert int(stop["zone_id"]) == nearest, sid
