"""The output tables' schemas and the one CSV reader.

A :class:`TableSchema` names one output table of docs/outputs.md: its file, its columns in
order (each with a name, a type and, where the writer fixes them, the decimals it writes)
and the column(s) that key a row. The schema is defined once, next to the writer (on the
writer's floor or lower, so that every reader above can import it); the writer takes its
header from the schema and every reader reads the file with :func:`read_table` and the
same schema, so a column cannot be renamed on one side only.

:func:`read_table` reads both of mobility's CSV dialects (the default one and
``--csv-dialect excel-da``: semicolons, decimal commas, a byte-order mark), refuses a
header that is not the schema's (a missing or an unknown column, one out of order) and
parses every cell to its column's type; each problem is one :class:`InputError` line naming
the file, the line and the column (docs/outputs.md, "Formats").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from mobility.errors import InputError, shown
from mobility.fileio import check_header, decimal_point, sniff_dialect

__all__ = [
    "COLUMN_TYPES",
    "Column",
    "ColumnType",
    "TableSchema",
    "parse_value",
    "read_cells",
    "read_table",
]

#: A column's type. ``float`` and ``id`` read a cell as it was written: a whole number is an
#: ``int`` (the writers drop trailing zeros, so 5.0 is written ``5``, and the report formats
#: whole numbers as such), ``id`` keeps any other cell as text (GMNS ids are numbers, a
#: project's new links ``<project_id>.<nnn>``).
ColumnType = Literal["str", "int", "float", "bool", "id"]
#: The names of :data:`ColumnType`.
COLUMN_TYPES: tuple[str, ...] = get_args(ColumnType)

_INT_RE = re.compile(r"^[+-]?\d+$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_EXPECTED: dict[str, str] = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
}


@dataclass(frozen=True)
class Column:
    """One column of an output table.

    Attributes
    ----------
    name
        The column's name in the header (units in the name, docs/outputs.md).
    type
        What its cells hold (:data:`ColumnType`).
    digits
        Decimals the writer fixes for it (``None``: the general number format, or text).
    optional
        Whether a file may lack it (a column written only on request, such as ranking.csv's
        sensitivity columns, or one that earlier versions did not write); the columns that
        are there keep the schema's order.
    """

    name: str
    type: ColumnType = "str"
    digits: int | None = None
    optional: bool = False

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.name!r}: unknown type {self.type!r}")


@dataclass(frozen=True)
class TableSchema:
    """An output table: its file, its columns in order and the column(s) keying a row.

    Attributes
    ----------
    file
        The file's name in the output folder (``link_flows.csv``;
        ``link_flows/<project_id>.csv`` for one file per project).
    columns
        The columns, in the order the writer writes them.
    key
        The column(s) whose values identify a row (unique in a file).
    """

    file: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.file}: a column is named twice")
        unknown = [k for k in self.key if k not in names]
        if unknown:
            raise ValueError(f"{self.file}: key column(s) {unknown} are not columns")

    @property
    def names(self) -> tuple[str, ...]:
        """Every column's name, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the columns every file has (not :attr:`Column.optional`), in order."""
        return tuple(c.name for c in self.columns if not c.optional)

    @property
    def digits(self) -> dict[str, int]:
        """Column name -> decimals, for the columns whose decimals the writer fixes."""
        return {c.name: c.digits for c in self.columns if c.digits is not None}

    def column(self, name: str) -> Column:
        """The column named ``name``.

        Raises
        ------
        KeyError
            If the table has no such column.
        """
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.file} has no column {name!r}")

    def check_header(self, header: Sequence[str], *, file: str | Path) -> None:
        """Refuse a header that is not this table's: every required column, no other, in
        the schema's order.

        Raises
        ------
        InputError
            One line naming the file, line 1 and the first column that is wrong.
        """
        check_header(header, file=file)
        known = set(self.names)
        expected = "columns " + ",".join(self.names)
        for name in header:
            if name not in known:
                raise InputError(
                    f"unknown column '{name[:60]}'", file=file, line=1, expected=expected
                )
        present = set(header)
        for name in self.required:
            if name not in present:
                raise InputError(f"missing column '{name}'", file=file, line=1, expected=expected)
        order = [n for n in self.names if n in present]
        for got, want in zip(header, order, strict=True):
            if got != want:
                raise InputError(
                    f"column '{got}' is out of order (column '{want}' comes first)",
                    file=file,
                    line=1,
                    expected=expected,
                )


