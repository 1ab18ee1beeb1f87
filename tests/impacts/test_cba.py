"""Tests of the Danish-method CBA (mobility.impacts.cba) against hand calculations."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.impacts.cba import ITEMS, appraise
from mobility.impacts.cba_inputs import CbaInputs
from mobility.impacts.discounting import discount_factors, irr, npv
from mobility.impacts.unit_prices import load_unit_prices


def annuity(rate: float, n: int) -> float:
    """Present value of 1 per year for n years at a constant rate (closed form)."""
    return (1.0 - (1.0 + rate) ** -n) / rate


def hand_pv_constant(benefit: float, years: int) -> float:
    """PV of a constant benefit in years 1..years (<= 70) with FM's 3.5 % / 2.5 % steps."""
    first = min(years, 35)
    pv = benefit * annuity(0.035, first)
    if years > 35:
        pv += benefit * 1.035**-35 * annuity(0.025, years - 35)
    return pv


def test_discount_factors_follow_the_fm_steps() -> None:
    t = np.array([0, 1, 35, 36, 70, 71, 100])
    got = discount_factors(t)
    want = [
        1.0,
        1 / 1.035,
        1.035**-35,
        1.035**-35 / 1.025,
        1.035**-35 * 1.025**-35,
        1.035**-35 * 1.025**-35 / 1.015,
        1.035**-35 * 1.025**-35 * 1.015**-30,
    ]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_constant_stream_npv_bcr_irr_match_hand_calculation() -> None:
    benefit, cost = 100.0, 1500.0
    t = np.arange(0, 51)
    stream = np.full(51, benefit)
    stream[0] = -cost
    pv_b = hand_pv_constant(benefit, 50)
    assert npv(stream, t) == pytest.approx(pv_b - cost, rel=1e-12)
    # IRR of a designed stream: cost chosen so that 7 % makes the NPV zero
    cost7 = benefit * annuity(0.07, 50)
    stream[0] = -cost7
    assert irr(stream, t) == pytest.approx(0.07, abs=1e-9)


