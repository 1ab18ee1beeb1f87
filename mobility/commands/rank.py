"""``mobility rank`` (score and rank projects against the six pejlemærker) and
``mobility compare`` (how two ranked lists differ).

See :mod:`mobility.scoring.ranking_outputs` for the output files and :mod:`mobility.scoring.compare`
for the comparison.
"""

from __future__ import annotations

from pathlib import Path

import click

from mobility.errors import InputError
from mobility.pipeline.ranking import CONCENTRATION, P_THRESHOLD

RANK_EPILOG = """
\b
Examples:
  mobility rank out/impacts.csv --projects out/projects.csv -o out/ranking.csv
  mobility rank out/impacts.csv --weights climate_first --method topsis \\
      --sensitivity 10000 --top-k 5 --seed 1 -o out/ranking_climate.csv
  mobility rank out/impacts.csv --normalisation rank --sensitivity 2000 \\
      --vary-normalisation -o out/ranking_rank.csv
\b
--weights takes a YAML file or a bundled profile (equal, climate_first,
accessibility_first). Without --projects, a projects.csv next to IMPACTS is used if present.
Also written next to the ranking: scores_long.csv (indicator, normalisation method and
0-100 score per project and sub-criterion), sensitivity.csv (rank acceptability, long form:
project_id,rank,probability,cumulative) and <name>.manifest.json.
"""

COMPARE_EPILOG = """
\b
Example:
  mobility compare out/ranking.csv out/ranking_climate.csv --top-k 5 -o out/diff.csv
"""


@click.command("rank", epilog=RANK_EPILOG)
@click.argument("impacts", type=click.Path(path_type=Path))
@click.option(
    "--projects",
    "projects_csv",
    type=click.Path(path_type=Path),
    default=None,
    help="projects.csv (capex, region part); default: projects.csv next to IMPACTS.",
)
@click.option(
    "--weights",
    "weights_spec",
    default=None,
    help="Weights YAML file or bundled profile name (default: equal weights).",
)
@click.option(
    "--method",
    type=click.Choice(["weighted_sum", "topsis", "promethee"]),
    default="weighted_sum",
    show_default=True,
    help="Aggregation method.",
)
@click.option(
    "--preference",
    type=click.Choice(["usual", "linear"]),
    default="linear",
    show_default=True,
    help="PROMETHEE preference function.",
)
@click.option(
    "--p-threshold",
    type=click.FloatRange(min=0.0, min_open=True),
    default=P_THRESHOLD,
    show_default=True,
    help="PROMETHEE linear: score difference (0-100 points) of full preference.",
)
@click.option(
    "--normalisation",
    default="winsorised",
    metavar="[winsorised|rank|minmax]",
    show_default=True,
    help="Normalisation of modelled values across the projects: winsorised (min-max between "
    "the 10th and 90th percentiles), rank (percentile rank) or minmax. A per-sub-criterion "
    "method in the weights file overrides it.",
)
@click.option(
    "--sensitivity",
    "n_samples",
    type=click.IntRange(min=1),
    default=None,
    help="Draw N weight vectors (Dirichlet) and report rank acceptability.",
)
@click.option(
    "--concentration",
    type=click.FloatRange(min=0.0, min_open=True),
    default=CONCENTRATION,
    show_default=True,
    help="Dirichlet concentration (larger = closer to the weights).",
)
@click.option(
    "--top-k",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="k for the probability of being in the top k.",
)
@click.option(
    "--vary-normalisation",
    is_flag=True,
    help="With --sensitivity: each draw also picks rank or winsorised normalisation "
    "uniformly, so the rank acceptability reflects both.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="ranking.csv to write."
)
@click.pass_context
def rank(
    ctx: click.Context,
    impacts: Path,
    projects_csv: Path | None,
    weights_spec: str | None,
    method: str,
    preference: str,
    p_threshold: float,
    normalisation: str,
    n_samples: int | None,
    concentration: float,
    vary_normalisation: bool,
    top_k: int,
    seed: int,
    output: Path,
) -> None:
    """Score and rank projects against the six pejlemærker from IMPACTS (impacts.csv)."""
    from mobility.pipeline.ranking import run_ranking

    quiet = bool((ctx.obj or {}).get("quiet"))
    line = run_ranking(
        impacts,
        output,
        projects_csv=projects_csv,
        weights_spec=weights_spec,
        method=method,
        preference=preference,
        p_threshold=p_threshold,
        normalisation=normalisation,
        n_samples=n_samples,
        concentration=concentration,
        vary_normalisation=vary_normalisation,
        top_k=top_k,
        seed=seed,
        say=None if quiet else (lambda text: click.echo(text, err=True)),
    )
    if not quiet:
        click.echo(line, err=True)


@click.command("compare", epilog=COMPARE_EPILOG)
@click.argument("a_csv", type=click.Path(path_type=Path))
@click.argument("b_csv", type=click.Path(path_type=Path))
@click.option(
    "--top-k",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="k for the top-k overlap.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="diff.csv to write (one row per project).",
)
def compare(a_csv: Path, b_csv: Path, top_k: int, output: Path | None) -> None:
    """Compare two ranking.csv files: rank shifts, Kendall's tau, top-k overlap, drivers."""
    from mobility.fileio import check_output_file, write_csv
    from mobility.scoring import compare as cp

    if output is not None:
        if output.is_dir():
            raise InputError("is a folder", file=output, field="-o", expected="a CSV file name")
        check_output_file(output)  # before any work
    a = cp.read_ranking(a_csv)
    b = cp.read_ranking(b_csv)
    result = cp.compare(a, b, top_k=top_k)
    if output is not None:
        write_csv(output, cp.DIFF_COLUMNS, result.rows)
    click.echo(cp.render_table(result, a_name=str(a_csv), b_name=str(b_csv)), nl=False)
