"""``mobility optimise``: the best portfolio of ranked projects under budgets and constraints
(the pipeline: :func:`mobility.pipeline.portfolio.run_portfolio`)."""

from __future__ import annotations

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
    from mobility.pipeline.portfolio import run_portfolio

    quiet = bool((ctx.obj or {}).get("quiet"))
    say = None if quiet else (lambda text: click.echo(text, err=True))
    for line in run_portfolio(ranking, output, opts, say=say):
        click.echo(line)
