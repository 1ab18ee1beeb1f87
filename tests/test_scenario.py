"""Scenario files: the bundled ones load; bad input names file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobility.errors import InputError
from mobility.resources import bundled_file
from mobility.scenario import load_scenario
from mobility.scenario_sections import (
    AppraisalSection,
    CorridorSpec,
    PortfolioSection,
    ScoringSection,
)

MINIMAL = "name: t\nyear: 2020\n"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_scenarios_load():
    base = load_scenario(bundled_file("scenarios", "base.yaml"))
    ref = load_scenario(bundled_file("scenarios", "reference_2035.yaml"))
    assert (base.year, base.base_year) == (2015, 2015)
    assert (ref.year, ref.base_year) == (2035, 2015)
    assert ref.trip_rate_factor > 1.0
    assert ref.ev_share() > base.ev_share()
    assert base.annualisation.delay_weekdays_per_year == 230
    assert {p.status for p in ref.committed} <= {"decided", "under_construction", "built"}
    assert len(ref.network_changes) >= 2 and base.network_changes == ()
    fewer = ref.without([ref.committed[0].id])
    assert len(fewer.committed) == len(ref.committed) - 1
    with pytest.raises(InputError, match="not a committed project"):
        ref.without(["no_such_project"])


def test_minimal_defaults(tmp_path):
    s = load_scenario(_write(tmp_path, MINIMAL))
    assert s.base_year == 2020 and s.trip_rate_factor == 1.0
    assert s.appraisal == AppraisalSection() and s.appraisal.corridors is None
    assert s.scoring == ScoringSection() and s.scoring.normalisation == "winsorised"
    assert s.portfolio == PortfolioSection() and s.portfolio.as_dict() == {}
    assert s.settings.rel_gap == pytest.approx(1e-6)
    assert s.settings.pt_route_choice == "optimal_strategy"
    assert s.settings.road_assignment == "gp"
    assert s.settings.queue_flow_period_h is None


@pytest.mark.parametrize("choice", ["optimal_strategy", "shortest_path"])
def test_pt_route_choice(tmp_path, choice):
    s = load_scenario(_write(tmp_path, MINIMAL + f"model:\n  pt_route_choice: {choice}\n"))
    assert s.settings.pt_route_choice == choice


@pytest.mark.parametrize("algorithm", ["gp", "bfw", "msa"])
def test_road_assignment(tmp_path, algorithm):
    s = load_scenario(_write(tmp_path, MINIMAL + f"model:\n  road_assignment: {algorithm}\n"))
    assert s.settings.road_assignment == algorithm


def test_typed_sections(tmp_path):
    """appraisal, scoring and portfolio are validated when the scenario is loaded (issue 16)."""
    (tmp_path / "cat").mkdir()
    text = (
        MINIMAL
        + "appraisal:\n  projects: cat\n  only: [a, 7]\n  discount_base_year: 2030\n"
        + "  corridors:\n    - {name: x, from: [Køge, 101], to: [Tårnby]}\n"
        + "scoring:\n  method: topsis\n  weights: w/my.yaml\n  sensitivity: 10\n"
        + "portfolio:\n  budget_mdkk: 500\n  exclusive: [[a, b]]\n  requires: ['b:a']\n"
    )
    s = load_scenario(_write(tmp_path, text))
    assert s.appraisal.projects == (tmp_path / "cat").resolve()
    assert s.appraisal.only == ("a", "7")
    assert s.appraisal.discount_base_year == 2030 and s.appraisal.material_h_per_resident is None
    assert s.appraisal.corridors == (CorridorSpec("x", ("Køge", "101"), ("Tårnby",)),)
    assert s.scoring.method == "topsis" and s.scoring.sensitivity == 10
    assert s.scoring.weights == str((tmp_path / "w" / "my.yaml").resolve())
    assert s.portfolio.budget_mdkk == 500 and s.portfolio.requires == (("b", "a"),)
    assert s.portfolio.as_dict() == {
        "budget_mdkk": 500.0,
        "exclusive": [("a", "b")],
        "requires": [("b", "a")],
    }


def test_ev_share_interpolates(tmp_path):
    s = load_scenario(_write(tmp_path, MINIMAL + "fleet:\n  ev_share: {2010: 0.0, 2030: 0.4}\n"))
    assert s.ev_share() == pytest.approx(0.2)
    assert s.ev_share(2050) == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("annualisation:\n  peak_hour_share: 2\n", "annualisation.peak_hour_share"),
        ("annualisation:\n  peek_hour_share: 0.1\n", "annualisation.peek_hour_share"),
        ("demand:\n  trip_rate_factor: -1\n", "demand.trip_rate_factor"),
        ("fleet:\n  ev_share: {2030: 1.5}\n", "fleet.ev_share.2030"),
        ("model:\n  feedback_max_iter: 0\n", "model.feedback_max_iter"),
        ("model:\n  pt_route_choice: logit\n", "model.pt_route_choice"),
        ("model:\n  pt_route_choice: [shortest_path]\n", "model.pt_route_choice"),
        ("model:\n  road_assignment: aon\n", "model.road_assignment"),
        ("model:\n  queue_flow_period_h: 0\n", "model.queue_flow_period_h"),
        ("colour: red\n", "colour"),
        (
            "network:\n  committed:\n    - {id: a, name: x, status: dreamt, opening_year: 2030,"
            " source: s, changes: [{op: remove_link, link_id: 1}]}\n",
            "network.committed[0].status",
        ),
        (
            "network:\n  committed:\n    - {id: a, name: x, status: decided, opening_year: 2030,"
            " source: s, changes: [{op: change_link, link_id: 1, lanes: -2}]}\n",
            "network.committed[0].changes[0].lanes",
        ),
        (
            "network:\n  committed:\n    - {id: a, name: x, status: decided, opening_year: 2030,"
            " source: s, changes: []}\n",
            "network.committed[0].changes",
        ),
        ("appraisal: 3\n", "appraisal"),
        ("appraisal:\n  discount: 0.035\n", "appraisal.discount"),
        ("appraisal:\n  projects: no_such_folder\n", "appraisal.projects"),
        ("appraisal:\n  only: [[a]]\n", "appraisal.only[0]"),
        ("appraisal:\n  corridors:\n    - {name: x, from: [A]}\n", "appraisal.corridors[0].to"),
        ("scoring:\n  method: best\n", "scoring.method"),
        ("scoring:\n  top_k: 0\n", "scoring.top_k"),
        ("portfolio:\n  budget: 5\n", "portfolio.budget"),
        ("portfolio:\n  objective: fun\n", "portfolio.objective"),
        ("forecast_years:\n  - {year: 2020, source: s}\n", "forecast_years[0].year"),
        ("forecast_years:\n  - {year: 2030}\n", "forecast_years[0].source"),
        ("forecast_years:\n  - {year: 2030, source: s, fleet: 1}\n", "forecast_years[0].fleet"),
        (
            "forecast_years:\n  - {year: 2030, source: s, demand: {trip_rate_factor: 0}}\n",
            "forecast_years[0].demand.trip_rate_factor",
        ),
        (
            "forecast_years:\n  - {year: 2040, source: s}\n  - {year: 2030, source: s}\n",
            "forecast_years[1].year",
        ),
    ],
)
def test_errors_name_file_and_field(tmp_path, extra, field):
    p = _write(tmp_path, MINIMAL + extra)
    with pytest.raises(InputError) as info:
        load_scenario(p)
    assert info.value.field == field
    assert info.value.file == str(p)


def test_base_year_after_year(tmp_path):
    with pytest.raises(InputError, match="base_year"):
        load_scenario(_write(tmp_path, MINIMAL + "base_year: 2030\n"))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_project_not_open_yet_is_left_out(tmp_path):
    text = (
        "name: t\nyear: 2025\nnetwork:\n  committed:\n    - {id: a, name: x, status: decided,"
        " opening_year: 2030, source: s, changes: [{op: remove_link, link_id: 1}]}\n"
    )
    s = load_scenario(_write(tmp_path, text))
    assert len(s.committed) == 1 and s.network_changes == ()


def test_forecast_year_has_its_own_factors_and_committed_projects(tmp_path):
    text = (
        "name: t\nyear: 2035\ndemand: {trip_rate_factor: 1.1, car_ownership_factor: 1.2}\n"
        "network:\n  committed:\n    - {id: a, name: x, status: decided, opening_year: 2040,"
        " source: s, changes: [{op: remove_link, link_id: 1}]}\n"
        "forecast_years:\n  - {year: 2045, source: s, demand: {car_ownership_factor: 1.3}}\n"
    )
    s = load_scenario(_write(tmp_path, text))
    assert s.model_years == (2035, 2045)
    assert s.network_changes == ()
    later = s.at_year(2045)
    assert later.year == 2045
    # a factor the forecast year leaves out keeps the scenario's
    assert (later.trip_rate_factor, later.car_ownership_factor) == (1.1, 1.3)
    assert len(later.network_changes) == 1
    assert s.at_year(2035) is s
    with pytest.raises(InputError, match="not a model year"):
        s.at_year(2040)


def test_bundled_reference_has_a_later_model_year():
    s = load_scenario(bundled_file("scenarios", "reference_2035.yaml"))
    assert s.model_years == (2035, 2045)
    assert s.at_year(2045).ev_share() == 0.80