def write_prices(tmp_path: Path, overrides: dict[str, str]) -> Path:
    src = load_unit_prices().path
    with open(src, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["item"] in overrides:
            row["value"] = overrides[row["item"]]
        row["growth"] = "none"
    out = tmp_path / "prices.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_appraise_reproduces_hand_npv_for_constant_benefit(tmp_path: Path) -> None:
    path = write_prices(
        tmp_path,
        {
            "ramp_up_year_1": "1",
            "ramp_up_year_2": "1",
            "naf": "1",
            "asset_life_road": "50",  # residual value zero at a 50-year horizon
            "business_trip_share": "0",
            "vot_nonbusiness": "100",
            "vot_commute": "100",
            "vot_other": "100",
        },
    )
    prices = load_unit_prices(path)
    benefit_mdkk, cost_mdkk = 80.0, 1000.0
    inp = CbaInputs(
        project_id="x",
        kind="road",
        opening_year=2031,
        capex_mdkk=cost_mdkk,
        capex_price_year=prices.base_price_year,
        construction_years=1,
        user_benefit_h=benefit_mdkk * 1e6 / 100.0,
    )
    res = appraise(inp, prices=prices, base_year=2030, horizon_years=50)
    pv_b = hand_pv_constant(benefit_mdkk, 50)
    assert res.pv("construction") == pytest.approx(-cost_mdkk)
    assert res.npv_mdkk == pytest.approx(pv_b - cost_mdkk, rel=1e-10)
    assert res.bcr == pytest.approx(pv_b / cost_mdkk, rel=1e-10)
    # IRR by an independent bisection on the closed-form annuity
    lo, hi = 0.0, 0.5
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if benefit_mdkk * annuity(mid, 50) > cost_mdkk:
            lo = mid
        else:
            hi = mid
    assert res.irr_pct == pytest.approx(100 * lo, abs=1e-6)
    assert set(res.items) == set(ITEMS)


def test_net_tax_factor_and_residual_value() -> None:
    prices = load_unit_prices()
    inp = CbaInputs(
        project_id="y",
        kind="rail",
        opening_year=2035,
        capex_mdkk=1000.0,
        capex_price_year=prices.base_price_year,
        opex_mdkk_per_year=10.0,
    )
    res = appraise(inp, prices=prices, base_year=2026)
    assert np.sum(res.items["construction"]) == pytest.approx(-1000.0 * prices["naf"])
    life = prices["asset_life_rail"]
    assert res.items["residual_value"][-1] == pytest.approx(
        1000.0 * prices["naf"] * (1 - prices["horizon_years"] / life)
    )
    # no benefits: NPV negative; the residual value alone returns less than was spent
    assert res.npv_mdkk < 0
    assert res.irr_pct < 0
    no_residual = appraise(
        CbaInputs(
            project_id="w",
            kind="rail",
            opening_year=2035,
            capex_mdkk=0.0,
            capex_price_year=2022,
            opex_mdkk_per_year=10.0,
        ),
        prices=prices,
        base_year=2026,
    )
    assert math.isnan(no_residual.irr_pct)  # costs only: no rate makes the NPV zero


def test_benefits_ramp_up_and_grow() -> None:
    prices = load_unit_prices()
    inp = CbaInputs(
        project_id="z",
        kind="road",
        opening_year=2030,
        capex_mdkk=0.0,
        capex_price_year=2022,
        user_benefit_h=1e6,
    )
    res = appraise(inp, prices=prices, base_year=2026)
    v = res.items["travel_time_user_benefit"][res.years >= 2030]
    assert v[0] == pytest.approx(prices["ramp_up_year_1"] * v[2] / (1 + 0.01) ** 2, rel=1e-6)
    assert np.all(np.diff(v[2:]) > 0)  # unit values grow with GDP per capita


def test_co2_saving_is_a_benefit_and_high_price_raises_npv() -> None:
    inp = CbaInputs(
        project_id="c",
        kind="cycle",
        opening_year=2030,
        capex_mdkk=10.0,
        capex_price_year=2022,
        co2e_t=-1000.0,
    )
    res = appraise(inp, base_year=2026)
    assert res.pv("co2e") > 0
    assert res.npv_high_co2_mdkk > res.npv_mdkk


def test_bad_price_file(tmp_path: Path) -> None:
    bad = tmp_path / "p.csv"
    bad.write_text(
        "item,value,unit,price_year,growth,source,tag\nvot_nonbusiness,x,,2022,none,s,M\n"
    )
    with pytest.raises(InputError, match="line 2"):
        load_unit_prices(bad)


def _price_file_with(tmp_path: Path, edit: dict[str, str], item: str) -> Path:
    """The bundled unit-price file with one row (by item, first match) edited."""
    src = load_unit_prices().path
    with open(src, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    line = next(i for i, r in enumerate(rows, start=2) if r["item"] == item)
    rows[line - 2].update(edit)
    out = tmp_path / "bad_prices.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


@pytest.mark.parametrize(
    ("item", "edit", "message"),
    [
        ("vot_business", {"value": ""}, "'vot_business' has no value"),
        ("voc_truck", {"value": "-6"}, "'voc_truck' has value -6"),
        ("accidents", {"road_class": "autobahn"}, "'accidents' has road_class 'autobahn'"),
    ],
)
def test_bad_unit_price_rows_name_file_and_row(
    tmp_path: Path, item: str, edit: dict[str, str], message: str
) -> None:
    path = _price_file_with(tmp_path, edit, item)
    with open(path, encoding="utf-8") as fh:
        line = next(i for i, text in enumerate(fh, start=1) if text.startswith(item + ","))
    with pytest.raises(InputError) as err:
        load_unit_prices(path)
    text = str(err.value)
    assert "bad_prices.csv" in text and f"line {line}" in text and message in text
    assert "\n" not in text


def test_evaluate_cli_bad_unit_prices_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from mobility.cli import cli
    from mobility.impacts import unit_prices

    bad = _price_file_with(tmp_path, {"value": "-1"}, "health_cycling")
    folder = tmp_path / "data"
    folder.mkdir()
    bad.rename(folder / "unit_prices.csv")
    monkeypatch.setattr(unit_prices, "data_dir", lambda: folder)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["evaluate", "reference_2035", "-o", str(out)])
    assert res.exit_code == 2, res.output
    # the once-per-installation compile notice may come first (a fresh checkout, this test
    # alone); the error itself is one line
    lines = [
        line
        for line in res.stderr.strip().splitlines()
        if not line.startswith("mobility: first run: compiling")
    ]
    assert len(lines) == 1 and "unit_prices.csv, line" in lines[0]
    assert "'health_cycling' has value -1" in lines[0]
    assert not out.exists()
