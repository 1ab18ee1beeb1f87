"""Akçelik volume-delay function: mobility's equilibrium against AequilibraE's, same network.

Usage::

    python benchmarks/akcelik.py [--tntp-dir DIR] [--networks SiouxFalls,Anaheim]
                                 [--j 0.1] [--period-h 1.0] [--gap 1e-6]

Every link of the TNTP network gets Akçelik's function (Akçelik 1991) with delay parameter J
and flow period T (hours); free-flow times are taken as minutes and capacities as vehicles per
hour. mobility's form is ``t0 + 15 T ((x-1) + sqrt((x-1)^2 + 8 J x / (c T)))`` minutes
(:mod:`mobility.network.vdf`); AequilibraE's ``AKCELIK`` is
``t0 + length alpha ((x-1) + sqrt((x-1)^2 + tau x / c))`` with ``alpha = 0.25``,
``length = 60 T`` (the period, in minutes) and ``tau = 8 J / T``, the same function.
Both solve the same user equilibrium (bi-conjugate Frank-Wolfe to ``--gap``; mobility's
path-based ``gp`` too), in this one process; the script prints the assignment seconds, each
solution's relative gap recomputed here with mobility's shortest paths, and how far the
flows are apart. An independent check of the function, its derivative and integral (the line
search and the gap use all three).

Needs ``pip install .[bench]`` (aequilibrae).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TNTP = ROOT.parent / "shared" / "benchmarks" / "tntp"


def _load(tntp_dir: Path, name: str):
    from mobility.network import tntp

    folder = tntp_dir / name if (tntp_dir / name).is_dir() else tntp_dir
    net = tntp.read_net(folder / f"{name}_net.tntp")
    trips = folder / f"{name}_trips.tntp"
    demand = tntp.check_demand(net, tntp.read_trips(trips, n_zones=net.n_zones), trips)
    return net, demand


def _relative_gap(net, demand: np.ndarray, flows: np.ndarray) -> float:
    """``1 - sum(demand x SP cost) / sum(flow x cost)`` with mobility's kernels."""
    from mobility.network import paths, vdf

    times = vdf.time("akcelik", flows, net.free_flow_time, net.capacity, **net.vdf_parameters())
    graph = paths.build_graph(net)
    _, sp_cost, _ = paths.aon_kernel(graph)(
        graph.csr,
        graph.ends,
        np.ascontiguousarray(times),
        np.ascontiguousarray(demand, dtype=np.float64),
        graph.n_links,
    )
    return 1.0 - float(sp_cost) / float(flows @ times)


def _aequilibrae(net, demand: np.ndarray, j: float, period_h: float, gap: float):
    import pandas as pd
    from aequilibrae.matrix import AequilibraeMatrix
    from aequilibrae.paths import Graph, TrafficAssignment, TrafficClass

    m, zones = net.n_links, net.n_zones
    network = pd.DataFrame(
        {
            "link_id": np.arange(1, m + 1),
            "a_node": net.node_ids[net.init],
            "b_node": net.node_ids[net.term],
            "direction": np.ones(m, dtype=np.int8),
            "free_flow_time": np.maximum(net.free_flow_time, 1e-6),
            "capacity": net.capacity,
            "tau": np.full(m, 8.0 * j / period_h),
            "period_min": np.full(m, 60.0 * period_h),
        }
    )
    graph = Graph()
    graph.network = network
    graph.prepare_graph(net.node_ids[net.zone_nodes].astype(np.int64))
    graph.set_graph("free_flow_time")
    graph.set_skimming(["free_flow_time"])
    graph.set_blocked_centroid_flows(bool(net.no_thru.any()))
    mat = AequilibraeMatrix()
    mat.create_empty(zones=zones, matrix_names=["demand"], memory_only=True)
    mat.index[:] = net.node_ids[net.zone_nodes]
    mat.matrices[:, :, 0] = demand
    mat.computational_view(["demand"])
    ta = TrafficAssignment()
    ta.set_classes([TrafficClass("car", graph, mat)])
    ta.set_vdf("AKCELIK")
    ta.set_vdf_parameters({"alpha": 0.25, "tau": "tau", "length": "period_min"})
    ta.set_capacity_field("capacity")
    ta.set_time_field("free_flow_time")
    ta.set_algorithm("bfw")
    ta.max_iter = 20000
    ta.rgap_target = gap
    with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
        start = time.perf_counter()
        ta.execute()  # its progress bars write to stderr
        seconds = time.perf_counter() - start
    flows = ta.results()["PCE_tot"].reindex(network["link_id"]).to_numpy()
    return flows, seconds, int(ta.report()["iteration"].max())


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tntp-dir", type=Path, default=DEFAULT_TNTP)
    p.add_argument("--networks", default="SiouxFalls,Anaheim")
    p.add_argument("--j", type=float, default=0.1, help="Akcelik delay parameter J")
    p.add_argument("--period-h", type=float, default=1.0, help="flow period T, hours")
    p.add_argument("--gap", type=float, default=1e-6)
    args = p.parse_args(argv)

    from mobility.network import assignment

    print("| network | solver | seconds | iterations | relative gap | flow RMSE / mean flow |")
    print("|---|---|---|---|---|---|")
    for name in args.networks.split(","):
        net, demand = _load(args.tntp_dir, name)
        m = net.n_links
        net = dataclasses.replace(
            net, akcelik_j=np.full(m, args.j), period_h=np.full(m, args.period_h)
        )
        assignment.assign(net, demand, vdf="akcelik", max_iter=2)  # compile outside timing
        ref = assignment.assign(net, demand, algorithm="gp", vdf="akcelik", rel_gap=1e-10)
        runs = {"mobility gp (reference, 1e-10)": (ref.flows, ref.timings["total"], ref.iterations)}
        ours = assignment.assign(net, demand, vdf="akcelik", rel_gap=args.gap, max_iter=20000)
        runs[f"mobility bfw ({args.gap:g})"] = (ours.flows, ours.timings["total"], ours.iterations)
        runs[f"AequilibraE bfw ({args.gap:g})"] = _aequilibrae(
            net, demand, args.j, args.period_h, args.gap
        )
        mean = ref.flows.mean()
        for solver, (flows, seconds, iterations) in runs.items():
            rmse = float(np.sqrt(np.mean((flows - ref.flows) ** 2)) / mean)
            gap = _relative_gap(net, demand, flows)
            print(f"| {name} | {solver} | {seconds:.2f} | {iterations} | {gap:.2e} | {rmse:.1e} |")


if __name__ == "__main__":
    main()
