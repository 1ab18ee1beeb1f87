"""What the portfolio step reads: the candidates of ``ranking.csv`` and the decided projects,
attributes from ``projects.csv`` and the project files, interaction terms and a scenario's
``portfolio:`` section (validated with the scenario, :mod:`mobility.scenario_sections`, which
also parses the ``--exclusive`` / ``--requires`` texts).

Every problem with an input is an :class:`~mobility.errors.InputError` naming the file, the
line and the field.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mobility.errors import InputError
from mobility.scoring.portfolio_problem import Candidate, Interaction

__all__ = [
    "NON_PARTS",
    "PART_SEPARATORS",
    "check_interaction_ids",
    "merge_catalogue",
    "merge_projects_csv",
    "read_decided",
    "read_interactions",
    "read_ranking",
    "read_scenario_portfolio",
    "split_parts",
]


#: ``region_part`` values that count toward no part: outside the region, and ``region`` (a
#: region-wide project or a combination spanning several parts, as ``mobility evaluate`` writes).
NON_PARTS = frozenset({"", "external", "region"})
#: Separators between several parts in one ``region_part`` cell.
PART_SEPARATORS = (";", "|")


def split_parts(text: str) -> tuple[str, ...]:
    """Parts named in one ``region_part`` cell (``;`` or ``|`` separated), ``external`` dropped."""
    for sep in PART_SEPARATORS[1:]:
        text = text.replace(sep, PART_SEPARATORS[0])
    parts = (p.strip() for p in text.split(PART_SEPARATORS[0]))
    return tuple(sorted({p for p in parts if p not in NON_PARTS}))


def _read_csv(path: str | Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as ``(line, row)`` with the required columns checked
    (:func:`mobility.tables.read_cells`: either dialect; names and cells stripped, decimal
    commas read as points)."""
    from mobility.fileio import check_header, decimal_point
    from mobility.tables import read_cells

    p = Path(path)
    header, raw, comma = read_cells(p)
    header = [h.strip() for h in header]
    check_header(header, file=p)
    missing = [col for col in required if col not in header]
    if missing:
        raise InputError(
            "missing column(s) " + ", ".join(missing),
            file=p,
            line=1,
            expected="columns " + ",".join(required),
        )
    rows = []
    for line, row in raw:
        cells = {key: v.strip() for key, v in zip(header, row, strict=True)}
        if comma:
            cells = {key: decimal_point(v) for key, v in cells.items()}
        rows.append((line, cells))
    return rows


def _number(
    row: Mapping[str, str], key: str, *, file: Path, line: int, optional: bool = False
) -> float | None:
    """A number cell (``inf`` allowed only for BCR-like ratios); empty -> ``None`` if optional."""
    text = row.get(key, "")
    if text == "":
        if optional:
            return None
        raise InputError("is empty", file=file, line=line, field=key, expected="a number")
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"has value '{text}'", file=file, line=line, field=key, expected="a number"
        ) from None
    if math.isnan(value) or (math.isinf(value) and key != "bcr"):
        raise InputError(
            f"has value '{text}'", file=file, line=line, field=key, expected="a finite number"
        )
    return value


def _integer(row: Mapping[str, str], key: str, *, file: Path, line: int) -> int | None:
    """An optional integer cell."""
    value = _number(row, key, file=file, line=line, optional=True)
    if value is None:
        return None
    if not float(value).is_integer():
        raise InputError(
            f"has value '{row[key]}'", file=file, line=line, field=key, expected="an integer"
        )
    return int(value)


