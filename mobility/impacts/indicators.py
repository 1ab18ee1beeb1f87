"""The indicator rows of ``impacts.csv``: every sub-criterion of one project at least once.

:func:`indicator_rows` writes a project's effects (:class:`mobility.impacts.effects.Effects`),
its CBA (:class:`mobility.impacts.cba.CbaResult`) and the project file's judgements as the
long rows ``project_id,name,subcriterion,indicator,value,unit,basis`` (:data:`COLUMNS`);
:func:`format_value` is the fixed, deterministic number formatting of the CSV files.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mobility.errors import InputError
from mobility.impacts.appraisal import AppraisalSettings
from mobility.impacts.cba import CbaResult
from mobility.impacts.effects import Effects
from mobility.impacts.unit_prices import UnitPrices

__all__ = ["COLUMNS", "format_value", "indicator_rows"]


COLUMNS = ("project_id", "name", "subcriterion", "indicator", "value", "unit", "basis")


def _clean(value: float) -> float:
    if value == 0.0:
        return 0.0  # no negative zero
    return value


def indicator_rows(
    project: Any,
    eff: Effects,
    result: CbaResult,
    *,
    zones: Any,
    settings: AppraisalSettings,
    prices: UnitPrices,
    year: int,
) -> list[tuple[str, str, str, str, float, str, str]]:
    """The ``impacts.csv`` rows of one project (every sub-criterion at least once)."""
    rows: list[tuple[str, str, str, str, float, str, str]] = []

    def add(sub: str, indicator: str, value: float, unit: str, basis: str = "modelled") -> None:
        if math.isnan(float(value)):
            return  # undefined (no IRR, no BCR without costs): no row rather than 'nan'
        rows.append((project.id, project.name, sub, indicator, _clean(float(value)), unit, basis))

    res = np.asarray(zones.residents, dtype=np.float64)
    jobs = np.asarray(zones.jobs, dtype=np.float64)
    in_region = np.asarray(zones.in_region, dtype=bool)
    z = len(res)
    time_zone = eff.time_zone_h_year if eff.time_zone_h_year is not None else np.zeros(z)
    money_zone = eff.money_zone_dkk_year if eff.money_zone_dkk_year is not None else np.zeros(z)
    # 1.1: time gain per resident by municipality (continuous), the outer municipalities'
    # share, and the money transfers beside it (not mixed in)
    munis: dict[str, list[int]] = {}
    for i, m in enumerate(zones.municipality):
        if in_region[i]:
            munis.setdefault(m, []).append(i)
    per_muni = {
        m: float(time_zone[idx].sum() / res[idx].sum())
        for m, idx in sorted(munis.items())
        if res[idx].sum() > 0
    }
    if per_muni:
        add(
            "1.1",
            "time_gain_h_per_resident_municipal_mean",
            float(np.mean(list(per_muni.values()))),
            "h/resident/year (mean over the municipalities, each counted once)",
        )
    outer = np.array([p != "central" for p in zones.region_part]) & in_region
    gain = np.maximum(time_zone, 0.0)
    if gain[in_region].sum() > 0:
        add(
            "1.1",
            "outer_share_of_time_gain",
            float(gain[outer].sum() / gain[in_region].sum()),
            "share of the region's positive time gain",
        )
    for m, v in per_muni.items():
        add("1.1", f"time_gain_h_per_resident[{m}]", v, "h/resident/year")
    region_res = float(res[in_region].sum())
    if region_res > 0:
        add(
            "1.1",
            "money_change_dkk_per_resident",
            float(money_zone[in_region].sum()) / region_res,
            "DKK/resident/year (tolls, fares, driving costs: transfers, not scored)",
        )
    # 1.2: residents whose travel time improves, each counted once and in proportion to how
    # much (fully from the material gain of appraisal.material_benefit_h_per_resident)
    thr = settings.material_h_per_resident
    with np.errstate(divide="ignore", invalid="ignore"):
        per_res = np.where(res > 0, time_zone / np.where(res > 0, res, 1.0), 0.0)
    share = np.clip(per_res / thr, 0.0, 1.0) * in_region
    add(
        "1.2",
        "residents_benefiting",
        float((res * share).sum()),
        f"persons (weighted: 1 from {thr:g} h/resident/year of time gain, less below)",
    )
    add(
        "1.2",
        "jobs_benefiting",
        float((jobs * share).sum()),
        "jobs in the same zones (the same people at work: shown, not added)",
    )

    # 2.1: peak travel time on the scenario's well-defined relations, by mode
    total_w = sum(w for _, w in eff.corridor_peak.values())
    if total_w > 0:
        by_corridor: dict[str, list[tuple[float, float]]] = {}
        for (name, _mode), mw in eff.corridor_peak.items():
            by_corridor.setdefault(name, []).append(mw)
        means = [sum(m * w for m, w in v) / sum(w for _, w in v) for v in by_corridor.values()]
        add(
            "2.1",
            "corridor_peak_minutes_saved_per_trip",
            float(np.mean(means)),
            "min/trip (peak; trip-weighted over modes, mean over the corridors)",
        )
    for (name, mode), (minutes, _) in sorted(eff.corridor_peak.items()):
        add("2.1", f"corridor_peak_minutes_saved[{name}|{mode}]", minutes, "min/trip (peak)")
    add("2.1", "hours_saved_per_year", eff.cs_h_year, "h/year")
    add("2.1", "corridor_hours_saved_per_year", sum(eff.corridor_h_year.values()), "h/year")
    for name, hours in sorted(eff.corridor_h_year.items()):
        add("2.1", f"corridor_hours_saved_per_year[{name}]", hours, "h/year")
    annual_delay = (
        -eff.diff("delay_vh_peak")
        * eff.annual["delay_peak_hour_to_weekday"]
        * eff.annual["delay_weekdays_per_year"]
    )
    add("2.1", "car_delay_hours_saved_per_year", annual_delay, "vehicle-h/year")
    _judged(project, "2.2", add)

    days = eff.annual["traffic_days_per_year"]
    co2_year = eff.diff("co2e_t_day") * days
    add("3.1", "co2e_change_t_per_year", co2_year, "t/year")
    shifted = -(eff.proj.trips["car"] - eff.ref.trips["car"])
    add("3.1", "car_trips_shifted_per_day", shifted, "trips/day")
    add("3.1", "pt_trips_change_per_day", eff.proj.trips["pt"] - eff.ref.trips["pt"], "trips/day")
    add("3.1", "car_vkm_change_per_year", eff.diff("car_vkm_day") * days, "vehicle-km/year")
    norm = getattr(project, "construction_co2e_norm_t", None)
    if norm is not None and norm > 0:
        add(
            "3.2",
            "construction_co2e_vs_type_norm",
            project.construction_co2e_t / norm,
            "ratio (1 = the type's norm: quantities x construction_co2e_factors.csv; below 1 "
            "a documented low-CO2 choice, project file low_co2)",
        )
    else:
        add(
            "3.2",
            "construction_co2e_vs_type_norm",
            1.0,
            "ratio (no norm: the file gives its own construction CO2e, taken as the norm)",
        )
    add("3.2", "construction_co2e_t", project.construction_co2e_t, "t")
    saving = -co2_year
    payback = project.construction_co2e_t / saving if saving > 0 else 999.0
    add("3.2", "co2e_payback_years", min(payback, 999.0), "years (999 = never)")

    add(
        "4.1",
        "active_km_change_per_day",
        eff.diff("bike_km_day") + eff.diff("walk_km_day"),
        "km/day (cycled + walked)",
    )
    add("4.1", "walk_km_change_per_day", eff.diff("walk_km_day"), "km/day")
    add(
        "4.1",
        "cycle_trips_change_per_day",
        eff.proj.trips["bike"] - eff.ref.trips["bike"],
        "trips/day",
    )
    add("4.1", "cycle_km_change_per_day", eff.diff("bike_km_day"), "km/day")
    health = (
        eff.diff("bike_km_day")
        * days
        * float(prices.at("health_cycling", np.array([year]))[0])
        / 1e6
    )
    add("4.1", "health_benefit_mdkk_per_year", health, "mDKK/year")
    add(
        "4.2",
        "noise_exposure_change",
        eff.diff("noise_exposure"),
        "resident-weighted vehicles/day (local PM2.5 and NO2 exposure proxy)",
    )
    add(
        "4.2",
        "residents_exposed_change",
        eff.diff("noise_exposed"),
        "persons (proxy, Lden >= 58 dB)",
    )

    add(
        "5.1",
        "pt_time_saved_h_per_year",
        eff.pt_time_h_year,
        "person-h/year (PT travellers; in-vehicle, wait, walk and transfer time as weighted "
        "by the mode choice; fares excluded)",
    )
    add("5.1", "pt_boardings_change_per_day", eff.diff("pt_boardings_day"), "boardings/day")
    add("5.1", "jobs_reachable_pt_45min_change", eff.diff("jobs_pt_45"), "jobs (mean per resident)")
    if eff.transfers_saved_day is not None:
        add("5.2", "transfers_saved_per_day", eff.transfers_saved_day, "transfers/weekday")
    if eff.transfer_h_year is not None:
        add(
            "5.2",
            "transfer_hours_saved_per_year",
            eff.transfer_h_year,
            "h/year (out-of-vehicle time: waits and walks, incl. access)",
        )
    if eff.transfer_h_year is None or "5.2" in project.judgements:
        _judged(project, "5.2", add)

    add("6.1", "npv_mdkk", result.npv_mdkk, "mDKK")
    add("6.1", "bcr", result.bcr, "ratio")
    add("6.1", "irr_pct", result.irr_pct, "%")
    if math.isfinite(result.nnk):
        add("6.1", "nnk", result.nnk, "ratio (NPV per DKK of public funds)")
    else:
        # net public revenue (or no public cost): the public-funds NNK is undefined; the
        # return per krone of construction cost takes its place, labelled
        construction = -float((result.items["construction"] * result.discount).sum())
        if construction > 0:
            add(
                "6.1",
                "nnk",
                result.npv_mdkk / construction,
                "ratio (NPV per DKK of construction cost: the project yields a net public "
                "revenue, so NPV per DKK of public funds is undefined)",
            )
    add("6.1", "npv_high_co2_mdkk", result.npv_high_co2_mdkk, "mDKK")
    _stage_grade(project, "6.2", add)
    return rows


def _judged(project: Any, sub: str, add: Any) -> None:
    j = project.judgements.get(sub)
    if j is None:
        raise InputError(
            f"no judgement for sub-criterion {sub}, which the model does not compute",
            file=getattr(project, "path", None),
            field=f"judgements.{sub}",
            expected=f"{{level: {sub}-0 ... {sub}-4 (rubric.yaml), reason: one line}}",
        )
    add(sub, "grade", float(j.score), "grade 0-4", "judged")


def _stage_grade(project: Any, sub: str, add: Any) -> None:
    """The rule-based grade of ``sub`` (6.2): the rubric's rule on the project's planning
    stage and cost estimate (:func:`mobility.rubric.stage_grade`); a combination gets the mean
    of its parts' grades. Basis ``judged``: not modelled, on the judged 0-4 scale."""
    from mobility.rubric import load_rubric, stage_grade

    rubric = load_rubric()
    parts = getattr(project, "parts", None) or (project,)
    grade = sum(stage_grade(p, sub, rubric).grade for p in parts) / len(parts)
    rule = rubric.rules[sub]
    add(sub, rule.indicator, grade, "grade 0-4 (rule: rubric.yaml)", "judged")


def format_value(value: float) -> str:
    """Fixed, deterministic number formatting for the CSV files (``nan`` when undefined)."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
