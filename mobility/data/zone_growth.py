"""Zone growth 2023 -> 2035 from the sourced table ``zone_growth_2035.csv`` (deterministic).

Every row of the table is a population figure as read in its source (a prognosis or projection
from ``year_from`` to ``year_to``), with the source's URL and reliability tag. The rule that turns
them into one factor per zone (``residents_2035 = residents_2023 x factor``, jobs the same) [D]:

1. **Annualised growth.** A row's growth over its own years is put on the model's 12 years
   2023 -> 2035 at the same constant annual rate: ``g = (value_to / value_from) ** (12 /
   (year_to - year_from)) - 1``.
2. **København** (``city_level``): the 10 bydele together grow by the city's ``g``. Each bydel's
   own ``g_b`` (``bydel_shape``, Københavns Kommune's bydel prognosis) keeps its share of that
   growth: ``factor_b = 1 + k_city g_b`` with one ``k_city`` so the bydele sum to the city.
3. **Region H** (the ``in_region`` zones): the 2035 total is MOB24's +6 % on 2023 [S]. Zones with
   ``level`` keep their sourced growth as it is (a municipal housing programme, e.g. Favrholm in
   Hillerød), and so does København. The ``shape`` zones (DST's municipal projection) keep the
   relative size of their growth, ``factor = 1 + k g``, with one ``k`` that closes the total; a
   ``regional`` zone (no sourced figure; also any in-region zone the table leaves out) grows by
   ``1 + k g_mean``, ``g_mean`` the resident-weighted mean ``g`` of the ``shape`` zones: the
   regional rate, labelled so.
4. **External zones** keep MOB24's regional +6 % (no zone-level source is used for them).

Source: the URLs in the table; rule [D], documented in ``mobility/data/README.md`` ("Years").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mobility.errors import InputError
from mobility.fileio import check_header

__all__ = [
    "BASE_YEAR",
    "GROWTH_FILE",
    "GROWTH_HEADER",
    "ROLES",
    "TARGET_YEAR",
    "GrowthRow",
    "ZoneGrowth",
    "ZoneInput",
    "growth_factors",
    "read_growth_table",
]

#: The bundled table of sourced growth figures.
GROWTH_FILE = Path(__file__).resolve().parent / "zone_growth_2035.csv"
#: The sourced year of the zone table and the forecast year.
BASE_YEAR = 2023
TARGET_YEAR = 2035
#: Columns of the table, in this order.
GROWTH_HEADER = (
    "name",
    "role",
    "year_from",
    "value_from",
    "year_to",
    "value_to",
    "source",
    "tag",
)
#: What a row is used for (see the module docstring).
ROLES = ("city_level", "bydel_shape", "level", "shape", "regional")
#: Reliability tags (mobility/data/README.md).
TAGS = ("S", "S2", "D", "M")
#: Name of the ``city_level`` row: the municipality whose bydele are zones.
CITY = "København"


@dataclass(frozen=True)
class GrowthRow:
    """One sourced figure of ``zone_growth_2035.csv``.

    Attributes
    ----------
    name
        Zone name (or ``"København"`` for the ``city_level`` row).
    role
        One of :data:`ROLES`.
    year_from, value_from, year_to, value_to
        The figure as read: residents (or an index) in two years; ``None`` for ``regional``.
    source
        Where the figure comes from (URL).
    tag
        Reliability tag: ``S``, ``S2``, ``D`` or ``M``.
    line
        Line of the table the row came from (for messages).
    """

    name: str
    role: str
    year_from: int | None
    value_from: float | None
    year_to: int | None
    value_to: float | None
    source: str
    tag: str
    line: int

    def growth(self, years: int = TARGET_YEAR - BASE_YEAR) -> float:
        """Growth over ``years`` (default 2023 -> 2035) at the row's constant annual rate
        (``g``, a fraction)."""
        if self.value_from is None or self.value_to is None:
            raise ValueError(f"row '{self.name}' has no figure")
        assert self.year_from is not None and self.year_to is not None
        span = years / (self.year_to - self.year_from)
        return float((self.value_to / self.value_from) ** span - 1.0)


@dataclass(frozen=True)
class ZoneInput:
    """What the growth rule needs to know of one zone.

    Attributes
    ----------
    name
        Zone name, as in ``zones.csv``.
    kind
        ``bydel``, ``municipality`` or ``external``.
    residents_2023
        Residents in 2023.
    in_region
        Whether the zone is in Region Hovedstaden.
    """

    name: str
    kind: str
    residents_2023: float
    in_region: bool


@dataclass(frozen=True)
class ZoneGrowth:
    """The 2023 -> 2035 factor of every zone, and the constants that closed the totals.

    Attributes
    ----------
    factors
        Residents (and jobs) factor per zone, in zone order.
    notes
        Per zone, how its factor was made (for the ``source`` column of ``zones.csv``).
    k_region
        Scale on the ``shape`` increments that makes Region H's total MOB24's +6 %.
    k_city
        Scale on the bydel increments that makes the bydele sum to the city's growth.
    regional_factor
        The labelled regional rate given to zones without a sourced figure.
    """

    factors: tuple[float, ...]
    notes: tuple[str, ...]
    k_region: float
    k_city: float
    regional_factor: float


def _cell_int(value: str, *, file: Path, line: int, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InputError(
            f"not an integer: {value!r}", file=file, line=line, field=field, expected="a year"
        ) from None


def _cell_positive(value: str, *, file: Path, line: int, field: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise InputError(
            f"not a number: {value!r}", file=file, line=line, field=field, expected="a number"
        ) from None
    if not x > 0 or x == float("inf"):
        raise InputError(
            f"has value {value!r}", file=file, line=line, field=field, expected="a number > 0"
        )
    return x


def _row(cells: Mapping[str, str], *, file: Path, line: int) -> GrowthRow:
    """Validate one table row."""
    name = cells["name"]
    if not name:
        raise InputError("is empty", file=file, line=line, field="name", expected="a zone name")
    role = cells["role"]
    if role not in ROLES:
        raise InputError(
            f"unknown role '{role[:40]}'",
            file=file,
            line=line,
            field="role",
            expected="one of " + ", ".join(ROLES),
        )
    tag = cells["tag"]
    if tag not in TAGS:
        raise InputError(
            f"unknown tag '{tag[:10]}'",
            file=file,
            line=line,
            field="tag",
            expected="one of " + ", ".join(TAGS),
        )
    if not cells["source"]:
        raise InputError("is empty", file=file, line=line, field="source", expected="a source")
    figure = ("year_from", "value_from", "year_to", "value_to")
    if role == "regional":
        for key in figure:
            if cells[key]:
                raise InputError(
                    "a regional row has no figure",
                    file=file,
                    line=line,
                    field=key,
                    expected="an empty cell",
                )
        return GrowthRow(name, role, None, None, None, None, cells["source"], tag, line)
    y0 = _cell_int(cells["year_from"], file=file, line=line, field="year_from")
    y1 = _cell_int(cells["year_to"], file=file, line=line, field="year_to")
    if y1 <= y0:
        raise InputError(
            f"year_to {y1} is not after year_from {y0}",
            file=file,
            line=line,
            field="year_to",
            expected=f"a year after {y0}",
        )
    v0 = _cell_positive(cells["value_from"], file=file, line=line, field="value_from")
    v1 = _cell_positive(cells["value_to"], file=file, line=line, field="value_to")
    return GrowthRow(name, role, y0, v0, y1, v1, cells["source"], tag, line)


def read_growth_table(path: str | Path = GROWTH_FILE) -> dict[str, GrowthRow]:
    """Read and validate ``zone_growth_2035.csv``.

    Parameters
    ----------
    path
        The table (default: the bundled one).

    Returns
    -------
    dict
        Rows by name, in file order.

    Raises
    ------
    InputError
        One line naming the file, line and field: missing file, wrong header, unknown role or
        tag, a figure that is not a positive number, years out of order, a name given twice.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=p) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=p) from None
    records = list(csv.reader(io.StringIO(text)))
    if not records:
        raise InputError("is empty", file=p, line=1, expected="a header")
    header = [h.strip() for h in records[0]]
    check_header(header, file=p)
    if tuple(header) != GROWTH_HEADER:
        raise InputError(
            "unexpected header",
            file=p,
            line=1,
            expected="columns " + ",".join(GROWTH_HEADER),
        )
    rows: dict[str, GrowthRow] = {}
    for k, record in enumerate(records[1:], start=2):
        if not record:
            continue
        if len(record) != len(header):
            raise InputError(
                f"has {len(record)} cells",
                file=p,
                line=k,
                expected=f"{len(header)} cells as in the header",
            )
        row = _row(dict(zip(header, (c.strip() for c in record), strict=True)), file=p, line=k)
        if row.name in rows:
            raise InputError(
                f"'{row.name}' appears twice (first on line {rows[row.name].line})",
                file=p,
                line=k,
                field="name",
                expected="each zone once",
            )
        rows[row.name] = row
    return rows


