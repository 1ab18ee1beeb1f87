"""The ranking pipeline: score and rank projects against the six pejlemærker.

Reads ``impacts.csv`` (and ``projects.csv``), normalises, weights and ranks the candidates,
runs the weight sensitivity and writes ``ranking.csv`` with its side files
(:func:`mobility.scoring.ranking_outputs.write_outputs`). ``mobility rank`` and
``mobility run`` call :func:`run_ranking`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from mobility.errors import InputError

__all__ = ["CONCENTRATION", "P_THRESHOLD", "run_ranking"]

#: PROMETHEE linear: the score difference (0-100 points) of full preference (``--p-threshold``).
P_THRESHOLD = 50.0
#: Dirichlet concentration of the weight draws (``--concentration``).
CONCENTRATION = 30.0


def run_ranking(
    impacts: Path,
    output: Path,
    *,
    projects_csv: Path | None = None,
    weights_spec: str | None = None,
    method: str = "weighted_sum",
    preference: str = "linear",
    p_threshold: float = P_THRESHOLD,
    normalisation: str = "winsorised",
    n_samples: int | None = None,
    concentration: float = CONCENTRATION,
    vary_normalisation: bool = False,
    top_k: int = 5,
    seed: int = 0,
    say: Callable[[str], None] | None = None,
) -> str:
    """Rank the projects of ``impacts`` and write ``output`` (``ranking.csv``) and its side
    files; the options are those of ``mobility rank``. Returns the one-line summary.

    ``say`` is called with progress messages (``None``: quiet).
    """
    from mobility.fileio import check_output_file
    from mobility.scoring import normalise
    from mobility.scoring import ranking as rk
    from mobility.scoring import ranking_inputs as ri
    from mobility.scoring import ranking_outputs as ro
    from mobility.scoring.weights import resolve_weights

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
    rows = ri.read_impacts(impacts)
    if projects_csv is None and (impacts.parent / "projects.csv").is_file():
        projects_csv = impacts.parent / "projects.csv"
        if say is not None:
            say(f"using {projects_csv}")
    projects = None
    if projects_csv is not None:
        projects = ri.read_projects(projects_csv)
        ri.check_projects(rows, projects, file=projects_csv)
    # decided and not-appraised projects are listed in ranking.csv but not ranked, and do not
    # take part in the normalisation or the sensitivity analysis
    candidates, unranked = ri.split_candidates(rows, projects)
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
    paths = ro.write_outputs(
        output,
        ranking,
        projects=projects,
        sens=sens,
        manifest_info={"inputs": inputs, "settings": settings},
        unranked=ro.unranked_rows(rows, unranked, projects) if projects else None,
    )
    n = len(matrix.project_ids)
    listed = f", {len(unranked)} decided or not appraised listed" if unranked else ""
    return (
        f"ranked {n} projects{listed} ({method}, {normalisation}, weights {weights.name}) in "
        f"{time.perf_counter() - t0:.2f} s -> {paths['ranking']}"
    )
