"""The run pipeline: the whole decision basis for one scenario, in one output folder.

Steps, each the pipeline of its own command (so a planner can re-run any one of them):

1. the model of the reference scenario (:func:`mobility.pipeline.model.model_to_folder`);
2. the appraisal of the scenario's catalogue (:func:`mobility.pipeline.evaluation.run_evaluation`);
3. the ranking against the six pejlemærker (:func:`mobility.pipeline.ranking.run_ranking`);
4. the portfolio under the scenario's budget (:func:`mobility.pipeline.portfolio.run_portfolio`);
5. the report, the Excel variants when asked, and ``manifest.json``.

The scenario is read and validated once, into typed sections
(:func:`mobility.scenario.load_scenario`); :func:`read_plan` takes the run's choices from them
and :func:`check_plan` checks what they name (zones, project files, weights) before any model
computes. Everything is written into a temporary sibling folder that replaces the output
folder only when the whole run succeeded. ``mobility run`` calls :func:`run_decision_basis`.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["STEP_FILES", "RunPlan", "check_plan", "read_plan", "run_decision_basis"]

STEP_FILES: dict[str, tuple[str, ...]] = {
    "model": (
        "indicators.csv",
        "link_flows.csv",
        "pt_lines.csv",
        "zones.csv",
        "committed.csv",
        "map.gpkg",
    ),
    "evaluate": ("impacts.csv", "projects.csv", "cba.csv", "judgements.csv", "link_flows"),
    "rank": ("ranking.csv", "sensitivity.csv", "scores_long.csv", "ranking.manifest.json"),
    "portfolio": ("portfolio.csv", "frontier.csv"),
}


@dataclass(frozen=True)
class RunPlan:
    """What the scenario asks of a run (validated)."""

    projects_dir: Path
    only: tuple[str, ...]
    weights: str | None
    method: str
    sensitivity: int
    top_k: int
    seed: int
    has_budget: bool
    normalisation: str = "winsorised"
    sensitivity_normalisation: bool = False


def read_plan(scenario_path: Path, *, scenario: Any = None) -> RunPlan:
    """The ``appraisal``/``scoring``/``portfolio`` choices of a scenario file, from its typed
    sections (:mod:`mobility.scenario_sections`, validated by
    :func:`mobility.scenario.load_scenario`).

    Raises
    ------
    InputError
        Naming the scenario file and the field that is wrong (when ``scenario`` is not given
        and the file is read here).
    """
    from mobility.resources import bundled_dir
    from mobility.scenario import load_scenario

    if scenario is None:
        scenario = load_scenario(scenario_path)
    appraisal, scoring = scenario.appraisal, scenario.scoring
    return RunPlan(
        appraisal.projects if appraisal.projects is not None else bundled_dir("projects"),
        appraisal.only,
        scoring.weights,
        scoring.method,
        scoring.sensitivity,
        scoring.top_k,
        scoring.seed,
        scenario.portfolio.budget_mdkk is not None,
        scoring.normalisation,
        scoring.sensitivity_normalisation,
    )


def check_plan(plan: RunPlan, scenario_path: Path, *, scenario: Any = None) -> None:
    """Validate everything a run needs beyond the scenario file itself, before any model
    computes (well under a second): the corridors against the zones, every project file of
    the catalogue and the ids of ``appraisal.only``, and the weights profile. The scenario's
    sections themselves, the portfolio's among them, were validated when it was loaded.

    Raises
    ------
    InputError
        The first problem, naming its file and field.
    """
    from mobility.errors import InputError
    from mobility.impacts.appraisal import settings_from_scenario
    from mobility.projects import load_catalogue
    from mobility.region.zones import load_zones
    from mobility.scenario import load_scenario
    from mobility.scoring.weights import resolve_weights

    if scenario is None:
        scenario = load_scenario(scenario_path)
    zones = load_zones(scenario.year, path=scenario.region_files.zones)
    settings_from_scenario(scenario, zones)
    # every project file, and its opening year against the scenario's base year; the
    # appraisal.only ids named in the scenario's own field (not as evaluate's --only)
    ids = {p.id for p in load_catalogue(plan.projects_dir, zones=zones, scenario=scenario)}
    for i, pid in enumerate(plan.only):
        if pid not in ids:
            raise InputError(
                f"unknown project id '{pid[:80]}'",
                file=scenario.appraisal.file,
                field=f"appraisal.only[{i}]",
                expected=f"an id of the project files in {plan.projects_dir}",
            )
    resolve_weights(plan.weights)


def _collect(step_dir: Path, names: tuple[str, ...], into: Path) -> dict[str, Path]:
    """Move the named files and folders that a step wrote into the run folder.

    Returns output name -> path for every file moved (``folder/file.csv`` for a folder's).
    """
    out: dict[str, Path] = {}
    for name in names:
        src = step_dir / name
        if src.is_file() or src.is_dir():
            dst = into / name
            shutil.move(str(src), dst)
            files = sorted(dst.glob("*.csv")) if dst.is_dir() else [dst]
            out.update({f.relative_to(into).as_posix(): f for f in files})
    return out


def run_decision_basis(
    scenario_path: Path,
    output: Path | None,
    *,
    portfolio_options: Mapping[str, Any],
    workers: int = 0,
    csv_dialect: str = "default",
    xlsx: bool = False,
    lang: str = "da",
    quiet: bool = False,
    say: Callable[[str], None] | None = None,
    out: Callable[[str], None] = print,
) -> str:
    """Model, appraise, rank and optimise the scenario file and write the CSV tables,
    ``report.html`` and ``manifest.json`` into ``output`` (default ``out/<scenario name>``).

    Parameters
    ----------
    scenario_path
        The scenario file (resolved).
    portfolio_options
        Every option of the portfolio step (:func:`mobility.pipeline.portfolio.run_portfolio`)
        at its default; the run sets the catalogue, the scenario, the solver and the frontier.
    say, out
        Progress messages (``None``: quiet) and the portfolio's summary lines.

    Returns
    -------
    str
        The one-line summary of the run.
    """
    from mobility import __version__
    from mobility.fileio import atomic_output_dir, check_output_dir, manifest, write_json
    from mobility.gis import LINK_CHANGE_LAYER, copy_layer
    from mobility.pipeline.evaluation import run_evaluation, summary_line
    from mobility.pipeline.model import model_to_folder
    from mobility.pipeline.portfolio import run_portfolio
    from mobility.pipeline.ranking import run_ranking
    from mobility.pipeline.runner import resolve_workers
    from mobility.progress import step
    from mobility.report.html import finalise_run_folder
    from mobility.scenario import load_scenario

    scenario = load_scenario(scenario_path)
    plan = read_plan(scenario_path, scenario=scenario)
    check_plan(plan, scenario_path, scenario=scenario)  # before any model computes
    name = scenario.name
    folder = output if output is not None else Path("out") / name
    check_output_dir(folder, inputs=[scenario_path, plan.projects_dir])
    timings: dict[str, float] = {}
    t_start = time.perf_counter()
    with atomic_output_dir(folder, inputs=[scenario_path]) as tmp:
        work = tmp / ".steps"
        files: dict[str, Path] = {}
        with step("model: reference scenario", quiet=quiet) as t:
            line = model_to_folder(scenario_path, work / "model", quiet=quiet)
            if say is not None:
                say(line)
        timings["model"] = t.get("seconds", 0.0)
        files |= _collect(work / "model", STEP_FILES["model"], tmp)

        with step("evaluate: projects against the reference", quiet=quiet) as t:
            summary = run_evaluation(
                scenario_path,
                plan.projects_dir,
                work / "evaluate",
                workers=workers,
                quiet=quiet,
                only=list(plan.only) or None,
            )
            if say is not None:
                say(summary_line(summary, work / "evaluate"))
        timings["evaluate"] = t.get("seconds", 0.0)
        files |= _collect(work / "evaluate", STEP_FILES["evaluate"], tmp)
        if (tmp / "map.gpkg").is_file() and (work / "evaluate" / "map.gpkg").is_file():
            # one map: evaluate's per-project link changes beside the model's layers
            copy_layer(work / "evaluate" / "map.gpkg", tmp / "map.gpkg", LINK_CHANGE_LAYER)

        with step("rank: pejlemaerker scores and sensitivity", quiet=quiet) as t:
            line = run_ranking(
                tmp / "impacts.csv",
                work / "rank" / "ranking.csv",
                projects_csv=tmp / "projects.csv",
                weights_spec=plan.weights,
                method=plan.method,
                normalisation=plan.normalisation,
                n_samples=plan.sensitivity or None,
                vary_normalisation=plan.sensitivity_normalisation,
                top_k=plan.top_k,
                seed=plan.seed,
            )
            if say is not None:
                say(line)
        timings["rank"] = t.get("seconds", 0.0)
        files |= _collect(work / "rank", STEP_FILES["rank"], tmp)

        if plan.has_budget:
            with step("optimise: portfolio under the budget", quiet=quiet) as t:
                ranking, portfolio = tmp / "ranking.csv", work / "portfolio" / "portfolio.csv"
                opts = dict(portfolio_options)
                opts.update(
                    projects_csv=tmp / "projects.csv",
                    project_dir=plan.projects_dir,
                    scenario=scenario,  # validated: the portfolio step does not re-read it
                    # HiGHS in-process (a dependency): CBC runs as a subprocess, and in some
                    # runs one of its threads waited 10 s on a futex before exiting (issue 17)
                    solver="auto",
                    pareto=work / "portfolio" / "frontier.csv",
                )
                for line in run_portfolio(ranking, portfolio, opts, say=say):
                    out(line)
            timings["optimise"] = t.get("seconds", 0.0)
            files |= _collect(work / "portfolio", STEP_FILES["portfolio"], tmp)
        shutil.rmtree(work)

        settings = {
            "scenario": name,
            "csv_dialect": csv_dialect,
            "xlsx": xlsx,
            "report_lang": lang,
            "workers": resolve_workers(workers),
            "projects_dir": plan.projects_dir.name,
            "only": list(plan.only),
            "weights": Path(plan.weights).stem if plan.weights else "equal",
            "method": plan.method,
            "normalisation": plan.normalisation,
            "sensitivity_samples": plan.sensitivity,
            "sensitivity_normalisation": plan.sensitivity_normalisation,
            "top_k": plan.top_k,
            "seed": plan.seed,
            "portfolio": plan.has_budget,
        }
        with step("report", quiet=quiet) as t:
            files |= finalise_run_folder(
                tmp, dialect=csv_dialect, xlsx=xlsx, settings=settings, lang=lang
            )
        timings["report"] = t.get("seconds", 0.0)
        timings["total"] = time.perf_counter() - t_start
        inputs: dict[str, str | Path] = {"scenario": scenario_path}
        inputs.update(scenario.region_files.files())
        for project_file in sorted(plan.projects_dir.glob("*.yaml")):
            inputs[f"project:{project_file.stem}"] = project_file
        if plan.weights and Path(plan.weights).is_file():
            inputs["weights"] = Path(plan.weights)
        outputs = {n: p for n, p in files.items() if p.suffix != ".json" and p.is_file()}
        write_json(
            tmp / "manifest.json",
            manifest(
                version=__version__,
                inputs=inputs,
                settings=settings,
                timings_s=timings,
                outputs=outputs,
            ),
        )
    return f"run: {name} in {timings['total']:.1f} s -> {folder}"
