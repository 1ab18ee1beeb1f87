"""Calibration of the few global demand parameters to the published figures.

Only global parameters are fitted, each to one target (all targets in domain-facts §4):

* the mode constants ``asc_pt``, ``asc_bike``, ``asc_walk`` (car is the reference) to the
  Region H mode shares — the TU ranges there are tagged [M]; the targets are their
  midpoints normalised to sum to 1 (car 42.5, bike 22.5, walk 17.5, PT 14.5 -> /97);
  update: ``asc_m += ln(target_m / model_m) - ln(target_car / model_car)``;
* ``deterrence_commute`` to the mean commute of 16 km (KKR23 citing Vejdirektoratet 2020),
  with business and other deterrence scaled by the same factor (their ratios stay
  estimates); update ``beta *= (model_km / target_km) ** 1.5``;
* ``capacity_factor`` (a global multiplier on link capacities, allowed 0.8-1.2) to the 2015
  car delay of 16.7 million hours (KKR23); update ``factor *= (delay / target) ** (1/3)``.

Nothing is fitted to the 2035 delay or to the counts: those are validation. The landed values
are written by hand into ``mobility/data/demand_parameters.csv`` (tag ``D``) and checked by
``tests/demand/test_model.py``. Run ``python -m mobility.demand.calibration`` to repeat.
"""

from __future__ import annotations

import math
from typing import Any

from mobility.demand.parameters import DemandParameters, load_demand_parameters

SHARE_RANGES = {"car": (0.40, 0.45), "bike": (0.20, 0.25), "walk": (0.15, 0.20), "pt": (0.13, 0.16)}
_MID = {m: (a + b) / 2 for m, (a, b) in SHARE_RANGES.items()}
#: Normalised midpoints of the [M] TU mode-share ranges (domain-facts §4).
TARGET_SHARES = {m: v / sum(_MID.values()) for m, v in _MID.items()}
TARGET_COMMUTE_KM = 16.0
TARGET_DELAY_2015_H = 16.7e6
TARGET_DELAY_2035_H = 33.4e6
CAPACITY_FACTOR_RANGE = (0.8, 1.2)


def calibration_step(
    params: DemandParameters, indicators: dict[str, tuple[float, str]], *, delay: bool
) -> DemandParameters:
    """One update of the calibrated parameters from a base-year run's indicators."""
    share = {m: indicators[f"mode_share_{m}"][0] for m in TARGET_SHARES}
    ref = math.log(TARGET_SHARES["car"] / share["car"])
    changes: dict[str, float] = {}
    for m in ("pt", "bike", "walk"):
        changes[f"asc_{m}"] = getattr(params, f"asc_{m}") + (
            math.log(TARGET_SHARES[m] / share[m]) - ref
        )
    ratio = (indicators["mean_commute_km"][0] / TARGET_COMMUTE_KM) ** 1.5
    for purpose in ("commute", "business", "other"):
        changes[f"deterrence_{purpose}"] = params.deterrence(purpose) * ratio
    if delay:
        f = params.capacity_factor * (
            indicators["car_delay_hours_per_year"][0] / TARGET_DELAY_2015_H
        ) ** (1.0 / 3.0)
        lo, hi = CAPACITY_FACTOR_RANGE
        changes["capacity_factor"] = min(max(f, lo), hi)
    return params.replace(**changes)


def calibrate(
    scenario: Any,
    *,
    params: DemandParameters | None = None,
    rounds: int = 4,
    rel_gap: float = 1e-4,
    delay: bool = True,
    inputs: Any | None = None,
) -> tuple[DemandParameters, list[dict[str, float]]]:
    """Repeat model run + :func:`calibration_step` ``rounds`` times on the base scenario."""
    from mobility.demand.model import run_model

    p = params if params is not None else load_demand_parameters()
    history: list[dict[str, float]] = []
    for _ in range(rounds):
        res = run_model(scenario, params=p, rel_gap=rel_gap, inputs=inputs)
        row = {k: v for k, (v, _u) in res.indicators.items()}
        row.update(
            {
                k: getattr(p, k)
                for k in (
                    "asc_pt",
                    "asc_bike",
                    "asc_walk",
                    "deterrence_commute",
                    "deterrence_business",
                    "deterrence_other",
                    "capacity_factor",
                )
            }
        )
        history.append(row)
        p = calibration_step(p, res.indicators, delay=delay)
    return p, history


def main() -> None:  # pragma: no cover - a developer tool
    """Run the calibration on the bundled base scenario and print the landed values."""
    import sys

    from mobility.resources import bundled_file
    from mobility.scenario import load_scenario

    scenario = load_scenario(bundled_file("scenarios", "base.yaml"))
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    p, history = calibrate(scenario, rounds=rounds)
    for row in history:
        sys.stdout.write(" ".join(f"{k}={v:.4g}" for k, v in sorted(row.items())) + "\n")
    for k in ("asc_pt", "asc_bike", "asc_walk", "deterrence_commute", "deterrence_business"):
        sys.stdout.write(f"{k},{getattr(p, k):.4f}\n")
    sys.stdout.write(f"deterrence_other,{p.deterrence_other:.4f}\n")
    sys.stdout.write(f"capacity_factor,{p.capacity_factor:.4f}\n")


if __name__ == "__main__":  # pragma: no cover
    main()
