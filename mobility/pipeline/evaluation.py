"""The appraisal pipeline: every project of a catalogue against the reference scenario.

The reference is run once per model year; every project (and every combination) is applied to
a deep copy of the reference inputs and run with the same demand model and convergence
settings, in the scenario year and each of its ``forecast_years`` (the growth path). The runs
are :class:`mobility.pipeline.runner.Job` s: in separate processes, one per usable CPU core by
default, or on a Dask cluster; each job is a pure function of its files, so the results do not
depend on how they were run. Everything is validated before the first model run, and the
output folder is written atomically (nothing on failure). ``mobility evaluate`` and
``mobility run`` call :func:`run_evaluation`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mobility.errors import InputError
from mobility.pipeline.plan import _is_reference, _pairs
from mobility.pipeline.runner import Job, LightResult, Runner, resolve_workers
from mobility.pipeline.tables import (
    CBA_COLUMNS,
    IMPACT_COLUMNS,
    JUDGEMENT_COLUMNS,
    LINK_CHANGE_COLUMNS,
    PROJECT_COLUMNS,
    _band,
    _fmt,
    decision_of,
    judgement_rows,
    link_change_rows,
    noise_bands,
)

__all__ = ["BAND_FACTOR", "run_evaluation", "summary_line"]

#: The noise band of every effect is its change when both runs of the pair are solved this
#: many times tighter (``model.feedback_tol`` and ``model.rel_gap`` divided by it) along an
#: independent path: the tighter reference starts cold and the tighter project runs start
#: from it, so the band also holds what depends on the solution's history (the split of
#: equilibrium flow between equal-cost paths is not unique, and the skims average over it).
#: The two tolerances are separate jobs, so ``--workers`` runs them side by side.
BAND_FACTOR = 10.0


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
    from mobility.demand.outputs import LINK_COLUMNS
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
    from mobility.impacts.appraisal import settings_from_scenario
    from mobility.impacts.cba_inputs import cba_inputs
    from mobility.impacts.combined import Combined
    from mobility.impacts.effects import effects
    from mobility.impacts.indicators import indicator_rows
    from mobility.projects import apply_projects, load_catalogue
    from mobility.region import load_region
    from mobility.scenario import load_scenario

    t0 = time.perf_counter()
    check_output_dir(out_dir, inputs=[scenario_path, projects_dir])
    workers = resolve_workers(workers)
    scenario = load_scenario(scenario_path)
    ref_inputs = load_region(scenario.year, scenario.region_files)
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
    decided = {c.id: c for c in scenario.committed}
    # the growth path: every pair is run in the scenario year and in each forecast year
    years = scenario.model_years
    later_inputs = {y: load_region(y, scenario.region_files) for y in years[1:]}
    jobs: dict[str, Job] = {}
    pairs_by_year: dict[int, dict[str, tuple[str, str]]] = {}
    for year in years:
        tag = "" if year == scenario.year else f"@{year}"
        code = 0 if year == scenario.year else year
        pairs_by_year[year] = _pairs(units, scenario, year, spath, rel_gap, tag, code, jobs)
    pairs = pairs_by_year[scenario.year]
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
        with Runner(workers=workers, scheduler=scheduler) as runner:
            # the references first (both start cold, so they run side by side): every other
            # run starts from the reference's converged state at its own tolerance
            ref_keys = {job.year: key for key, job in jobs.items() if _is_reference(key)}
            refs = runner.run(
                [
                    dataclasses.replace(jobs[k], tighten=f)
                    for k in ref_keys.values()
                    for f in levels
                ],
                progress=lambda key: None,
            )
            for key in ref_keys.values():
                progress(key)
            others = [
                dataclasses.replace(job, warm=refs[ref_keys[job.year], f].state, tighten=f)
                for key, job in jobs.items()
                if not _is_reference(key)
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

    def appraise_pair(
        unit: Any, base: LightResult, proj: LightResult, later: dict[int, tuple[Any, Any]]
    ) -> tuple[list, Any]:
        eff = effects(
            _View(base, ref_inputs), _View(proj, ref_inputs), settings=settings, year=scenario.year
        )
        path = {
            y: effects(
                _View(b, later_inputs[y]), _View(p, later_inputs[y]), settings=settings, year=y
            )
            for y, (b, p) in later.items()
        }
        res = cba.appraise(
            cba_inputs(unit, eff, prices, later=path),
            prices=prices,
            base_year=settings.discount_base_year,
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
        later = {
            y: (results[pairs_by_year[y][unit.id][0]], results[pairs_by_year[y][unit.id][1]])
            for y in years[1:]
        }
        rows, res = appraise_pair(unit, base, proj, later)
        tight_later = {y: (b.tight, p.tight) for y, (b, p) in later.items()}
        rows_t, res_t = (
            appraise_pair(unit, base.tight, proj.tight, tight_later)  # type: ignore[arg-type]
            if all(
                r.tight is not None for r in (base, proj, *(x for bp in later.values() for x in bp))
            )
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
        inputs: dict[str, str | Path] = {"scenario": scenario_path, "unit_prices": prices.path}
        inputs.update(scenario.region_files.files())
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
                    "model_years": list(years),
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
    """A LightResult seen as a model result by :func:`mobility.impacts.effects.effects`."""

    def __init__(self, light: LightResult, inputs: Any) -> None:
        self.od = light.od
        self.gen_cost = light.gen_cost
        self.od_by_purpose = light.od_by_purpose
        self.gen_cost_by_purpose = light.gen_cost_by_purpose
        self.money_by_purpose = light.money_by_purpose
        self.values_of_time = light.values_of_time
        self.skims = light.skims
        self.summary = light.summary
        self.annualisation = light.annualisation
        self.inputs = inputs


def summary_line(summary: dict[str, Any], out_dir: str | Path) -> str:
    """The line ``evaluate`` (and ``run``'s evaluate step) prints when it is done."""
    extra = ""
    if summary["not_converged"]:
        extra = f"; NOT converged: {', '.join(summary['not_converged'])}"
    return (
        f"evaluated {summary['projects']} project(s) in {summary['seconds']:.1f} s "
        f"-> {out_dir}{extra}"
    )
