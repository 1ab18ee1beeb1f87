"""Compare a project run with the reference run: the effects behind every pejlemærke.

:func:`effects` turns two model results (reference, project; each a
:class:`mobility.demand.results.ModelResult` or any object with the same fields) into the
physical differences (:class:`Effects`); :func:`mobility.impacts.indicators.indicator_rows`
writes them as the long rows of ``impacts.csv``
(``project_id,name,subcriterion,indicator,value,unit,basis``) together with the CBA of
:mod:`mobility.impacts.cba` and the project file's judgements.

Definitions (project minus reference; per weekday unless the unit says per year):

* consumer surplus, rule of half over modes: ``CS = sum_m sum_ij 1/2 (T0 + T1) (C0 - C1)``
  with ``T`` the person trips and ``C`` the generalised cost in minutes of mode ``m``
  (cells where both costs are finite). Annualised with ``delay_weekdays_per_year`` for car
  (benefits come mostly from weekday congestion relief) and ``traffic_days_per_year`` for the
  other modes (scenario ``annualisation``).
* a zone's benefit is half of its row and half of its column of the CS matrix; a zone or a
  municipality benefits *materially* when its benefit per resident is at least
  ``appraisal.material_benefit_h_per_resident`` hours per year (default 0.25 h, an estimate);
  outer municipalities are the Region H municipalities outside København and Frederiksberg.
* car traffic, CO2e, tolls, noise: from the peak-hour road assignment, weekday = peak hour /
  ``peak_hour_share``, year = weekday x ``traffic_days_per_year``; CO2e with
  :func:`mobility.impacts.emissions.co2e_g_per_vkm` at each link's congested speed and the
  scenario fleet's EV share, plus the transit service CO2e of the lines
  (:mod:`mobility.impacts.run_summary`).
* corridors (scenario ``appraisal.corridors``: ``{name, from: [zones], to: [zones]}``, zone or
  municipality names, both directions): consumer surplus on those OD pairs only.
* 5.2 transfers: out-of-vehicle time (waits incl. transfer waits, walks incl. transfer walks)
  saved by PT travellers (rule of half on ``wait_min + walk_min`` of the PT skim); judged from
  the project file where the model result has no such skim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mobility.demand.generation import PURPOSES
from mobility.impacts.appraisal import AppraisalSettings, Corridor
from mobility.impacts.run_summary import (
    MODES,
    RunSummary,
    annual_factors,
    money_matrix,
    run_parameters,
    summarise,
)

__all__ = [
    "CORRIDOR_TIME_SKIM",
    "Effects",
    "corridor_mask",
    "effects",
    "model_value_of_time",
]


def _rule_of_half(t0: np.ndarray, t1: np.ndarray, c0: np.ndarray, c1: np.ndarray) -> np.ndarray:
    ok = np.isfinite(c0) & np.isfinite(c1)
    out = np.zeros(np.shape(t0))
    out[ok] = 0.5 * (t0[ok] + t1[ok]) * (c0[ok] - c1[ok])
    return out


@dataclass
class Effects:
    """Project-minus-reference effects (see module docstring for definitions)."""

    cs_h_year: float
    cs_zone_h_year: np.ndarray
    corridor_h_year: dict[str, float]
    transfer_h_year: float | None
    ref: RunSummary
    proj: RunSummary
    annual: dict[str, float]
    time_h_year: float = 0.0
    money_dkk_year: float = 0.0
    foreign_h_year: float = 0.0
    foreign_dkk_year: float = 0.0
    year: int | None = None
    #: (Z,) time part of the surplus (person-hours per year) and its money part (DKK per
    #: year) by zone: half of each zone's row and half of its column
    time_zone_h_year: np.ndarray | None = None
    money_zone_dkk_year: np.ndarray | None = None
    #: PT travellers' time saved, weighted as the mode choice weighs it (in-vehicle, wait,
    #: walk and transfer penalties), fares excluded; person-hours per year
    pt_time_h_year: float = 0.0
    #: (corridor, mode) -> (peak minutes saved per trip, weekday trips weighting it)
    corridor_peak: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    #: PT transfers saved per weekday (rule of half on boardings - 1); None without the skim
    transfers_saved_day: float | None = None
    #: purpose -> the time part of the surplus (person-hours per year), all users and the
    #: users resident abroad; each is valued at its purpose's value of time in the CBA
    time_h_by_purpose: dict[str, float] = field(default_factory=dict)
    foreign_h_by_purpose: dict[str, float] = field(default_factory=dict)

    def extra(self, name: str) -> float:
        """Project minus reference of one :attr:`RunSummary.extra` entry (0 if absent)."""
        return float(self.proj.extra.get(name, 0.0) - self.ref.extra.get(name, 0.0))

    def diff(self, name: str) -> float:
        """Project minus reference of a :class:`RunSummary` field."""
        return float(getattr(self.proj, name) - getattr(self.ref, name))


def effects(ref: Any, proj: Any, *, settings: AppraisalSettings, year: int) -> Effects:
    """Compare two model results of the same zones."""
    ann = annual_factors(ref)
    z = len(ref.inputs.zones.zone_id)
    cs = np.zeros((z, z))
    for cell in _surplus_cells(ref, proj):
        per_year = (
            ann["delay_weekdays_per_year"] if cell.mode == "car" else ann["traffic_days_per_year"]
        )
        cs += per_year / 60.0 * _rule_of_half(cell.t0, cell.t1, cell.c0, cell.c1)
    zone_cs = 0.5 * (cs.sum(axis=1) + cs.sum(axis=0))
    split = _money_time_split(ref, proj, ann)
    corridors = {}
    for c in settings.corridors:
        corridors[c.name] = float(cs[corridor_mask(c, z)].sum())
    transfer = None
    rs, ps = ref.skims.get("pt", {}), proj.skims.get("pt", {})
    if all(k in rs and k in ps for k in ("wait_min", "walk_min")) and "pt" in ref.od:
        x0 = np.asarray(rs["wait_min"]) + np.asarray(rs["walk_min"])
        x1 = np.asarray(ps["wait_min"]) + np.asarray(ps["walk_min"])
        transfer = float(
            ann["traffic_days_per_year"]
            / 60.0
            * _rule_of_half(np.asarray(ref.od["pt"]), np.asarray(proj.od["pt"]), x0, x1).sum()
        )
    days = ann["traffic_days_per_year"]
    parts = _time_money(ref, proj)
    t_mat = sum((v[0] for v in parts.values()), np.zeros((z, z)))
    c_mat = sum((v[1] for v in parts.values()), np.zeros((z, z)))
    zone_time = 0.5 * (t_mat.sum(axis=1) + t_mat.sum(axis=0)) / 60.0 * days
    zone_money = 0.5 * (c_mat.sum(axis=1) + c_mat.sum(axis=0)) * days
    pt_time = sum(float(v[0].sum()) for (_q, m), v in parts.items() if m == "pt") / 60.0 * days
    corridor_peak = _corridor_peak(ref, proj, settings.corridors)
    transfers = None
    if "boardings" in rs and "boardings" in ps and "pt" in ref.od:
        transfers = float(
            _rule_of_half(
                np.asarray(ref.od["pt"]),
                np.asarray(proj.od["pt"]),
                np.asarray(rs["boardings"], dtype=np.float64),
                np.asarray(ps["boardings"], dtype=np.float64),
            ).sum()
        )
    return Effects(
        time_zone_h_year=zone_time,
        money_zone_dkk_year=zone_money,
        pt_time_h_year=pt_time,
        corridor_peak=corridor_peak,
        transfers_saved_day=transfers,
        cs_h_year=float(cs.sum()),
        cs_zone_h_year=zone_cs,
        corridor_h_year=corridors,
        transfer_h_year=transfer,
        ref=getattr(ref, "summary", None) or summarise(ref, year=year),
        proj=getattr(proj, "summary", None) or summarise(proj, year=year),
        annual=ann,
        time_h_year=sum(split[0].values()),
        money_dkk_year=split[1],
        foreign_h_year=sum(split[2].values()),
        foreign_dkk_year=split[3],
        time_h_by_purpose=split[0],
        foreign_h_by_purpose=split[2],
        year=year,
    )


def corridor_mask(corridor: Corridor, n_zones: int) -> np.ndarray:
    """(Z, Z) True on the corridor's OD pairs, both directions."""
    mask = np.zeros((n_zones, n_zones), dtype=bool)
    o = np.array(corridor.origins, dtype=np.int64)
    d = np.array(corridor.destinations, dtype=np.int64)
    mask[np.ix_(o, d)] = True
    mask[np.ix_(d, o)] = True
    return mask