def _fraction(x: float) -> str:
    return f"{x * 100:+.2f} %"


def _figure(row: GrowthRow) -> str:
    return (
        f"{row.value_from:,.0f} in {row.year_from} -> {row.value_to:,.0f} in {row.year_to} "
        f"[{row.tag}]"
    )


def _check_names(zones: Sequence[ZoneInput], table: Mapping[str, GrowthRow], file: Path) -> None:
    """Every row names a zone of the right kind (or the city); bydele complete if city given."""
    by_name = {z.name: z for z in zones}
    for row in table.values():
        if row.role == "city_level":
            if row.name != CITY:
                raise InputError(
                    f"city_level row '{row.name}'",
                    file=file,
                    line=row.line,
                    field="name",
                    expected=f"'{CITY}'",
                )
            continue
        zone = by_name.get(row.name)
        if zone is None:
            raise InputError(
                f"no zone named '{row.name[:60]}'",
                file=file,
                line=row.line,
                field="name",
                expected="a zone name of zones.csv",
            )
        wanted = "bydel" if row.role == "bydel_shape" else "municipality"
        if zone.kind != wanted or not zone.in_region:
            raise InputError(
                f"role {row.role} on a {zone.kind} zone",
                file=file,
                line=row.line,
                field="role",
                expected=f"a {wanted} zone of Region H",
            )
    bydele = [z.name for z in zones if z.kind == "bydel"]
    shaped = [n for n in bydele if n in table]
    if CITY in table and len(shaped) != len(bydele):
        missing = [n for n in bydele if n not in table]
        raise InputError(
            "bydel(e) without a bydel_shape row: " + ", ".join(missing),
            file=file,
            field="name",
            expected="one bydel_shape row per bydel when a city_level row is given",
        )
    if shaped and CITY not in table:
        raise InputError(
            "bydel_shape rows without a city_level row",
            file=file,
            field="role",
            expected=f"a city_level row '{CITY}'",
        )