def read_cells(path: str | Path) -> tuple[list[str], list[tuple[int, list[str]]], bool]:
    """The header and the rows of a CSV file as text, in either of mobility's dialects.

    The byte-order mark is dropped, the delimiter is read off the header line
    (:func:`mobility.fileio.sniff_dialect`); cells are as written (decimal commas kept:
    :func:`read_table` turns them into points for its numeric columns). Blank lines are
    skipped; a repeated column name and a row whose length differs from the header's are
    refused.

    Parameters
    ----------
    path
        The CSV file.

    Returns
    -------
    tuple
        ``(header, [(line, cells), ...], decimal_comma)``, lines counted from 1 (the
        header); ``decimal_comma`` whether the file is ``excel-da`` (numbers with a comma).

    Raises
    ------
    InputError
        If the file is missing, unreadable, empty or malformed.
    """
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", file=p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file ({exc.__class__.__name__})", file=p) from None
    first = text.split("\n", 1)[0]
    delimiter, decimal_comma = sniff_dialect(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("file is empty", file=p, expected="a CSV header") from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=p, line=1) from None
    check_header(header, file=p)
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not cells:
                continue
            if len(cells) != len(header):
                raise InputError(
                    f"has {len(cells)} fields",
                    file=p,
                    line=line,
                    expected=f"{len(header)} fields as in the header",
                )
            rows.append((line, cells))
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=p, line=reader.line_num) from None
    return header, rows, decimal_comma


def parse_value(text: str, column: Column, *, file: str | Path, line: int) -> Any:
    """One cell as its column's type (an empty cell is ``None``).

    ``str``: the text; ``int``: an integer; ``float``: a number, ``inf``/``-inf`` included
    (a whole number stays ``int``, as written; ``nan``, which the CBA writes for a ratio
    without a value, stays the text, as the report has always shown it); ``bool``:
    ``true``/``false``; ``id``: an ``int`` when the cell is a whole number, else the text.
    A decimal comma (``--csv-dialect excel-da``) is read as a point in ``int`` and ``float``
    cells.

    Raises
    ------
    InputError
        Naming the file, the line and the column, if the cell is not of the type.
    """
    if text == "":
        return None
    kind = column.type
    if kind == "str":
        return text
    if kind == "id":
        return int(text) if _INT_RE.match(text) else text
    if kind == "float" and text == "nan":
        return text  # a ratio without a value (cba.csv nnk, irr), shown as written
    if kind in ("int", "float"):
        number = decimal_point(text)
        if _INT_RE.match(number):
            return int(number)
        if kind == "float" and (_FLOAT_RE.match(number) or number in ("inf", "-inf")):
            return float(number)
    elif text in ("true", "false"):
        return text == "true"
    raise InputError(
        f"has value {shown(text)}",
        file=file,
        line=line,
        field=column.name,
        expected=_EXPECTED[kind],
    )


def read_table(path: str | Path, schema: TableSchema) -> tuple[list[str], list[list[Any]]]:
    """Read an output table written in either dialect, checked against its schema.

    Parameters
    ----------
    path
        The CSV file.
    schema
        The table's schema: the header must be its columns (optional ones may be absent),
        and every cell is parsed to its column's type (:func:`parse_value`).

    Returns
    -------
    tuple
        ``(header, rows)``: the file's column names and one list of typed cells per row.

    Raises
    ------
    InputError
        One line naming the file, the line and the column: a missing, unknown or misplaced
        column, a cell that is not of its column's type, a malformed file.
    """
    header, raw, _ = read_cells(path)
    schema.check_header(header, file=path)
    columns = [schema.column(h) for h in header]
    rows = [
        [parse_value(c, col, file=path, line=line) for c, col in zip(cells, columns, strict=True)]
        for line, cells in raw
    ]
    return header, rows
