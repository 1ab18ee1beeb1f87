"""Calibration of the few global demand parameters to the published figures.

Each fitted parameter has one target (all targets in domain-facts §4) and a documented prior
range; the same parameter set must reproduce the base year (2015) *and* the 2035 reference:

* the mode constants ``asc_pt``, ``asc_bike``, ``asc_walk`` (car is the reference) to the
  Region H mode shares of 2015 — the TU ranges there are tagged [M]; the targets are their
  midpoints normalised to sum to 1 (car 42.5, bike 22.5, walk 17.5, PT 14.5 -> /97);
  update: ``asc_m += ln(target_m / model_m) - ln(target_car / model_car)``;
* ``deterrence_commute`` to the 2015 mean commute of 16 km (KKR23 citing Vejdirektoratet
  2020), with business and other deterrence scaled by the same factor (their ratios stay
  estimates); update ``beta *= (model_km / target_km) ** 1.5``;
* ``capacity_factor`` (a global multiplier on link capacities, prior 0.8-1.2) to *both*
  published delays, 16.7 million hours in 2015 and 33.4 million in 2035 (KKR23), in the
  least-squares sense on the log scale: ``factor *= (e15 * e35) ** (1/6)`` with
  ``e = model / target`` (the geometric mean of the two errors, damped);
* ``capacity_factor_rural_collector`` (extra multiplier on collector links with a free speed
  of 70 km/h or more: rural two-lane main roads, which the bundled network gives the urban
  collector's 700 veh/h/lane; prior 1.0-2.4, i.e. up to 1,700 pcu/h per direction, the
  two-lane highway capacity of the US Highway Capacity Manual [M]) to the growth of the
  delay 2015 -> 2035, 33.4 / 16.7 = 2.0: saturated rural bottlenecks (v/c 2-3 at 700 veh/h)
  hold much of the base-year delay and grow little; update
  ``factor *= (2.0 / model ratio) ** 2``.

* ``asc_border_car`` and ``asc_border_pt`` (constants on trips across the national border) to
  the 2015 Øresund crossings (Øresundsinstituttet, "Fakta: trafikken over Øresund 2015", from
  Danmarks Statistik, Trafik- og byggestyrelsen and Øresundsbro Konsortiet [S2]): 95,900 person
  trips an average day, 42,900 by car over Øresundsbron plus the car occupants of the 3,744
  cars a day on the Helsingør-Helsingborg ferry (x 1.4 persons, ``occupancy_other`` [M]) =
  48,142 by car [D], the rest, 47,758, by train over the bridge (32,100) and as ferry
  passengers [D]; update ``asc_border_m += ln(target_m / model_m)``.

The logit time coefficient ``beta_time`` is not fitted: moving it over its whole prior range
(-0.06 .. -0.02 per minute, with the mode constants and deterrence refitted) changes the
2015 -> 2035 delay growth by less than 0.05 (docs/calibration.md).

Everything else is validation: the counts on Køge Bugt Motorvejen and Motorring 3, +20 %
trips (a scenario input), vehicle-km growth. The landed values are written by hand into
``mobility/data/demand_parameters.csv`` (tag ``D``) and checked by
``tests/demand/test_model.py``. Run ``python -m mobility.demand.calibration [ROUNDS]`` to
repeat (docs/calibration.md has the table it produced).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mobility.demand.parameters import DemandParameters, load_demand_parameters

SHARE_RANGES = {"car": (0.40, 0.45), "bike": (0.20, 0.25), "walk": (0.15, 0.20), "pt": (0.13, 0.16)}
_MID = {m: (a + b) / 2 for m, (a, b) in SHARE_RANGES.items()}
#: Normalised midpoints of the [M] TU mode-share ranges (domain-facts §4).
TARGET_SHARES = {m: v / sum(_MID.values()) for m, v in _MID.items()}
TARGET_COMMUTE_KM = 16.0
TARGET_DELAY_2015_H = 16.7e6
TARGET_DELAY_2035_H = 33.4e6
#: Øresund person trips a day in 2015 (module docstring): all modes [S2]; by car [D].
TARGET_OERESUND_TRIPS = 95_900.0
TARGET_OERESUND_CAR = 42_900.0 + 3_744.0 * 1.4
TARGET_OERESUND = {"car": TARGET_OERESUND_CAR, "pt": TARGET_OERESUND_TRIPS - TARGET_OERESUND_CAR}
CAPACITY_FACTOR_RANGE = (0.8, 1.2)
#: Prior range of the extra capacity multiplier of rural collectors (demand_parameters.csv).
RURAL_COLLECTOR_RANGE = (1.0, 2.4)
#: Parameters fitted here, in report order.
FITTED = (
    "asc_pt",
    "asc_bike",
    "asc_walk",
    "asc_border_car",
    "asc_border_pt",
    "deterrence_commute",
    "deterrence_business",
    "deterrence_other",
    "capacity_factor",
    "capacity_factor_rural_collector",
)


def _clamp(x: float, bounds: tuple[float, float]) -> float:
    return min(max(x, bounds[0]), bounds[1])


def calibration_step(
    params: DemandParameters,
    indicators: dict[str, tuple[float, str]],
    *,
    delay: bool,
    delay_2035: float | None = None,
) -> DemandParameters:
    """One update of the fitted parameters.

    Parameters
    ----------
    params
        The parameters of the runs.
    indicators
        Base-year (2015) indicators.
    delay
        Also fit the capacity multipliers to the delay (2015 only when ``delay_2035`` is
        not given).
    delay_2035
        Annual car delay of the 2035 reference run with ``params``; if given,
        ``capacity_factor`` is fitted to both years and ``capacity_factor_rural_collector``
        to the growth.
    """
    share = {m: indicators[f"mode_share_{m}"][0] for m in TARGET_SHARES}
    ref = math.log(TARGET_SHARES["car"] / share["car"])
    changes: dict[str, float] = {}
    for m in ("pt", "bike", "walk"):
        changes[f"asc_{m}"] = getattr(params, f"asc_{m}") + (
            math.log(TARGET_SHARES[m] / share[m]) - ref
        )
    for m, target in TARGET_OERESUND.items():
        model = indicators[f"oeresund_{m}_trips_per_weekday"][0]
        if model > 0:
            changes[f"asc_border_{m}"] = getattr(params, f"asc_border_{m}") + math.log(
                target / model
            )
    ratio = (indicators["mean_commute_km"][0] / TARGET_COMMUTE_KM) ** 1.5
    for purpose in ("commute", "business", "other"):
        changes[f"deterrence_{purpose}"] = params.deterrence(purpose) * ratio
    d15 = indicators["car_delay_hours_per_year"][0]
    e15 = d15 / TARGET_DELAY_2015_H
    if delay and delay_2035 is not None and d15 > 0:
        e35 = delay_2035 / TARGET_DELAY_2035_H
        f = params.capacity_factor * (e15 * e35) ** (1.0 / 6.0)
        changes["capacity_factor"] = _clamp(f, CAPACITY_FACTOR_RANGE)
        growth = (TARGET_DELAY_2035_H / TARGET_DELAY_2015_H) / (delay_2035 / d15)
        rc = params.capacity_factor_rural_collector * growth**2
        changes["capacity_factor_rural_collector"] = _clamp(rc, RURAL_COLLECTOR_RANGE)
    elif delay:
        f = params.capacity_factor * e15 ** (1.0 / 3.0)
        changes["capacity_factor"] = _clamp(f, CAPACITY_FACTOR_RANGE)
    return params.replace(**changes)


def calibrate(
    scenario: Any,
    *,
    reference: Any | None = None,
    params: DemandParameters | None = None,
    rounds: int = 4,
    rel_gap: float = 1e-4,
    delay: bool = True,
    inputs: Any | None = None,
) -> tuple[DemandParameters, list[dict[str, float]]]:
    """Repeat model runs + :func:`calibration_step` ``rounds`` times.

    ``scenario`` is the base year; with ``reference`` (the 2035 reference scenario) every
    round also runs it and both delays are targets (see :func:`calibration_step`). Returns
    the updated parameters and one row per round (indicators of both runs, parameters used).
    """
    from mobility.demand.model import run_model

    p = params if params is not None else load_demand_parameters()
    history: list[dict[str, float]] = []
    for _ in range(rounds):
        res = run_model(scenario, params=p, rel_gap=rel_gap, inputs=inputs)
        row = {k: v for k, (v, _u) in res.indicators.items()}
        d35 = None
        if reference is not None:
            ref = run_model(reference, params=p, rel_gap=rel_gap)
            row.update({f"{k}_2035": v for k, (v, _u) in ref.indicators.items()})
            d35 = ref.indicators["car_delay_hours_per_year"][0]
        row.update({k: getattr(p, k) for k in FITTED})
        history.append(row)
        p = calibration_step(p, res.indicators, delay=delay, delay_2035=d35)
    return p, history


#: Count sections of the calibration (key, target AADT, label, tag); domain-facts §4. The
#: first two are published section totals; the others are the per-lane daily flows of the DI
#: ranking times the section's lanes (tag D; values and sources in
#: :data:`mobility.region.roads.COUNT_SECTIONS`).
COUNTS = (
    ("koege_bugt_greve_n_ishoej", 133_400.0, "Koege Bugt Motorvejen Greve N-Ishoej", "S2"),
    ("motorring3_jyllingevej_husum", 130_000.0, "Motorring 3 Jyllingevej-Husum ~130,000", "S"),
    ("amagermotorvejen_avedoere", 19_268.0 * 6, "Amagermotorvejen Avedoere (19,268 x 6)", "D"),
    ("koege_bugt_greve_c", 16_255.0 * 8, "Koege Bugt Motorvejen Greve C (16,255 x 8)", "D"),
    (
        "hilleroedmotorvejen_bagsvaerd",
        16_136.0 * 6,
        "Hilleroedmotorvejen Bagsvaerd (16,136 x 6)",
        "D",
    ),
    (
        "holbaekmotorvejen_vallensbaek",
        15_642.0 * 6,
        "Holbaekmotorvejen Vallensbaek (15,642 x 6)",
        "D",
    ),
    (
        "helsingoermotorvejen_lundtofte",
        17_793.0 * 6,
        "Helsingoermotorvejen Lundtofte (17,793 x 6)",
        "D",
    ),
    ("oeresundsbroen", 19_300.0, "Oeresundsbroen (2015, vehicles)", "S2"),
)
#: Where a count comes from, when not from domain-facts.md section 4.
COUNT_SOURCES = {"oeresundsbroen": "Oeresundsinstituttet 2015"}


def section_adt(result: Any, key: str) -> float:
    """Model AADT (both directions) of a count section (:data:`COUNTS`)."""
    from mobility.region import count_section_links

    ids = list(result.road_net.meta["link_id"])
    idx = [ids.index(link) for link in count_section_links(result.inputs.roads, key)]
    return float(sum(result.link_adt[k] for k in idx))


def calibration_table(base: Any, ref: Any) -> list[tuple[str, str, str, str, str, str]]:
    """Rows (target, published value, source, tag, model 2015, model 2035) of two runs."""

    def v(result: Any, name: str) -> float:
        return float(result.indicators[name][0])

    def rel(x: float, target: float) -> str:
        return f"{x / target - 1.0:+.1%}"

    d15 = v(base, "car_delay_hours_per_year")
    d35 = v(ref, "car_delay_hours_per_year")
    rows = [
        (
            "car delay, mio person-h/yr",
            "16.7 (2015) / 33.4 (2035) +-15 %",
            "KKR23 / IIH (Trafikale scenarier 2018)",
            "S",
            f"{d15 / 1e6:.2f} ({rel(d15, TARGET_DELAY_2015_H)})",
            f"{d35 / 1e6:.2f} ({rel(d35, TARGET_DELAY_2035_H)})",
        ),
        ("delay growth 2015 -> 2035", "x 2.00", "KKR23 [D]", "D", "-", f"x {d35 / d15:.2f}"),
        (
            "mean commute, km (Region H residents)",
            "16 +- 1.5",
            "KKR23 citing Vejdirektoratet 2020",
            "S",
            f"{v(base, 'mean_commute_km'):.2f}",
            f"{v(ref, 'mean_commute_km'):.2f}",
        ),
    ]
    for m in ("car", "pt", "bike", "walk"):
        lo, hi = SHARE_RANGES[m]
        rows.append(
            (
                f"mode share {m}",
                f"{TARGET_SHARES[m]:.3f} +- 0.05 (TU {lo:.2f}-{hi:.2f})",
                "domain-facts 4 (TU ranges, normalised midpoints)",
                "M",
                f"{v(base, f'mode_share_{m}'):.3f}",
                f"{v(ref, f'mode_share_{m}'):.3f}",
            )
        )
    for key, target, label, tag in COUNTS:
        a15, a35 = section_adt(base, key), section_adt(ref, key)
        rows.append(
            (
                f"AADT {label.split(' ~')[0]}",
                f"{target:,.0f} +- 20 %",
                COUNT_SOURCES.get(key, "domain-facts 4"),
                tag,
                f"{a15:,.0f} ({rel(a15, target)})",
                f"{a35:,.0f}",
            )
        )
    for m, target in TARGET_OERESUND.items():
        x15 = v(base, f"oeresund_{m}_trips_per_weekday")
        rows.append(
            (
                f"Oeresund person trips/day, {m}",
                f"{target:,.0f}",
                "Oeresundsinstituttet 2015 (car = bridge + ferry cars x 1.4)",
                "S2/D",
                f"{x15:,.0f} ({rel(x15, target)})",
                f"{v(ref, f'oeresund_{m}_trips_per_weekday'):,.0f}",
            )
        )
    t15, t35 = v(base, "trips_per_weekday"), v(ref, "trips_per_weekday")
    rows.append(
        ("trips per weekday", "+20 % 2015-2035", "KKR23", "S", f"{t15:,.0f}", f"x {t35 / t15:.3f}")
    )
    k15, k35 = v(base, "car_vehicle_km_per_year"), v(ref, "car_vehicle_km_per_year")
    rows.append(
        (
            "car vehicle-km (validation)",
            f"x {1.10 ** (20 / 11):.3f} 2015-2035",
            "MOB24 +10 % 2024-2035, same yearly rate",
            "D",
            f"{k15 / 1e9:.2f} bn",
            f"x {k35 / k15:.3f}",
        )
    )
    return rows


def markdown_table(rows: Sequence[tuple[str, ...]]) -> str:
    """The rows of :func:`calibration_table` as a Markdown table."""
    head = ("target", "published", "source", "tag", "model 2015", "model 2035")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def main() -> None:  # pragma: no cover - a developer tool
    """``python -m mobility.demand.calibration [ROUNDS | table]``.

    With a number: calibrate on the bundled base and 2035 reference scenarios and print the
    landed values. With ``table``: run both scenarios with the bundled parameters at the
    scenarios' own gap and print the calibration table (docs/calibration.md).
    """
    import sys

    from mobility.demand.model import run_model
    from mobility.resources import bundled_file
    from mobility.scenario import load_scenario

    base = load_scenario(bundled_file("scenarios", "base.yaml"))
    ref = load_scenario(bundled_file("scenarios", "reference_2035.yaml"))
    if len(sys.argv) > 1 and sys.argv[1] == "table":
        sys.stdout.write(markdown_table(calibration_table(run_model(base), run_model(ref))))
        return
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    p, history = calibrate(base, reference=ref, rounds=rounds)
    keys = (
        "car_delay_hours_per_year",
        "car_delay_hours_per_year_2035",
        "mean_commute_km",
        "mode_share_car",
        "mode_share_pt",
        "mode_share_bike",
        "mode_share_walk",
        *FITTED,
    )
    for row in history:
        sys.stdout.write(" ".join(f"{k}={row[k]:.4g}" for k in keys) + "\n")
    for k in FITTED:
        sys.stdout.write(f"{k},{getattr(p, k):.4f}\n")


if __name__ == "__main__":  # pragma: no cover
    main()