def growth_factors(
    zones: Sequence[ZoneInput],
    table: Mapping[str, GrowthRow],
    *,
    regional_growth: float,
    file: str | Path = GROWTH_FILE,
    years: int = TARGET_YEAR - BASE_YEAR,
    levels_as_shape: bool = False,
) -> ZoneGrowth:
    """The 2023 -> 2035 factor of every zone by the rule of the module docstring.

    Parameters
    ----------
    zones
        The zones, in zone order.
    table
        Rows of :func:`read_growth_table`.
    regional_growth
        The region-wide factor 2023 -> 2035 (MOB24: 1.06); Region H's total is held to it and the
        external zones get it.
    file
        The table's path, for messages.
    years
        Length of the step (default 12: 2023 -> 2035); every row's growth is its constant
        annual rate over this many years.
    levels_as_shape
        Treat ``level`` rows as ``shape`` rows (scaled to close the total). The later step
        2035 -> 2045 uses this: a municipal housing programme ends before 2035 (Hillerød's in
        2031), so beyond it only its relative growth is kept [D].

    Returns
    -------
    ZoneGrowth
        Factors and notes in zone order, and the closing constants.

    Raises
    ------
    InputError
        When a row names no zone (or one of the wrong kind), when bydele are incomplete, or when
        the sourced zones leave no positive factor for the others.
    """
    p = Path(file)
    _check_names(zones, table, p)
    factor: dict[str, float] = {}
    note: dict[str, str] = {}

    # 2. København: the bydele share the city's growth in proportion to their own.
    k_city = 0.0
    bydele = [z for z in zones if z.kind == "bydel"]
    if CITY in table:
        city = table[CITY]
        g_city = city.growth(years)
        base = sum(z.residents_2023 for z in bydele)
        weighted = sum(z.residents_2023 * table[z.name].growth(years) for z in bydele)
        k_city = g_city * base / weighted if weighted else 0.0
        for z in bydele:
            row = table[z.name]
            g = g_city if not weighted else k_city * row.growth(years)
            factor[z.name] = 1.0 + g
            note[z.name] = (
                f"bydel: {_figure(row)} = {_fraction(row.growth(years))} over {years} years, "
                f"x{k_city:.4f} "
                f"so the bydele sum to København's {_fraction(g_city)} ({_figure(city)}) [D]"
            )

    # 3. Region H: fixed levels, scaled shapes, regional rest; total = MOB24.
    region = [z for z in zones if z.in_region]
    target = regional_growth * sum(z.residents_2023 for z in region)
    fixed = sum(z.residents_2023 * factor[z.name] for z in bydele if z.name in factor)
    shape, rest = [], []
    for z in region:
        if z.name in factor:
            continue
        spec = table.get(z.name)
        if spec is not None and spec.role == "level" and not levels_as_shape:
            factor[z.name] = 1.0 + spec.growth(years)
            fixed += z.residents_2023 * factor[z.name]
            note[z.name] = (
                f"municipal prognosis {_figure(spec)} = {_fraction(spec.growth(years))} "
                f"over {years} years, "
                "kept as sourced [D]"
            )
        elif spec is not None and spec.role in ("shape", "level"):
            shape.append((z, spec.growth(years)))
        else:
            rest.append(z)
    shape_base = sum(z.residents_2023 for z, _ in shape)
    shape_inc = sum(z.residents_2023 * g for z, g in shape)
    rest_base = sum(z.residents_2023 for z in rest)
    g_mean = shape_inc / shape_base if shape_base else 0.0
    denominator = shape_inc + rest_base * g_mean
    remaining = target - fixed - shape_base - rest_base
    if abs(denominator) > 1e-9:
        k_region = remaining / denominator
        regional = 1.0 + k_region * g_mean
    else:
        k_region = 0.0
        regional = 1.0 + remaining / rest_base if rest_base else 1.0
    for z, g in shape:
        factor[z.name] = 1.0 + k_region * g
        note[z.name] = (
            f"DST projection {_figure(table[z.name])} = {_fraction(g)} over {years} years, "
            f"x{k_region:.4f} so Region H's total is MOB24's {_fraction(regional_growth - 1)} [D]"
        )
    for z in rest:
        factor[z.name] = regional
        why = "listed as regional" if z.name in table else "not in the table"
        note[z.name] = (
            f"regional rate {_fraction(regional - 1)} [D] (no sourced figure, {why}): the "
            f"mean DST growth {_fraction(g_mean)} x{k_region:.4f}, so Region H's total is MOB24's "
            f"{_fraction(regional_growth - 1)}"
        )
    for z in zones:
        if not z.in_region:
            factor[z.name] = regional_growth
            note[z.name] = (
                f"external: MOB24's {_fraction(regional_growth - 1)} for hovedstadsområdet [S], "
                "no zone-level source [D]"
            )
    bad = [z.name for z in zones if not factor[z.name] > 0]
    if bad:
        raise InputError(
            "the sourced figures leave no positive factor for " + ", ".join(bad),
            file=p,
            expected="sourced growth compatible with the regional total",
        )
    return ZoneGrowth(
        factors=tuple(factor[z.name] for z in zones),
        notes=tuple(note[z.name] for z in zones),
        k_region=k_region,
        k_city=k_city,
        regional_factor=regional,
    )
