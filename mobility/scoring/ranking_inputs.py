"""What the ranking reads: ``impacts.csv`` and ``projects.csv``, validated, and the split of
the projects into the candidates to rank and the decided or not-appraised ones to list.

Inputs (issue 4): ``impacts.csv`` in long form ``project_id,name,subcriterion,indicator,value,
unit,basis`` and ``projects.csv`` (``id,name,kind,status,municipalities,opening_year,capex_mdkk,
opex_mdkk_per_year,construction_co2e_t,region_part``).

Every problem with an input is an :class:`~mobility.errors.InputError` naming the file, the
line and the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mobility.errors import InputError, shown
from mobility.fileio import check_header, decimal_point
from mobility.impacts.tables import IMPACTS, PROJECTS
from mobility.scoring import pejlemaerker as pm
from mobility.tables import read_cells

__all__ = [
    "BASES",
    "DECISIONS",
    "IMPACTS_COLUMNS",
    "PROJECTS_COLUMNS",
    "ImpactRow",
    "ProjectInfo",
    "check_projects",
    "is_candidate_row",
    "read_impacts",
    "read_projects",
    "read_rows",
    "split_candidates",
]

#: The columns of ``impacts.csv`` the ranking needs (``noise_band`` is read when present).
IMPACTS_COLUMNS = IMPACTS.required
#: The columns of ``projects.csv`` (:data:`mobility.impacts.tables.PROJECTS`).
PROJECTS_COLUMNS = PROJECTS.names
BASES = ("modelled", "judged")
#: ``projects.csv`` / ``ranking.csv`` ``decision``: a candidate is ranked; a decided project
#: (committed in the scenario) and one with nothing to model are listed, not ranked.
DECISIONS = ("candidate", "decided", "not_appraised")


@dataclass(frozen=True)
class ImpactRow:
    """One row of ``impacts.csv`` (``line`` is the 1-based line in the file)."""

    project_id: str
    name: str
    subcriterion: str
    indicator: str
    value: float
    unit: str
    basis: str
    line: int
    #: the effect's measured noise band (impacts.csv ``noise_band``; None where not given)
    noise_band: float | None = None


@dataclass(frozen=True)
class ProjectInfo:
    """The columns of ``projects.csv`` the ranking uses (None where blank)."""

    id: str
    name: str
    capex_mdkk: float | None
    region_part: str
    opening_year: int | None
    construction_co2e_t: float | None
    #: one of :data:`DECISIONS` (``candidate`` where projects.csv has no such column)
    decision: str = "candidate"
    decision_reason: str = ""


def read_rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[tuple[int, dict]]]:
    """``(header, [(line, {column: cell}), ...])`` of a CSV file in either dialect
    (:func:`mobility.tables.read_cells`), names and cells stripped, decimal commas read as
    points, blank rows skipped; the ``required`` columns must be there."""
    header, raw, comma = read_cells(path)
    header = [h.strip() for h in header]
    check_header(header, file=path)
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            file=path,
            line=1,
            expected="columns " + ",".join(required),
        )
    rows = []
    for line, row in raw:
        if all(not c.strip() for c in row):
            continue
        cells = [decimal_point(c.strip()) if comma else c.strip() for c in row]
        rows.append((line, dict(zip(header, cells, strict=True))))
    return header, rows


def _float(text: str, *, file: Path, field: str, line: int, blank_ok: bool = False) -> float | None:
    if text == "" and blank_ok:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"has value {shown(text)}", file=file, field=field, line=line, expected="a number"
        ) from None
    if not math.isfinite(value):
        raise InputError(
            f"has value {shown(text)}",
            file=file,
            field=field,
            line=line,
            expected="a finite number",
        )
    return value


def read_impacts(path: str | Path) -> list[ImpactRow]:
    """Read and validate ``impacts.csv``.

    Raises
    ------
    InputError
        For a missing column, a malformed row, an unknown sub-criterion or basis, a value that
        is not a finite number, a judged grade outside 0-4, or a duplicated
        (project, sub-criterion, indicator) row — naming file, line and field.
    """
    p = Path(path)
    _, rows = read_rows(p, IMPACTS_COLUMNS)
    known_subs = pm.subcriterion_ids()
    out: list[ImpactRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, r in rows:
        pid = r["project_id"]
        if not pid:
            raise InputError(
                "is empty", file=p, field="project_id", line=line, expected="a project id"
            )
        sub = r["subcriterion"]
        if sub not in known_subs:
            raise InputError(
                f"has value {shown(sub)}",
                file=p,
                field="subcriterion",
                line=line,
                expected="1.1 ... 6.2",
            )
        basis = r["basis"]
        if basis not in BASES:
            raise InputError(
                f"has value {shown(basis)}",
                file=p,
                field="basis",
                line=line,
                expected="modelled or judged",
            )
        indicator = r["indicator"]
        if not indicator:
            raise InputError("is empty", file=p, field="indicator", line=line, expected="a name")
        value = _float(r["value"], file=p, field="value", line=line)
        assert value is not None
        if (
            basis == "judged" or indicator == pm.GRADE
        ) and not pm.GRADE_MIN <= value <= pm.GRADE_MAX:
            raise InputError(
                f"judged grade {value:g}", file=p, field="value", line=line, expected="a grade 0-4"
            )
        key = (pid, sub, indicator)
        if key in seen:
            raise InputError(
                f"duplicate row for project '{pid}', {sub}, {indicator} "
                f"(first on line {seen[key]})",
                file=p,
                line=line,
            )
        seen[key] = line
        band = _float(r.get("noise_band", ""), file=p, field="noise_band", line=line, blank_ok=True)
        if band is not None and band < 0:
            raise InputError(
                f"has value {band:g}", file=p, field="noise_band", line=line, expected=">= 0"
            )
        out.append(ImpactRow(pid, r["name"], sub, indicator, value, r["unit"], basis, line, band))
    if not out:
        raise InputError("has no data rows", file=p, expected="impacts rows")
    return out


def read_projects(path: str | Path) -> dict[str, ProjectInfo]:
    """Read ``projects.csv`` (id -> :class:`ProjectInfo`); blank numbers become None."""
    p = Path(path)
    _, rows = read_rows(p, ("id", "name"))
    out: dict[str, ProjectInfo] = {}
    for line, r in rows:
        pid = r["id"]
        if not pid:
            raise InputError("is empty", file=p, field="id", line=line, expected="a project id")
        if pid in out:
            raise InputError(f"duplicate project id '{pid}'", file=p, field="id", line=line)
        capex = _float(
            r.get("capex_mdkk", ""), file=p, field="capex_mdkk", line=line, blank_ok=True
        )
        co2 = _float(
            r.get("construction_co2e_t", ""),
            file=p,
            field="construction_co2e_t",
            line=line,
            blank_ok=True,
        )
        year = _float(
            r.get("opening_year", ""), file=p, field="opening_year", line=line, blank_ok=True
        )
        decision = r.get("decision", "") or "candidate"
        if decision not in DECISIONS:
            raise InputError(
                f"has value '{decision}'",
                file=p,
                field="decision",
                line=line,
                expected=", ".join(DECISIONS),
            )
        out[pid] = ProjectInfo(
            pid,
            r["name"],
            capex,
            r.get("region_part", ""),
            int(year) if year is not None else None,
            co2,
            decision,
            r.get("decision_reason", ""),
        )
    return out


def is_candidate_row(row: Mapping[str, str]) -> bool:
    """Whether a ``ranking.csv`` row is a ranked candidate (``decision`` blank, absent or
    ``candidate``), not a decided or not-appraised project listed after the ranking."""
    return row.get("decision", "candidate") in ("", "candidate")


def split_candidates(
    rows: list[ImpactRow], projects: dict[str, ProjectInfo] | None
) -> tuple[list[ImpactRow], list[str]]:
    """The impacts rows of the candidates, and the ids of the other projects (decided or not
    appraised), in first-appearance order. Without ``projects`` every project is a candidate.

    Raises
    ------
    InputError
        If no candidate is left to rank.
    """
    if not projects:
        return rows, []
    keep, other = [], []
    for r in rows:
        info = projects.get(r.project_id)
        if info is None or info.decision == "candidate":
            keep.append(r)
        elif r.project_id not in other:
            other.append(r.project_id)
    if not keep:
        raise InputError(
            "lists no candidate to rank (every project is decided or not appraised)",
            field="decision",
            expected="at least one candidate",
        )
    return keep, other


def check_projects(
    rows: list[ImpactRow], projects: dict[str, ProjectInfo], *, file: str | Path
) -> None:
    """Every project of ``impacts.csv`` must be listed in ``projects.csv``.

    Raises
    ------
    InputError
        Naming the first unknown id and its line in ``impacts.csv``.
    """
    for r in rows:
        if r.project_id not in projects:
            raise InputError(
                f"unknown project id '{r.project_id}' (impacts line {r.line}) "
                "is not in the projects file",
                file=file,
                field="id",
                expected="a row for every project in impacts.csv",
            )
