"""The pejlemærker framework and the indicator-selection rule."""

from __future__ import annotations

import pytest

from mobility.errors import InputError
from mobility.scoring import pejlemaerker as pm


def _row(indicator: str, value: float, basis: str = "modelled", unit: str = "u") -> dict:
    return {"indicator": indicator, "value": value, "unit": unit, "basis": basis}


def test_six_criteria_twelve_subcriteria() -> None:
    assert pm.criterion_ids() == ("1", "2", "3", "4", "5", "6")
    assert pm.subcriterion_ids() == tuple(f"{c}.{s}" for c in range(1, 7) for s in (1, 2))
    for c in pm.CRITERIA:
        assert c.name_da and c.name_en
        for s in c.subcriteria:
            assert s.criterion == c.id
            assert s.name_da and s.name_en
            for ind in s.indicators:
                assert ind.direction in ("max", "min")
    assert pm.subcriterion("3.1").indicators[0].name == "co2e_change_t_per_year"
    assert pm.subcriterion("3.1").indicators[0].direction == "min"
    assert pm.subcriterion("3.2").indicator("construction_co2e_t").direction == "min"
    with pytest.raises(KeyError):
        pm.subcriterion("7.1")


def test_primary_indicator_wins_over_secondary_and_judged() -> None:
    sub = pm.subcriterion("6.1")
    rows = [_row("bcr", 1.5), _row("npv_mdkk", 900.0), _row("grade", 3, "judged")]
    c = pm.select_indicator(sub, rows, project_id="p")
    assert (c.indicator, c.value, c.judged, c.direction) == ("npv_mdkk", 900.0, False, "max")


def test_secondary_indicator_when_primary_missing() -> None:
    c = pm.select_indicator(pm.subcriterion("6.1"), [_row("bcr", 1.5)], project_id="p")
    assert c.indicator == "bcr"


def test_judged_fallback_averages_grades() -> None:
    rows = [_row("grade", 3, "judged"), _row("innovation", 2, "judged")]
    c = pm.select_indicator(pm.subcriterion("2.2"), rows, project_id="p")
    assert c.judged and c.value == 2.5


def test_unknown_modelled_indicator_is_an_error() -> None:
    with pytest.raises(InputError, match="no known indicator"):
        pm.select_indicator(pm.subcriterion("2.1"), [_row("mystery", 1.0)], project_id="p")


def test_no_rows_is_an_error() -> None:
    with pytest.raises(InputError, match=r"no row for sub-criterion 4\.2"):
        pm.select_indicator(pm.subcriterion("4.2"), [], project_id="p")