def read_ranking(path: str | Path) -> list[Candidate]:
    """Read ``ranking.csv`` (``mobility rank`` output) into candidates, in file order.

    Required columns: ``project_id``, ``name``, ``score``, ``capex_mdkk``; optional:
    ``npv_mdkk``, ``bcr``, ``region_part``, ``construction_co2e_t``, ``opening_year``,
    ``build_years``. Rows whose ``decision`` is ``decided`` or ``not_appraised`` are not
    candidates and are skipped (:func:`read_decided` lists the decided ones).
    """
    from mobility.scoring.ranking_inputs import is_candidate_row

    file = Path(path)
    rows = _read_csv(file, ("project_id", "name", "score", "capex_mdkk"))
    if not rows:
        raise InputError("has no projects", file=file, expected="at least one data row")
    out = []
    seen: dict[str, int] = {}
    for line, row in rows:
        pid = row["project_id"]
        if not is_candidate_row(row):
            continue  # decided (already spent) or not appraised: never selected
        if not pid:
            raise InputError("is empty", file=file, line=line, field="project_id")
        if pid in seen:
            raise InputError(
                f"project id '{pid}' repeats line {seen[pid]}",
                file=file,
                line=line,
                field="project_id",
            )
        seen[pid] = line
        capex = _number(row, "capex_mdkk", file=file, line=line)
        assert capex is not None
        if capex < 0:
            raise InputError(
                f"has value {capex}",
                file=file,
                line=line,
                field="capex_mdkk",
                expected="a number >= 0",
            )
        build = _integer(row, "build_years", file=file, line=line)
        if build is not None and build < 1:
            raise InputError(
                f"has value {build}", file=file, line=line, field="build_years", expected=">= 1"
            )
        out.append(
            Candidate(
                project_id=pid,
                name=row["name"],
                score=float(_number(row, "score", file=file, line=line) or 0.0),
                capex_mdkk=capex,
                npv_mdkk=_number(row, "npv_mdkk", file=file, line=line, optional=True),
                bcr=_number(row, "bcr", file=file, line=line, optional=True),
                nnk=_number(row, "nnk", file=file, line=line, optional=True),
                region_parts=split_parts(row.get("region_part", "")),
                co2e_t=_number(row, "construction_co2e_t", file=file, line=line, optional=True),
                opening_year=_integer(row, "opening_year", file=file, line=line),
                build_years=build,
            )
        )
    return out


def read_decided(path: str | Path) -> list[tuple[str, str, float]]:
    """The decided projects a ``ranking.csv`` lists (``decision`` = ``decided``): id, name and
    capex (mio. kr.; NaN where blank), in file order. They are already spent: the portfolio
    reports them and never selects them."""
    file = Path(path)
    out = []
    for line, row in _read_csv(file, ("project_id", "name", "capex_mdkk")):
        if row.get("decision") == "decided":
            capex = _number(row, "capex_mdkk", file=file, line=line, optional=True)
            out.append((row["project_id"], row["name"], math.nan if capex is None else capex))
    return out


def merge_projects_csv(candidates: Sequence[Candidate], path: str | Path) -> list[Candidate]:
    """Add attributes from ``projects.csv`` (``mobility evaluate`` output) the ranking lacks.

    ``construction_co2e_t`` and ``opening_year`` (and ``build_years`` if present) fill empty
    values; ``region_part`` fills a ranking without one. Projects of ``projects.csv`` that are
    not in the ranking are ignored.
    """
    file = Path(path)
    rows = _read_csv(file, ("id",))
    info: dict[str, tuple[int, dict[str, str]]] = {}
    for line, row in rows:
        if row["id"] in info:
            raise InputError(
                f"project id '{row['id']}' appears twice", file=file, line=line, field="id"
            )
        info[row["id"]] = (line, row)
    out = []
    for c in candidates:
        if c.project_id not in info:
            out.append(c)
            continue
        line, row = info[c.project_id]
        co2e = c.co2e_t
        if co2e is None:
            co2e = _number(row, "construction_co2e_t", file=file, line=line, optional=True)
            if co2e is not None and co2e < 0:
                raise InputError(
                    f"has value {co2e}",
                    file=file,
                    line=line,
                    field="construction_co2e_t",
                    expected=">= 0",
                )
        opening = c.opening_year
        if opening is None:
            opening = _integer(row, "opening_year", file=file, line=line)
        build = c.build_years
        if build is None:
            build = _integer(row, "build_years", file=file, line=line)
            if build is not None and build < 1:
                raise InputError(
                    f"has value {build}", file=file, line=line, field="build_years", expected=">= 1"
                )
        parts = c.region_parts or split_parts(row.get("region_part", ""))
        out.append(
            dataclasses.replace(
                c, co2e_t=co2e, opening_year=opening, build_years=build, region_parts=parts
            )
        )
    return out


