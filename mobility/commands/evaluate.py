"""``mobility evaluate``: appraise every project of a catalogue against the reference scenario
(the pipeline: :func:`mobility.pipeline.evaluation.run_evaluation`)."""

from __future__ import annotations

from pathlib import Path

import click

from mobility.errors import InputError

EPILOG = """
\b
Examples:
  mobility evaluate reference_2035 --projects projects/ -o out/appraisal
  mobility evaluate reference_2035 -o out --workers 2 \\
    --combine v1_ring5_syd,c01_motorring3_kapacitet
  mobility evaluate reference_2035 -o out --scheduler tcp://127.0.0.1:8786 --cba-years
"""


def resolve_scenario(name: str) -> Path:
    """A scenario path, or the name of a bundled scenario (``reference_2035``)."""
    path = Path(name)
    if path.is_file():
        return path
    from mobility.resources import bundled_dir

    for candidate in (bundled_dir("scenarios") / name, bundled_dir("scenarios") / f"{name}.yaml"):
        if candidate.is_file():
            return candidate
    raise InputError("scenario file not found", file=name, expected="a scenario YAML file or name")


@click.command("evaluate", epilog=EPILOG)
@click.argument("scenario")
@click.option(
    "--projects",
    "projects_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of project YAML files [the bundled catalogue].",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="Output folder (impacts.csv, projects.csv, cba.csv, link_flows/, map.gpkg, "
    "manifest.json).",
)
@click.option(
    "--combine",
    multiple=True,
    metavar="ID,ID[,...]",
    help="Also evaluate these projects together (repeatable).",
)
@click.option("--only", default=None, metavar="ID,ID", help="Evaluate only these projects.")
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Separate processes for the model runs (0: one per usable CPU core).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Dask distributed scheduler address (e.g. tcp://127.0.0.1:8786).",
)
@click.option("--cba-years", is_flag=True, help="Write the CBA per year in cba.csv.")
@click.pass_context
def evaluate(
    ctx: click.Context,
    scenario: str,
    projects_dir: str | None,
    out_dir: str,
    combine: tuple[str, ...],
    only: str | None,
    workers: int,
    scheduler: str | None,
    cba_years: bool,
) -> None:
    """Appraise projects against the reference SCENARIO (file or bundled name)."""
    from mobility.resources import bundled_dir

    quiet = bool((ctx.obj or {}).get("quiet", False))
    scen = resolve_scenario(scenario)
    folder = Path(projects_dir) if projects_dir else bundled_dir("projects")
    from mobility.pipeline.evaluation import run_evaluation, summary_line
    from mobility.progress import announce_compilation

    announce_compilation(quiet=quiet)
    summary = run_evaluation(
        scen,
        folder,
        Path(out_dir),
        combine=combine,
        workers=workers,
        scheduler=scheduler,
        cba_years=cba_years,
        quiet=quiet,
        only=[s.strip() for s in only.split(",") if s.strip()] if only else None,
    )
    if not quiet:
        click.echo(summary_line(summary, out_dir), err=True)
