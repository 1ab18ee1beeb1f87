"""Zone growth 2023 -> 2035 from ``mobility/data/zone_growth_2035.csv`` (issue 12, A.2).

Hand-computed checks of the rule in :mod:`mobility.data.zone_growth`, the bundled table's
coverage, and the 2035 zones it produces (sources: the URLs in the table).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from mobility.data import build_zones
from mobility.data.zone_growth import (
    GROWTH_FILE,
    GROWTH_HEADER,
    GrowthRow,
    ZoneInput,
    growth_factors,
    read_growth_table,
)
from mobility.errors import InputError
from mobility.region.zones import load_zones


def _row(name: str, role: str, v0: float | None = None, v1: float | None = None) -> GrowthRow:
    """A row from 2023 to 2035 (so its growth is v1 / v0 - 1 exactly)."""
    if v0 is None:
        return GrowthRow(name, role, None, None, None, None, "test", "M", 2)
    return GrowthRow(name, role, 2023, v0, 2035, v1, "test", "M", 2)


def test_annualised_growth_hand_computed():
    # Hillerød Kommune 2021 -> 2031: 51,528 -> 61,276; on 12 years: 1.18918^1.2 = 1.23111
    row = GrowthRow("Hillerød", "level", 2021, 51528.0, 2031, 61276.0, "x", "S2", 2)
    assert row.growth() == pytest.approx(0.23111, abs=1e-5)
    # a decline stays a decline: Bornholm 39,632 (2018) -> 37,014 (2045): 0.933942^(12/27) = 0.97008
    row = GrowthRow("Bornholm", "shape", 2018, 39632.0, 2045, 37014.0, "x", "S2", 2)
    assert row.growth() == pytest.approx(-0.02992, abs=1e-5)


def test_rule_on_a_hand_example():
    zones = [
        ZoneInput("B1", "bydel", 100.0, True),
        ZoneInput("B2", "bydel", 100.0, True),
        ZoneInput("L", "municipality", 100.0, True),
        ZoneInput("S1", "municipality", 100.0, True),
        ZoneInput("S2", "municipality", 100.0, True),
        ZoneInput("R", "municipality", 100.0, True),
        ZoneInput("E", "external", 100.0, False),
    ]
    table = {
        r.name: r
        for r in (
            _row("København", "city_level", 100, 110),
            _row("B1", "bydel_shape", 100, 130),
            _row("B2", "bydel_shape", 100, 110),
            _row("L", "level", 100, 120),
            _row("S1", "shape", 100, 105),
            _row("S2", "shape", 100, 115),
            _row("R", "regional"),
        )
    }
    got = growth_factors(zones, table, regional_growth=1.10, file="t.csv")
    # city +10 % on 200 = 220; bydel increments 30 and 10 -> k_city = 20 / 40 = 0.5
    assert got.k_city == pytest.approx(0.5)
    # region target 600 x 1.10 = 660; fixed 220 + 120; shapes 200 + k 20; R 100 + k 100 x 0.1
    # -> 340 + 200 + 100 + 30 k = 660 -> k = 2/3
    assert got.k_region == pytest.approx(2 / 3)
    want = [1.15, 1.05, 1.20, 1 + 0.05 * 2 / 3, 1 + 0.15 * 2 / 3, 1 + 0.1 * 2 / 3, 1.10]
    np.testing.assert_allclose(got.factors, want)
    assert got.regional_factor == pytest.approx(1 + 0.1 * 2 / 3)
    assert sum(f * 100 for f in got.factors[:6]) == pytest.approx(660)
    assert "regional rate" in got.notes[5] and "external" in got.notes[6]


def test_zone_missing_from_table_gets_the_regional_rate():
    zones = [ZoneInput("A", "municipality", 100.0, True), ZoneInput("B", "municipality", 300, True)]
    got = growth_factors(zones, {"A": _row("A", "level", 100, 112)}, regional_growth=1.06)
    # 400 x 1.06 = 424 = 112 + 300 f -> f = 1.04
    np.testing.assert_allclose(got.factors, [1.12, 1.04])
    assert "not in the table" in got.notes[1]


def test_bundled_table_covers_every_region_zone():
    table = read_growth_table()
    z = load_zones(2023)
    region = {n for n, r in zip(z.name, z.in_region, strict=True) if r}
    assert region <= set(table)
    assert set(table) - region == {"København"}
    assert all(row.source and "http" in row.source for row in table.values())
    # only Albertslund has no number (Trap Danmark gives 'rolig vækst' only)
    assert [r.name for r in table.values() if r.role == "regional"] == ["Albertslund"]


def test_2035_total_is_mob24_and_the_sourced_levels_hold():
    z23, z35 = load_zones(2023), load_zones(2035)
    region = z23.in_region
    assert z35.residents[region].sum() == pytest.approx(
        1.06 * z23.residents[region].sum(), rel=1e-5
    )
    # København: KK's prognosis 650,000 (2023) -> 750,000 (2050) on 12 years, rounded per bydel
    kk = z23.municipality_code == 101
    city = 653_664 * (750_000 / 650_000) ** (12 / 27)
    assert z35.residents[kk].sum() == pytest.approx(city, abs=6)
    # Hillerød keeps its own prognosis (incl. Favrholm): 54,159 x 1.23111
    i = z23.index_of("Hillerød")
    assert z35.residents[i] == pytest.approx(54_159 * 1.23111, abs=1)
    # external zones: MOB24's regional +6 %, each
    ext = ~region
    np.testing.assert_allclose(z35.residents[ext], 1.06 * z23.residents[ext], atol=0.5)
    # jobs follow the zone's residents factor
    np.testing.assert_allclose(z35.jobs / z23.jobs, z35.residents / z23.residents, atol=2e-4)
    # 2015 is untouched by the growth table
    z15 = load_zones(2015)
    np.testing.assert_allclose(z15.residents, z23.residents / 1.09**0.8, atol=0.5)


def test_development_zones_grow_faster_than_the_region_where_the_sources_say_so():
    z23, z35 = load_zones(2023), load_zones(2035)
    f = {n: z35.residents[z23.index_of(n)] / z23.residents[z23.index_of(n)] for n in z23.name}
    for zone in ("Østerbro", "Amager Vest", "Vesterbro/Kongens Enghave", "Hillerød"):
        # Nordhavn, Ørestad, Sydhavn/Carlsberg, Favrholm
        assert f[zone] > 1.06, zone
    # Lynetteholm (in Indre By) is not built before 2035; KK expects Indre By, Vanløse,
    # Bispebjerg about as today in 2050 and Nørrebro to shrink
    for zone in ("Indre By", "Vanløse", "Bispebjerg", "Nørrebro"):
        assert f[zone] < 1.06, zone
    assert f["Hillerød"] > max(v for n, v in f.items() if n != "Hillerød")
    sources = {n: s for n, s in zip(z23.name, z23.source, strict=True)}
    assert "zone_growth_2035.csv" in sources["Østerbro"]
    assert "regional rate" in sources["Albertslund"]


def _write(tmp_path: Path, rows: list[list[str]], header=GROWTH_HEADER) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path = tmp_path / "growth.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


GOOD = ["Hillerød", "level", "2021", "51528", "2031", "61276", "a source", "S2"]


@pytest.mark.parametrize(
    ("index", "value", "field", "message"),
    [
        (1, "grow", "role", "unknown role"),
        (7, "X", "tag", "unknown tag"),
        (2, "twenty", "year_from", "not an integer"),
        (4, "2020", "year_to", "not after"),
        (3, "-5", "value_from", "has value"),
        (5, "abc", "value_to", "not a number"),
        (6, "", "source", "is empty"),
    ],
)
def test_bad_row_names_file_line_and_field(tmp_path, index, value, field, message):
    row = list(GOOD)
    row[index] = value
    path = _write(tmp_path, [["Bornholm", "regional", "", "", "", "", "none", "M"], row])
    with pytest.raises(InputError, match=message) as err:
        read_growth_table(path)
    assert (err.value.file, err.value.line, err.value.field) == (str(path), 3, field)


def test_duplicate_regional_figure_header_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="appears twice") as err:
        read_growth_table(_write(tmp_path, [GOOD, GOOD]))
    assert err.value.line == 3
    with pytest.raises(InputError, match="regional row has no figure"):
        read_growth_table(
            _write(tmp_path, [["Bornholm", "regional", "2020", "", "", "", "x", "M"]])
        )
    with pytest.raises(InputError, match="unexpected header"):
        read_growth_table(_write(tmp_path, [GOOD], header=(*GROWTH_HEADER[:-1], "tags")))
    with pytest.raises(InputError, match="not found"):
        read_growth_table(tmp_path / "nope.csv")


def test_unknown_zone_or_wrong_kind_is_refused_and_nothing_is_written(tmp_path):
    text = GROWTH_FILE.read_text(encoding="utf-8").replace("\nHørsholm,", "\nHorsholm,")
    bad = tmp_path / "growth.csv"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputError, match="no zone named 'Horsholm'") as err:
        build_zones.main(out, growth_file=bad)
    assert err.value.field == "name" and err.value.line is not None
    assert not (out / "zones.csv").exists()
    zones = [ZoneInput("Roskilde", "external", 10.0, False)]
    with pytest.raises(InputError, match="role shape on a external zone"):
        growth_factors(zones, {"Roskilde": _row("Roskilde", "shape", 1, 2)}, regional_growth=1.06)


def test_build_with_the_bundled_table_is_byte_identical(tmp_path):
    build_zones.main(tmp_path)
    first = (tmp_path / "zones.csv").read_bytes()
    build_zones.main(tmp_path)
    assert (tmp_path / "zones.csv").read_bytes() == first
    assert first == (GROWTH_FILE.parent / "zones.csv").read_bytes()


def test_2045_is_2035_grown_ten_years_at_mob24s_rate_continued():
    z35, z45 = load_zones(2035), load_zones(2045)
    region = z35.in_region
    # Region H: MOB24's +6 % in 12 years continued for 10 more: 1.06 ** (10 / 12)
    assert z45.residents[region].sum() == pytest.approx(
        1.06 ** (10 / 12) * z35.residents[region].sum(), rel=1e-5
    )
    ext = ~region
    np.testing.assert_allclose(z45.residents[ext], 1.06 ** (10 / 12) * z35.residents[ext], atol=1)
    # København: KK's 650,000 -> 750,000 (2023 -> 2050) for 10 more years, bydele summed
    kk = z35.municipality_code == 101
    step = (750_000 / 650_000) ** (10 / 27)
    assert z45.residents[kk].sum() == pytest.approx(step * z35.residents[kk].sum(), abs=8)
    # years between are interpolated
    z40 = load_zones(2040)
    np.testing.assert_allclose(z40.residents, (z35.residents + z45.residents) / 2)


def test_later_step_scales_levels_like_shapes():
    zones = [
        ZoneInput("A", "municipality", 100.0, True),
        ZoneInput("B", "municipality", 100.0, True),
    ]
    table = {"A": _row("A", "level", 100, 130), "B": _row("B", "shape", 100, 110)}
    # 2023 -> 2035: A keeps its sourced +30 %, B closes the total of +25 %
    first = growth_factors(zones, table, regional_growth=1.25)
    assert first.factors == pytest.approx((1.30, 1.20))
    # a later step over 12 years with levels as shapes: both scaled by one k, A:B = 30:10
    later = growth_factors(zones, table, regional_growth=1.2, levels_as_shape=True)
    assert later.factors == pytest.approx((1.30, 1.10))
    # over 6 years each row's growth is its annual rate for 6 years
    half = growth_factors(zones, table, regional_growth=1.2, years=6, levels_as_shape=True)
    ga, gb = 1.3**0.5 - 1, 1.1**0.5 - 1
    k = 0.4 / (ga + gb)
    assert half.factors == pytest.approx((1 + k * ga, 1 + k * gb))


def test_a_table_without_2045_columns_covers_up_to_2035(tmp_path):
    src = Path(build_zones.__file__).with_name("zones.csv")
    rows = list(csv.reader(io.StringIO(src.read_text(encoding="utf-8"))))
    drop = [rows[0].index("residents_2045"), rows[0].index("jobs_2045")]
    out = tmp_path / "zones.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[c for i, c in enumerate(r) if i not in drop] for r in rows])
    np.testing.assert_array_equal(load_zones(2035, path=out).residents, load_zones(2035).residents)
    with pytest.raises(InputError) as info:
        load_zones(2040, path=out)
    assert info.value.field == "residents_2045"
