"""Time-to-gap benchmark: mobility's assignment vs AequilibraE's bi-conjugate Frank-Wolfe.

Usage::

    python benchmarks/assignment.py [--tntp-dir DIR] [--networks SiouxFalls,Anaheim,...]
                                    [--gaps 1e-4,1e-5,1e-6] [--repeat N] [--algorithm bfw]

Both tools run as whole processes, from TNTP files to a written flow CSV, once per network and
target gap; the parent times each process (wall clock) and reads the assignment-only seconds
each worker reports. When ``aequilibrae`` is importable (``pip install .[bench]``) its bfw runs
on the same network in the same run, and the table shows the ratio ours / AequilibraE.

Every written flow file is checked the same way by the parent: the true relative gap of the
flows (``1 - sum(demand x SP cost) / sum(flow x cost)``, costs recomputed from the flows with
the network's BPR parameters and generalized-cost weights) and the relative difference of
``sum(flow x cost)`` from the best-known ``*_flow.tntp`` total.

Generalized-cost weights follow each network's README (Chicago Sketch: 0.02 min/cent toll,
0.04 min/mile distance). Barcelona's connectors have b = 0 and power = 0; AequilibraE's BPR
refuses power < 1, so the AequilibraE worker passes power 1 on links with b = 0 (the time is
t0 either way); it also refuses zero free-flow times (Chicago Sketch's connectors), which it
gets as 1e-6 minutes.
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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TNTP = ROOT.parent / "shared" / "benchmarks" / "tntp"
#: (toll_weight, distance_weight) from each network's README.
WEIGHTS = {"ChicagoSketch": (0.02, 0.04)}
MAX_ITER = 20000


def _files(tntp_dir: Path, name: str) -> dict[str, Path]:
    """The net, trips and best-known flow files of one network.

    Where only a synthetic demand exists (Chicago Regional: ``*_trips_synthetic.tntp``, see
    its SYNTHETIC_DEMAND.md) that is the trips file, and the best-known flows, which belong to
    the real demand, are left out (the 'vs best' column is nan)."""
    folder = tntp_dir / name if (tntp_dir / name).is_dir() else tntp_dir
    files = {kind: folder / f"{name}_{kind}.tntp" for kind in ("net", "trips", "flow")}
    synthetic = folder / f"{name}_trips_synthetic.tntp"
    if not files["trips"].is_file() and synthetic.is_file():
        files["trips"] = synthetic
        files["flow"] = folder / f"{name}_flow.tntp.not-for-synthetic-demand"
    return files


# --------------------------------------------------------------------------- workers


def worker_ours(args: argparse.Namespace) -> None:
    """Read, assign, write with mobility (in one process); print a JSON summary line."""
    t0 = time.perf_counter()
    from mobility.network import assignment, tntp

    t_import = time.perf_counter() - t0
    net = tntp.read_net(args.net)
    demand = tntp.check_demand(net, tntp.read_trips(args.trips, n_zones=net.n_zones), args.trips)
    t1 = time.perf_counter()
    res = assignment.assign(
        net,
        demand,
        algorithm=args.algorithm,
        rel_gap=args.gap,
        max_iter=args.max_iter,
        toll_weight=args.toll_weight,
        distance_weight=args.distance_weight,
    )
    t2 = time.perf_counter()
    tntp.write_flows_csv(args.out, net, res.flows, res.costs)
    print(
        json.dumps(
            {
                "assign_s": t2 - t1,
                "import_s": t_import,
                "iterations": res.iterations,
                "gap": res.rel_gap,
                "sp_s": res.timings["shortest_paths"],
            }
        )
    )


def _read_tntp_net_plain(path: str):
    """A small independent TNTP net reader for the AequilibraE worker (pandas only)."""
    import pandas as pd

    lines = Path(path).read_text().splitlines()
    meta = {}
    start = 0
    for i, line in enumerate(lines):
        if line.strip().startswith("<"):
            key, _, value = line.strip()[1:].partition(">")
            if key.strip().upper() == "END OF METADATA":
                start = i + 1
                break
            meta[key.strip().upper()] = value.strip()
    rows = []
    for line in lines[start:]:
        text = line.split("~")[0].replace(";", " ").split()
        if text:
            rows.append([float(x) for x in text[:10]])
    cols = ["a", "b_", "capacity", "length", "fftt", "b", "power", "speed", "toll", "type"]
    df = pd.DataFrame(rows, columns=cols[: len(rows[0])])
    return (
        df,
        int(meta["NUMBER OF ZONES"].split()[0]),
        int(meta.get("FIRST THRU NODE", "1").split()[0]),
    )


def _read_tntp_trips_plain(path: str, zones: int) -> np.ndarray:
    import re

    text = Path(path).read_text()
    body = text.split("<END OF METADATA>", 1)[-1]
    demand = np.zeros((zones, zones))
    for block in re.split(r"Origin\s+", body)[1:]:
        head, _, rest = block.partition("\n")
        o = int(head.split()[0])
        for d, v in re.findall(r"(\d+)\s*:\s*([-+0-9.eE]+)", rest):
            demand[o - 1, int(d) - 1] = float(v)
    return demand


def aequilibrae_assignment(net: str, trips: str, toll_weight: float, distance_weight: float):
    """AequilibraE's graph, demand and ``TrafficAssignment`` for a TNTP network, with BPR on
    the network's own parameters and the generalized-cost weights as a fixed cost; returns
    ``(assignment, traffic_class, network)``, the algorithm, cores and targets left to set."""
    import pandas as pd
    from aequilibrae.matrix import AequilibraeMatrix
    from aequilibrae.paths import Graph, TrafficAssignment, TrafficClass

    df, zones, first_thru = _read_tntp_net_plain(net)
    demand = _read_tntp_trips_plain(trips, zones)
    m = len(df)
    power = np.where(df["b"].to_numpy() == 0, np.maximum(df["power"].to_numpy(), 1.0), df["power"])
    network = pd.DataFrame(
        {
            "link_id": np.arange(1, m + 1),
            "a_node": df["a"].astype(np.int64),
            "b_node": df["b_"].astype(np.int64),
            "direction": np.ones(m, dtype=np.int8),
            # AequilibraE refuses zero free-flow times (Chicago Sketch's connectors)
            "free_flow_time": np.maximum(df["fftt"].to_numpy(dtype=float), 1e-6),
            "capacity": df["capacity"].astype(float),
            "b": df["b"].astype(float),
            "power": power.astype(float),
            "fixed_cost": toll_weight * df.get("toll", 0.0) + distance_weight * df["length"],
        }
    )
    graph = Graph()
    graph.network = network
    graph.prepare_graph(np.arange(1, zones + 1, dtype=np.int64))
    graph.set_graph("free_flow_time")
    graph.set_skimming(["free_flow_time"])
    graph.set_blocked_centroid_flows(first_thru > 1)
    mat = AequilibraeMatrix()
    mat.create_empty(zones=zones, matrix_names=["demand"], memory_only=True)
    mat.index[:] = np.arange(1, zones + 1)
    mat.matrices[:, :, 0] = demand
    mat.computational_view(["demand"])
    tc = TrafficClass("car", graph, mat)
    if toll_weight or distance_weight:
        tc.set_fixed_cost("fixed_cost", 1.0)
    ta = TrafficAssignment()
    ta.set_classes([tc])
    ta.set_vdf("BPR")
    ta.set_vdf_parameters({"alpha": "b", "beta": "power"})
    ta.set_capacity_field("capacity")
    ta.set_time_field("free_flow_time")
    return ta, tc, network


def worker_aequilibrae(args: argparse.Namespace) -> None:
    """Read, assign (AequilibraE bfw), write; print a JSON summary line."""
    t0 = time.perf_counter()
    import aequilibrae.paths  # noqa: F401  (timed as the import, as in worker_ours)
    import pandas as pd

    t_import = time.perf_counter() - t0
    ta, _, network = aequilibrae_assignment(
        args.net, args.trips, args.toll_weight, args.distance_weight
    )
    ta.set_algorithm("bfw")
    if args.cores:
        ta.set_cores(args.cores)
    ta.max_iter = args.max_iter
    ta.rgap_target = args.gap
    t1 = time.perf_counter()
    ta.execute()
    t2 = time.perf_counter()
    res = ta.results()
    flows = res["PCE_tot"].reindex(network["link_id"]).to_numpy()
    times = res["Congested_Time_Max"].reindex(network["link_id"]).to_numpy()
    cost = times + network["fixed_cost"].to_numpy()
    out = pd.DataFrame(
        {
            "init_node": network["a_node"],
            "term_node": network["b_node"],
            "volume": flows,
            "cost": cost,
        }
    )
    out.to_csv(args.out, index=False, float_format="%.6f")
    report = ta.report()
    print(
        json.dumps(
            {
                "assign_s": t2 - t1,
                "import_s": t_import,
                "iterations": int(report["iteration"].max()),
                "gap": float(report["rgap"].iloc[-1]),
            }
        )
    )


# --------------------------------------------------------------------------- parent


def _run(
    kind: str,
    files: dict[str, Path],
    gap: float,
    weights,
    out: Path,
    algorithm: str,
    cores: int = 0,
    max_iter: int = MAX_ITER,
) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        kind,
        "--net",
        str(files["net"]),
        "--trips",
        str(files["trips"]),
        "--gap",
        repr(gap),
        "--toll-weight",
        repr(weights[0]),
        "--distance-weight",
        repr(weights[1]),
        "--algorithm",
        algorithm,
        "--out",
        str(out),
        "--cores",
        str(cores),
        "--max-iter",
        str(max_iter),
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if cores:
        env["NUMBA_NUM_THREADS"] = str(cores)
    # (AequilibraE draws progress bars on stderr, captured here; TQDM_DISABLE breaks 1.7.2)
    # Peak memory: the child's own maximum resident set size, from os.wait4 (Linux reports
    # ru_maxrss in KiB), so each row is that one process, not the maximum over all children.
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
        proc = subprocess.Popen(cmd, stdout=out_f, stderr=err_f, text=True, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out_f.seek(0)
        err_f.seek(0)
        stdout, stderr = out_f.read(), err_f.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{stderr[-2000:]}")
    info = json.loads(stdout.strip().splitlines()[-1])
    info["wall_s"] = wall
    info["peak_mb"] = usage.ru_maxrss / 1024.0
    return info


def _check(files: dict[str, Path], flows_csv: Path, weights) -> tuple[float, float]:
    """(true relative gap, relative difference of sum(flow x cost) from best-known)."""
    from mobility.network import paths, tntp, vdf

    net = tntp.read_net(files["net"])
    demand = tntp.read_trips(files["trips"], n_zones=net.n_zones)
    data = np.loadtxt(flows_csv, delimiter=",", skiprows=1)
    flows = data[:, 2]
    times = vdf.time("bpr", flows, net.free_flow_time, net.capacity, **net.vdf_parameters())
    cost = times + weights[0] * net.toll + weights[1] * net.length
    _, sp = paths.aon(net, cost, demand)
    total = float(flows @ cost)
    gap = 1.0 - sp / total
    best_total = float("nan")
    if files["flow"].is_file():
        best = tntp.read_flow(files["flow"])
        best_total = float(best[2] @ best[3])
    return gap, total / best_total - 1.0


def main(argv: list[str] | None = None) -> None:
    """Parse options; run the table, or one worker."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tntp-dir", type=Path, default=DEFAULT_TNTP)
    p.add_argument("--networks", default="SiouxFalls,Anaheim,ChicagoSketch,Barcelona")
    p.add_argument("--gaps", default="1e-4,1e-5,1e-6")
    p.add_argument("--repeat", type=int, default=1, help="runs per cell; the fastest is kept")
    p.add_argument(
        "--algorithms", default="bfw,gp", help="our algorithms (AequilibraE always runs bfw)"
    )
    p.add_argument("--no-aequilibrae", action="store_true")
    p.add_argument(
        "--cores", type=int, default=0, help="threads for both tools (default: all cores)"
    )
    p.add_argument("--worker", choices=("ours", "aequilibrae"), help=argparse.SUPPRESS)
    p.add_argument("--net", help=argparse.SUPPRESS)
    p.add_argument("--trips", help=argparse.SUPPRESS)
    p.add_argument("--gap", type=float, help=argparse.SUPPRESS)
    p.add_argument("--algorithm", default="bfw", help=argparse.SUPPRESS)
    p.add_argument("--toll-weight", type=float, default=0.0, help=argparse.SUPPRESS)
    p.add_argument("--distance-weight", type=float, default=0.0, help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--max-iter", type=int, default=MAX_ITER, help=argparse.SUPPRESS)
    p.add_argument(
        "--aeq-max-iter",
        type=int,
        default=MAX_ITER,
        help="stop AequilibraE after this many iterations (a target it has not reached by "
        "then shows its gap, and the ratio becomes an upper bound, marked '<')",
    )
    args = p.parse_args(argv)
    if args.worker == "ours":
        worker_ours(args)
        return
    if args.worker == "aequilibrae":
        worker_aequilibrae(args)
        return

    try:
        import aequilibrae  # noqa: F401

        have_aeq = not args.no_aequilibrae
    except ImportError:
        have_aeq = False
    gaps = [float(g) for g in args.gaps.split(",")]
    algorithms = args.algorithms.split(",")
    header = (
        f"{'network':<14}{'gap':>7}  {'tool':<12}{'iters':>6}{'gap reached':>12}{'true gap':>10}"
        f"{'vs best':>10}{'assign s':>9}{'process s':>10}{'peak MB':>9}{'ratio a/p':>11}"
    )
    print(
        f"cpus: {os.cpu_count()}, threads: {args.cores or 'all'}, "
        f"load average: {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    print(header, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        # warm the numba cache so that no row includes a compile
        files0 = (
            _files(args.tntp_dir, "SiouxFalls") if (args.tntp_dir / "SiouxFalls").exists() else None
        )
        cold = None
        if files0 is not None:
            for alg in algorithms:
                cold = _run("ours", files0, 1e-4, (0.0, 0.0), Path(tmp) / "warm.csv", alg)
        for name in args.networks.split(","):
            files = _files(args.tntp_dir, name)
            weights = WEIGHTS.get(name, (0.0, 0.0))
            for gap in gaps:
                results = {}
                tools = [f"ours {a}" for a in algorithms]
                tools += ["aeq bfw"] if have_aeq else []
                for tool in tools:
                    kind, alg = ("aequilibrae", "bfw") if tool == "aeq bfw" else ("ours", tool[5:])
                    best = None
                    for r in range(args.repeat):
                        out = Path(tmp) / f"{name}_{kind}_{alg}_{gap}_{r}.csv"
                        cap = args.aeq_max_iter if kind == "aequilibrae" else MAX_ITER
                        info = _run(kind, files, gap, weights, out, alg, args.cores, cap)
                        info["out"] = out
                        if best is None or info["wall_s"] < best["wall_s"]:
                            best = info
                    assert best is not None
                    best["true_gap"], best["vs_best"] = _check(files, best["out"], weights)
                    results[tool] = best
                for tool, info in results.items():
                    ratio = ""
                    if tool != "aeq bfw" and "aeq bfw" in results:
                        a = results["aeq bfw"]
                        r_assign = info["assign_s"] / a["assign_s"]
                        ratio = f"{r_assign:.2f}/{info['wall_s'] / a['wall_s']:.2f}"
                        if a["gap"] > gap >= info["gap"]:
                            ratio = "<" + ratio  # the peer stopped short of the target
                    print(
                        f"{name:<14}{gap:>7.0e}  {tool:<12}"
                        f"{info['iterations']:>6}{info['gap']:>12.2e}{info['true_gap']:>10.2e}"
                        f"{info['vs_best']:>+10.1e}{info['assign_s']:>9.2f}{info['wall_s']:>10.2f}"
                        f"{info['peak_mb']:>9.0f}"
                        f"{ratio:>11}",
                        flush=True,
                    )
        if cold is not None:
            print(
                f"(warm-up run: SiouxFalls 1e-4 whole process {cold['wall_s']:.2f} s; "
                f"run with a cleared numba cache to see the one-off compile cost)"
            )
    print(
        "ratio a/p = ours/AequilibraE for assignment seconds / whole-process seconds; "
        "'true gap' = relative gap of the written flows recomputed by the parent; "
        "'vs best' = sum(flow x cost) relative to the best-known *_flow.tntp; "
        "'<' = AequilibraE stopped at --aeq-max-iter short of the target, so the ratio is an "
        "upper bound; "
        "'peak MB' = the worker process's maximum resident set size (os.wait4 ru_maxrss)"
    )


if __name__ == "__main__":
    main()
