"""``mobility rank`` (score and rank projects against the six pejlemærker) and
``mobility compare`` (how two ranked lists differ).

See :mod:`mobility.scoring.ranking` for the output files and :mod:`mobility.scoring.compare`
for the comparison.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from mobility.errors import InputError

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
    default=50.0,
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
    default=30.0,
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
    from mobility.fileio import check_output_file
    from mobility.scoring import normalise
    from mobility.scoring import ranking as rk
    from mobility.scoring.weights import resolve_weights

    quiet = bool((ctx.obj or {}).get("quiet"))
    t0 = time.perf_counter()
    if output.is_dir():
        raise InputError("is a folder", file=output, expected="a CSV file name")
    check_output_file(output)  # before any work
    if normalisation not in normalise.SCENARIO_METHODS:
        raise InputError(
            f"has value '{normalisation}'",
            field="--normalisation",
            expected="one of " + ", ".join(normalise.SCENARIO_METHODS),
        )
    if vary_normalisation and n_samples is None:
        raise InputError(
            "needs --sensitivity N (the draws it varies)", field="--vary-normalisation"
        )
    weights = resolve_weights(weights_spec)
    rows = rk.read_impacts(impacts)
    if projects_csv is None and (impacts.parent / "projects.csv").is_file():
        projects_csv = impacts.parent / "projects.csv"
        if not quiet:
            click.echo(f"using {projects_csv}", err=True)
    projects = None
    if projects_csv is not None:
        projects = rk.read_projects(projects_csv)
        rk.check_projects(rows, projects, file=projects_csv)
    # decided and not-appraised projects are listed in ranking.csv but not ranked, and do not
    # take part in the normalisation or the sensitivity analysis
    candidates, unranked = rk.split_candidates(rows, projects)
    matrix = rk.build_matrix(
        candidates, normalisation=weights.normalisation, method=normalisation, file=impacts
    )
    ranking = rk.rank_projects(
        matrix, weights, method=method, preference=preference, p_threshold=p_threshold
    )
    sens = None
    if n_samples is not None:
        alternatives = None
        if vary_normalisation:
            alternatives = rk.normalisation_alternatives(candidates, weights, file=impacts)
        sens = rk.run_sensitivity(
            ranking,
            n_samples=n_samples,
            top_k=top_k,
            seed=seed,
            concentration=concentration,
            alternatives=alternatives,
        )
    inputs = {"impacts": impacts}
    if projects_csv is not None:
        inputs["projects"] = projects_csv
    if weights.source:
        inputs["weights"] = Path(weights.source)
    settings = {
        "method": method,
        "preference": preference if method == "promethee" else None,
        "p_threshold": p_threshold if method == "promethee" else None,
        "normalisation": normalisation,
        "sensitivity_samples": n_samples,
        "sensitivity_normalisation": sens.settings() if sens is not None else None,
        "concentration": concentration if n_samples else None,
        "top_k": top_k,
        "seed": seed,
    }
    paths = rk.write_outputs(
        output,
        ranking,
        projects=projects,
        sens=sens,
        manifest_info={"inputs": inputs, "settings": settings},
        unranked=rk.unranked_rows(rows, unranked, projects) if projects else None,
    )
    if not quiet:
        n = len(matrix.project_ids)
        listed = f", {len(unranked)} decided or not appraised listed" if unranked else ""
        click.echo(
            f"ranked {n} projects{listed} ({method}, {normalisation}, weights {weights.name}) in "
            f"{time.perf_counter() - t0:.2f} s -> {paths['ranking']}",
            err=True,
        )


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