#: The skim each mode's corridor travel time comes from: the car's morning peak, the others'
#: (PT runs to its timetable; cycling and walking do not congest).
CORRIDOR_TIME_SKIM = {
    "car": "peak_time_min",
    "pt": "time_min",
    "bike": "time_min",
    "walk": "time_min",
}


def _corridor_peak(
    ref: Any, proj: Any, corridors: Sequence[Corridor]
) -> dict[tuple[str, str], tuple[float, float]]:
    """Per corridor and mode: the trip-weighted mean peak travel time saved per trip
    (minutes, reference minus project, over the corridor's OD pairs in both directions,
    weights ``(T0 + T1) / 2``) and the weekday trips behind it. Modes without a time skim
    or without trips on the corridor are left out."""
    z = len(ref.inputs.zones.zone_id)
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for c in corridors:
        mask = corridor_mask(c, z)
        for m in MODES:
            key = CORRIDOR_TIME_SKIM[m]
            rs, ps = ref.skims.get(m, {}), proj.skims.get(m, {})
            if key not in rs or key not in ps or m not in ref.od or m not in proj.od:
                continue
            t0, t1 = np.asarray(rs[key], dtype=np.float64), np.asarray(ps[key], dtype=np.float64)
            w = 0.5 * (np.asarray(ref.od[m]) + np.asarray(proj.od[m]))
            ok = mask & np.isfinite(t0) & np.isfinite(t1)
            trips = float(w[ok].sum())
            if trips > 0:
                out[c.name, m] = (float((w[ok] * (t0[ok] - t1[ok])).sum()) / trips, trips)
    return out


