"""Table writers: CSV in two dialects, one xlsx workbook (with a units sheet), and the one
float format.

Dialects
--------
``default``
    UTF-8 without BOM, comma separator, dot decimals, ``\\n`` line endings. The contract format
    documented in ``docs/outputs.md``; byte-identical for identical inputs.
``excel-da``
    For Danish Excel (``--csv-dialect excel-da``): semicolon separator, decimal comma, UTF-8
    *with* byte-order mark so that Excel detects UTF-8 and shows æ, ø, å correctly when the file
    is opened by double-click (without the BOM Excel guesses Windows-1252). Only numeric cells get a
    decimal comma; text is written unchanged. Column names and order are identical to ``default``.

Every number in every output goes through :func:`format_number`: integers as they are, floats
rounded to six decimals with trailing zeros stripped, never scientific notation, ``-0`` written
as ``0``, NaN as an empty cell, infinities as ``inf`` / ``-inf``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any, cast

from mobility.errors import InputError
from mobility.fileio import atomic_write_bytes, contained_path
from mobility.tables import read_cells

__all__ = [
    "DECIMALS",
    "DIALECTS",
    "PER_SUFFIXES",
    "UNITS_SHEET",
    "UNIT_OF_COLUMN",
    "UNIT_OF_PREFIX",
    "UNIT_SUFFIXES",
    "XLSX_TIMESTAMP",
    "column_unit",
    "convert_csv_dialect",
    "format_cell",
    "format_number",
    "parse_cell",
    "read_table",
    "table_bytes",
    "table_text",
    "write_table",
    "write_xlsx",
]

#: The dialect names accepted by :func:`write_table` (and ``--csv-dialect``).
DIALECTS: tuple[str, ...] = ("default", "excel-da")

#: Decimals kept by :func:`format_number`.
DECIMALS = 6

#: Timestamp written into xlsx properties and zip entries so that workbooks are reproducible.
XLSX_TIMESTAMP = _dt.datetime(2000, 1, 1, 0, 0, 0)

#: Name of the sheet :func:`write_xlsx` adds: every table's columns with their units.
UNITS_SHEET = "units"

#: Units of columns whose name carries none (docs/outputs.md states them per table).
UNIT_OF_COLUMN: dict[str, str] = {
    "volume_peak_hour": "PCU/h",
    "adt": "veh/day",
    "capacity": "veh/h",
    "max_load_per_weekday": "passengers/weekday",
    "boardings_per_weekday": "boardings/weekday",
    "passenger_km_per_weekday": "passenger-km/weekday",
    "residents": "persons",
    "jobs": "jobs",
    "jobs_within_45min_car": "jobs",
    "jobs_within_45min_pt": "jobs",
    "score": "0-100",
    "total_score": "0-100",
    "sub_score": "0-100",
    "judged_share": "share",
    "probability": "share",
    "cumulative": "share",
    "p_top_k": "share",
    "p_rank_stable": "share",
    "bcr": "ratio",
    "nnk": "ratio",
    "opening_year": "year",
    "start_year": "year",
}
#: Column name beginnings and their units (``pejlemaerke_1`` ... ``_6``, ``mode_share_car``).
UNIT_OF_PREFIX: dict[str, str] = {"pejlemaerke_": "0-100", "mode_share_": "share (0-1)"}
#: Column name endings and their units, longest first (docs/outputs.md: units are in the
#: column names, ``_mdkk`` million DKK, ``_t`` tonnes ...).
UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("co2e_t", "t CO2e"),
    ("_mdkk", "mio. kr."),
    ("_dkk", "kr."),
    ("_kmh", "km/h"),
    ("_vph", "veh/h"),
    ("_pct", "%"),
    ("_km", "km"),
    ("_min", "min"),
    ("_h", "h"),
    ("_t", "t"),
)
#: Endings that divide a unit: ``opex_mdkk_per_year`` is mio. kr./year.
PER_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_per_year", "year"),
    ("_per_weekday", "weekday"),
    ("_per_day", "day"),
    ("_per_trip", "trip"),
)

_INT_RE = re.compile(r"^[+-]?\d+$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")

Table = tuple[Sequence[str], Iterable[Sequence[Any]]]


def format_number(value: float | int, *, decimals: int = DECIMALS) -> str:
    """Format a number deterministically, without scientific notation.

    Parameters
    ----------
    value
        An int, float or numpy scalar. ``bool`` is not a number here (see :func:`format_cell`).
    decimals
        Decimal places kept for floats (rounded half-to-even by Python's formatting).

    Returns
    -------
    str
        ``"12"``, ``"0.333333"``, ``"1250000.5"``, ``"0"`` for ``-0.0``, ``""`` for NaN,
        ``"inf"``/``"-inf"`` for infinities.
    """
    if isinstance(value, Integral):
        return str(int(value))
    x = float(value)
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def format_cell(value: Any, *, dialect: str = "default") -> str:
    """Format one cell for a CSV dialect.

    Numbers go through :func:`format_number` (decimal comma in ``excel-da``); ``None`` is an
    empty cell; booleans are ``true``/``false``; everything else is ``str(value)``.
    """
    _check_dialect(dialect)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Real):
        text = format_number(cast("float | int", value))  # a Real: int, float or numpy
        if dialect == "excel-da":
            text = text.replace(".", ",")
        return text
    return str(value)


def table_text(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, dialect: str = "default"
) -> str:
    """Render a table as CSV text in ``dialect`` (without the BOM; see :func:`table_bytes`)."""
    _check_dialect(dialect)
    delimiter = ";" if dialect == "excel-da" else ","
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow([str(h) for h in header])
    width = len(header)
    for i, row in enumerate(rows, start=1):
        cells = list(row)
        if len(cells) != width:
            raise InputError(
                f"row {i} has {len(cells)} cells but the header has {width}",
                expected="one cell per column",
            )
        writer.writerow([format_cell(c, dialect=dialect) for c in cells])
    return buf.getvalue()


def table_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, dialect: str = "default"
) -> bytes:
    """Encode a table as the bytes of a CSV file in ``dialect`` (BOM for ``excel-da``)."""
    text = table_text(header, rows, dialect=dialect)
    if dialect == "excel-da":
        return ("\ufeff" + text).encode("utf-8")
    return text.encode("utf-8")


def write_table(
    path: str | Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    dialect: str = "default",
) -> Path:
    """Write a table to a CSV file atomically in the given dialect.

    Parameters
    ----------
    path
        Target file (written through a temporary file and a rename).
    header
        Column names, units in the names (``capex_mdkk``); order is kept as given.
    rows
        Row sequences, one value per column.
    dialect
        ``"default"`` or ``"excel-da"`` (see the module docstring).

    Returns
    -------
    Path
        The written file.
    """
    return atomic_write_bytes(path, table_bytes(header, rows, dialect=dialect))


def parse_cell(text: str) -> Any:
    """Parse one CSV cell written by :func:`format_cell` (default dialect) back to a value.

    Integers become ``int``, decimals ``float``, ``inf``/``-inf`` floats, ``true``/``false``
    booleans, the empty string ``None``; anything else stays text.
    """
    if text == "":
        return None
    if _INT_RE.match(text):
        return int(text)
    if _FLOAT_RE.match(text):
        return float(text)
    if text in ("inf", "-inf"):
        return float(text)
    if text == "true":
        return True
    if text == "false":
        return False
    return text


def read_table(
    path: str | Path, *, dialect: str = "default", text_columns: Iterable[str] = ()
) -> tuple[list[str], list[list[Any]]]:
    """Read a CSV file written by :func:`write_table` back into a header and typed rows.

    Cells are parsed with :func:`parse_cell`, except in ``text_columns`` (identifiers such as
    ``subcriterion`` ``"1.1"`` or ``project_id``), which stay text (empty -> ``None``). For a
    table without a schema (a GMNS ``node.csv``); an output table is read with its schema by
    :func:`mobility.tables.read_table`, over the same :func:`mobility.tables.read_cells`.

    Raises
    ------
    InputError
        If the file is empty or a row's length differs from the header's.
    """
    _check_dialect(dialect)
    header, raw, _ = read_cells(path)
    excel_da = dialect == "excel-da"
    keep = {i for i, h in enumerate(header) if h in set(text_columns)}
    rows: list[list[Any]] = [
        [
            (c or None) if i in keep else parse_cell(_da_to_default(c) if excel_da else c)
            for i, c in enumerate(cells)
        ]
        for _, cells in raw
    ]
    return header, rows


def column_unit(column: str) -> str:
    """The unit of an output column, from its name (docs/outputs.md's convention).

    Parameters
    ----------
    column
        A column name such as ``capex_mdkk``, ``opex_mdkk_per_year`` or ``adt``.

    Returns
    -------
    str
        ``"mio. kr."``, ``"mio. kr./year"``, ``"t CO2e"``, ``"veh/day"`` ...: the names of
        :data:`UNIT_OF_COLUMN`, else the beginnings of :data:`UNIT_OF_PREFIX`, else the
        endings of :data:`UNIT_SUFFIXES` (after a :data:`PER_SUFFIXES` ending, which
        divides the unit; tonnes of a ``co2e`` column are t CO2e); ``""`` when the name
        says none (identifiers, text, counts, ranks).
    """
    name = str(column).strip().lower()
    if name in UNIT_OF_COLUMN:
        return UNIT_OF_COLUMN[name]
    for prefix, unit in UNIT_OF_PREFIX.items():
        if name.startswith(prefix):
            return unit
    per = ""
    for suffix, denominator in PER_SUFFIXES:
        if name.endswith(suffix):
            name, per = name[: -len(suffix)], denominator
            break
    unit = next((u for suffix, u in UNIT_SUFFIXES if name.endswith(suffix)), "")
    if not unit:
        return ""
    if unit == "t" and "co2e" in name:  # co2e_change_t_per_year
        unit = "t CO2e"
    return f"{unit}/{per}" if per else unit


def _units_rows(tables: Mapping[str, Table]) -> list[list[str]]:
    """``[sheet, column, unit]`` for every column of every table, in sheet order."""
    rows = []
    for name, (header, _) in tables.items():
        names = [str(h) for h in header]
        for h in names:
            unit = column_unit(h)
            if not unit and "unit" in names and h in ("value", "noise_band"):
                unit = "the row's unit"
            rows.append([_sheet_title(name), h, unit])
    return rows


def write_xlsx(folder: str | Path, tables: Mapping[str, Table], path: str | Path) -> Path:
    """Write several tables into one xlsx workbook, one sheet per table, reproducibly.

    Numbers are stored as numbers (rounded like the CSVs), text as text; the header row is
    bold and frozen and carries an autofilter over the table. A last sheet
    :data:`UNITS_SHEET` lists every table's columns with their unit (:func:`column_unit`;
    blank where the name says none). The workbook's created/modified properties and every zip
    entry's timestamp are fixed (:data:`XLSX_TIMESTAMP`), so the same tables give
    byte-identical files.

    Parameters
    ----------
    folder
        The output folder; ``path`` must stay inside it.
    tables
        Sheet name -> ``(header, rows)``; sheets keep the mapping's order. Names are cut to
        Excel's 31 characters; none may be :data:`UNITS_SHEET`.
    path
        File name (relative to ``folder``), e.g. ``"mobility.xlsx"``.

    Returns
    -------
    Path
        The written workbook.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    target = contained_path(folder, str(path))
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    seen: set[str] = {UNITS_SHEET}
    sheets: dict[str, Table] = {}
    for name, table in tables.items():
        title = _sheet_title(name)
        if title in seen:
            raise InputError(f"two sheets would both be named '{title}'", field="tables")
        seen.add(title)
        sheets[title] = table
    sheets[UNITS_SHEET] = (("sheet", "column", "unit"), _units_rows(sheets))
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append([str(h) for h in header])
        for cell in ws[1]:
            cell.font = bold
        widths = [len(str(h)) for h in header]
        n_rows = 0
        for row in rows:
            values = [_xlsx_value(v) for v in row]
            ws.append(values)
            n_rows += 1
            for j, v in enumerate(values[: len(widths)]):
                widths[j] = max(widths[j], len(str(v)) if v is not None else 0)
        ws.freeze_panes = "A2"
        if header:
            ws.auto_filter.ref = f"A1:{_column_letter(len(header))}{n_rows + 1}"
        for j, w in enumerate(widths):
            ws.column_dimensions[_column_letter(j + 1)].width = min(60, max(8, w + 2))
    wb.properties.creator = "mobility"
    wb.properties.created = XLSX_TIMESTAMP
    wb.properties.modified = XLSX_TIMESTAMP
    buf = io.BytesIO()
    wb.save(buf)
    return atomic_write_bytes(target, _normalise_zip(buf.getvalue()))


def convert_csv_dialect(
    path: str | Path, *, dialect: str, text_columns: Iterable[str] = ()
) -> Path:
    """Rewrite a default-dialect CSV file in place in ``dialect`` (atomic).

    The conversion works on the text: every cell that is a plain decimal number gets a
    decimal comma (``excel-da``), except in ``text_columns`` (identifiers such as
    ``subcriterion`` ``"1.1"``), so the digits stay exactly as the writer formatted them.
    ``default`` leaves the file unchanged.
    """
    _check_dialect(dialect)
    target = Path(path)
    if dialect == "default":
        return target
    raw = target.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(raw))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty file", file=target, expected="a header row") from None
    keep = {i for i, h in enumerate(header) if h in set(text_columns)}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    for cells in reader:
        writer.writerow(
            [
                c.replace(".", ",") if i not in keep and _FLOAT_RE.match(c) else c
                for i, c in enumerate(cells)
            ]
        )
    return atomic_write_bytes(target, ("\ufeff" + out.getvalue()).encode("utf-8"))


# --- helpers -----------------------------------------------------------------------------


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise InputError(
            f"unknown CSV dialect '{dialect}'", field="csv-dialect", expected=" or ".join(DIALECTS)
        )


def _da_to_default(cell: str) -> str:
    """Turn an excel-da numeric cell (decimal comma) back into dot notation."""
    candidate = cell.replace(",", ".", 1) if cell.count(",") == 1 else cell
    return candidate if _FLOAT_RE.match(candidate) else cell


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        x = float(value)
        if math.isnan(x):
            return None
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return round(x, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return str(value)


def _sheet_title(name: str) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31]
    return title or "sheet"


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_MODIFIED_RE = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite an xlsx zip with fixed entry timestamps and a fixed ``modified`` property."""
    stamp = XLSX_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED_RE.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()
