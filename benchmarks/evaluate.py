"""Benchmark: evaluate the whole bundled catalogue against reference_2035.

Target (issue 4): under 5 minutes with ``--workers 2`` on a 2-core machine, and the same
bytes in every CSV (impacts, projects, cba, link_flows/<project_id>) as ``--workers 1``.

Usage::

    python benchmarks/evaluate.py            # workers 2 only
    python benchmarks/evaluate.py --compare  # also workers 1, and compare the CSV bytes
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from mobility.commands.evaluate import resolve_scenario
from mobility.pipeline.evaluation import run_evaluation
from mobility.resources import bundled_dir

TARGET_S = 300.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--compare", action="store_true", help="also run --workers 1")
    parser.add_argument("--scenario", default="reference_2035")
    args = parser.parse_args()
    scenario = resolve_scenario(args.scenario)
    projects = bundled_dir("projects")
    n = len(list(projects.glob("*.yaml")))
    with tempfile.TemporaryDirectory() as tmp:
        outs = {}
        runs = [2, 1] if args.compare else [2]
        for workers in runs:
            out = Path(tmp) / f"w{workers}"
            t0 = time.perf_counter()
            summary = run_evaluation(scenario, projects, out, workers=workers, quiet=True)
            seconds = time.perf_counter() - t0
            outs[workers] = out
            flag = "OK" if workers != 2 or seconds < TARGET_S else "SLOWER THAN TARGET"
            print(
                f"workers={workers}: {n} projects in {seconds:.1f} s "
                f"(model runs {summary['model_seconds']:.1f} s) "
                f"(target {TARGET_S:.0f} s with 2 workers) {flag}; "
                f"not converged: {len(summary['not_converged'])} run(s)"
            )
        if args.compare:
            names = sorted(p.relative_to(outs[1]) for p in outs[1].rglob("*.csv"))
            same = names == sorted(p.relative_to(outs[2]) for p in outs[2].rglob("*.csv")) and all(
                (outs[1] / name).read_bytes() == (outs[2] / name).read_bytes() for name in names
            )
            print(f"workers 1 and 2 give identical CSVs ({len(names)} files):", same)
            if not same:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
