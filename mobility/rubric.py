"""The rubric of the judged sub-criteria (2.2, 5.2, 6.2) and the rule that grades 6.2.

The rubric is data, ``mobility/data/rubric.yaml``: for each judged sub-criterion five levels,
grades 0-4, each with an id (``"2.2-0"`` ... ``"2.2-4"``) and a one-sentence description. It is
the project's own construction, modelled on Danish practice (its header says how), not an
official scale.

* 2.2 and 5.2 are judged: a project file cites a level id and gives a one-line reason
  (validated in :mod:`mobility.projects`).
* 6.2 is rule-based (:func:`stage_grade`): the level of the project's planning ``stage``
  (Ny Anlægsbudgettering, Transportministeriet) plus the file's adjustments whose condition
  holds, kept within the grade scale. The conditions are a fixed set of checks on the project
  file (:data:`CONDITIONS`); which of them apply, and by how much, is in the rubric file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mobility.config import Fields, load_yaml
from mobility.errors import InputError
from mobility.resources import data_dir

__all__ = [
    "CONDITIONS",
    "JUDGED",
    "RULE_BASED",
    "Adjustment",
    "Level",
    "Rubric",
    "StageGrade",
    "StageRule",
    "load_rubric",
    "stage_grade",
]

#: Sub-criteria a project file judges by citing a rubric level.
JUDGED = ("2.2", "5.2")
#: Sub-criteria graded by a rule of the rubric file from the project file's data.
RULE_BASED = ("6.2",)


def _capex_unverified(project: Any) -> bool:
    """The capex figure is labelled ``[M]`` (unverified estimate) in ``estimates.capex``."""
    return "[M]" in str(getattr(project, "estimates", {}).get("capex", ""))


def _reserve_sourced(project: Any) -> bool:
    """The capex reserve is the sourced estimate's own (``capex.reserve_source`` given)."""
    return bool(str(getattr(project, "reserve_source", "")).strip())


#: The checks an adjustment of a 6.2 rule can name (``condition``).
CONDITIONS: Mapping[str, Callable[[Any], bool]] = {
    "capex_unverified": _capex_unverified,
    "reserve_sourced": _reserve_sourced,
}


@dataclass(frozen=True)
class Level:
    """One level of a sub-criterion's scale."""

    id: str
    subcriterion: str
    grade: int
    description: str


@dataclass(frozen=True)
class Adjustment:
    """A change of the stage level when ``condition`` (a key of :data:`CONDITIONS`) holds."""

    condition: str
    change: int
    description: str


@dataclass(frozen=True)
class StageRule:
    """The rule of a rule-based sub-criterion: stage -> level, then adjustments."""

    indicator: str
    stage_levels: Mapping[str, str]
    no_stage_level: str
    adjustments: tuple[Adjustment, ...]


@dataclass(frozen=True)
class Rubric:
    """The rubric file: levels by id, the levels of each sub-criterion, and the rules."""

    path: str
    source: str
    min_grade: int
    max_grade: int
    levels: Mapping[str, Level]
    by_subcriterion: Mapping[str, tuple[Level, ...]]
    rules: Mapping[str, StageRule]

    def level_ids(self, sub: str) -> tuple[str, ...]:
        """The level ids of ``sub`` in grade order."""
        return tuple(lv.id for lv in self.by_subcriterion.get(sub, ()))

    def at_grade(self, sub: str, grade: int) -> Level:
        """The level of ``sub`` with ``grade``."""
        for lv in self.by_subcriterion[sub]:
            if lv.grade == grade:
                return lv
        raise KeyError(f"{sub} has no level with grade {grade}")


@dataclass(frozen=True)
class StageGrade:
    """A rule-based grade: the level reached, its grade and how it was reached."""

    level: str
    grade: int
    reason: str


def _levels(sub: Fields, code: str, lo: int, hi: int, seen: dict[str, str]) -> tuple[Level, ...]:
    items = sub.items("levels")
    out: list[Level] = []
    for item in items:
        item.check_unknown(("id", "grade", "description"))
        lid = item.str("id")
        if lid in seen:
            raise item.error("id", f"level id '{lid}' is used twice (also under {seen[lid]})")
        seen[lid] = code
        grade = item.number("grade", minimum=lo, maximum=hi, integer=True)
        description = item.str("description").strip()
        if not description or "\n" in description:
            raise item.error("description", "must be one line", expected="one sentence")
        out.append(Level(lid, code, grade, description))
    grades = sorted(lv.grade for lv in out)
    if grades != list(range(lo, hi + 1)):
        raise sub.error(
            "levels",
            f"has grades {grades}",
            expected=f"one level for each grade {lo}-{hi}",
        )
    return tuple(sorted(out, key=lambda lv: lv.grade))


