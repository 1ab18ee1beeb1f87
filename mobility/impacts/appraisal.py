"""The appraisal of a project against the reference run, and its settings.

The appraisal compares a project run with the reference run and writes the indicator rows
behind every pejlemærke, one module per step:

* :mod:`mobility.impacts.run_summary`: what the appraisal needs from one model run
  (:class:`~mobility.impacts.run_summary.RunSummary`);
* :mod:`mobility.impacts.effects`: the project-minus-reference effects of a run pair (consumer
  surplus by the rule of half, by zone, corridor and trip purpose), with their definitions;
* :mod:`mobility.impacts.cba_inputs`: a project's CBA inputs from its effects, appraised by
  :mod:`mobility.impacts.cba`;
* :mod:`mobility.impacts.indicators`: the rows of ``impacts.csv``
  (``project_id,name,subcriterion,indicator,value,unit,basis``);
* :mod:`mobility.impacts.combined`: several projects evaluated together (``--combine a,b``).

This module turns the scenario's ``appraisal`` section, validated with the scenario
(:class:`mobility.scenario_sections.AppraisalSection`), into the appraisal's settings
(:func:`settings_from_scenario`, which resolves the corridors against the zones):
the material-benefit threshold (``appraisal.material_benefit_h_per_resident`` hours per
resident and year, default 0.25 h, an estimate), the corridors of 2.1
(``{name, from: [zones], to: [zones]}``, zone or municipality names, both directions) and the
CBA's discount base year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mobility.errors import InputError

__all__ = [
    "DEFAULT_CORRIDORS",
    "MATERIAL_H_PER_RESIDENT",
    "AppraisalSettings",
    "Corridor",
    "settings_from_scenario",
]


#: Default material-benefit threshold, hours per resident per year (estimate).
MATERIAL_H_PER_RESIDENT = 0.25

#: Corridors used when the scenario names none (the issue's examples): Hillerød - Kastrup
#: (Københavns Lufthavn lies in Tårnby) and Køge - Lyngby.
DEFAULT_CORRIDORS = (
    {"name": "Hillerød-Kastrup", "from": ["Hillerød"], "to": ["Tårnby"]},
    {"name": "Køge-Lyngby", "from": ["Køge"], "to": ["Lyngby-Taarbæk"]},
)


@dataclass(frozen=True)
class Corridor:
    """Named OD relation: trips between the ``origins`` and ``destinations`` zone indices."""

    name: str
    origins: tuple[int, ...]
    destinations: tuple[int, ...]


@dataclass(frozen=True)
class AppraisalSettings:
    """Settings from the scenario's ``appraisal`` section.

    Attributes
    ----------
    material_h_per_resident
        Benefit per resident and year above which a zone/municipality benefits materially.
    corridors
        Named corridors for 2.1.
    discount_base_year
        CBA discount base year (``t = 0``), the same for every project.
    """

    material_h_per_resident: float = MATERIAL_H_PER_RESIDENT
    corridors: tuple[Corridor, ...] = ()
    discount_base_year: int = 2026


def _zone_lookup(zones: Any) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i in range(len(zones.name)):
        out.setdefault(zones.name[i].lower(), []).append(i)
        out.setdefault(str(int(zones.zone_id[i])), []).append(i)
    for i in range(len(zones.municipality)):
        key = zones.municipality[i].lower()
        if key not in {n.lower() for n in zones.name} or zones.kind[i] == "bydel":
            out.setdefault("municipality:" + key, []).append(i)
    return out


def settings_from_scenario(scenario: Any, zones: Any) -> AppraisalSettings:
    """The appraisal settings of the scenario's ``appraisal`` section (absent -> defaults),
    its corridors resolved against ``zones``.

    The section is validated by :func:`mobility.scenario.load_scenario`
    (:class:`mobility.scenario_sections.AppraisalSection`); here the corridor ends (zone or
    municipality names, or zone ids) are looked up, and the defaults of what it does not give
    apply (:data:`DEFAULT_CORRIDORS`, :data:`MATERIAL_H_PER_RESIDENT`, 2026). Schema::

        appraisal:
          material_benefit_h_per_resident: 0.25
          discount_base_year: 2026
          corridors:
            - {name: Hillerød-Kastrup, from: [Hillerød], to: [Tårnby]}

    Raises
    ------
    InputError
        For a corridor end that names no zone (file and field named).
    """
    from mobility.scenario_sections import AppraisalSection, CorridorSpec

    sec = getattr(scenario, "appraisal", None) or AppraisalSection()
    file = sec.file if sec.file is not None else "(default appraisal settings)"
    specs = sec.corridors
    if specs is None:
        specs = tuple(
            CorridorSpec(str(c["name"]), tuple(c["from"]), tuple(c["to"]))
            for c in DEFAULT_CORRIDORS
        )
    lookup = _zone_lookup(zones)
    corridors = []
    for k, spec in enumerate(specs):
        ends = []
        for key, names in (("from", spec.origins), ("to", spec.destinations)):
            idx: list[int] = []
            for j, z in enumerate(names):
                name = str(z).strip().lower()
                hit = lookup.get(name) or lookup.get("municipality:" + name)
                if not hit:
                    raise InputError(
                        f"unknown zone '{z}'",
                        file=file,
                        field=f"appraisal.corridors[{k}].{key}[{j}]",
                        expected="a zone or municipality name",
                    )
                idx.extend(hit)
            ends.append(tuple(sorted(set(idx))))
        corridors.append(Corridor(spec.name, ends[0], ends[1]))
    return AppraisalSettings(
        material_h_per_resident=(
            sec.material_h_per_resident
            if sec.material_h_per_resident is not None
            else MATERIAL_H_PER_RESIDENT
        ),
        corridors=tuple(corridors),
        discount_base_year=sec.discount_base_year if sec.discount_base_year is not None else 2026,
    )
