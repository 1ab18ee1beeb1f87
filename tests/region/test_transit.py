"""Tests of the bundled public-transport tables (mobility/data/transit)."""

from __future__ import annotations

import shutil

import pytest

from mobility.errors import InputError
from mobility.region import PT_MODES, haversine_km
from mobility.region.transit import default_transit_path, load_transit
from mobility.region.zones import load_zones


@pytest.fixture(scope="module")
def system():
    return load_transit()


def test_every_stop_of_every_line_exists(system):
    for line in system.lines.values():
        assert len(line.stops) >= 2
        for sid in line.stops:
            assert sid in system.stops, (line.line_id, sid)


def test_required_lines_present(system):
    for lid in (
        "A",
        "B",
        "Bx",
        "C",
        "E",
        "F",
        "H",
        "M1",
        "M2",
        "M3",
        "M4",
        "L",
        "KYST",
        "OTAG",
        "150S",
        "200S",
        "400S",
        "FERRY-HH",
        "FERRY-RY",
    ):
        assert lid in system.lines, lid
    assert {line.mode for line in system.lines.values()} == set(PT_MODES)
    assert system.lines["F"].headway_min == 5.0
    assert system.lines["A"].headway_min == 10.0
    assert system.lines["M3"].stops[0] == system.lines["M3"].stops[-1] == "kh"  # loop


def test_stops_are_in_plausible_places(system):
    zones = load_zones(2023)
    ids = set(zones.zone_id.tolist())
    for stop in system.stops.values():
        if stop.stop_id == "ystad":  # ferry port outside every zone
            assert stop.zone_id == 0
            continue
        assert stop.zone_id in ids
        i = stop.zone_id - 1
        # a stop lies within 30 km of its zone's centroid (Bornholm/Gribskov are large)
        assert haversine_km(stop.lon, stop.lat, zones.lon[i], zones.lat[i]) < 30, stop


def test_consecutive_stops_are_not_too_far_apart(system):
    for line in system.lines.values():
        limit = 200 if line.mode == "ferry" else 60
        for a, b in zip(line.stops[:-1], line.stops[1:], strict=True):
            sa, sb = system.stops[a], system.stops[b]
            d = haversine_km(sa.lon, sa.lat, sb.lon, sb.lat)
            assert 0.2 < d < limit, (line.line_id, a, b, d)


def test_year_filter():
    assert "L" not in load_transit(year=2023).lines
    assert "M3" not in load_transit(year=2018).lines
    assert "300S" in load_transit(year=2015).lines


def test_unknown_stop_is_reported(tmp_path):
    folder = tmp_path / "transit"
    shutil.copytree(default_transit_path(), folder)
    path = folder / "line_stops.csv"
    text = path.read_text(encoding="utf-8").replace("A,1,hilleroed", "A,1,nowhere")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="nowhere") as err:
        load_transit(folder)
    assert err.value.line == 2 and err.value.field == "stop_id"
