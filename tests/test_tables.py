"""The output tables' schemas (``mobility.tables``): every written table matches its schema,
docs/outputs.md names every column, and the one reader's messages for a bad header or a bad
value name the file, the line and the column."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobility.errors import InputError
from mobility.impacts.tables import PROJECT_LINK_FLOWS
from mobility.report.runfolder import SCHEMAS
from mobility.report.writers import convert_csv_dialect
from mobility.tables import Column, TableSchema, read_cells, read_table

DOCS = Path(__file__).resolve().parents[1] / "docs" / "outputs.md"
FIXTURES = Path(__file__).resolve().parent / "data" / "report"
ALL_SCHEMAS = (*SCHEMAS.values(), PROJECT_LINK_FLOWS)


def check_folder(folder: Path) -> list[str]:
    """Check every output table in ``folder`` against its schema; return the files checked.

    Every table must read with :func:`read_table`; a table the current writers wrote has
    every column of its schema (ranking.csv without ``--sensitivity`` lacks those), each
    cell of a column with fixed decimals has exactly that many, and the key is unique.
    """
    checked = []
    paths = [(p, SCHEMAS[p.stem]) for p in sorted(folder.glob("*.csv")) if p.stem in SCHEMAS]
    paths += [(p, PROJECT_LINK_FLOWS) for p in sorted((folder / "link_flows").glob("*.csv"))]
    for path, schema in paths:
        header, rows = read_table(path, schema)
        optional = [c.name for c in schema.columns if c.optional and c.name not in header]
        assert not optional or schema.file == "ranking.csv", (path, optional)
        _, cells, _ = read_cells(path)
        for j, name in enumerate(header):
            digits = schema.column(name).digits
            if digits is None:
                continue
            for line, row in cells:
                text = row[j]
                # "0.": fixed_decimals' negative zero at 0 decimals (a writer quirk, kept)
                assert (
                    text in ("", "inf", "-inf", "nan")
                    or (digits == 0 and text == "0.")
                    or (len(text.partition(".")[2]) == digits and ("." in text) == (digits > 0))
                ), f"{path}:{line} {name} {text!r}: {digits} decimals"
        keys = [tuple(row[header.index(k)] for k in schema.key) for row in rows]
        assert len(set(keys)) == len(keys), (path, schema.key)
        checked.append(str(path.relative_to(folder)))
    return checked


@pytest.mark.slow
def test_every_table_of_a_small_run_matches_its_schema(tmp_path: Path) -> None:
    from smallrun import CSVS
    from smallrun import small_scenario as _scenario

    from mobility.cli import cli

    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["-q", "run", str(_scenario(tmp_path)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(check_folder(out)) == sorted(CSVS)
    header, _ = read_table(out / "ranking.csv", SCHEMAS["ranking"])
    assert tuple(header) == SCHEMAS["ranking"].names  # with sensitivity: every column


def test_report_fixtures_read_with_their_schemas() -> None:
    checked = check_folder_lenient(FIXTURES)
    assert {"ranking.csv", "impacts.csv", "link_flows.csv", "link_flows/V1.csv"} <= set(checked)


def check_folder_lenient(folder: Path) -> list[str]:
    """The synthetic report fixtures are in an earlier format: they only have to read."""
    checked = []
    for path in sorted(folder.rglob("*.csv")):
        stem = path.stem if path.parent == folder else None
        schema = SCHEMAS.get(stem) if stem else PROJECT_LINK_FLOWS
        if schema is None:
            continue
        read_table(path, schema)
        checked.append(str(path.relative_to(folder)))
    return checked


def test_every_schema_column_is_in_docs_outputs() -> None:
    """docs/outputs.md names every table's file and every column (code and docs agree)."""
    text = DOCS.read_text(encoding="utf-8")
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    for schema in ALL_SCHEMAS:
        assert schema.file in text, schema.file
        for name in schema.names:
            ok = name in words or (name.startswith("pejlemaerke_") and "pejlemaerke_k" in words)
            assert ok, f"{schema.file}: column {name} not in docs/outputs.md"


SCHEMA = TableSchema(
    "t.csv",
    (Column("id"), Column("n", "int"), Column("x", "float", 2), Column("note", optional=True)),
    key=("id",),
)


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_table_types_and_optional_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,n,x,note\na,1,2.50,hi\nb,,3,\n")
    header, rows = read_table(path, SCHEMA)
    assert header == ["id", "n", "x", "note"]
    assert rows == [["a", 1, 2.5, "hi"], ["b", None, 3, None]]
    assert isinstance(rows[1][2], int)  # a whole number reads back as written
    header, rows = read_table(_write(tmp_path, "id,n,x\na,1,inf\nb,2,nan\n"), SCHEMA)
    assert header == ["id", "n", "x"] and rows == [["a", 1, float("inf")], ["b", 2, "nan"]]


def test_read_table_reads_excel_da(tmp_path: Path) -> None:
    default = _write(tmp_path, "id,n,x,note\n1.1,1,2.5,a;b\n", "d.csv")
    danish = shutil.copy(default, tmp_path / "da.csv")
    convert_csv_dialect(danish, dialect="excel-da", text_columns=("id", "note"))
    assert Path(danish).read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_table(danish, SCHEMA) == read_table(default, SCHEMA)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,x,note\n", r"t\.csv, line 1: missing column 'n'"),
        ("id,n,x,size\n", r"t\.csv, line 1: unknown column 'size'"),
        ("id,x,n\n", r"t\.csv, line 1: column 'x' is out of order"),
        ("id,n,n,x\n", r"t\.csv, line 1: column 'n' appears twice"),
        ("id,n,x\na,1,2\nb,one,2\n", r"t\.csv, line 3: field 'n': has value 'one'.*integer"),
        ("id,n,x\na,1,2\nb,2,x2\n", r"t\.csv, line 3: field 'x': has value 'x2'.*a number"),
        ("id,n,x\na,1\n", r"t\.csv, line 2: has 2 fields \(expected 3 fields as in the header\)"),
        ("", r"t\.csv: file is empty"),
    ],
)
def test_read_table_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        read_table(_write(tmp_path, text), SCHEMA)
    assert "\n" not in str(err.value)


def test_schema_refuses_a_bad_definition() -> None:
    with pytest.raises(ValueError, match="twice"):
        TableSchema("t.csv", (Column("a"), Column("a")))
    with pytest.raises(ValueError, match="key"):
        TableSchema("t.csv", (Column("a"),), key=("b",))
    with pytest.raises(ValueError, match="type"):
        Column("a", "decimal")  # type: ignore[arg-type]
