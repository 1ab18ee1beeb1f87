"""GTFS feeds into the model's transit format (stops, lines, stop sequences, headways).

A GTFS feed (a zip or a folder of ``.txt`` tables, https://gtfs.org/schedule/reference/) is
read with the csv module and turned into the three tables :func:`mobility.region.transit.
load_transit` reads: ``stops.csv``, ``lines.csv``, ``line_stops.csv``, plus
``line_headways.csv`` with the headway of every line in each time-of-day period. Method:

* **Service day.** ``date`` (``YYYYMMDD``) or, by default, the feed's busiest day: the date
  with the most trips running, from ``calendar.txt`` (weekday flags within start and end
  dates) and ``calendar_dates.txt`` (exception 1 adds, 2 removes). Ties: the earliest.
* **Lines.** A model line runs both directions along one stop sequence. For each route, the
  trips running on the day are grouped by direction and stop pattern; the line is the most
  frequent pattern of the direction with the most trips (ties: direction 0, then the longer
  pattern). Its id is the ``route_id``.
* **Headway** in a period of ``h`` clock hours: ``60 h / n`` minutes, with ``n`` the trips of
  that route and direction whose first departure falls in one of the period's hours (all
  patterns: a short working still serves the trunk; times past 24:00 wrap). ``lines.csv``
  holds the morning peak's (the period the model assigns first,
  ``mobility/data/time_of_day.csv``); a line with no trip in the peak gets the headway of its
  busiest period.
* **Speed** (km/h, incl. dwell): the in-vehicle length the transit graph gives the line (the
  great-circle distances between its stops, :func:`mobility.network.transit_graph.
  distance_km`, x ``route_factor``, the demand model's ``detour_factor``), divided by the
  median first-departure to last-arrival time of the line's pattern, so the model's
  in-vehicle time on the line equals the timetable's. A trip without a time at its
  last stop (GTFS requires one; the Amazon feed has such loops) still counts for the headway
  but not for the running time; a route none of whose trips has both ends timed is left out
  and listed in :attr:`TransitTables.skipped`.
* **Mode** from ``route_type`` (basic and extended types; :data:`ROUTE_TYPES`).

Stops get ``zone_id`` 0 (the zones are the model's, not the feed's). Errors name the feed, the
file, the line and the field: a missing table, a time that is not ``H:MM:SS``, a trip whose
times go backwards, a stop that no trip of the feed uses (an unused platform is a broken
reference; parent stations, ``location_type`` 1, may be unused), an unknown route type.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import statistics
import zipfile
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mobility.errors import InputError

__all__ = [
    "HEADWAYS_COLUMNS",
    "LINES_COLUMNS",
    "LINE_STOPS_COLUMNS",
    "REQUIRED",
    "ROUTE_TYPES",
    "STOPS_COLUMNS",
    "TransitTables",
    "busiest_day",
    "read_feed",
    "to_transit",
    "write_transit",
]

#: Tables a feed must have (plus calendar.txt or calendar_dates.txt).
REQUIRED = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
#: GTFS route_type -> model mode (basic types 0-7; extended "HVT" types by their hundreds).
ROUTE_TYPES: dict[int, str] = {
    0: "light-rail",
    1: "metro",
    2: "regional",
    3: "bus",
    4: "ferry",
    5: "light-rail",
    11: "bus",
    12: "light-rail",
}
_EXTENDED = {
    1: "regional",
    2: "regional",
    4: "metro",
    7: "bus",
    8: "bus",
    9: "light-rail",
    10: "ferry",
    12: "ferry",
}
#: Extended rail types that are suburban rail (S-tog-like).
_SUBURBAN = (109,)


@dataclass(frozen=True)
class Feed:
    """The tables of a feed (rows as dicts) and where they came from."""

    name: str
    tables: Mapping[str, list[dict[str, str]]]
    encoding: Mapping[str, str]


@dataclass(frozen=True)
class TransitTables:
    """The model's transit tables built from a feed (rows in the CSV column order)."""

    stops: list[tuple[str, str, float, float, int, str]]
    lines: list[tuple[str, str, str, float, float, str, str, str]]
    line_stops: list[tuple[str, int, str]]
    headways: list[tuple[str, str, float, int]]
    date: str
    #: routes left out, with the reason
    skipped: list[tuple[str, str]]


