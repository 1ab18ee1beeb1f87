"""``mobility optimise``: the best portfolio of ranked projects under budgets and constraints."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

EXAMPLE = """
\b
Examples:
  mobility optimise ranking.csv --budget-mdkk 40000 -o portfolio.csv
  mobility optimise ranking.csv --projects projects.csv --budget-mdkk 40000 \\
      --annual-budget 6000 --first-year 2026 \\
      --exclusive v7_letbane_gladsaxe_noerrebro,c07_metro_broenshoej \\
      --requires s25_s_tog_ekspresstunnel:v4_s_tog_automatisering \\
      --min-per-part 1 --co2e-cap-t 900000 --min-bcr 1.0 \\
      --pareto frontier.csv -o portfolio.csv

\b
Writes one row per project (project_id,name,selected,start_year,capex_mdkk,score) and prints
the totals. start_year is only filled with a yearly budget (--annual-budget), where the
capex of a project is spread evenly over its construction period (--build-years, or a
build_years column) from a start year chosen by the optimiser (<= 2035).
"""


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
    from mobility.scoring.portfolio import (
        DEFAULT_BUILD_YEARS,
        DEFAULT_FIRST_YEAR,
        LAST_START_YEAR,
        Constraints,
        check_interaction_ids,
        parse_exclusive,
        parse_requires,
        read_interactions,
        read_scenario_portfolio,
    )

    ids = {c.project_id for c in candidates}
    scen: dict[str, Any] = {}
    if opts["scenario"] is not None:
        scen = read_scenario_portfolio(opts["scenario"])

    origins: list[tuple[str, str]] = []  # (family, where) of what the scenario file set

    def in_scenario(key: str) -> str:
        return f"{opts['scenario']}, field portfolio.{key}"

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
        (scen.get("exclusive", []), opts["scenario"], "portfolio.exclusive"),
        (scen.get("requires", []), opts["scenario"], "portfolio.requires"),
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
        mpp, mpp_file = scen["min_per_part"], opts["scenario"]
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


_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("optimise", epilog=EXAMPLE)
@click.argument("ranking", type=_existing)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="portfolio.csv to write.",
)
@click.option(
    "--budget-mdkk",
    "budget_mdkk",
    type=click.FloatRange(min=0),
    default=None,
    help="Total capital budget, mio. kr.",
)
@click.option(
    "--objective",
    type=click.Choice(["score", "npv"]),
    default=None,
    help="Maximise total score (default) or total NPV.",
)
@click.option(
    "--solver",
    type=click.Choice(["auto", "cbc", "highs"]),
    default="auto",
    show_default=True,
    help="MIP solver (auto: HiGHS if highspy is installed, else CBC).",
)
@click.option(
    "--annual-budget",
    "annual_budget",
    type=click.FloatRange(min=0),
    default=None,
    help="Capital budget per year, mio. kr.; schedules start years.",
)
@click.option(
    "--first-year",
    "first_year",
    type=click.IntRange(1900, 2200),
    default=None,
    help="First possible start year (default 2026).",
)
@click.option(
    "--last-start-year",
    "last_start_year",
    type=click.IntRange(1900, 2200),
    default=None,
    help="Last possible start year (default 2035).",
)
@click.option(
    "--build-years",
    "build_years",
    type=click.IntRange(min=1),
    default=None,
    help="Construction period for projects without their own (default 4).",
)
@click.option(
    "--exclusive",
    multiple=True,
    metavar="A,B",
    help="Mutually exclusive alternatives (repeatable).",
)
@click.option(
    "--requires", multiple=True, metavar="B:A", help="B can only be chosen with A (repeatable)."
)
@click.option(
    "--min-per-part",
    "min_per_part",
    type=click.IntRange(min=0),
    default=None,
    help="Minimum number of projects in every part of the region.",
)
@click.option(
    "--parts",
    default=None,
    metavar="P1,P2",
    help="Parts --min-per-part applies to (default: every part in the data).",
)
@click.option(
    "--co2e-cap-t",
    "co2e_cap_t",
    type=click.FloatRange(min=0),
    default=None,
    help="Cap on total construction CO2e, tonnes.",
)
@click.option(
    "--min-bcr",
    "min_bcr",
    type=float,
    default=None,
    help="Projects with a lower benefit-cost ratio cannot be chosen.",
)
@click.option(
    "--min-nnk",
    "min_nnk",
    type=float,
    default=None,
    help="Projects with a lower NNK (NPV per krone of public funds) cannot be chosen.",
)
@click.option(
    "--interactions",
    type=_existing,
    default=None,
    help="CSV project_a,project_b,score_delta[,npv_delta_mdkk] from combined runs.",
)
@click.option(
    "--projects",
    "projects_csv",
    type=_existing,
    default=None,
    help="projects.csv (adds construction CO2e, opening year, region_part).",
)
@click.option(
    "--project-dir",
    "project_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of project YAML files: excludes/requires, construction_years, CO2e.",
)
@click.option(
    "--scenario",
    type=_existing,
    default=None,
    help="Scenario YAML whose portfolio: section adds constraints.",
)
@click.option(
    "--pareto",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also sweep the budget and write the frontier to this CSV.",
)
@click.option(
    "--pareto-steps",
    "pareto_steps",
    type=click.IntRange(1, 1000),
    default=20,
    show_default=True,
    help="Budget levels in the sweep.",
)
@click.pass_context
def optimise(ctx: click.Context, ranking: Path, output: Path, **opts: Any) -> None:
    """Choose the portfolio of projects that maximises total score (or NPV) under a budget."""
    from mobility.fileio import check_output_file, write_csv
    from mobility.scoring import portfolio as pf

    quiet = bool((ctx.obj or {}).get("quiet"))
    check_output_file(output)  # before any work
    if opts["pareto"] is not None:
        check_output_file(opts["pareto"])
    candidates = pf.read_ranking(ranking)
    decided = pf.read_decided(ranking)
    if opts["projects_csv"] is not None:
        candidates = pf.merge_projects_csv(candidates, opts["projects_csv"])
    catalogue: tuple[list[Any], list[Any]] = ([], [])
    if opts["project_dir"] is not None:
        from mobility.projects import load_catalogue

        candidates, excl, req = pf.merge_catalogue(
            candidates,
            load_catalogue(opts["project_dir"]),
            decided=[pid for pid, _, _ in decided],
        )
        catalogue = (excl, req)
    cons, objective = _build_constraints(opts, candidates, catalogue)
    pf.validate_problem(candidates, cons, objective=objective)

    frontier = None
    if opts["pareto"] is not None:
        levels = pf.budget_levels(candidates, opts["pareto_steps"])
        if not quiet:
            click.echo(f"pareto: {len(levels)} budget levels", err=True)
        frontier = pf.pareto_frontier(
            candidates, cons, budgets=levels, objective=objective, solver=opts["solver"]
        )
    result = pf.optimise(candidates, cons, objective=objective, solver=opts["solver"])

    write_csv(output, pf.PORTFOLIO_COLUMNS, pf.portfolio_rows(result))
    if frontier is not None:
        write_csv(opts["pareto"], pf.FRONTIER_COLUMNS, pf.frontier_rows(frontier))
    for line in pf.summary_lines(result, decided):
        click.echo(line)