def _money_time_split(
    ref: Any, proj: Any, ann: Mapping[str, float]
) -> tuple[dict[str, float], float, dict[str, float], float]:
    """Consumer surplus for the CBA, split into time and money, all users and foreign users.

    For each purpose and mode the rule of half is applied to the generalised cost (minutes)
    that purpose's mode choice saw, and to its money part ``M`` (DKK per person):
    ``money = RoH(T, M0 - M1)`` (DKK) and ``time = RoH(T, C0 - C1) - money x 60 / VOT_q``
    (minutes), with ``VOT_q`` the purpose's value of time in the model year, the one the
    mode choice used. The demand model takes that value from the CBA's unit prices, so the
    time the CBA values at ``VOT_q`` and the money it counts in kroner add up to the surplus
    the model's behaviour implies (one conversion). All modes are annualised with
    ``traffic_days_per_year``, like the revenues they are transfers with. A cell's surplus
    is foreign by half for each end in a Swedish zone (``land == "scania"``).

    Returns
    -------
    (purpose -> time person-hours per year, money DKK per year,
     purpose -> foreign time, foreign money)
    """
    days = ann["traffic_days_per_year"]
    zones = ref.inputs.zones
    land = getattr(zones, "land", None)
    z = len(zones.zone_id)
    foreign = np.zeros(z)
    if land is not None:
        foreign = np.array([x == "scania" for x in land], dtype=np.float64)
    weight = 0.5 * (foreign[:, None] + foreign[None, :])
    time_min: dict[str, float] = {}
    f_time: dict[str, float] = {}
    money = f_money = 0.0
    for (purpose, _mode), (minutes, cash) in _time_money(ref, proj).items():
        time_min[purpose] = time_min.get(purpose, 0.0) + float(minutes.sum())
        f_time[purpose] = f_time.get(purpose, 0.0) + float((minutes * weight).sum())
        money += float(cash.sum())
        f_money += float((cash * weight).sum())
    return (
        {q: v / 60.0 * days for q, v in time_min.items()},
        money * days,
        {q: v / 60.0 * days for q, v in f_time.items()},
        f_money * days,
    )


