"""``mobility model``: run the four-step model of hovedstadsområdet for one scenario.

Writes ``indicators.csv`` (indicator,value,unit), ``link_flows.csv``, ``pt_lines.csv``,
``zones.csv``, ``committed.csv``, ``map.gpkg`` (the same tables with geometry, EPSG:25832,
see docs/outputs.md) and ``manifest.json`` into the output folder, atomically (a failed run
leaves the previous folder, never a half-written one).
"""

from __future__ import annotations

from pathlib import Path

import click

EPILOG = """
\b
Examples:
  mobility model scenarios/base.yaml -o out/base
  mobility model scenarios/reference_2035.yaml -o out/ref2035 --gap 1e-5
  mobility model reference_2035 -o out/ref      # a bundled scenario by name
"""


def resolve_scenario(value: str) -> Path:
    """A scenario path: the file itself, else a bundled scenario of that name."""
    path = Path(value)
    if path.is_file():
        return path
    from mobility.errors import InputError
    from mobility.resources import bundled_dir

    name = value if value.endswith((".yaml", ".yml")) else f"{value}.yaml"
    candidate = bundled_dir("scenarios") / Path(name).name
    if "/" not in value and candidate.is_file():
        return candidate
    raise InputError("file not found (nor a bundled scenario of that name)", file=path)


@click.command("model", epilog=EPILOG)
@click.argument("scenario", metavar="SCENARIO")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder [model_<scenario name>].",
)
@click.option(
    "--gap",
    "rel_gap",
    type=float,
    default=None,
    help="Relative gap of the final assignment [the scenario's model.rel_gap, 1e-5].",
)
@click.pass_context
def model(ctx: click.Context, scenario: str, output: Path | None, rel_gap: float | None) -> None:
    """Run the demand model (generation, distribution, mode choice, assignment) for SCENARIO
    and write its indicators, link flows, PT line boardings and zone results."""
    from mobility.pipeline.model import model_to_folder
    from mobility.scenario import load_scenario

    quiet = bool((ctx.obj or {}).get("quiet", False))
    spath = resolve_scenario(scenario)
    folder = output if output is not None else Path(f"model_{load_scenario(spath).name}")
    line = model_to_folder(spath, folder, rel_gap=rel_gap, quiet=quiet)
    if not quiet:
        click.echo(line, err=True)
