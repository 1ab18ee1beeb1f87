"""``mobility run``: the whole decision basis for one scenario, in one output folder.

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

import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def read_plan(scenario_path: Path) -> RunPlan:
    """Read the ``appraisal``/``scoring``/``portfolio`` choices of a scenario file.

    Raises
    ------
    InputError
        Naming the scenario file and the field that is wrong.
    """
    from mobility.errors import shown
    from mobility.resources import bundled_dir
    from mobility.scenario import load_scenario
    from mobility.scoring.mcda import METHODS
    from mobility.scoring.normalise import DEFAULT_METHOD, SCENARIO_METHODS

    scenario = load_scenario(scenario_path)
    base = scenario_path.resolve().parent
    appraisal = scenario.section("appraisal")
    projects_dir = bundled_dir("projects")
    only: tuple[str, ...] = ()
    if appraisal is not None:
        folder = appraisal.str("projects", None)
        if folder is not None:
            projects_dir = (base / folder).resolve()
            if not projects_dir.is_dir():
                raise appraisal.error("projects", f"folder '{projects_dir}' not found")
        values = appraisal.list("only", [])
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, str | int):
                raise appraisal.error(
                    f"only[{i}]", f"has value {shown(v)}", expected="a project id"
                )
        only = tuple(str(v) for v in values)
    scoring = scenario.section("scoring")
    weights, method, sensitivity, top_k, seed = None, "weighted_sum", 0, 5, 0
    normalisation, vary_normalisation = DEFAULT_METHOD, False
    if scoring is not None:
        scoring.check_unknown(
            (
                "weights",
                "method",
                "normalisation",
                "sensitivity",
                "sensitivity_normalisation",
                "top_k",
                "seed",
                "source",
            )
        )
        weights = scoring.str("weights", None)
        if weights is not None and ("/" in weights or weights.endswith((".yaml", ".yml"))):
            weights = str((base / weights).resolve())
        method = scoring.str("method", method, choices=METHODS)
        normalisation = scoring.str("normalisation", normalisation, choices=SCENARIO_METHODS)
        sensitivity = scoring.number("sensitivity", 0, minimum=0, integer=True)
        vary_normalisation = scoring.bool("sensitivity_normalisation", False)
        if vary_normalisation and not sensitivity:
            raise scoring.error(
                "sensitivity_normalisation",
                "is true but there are no draws to vary it in",
                expected="sensitivity > 0, or false",
            )
        top_k = scoring.number("top_k", 5, minimum=1, integer=True)
        seed = scoring.number("seed", 0, minimum=0, integer=True)
    portfolio = scenario.section("portfolio")
    has_budget = portfolio is not None and portfolio.raw("budget_mdkk", None) is not None
    return RunPlan(
        projects_dir,
        only,
        weights,
        method,
        sensitivity,
        top_k,
        seed,
        has_budget,
        normalisation,
        vary_normalisation,
    )


def check_plan(plan: RunPlan, scenario_path: Path) -> None:
    """Validate everything a run needs before any model computes (well under a second):
    the appraisal settings (corridors) against the zones, every project file of the
    catalogue and the ids of ``appraisal.only``, the weights profile and the portfolio
    section.

    Raises
    ------
    InputError
        The first problem, naming its file and field.
    """
    from mobility.impacts.appraisal import settings_from_scenario
    from mobility.projects import load_catalogue
    from mobility.region.zones import load_zones
    from mobility.scenario import load_scenario
    from mobility.scoring.portfolio import read_scenario_portfolio
    from mobility.scoring.weights import resolve_weights

    scenario = load_scenario(scenario_path)
    zones = load_zones(scenario.year)
    settings_from_scenario(scenario, zones)
    # every project file, and its opening year against the scenario's base year; the
    # appraisal.only ids named in the scenario's own field (not as evaluate's --only)
    ids = {p.id for p in load_catalogue(plan.projects_dir, zones=zones, scenario=scenario)}
    appraisal = scenario.section("appraisal")
    for i, pid in enumerate(plan.only):
        if pid not in ids and appraisal is not None:
            raise appraisal.error(
                f"only[{i}]",
                f"unknown project id '{pid[:80]}'",
                expected=f"an id of the project files in {plan.projects_dir}",
            )
    resolve_weights(plan.weights)
    read_scenario_portfolio(scenario_path)


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
    from mobility import __version__
    from mobility.commands.evaluate import evaluate, resolve_workers
    from mobility.commands.model import model, resolve_scenario
    from mobility.commands.optimise import optimise
    from mobility.commands.rank import rank
    from mobility.fileio import atomic_output_dir, check_output_dir, manifest, write_json
    from mobility.gis import LINK_CHANGE_LAYER, copy_layer
    from mobility.progress import step
    from mobility.report.html import finalise_run_folder
    from mobility.scenario import load_scenario

    quiet = bool((ctx.obj or {}).get("quiet", False))
    scenario_path = resolve_scenario(scenario).resolve()
    plan = read_plan(scenario_path)
    check_plan(plan, scenario_path)  # before any model computes
    name = load_scenario(scenario_path).name
    folder = output if output is not None else Path("out") / name
    check_output_dir(folder, inputs=[scenario_path, plan.projects_dir])
    timings: dict[str, float] = {}
    t_start = time.perf_counter()
    with _sigterm_as_exit(), atomic_output_dir(folder, inputs=[scenario_path]) as tmp:
        work = tmp / ".steps"
        files: dict[str, Path] = {}
        with step("model: reference scenario", quiet=quiet) as t:
            ctx.invoke(model, scenario=str(scenario_path), output=work / "model")
        timings["model"] = t.get("seconds", 0.0)
        files |= _collect(work / "model", STEP_FILES["model"], tmp)

        with step("evaluate: projects against the reference", quiet=quiet) as t:
            ctx.invoke(
                evaluate,
                scenario=str(scenario_path),
                projects_dir=str(plan.projects_dir),
                out_dir=str(work / "evaluate"),
                only=",".join(plan.only) or None,
                workers=workers,
            )
        timings["evaluate"] = t.get("seconds", 0.0)
        files |= _collect(work / "evaluate", STEP_FILES["evaluate"], tmp)
        if (tmp / "map.gpkg").is_file() and (work / "evaluate" / "map.gpkg").is_file():
            # one map: evaluate's per-project link changes beside the model's layers
            copy_layer(work / "evaluate" / "map.gpkg", tmp / "map.gpkg", LINK_CHANGE_LAYER)

        with step("rank: pejlemaerker scores and sensitivity", quiet=quiet) as t:
            ctx.invoke(
                rank,
                impacts=tmp / "impacts.csv",
                projects_csv=tmp / "projects.csv",
                weights_spec=plan.weights,
                method=plan.method,
                normalisation=plan.normalisation,
                n_samples=plan.sensitivity or None,
                vary_normalisation=plan.sensitivity_normalisation,
                top_k=plan.top_k,
                seed=plan.seed,
                output=work / "rank" / "ranking.csv",
            )
        timings["rank"] = t.get("seconds", 0.0)
        files |= _collect(work / "rank", STEP_FILES["rank"], tmp)

        if plan.has_budget:
            with step("optimise: portfolio under the budget", quiet=quiet) as t:
                ctx.invoke(
                    optimise,
                    ranking=tmp / "ranking.csv",
                    output=work / "portfolio" / "portfolio.csv",
                    projects_csv=tmp / "projects.csv",
                    project_dir=plan.projects_dir,
                    scenario=scenario_path,
                    # HiGHS in-process (a dependency): CBC runs as a subprocess, and in some
                    # runs one of its threads waited 10 s on a futex before exiting (issue 17)
                    solver="auto",
                    pareto=work / "portfolio" / "frontier.csv",
                )
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
    if not quiet:
        click.echo(f"run: {name} in {timings['total']:.1f} s -> {folder}", err=True)
