"""One all-or-nothing pass, mobility against AequilibraE, in process (issue 17 item 3).

Usage::

    python benchmarks/aon_profile.py [--network ChicagoRegional] [--repeat 3] [--cores 1,2]

Both tools load the same TNTP network and trips (the readers of ``assignment.py``), then time
one all-or-nothing pass at free-flow cost: a shortest-path tree from every origin with demand
and the loading of its trips onto the links. mobility: :func:`mobility.network.paths.aon`
(the numba kernel the Frank-Wolfe family calls every iteration); AequilibraE 1.7.2: the
``allOrNothing`` object its bfw calls every iteration, taken from a prepared
``TrafficAssignment`` after one all-or-nothing assignment. The first pass of each tool is
not timed (numba and the graph set-up); the fastest of ``--repeat`` passes is kept. The link
flow totals (trips x links used) agree up to ties between equal-cost paths, a check that both
loaded the same trips on the same network.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import assignment as bench  # noqa: E402  (the benchmark's readers and paths)


def _best(fn, repeat: int) -> float:
    fn()  # warm-up, not timed
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def ours(files: dict[str, Path], cores: int, repeat: int) -> tuple[float, float]:
    """Seconds of one AON pass and its total link flow."""
    import numba

    from mobility.network import paths, tntp

    net = tntp.read_net(files["net"])
    demand = tntp.read_trips(files["trips"], n_zones=net.n_zones)
    cost = net.free_flow_time.astype(np.float64)
    numba.set_num_threads(cores)
    out: list[np.ndarray] = []

    def run() -> None:
        flows, _ = paths.aon(net, cost, demand)
        out[:] = [flows]

    return _best(run, repeat), float(out[0].sum())


def aequilibrae(files: dict[str, Path], cores: int, repeat: int) -> tuple[float, float]:
    """Seconds of one AequilibraE AON pass and its total link flow."""
    ta, tc, _ = bench.aequilibrae_assignment(str(files["net"]), str(files["trips"]), 0.0, 0.0)
    ta.set_algorithm("all-or-nothing")
    ta.set_cores(cores)
    ta.max_iter = 1
    ta.execute()  # prepares the classes and their allOrNothing objects
    aon = ta.assignment.aons[tc._id]

    def run() -> None:
        aon.execute()

    seconds = _best(run, repeat)
    return seconds, float(np.sum(tc._aon_results.link_loads))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tntp-dir", type=Path, default=bench.DEFAULT_TNTP)
    p.add_argument("--network", default="ChicagoRegional")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--cores", default="1,2")
    p.add_argument("--tool", choices=("both", "ours", "aequilibrae"), default="both")
    args = p.parse_args(argv)
    files = bench._files(args.tntp_dir, args.network)
    print(f"{'network':<16}{'tool':<14}{'threads':>8}{'AON s':>9}{'link flow total':>18}")
    for cores in (int(c) for c in args.cores.split(",")):
        rows = []
        if args.tool in ("both", "ours"):
            rows.append(("ours", *ours(files, cores, args.repeat)))
        if args.tool in ("both", "aequilibrae"):
            rows.append(("aequilibrae", *aequilibrae(files, cores, args.repeat)))
        for tool, seconds, total in rows:
            line = f"{args.network:<16}{tool:<14}{cores:>8}{seconds:>9.3f}{total:>18.1f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
