"""Zones of the hovedstad model: residents and jobs per zone and year.

The bundled ``mobility/data/zones.csv`` (built by :mod:`mobility.data.build_zones`, sources in
``mobility/data/README.md``) holds 48 zones: København's 10 bydele, the other 28 municipalities
of Region Hovedstaden (Bornholm included), and 10 external zones (rest of Zealand, Skåne).
Residents and jobs are tabulated for 2015 (base year), 2023 (latest sourced year), 2035
(forecast) and 2045 (the appraisal's later model year); :func:`load_zones` interpolates
linearly between them for other years.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mobility.errors import InputError
from mobility.region.vocabulary import DEFAULT_LAND, LAND_BY_CODE, REGION_PARTS, ZONE_KINDS
from mobility.resources import data_dir

#: The years tabulated in zones.csv; the last (the appraisal's later model year, issue 11) is
#: optional in a user's table, which then covers 2015..2035.
TABLE_YEARS = (2015, 2023, 2035, 2045)
REQUIRED_YEARS = TABLE_YEARS[:-1]


def _columns(years: tuple[int, ...]) -> tuple[str, ...]:
    return (
        "zone_id",
        "name",
        "kind",
        "municipality_code",
        "municipality",
        "lon",
        "lat",
        *(f"{what}_{year}" for year in years for what in ("residents", "jobs")),
        "region_part",
        "in_region",
        "source",
    )


#: The columns a zones CSV must have (a user's may leave out the last table year).
COLUMNS = _columns(REQUIRED_YEARS)
#: The columns of the bundled zones.csv, as :mod:`mobility.data.build_zones` writes them.
HEADER = _columns(TABLE_YEARS)


@dataclass(frozen=True)
class Zones:
    """Zone table for one year, in zone order (= OD matrix order).

    Attributes
    ----------
    zone_id
        ``(Z,)`` int64, 1..Z; equals the centroid node id of the road network.
    name, kind, municipality, region_part, source
        Per-zone strings; ``kind`` in ``bydel | municipality | external``.
    municipality_code
        ``(Z,)`` int64 DST kommunekode (0 for Swedish zones).
    lon, lat
        ``(Z,)`` float64 centroid, WGS84 degrees.
    residents, jobs
        ``(Z,)`` float64 for ``year``.
    in_region
        ``(Z,)`` bool, True for the 29 Region Hovedstaden municipalities (incl. bydele).
    year
        The year the residents and jobs refer to.
    """

    zone_id: np.ndarray
    name: list[str]
    kind: list[str]
    municipality_code: np.ndarray
    municipality: list[str]
    lon: np.ndarray
    lat: np.ndarray
    residents: np.ndarray
    jobs: np.ndarray
    region_part: list[str]
    in_region: np.ndarray
    year: int
    source: tuple[str, ...] = ()

    @property
    def n_zones(self) -> int:
        """Number of zones."""
        return int(self.zone_id.shape[0])

    @property
    def land(self) -> list[str]:
        """The land each zone lies on: ``scania`` (the Swedish zones, kommunekode 0),
        ``bornholm`` (400) or ``zealand`` (every other zone, Amager included).

        Access within a zone (road connectors, walks to stops) never crosses the sea; the
        sound is crossed only on the bridge, the ferries and the lines that use them.
        """
        return [LAND_BY_CODE.get(int(c), DEFAULT_LAND) for c in self.municipality_code]

    def index_of(self, name: str) -> int:
        """Row index of the zone called ``name``.

        Raises
        ------
        InputError
            If no zone has that name.
        """
        try:
            return self.name.index(name)
        except ValueError:
            raise InputError(
                f"unknown zone {name!r}", field="zone", expected="a zone name"
            ) from None


def default_zones_path() -> Path:
    """The bundled zones.csv."""
    return data_dir() / "zones.csv"


def _number(value: str, *, file: Path, line: int, field: str, integer: bool = False) -> float:
    try:
        x = int(value) if integer else float(value)
    except ValueError:
        expected = "an integer" if integer else "a number"
        raise InputError(
            f"not a number: {value!r}", file=file, line=line, field=field, expected=expected
        ) from None
    if not np.isfinite(x):
        raise InputError(f"not finite: {value!r}", file=file, line=line, field=field)
    return float(x)


def _read_table(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise InputError(
                    "missing column(s) " + ", ".join(missing), file=path, line=1, field=missing[0]
                )
            return list(reader)
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=path) from None


def _interpolation(year: int) -> tuple[int, int, float]:
    """Bracketing table years and the weight of the upper one."""
    if year < TABLE_YEARS[0] or year > TABLE_YEARS[-1]:
        raise InputError(
            f"year {year} is outside the tabulated range",
            field="year",
            expected=f"{TABLE_YEARS[0]}..{TABLE_YEARS[-1]}",
        )
    for lo, hi in itertools.pairwise(TABLE_YEARS):
        if lo <= year <= hi:
            return lo, hi, (year - lo) / (hi - lo)
    raise AssertionError("unreachable")  # pragma: no cover


def load_zones(year: int, *, path: str | Path | None = None) -> Zones:
    """Read the zone table and return residents and jobs for ``year``.

    Parameters
    ----------
    year
        2015..2045; values between the tabulated years 2015, 2023, 2035 and 2045 are linearly
        interpolated (a table without the 2045 columns covers 2015..2035).
    path
        A zones CSV with the columns of the bundled one (default: bundled file).

    Returns
    -------
    Zones

    Raises
    ------
    InputError
        Naming file, line and field for a missing column, a bad number, a duplicate or
        non-consecutive zone id, an unknown kind/region part, negative residents or jobs, or a
        coordinate outside WGS84 ranges; or for a year outside 2015..2045 (2035 without the
        2045 columns).
    """
    file = Path(path) if path is not None else default_zones_path()
    if isinstance(year, bool) or not isinstance(year, int | np.integer):
        raise InputError(f"year must be an integer, got {year!r}", field="year")
    year = int(year)
    lo, hi, w = _interpolation(year)
    rows = _read_table(file)
    if not rows:
        raise InputError("no zones", file=file, line=2)
    for what in ("residents", "jobs"):
        if f"{what}_{hi}" not in rows[0]:
            raise InputError(
                f"no column {what}_{hi} for year {year}",
                file=file,
                line=1,
                field=f"{what}_{hi}",
                expected=f"a year in {TABLE_YEARS[0]}..{REQUIRED_YEARS[-1]}, or the column",
            )
    ids, codes, lon, lat, res, jobs, inreg = [], [], [], [], [], [], []
    names, kinds, munis, parts, sources = [], [], [], [], []
    for i, row in enumerate(rows):
        line = i + 2
        zid = int(_number(row["zone_id"], file=file, line=line, field="zone_id", integer=True))
        if zid != i + 1:
            raise InputError(
                f"zone_id {zid} out of sequence",
                file=file,
                line=line,
                field="zone_id",
                expected=str(i + 1),
            )
        kind = row["kind"].strip()
        if kind not in ZONE_KINDS:
            raise InputError(
                f"unknown kind {kind!r}",
                file=file,
                line=line,
                field="kind",
                expected=" | ".join(ZONE_KINDS),
            )
        part = row["region_part"].strip()
        if part not in REGION_PARTS:
            raise InputError(
                f"unknown region_part {part!r}",
                file=file,
                line=line,
                field="region_part",
                expected=" | ".join(REGION_PARTS),
            )
        flag = row["in_region"].strip().lower()
        if flag not in ("true", "false"):
            raise InputError(
                f"not a boolean: {flag!r}",
                file=file,
                line=line,
                field="in_region",
                expected="true | false",
            )
        x = _number(row["lon"], file=file, line=line, field="lon")
        y = _number(row["lat"], file=file, line=line, field="lat")
        if not (-180.0 <= x <= 180.0):
            raise InputError(
                f"longitude {x} out of range",
                file=file,
                line=line,
                field="lon",
                expected="-180..180",
            )
        if not (-90.0 <= y <= 90.0):
            raise InputError(
                f"latitude {y} out of range", file=file, line=line, field="lat", expected="-90..90"
            )
        values = {}
        for what in ("residents", "jobs"):
            for yr in (lo, hi):
                col = f"{what}_{yr}"
                v = _number(row[col], file=file, line=line, field=col)
                if v < 0:
                    raise InputError(
                        f"negative value {v}",
                        file=file,
                        line=line,
                        field=col,
                        expected="a number >= 0",
                    )
                values[col] = v
        name = row["name"].strip()
        if not name:
            raise InputError("empty name", file=file, line=line, field="name")
        ids.append(zid)
        codes.append(
            int(
                _number(
                    row["municipality_code"],
                    file=file,
                    line=line,
                    field="municipality_code",
                    integer=True,
                )
            )
        )
        names.append(name)
        kinds.append(kind)
        munis.append(row["municipality"].strip())
        parts.append(part)
        inreg.append(flag == "true")
        lon.append(x)
        lat.append(y)
        res.append((1 - w) * values[f"residents_{lo}"] + w * values[f"residents_{hi}"])
        jobs.append((1 - w) * values[f"jobs_{lo}"] + w * values[f"jobs_{hi}"])
        sources.append(row["source"].strip())
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"duplicate zone name {dup!r}", file=file, field="name")
    return Zones(
        zone_id=np.asarray(ids, dtype=np.int64),
        name=names,
        kind=kinds,
        municipality_code=np.asarray(codes, dtype=np.int64),
        municipality=munis,
        lon=np.asarray(lon, dtype=np.float64),
        lat=np.asarray(lat, dtype=np.float64),
        residents=np.asarray(res, dtype=np.float64),
        jobs=np.asarray(jobs, dtype=np.float64),
        region_part=parts,
        in_region=np.asarray(inreg, dtype=bool),
        year=year,
        source=tuple(sources),
    )
