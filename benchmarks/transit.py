"""Benchmark: the region's public-transport skim, shortest paths vs optimal strategies.

Usage: ``python benchmarks/transit.py [--years 2015,2035] [--repeat 20] [--no-aequilibrae]``.

For each year it builds the transit graph of the bundled region, then times
:func:`mobility.network.transit_graph.pt_skim` under both route-choice models (median of
``--repeat`` calls after one warm-up call, so numba compilation is excluded) and the
strategy loading of a one-trip-per-OD-pair matrix. With AequilibraE installed
(``pip install ".[bench]"``) it also checks the optimal-strategy costs of every OD pair and
the link volumes of the one-trip matrix against AequilibraE's ``HyperpathGenerating``
(centroids made no-thru by dropping, per destination, the links into other zones).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from mobility.demand.parameters import load_demand_parameters
from mobility.network.transit_assignment import ALPHA, strategy_load
from mobility.network.transit_graph import (
    ROUTE_CHOICES,
    build_transit_network,
    pt_load,
    pt_skim,
    strategy_graph,
)
from mobility.region import load_region


def _median_s(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _aequilibrae_check(tn, skim: dict[str, np.ndarray]) -> str:
    """Largest differences to AequilibraE's hyperpaths (cost per OD pair, link volumes).

    Lines that share stops at the same speed make exact ties between equally good strategies,
    which the two programs may break differently (same costs, different volumes); the volume
    check therefore runs on costs jittered by up to 1e-6 relative (the same for both).
    """
    import pandas as pd
    from aequilibrae.paths.public_transport import HyperpathGenerating

    net = tn.net
    zones = np.asarray(net.zone_nodes)
    jitter = 1.0 + 1e-6 * np.random.default_rng(1).random(net.n_links)
    jittered = tn.strategy_cost * jitter
    # AequilibraE waits 1 / f: scale so that 1 / f' = wait_weight x alpha / f
    freq = np.where(np.isinf(tn.frequency), np.inf, tn.frequency / (tn.wait_weight * ALPHA))
    edges = pd.DataFrame(
        {
            "tail": np.asarray(net.init, dtype=np.int64),
            "head": np.asarray(net.term, dtype=np.int64),
            "trav_time": tn.strategy_cost,
            "freq": freq,
        }
    )
    into_zone = np.isin(edges["head"].to_numpy(), zones)
    worst_cost = 0.0
    aeq_flows = np.zeros(net.n_links)
    for d, dest in enumerate(zones):
        keep = ~into_zone | (edges["head"].to_numpy() == dest)
        link_ids = np.flatnonzero(keep)
        origins = np.array([z for z in zones if z != dest])
        for costs in (tn.strategy_cost, jittered):
            sub = edges[keep].reset_index(drop=True)
            sub["trav_time"] = costs[keep]
            hp = HyperpathGenerating(
                sub,
                o_vert_ids=origins,
                d_vert_ids=np.full(origins.size, dest),
                nodes_to_indices=np.arange(net.n_nodes),
            )
            for o, origin in enumerate(zones):
                if o == d:
                    continue
                hp.run(int(origin), int(dest), 1.0)
                if costs is jittered:
                    aeq_flows[link_ids] += hp._edges["volume"].to_numpy()
                else:
                    ours = skim["cost"][o, d]
                    worst_cost = max(worst_cost, abs(float(hp.u_i_vec[origin]) - ours))
    ones = np.ones((zones.size, zones.size))
    flows = strategy_load(
        strategy_graph(tn), jittered, tn.frequency, ones, wait_weight=tn.wait_weight
    )
    worst_flow = float(np.max(np.abs(aeq_flows - flows)))
    return (
        f"AequilibraE HyperpathGenerating: max |cost difference| {worst_cost:.2e} gen. min over "
        f"{zones.size * (zones.size - 1)} OD pairs; max |link volume difference| "
        f"{worst_flow:.2e} (one trip per OD pair, {net.n_links} links, ties broken by jitter)"
    )


def _report_year(year: int, *, repeat: int, check: bool) -> None:
    """Time and (optionally) cross-check the skims of one year's network."""
    out = sys.stdout
    params = load_demand_parameters()
    region = load_region(year)
    z = region.zones
    tn = build_transit_network(
        region.transit,
        zone_ids=z.zone_id,
        zone_lon=z.lon,
        zone_lat=z.lat,
        params=params.transit_graph_params(),
        zone_land=z.land,
    )
    out.write(
        f"{year}: {z.n_zones} zones, {tn.net.n_nodes} nodes, {tn.net.n_links} links, "
        f"{len(tn.line_ids)} lines\n"
    )
    for choice in ROUTE_CHOICES:
        s = _median_s(lambda c=choice: pt_skim(tn, route_choice=c), repeat)
        out.write(f"  pt_skim {choice:<16} {s * 1000:8.1f} ms\n")
    ones = np.ones((z.n_zones, z.n_zones))
    s = _median_s(lambda: pt_load(tn, ones), repeat)
    out.write(f"  pt_load optimal_strategy {s * 1000:8.1f} ms\n")
    strat = pt_skim(tn)
    short = pt_skim(tn, route_choice="shortest_path")
    off = ~np.eye(z.n_zones, dtype=bool)
    gain = short["cost"][off] - strat["cost"][off]
    out.write(
        f"  expected cost below the shortest path: mean {gain.mean():.2f}, max "
        f"{gain.max():.2f} gen. min (never above: {bool(np.all(gain >= -1e-9))})\n"
    )
    if not check:
        return
    try:
        import aequilibrae  # noqa: F401
    except ImportError:
        out.write("  (AequilibraE not installed: no cross-check)\n")
        return
    out.write("  " + _aequilibrae_check(tn, strat) + "\n")


def main() -> None:
    """Time the skims of each year; compare with AequilibraE when it is installed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", default="2015,2035")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-aequilibrae", action="store_true")
    args = ap.parse_args()
    for year in (int(y) for y in args.years.split(",")):
        _report_year(year, repeat=args.repeat, check=not args.no_aequilibrae)


if __name__ == "__main__":
    main()
