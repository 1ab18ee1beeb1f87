"""Tests of the rubric of the judged sub-criteria and the 6.2 rule (mobility/rubric.py)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from mobility.config import load_yaml
from mobility.errors import InputError
from mobility.projects import STAGES, project_from_mapping
from mobility.resources import data_dir
from mobility.rubric import (
    CONDITIONS,
    JUDGED,
    RULE_BASED,
    load_rubric,
    rubric_from_mapping,
    stage_grade,
)

RUBRIC = data_dir() / "rubric.yaml"


def test_bundled_rubric_has_levels_0_to_4_for_each_judged_subcriterion() -> None:
    rb = load_rubric()
    assert (rb.min_grade, rb.max_grade) == (0, 4)
    assert "own rubric" in rb.source and "not an official" in rb.source
    for code in ("2.2", "5.2", "6.2"):
        levels = rb.by_subcriterion[code]
        assert [lv.grade for lv in levels] == [0, 1, 2, 3, 4]
        assert [lv.id for lv in levels] == [f"{code}-{g}" for g in range(5)]
        for lv in levels:
            assert lv.subcriterion == code
            assert lv.description.endswith(".") and "\n" not in lv.description
    assert set(rb.rules) == set(RULE_BASED) == {"6.2"}
    assert set(JUDGED) == {"2.2", "5.2"}


def test_6_2_rule_maps_every_stage_and_only_known_conditions() -> None:
    rule = load_rubric().rules["6.2"]
    assert set(rule.stage_levels) == set(STAGES)
    assert {a.condition for a in rule.adjustments} <= set(CONDITIONS)


def _project(stage: str | None, *, capex_note: str = "", reserve_source: str = "") -> Any:
    capex: dict[str, Any] = {"mdkk": 500, "price_year": 2022, "estimate_class": "test"}
    if reserve_source:
        capex["reserve_pct"] = 10
        capex["reserve_source"] = reserve_source
    doc: dict[str, Any] = {
        "id": "toy",
        "name": "Toy",
        "kind": "road",
        "status": "candidate",
        "municipalities": ["Frederiksberg"],
        "opening_year": 2032,
        "capex": capex,
        "opex_mdkk_per_year": 0,
        "construction_co2e_t": 0,
        "judgements": {"2.2": {"level": "2.2-0", "reason": "conventional"}},
        "sources": ["test"],
    }
    if stage is not None:
        doc["stage"] = stage
    if capex_note:
        doc["estimates"] = {"capex": capex_note}
    return project_from_mapping(doc, path="toy.yaml")


@pytest.mark.parametrize(
    ("stage", "note", "reserve", "grade"),
    [
        # the documented rule (rubric.yaml, docs/method.md): stage level, then adjustments
        ("vvm", "", "", 3),  # VVM / beslutningsgrundlag: 6.2-3
        ("screening", "", "", 1),  # strategic analysis: 6.2-1
        ("anlaegslov", "[M] estimate", "", 3),  # anlægslov 4, capex unverified -1
        ("forundersoegelse", "", "K1 reserve of the forundersøgelse", 3),  # 2, sourced +1
        ("anlaegslov", "", "the law's own reserve", 4),  # 4 + 1 kept within 0-4
        ("idea", "[M] guess", "", 0),  # 0 - 1 kept within 0-4
        (None, "", "", 0),  # no stage: treated as an idea
    ],
)
def test_6_2_rule_gives_the_documented_grade(
    stage: str | None, note: str, reserve: str, grade: int
) -> None:
    g = stage_grade(_project(stage, capex_note=note, reserve_source=reserve))
    assert (g.grade, g.level) == (grade, f"6.2-{grade}")
    assert g.reason.endswith(f"-> 6.2-{grade}")


def test_the_rule_is_read_from_the_file(tmp_path: Path) -> None:
    doc = load_yaml(RUBRIC)
    doc["subcriteria"]["6.2"]["rule"]["stage_levels"]["vvm"] = "6.2-1"
    doc["subcriteria"]["6.2"]["rule"]["adjustments"] = []
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    rb = load_rubric(path)
    assert stage_grade(_project("vvm"), rubric=rb).grade == 1
    assert stage_grade(_project("anlaegslov", capex_note="[M] x"), rubric=rb).grade == 4


def _broken(edit: Any) -> dict[str, Any]:
    doc = copy.deepcopy(load_yaml(RUBRIC))
    edit(doc)
    return doc


def _set(path: list[str], value: Any) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key] if not isinstance(node, list) else node[int(key)]
        if isinstance(node, list):
            node[int(path[-1])] = value
        else:
            node[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (_set(["subcriteria", "2.2", "levels", "4", "grade"], 3), "subcriteria.2.2.levels"),
        (
            _set(["subcriteria", "2.2", "levels", "4", "grade"], 7),
            "subcriteria.2.2.levels[4].grade",
        ),
        (
            _set(["subcriteria", "5.2", "levels", "0", "id"], "2.2-0"),
            "subcriteria.5.2.levels[0].id",
        ),
        (
            _set(["subcriteria", "5.2", "levels", "1", "description"], ""),
            "subcriteria.5.2.levels[1].description",
        ),
        (
            _set(["subcriteria", "6.2", "rule", "stage_levels", "vvm"], "2.2-3"),
            "subcriteria.6.2.rule.stage_levels.vvm",
        ),
        (
            _set(["subcriteria", "6.2", "rule", "adjustments", "0", "condition"], "looks_nice"),
            "subcriteria.6.2.rule.adjustments[0].condition",
        ),
        (lambda d: d["subcriteria"].pop("5.2"), "subcriteria.5.2"),
        (_set(["subcriteria", "1.1"], {}), "subcriteria.1.1"),
    ],
)
def test_bad_rubric_names_file_and_field(edit: Any, field: str) -> None:
    with pytest.raises(InputError) as info:
        rubric_from_mapping(_broken(edit), path="rubric.yaml")
    assert (info.value.file, info.value.field) == ("rubric.yaml", field)


def test_rubric_is_installed_with_the_package() -> None:
    import tomllib

    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)["tool"]["setuptools"]["package-data"]
    assert "*.yaml" in data["mobility.data"]
    assert RUBRIC.is_file()