def read_interactions(path: str | Path) -> tuple[Interaction, ...]:
    """Read pairwise interaction terms: ``project_a,project_b`` and ``score_delta`` and/or
    ``npv_delta_mdkk`` (also accepted: ``npv_delta``)."""
    file = Path(path)
    rows = _read_csv(file, ("project_a", "project_b"))
    if rows:
        header = set(rows[0][1])
        if not header & {"score_delta", "npv_delta_mdkk", "npv_delta"}:
            raise InputError(
                "has no delta column",
                file=file,
                line=1,
                expected="score_delta and/or npv_delta_mdkk",
            )
    out = []
    pairs: dict[frozenset[str], int] = {}
    for line, row in rows:
        a, b = row["project_a"], row["project_b"]
        if not a or not b or a == b:
            raise InputError(
                f"pair '{a}','{b}'",
                file=file,
                line=line,
                field="project_a",
                expected="two different ids",
            )
        key = frozenset((a, b))
        if key in pairs:
            raise InputError(f"pair {a},{b} repeats line {pairs[key]}", file=file, line=line)
        pairs[key] = line
        npv_key = "npv_delta_mdkk" if "npv_delta_mdkk" in row else "npv_delta"
        out.append(
            Interaction(
                project_a=a,
                project_b=b,
                score_delta=_number(row, "score_delta", file=file, line=line, optional=True),
                npv_delta_mdkk=_number(row, npv_key, file=file, line=line, optional=True),
            )
        )
    return tuple(out)


def check_interaction_ids(
    interactions: Sequence[Interaction], ids: Iterable[str], *, file: str | Path
) -> None:
    """Unknown ids in the interactions file -> :class:`InputError` naming the file."""
    known = set(ids)
    for inter in interactions:
        for pid in (inter.project_a, inter.project_b):
            if pid not in known:
                raise InputError(
                    f"unknown project id '{pid}'",
                    file=file,
                    field="project_a/project_b",
                    expected="an id of the ranking",
                )


def merge_catalogue(
    candidates: Sequence[Candidate], projects: Sequence[Any], *, decided: Iterable[str] = ()
) -> tuple[list[Candidate], list[tuple[str, ...]], list[tuple[str, str]]]:
    """Use validated project files (:class:`mobility.projects.Project`) for the portfolio.

    Fills attributes the ranking lacks (``construction_years`` -> build years, construction
    CO2e, opening year, region part) and returns the ``excludes`` pairs and ``requires``
    pairs of the projects that are in the ranking. An exclusion of a project outside the
    ranking is vacuous and dropped; a prerequisite outside the ranking is an error (the
    dependent project could never be chosen), unless it is ``decided`` (already spent, so the
    requirement is met).

    Returns
    -------
    candidates, exclusive, requires
    """
    by_id = {p.id: p for p in projects}
    ranked = {c.project_id for c in candidates}
    done = set(decided)
    out = []
    for c in candidates:
        p = by_id.get(c.project_id)
        if p is None:
            out.append(c)
            continue
        out.append(
            dataclasses.replace(
                c,
                build_years=c.build_years if c.build_years is not None else p.construction_years,
                co2e_t=c.co2e_t if c.co2e_t is not None else float(p.construction_co2e_t),
                opening_year=c.opening_year if c.opening_year is not None else p.opening_year,
                region_parts=c.region_parts or split_parts(p.region_part or ""),
            )
        )
    exclusive: list[tuple[str, ...]] = []
    requires: list[tuple[str, str]] = []
    for p in projects:
        if p.id not in ranked:
            continue
        exclusive.extend(tuple(sorted((p.id, o))) for o in p.excludes if o in ranked)
        for k, other in enumerate(p.requires):
            if other in done:
                continue
            if other not in ranked:
                raise InputError(
                    f"prerequisite '{other}' is not in the ranking",
                    file=p.path,
                    field=f"requires[{k}]",
                    expected="a ranked project (rank it too, or drop the requirement)",
                )
            requires.append((p.id, other))
    return out, sorted(set(exclusive)), sorted(set(requires))


def read_scenario_portfolio(scenario: Any) -> dict[str, Any]:
    """The ``portfolio:`` section of a scenario (a :class:`~mobility.scenario.Scenario`, or a
    scenario file, which is then read and validated by :func:`mobility.scenario.load_scenario`).

    Returns a dict with the keys present among: ``budget_mdkk``, ``annual_budget_mdkk``,
    ``first_year``, ``last_start_year``, ``build_years``, ``exclusive`` (list of id tuples),
    ``requires`` (list of pairs), ``min_per_part`` (int or ``{part: int}``), ``co2e_cap_t``,
    ``min_bcr``, ``objective``. An absent section gives an empty dict. The section itself is
    validated with the scenario (:class:`mobility.scenario_sections.PortfolioSection`).
    """
    from mobility.scenario import Scenario, load_scenario

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return scenario.portfolio.as_dict()
