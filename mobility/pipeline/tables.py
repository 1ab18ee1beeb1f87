"""The tables of an evaluation's output folder: their columns and the rows of each.

``impacts.csv`` (:data:`IMPACT_COLUMNS`, with the ``noise_band`` of each modelled number,
:func:`noise_bands`), ``projects.csv`` (:data:`PROJECT_COLUMNS`, the schema
:data:`mobility.impacts.tables.PROJECTS` that the ranking reads; :func:`decision_of`), ``cba.csv``
(:data:`CBA_COLUMNS`), ``judgements.csv`` (:data:`JUDGEMENT_COLUMNS`,
:func:`judgement_rows`) and ``link_flows/<project_id>.csv`` (:data:`LINK_CHANGE_COLUMNS`,
:func:`link_change_rows`). :func:`mobility.pipeline.evaluation.run_evaluation` fills and
writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mobility.demand.outputs import LINK_FLOWS
from mobility.impacts.tables import CBA, IMPACTS, JUDGEMENTS, PROJECT_LINK_FLOWS, PROJECTS
from mobility.pipeline.runner import REFERENCE

__all__ = [
    "CBA_COLUMNS",
    "IMPACT_COLUMNS",
    "JUDGEMENT_COLUMNS",
    "LINK_CHANGE_COLUMNS",
    "PROJECT_COLUMNS",
    "decision_of",
    "judgement_rows",
    "link_change_rows",
    "noise_bands",
]

IMPACT_COLUMNS = IMPACTS.names
PROJECT_COLUMNS = PROJECTS.names  # one schema: the ranking and the report read the file
#: ``judgements.csv``: every judged and rule-based grade with its rubric level and reason.
JUDGEMENT_COLUMNS = JUDGEMENTS.names
CBA_COLUMNS = CBA.names
#: Extra columns of ``link_flows/<project_id>.csv`` after those of ``link_flows.csv``.
LINK_CHANGE_COLUMNS = PROJECT_LINK_FLOWS.names[len(LINK_FLOWS.names) :]


def link_change_rows(base: dict[str, Any], project: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of ``link_flows/<project_id>.csv``: the project run's links (``link_flows.csv``
    columns) with the base run's volumes and the change, matched by link id.

    ``link_status`` is ``added`` for a link only the project has, ``removed`` for one only
    the base has (its project volume, ÅDT and capacity are 0; times are the base's), and empty
    otherwise. Removed links come last, in the base's order.
    """
    from mobility.demand.outputs import link_flow_rows

    where = {lid: k for k, lid in enumerate(base["link_id"])}
    rows = []
    for k, row in enumerate(link_flow_rows(project)):
        b = where.get(project["link_id"][k])
        vol_b = 0.0 if b is None else float(base["volume_peak_hour"][b])
        adt_b = 0.0 if b is None else float(base["adt"][b])
        vol, adt = float(project["volume_peak_hour"][k]), float(project["adt"][k])
        rows.append((*row, *_change_cells(vol_b, adt_b, vol, adt), "added" if b is None else ""))
    kept = set(project["link_id"])
    gone = [b for b, lid in enumerate(base["link_id"]) if lid not in kept]
    table = {c: [base[c][b] for b in gone] for c in base}
    for c in ("volume_peak_hour", "adt", "capacity"):
        table[c] = [0.0] * len(gone)
    for b, row in zip(gone, link_flow_rows(table), strict=True):
        vol_b, adt_b = float(base["volume_peak_hour"][b]), float(base["adt"][b])
        rows.append((*row, *_change_cells(vol_b, adt_b, 0.0, 0.0), "removed"))
    return rows


def _change_cells(vol_b: float, adt_b: float, vol: float, adt: float) -> tuple[str, ...]:
    from mobility.demand.outputs import LINK_DIGITS, fixed_decimals

    dv, da = LINK_DIGITS["volume_peak_hour"], LINK_DIGITS["adt"]
    return (
        fixed_decimals(vol_b, dv),
        fixed_decimals(adt_b, da),
        fixed_decimals(vol - vol_b, dv),
        fixed_decimals(adt - adt_b, da),
    )


def judgement_rows(units: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of ``judgements.csv``: for every unit and each of its parts, the judged grades of
    its project file (2.2, 5.2) and the rule-based 6.2, with the rubric level, the reason
    and the level's description (``mobility/data/rubric.yaml``)."""
    from mobility.rubric import load_rubric, stage_grade

    rubric = load_rubric()
    rows: list[tuple[Any, ...]] = []
    for unit in units:
        parts = getattr(unit, "parts", None) or [unit]
        for p in parts:
            for sub in sorted(p.judgements):
                j = p.judgements[sub]
                text = rubric.levels[j.level].description if j.level in rubric.levels else ""
                rows.append((unit.id, p.id, sub, j.level, j.score, j.reason, text))
            for sub in sorted(rubric.rules):
                g = stage_grade(p, sub, rubric)
                text = rubric.levels[g.level].description if g.level in rubric.levels else ""
                rows.append((unit.id, p.id, sub, g.level, g.grade, g.reason, text))
    return rows


def decision_of(
    unit: Any, decided: dict[str, Any], pair: tuple[str, str], *, scenario: Any
) -> tuple[str, str]:
    """``projects.csv`` ``decision`` and ``decision_reason`` of an appraised unit.

    ``decided``: every part is a committed project of the scenario (whatever its opening
    year). ``not_appraised``: nothing of it was modelled (no network or service change, so its
    run is the reference's). Otherwise ``candidate``.
    """
    parts = getattr(unit, "parts", None) or [unit]
    if all(p.id in decided for p in parts):
        notes = []
        for p in parts:
            c = decided[p.id]
            where = (
                "in the reference network, appraised against the reference without it"
                if c.opening_year <= scenario.year
                else f"opens after {scenario.year}, appraised as an addition to the reference"
            )
            notes.append(f"{p.id}: {c.status}, opens {c.opening_year} ({where})")
        return "decided", f"committed in scenario '{scenario.name}': " + "; ".join(notes)
    if pair == (REFERENCE, REFERENCE):
        return (
            "not_appraised",
            "no network or service change the model can represent: its run is the reference's",
        )
    return "candidate", ""


def _band(value: float, tight: float | None) -> str:
    """The noise band of one number: its change between the run's tolerance and the tighter
    one (blank where there is no tighter run or the number is undefined in either)."""
    if tight is None or not (np.isfinite(value) and np.isfinite(tight)):
        return ""
    return _fmt(abs(float(value) - float(tight)))


def noise_bands(rows: Sequence[Sequence[Any]], tight: Sequence[Sequence[Any]] | None) -> list[str]:
    """The ``noise_band`` cell of each ``impacts.csv`` row: ``|value - value at the tighter
    tolerance|`` for modelled numbers (rows matched by sub-criterion and indicator), blank for
    judged rows and where the tighter run has no such row."""
    if tight is None:
        return [""] * len(rows)
    where = {(r[2], r[3]): r[4] for r in tight}
    out = []
    for r in rows:
        other = where.get((r[2], r[3]))
        if isinstance(r[4], float | int) and isinstance(other, float | int) and r[6] == "modelled":
            out.append(_band(float(r[4]), float(other)))
        else:
            out.append("")
    return out


def _fmt(value: Any) -> str:
    from mobility.impacts.indicators import format_value

    if isinstance(value, float):
        return format_value(value)
    return str(value)
