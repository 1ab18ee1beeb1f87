"""``mobility evaluate``: appraise every project of a catalogue against the reference scenario.

The reference is run once; every project (and every ``--combine`` set) is applied to a deep
copy of the reference inputs and run with the same demand model and convergence settings.
Jobs run in separate processes (``--workers N``, spawn context; by default one per usable CPU
core, ``--workers 1`` runs them in this process) or on a Dask cluster
(``--scheduler ADDRESS``); each job is a pure function of its files, so the results do not
depend on how they were run. Everything is validated before the first model run, and
the output folder is written atomically (nothing on failure).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import numpy as np

from mobility.errors import InputError
from mobility.scoring.ranking import PROJECTS_COLUMNS

EPILOG = """
\b
Examples:
  mobility evaluate reference_2035 --projects projects/ -o out/appraisal
  mobility evaluate reference_2035 -o out --workers 2 \\
    --combine v1_ring5_syd,c01_motorring3_kapacitet
  mobility evaluate reference_2035 -o out --scheduler tcp://127.0.0.1:8786 --cba-years
"""

IMPACT_COLUMNS = (
    "project_id",
    "name",
    "subcriterion",
    "indicator",
    "value",
    "unit",
    "basis",
    "noise_band",
)
PROJECT_COLUMNS = PROJECTS_COLUMNS  # one schema: mobility.scoring.ranking reads the file
#: ``judgements.csv``: every judged and rule-based grade with its rubric level and reason.
JUDGEMENT_COLUMNS = ("project_id", "part", "subcriterion", "level", "grade", "reason", "level_text")
CBA_COLUMNS = ("project_id", "item", "year", "value_mdkk", "pv_mdkk", "pv_noise_mdkk")
#: The noise band of every effect is its change when both runs of the pair are solved this
#: many times tighter (``model.feedback_tol`` and ``model.rel_gap`` divided by it) along an
#: independent path: the tighter reference starts cold and the tighter project runs start
#: from it, so the band also holds what depends on the solution's history (the split of
#: equilibrium flow between equal-cost paths is not unique, and the skims average over it).
#: The two tolerances are separate jobs, so ``--workers`` runs them side by side.
BAND_FACTOR = 10.0
#: Extra columns of ``link_flows/<project_id>.csv`` after those of ``link_flows.csv``.
LINK_CHANGE_COLUMNS = (
    "volume_peak_hour_base",
    "adt_base",
    "volume_peak_hour_change",
    "adt_change",
    "link_status",
)
REFERENCE = "__reference__"


@dataclass(frozen=True)
class Job:
    """One model run: the scenario file, committed projects left out of it (``without``) and
    the project files applied on top (none of either = the reference), solved at the
    scenario's tolerances or ``tighten`` times tighter (the noise band's other end)."""

    key: str
    scenario_path: str
    project_paths: tuple[str, ...]
    rel_gap: float
    without: tuple[str, ...] = ()
    #: the converged state (demand, path sets) of the reference at the same tolerance, to
    #: warm-start from (None: start cold, as the references do)
    warm: Any = None
    #: solve with ``model.feedback_tol`` and ``rel_gap`` divided by this
    tighten: float = 1.0

    @property
    def id(self) -> tuple[str, float]:
        """The run's identity: its key and its tightening."""
        return self.key, self.tighten


@dataclass
class LightResult:
    """The parts of a model result the appraisal needs (small enough to send between
    processes): OD matrices, generalised costs, PT/bike skims, the run summary and the road
    links' volumes (:func:`mobility.demand.model.link_table`)."""

    od: dict[str, Any]
    gen_cost: dict[str, Any]
    skims: dict[str, dict[str, Any]]
    summary: Any
    annualisation: dict[str, float]
    converged: bool
    rel_gap: float
    seconds: float
    links: dict[str, Any]
    #: the same run solved ``BAND_FACTOR`` times tighter (the noise band's other end)
    tight: LightResult | None = None
    #: the converged model state (demand matrices, path sets), for warm starts
    state: Any = None
    feedback_iterations: int = 0


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


