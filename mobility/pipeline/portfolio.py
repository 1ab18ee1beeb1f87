"""The portfolio pipeline: the best portfolio of ranked projects under budgets and constraints.

The constraints come from three places, in this order of precedence: the command's options,
the scenario file's ``portfolio`` section, and the project files (``excludes``, ``requires``).
``mobility optimise`` and ``mobility run`` call :func:`run_portfolio`; the optimisation itself
is :mod:`mobility.scoring.portfolio`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["run_portfolio"]


def _min_per_part(
    value: int | dict[str, int] | None,
    parts_flag: str | None,
    present: list[str],
    *,
    file: Path | None = None,
) -> tuple[tuple[str, int], ...]:
    """Turn a minimum (one number for every part, or per part) into ``(part, n)`` pairs."""
    from mobility.errors import InputError
    from mobility.region.vocabulary import PLANNING_PARTS

    if value is None:
        return ()
    if isinstance(value, dict):
        pairs = sorted(value.items())
    else:
        if parts_flag:
            parts = sorted({p.strip() for p in parts_flag.split(",") if p.strip()})
        else:
            parts = present
        if not parts:
            raise InputError(
                "no project has a region_part, so a minimum per part cannot apply",
                field="region_part",
                expected="a region_part column in the ranking or --projects projects.csv",
            )
        pairs = [(p, int(value)) for p in parts]
    for part, _ in pairs:
        if part not in PLANNING_PARTS and part not in present:
            raise InputError(
                f"unknown part '{part}'",
                file=file if isinstance(value, dict) else None,
                field="portfolio.min_per_part" if isinstance(value, dict) else "--parts",
                expected="one of " + ", ".join(PLANNING_PARTS),
            )
    return tuple(pairs)


def _build_constraints(
    opts: dict[str, Any], candidates: list[Any], catalogue: tuple[list[Any], list[Any]]
) -> tuple[Any, str]:
    """Merge scenario section, project-file constraints and flags into :class:`Constraints`."""
    from mobility.errors import InputError
    from mobility.scenario import Scenario, load_scenario
    from mobility.scenario_sections import parse_exclusive, parse_requires
    from mobility.scoring.portfolio_inputs import (
        check_interaction_ids,
        read_interactions,
        read_scenario_portfolio,
    )
    from mobility.scoring.portfolio_problem import (
        DEFAULT_BUILD_YEARS,
        DEFAULT_FIRST_YEAR,
        LAST_START_YEAR,
        Constraints,
    )

    ids = {c.project_id for c in candidates}
    scen: dict[str, Any] = {}
    # the scenario file, or the Scenario ``mobility run`` read and validated (not read again)
    scenario, scenario_file = opts["scenario"], None
    if scenario is not None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        scenario_file = scenario.path
        scen = read_scenario_portfolio(scenario)

    origins: list[tuple[str, str]] = []  # (family, where) of what the scenario file set

    def in_scenario(key: str) -> str:
        return f"{scenario_file}, field portfolio.{key}"

    def pick(flag: str, key: str, default: Any, family: str | None = None) -> Any:
        if opts[flag] is not None:
            return opts[flag]
        if family is not None and key in scen:
            origins.append((family, in_scenario(key)))
        return scen.get(key, default)

    for key, flag in (("min_bcr", "--min-bcr"), ("min_nnk", "--min-nnk")):
        if opts[key] is not None and not math.isfinite(opts[key]):
            # click's float accepts "nan", which would silently drop the constraint
            raise InputError(f"has value {opts[key]}", field=flag, expected="a finite number")
    flag_excl = [parse_exclusive(t, field="--exclusive") for t in opts["exclusive"]]
    flag_req = [parse_requires(t, field="--requires") for t in opts["requires"]]
    sources = (
        (scen.get("exclusive", []), scenario_file, "portfolio.exclusive"),
        (scen.get("requires", []), scenario_file, "portfolio.requires"),
        (flag_excl, None, "--exclusive"),
        (flag_req, None, "--requires"),
    )
    for groups, file, name in sources:
        for group in groups:
            for pid in group:
                if pid not in ids:
                    raise InputError(
                        f"unknown project id '{pid}'",
                        file=file,
                        field=name,
                        expected="an id of the ranking",
                    )
    for key, flags, from_files, file_key in (
        ("exclusive", flag_excl, catalogue[0], "excludes"),
        ("requires", flag_req, catalogue[1], "requires"),
    ):
        if scen.get(key):
            where = [in_scenario(key)]
            if flags:
                where.append(f"--{key}")
            if from_files:
                where.append(f"{file_key} of the --project-dir files")
            origins.append((key, " / ".join(where)))
    exclusive = list(scen.get("exclusive", [])) + flag_excl
    requires = list(scen.get("requires", [])) + flag_req
    exclusive += catalogue[0]
    requires += catalogue[1]
    exclusive = sorted(set(exclusive))
    requires = sorted(set(requires))

    interactions: tuple[Any, ...] = ()
    if opts["interactions"] is not None:
        interactions = read_interactions(opts["interactions"])
        check_interaction_ids(interactions, ids, file=opts["interactions"])

    present = sorted({p for c in candidates for p in c.region_parts})
    mpp = opts["min_per_part"]
    mpp_file = None
    if mpp is None and "min_per_part" in scen:
        mpp, mpp_file = scen["min_per_part"], scenario_file
        origins.append(("min_per_part", in_scenario("min_per_part")))
    objective = pick("objective", "objective", "score")
    budget = pick("budget_mdkk", "budget_mdkk", None, "budget")
    annual = pick("annual_budget", "annual_budget_mdkk", None, "annual_budget")
    if budget is None and annual is None:
        raise InputError(
            "no budget given",
            field="budget_mdkk",
            expected="--budget-mdkk, --annual-budget or a scenario portfolio.budget_mdkk",
        )
    cons = Constraints(
        budget_mdkk=budget,
        annual_budget_mdkk=annual,
        first_year=pick("first_year", "first_year", DEFAULT_FIRST_YEAR),
        last_start_year=pick("last_start_year", "last_start_year", LAST_START_YEAR),
        build_years=pick("build_years", "build_years", DEFAULT_BUILD_YEARS),
        exclusive=tuple(exclusive),
        requires=tuple(requires),
        min_per_part=_min_per_part(mpp, opts["parts"], present, file=mpp_file),
        co2e_cap_t=pick("co2e_cap_t", "co2e_cap_t", None, "co2e_cap"),
        min_bcr=pick("min_bcr", "min_bcr", None, "min_bcr"),
        min_nnk=pick("min_nnk", "min_nnk", None, "min_nnk"),
        interactions=interactions,
        sources=tuple(origins),
    )
    return cons, objective


def run_portfolio(
    ranking: Path,
    output: Path,
    opts: dict[str, Any],
    *,
    say: Callable[[str], None] | None = None,
) -> list[str]:
    """Optimise the portfolio of ``ranking`` (a ``ranking.csv``) and write ``output``
    (``portfolio.csv``) and, with ``opts["pareto"]``, the budget frontier.

    Parameters
    ----------
    ranking, output
        The ranked list read, the portfolio written.
    opts
        Every option of ``mobility optimise`` by its parameter name (``budget_mdkk``,
        ``projects_csv``, ``project_dir``, ``scenario``, ``pareto``, ``solver``, ...);
        ``scenario`` is a scenario file or a loaded :class:`~mobility.scenario.Scenario`.
    say
        Called with progress messages (``None``: quiet).

    Returns
    -------
    list of str
        The summary lines (selected projects, totals, the decided ones).
    """
    from mobility.fileio import check_output_file, write_csv
    from mobility.scoring.portfolio import budget_levels, optimise, pareto_frontier
    from mobility.scoring.portfolio_inputs import (
        merge_catalogue,
        merge_projects_csv,
        read_decided,
        read_ranking,
    )
    from mobility.scoring.portfolio_outputs import (
        FRONTIER_COLUMNS,
        PORTFOLIO_COLUMNS,
        frontier_rows,
        portfolio_rows,
        summary_lines,
    )
    from mobility.scoring.portfolio_problem import validate_problem

    check_output_file(output)  # before any work
    if opts["pareto"] is not None:
        check_output_file(opts["pareto"])
    candidates = read_ranking(ranking)
    decided = read_decided(ranking)
    if opts["projects_csv"] is not None:
        candidates = merge_projects_csv(candidates, opts["projects_csv"])
    catalogue: tuple[list[Any], list[Any]] = ([], [])
    if opts["project_dir"] is not None:
        from mobility.projects import load_catalogue

        candidates, excl, req = merge_catalogue(
            candidates,
            load_catalogue(opts["project_dir"]),
            decided=[pid for pid, _, _ in decided],
        )
        catalogue = (excl, req)
    cons, objective = _build_constraints(opts, candidates, catalogue)
    validate_problem(candidates, cons, objective=objective)

    frontier = None
    if opts["pareto"] is not None:
        levels = budget_levels(candidates, opts["pareto_steps"])
        if say is not None:
            say(f"pareto: {len(levels)} budget levels")
        frontier = pareto_frontier(
            candidates, cons, budgets=levels, objective=objective, solver=opts["solver"]
        )
    result = optimise(candidates, cons, objective=objective, solver=opts["solver"])

    write_csv(output, PORTFOLIO_COLUMNS, portfolio_rows(result))
    if frontier is not None:
        write_csv(opts["pareto"], FRONTIER_COLUMNS, frontier_rows(frontier))
    return list(summary_lines(result, decided))
