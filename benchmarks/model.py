"""Benchmark: wall-clock of `mobility model scenarios/reference_2035.yaml` (target < 60 s).

Usage: ``python benchmarks/model.py [SCENARIO ...]``. Runs the CLI in a subprocess (so numba
compilation and data loading are included, as a user would see them) and prints seconds.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def time_model(scenario: Path) -> float:
    """Seconds for one `mobility model SCENARIO -o TMP` run."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "mobility.cli", "--quiet", "model", str(scenario), "-o", tmp],
            check=True,
            cwd=ROOT,
        )
        return time.perf_counter() - start


def main() -> None:
    """Time each scenario given (default: the 2035 reference)."""
    names = sys.argv[1:] or [str(ROOT / "scenarios" / "reference_2035.yaml")]
    for name in names:
        seconds = time_model(Path(name))
        sys.stdout.write(f"{name}: {seconds:.1f} s (target < 60 s)\n")


if __name__ == "__main__":
    main()