def _decode(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        # GTFS asks for UTF-8; older Nordic feeds are Windows-1252 (ø = 0xf8): read them so
        return raw.decode("cp1252"), "cp1252 (not UTF-8 as GTFS asks)"


def read_feed(path: str | Path) -> Feed:
    """Read a GTFS zip or folder.

    Raises
    ------
    InputError
        The feed is missing, is not a zip, or lacks a required table.
    """
    p = Path(path)
    raw: dict[str, bytes] = {}
    if p.is_dir():
        for f in p.glob("*.txt"):
            raw[f.name] = f.read_bytes()
    elif p.is_file():
        try:
            with zipfile.ZipFile(p) as z:
                for info in z.infolist():
                    base = info.filename.rsplit("/", 1)[-1]
                    if base.endswith(".txt") and base not in raw:
                        raw[base] = z.read(info)
        except zipfile.BadZipFile:
            raise InputError("is not a zip file", file=p, expected="a GTFS feed (.zip)") from None
    else:
        raise InputError("file not found", file=p, expected="a GTFS feed (.zip or folder)")
    for name in REQUIRED:
        if name not in raw:
            raise InputError(
                f"has no {name}", file=p, expected="a GTFS feed: " + ", ".join(REQUIRED)
            )
    if "calendar.txt" not in raw and "calendar_dates.txt" not in raw:
        raise InputError(
            "has neither calendar.txt nor calendar_dates.txt", file=p, expected="a GTFS calendar"
        )
    tables, encoding = {}, {}
    for name, data in raw.items():
        text, enc = _decode(data)
        tables[name] = [
            {k.strip(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(io.StringIO(text))
        ]
        encoding[name] = enc
    return Feed(p.name, tables, encoding)


def _need(feed: Feed, table: str, row: Mapping[str, str], key: str, line: int) -> str:
    value = row.get(key, "")
    if not value:
        raise InputError("is empty or missing", file=f"{feed.name}/{table}", line=line, field=key)
    return value


def _seconds(text: str, *, where: str, line: int, field: str) -> int:
    parts = text.split(":")
    try:
        h, m, s = (int(x) for x in parts)
    except ValueError:
        raise InputError(
            f"has value '{text[:20]}'", file=where, line=line, field=field, expected="H:MM:SS"
        ) from None
    if len(parts) != 3 or not (0 <= m < 60 and 0 <= s < 60 and h >= 0):
        raise InputError(
            f"has value '{text[:20]}'", file=where, line=line, field=field, expected="H:MM:SS"
        )
    return 3600 * h + 60 * m + s


def _date(text: str, *, where: str, line: int, field: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise InputError(
            f"has value '{text[:20]}'", file=where, line=line, field=field, expected="YYYYMMDD"
        ) from None


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _services_by_day(feed: Feed) -> dict[dt.date, set[str]]:
    days: dict[dt.date, set[str]] = defaultdict(set)
    for line, row in enumerate(feed.tables.get("calendar.txt", []), start=2):
        where = f"{feed.name}/calendar.txt"
        sid = _need(feed, "calendar.txt", row, "service_id", line)
        a = _date(row.get("start_date", ""), where=where, line=line, field="start_date")
        b = _date(row.get("end_date", ""), where=where, line=line, field="end_date")
        flags = [row.get(d, "0") == "1" for d in _WEEKDAYS]
        day = a
        while day <= b:
            if flags[day.weekday()]:
                days[day].add(sid)
            day += dt.timedelta(days=1)
    for line, row in enumerate(feed.tables.get("calendar_dates.txt", []), start=2):
        where = f"{feed.name}/calendar_dates.txt"
        sid = _need(feed, "calendar_dates.txt", row, "service_id", line)
        day = _date(row.get("date", ""), where=where, line=line, field="date")
        kind = row.get("exception_type", "")
        if kind == "1":
            days[day].add(sid)
        elif kind == "2":
            days[day].discard(sid)
        else:
            raise InputError(
                f"has value '{kind[:10]}'",
                file=where,
                line=line,
                field="exception_type",
                expected="1 or 2",
            )
    return days


def busiest_day(feed: Feed) -> str:
    """The date (``YYYYMMDD``) with the most trips running (ties: the earliest)."""
    per_service = Counter(row.get("service_id", "") for row in feed.tables["trips.txt"])
    days = _services_by_day(feed)
    if not days:
        raise InputError(
            "has no service day",
            file=feed.name,
            field="calendar",
            expected="at least one day with service",
        )
    best = max(sorted(days), key=lambda d: sum(per_service[s] for s in days[d]))
    return best.strftime("%Y%m%d")


def _mode(route_type: str, *, where: str, line: int) -> str:
    try:
        code = int(route_type)
    except ValueError:
        code = -1
    if code in ROUTE_TYPES:
        return ROUTE_TYPES[code]
    if code in _SUBURBAN:
        return "s-tog"
    if 100 <= code < 1300 and code // 100 in _EXTENDED:
        return _EXTENDED[code // 100]
    raise InputError(
        f"has value '{route_type[:10]}'",
        file=where,
        line=line,
        field="route_type",
        expected="a GTFS route type the model has a mode for (0-5, 11, 12, or 100-1299)",
    )


def _route_km(points: Sequence[tuple[float, float]], route_factor: float) -> float:
    """The transit graph's in-vehicle km along ``(lon, lat)`` stops."""
    from mobility.network.geometry import haversine_km as distance_km

    if len(points) < 2:
        return 0.0
    lon, lat = (np.asarray(c, dtype=np.float64) for c in zip(*points, strict=True))
    return route_factor * float(distance_km(lon[:-1], lat[:-1], lon[1:], lat[1:]).sum())


def to_transit(
    feed: Feed,
    *,
    periods: Sequence[tuple[str, tuple[int, ...]]],
    peak: str,
    route_factor: float,
    date: str | None = None,
    skip_bad_trips: bool = False,
) -> TransitTables:
    """Build the model's transit tables from ``feed`` for one service day.

    Parameters
    ----------
    feed
        From :func:`read_feed`.
    periods
        ``(name, clock hours)`` of the time-of-day periods (the model's:
        ``mobility/data/time_of_day.csv``).
    peak
        The period whose headway goes into ``lines.csv`` (the model's morning peak).
    route_factor
        In-vehicle length / great-circle length (the demand model's ``detour_factor``).
    date
        ``YYYYMMDD``; default :func:`busiest_day`.
    skip_bad_trips
        Leave out (and list in :attr:`TransitTables.skipped`) the trips whose times go back
        or that have no time at their first stop, instead of refusing the feed.
    """
    day_text = date or busiest_day(feed)
    day = _date(day_text, where="--date", line=0, field="date")
    running = _services_by_day(feed).get(day, set())
    stops_where = f"{feed.name}/stops.txt"
    stop_rows: dict[str, tuple[str, float, float, str]] = {}
    for line, row in enumerate(feed.tables["stops.txt"], start=2):
        sid = _need(feed, "stops.txt", row, "stop_id", line)
        try:
            lat, lon = float(row.get("stop_lat", "")), float(row.get("stop_lon", ""))
        except ValueError:
            raise InputError(
                "is not a number", file=stops_where, line=line, field="stop_lat/stop_lon"
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(
                f"({lat}, {lon}) is not a WGS84 position",
                file=stops_where,
                line=line,
                field="stop_lat/stop_lon",
            )
        stop_rows[sid] = (row.get("stop_name", "") or sid, lon, lat, row.get("location_type", ""))
    routes: dict[str, tuple[str, str]] = {}
    for line, row in enumerate(feed.tables["routes.txt"], start=2):
        rid = _need(feed, "routes.txt", row, "route_id", line)
        long_name, short = row.get("route_long_name", ""), row.get("route_short_name", "")
        # a route number leads its name ("301 Kulstadvika - Ørmelen"); a short *name* does not
        label = f"{short} {long_name}" if long_name and 0 < len(short) <= 5 else long_name
        label = label or short or rid
        routes[rid] = (
            label,
            _mode(row.get("route_type", ""), where=f"{feed.name}/routes.txt", line=line),
        )
    trips: dict[str, tuple[str, str, str]] = {}
    for line, row in enumerate(feed.tables["trips.txt"], start=2):
        tid = _need(feed, "trips.txt", row, "trip_id", line)
        rid = _need(feed, "trips.txt", row, "route_id", line)
        if rid not in routes:
            raise InputError(
                f"route '{rid[:40]}' is not in routes.txt",
                file=f"{feed.name}/trips.txt",
                line=line,
                field="route_id",
            )
        trips[tid] = (rid, row.get("service_id", ""), row.get("direction_id", "") or "0")
    # stop sequences and times of every trip (all days: the checks cover the whole feed)
    st_where = f"{feed.name}/stop_times.txt"
    calls: dict[str, list[tuple[int, str, int | None, int | None, int]]] = defaultdict(list)
    for line, row in enumerate(feed.tables["stop_times.txt"], start=2):
        tid = _need(feed, "stop_times.txt", row, "trip_id", line)
        sid = _need(feed, "stop_times.txt", row, "stop_id", line)
        if sid not in stop_rows:
            raise InputError(
                f"stop '{sid[:40]}' is not in stops.txt", file=st_where, line=line, field="stop_id"
            )
        if tid not in trips:
            raise InputError(
                f"trip '{tid[:40]}' is not in trips.txt", file=st_where, line=line, field="trip_id"
            )
        try:
            seq = int(row.get("stop_sequence", ""))
        except ValueError:
            raise InputError(
                "is not an integer", file=st_where, line=line, field="stop_sequence"
            ) from None
        arr = row.get("arrival_time", "")
        dep = row.get("departure_time", "") or arr
        a = _seconds(arr, where=st_where, line=line, field="arrival_time") if arr else None
        d = _seconds(dep, where=st_where, line=line, field="departure_time") if dep else None
        calls[tid].append((seq, sid, a, d, line))
    used = {sid for cs in calls.values() for _, sid, _, _, _ in cs}
    for line, (sid, (_, _, _, loc)) in enumerate(stop_rows.items(), start=2):
        if sid not in used and loc in ("", "0"):
            raise InputError(
                f"stop '{sid[:40]}' is used by no trip", file=stops_where, line=line,
                field="stop_id", expected="every stop (location_type 0) on some trip",
            )  # fmt: skip
    timed: dict[str, tuple[tuple[str, ...], int, int | None]] = {}
    skipped: list[tuple[str, str]] = []
    for tid, cs in calls.items():
        cs.sort()
        last = -1
        bad = None
        for _, _, a, d, line in cs:
            for t, field in ((a, "arrival_time"), (d, "departure_time")):
                if t is None or bad is not None:
                    continue
                if t < last:
                    bad = (line, field)
                last = t
        if bad is not None:
            line, field = bad
            if skip_bad_trips:
                skipped.append((f"trip {tid}", f"goes back in time at stop_times.txt line {line}"))
                continue
            raise InputError(
                f"trip '{tid[:40]}' goes back in time",
                file=st_where,
                line=line,
                field=field,
                expected="times that never decrease along the trip (or --skip-bad-trips)",
            )
        first = cs[0][3] if cs[0][3] is not None else cs[0][2]
        end = cs[-1][2] if cs[-1][2] is not None else cs[-1][3]
        if first is None and skip_bad_trips:
            skipped.append((f"trip {tid}", "no time at its first stop"))
            continue
        if first is None:
            raise InputError(
                f"trip '{tid[:40]}' has no time at its first stop",
                file=st_where,
                line=cs[0][4],
                field="departure_time",
                expected="a time at the first and last stop (GTFS; or --skip-bad-trips)",
            )
        timed[tid] = (tuple(sid for _, sid, _, _, _ in cs), first, end)
    # lines from the trips running on the day
    by_route: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for tid, (rid, sid, direction) in trips.items():
        if sid in running and tid in timed:
            by_route[rid][direction].append(tid)
    out_lines, out_stops, out_headways = [], [], []
    line_stop_ids: set[str] = set()
    for rid in sorted(by_route):
        directions = by_route[rid]
        direction = max(sorted(directions), key=lambda k: len(directions[k]))
        patterns = Counter(timed[t][0] for t in directions[direction])
        pattern = max(sorted(patterns, key=lambda p: (-len(p), p)), key=lambda p: patterns[p])
        if len(set(pattern)) < 2:
            continue  # a trip that does not move cannot be a line
        deps = [timed[t][1] for t in directions[direction]]
        hour_of = [(s // 3600) % 24 for s in deps]
        counts = {name: sum(1 for h in hour_of if h in hours) for name, hours in periods}
        heads = {
            name: 60.0 * len(hours) / counts[name] for name, hours in periods if counts[name] > 0
        }
        if peak in heads:
            headway = heads[peak]
            note = f"{peak} headway"
        else:
            busiest = max(sorted(heads), key=lambda n: counts[n])
            headway, note = heads[busiest], f"no trip in {peak}: the {busiest} headway"
        # running time: the pattern's fully timed trips, else any fully timed trip of the route
        ends = [
            t for t in directions[direction] if timed[t][0] == pattern and timed[t][2] is not None
        ]
        if not ends:
            ends = [t for d in sorted(directions) for t in directions[d] if timed[t][2] is not None]
        if not ends:
            skipped.append((rid, "no trip with a time at its last stop"))
            continue
        runs = []
        for trip_id in ends:
            stops_seq, first_s, last_s = timed[trip_id]
            pts = [(stop_rows[s][1], stop_rows[s][2]) for s in stops_seq]
            runs.append(((last_s or 0) - first_s, _route_km(pts, route_factor)))
        minutes = statistics.median(r for r, _ in runs) / 60.0
        km = statistics.median(k for _, k in runs)
        speed = 60.0 * km / minutes if minutes > 0 else math.nan
        if not (math.isfinite(speed) and speed > 0):
            raise InputError(
                f"route '{rid[:40]}' takes {minutes:g} min over {km:.2f} km", file=st_where,
                field="departure_time", expected="a positive running time",
            )  # fmt: skip
        name, mode = routes[rid]
        source = (
            f"GTFS {feed.name}, service day {day_text}, route {rid} direction {direction}: "
            f"{note}, {len(deps)} trips that day, median running time {minutes:.1f} min [S]"
        )
        out_lines.append((rid, name, mode, round(headway, 3), round(speed, 3), "", "", source))
        for k, s in enumerate(pattern, start=1):
            out_stops.append((rid, k, s))
            line_stop_ids.add(s)
        for pname, _ in periods:
            out_headways.append((rid, pname, round(heads.get(pname, math.inf), 3), counts[pname]))
    if not out_lines:
        raise InputError(
            f"has no trip running on {day_text}",
            file=feed.name,
            field="--date",
            expected="a day with service",
        )
    stops = [
        (
            s,
            stop_rows[s][0],
            round(stop_rows[s][1], 6),
            round(stop_rows[s][2], 6),
            0,
            f"GTFS {feed.name} stops.txt [S]",
        )
        for s in sorted(line_stop_ids)
    ]
    return TransitTables(stops, out_lines, out_stops, out_headways, day_text, skipped)


#: Columns of the tables :func:`write_transit` writes (``stops.csv``, ``lines.csv`` and
#: ``line_stops.csv`` are :func:`mobility.region.transit.load_transit`'s format).
STOPS_COLUMNS = ("stop_id", "name", "lon", "lat", "zone_id", "source")
LINES_COLUMNS = (
    "line_id", "name", "mode", "headway_min", "speed_kmh", "open_year", "close_year", "source",
)  # fmt: skip
LINE_STOPS_COLUMNS = ("line_id", "seq", "stop_id")
HEADWAYS_COLUMNS = ("line_id", "period", "headway_min", "trips")


def write_transit(tables: TransitTables, folder: str | Path) -> dict[str, Path]:
    """Write the transit tables into ``folder`` (which must exist); returns name -> path."""
    from mobility.fileio import write_csv

    out = Path(folder)
    heads = [
        (lid, period, "" if not math.isfinite(h) else f"{h:.3f}", n)
        for lid, period, h, n in tables.headways
    ]
    return {
        "stops": write_csv(out / "stops.csv", STOPS_COLUMNS, tables.stops),
        "lines": write_csv(out / "lines.csv", LINES_COLUMNS, tables.lines),
        "line_stops": write_csv(out / "line_stops.csv", LINE_STOPS_COLUMNS, tables.line_stops),
        "line_headways": write_csv(out / "line_headways.csv", HEADWAYS_COLUMNS, heads),
    }
