"""Public transport of the hovedstad region: stops, lines, headways and speeds.

The bundled tables ``mobility/data/transit/`` (edited directly, zone notes in ``sources.csv``,
sources in ``mobility/data/README.md``): ``stops.csv`` (stop_id, name, lon, lat, zone_id,
source), ``lines.csv`` (line_id, name, mode, headway_min, speed_kmh, open_year, close_year,
source) and ``line_stops.csv`` (line_id, seq, stop_id).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from mobility.errors import InputError
from mobility.region.vocabulary import PT_MODES
from mobility.resources import data_dir

STOP_COLUMNS = ("stop_id", "name", "lon", "lat")
LINE_COLUMNS = ("line_id", "name", "mode", "headway_min", "speed_kmh")
LINE_STOP_COLUMNS = ("line_id", "seq", "stop_id")


@dataclass(frozen=True)
class Stop:
    """A station or stop (WGS84 degrees); ``zone_id`` is the zone it lies in (0 = unknown)."""

    stop_id: str
    name: str
    lon: float
    lat: float
    zone_id: int = 0


@dataclass(frozen=True)
class TransitLine:
    """A line with its stop sequence, peak headway (min) and mean speed incl. dwell (km/h).

    ``open_year`` / ``close_year`` (None = always) bound the years the line runs.
    """

    line_id: str
    name: str
    mode: str
    headway_min: float
    speed_kmh: float
    stops: tuple[str, ...]
    source: str
    open_year: int | None = None
    close_year: int | None = None

    def runs_in(self, year: int) -> bool:
        """True if the line is in service in ``year``."""
        if self.open_year is not None and year < self.open_year:
            return False
        return not (self.close_year is not None and year > self.close_year)


@dataclass(frozen=True)
class TransitSystem:
    """All stops and lines, keyed by id."""

    stops: dict[str, Stop]
    lines: dict[str, TransitLine]


def default_transit_path() -> Path:
    """The bundled transit folder."""
    return data_dir() / "transit"


def _read(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            for col in required:
                if col not in header:
                    raise InputError("missing column", file=path, line=1, field=col)
            return [(i + 2, row) for i, row in enumerate(reader)]
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=path) from None


def _float(row: dict[str, str], name: str, *, path: Path, line: int, positive: bool) -> float:
    text = (row.get(name) or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"not a number: {text!r}", file=path, line=line, field=name, expected="a number"
        ) from None
    if not math.isfinite(value) or (positive and value <= 0):
        raise InputError(
            f"value {text}", file=path, line=line, field=name, expected="a positive number"
        )
    return value


def _year(row: dict[str, str], name: str, *, path: Path, line: int) -> int | None:
    text = (row.get(name) or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(
            f"not a year: {text!r}", file=path, line=line, field=name, expected="an integer year"
        ) from None


def load_transit(path: str | Path | None = None, *, year: int | None = None) -> TransitSystem:
    """Read stops, lines and line stop sequences.

    Parameters
    ----------
    path
        Folder with ``stops.csv``, ``lines.csv``, ``line_stops.csv`` (default: bundled).
    year
        If given, keep only lines running in that year (``open_year``/``close_year``).

    Raises
    ------
    InputError
        Naming file, line and field: missing file/column, duplicate id, bad number, unknown
        mode, a line stop that is not in stops.csv, a line with fewer than two stops or a
        non-increasing ``seq``.
    """
    folder = Path(path) if path is not None else default_transit_path()
    stops: dict[str, Stop] = {}
    spath = folder / "stops.csv"
    for line, row in _read(spath, STOP_COLUMNS):
        sid = row["stop_id"].strip()
        if not sid:
            raise InputError("empty stop_id", file=spath, line=line, field="stop_id")
        if sid in stops:
            raise InputError(f"duplicate stop_id {sid!r}", file=spath, line=line, field="stop_id")
        lon = _float(row, "lon", path=spath, line=line, positive=False)
        lat = _float(row, "lat", path=spath, line=line, positive=False)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(
                f"coordinate ({lon}, {lat}) out of range", file=spath, line=line, field="lon"
            )
        zone = (row.get("zone_id") or "").strip()
        try:
            zone_id = int(zone) if zone else 0
        except ValueError:
            raise InputError(
                f"not an integer: {zone!r}", file=spath, line=line, field="zone_id"
            ) from None
        stops[sid] = Stop(sid, row["name"].strip(), lon, lat, zone_id)

    lpath = folder / "lines.csv"
    meta: dict[str, dict] = {}
    for line, row in _read(lpath, LINE_COLUMNS):
        lid = row["line_id"].strip()
        if not lid:
            raise InputError("empty line_id", file=lpath, line=line, field="line_id")
        if lid in meta:
            raise InputError(f"duplicate line_id {lid!r}", file=lpath, line=line, field="line_id")
        mode = row["mode"].strip()
        if mode not in PT_MODES:
            raise InputError(
                f"unknown mode {mode!r}",
                file=lpath,
                line=line,
                field="mode",
                expected=" | ".join(PT_MODES),
            )
        meta[lid] = {
            "name": row["name"].strip(),
            "mode": mode,
            "headway_min": _float(row, "headway_min", path=lpath, line=line, positive=True),
            "speed_kmh": _float(row, "speed_kmh", path=lpath, line=line, positive=True),
            "open_year": _year(row, "open_year", path=lpath, line=line),
            "close_year": _year(row, "close_year", path=lpath, line=line),
            "source": (row.get("source") or "").strip(),
            "line": line,
        }

    qpath = folder / "line_stops.csv"
    seqs: dict[str, list[tuple[int, str]]] = {lid: [] for lid in meta}
    for line, row in _read(qpath, LINE_STOP_COLUMNS):
        lid = row["line_id"].strip()
        if lid not in meta:
            raise InputError(
                f"unknown line_id {lid!r}",
                file=qpath,
                line=line,
                field="line_id",
                expected="a line_id of lines.csv",
            )
        sid = row["stop_id"].strip()
        if sid not in stops:
            raise InputError(
                f"unknown stop_id {sid!r}",
                file=qpath,
                line=line,
                field="stop_id",
                expected="a stop_id of stops.csv",
            )
        seq = int(_float(row, "seq", path=qpath, line=line, positive=True))
        if seqs[lid] and seq <= seqs[lid][-1][0]:
            raise InputError(f"seq {seq} does not increase", file=qpath, line=line, field="seq")
        seqs[lid].append((seq, sid))

    lines: dict[str, TransitLine] = {}
    for lid, m in meta.items():
        if len(seqs[lid]) < 2:
            raise InputError(
                f"line {lid!r} has {len(seqs[lid])} stop(s)",
                file=qpath,
                field="stop_id",
                expected="at least 2",
            )
        tl = TransitLine(
            line_id=lid,
            name=m["name"],
            mode=m["mode"],
            headway_min=m["headway_min"],
            speed_kmh=m["speed_kmh"],
            stops=tuple(s for _, s in seqs[lid]),
            source=m["source"],
            open_year=m["open_year"],
            close_year=m["close_year"],
        )
        if year is None or tl.runs_in(year):
            lines[lid] = tl
    return TransitSystem(stops=stops, lines=lines)