def _light(result: Any, *, year: int, seconds: float) -> LightResult:
    from mobility.demand.model import link_table
    from mobility.impacts.appraisal import _annual, summarise

    skims = {}
    for mode in ("pt", "bike", "car", "walk"):
        src = result.skims.get(mode, {})
        skims[mode] = {
            k: src[k]
            for k in (
                "time_min",
                "peak_time_min",
                "length_km",
                "wait_min",
                "walk_min",
                "toll_dkk",
                "boardings",
            )
            if k in src
        }
    return LightResult(
        od={k: v for k, v in result.od.items()},
        gen_cost={k: v for k, v in result.gen_cost.items()},
        skims=skims,
        summary=summarise(result, year=year),
        annualisation=_annual(result),
        converged=bool(getattr(result.assignment, "converged", True)),
        rel_gap=float(getattr(result.assignment, "rel_gap", 0.0)),
        seconds=seconds,
        links=link_table(result),
        feedback_iterations=len(result.feedback),
    )


def run_job_warm(job: Job, warm: Any) -> tuple[tuple[str, float], LightResult]:
    """:func:`run_job` with the warm state given apart (a Dask task's scattered data)."""
    return run_job(dataclasses.replace(job, warm=warm))


def run_job(job: Job) -> tuple[tuple[str, float], LightResult]:
    """Run one job (top-level so that spawned processes and Dask workers can import it)."""
    from mobility.demand.model import run_model
    from mobility.projects import apply_projects, load_project
    from mobility.region import load_region
    from mobility.scenario import load_scenario

    start = time.perf_counter()
    scenario = load_scenario(job.scenario_path)
    if job.without:
        scenario = scenario.without(job.without)
    if job.tighten > 1.0:
        scenario = scenario.tightened(job.tighten)
    inputs = load_region(scenario.year)
    if job.project_paths:
        projects = [load_project(p, zones=inputs.zones) for p in job.project_paths]
        inputs = apply_projects(inputs, projects)
    result = run_model(
        scenario, inputs=inputs, rel_gap=job.rel_gap / job.tighten, warm_start=job.warm
    )
    light = _light(result, year=scenario.year, seconds=time.perf_counter() - start)
    light.converged = light.converged and result.converged
    light.state = result.state
    return job.id, light


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask where the OS has one)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS and Windows have no affinity call
        return max(1, os.cpu_count() or 1)


def resolve_workers(workers: int) -> int:
    """``--workers``: 0 means one process per usable core, any other number is kept."""
    if workers < 0:
        raise InputError(f"{workers} workers", field="--workers", expected="0 (auto) or more")
    return workers if workers > 0 else usable_cores()


def _worker_init(threads: int) -> None:
    """Each worker process's numba kernels share the cores with the other workers, and the
    worker ends itself when its parent is gone (``kill -9`` of ``mobility``: a spawned worker
    would otherwise wait for work forever)."""
    import os
    import threading

    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="mobility-parent-watch", daemon=True).start()


#: How long ``--scheduler`` may take to answer before the run gives up.
SCHEDULER_TIMEOUT = "30s"


