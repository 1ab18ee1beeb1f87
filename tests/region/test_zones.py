"""Tests of the bundled zone table and load_zones (sources: mobility/data/README.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.region.zones import default_zones_path, load_zones

#: The 29 municipalities of Region Hovedstaden (DST kommunekoder).
REGION_H_CODES = {
    101,
    147,
    151,
    153,
    155,
    157,
    159,
    161,
    163,
    165,
    167,
    169,
    173,
    175,
    183,
    185,
    187,
    190,
    201,
    210,
    217,
    219,
    223,
    230,
    240,
    250,
    260,
    270,
    400,
}


def test_all_29_municipalities_present_once_or_via_bydele():
    z = load_zones(2023)
    codes = z.municipality_code[z.in_region]
    assert set(codes.tolist()) == REGION_H_CODES
    for code in REGION_H_CODES - {101}:
        assert int(np.sum(codes == code)) == 1
    bydele = [k for k, c in zip(z.kind, z.municipality_code, strict=True) if c == 101]
    assert len(bydele) == 10 and set(bydele) == {"bydel"}
    assert not z.in_region[np.asarray(z.kind) == "external"].any()


def test_populations_sum_to_sourced_totals():
    z = load_zones(2023)
    assert z.residents[z.in_region].sum() == pytest.approx(1_891_871, abs=0.5)
    assert z.residents[z.municipality_code == 101].sum() == pytest.approx(653_664, abs=0.5)
    assert z.residents[z.municipality_code == 400].sum() == pytest.approx(39_602)


def test_growth_factors_and_interpolation():
    z15, z23, z35 = load_zones(2015), load_zones(2023), load_zones(2035)
    total = {y: z.residents[z.in_region].sum() for y, z in ((15, z15), (23, z23), (35, z35))}
    # +9 % over 2012-2022 as a constant annual rate, 8 years back from 2023
    assert total[15] == pytest.approx(total[23] / 1.09**0.8, rel=1e-4)
    assert total[35] == pytest.approx(total[23] * 1.06, rel=1e-4)
    z19 = load_zones(2019)
    np.testing.assert_allclose(z19.residents, 0.5 * (z15.residents + z23.residents))
    z29 = load_zones(2029)
    np.testing.assert_allclose(z29.jobs, 0.5 * (z23.jobs + z35.jobs))
    assert z19.year == 2019


def test_zone_fields_are_consistent():
    z = load_zones(2023)
    assert z.n_zones == 48
    np.testing.assert_array_equal(z.zone_id, np.arange(1, 49))
    assert (z.residents > 0).all() and (z.jobs > 0).all()
    # centroids within Zealand/Skåne/Bornholm
    assert ((z.lon > 11.5) & (z.lon < 15.2) & (z.lat > 55.0) & (z.lat < 56.2)).all()
    assert all(s for s in z.source)
    assert all("[M]" in s for s, k in zip(z.source, z.kind, strict=True) if k == "external")
    assert z.region_part[z.index_of("Bornholm")] == "bornholm"


def test_year_outside_range_is_refused():
    with pytest.raises(InputError, match="year"):
        load_zones(2050)


def _copy_with(tmp_path: Path, line_no: int, column: str, value: str) -> Path:
    lines = default_zones_path().read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    rows[line_no - 1][header.index(column)] = value
    out = tmp_path / "zones.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("residents_2023", "abc", "not a number"),
        ("jobs_2023", "-5", "negative"),
        ("kind", "county", "unknown kind"),
        ("zone_id", "7", "out of sequence"),
        ("lat", "95", "out of range"),
    ],
)
def test_bad_input_names_file_line_and_field(tmp_path, column, value, message):
    path = _copy_with(tmp_path, 5, column, value)
    with pytest.raises(InputError, match=message) as err:
        load_zones(2023, path=path)
    assert err.value.line == 5
    assert err.value.field == column
    assert err.value.file == str(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_zones(2023, path=tmp_path / "nope.csv")
