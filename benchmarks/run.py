"""Benchmark: the whole ``mobility -q run`` process, this tree against another checkout.

Runs ``mobility -q run -o <tmp>`` as a new process for each source tree, interleaved
``--repeat`` times, and prints the wall clock and the step timings of each run's manifest.
Compare with an older commit in the same sitting (``git worktree add /tmp/before <commit>``)::

    python benchmarks/run.py --tree /tmp/before --tree . --repeat 2
    python benchmarks/run.py --tree . --cold   # delete numba's cache first (a first run)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _clear_numba_cache(tree: Path) -> None:
    for pattern in ("*.nbi", "*.nbc"):
        for f in (tree / "mobility").rglob(pattern):
            f.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", action="append", type=Path, help="source tree (repeatable)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cold", action="store_true", help="delete numba's cache before each run")
    args = parser.parse_args()
    trees = [t.resolve() for t in (args.tree or [Path(".")])]
    code = (
        "import sys; from mobility.cli import main; sys.argv = ['mobility'] + sys.argv[1:]; main()"
    )
    for _ in range(args.repeat):
        for tree in trees:
            if args.cold:
                _clear_numba_cache(tree)
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "run"
                env = dict(os.environ, PYTHONPATH=str(tree))
                t0 = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-c", code, "-q", "run", "-o", str(out)],
                    env=env,
                    cwd=tmp,
                    check=True,
                )
                seconds = time.perf_counter() - t0
                timings = json.loads((out / "manifest.json").read_text())["timings_s"]
            steps = ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
            print(f"{tree}: {seconds:.1f} s ({steps})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