class _Runner:
    """Where the jobs run: in this process (``workers`` 1), in a pool of spawned processes
    started once for all batches, or on a Dask cluster."""

    def __init__(self, *, workers: int, scheduler: str | None) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self._client: Any = None
        self._pool: Any = None

    def __enter__(self) -> _Runner:
        if self.scheduler:
            from distributed import Client

            try:
                self._client = Client(self.scheduler, timeout=SCHEDULER_TIMEOUT)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                # distributed raises OSError (no scheduler there, or the timeout), TimeoutError,
                # ValueError/TypeError (a malformed address); its message may hold a long
                # chain of reasons: print only the first line, capped
                reason = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
                raise InputError(
                    f"cannot reach a Dask scheduler at '{self.scheduler[:80]}' ({reason[:120]})",
                    field="--scheduler",
                    expected="the address of a running scheduler, e.g. tcp://127.0.0.1:8786",
                ) from None
        elif self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init,
                initargs=(max(1, usable_cores() // self.workers),),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def run(
        self, jobs: Sequence[Job], progress: Callable[[str], None]
    ) -> dict[tuple[str, float], LightResult]:
        """Run ``jobs``; calls ``progress(key)`` as each finishes (in any order)."""
        out: dict[tuple[str, float], LightResult] = {}
        for key, res in self._results(jobs):
            out[key] = res
            progress(key[0])
        return out

    def _results(self, jobs: Sequence[Job]) -> Iterator[tuple[tuple[str, float], LightResult]]:
        """Each job's ``(id, result)`` as it finishes, wherever the jobs run."""
        if self._client is not None:
            from distributed import as_completed as dask_completed

            # each warm state (several MB) goes to the cluster once, not inside every task
            states: dict[int, Any] = {}
            futures = []
            for job in jobs:
                warm = job.warm
                if warm is not None and id(warm) not in states:
                    states[id(warm)] = self._client.scatter(warm, broadcast=True)
                bare = dataclasses.replace(job, warm=None)
                futures.append(
                    self._client.submit(
                        run_job_warm,
                        bare,
                        states[id(warm)] if warm is not None else None,
                        pure=False,
                    )
                )
            for fut in dask_completed(futures):
                yield fut.result()
        elif self._pool is not None and len(jobs) > 1:
            from concurrent.futures import as_completed

            for fut in as_completed([self._pool.submit(run_job, job) for job in jobs]):
                yield fut.result()
        else:
            for job in jobs:
                yield run_job(job)


def link_change_rows(base: dict[str, Any], project: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of ``link_flows/<project_id>.csv``: the project run's links (``link_flows.csv``
    columns) with the base run's volumes and the change, matched by link id.

    ``link_status`` is ``added`` for a link only the project has, ``removed`` for one only
    the base has (its project volume, ÅDT and capacity are 0; times are the base's), and empty
    otherwise. Removed links come last, in the base's order.
    """
    from mobility.demand.model import link_flow_rows

    where = {lid: k for k, lid in enumerate(base["link_id"])}
    rows = []
    for k, row in enumerate(link_flow_rows(project)):
        b = where.get(project["link_id"][k])
        vol_b = 0.0 if b is None else float(base["volume_peak_hour"][b])
        adt_b = 0.0 if b is None else float(base["adt"][b])
        vol, adt = float(project["volume_peak_hour"][k]), float(project["adt"][k])
        rows.append((*row, *_change_cells(vol_b, adt_b, vol, adt), "added" if b is None else ""))
    kept = set(project["link_id"])
    gone = [b for b, lid in enumerate(base["link_id"]) if lid not in kept]
    table = {c: [base[c][b] for b in gone] for c in base}
    for c in ("volume_peak_hour", "adt", "capacity"):
        table[c] = [0.0] * len(gone)
    for b, row in zip(gone, link_flow_rows(table), strict=True):
        vol_b, adt_b = float(base["volume_peak_hour"][b]), float(base["adt"][b])
        rows.append((*row, *_change_cells(vol_b, adt_b, 0.0, 0.0), "removed"))
    return rows


def _change_cells(vol_b: float, adt_b: float, vol: float, adt: float) -> tuple[str, ...]:
    from mobility.demand.model import LINK_DIGITS, fixed_decimals

    dv, da = LINK_DIGITS["volume_peak_hour"], LINK_DIGITS["adt"]
    return (
        fixed_decimals(vol_b, dv),
        fixed_decimals(adt_b, da),
        fixed_decimals(vol - vol_b, dv),
        fixed_decimals(adt - adt_b, da),
    )


def judgement_rows(units: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of ``judgements.csv``: for every unit and each of its parts, the judged grades of
    its project file (2.2, 5.2) and the rule-based 6.2, with the rubric level, the reason
    and the level's description (``mobility/data/rubric.yaml``)."""
    from mobility.rubric import load_rubric, stage_grade

    rubric = load_rubric()
    rows: list[tuple[Any, ...]] = []
    for unit in units:
        parts = getattr(unit, "parts", None) or [unit]
        for p in parts:
            for sub in sorted(p.judgements):
                j = p.judgements[sub]
                text = rubric.levels[j.level].description if j.level in rubric.levels else ""
                rows.append((unit.id, p.id, sub, j.level, j.score, j.reason, text))
            for sub in sorted(rubric.rules):
                g = stage_grade(p, sub, rubric)
                text = rubric.levels[g.level].description if g.level in rubric.levels else ""
                rows.append((unit.id, p.id, sub, g.level, g.grade, g.reason, text))
    return rows


def decision_of(
    unit: Any, decided: dict[str, Any], pair: tuple[str, str], *, scenario: Any
) -> tuple[str, str]:
    """``projects.csv`` ``decision`` and ``decision_reason`` of an appraised unit.

    ``decided``: every part is a committed project of the scenario (whatever its opening
    year). ``not_appraised``: nothing of it was modelled (no network or service change, so its
    run is the reference's). Otherwise ``candidate``.
    """
    parts = getattr(unit, "parts", None) or [unit]
    if all(p.id in decided for p in parts):
        notes = []
        for p in parts:
            c = decided[p.id]
            where = (
                "in the reference network, appraised against the reference without it"
                if c.opening_year <= scenario.year
                else f"opens after {scenario.year}, appraised as an addition to the reference"
            )
            notes.append(f"{p.id}: {c.status}, opens {c.opening_year} ({where})")
        return "decided", f"committed in scenario '{scenario.name}': " + "; ".join(notes)
    if pair == (REFERENCE, REFERENCE):
        return (
            "not_appraised",
            "no network or service change the model can represent: its run is the reference's",
        )
    return "candidate", ""


def _band(value: float, tight: float | None) -> str:
    """The noise band of one number: its change between the run's tolerance and the tighter
    one (blank where there is no tighter run or the number is undefined in either)."""
    if tight is None or not (np.isfinite(value) and np.isfinite(tight)):
        return ""
    return _fmt(abs(float(value) - float(tight)))


def noise_bands(rows: Sequence[Sequence[Any]], tight: Sequence[Sequence[Any]] | None) -> list[str]:
    """The ``noise_band`` cell of each ``impacts.csv`` row: ``|value - value at the tighter
    tolerance|`` for modelled numbers (rows matched by sub-criterion and indicator), blank for
    judged rows and where the tighter run has no such row."""
    if tight is None:
        return [""] * len(rows)
    where = {(r[2], r[3]): r[4] for r in tight}
    out = []
    for r in rows:
        other = where.get((r[2], r[3]))
        numeric = isinstance(r[4], float | int) and isinstance(other, float | int)
        out.append(_band(float(r[4]), float(other)) if numeric and r[6] == "modelled" else "")
    return out


def _fmt(value: Any) -> str:
    from mobility.impacts.appraisal import format_value

    if isinstance(value, float):
        return format_value(value)
    return str(value)


def run_evaluation(
    scenario_path: Path,
    projects_dir: Path,
    out_dir: Path,
    *,
    combine: Iterable[str] = (),
    workers: int = 0,
    scheduler: str | None = None,
    cba_years: bool = False,
    quiet: bool = False,
    only: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Evaluate a catalogue; returns a summary (times, counts). See the module docstring."""
    from mobility import __version__
    from mobility.demand.model import LINK_COLUMNS
    from mobility.fileio import (
        atomic_output_dir,
        check_output_dir,
        contained_path,
        manifest,
        write_csv,
        write_json,
    )
    from mobility.gis import write_link_changes_map
    from mobility.impacts import cba
    from mobility.impacts.appraisal import (
        Combined,
        cba_inputs,
        effects,
        indicator_rows,
        settings_from_scenario,
    )
    from mobility.projects import apply_projects, load_catalogue
    from mobility.region import load_region
    from mobility.scenario import load_scenario

    t0 = time.perf_counter()
    check_output_dir(out_dir, inputs=[scenario_path, projects_dir])
    workers = resolve_workers(workers)
    scenario = load_scenario(scenario_path)
    ref_inputs = load_region(scenario.year)
    settings = settings_from_scenario(scenario, ref_inputs.zones)
    prices = cba.load_unit_prices()
    catalogue = load_catalogue(projects_dir, zones=ref_inputs.zones, scenario=scenario)
    by_id = {p.id: p for p in catalogue}
    if only:
        for i, pid in enumerate(only):
            if pid not in by_id:
                raise InputError(f"unknown project id '{pid}'", field=f"--only[{i}]")
        catalogue = [by_id[pid] for pid in only]
    units: list[Any] = list(catalogue)
    for spec in combine:
        ids = [s.strip() for s in spec.split(",") if s.strip()]
        if len(ids) < 2:
            raise InputError(
                f"'{spec}' names fewer than two projects",
                field="--combine",
                expected="two or more comma-separated project ids",
            )
        for pid in ids:
            if pid not in by_id:
                raise InputError(
                    f"unknown project id '{pid}'",
                    field="--combine",
                    expected="ids of the catalogue",
                )
        units.append(Combined(tuple(by_id[pid] for pid in ids)))
    # validate every network change against the reference network before any model run
    for unit in units:
        parts = getattr(unit, "parts", None) or [unit]
        apply_projects(ref_inputs, parts)
    rel_gap = min(scenario.settings.rel_gap, 1e-5)
    spath = str(Path(scenario_path).resolve())
    committed = {c.id for c in scenario.committed if c.opening_year <= scenario.year}
    decided = {c.id: c for c in scenario.committed}
    jobs: dict[str, Job] = {REFERENCE: Job(REFERENCE, spath, (), rel_gap)}
    pairs: dict[str, tuple[str, str]] = {}
    for unit in units:
        parts = getattr(unit, "parts", None) or [unit]
        # a project the scenario already holds (decided, e.g. V2/V3 in reference_2035) is
        # appraised as the reference against the reference without it
        drop = tuple(sorted(p.id for p in parts if p.id in committed))
        # a project without network changes runs exactly as the reference: reuse that run
        add = tuple(
            str(Path(p.path).resolve()) for p in parts if p.id not in committed and p.changes
        )
        base_key = REFERENCE if not drop else "__without__" + "+".join(drop)
        if drop:
            jobs.setdefault(base_key, Job(base_key, spath, (), rel_gap, drop))
        proj_key = REFERENCE if not add else unit.id
        if add:
            jobs[proj_key] = Job(proj_key, spath, add, rel_gap)
        pairs[unit.id] = (base_key, proj_key)
    import dataclasses

    from tqdm import tqdm

    bar = tqdm(
        total=len(jobs),
        file=sys.stderr,
        disable=quiet,
        unit="run",
        desc="evaluate",
        dynamic_ncols=True,
    )

    def progress(key: str) -> None:
        bar.set_postfix_str(key[:30])
        bar.update(1)

    levels = (1.0, BAND_FACTOR)
    t_models = time.perf_counter()
    try:
        with _Runner(workers=workers, scheduler=scheduler) as runner:
            # the references first (both start cold, so they run side by side): every other
            # run starts from the reference's converged state at its own tolerance
            refs = runner.run(
                [dataclasses.replace(jobs[REFERENCE], tighten=f) for f in levels],
                progress=lambda key: None,
            )
            progress(REFERENCE)
            others = [
                dataclasses.replace(job, warm=refs[REFERENCE, f].state, tighten=f)
                for key, job in jobs.items()
                if key != REFERENCE
                for f in levels
            ]
            done: set[str] = set()

            def half(key: str) -> None:
                # a pair counts once both its tolerances are in
                if key in done:
                    progress(key)
                done.add(key)

            runs_by_id = refs | runner.run(others, progress=half)
    finally:
        bar.close()
    t_models = time.perf_counter() - t_models
    results: dict[str, LightResult] = {}
    for (key, f), res in sorted(runs_by_id.items()):
        res.state = None  # not needed any more
        if f == 1.0:
            results[key] = res
        else:
            results[key].tight = res
    runs = {
        k: (r.feedback_iterations, r.tight.feedback_iterations if r.tight else 0)
        for k, r in results.items()
    }

    impact_rows: list[tuple[str, ...]] = []
    project_rows: list[tuple[str, ...]] = []
    cba_rows: list[tuple[str, ...]] = []
    not_converged = [k for k, r in results.items() if not r.converged] + [
        f"{k} (tighter)"
        for k, r in results.items()
        if r.tight is not None and not r.tight.converged
    ]

    def appraise_pair(unit: Any, base: LightResult, proj: LightResult) -> tuple[list, Any]:
        eff = effects(
            _View(base, ref_inputs), _View(proj, ref_inputs), settings=settings, year=scenario.year
        )
        res = cba.appraise(
            cba_inputs(unit, eff, prices), prices=prices, base_year=settings.discount_base_year
        )
        rows = indicator_rows(
            unit,
            eff,
            res,
            zones=ref_inputs.zones,
            settings=settings,
            prices=prices,
            year=scenario.year,
        )
        return list(rows), res

    for unit in units:
        base_key, proj_key = pairs[unit.id]
        base, proj = results[base_key], results[proj_key]
        rows, res = appraise_pair(unit, base, proj)
        rows_t, res_t = (
            appraise_pair(unit, base.tight, proj.tight)
            if base.tight is not None and proj.tight is not None
            else (None, None)
        )
        bands = noise_bands(rows, rows_t)
        for row, band in zip(rows, bands, strict=True):
            impact_rows.append((*(_fmt(v) for v in row), band))
        growth = 1.0 + prices["price_index_growth"] / 100.0
        parts = getattr(unit, "parts", None) or [unit]
        capex = sum(
            p.capex_mdkk * growth ** (prices.base_price_year - p.capex_price_year) for p in parts
        )
        project_rows.append(
            tuple(
                _fmt(v)
                for v in (
                    unit.id,
                    unit.name,
                    unit.kind,
                    unit.status,
                    ";".join(unit.municipalities),
                    unit.opening_year,
                    float(capex),
                    float(unit.opex_mdkk_per_year),
                    float(unit.construction_co2e_t),
                    unit.region_part,
                    *decision_of(unit, decided, pairs[unit.id], scenario=scenario),
                )
            )
        )
        for item in cba.ITEMS:
            values = res.items[item]
            pv = float((values * res.discount).sum())
            cba_rows.append(
                (
                    *(_fmt(v) for v in (unit.id, item, "all", float(values.sum()), pv)),
                    _band(
                        pv,
                        None
                        if res_t is None
                        else float((res_t.items[item] * res_t.discount).sum()),
                    ),
                )
            )
            if cba_years:
                for k, year in enumerate(res.years.tolist()):
                    cba_rows.append(
                        tuple(
                            _fmt(v)
                            for v in (
                                unit.id,
                                item,
                                year,
                                float(values[k]),
                                float(values[k] * res.discount[k]),
                                "",
                            )
                        )
                    )
        # decision measures: mDKK in pv_mdkk (nnk, bcr: ratios; irr_pct: %); nan = undefined
        tight_measures = cba.measures(res_t) if res_t is not None else {}
        for item, value in cba.measures(res).items():
            cba_rows.append(
                (
                    unit.id,
                    item,
                    "all",
                    "",
                    _fmt(float(value)),
                    _band(float(value), tight_measures.get(item)),
                )
            )

    with atomic_output_dir(out_dir, inputs=[scenario_path, projects_dir]) as tmp:
        paths = {
            "impacts.csv": write_csv(tmp / "impacts.csv", IMPACT_COLUMNS, impact_rows),
            "projects.csv": write_csv(tmp / "projects.csv", PROJECT_COLUMNS, project_rows),
            "cba.csv": write_csv(tmp / "cba.csv", CBA_COLUMNS, cba_rows),
            "judgements.csv": write_csv(
                tmp / "judgements.csv", JUDGEMENT_COLUMNS, judgement_rows(units)
            ),
        }
        (tmp / "link_flows").mkdir()
        change_tables = {}
        for unit in units:
            base_key, proj_key = pairs[unit.id]
            name = f"link_flows/{unit.id}.csv"
            change_tables[unit.id] = (
                (*LINK_COLUMNS, *LINK_CHANGE_COLUMNS),
                link_change_rows(results[base_key].links, results[proj_key].links),
            )
            paths[name] = write_csv(contained_path(tmp, name), *change_tables[unit.id])
        paths["map.gpkg"] = write_link_changes_map(
            contained_path(tmp, "map.gpkg"), change_tables, roads=ref_inputs.roads
        )
        inputs = {"scenario": scenario_path, "unit_prices": prices.path}
        for unit in catalogue:
            inputs[f"project:{unit.id}"] = unit.path
        write_json(
            tmp / "manifest.json",
            manifest(
                version=__version__,
                inputs=inputs,
                settings={
                    "rel_gap": rel_gap,
                    "workers": workers,
                    "scheduler": scheduler or "",
                    "combine": list(combine),
                    "discount_base_year": settings.discount_base_year,
                    "cba_price_year": prices.base_price_year,
                    "capex_mdkk": f"incl. reserve, {prices.base_price_year} prices",
                    "material_benefit_h_per_resident": settings.material_h_per_resident,
                    "corridors": [c.name for c in settings.corridors],
                    "not_converged": sorted(not_converged),
                    "run_rel_gap": {k: r.rel_gap for k, r in sorted(results.items())},
                    "feedback_iterations": {k: list(v) for k, v in sorted(runs.items())},
                    "noise_band": (
                        f"each effect's change when both runs are solved {BAND_FACTOR:g} times "
                        "tighter (model.feedback_tol and model.rel_gap), from their converged "
                        "states"
                    ),
                    "approximations": "noise/particles are an exposure proxy; [M] unit prices are "
                    "estimates (see mobility/data/unit_prices.csv)",
                },
                timings_s={"total": time.perf_counter() - t0, "models": t_models},
                outputs={k: v for k, v in paths.items()},
            ),
        )
    return {
        "projects": len(units),
        "seconds": time.perf_counter() - t0,
        "model_seconds": t_models,
        "not_converged": not_converged,
    }


class _View:
    """A LightResult seen as a model result by :func:`mobility.impacts.appraisal.effects`."""

    def __init__(self, light: LightResult, inputs: Any) -> None:
        self.od = light.od
        self.gen_cost = light.gen_cost
        self.skims = light.skims
        self.summary = light.summary
        self.annualisation = light.annualisation
        self.inputs = inputs


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
        extra = ""
        if summary["not_converged"]:
            extra = f"; NOT converged: {', '.join(summary['not_converged'])}"
        click.echo(
            f"evaluated {summary['projects']} project(s) in {summary['seconds']:.1f} s "
            f"-> {out_dir}{extra}",
            err=True,
        )
