"""Tests for mobility.report.writers (CSV dialects, xlsx) and mobility.progress."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobility.errors import InputError
from mobility.progress import progress, step
from mobility.report.writers import (
    UNITS_SHEET,
    column_unit,
    format_cell,
    format_number,
    read_table,
    table_bytes,
    write_table,
    write_xlsx,
)

HEADER = ["project_id", "name", "subcriterion", "value", "capex_mdkk", "selected"]
ROWS = [
    ["V1", "Ring 5 Syd", "1.1", 0.1 + 0.2, 6500, True],
    ["C5", "Trængselsafgift København; Frederiksberg", "6.2", -1234567.891234, 900.5, False],
    ["X", 'a "quoted", text', "2.1", None, -0.0, None],
    ["Y", "Øresund/Åmager/æ", "3.2", float("inf"), 1e-9, True],
]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1, "1"),
        (np.int64(-42), "-42"),
        (0.1 + 0.2, "0.3"),
        (2.5, "2.5"),
        (-0.0, "0"),
        (-1e-9, "0"),
        (1e20, "100000000000000000000"),
        (1234567.1234567, "1234567.123457"),
        (np.float32(0.1), "0.1"),
        (float("nan"), ""),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_format_cell_dialects() -> None:
    assert format_cell(1234.5) == "1234.5"
    assert format_cell(1234.5, dialect="excel-da") == "1234,5"
    assert format_cell("1.1", dialect="excel-da") == "1.1"  # text is never changed
    assert format_cell(True) == "true"
    assert format_cell(None) == ""
    with pytest.raises(InputError, match="csv-dialect"):
        format_cell(1, dialect="excel-us")


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_format_number_round_trips_to_six_decimals(x: float) -> None:
    text = format_number(x)
    assert "e" not in text.lower()
    assert abs(float(text) - x) <= 0.5e-6 + 1e-15 * abs(x)


def test_default_dialect_round_trip(tmp_path) -> None:
    path = write_table(tmp_path / "t.csv", HEADER, ROWS)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.splitlines()[0] == b"project_id,name,subcriterion,value,capex_mdkk,selected"
    header, rows = read_table(path, text_columns=("project_id", "name", "subcriterion"))
    assert header == HEADER
    assert rows[0] == ["V1", "Ring 5 Syd", "1.1", 0.3, 6500, True]
    assert rows[1][1] == "Trængselsafgift København; Frederiksberg"
    assert rows[1][3] == pytest.approx(-1234567.891234, abs=1e-6)
    assert rows[2][1:] == ['a "quoted", text', "2.1", None, 0, None]
    assert rows[3][3] == math.inf and rows[3][4] == 0
    # Without text_columns, "1.1" would come back as a number: identifiers must be declared.
    assert read_table(path)[1][0][2] == 1.1


def test_excel_da_dialect(tmp_path) -> None:
    path = write_table(tmp_path / "da.csv", HEADER, ROWS, dialect="excel-da")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel detects UTF-8 (æ, ø, å)
    lines = raw[3:].decode("utf-8").splitlines()
    assert lines[0] == "project_id;name;subcriterion;value;capex_mdkk;selected"
    assert lines[1] == "V1;Ring 5 Syd;1.1;0,3;6500;true"
    # a text cell holding the separator is quoted; the decimal comma needs no quoting
    assert (
        lines[2] == 'C5;"Trængselsafgift København; Frederiksberg";6.2;-1234567,891234;900,5;false'
    )
    text_cols = ("project_id", "name", "subcriterion")
    da = read_table(path, dialect="excel-da", text_columns=text_cols)
    default = read_table(write_table(tmp_path / "d.csv", HEADER, ROWS), text_columns=text_cols)
    assert da == default


def test_same_table_same_bytes_and_bad_rows() -> None:
    assert table_bytes(HEADER, ROWS) == table_bytes(HEADER, [list(r) for r in ROWS])
    with pytest.raises(InputError, match="row 1 has 2 cells"):
        table_bytes(["a", "b", "c"], [[1, 2]])


def test_write_xlsx_is_reproducible(tmp_path) -> None:
    from openpyxl import load_workbook

    tables = {
        "ranking": (HEADER, ROWS),
        "indicators": (["indicator", "value", "unit"], [["car_delay_hours_per_year", 3.34e7, "h"]]),
    }
    a = write_xlsx(tmp_path / "a", tables, "mobility.xlsx")
    b = write_xlsx(tmp_path / "b", tables, "mobility.xlsx")
    assert a.read_bytes() == b.read_bytes()
    wb = load_workbook(a)
    assert wb.sheetnames == ["ranking", "indicators", UNITS_SHEET]
    ws = wb["ranking"]
    assert [c.value for c in ws[1]] == HEADER
    assert [c.value for c in ws[2]] == ["V1", "Ring 5 Syd", "1.1", 0.3, 6500, True]
    assert ws["B3"].value == "Trængselsafgift København; Frederiksberg"
    assert ws["D4"].value is None and ws["D5"].value == "inf"
    assert wb.properties.modified.year == 2000


def test_write_xlsx_autofilter_and_units_sheet(tmp_path) -> None:
    """Every sheet's header row carries an autofilter over its table; the units sheet lists
    each column of each table with the unit its name gives (docs/outputs.md), and the
    workbook stays byte-identical."""
    from openpyxl import load_workbook

    cba = (
        ["project_id", "item", "year", "value_mdkk", "pv_mdkk"],
        [["V1", "construction", "all", -6500.0, -5800.2], ["V1", "npv", "all", None, 123.4]],
    )
    tables = {"ranking": (HEADER, ROWS), "cba": cba, "empty": (["a_km", "b"], [])}
    a = write_xlsx(tmp_path / "a", tables, "mobility.xlsx")
    b = write_xlsx(tmp_path / "b", tables, "mobility.xlsx")
    assert a.read_bytes() == b.read_bytes()
    wb = load_workbook(a)
    assert wb.sheetnames == ["ranking", "cba", "empty", "units"]
    # header + 4 rows over 6 columns; header + 2 rows over 5; an empty table: its header
    assert wb["ranking"].auto_filter.ref == "A1:F5"
    assert wb["cba"].auto_filter.ref == "A1:E3"
    assert wb["empty"].auto_filter.ref == "A1:B1"
    units = wb["units"]
    rows = [[c.value for c in row] for row in units.iter_rows()]
    assert rows[0] == ["sheet", "column", "unit"]
    assert units.auto_filter.ref == f"A1:C{len(rows)}"
    assert len(rows) == 1 + len(HEADER) + 5 + 2  # every column of every table
    unit = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert unit["ranking", "capex_mdkk"] == "mio. kr."
    assert unit["cba", "pv_mdkk"] == "mio. kr."
    assert unit["empty", "a_km"] == "km"
    assert unit["ranking", "project_id"] is None and unit["cba", "year"] is None  # blank


@pytest.mark.parametrize(
    ("column", "unit"),
    [
        ("capex_mdkk", "mio. kr."),
        ("opex_mdkk_per_year", "mio. kr./year"),
        ("construction_co2e_t", "t CO2e"),
        ("toll_dkk", "kr."),
        ("mean_commute_km", "km"),
        ("congested_time_min", "min"),
        ("free_speed_kmh", "km/h"),
        ("adt", "veh/day"),
        ("volume_peak_hour", "PCU/h"),
        ("pejlemaerke_3", "0-100"),
        ("mode_share_bike", "share (0-1)"),
        ("boardings_per_weekday", "boardings/weekday"),
        ("car_delay_h_per_year", "h/year"),
        ("reserve_pct", "%"),
        ("link_id", ""),
        ("rank_p05", ""),
        ("name", ""),
    ],
)
def test_column_unit(column, unit) -> None:
    assert column_unit(column) == unit


def test_write_xlsx_refuses_a_table_named_units(tmp_path) -> None:
    with pytest.raises(InputError, match="two sheets would both be named 'units'"):
        write_xlsx(tmp_path, {"units": (["a"], [[1]])}, "x.xlsx")


def test_write_xlsx_stays_inside_folder(tmp_path) -> None:
    with pytest.raises(InputError, match="leaves the output folder"):
        write_xlsx(tmp_path, {"t": (["a"], [[1]])}, "../escape.xlsx")
    with pytest.raises(InputError, match="two sheets"):
        write_xlsx(tmp_path, {"a/b": (["a"], []), "a_b": (["a"], [])}, "x.xlsx")


def test_progress_and_step(capsys) -> None:
    assert list(progress(range(5), desc="items", quiet=True)) == [0, 1, 2, 3, 4]
    assert list(progress(iter("abc"), total=3, desc="letters")) == ["a", "b", "c"]
    with step("quick step") as timing:
        pass
    assert timing["seconds"] >= 0.0
    err = capsys.readouterr().err
    assert "quick step" not in err  # steps under a second are not announced


def test_step_announces_slow_steps_unless_quiet(capsys, monkeypatch) -> None:
    import mobility.progress

    monkeypatch.setattr(mobility.progress, "STEP_REPORT_S", -1.0)
    with step("assigning reference"):
        pass
    assert "mobility: assigning reference (" in capsys.readouterr().err
    with step("assigning reference", quiet=True):
        pass
    assert capsys.readouterr().err == ""


def test_convert_csv_dialect_keeps_digits_and_identifiers(tmp_path) -> None:
    from mobility.report.writers import convert_csv_dialect

    path = tmp_path / "impacts.csv"
    path.write_text(
        "project_id,subcriterion,value,unit\nV1,1.1,65.0300,count\nV2,6.2,-3,grade 0-4\n",
        encoding="utf-8",
    )
    assert convert_csv_dialect(path, dialect="default").read_bytes().startswith(b"project_id")
    convert_csv_dialect(path, dialect="excel-da", text_columns=("project_id", "subcriterion"))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").splitlines() == [
        "project_id;subcriterion;value;unit",
        "V1;1.1;65,0300;count",
        "V2;6.2;-3;grade 0-4",
    ]
    _, rows = read_table(path, dialect="excel-da", text_columns=("subcriterion",))
    assert rows == [["V1", "1.1", 65.03, "count"], ["V2", "6.2", -3, "grade 0-4"]]
