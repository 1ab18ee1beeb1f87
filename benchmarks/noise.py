"""Benchmark: is every project's appraisal converged? (issue 10's acceptance table)

Evaluates the catalogue twice: with the scenario as it is, and with ``model.feedback_tol`` and
``model.rel_gap`` both ten times smaller (a separate, cold-started evaluation, not the
in-run noise band). For every project it prints NPV and the travel-time user benefit (PV,
mio. DKK) of both runs, their difference, the noise band the first run wrote
(``pv_noise_mdkk``), and whether the difference is within ``max(2 % of the value, 25 mio.
DKK)`` with no change of sign.

Usage::

    python benchmarks/noise.py                  # bundled reference_2035, 2 workers
    python benchmarks/noise.py --workers 1 --markdown
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

import yaml

from mobility.commands.evaluate import resolve_scenario
from mobility.pipeline.evaluation import run_evaluation
from mobility.resources import bundled_dir

ITEMS = ("npv", "travel_time_user_benefit")
#: Acceptance: a difference of at most max(REL * |value|, ABS_MDKK).
REL, ABS_MDKK = 0.02, 25.0


def _read(path: Path) -> dict[tuple[str, str], tuple[float, float]]:
    out = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["item"] in ITEMS and r["year"] == "all":
                band = float(r["pv_noise_mdkk"]) if r["pv_noise_mdkk"] else float("nan")
                out[(r["project_id"], r["item"])] = (float(r["pv_mdkk"]), band)
    return out


def _tightened_copy(scenario: Path, folder: Path, factor: float) -> Path:
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    model = data.setdefault("model", {})
    model["feedback_tol"] = float(model.get("feedback_tol", 1e-4)) / factor
    model["rel_gap"] = float(model.get("rel_gap", 1e-6)) / factor
    out = folder / scenario.name
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="reference_2035")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--factor", type=float, default=10.0)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    scenario = resolve_scenario(args.scenario)
    projects = bundled_dir("projects")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tight = _tightened_copy(scenario, folder, args.factor)
        seconds = {}
        for name, path in (("default", scenario), ("tight", tight)):
            t0 = time.perf_counter()
            run_evaluation(path, projects, folder / name, workers=args.workers, quiet=True)
            seconds[name] = time.perf_counter() - t0
        a, b = _read(folder / "default" / "cba.csv"), _read(folder / "tight" / "cba.csv")
    ok_all = True
    rows = []
    for pid, item in sorted(a):
        (va, band), (vb, _) = a[(pid, item)], b[(pid, item)]
        diff = vb - va
        ok = abs(diff) <= max(REL * abs(vb), ABS_MDKK) and (va * vb >= 0 or item != "npv")
        ok_all &= ok
        rows.append((pid, item, va, vb, diff, band, "ok" if ok else "FAIL"))
    if args.markdown:
        print("| project | item | default | 10x tighter | difference | noise band | |")
        print("|---|---|---:|---:|---:|---:|---|")
        for r in rows:
            print(
                f"| {r[0]} | {r[1]} | {r[2]:,.1f} | {r[3]:,.1f} | {r[4]:+,.1f} "
                f"| {r[5]:,.1f} | {r[6]} |"
            )
    else:
        for r in rows:
            print(
                f"{r[0]:40s} {r[1]:26s} {r[2]:12.1f} {r[3]:12.1f} {r[4]:+9.1f} {r[5]:8.1f} {r[6]}"
            )
    print(
        f"evaluation seconds: default {seconds['default']:.1f}, tighter {seconds['tight']:.1f}; "
        f"criterion max({REL:.0%} of value, {ABS_MDKK:g} mio. DKK), no NPV sign change: "
        + ("all projects pass" if ok_all else "SOME FAIL")
    )
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
