"""GTFS import (issue 14, item 2) on three real feeds (tests/data/gtfs/README.md).

The headways are checked against a count made here, independently of the importer: the trips
of each line's route and direction that run on the service day and leave their first stop in
the morning-peak hours of mobility/data/time_of_day.csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobility.cli import cli
from mobility.demand.timeofday import load_time_of_day
from mobility.region.transit import load_transit

FEEDS = Path(__file__).resolve().parents[1] / "data" / "gtfs"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _table(feed: Path, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(feed) as z:
        if name not in z.namelist():
            return []
        raw = z.read(name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return list(csv.DictReader(io.StringIO(text)))


def _running(feed: Path, day: str) -> set[str]:
    date = dt.datetime.strptime(day, "%Y%m%d").date()
    out = set()
    for r in _table(feed, "calendar.txt"):
        lo = dt.datetime.strptime(r["start_date"], "%Y%m%d").date()
        hi = dt.datetime.strptime(r["end_date"], "%Y%m%d").date()
        if lo <= date <= hi and r[WEEKDAYS[date.weekday()]] == "1":
            out.add(r["service_id"])
    for r in _table(feed, "calendar_dates.txt"):
        if r["date"] == day:
            (out.add if r["exception_type"] == "1" else out.discard)(r["service_id"])
    return out


def _import(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    res = CliRunner().invoke(
        cli, ["-q", "network", "from-gtfs", str(FEEDS / f"{name}.zip"), "-o", str(out), *extra]
    )
    assert res.exit_code == 0, res.output
    return out


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("caltrain-2017-07-24", ()),
        ("region-nord-v2", ()),
        ("amazon-2017-08-06", ("--skip-bad-trips",)),
    ],
)
def test_peak_headways_match_a_count_from_stop_times(
    tmp_path: Path, name: str, extra: tuple[str, ...]
) -> None:
    out = _import(tmp_path, name, *extra)
    system = load_transit(out)  # the model reads what was written
    assert system.lines
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    day = doc["settings"]["service_day"]
    skipped = {s.split(":")[0].removeprefix("trip ") for s in doc["settings"]["skipped"]}
    feed = FEEDS / f"{name}.zip"
    running = _running(feed, day)
    trips = {r["trip_id"]: r for r in _table(feed, "trips.txt")}
    first: dict[str, tuple[int, str]] = {}
    for r in _table(feed, "stop_times.txt"):
        seq, t = int(r["stop_sequence"]), r["departure_time"] or r["arrival_time"]
        if r["trip_id"] not in first or seq < first[r["trip_id"]][0]:
            first[r["trip_id"]] = (seq, t)
    am = next(p for p in load_time_of_day().periods if p.name == "am_peak")
    with (out / "lines.csv").open(encoding="utf-8", newline="") as fh:
        lines = list(csv.DictReader(fh))
    with (out / "line_headways.csv").open(encoding="utf-8", newline="") as fh:
        heads = {(r["line_id"], r["period"]): r for r in csv.DictReader(fh)}
    checked = 0
    for line in lines:
        direction = line["source"].split(" direction ")[1].split(":")[0]
        n = 0
        for tid, trip in trips.items():
            if trip["route_id"] != line["line_id"] or trip["service_id"] not in running:
                continue
            if (trip.get("direction_id") or "0") != direction or tid in skipped:
                continue
            t = first[tid][1]
            if t and int(t.split(":")[0]) % 24 in am.hours_of_day:
                n += 1
        row = heads[line["line_id"], "am_peak"]
        assert int(row["trips"]) == n, line["line_id"]
        if n:
            expected = 60.0 * len(am.hours_of_day) / n
            assert float(line["headway_min"]) == pytest.approx(expected, abs=1e-3)
            checked += 1
        else:
            assert row["headway_min"] == "" and "no trip in am_peak" in line["source"]
    assert checked >= 1


def test_windows_1252_stop_names_are_read_and_said(tmp_path: Path) -> None:
    out = _import(tmp_path, "region-nord-v2")
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert doc["settings"]["encoding"]["stops.txt"].startswith("cp1252")
    names = (out / "stops.csv").read_text(encoding="utf-8")
    assert "ø" in names or "Ø" in names


def _rezip(src: Path, dst: Path, edit: dict[str, str | None]) -> Path:
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w") as w:
        for name in z.namelist():
            if name in edit and edit[name] is None:
                continue
            data = z.read(name)
            if name in edit:
                data = data + edit[name].encode("utf-8")  # type: ignore[union-attr]
            w.writestr(name, data)
    return dst


@pytest.mark.parametrize(
    ("how", "needle"),
    [
        ("missing", "has no stops.txt"),
        ("unused", "is used by no trip"),
        ("backwards", "goes back in time"),
    ],
)
def test_bad_feeds_one_line_exit_2_nothing_written(tmp_path: Path, how: str, needle: str) -> None:
    src = FEEDS / "caltrain-2017-07-24.zip"
    if how == "missing":
        feed = _rezip(src, tmp_path / "f.zip", {"stops.txt": None})
    elif how == "unused":
        feed = _rezip(
            src, tmp_path / "f.zip", {"stops.txt": "99999,99999,Nowhere,,37.5,-122.3,1,,0,,NB,1\n"}
        )
    else:
        feed = FEEDS / "amazon-2017-08-06.zip"
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["network", "from-gtfs", str(feed), "-o", str(out)])
    assert res.exit_code == 2
    assert needle in res.output and len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_the_models_in_vehicle_time_is_the_timetables(tmp_path: Path) -> None:
    """A line's speed is set so that the transit graph's in-vehicle time along its stops
    (great-circle distances x detour_factor, as mobility.network.transit_graph computes it)
    equals the timetable's median running time written in its source."""
    from mobility.demand.parameters import load_demand_parameters
    from mobility.network.geometry import haversine_km

    out = _import(tmp_path, "caltrain-2017-07-24")
    system = load_transit(out)
    detour = load_demand_parameters().detour_factor
    with (out / "lines.csv").open(encoding="utf-8", newline="") as fh:
        sources = {r["line_id"]: r["source"] for r in csv.DictReader(fh)}
    for line in system.lines.values():
        pts = [system.stops[s] for s in line.stops]
        km = detour * sum(
            float(haversine_km(a.lon, a.lat, b.lon, b.lat)) for a, b in itertools.pairwise(pts)
        )
        minutes = km / line.speed_kmh * 60.0
        written = float(sources[line.line_id].split("median running time ")[1].split(" min")[0])
        assert minutes == pytest.approx(written, abs=0.06), line.line_id
