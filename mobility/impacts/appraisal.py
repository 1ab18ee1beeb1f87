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

This module validates the scenario's ``appraisal`` section (:func:`settings_from_scenario`):
the material-benefit threshold (``appraisal.material_benefit_h_per_resident`` hours per
resident and year, default 0.25 h, an estimate), the corridors of 2.1
(``{name, from: [zones], to: [zones]}``, zone or municipality names, both directions) and the
CBA's discount base year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mobility.config import Fields

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
    """Validate the scenario's ``appraisal`` section (``None`` -> defaults).

    Schema::

        appraisal:
          material_benefit_h_per_resident: 0.25
          discount_base_year: 2026
          corridors:
            - {name: Hillerød-Kastrup, from: [Hillerød], to: [Tårnby]}
    """
    sec = scenario.section("appraisal") if hasattr(scenario, "section") else None
    if sec is None or sec.raw("corridors", None) is None:
        data = dict(sec.data) if sec is not None else {}
        data["corridors"] = [dict(c) for c in DEFAULT_CORRIDORS]
        file = sec.file if sec is not None else "(default appraisal settings)"
        sec = Fields(data, file=file, prefix="appraisal")
    # projects/only are read by ``mobility run`` (which catalogue and which of its projects)
    sec.check_unknown(
        (
            "material_benefit_h_per_resident",
            "discount_base_year",
            "corridors",
            "projects",
            "only",
            "source",
        )
    )
    lookup = _zone_lookup(zones)
    corridors = []
    for item in sec.items("corridors") if sec.raw("corridors", None) is not None else []:
        item.check_unknown(("name", "from", "to"))
        ends = []
        for key in ("from", "to"):
            idx: list[int] = []
            for j, z in enumerate(item.list(key)):
                k = str(z).strip().lower()
                hit = lookup.get(k) or lookup.get("municipality:" + k)
                if not hit:
                    raise item.error(
                        f"{key}[{j}]", f"unknown zone '{z}'", expected="a zone or municipality name"
                    )
                idx.extend(hit)
            ends.append(tuple(sorted(set(idx))))
        corridors.append(Corridor(item.str("name"), ends[0], ends[1]))
    return AppraisalSettings(
        material_h_per_resident=sec.number(
            "material_benefit_h_per_resident", MATERIAL_H_PER_RESIDENT, minimum=0.0
        ),
        corridors=tuple(corridors),
        discount_base_year=sec.number(
            "discount_base_year", 2026, minimum=1990, maximum=2100, integer=True
        ),
    )
