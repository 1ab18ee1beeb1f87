"""``mobility run``: the whole decision basis for one scenario, in one output folder (the
pipeline: :func:`mobility.pipeline.run.run_decision_basis`).

Steps, each the same code as its own command (so a planner can re-run any one of them):

1. ``mobility model``: the reference scenario (indicators, link flows, PT lines, zones);
2. ``mobility evaluate``: every project of the scenario's catalogue against the reference
   (impacts, projects, cost-benefit);
3. ``mobility rank``: scores against the six pejlemærker with the scenario's weights and
   method, plus the weight sensitivity (rank acceptability);
4. ``mobility optimise``: the best portfolio under the scenario's budget and constraints,
   and the budget frontier;
5. the report (``report.html``), the Excel variants when asked, and ``manifest.json``.

The scenario file names everything (one file reproduces a whole decision basis)::

    appraisal:
      projects: ../projects        # folder of project files, relative to the scenario
      only: [v1_ring5_syd, ...]    # optional subset of the catalogue
    scoring:
      weights: equal               # bundled profile name or a weights file (relative path)
      method: weighted_sum         # weighted_sum | topsis | promethee
      normalisation: winsorised    # winsorised | rank | minmax (default winsorised)
      sensitivity: 2000            # Dirichlet weight draws (0: none)
      sensitivity_normalisation: true  # each draw also picks rank or winsorised [false]
      top_k: 5
      seed: 0
    portfolio:
      budget_mdkk: 40000           # and the constraints of ``mobility optimise``

Everything is written into a temporary sibling folder that replaces ``DIR`` only when the
whole run succeeded: a failed, interrupted (SIGTERM) or killed (SIGKILL) run leaves the
previous complete folder or none.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from mobility.commands.report import LANGS

EPILOG = """
\b
Examples:
  mobility run                                   # bundled reference_2035 -> out/reference_2035/
  mobility run scenarios/reference_2035.yaml -o out/ref --csv-dialect excel-da --xlsx
  mobility run my_scenario.yaml --workers 2 -q
  mobility run --lang en                         # the report in English (default Danish)
"""


#: Files (and folders) moved from each step's folder into the run folder (step -> names).
@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit`` so the partial output folder is cleaned up."""

    def handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. inside a test runner's worker thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command("run", epilog=EPILOG)
@click.argument("scenario", required=False, default="reference_2035")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder [out/<scenario name>].",
)
@click.option(
    "--csv-dialect",
    type=click.Choice(["default", "excel-da"]),
    default="default",
    show_default=True,
    help="excel-da: semicolons and decimal commas for Danish Excel.",
)
@click.option("--xlsx", is_flag=True, help="Also write one workbook with a sheet per table.")
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default="da",
    show_default=True,
    help="Language of report.html: da (Danish) or en (English).",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Separate processes for the model runs (0: one per usable CPU core).",
)
@click.pass_context
def run(
    ctx: click.Context,
    scenario: str,
    output: Path | None,
    csv_dialect: str,
    xlsx: bool,
    lang: str,
    workers: int,
) -> None:
    """Model, appraise, rank and optimise SCENARIO (default: the bundled reference_2035)
    and write the CSV tables, report.html and manifest.json."""
    from mobility.commands.model import resolve_scenario
    from mobility.commands.optimise import optimise
    from mobility.pipeline.run import run_decision_basis

    quiet = bool((ctx.obj or {}).get("quiet", False))
    scenario_path = resolve_scenario(scenario).resolve()
    # the portfolio step's options at `mobility optimise`'s own defaults (the run sets the
    # catalogue, scenario, solver and frontier)
    options = {
        p.name: p.process_value(ctx, p.get_default(ctx))
        for p in optimise.params
        if p.name not in (None, "ranking", "output")
    }
    with _sigterm_as_exit():
        line = run_decision_basis(
            scenario_path,
            output,
            portfolio_options=options,
            workers=workers,
            csv_dialect=csv_dialect,
            xlsx=xlsx,
            lang=lang,
            quiet=quiet,
            say=None if quiet else (lambda text: click.echo(text, err=True)),
            out=click.echo,
        )
    if not quiet:
        click.echo(line, err=True)