def _rule(f: Fields, code: str, levels: Mapping[str, Level]) -> StageRule:
    from mobility.projects import STAGES  # here: mobility.projects imports this module

    f.check_unknown(("indicator", "stage_levels", "no_stage_level", "adjustments"))
    own = {lid for lid, lv in levels.items() if lv.subcriterion == code}
    expected = "a level of " + code + ": " + ", ".join(sorted(own))

    def level(holder: Fields, key: str) -> str:
        lid = holder.str(key)
        if lid not in own:
            raise holder.error(key, f"has value '{lid}'", expected=expected)
        return str(lid)

    stages = f.sub("stage_levels")
    stages.check_unknown(STAGES)
    stage_levels = {}
    for stage in STAGES:
        stage_levels[stage] = level(stages, stage)
    adjustments = []
    for item in f.items("adjustments") if f.raw("adjustments", None) is not None else []:
        item.check_unknown(("condition", "change", "description"))
        adjustments.append(
            Adjustment(
                condition=item.str("condition", choices=tuple(CONDITIONS)),
                change=item.number("change", minimum=-4, maximum=4, integer=True),
                description=item.str("description"),
            )
        )
    return StageRule(
        indicator=f.str("indicator"),
        stage_levels=stage_levels,
        no_stage_level=level(f, "no_stage_level"),
        adjustments=tuple(adjustments),
    )


def rubric_from_mapping(data: Any, *, path: str | Path) -> Rubric:
    """Validate a rubric document (as read from YAML).

    Raises
    ------
    InputError
        Naming ``path`` and the dotted field of the first problem.
    """
    if data is None:
        raise InputError("is empty", file=path, expected="a rubric mapping")
    top = Fields(data, file=path)
    top.check_unknown(("source", "scale", "subcriteria"))
    source = top.str("source")
    scale = top.sub("scale")
    scale.check_unknown(("min_grade", "max_grade"))
    lo = scale.number("min_grade", integer=True)
    hi = scale.number("max_grade", minimum=lo + 1, integer=True)
    subs = top.sub("subcriteria")
    subs.check_unknown((*JUDGED, *RULE_BASED))
    levels: dict[str, Level] = {}
    by_sub: dict[str, tuple[Level, ...]] = {}
    seen: dict[str, str] = {}
    rules: dict[str, StageRule] = {}
    for code in (*JUDGED, *RULE_BASED):
        sub = subs.sub(code)
        allowed = ("name_da", "name_en", "levels") + (("rule",) if code in RULE_BASED else ())
        sub.check_unknown(allowed)
        sub.str("name_da")
        sub.str("name_en")
        by_sub[code] = _levels(sub, code, lo, hi, seen)
        levels.update({lv.id: lv for lv in by_sub[code]})
        if code in RULE_BASED:
            rules[code] = _rule(sub.sub("rule"), code, levels)
    return Rubric(str(path), source, lo, hi, levels, by_sub, rules)


@functools.lru_cache(maxsize=8)
def _load(path: str) -> Rubric:
    return rubric_from_mapping(load_yaml(path), path=path)


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Read and validate the rubric file (default: the bundled ``mobility/data/rubric.yaml``)."""
    p = Path(path) if path is not None else data_dir() / "rubric.yaml"
    return _load(str(p))


def stage_grade(project: Any, sub: str = "6.2", rubric: Rubric | None = None) -> StageGrade:
    """The rule-based grade of ``sub`` for ``project`` (a :class:`mobility.projects.Project`).

    The level of ``project.stage`` (or the rule's ``no_stage_level``), changed by each
    adjustment whose condition holds, clamped to the rubric's grade scale.
    """
    rb = rubric if rubric is not None else load_rubric()
    rule = rb.rules[sub]
    stage = getattr(project, "stage", None)
    start = rb.levels[rule.stage_levels[stage] if stage else rule.no_stage_level]
    grade = start.grade
    steps = [f"stage {stage or '(none)'}: {start.id}"]
    for adj in rule.adjustments:
        if CONDITIONS[adj.condition](project):
            grade += adj.change
            steps.append(f"{adj.condition} {adj.change:+d}")
    if not rb.min_grade <= grade <= rb.max_grade:
        grade = min(max(grade, rb.min_grade), rb.max_grade)
        steps.append(f"kept within {rb.min_grade}-{rb.max_grade}")
    level = rb.at_grade(sub, grade)
    return StageGrade(level.id, grade, f"{'; '.join(steps)} -> {level.id}")
