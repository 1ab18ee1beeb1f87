"""Where the model runs of an appraisal run: this process, a pool of spawned processes, or a
Dask cluster.

A :class:`Job` is one model run named by its files (scenario, projects, model year,
tolerance), so it runs the same wherever it runs; :func:`run_job` is top-level so that spawned
processes and Dask workers can import it. Worker processes share the cores: each runs numba
with cores / workers threads.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from mobility.errors import InputError

__all__ = [
    "REFERENCE",
    "SCHEDULER_TIMEOUT",
    "Job",
    "LightResult",
    "Runner",
    "resolve_workers",
    "run_job",
    "run_job_warm",
    "usable_cores",
]

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
    #: the model year (0: the scenario's ``year``; else one of its ``forecast_years``)
    year: int = 0

    @property
    def id(self) -> tuple[str, float]:
        """The run's identity: its key and its tightening."""
        return self.key, self.tighten


@dataclass
class LightResult:
    """The parts of a model result the appraisal needs (small enough to send between
    processes): OD matrices, generalised costs, PT/bike skims, the run summary and the road
    links' volumes (:func:`mobility.demand.outputs.link_table`)."""

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
    #: purpose -> mode -> (Z, Z): person trips (production-attraction form), generalised
    #: cost in minutes and its money part in DKK, as each purpose's mode choice saw them
    od_by_purpose: dict[str, dict[str, Any]] = field(default_factory=dict)
    gen_cost_by_purpose: dict[str, dict[str, Any]] = field(default_factory=dict)
    money_by_purpose: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: purpose -> DKK per person-hour the run's mode choice used (the model year's)
    values_of_time: dict[str, float] = field(default_factory=dict)


def _light(result: Any, *, year: int, seconds: float) -> LightResult:
    from mobility.demand.outputs import link_table
    from mobility.impacts.run_summary import annual_factors, summarise

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
        annualisation=annual_factors(result),
        converged=bool(getattr(result.assignment, "converged", True)),
        rel_gap=float(getattr(result.assignment, "rel_gap", 0.0)),
        seconds=seconds,
        links=link_table(result),
        feedback_iterations=len(result.feedback),
        od_by_purpose=_nested(result.od_by_purpose),
        gen_cost_by_purpose=_nested(getattr(result, "gen_cost_by_purpose", {})),
        money_by_purpose=_nested(getattr(result, "money_by_purpose", {})),
        values_of_time={
            q: result.params.value_of_time(q) for q in getattr(result, "od_by_purpose", {})
        },
    )


def _nested(table: Any) -> dict[str, dict[str, Any]]:
    """A plain copy of a purpose -> mode -> matrix table."""
    return {q: dict(by_mode) for q, by_mode in table.items()}


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
    if job.year:
        scenario = scenario.at_year(job.year)
    if job.without:
        scenario = scenario.without(job.without)
    if job.tighten > 1.0:
        scenario = scenario.tightened(job.tighten)
    inputs = load_region(scenario.year, scenario.region_files)
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

    limit = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    numba.set_num_threads(max(1, min(threads, limit)))
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="mobility-parent-watch", daemon=True).start()


#: How long ``--scheduler`` may take to answer before the run gives up.
SCHEDULER_TIMEOUT = "30s"


class Runner:
    """Where the jobs run: in this process (``workers`` 1), in a pool of spawned processes
    started once for all batches, or on a Dask cluster."""

    def __init__(self, *, workers: int, scheduler: str | None) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self._client: Any = None
        self._pool: Any = None

    def __enter__(self) -> Runner:
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