@dataclass(frozen=True)
class _Cell:
    """One purpose and mode of a run pair: trips, generalised cost (minutes) and its money
    part (DKK per person, ``None`` if unknown), reference (0) and project (1)."""

    purpose: str
    mode: str
    t0: np.ndarray
    t1: np.ndarray
    c0: np.ndarray
    c1: np.ndarray
    m0: np.ndarray | None
    m1: np.ndarray | None


def _by_purpose(result: Any, name: str) -> Mapping[str, Any]:
    table = getattr(result, name, None)
    return table if isinstance(table, Mapping) else {}


def _origin_destination(pa: Any) -> np.ndarray:
    """Weekday trips of a production-attraction matrix in origin-destination form: half
    of each pair's trips go out, half come back (as :func:`mobility.demand.trips.weekday_od`)."""
    a = np.asarray(pa, dtype=np.float64)
    return 0.5 * (a + a.T)


def _surplus_cells(ref: Any, proj: Any) -> list[_Cell]:
    """The purpose-and-mode cells of the rule of half.

    Model results carry each purpose's trips (production-attraction form), generalised cost
    and money part. The trips are taken in origin-destination form, each direction with its
    own cost, so a toll charged one way (c08's inbound cordon) is paid once per round trip,
    as the assignment collects it. A result without them (a hand-made one in tests) is one
    purpose, ``commute``, with the origin-destination trips, ``gen_cost`` and
    :func:`mobility.impacts.run_summary.money_matrix`.
    """
    names = ("od_by_purpose", "gen_cost_by_purpose", "money_by_purpose")
    tables = [(_by_purpose(ref, n), _by_purpose(proj, n)) for n in names]
    cells = []
    if all(a and b for a, b in tables):
        (od0, od1), (gc0, gc1), (mo0, mo1) = tables
        for q in PURPOSES:
            for m in MODES:
                if not all(m in t.get(q, {}) for t in (od0, od1, gc0, gc1)):
                    continue
                cells.append(
                    _Cell(
                        q,
                        m,
                        _origin_destination(od0[q][m]),
                        _origin_destination(od1[q][m]),
                        np.asarray(gc0[q][m]),
                        np.asarray(gc1[q][m]),
                        np.asarray(mo0[q][m]) if m in mo0.get(q, {}) else None,
                        np.asarray(mo1[q][m]) if m in mo1.get(q, {}) else None,
                    )
                )
        return cells
    params = run_parameters(proj)
    for m in MODES:
        if m not in ref.od or m not in proj.od:
            continue
        cells.append(
            _Cell(
                "commute",
                m,
                np.asarray(ref.od[m]),
                np.asarray(proj.od[m]),
                np.asarray(ref.gen_cost[m]),
                np.asarray(proj.gen_cost[m]),
                money_matrix(ref, m, params),
                money_matrix(proj, m, params),
            )
        )
    return cells


def model_value_of_time(result: Any, purpose: str) -> float:
    """The value of time (DKK per person-hour) a run's mode choice used for ``purpose``."""
    vots = getattr(result, "values_of_time", None)
    if isinstance(vots, Mapping) and purpose in vots:
        return float(vots[purpose])
    return float(run_parameters(result).value_of_time(purpose))


def _time_money(ref: Any, proj: Any) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """Per purpose and mode, the weekday rule-of-half surplus split into time (minutes) and
    money (DKK) matrices, as :func:`_money_time_split` describes."""
    out = {}
    for cell in _surplus_cells(ref, proj):
        cs = _rule_of_half(cell.t0, cell.t1, cell.c0, cell.c1)
        cash = np.zeros(cs.shape)
        if cell.m0 is not None and cell.m1 is not None:
            ok = np.isfinite(cell.c0) & np.isfinite(cell.c1)
            cash = np.where(ok, _rule_of_half(cell.t0, cell.t1, cell.m0, cell.m1), 0.0)
        vot = model_value_of_time(proj, cell.purpose)
        out[cell.purpose, cell.mode] = (cs - cash * 60.0 / vot, cash)
    return out
