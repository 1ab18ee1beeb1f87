"""``mobility assign``: static user-equilibrium assignment of one network and one OD matrix.

The network is a TNTP ``*_net.tntp`` file or a GMNS folder (``node.csv``/``link.csv``, the
links allowing cars); the demand a TNTP ``*_trips.tntp`` file or a CSV OD list of zone ids,
``origin,destination,trips`` or as Path4GMNS writes it, ``o_zone_id,d_zone_id,volume``
(also ``orig_taz,dest_taz,total``, the zephyr Lima example). With a GMNS folder the CSV's
zone ids are the zones: their centroids are found by
:func:`mobility.network.gmns_zones.zone_centroids`. Output (:func:`write_link_flows`):
``link_id,init_node,term_node,volume,cost``, one row per link in input order (GMNS: ascending
``link_id``, the ids of ``link.csv``; TNTP: the link's 1-based row in the net file), written
atomically.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import numpy as np

from mobility.errors import InputError

EPILOG = """
\b
Examples:
  mobility assign --net SiouxFalls_net.tntp --trips SiouxFalls_trips.tntp \\
      --gap 1e-6 --flows-best SiouxFalls_flow.tntp -o flows.csv
  mobility assign --net ChicagoSketch_net.tntp --trips ChicagoSketch_trips.tntp \\
      --distance-weight 0.04 -o flows.csv
  mobility assign --net roads/ --trips od.csv -o flows.csv   # GMNS folder, CSV OD list
  mobility assign --net Sioux_Falls/ --trips Sioux_Falls/demand.csv -o flows.csv
                                    # a Path4GMNS set (o_zone_id,d_zone_id,volume)
"""

_VDFS = ("bpr", "conical", "akcelik")


#: Accepted ``(origin, destination, trips)`` column names of a CSV OD list, first match wins.
OD_COLUMNS = (
    ("origin", "destination", "trips"),
    ("o_zone_id", "d_zone_id", "volume"),  # Path4GMNS / DTALite demand.csv
    ("orig_taz", "dest_taz", "total"),  # zephyr GMNS Lima example
)


def od_columns(path: Path, header: Sequence[str] | None) -> tuple[str, str, str]:
    """The OD list's column names (one of :data:`OD_COLUMNS`).

    Raises
    ------
    InputError
        When the header has none of them, naming the first missing column of the default.
    """
    names = [h.strip() for h in header or []]
    for cols in OD_COLUMNS:
        if all(c in names for c in cols):
            return cols
    missing = next(c for c in OD_COLUMNS[0] if c not in names)
    raise InputError(
        "missing column",
        file=path,
        line=1,
        field=missing,
        expected=" or ".join(",".join(c) for c in OD_COLUMNS),
    )


def demand_zone_ids(path: Path) -> list[int] | None:
    """The zone ids a CSV OD list uses (ascending), or ``None`` when it is not a CSV or a
    value is not a zone id (then :func:`read_od_csv` reports the error)."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return None
    zones: set[int] = set()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        o, d, _ = od_columns(path, reader.fieldnames)
        for row in reader:
            try:
                zones.update((int((row[o] or "").strip()), int((row[d] or "").strip())))
            except (ValueError, AttributeError):
                return None
    return sorted(zones)


def load_network(path: Path, *, zones: list[int] | None = None) -> Any:
    """A :class:`LinkNetwork` from a TNTP net file or a GMNS folder (car links; ``zones``:
    the GMNS zones in OD order, default every zone with a centroid)."""
    if path.is_dir():
        from mobility.network.gmns import read_gmns
        from mobility.network.gmns_network import gmns_to_link_network
        from mobility.network.gmns_zones import zone_ids

        graph = read_gmns(path)
        _warn_lengths(graph, path)
        if zones is not None:  # a zone the network lacks: read_od_csv names its line
            known = zone_ids(graph)
            zones = [z for z in zones if z in known]
        return gmns_to_link_network(graph, zones=zones, mode="car", source=path)
    if not path.exists():
        raise InputError("file not found", file=path)
    from mobility.network.tntp import read_net

    return read_net(path)


def _warn_lengths(graph: Any, folder: Path) -> None:
    """One warning line on stderr when the stated link lengths disagree with the
    coordinates (:func:`mobility.network.gmns_check.check_lengths`); free-flow times come from
    the lengths, so the costs written are then in the wrong scale."""
    from mobility.network.gmns_check import check_lengths

    check = check_lengths(graph)
    if not check.ok:
        click.echo(f"warning: {folder / 'link.csv'}: field 'length': {check.message()}", err=True)


def _zone_ids(net: Any) -> list[int]:
    """External zone ids in OD order: GMNS ``zone_id`` values, or TNTP's ``1..Z``."""
    ids = net.meta.get("zone_ids")
    if ids is not None:
        return [int(z) for z in ids]
    return list(range(1, net.n_zones + 1))


def read_od_csv(path: Path, zone_ids: list[int]) -> np.ndarray:
    """Read an OD list ``origin,destination,trips`` (zone ids; or another header of
    :data:`OD_COLUMNS`) into a dense matrix.

    Raises
    ------
    InputError
        Missing file or column, unknown zone, non-numeric, negative or repeated pair; naming
        file, line and field.
    """
    if not path.is_file():
        raise InputError("file not found", file=path)
    index = {z: i for i, z in enumerate(zone_ids)}
    demand = np.zeros((len(zone_ids), len(zone_ids)))
    seen: set[tuple[int, int]] = set()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        o_col, d_col, t_col = od_columns(path, reader.fieldnames)
        for row in reader:
            line = reader.line_num
            ij = []
            for name in (o_col, d_col):
                text = (row[name] or "").strip()
                try:
                    zone = int(text)
                except ValueError:
                    raise InputError(
                        f"'{text}' is not a zone id", file=path, line=line, field=name
                    ) from None
                if zone not in index:
                    raise InputError(
                        f"unknown zone {zone}",
                        file=path,
                        line=line,
                        field=name,
                        expected="a zone of the network",
                    )
                ij.append(index[zone])
            text = (row[t_col] or "").strip()
            try:
                value = float(text)
            except ValueError:
                raise InputError(
                    f"'{text}' is not a number", file=path, line=line, field=t_col
                ) from None
            if not math.isfinite(value) or value < 0:
                raise InputError(
                    f"value {text}", file=path, line=line, field=t_col, expected="a number >= 0"
                )
            if (ij[0], ij[1]) in seen:
                raise InputError("repeated OD pair", file=path, line=line, field=o_col)
            seen.add((ij[0], ij[1]))
            demand[ij[0], ij[1]] = value
    return demand


def load_demand(path: Path, net: Any) -> np.ndarray:
    """The ``(Z, Z)`` demand from a TNTP trips file or a CSV OD list, checked against ``net``."""
    from mobility.network.tntp import check_demand, read_trips

    if path.suffix.lower() == ".csv":
        demand = read_od_csv(path, _zone_ids(net))
    else:
        if not path.is_file():
            raise InputError("file not found", file=path)
        demand = read_trips(path, n_zones=net.n_zones)
    return check_demand(net, demand, path)


#: Columns of the ``mobility assign`` output.
FLOW_COLUMNS = ("link_id", "init_node", "term_node", "volume", "cost")


def link_ids(net: Any) -> list[Any]:
    """Each link's id in network order: GMNS ``link_id`` (kept as written, also generated
    connector ids such as ``zone195+4012``), else the 1-based link number (TNTP row order)."""
    ids = net.meta.get("link_ids")
    if ids is None:
        return list(range(1, net.n_links + 1))
    return list(ids)


def write_link_flows(path: Path, net: Any, flows: np.ndarray, costs: np.ndarray) -> Path:
    """Write :data:`FLOW_COLUMNS`, one row per link in network order; volume and cost with
    six decimals, so the same flows give byte-identical files. An undirected GMNS link is
    two rows with the same ``link_id`` (its two directions, told apart by the nodes)."""
    from mobility.fileio import write_csv

    init = net.node_ids[net.init].tolist()
    term = net.node_ids[net.term].tolist()
    rows = (
        (lid, i, j, f"{v:.6f}", f"{c:.6f}")
        for lid, i, j, v, c in zip(
            link_ids(net),
            init,
            term,
            np.asarray(flows).tolist(),
            np.asarray(costs).tolist(),
            strict=True,
        )
    )
    return write_csv(path, FLOW_COLUMNS, rows)


def compare_best(net: Any, flows: np.ndarray, path: Path) -> dict[str, float]:
    """RMSE of ``flows`` against a best-known ``*_flow.tntp`` (rows in network link order).

    Returns
    -------
    dict
        ``rmse``, ``rmse_pct`` (of the mean best-known flow), ``mean_flow``, ``tstt_best``
        (sum of volume x cost of the file).
    """
    from mobility.network.tntp import read_flow

    if not path.is_file():
        raise InputError("file not found", file=path)
    init, term, volume, cost = read_flow(path)
    if volume.shape[0] != net.n_links:
        raise InputError(
            f"has {volume.shape[0]} links but the network has {net.n_links}", file=path
        )
    ours_i = net.node_ids[net.init]
    ours_j = net.node_ids[net.term]
    bad = np.flatnonzero((ours_i != init) | (ours_j != term))
    if bad.size:
        k = int(bad[0])
        raise InputError(
            f"row {k + 1} is link {init[k]}->{term[k]} but network link {k + 1} is "
            f"{ours_i[k]}->{ours_j[k]}",
            file=path,
            expected="rows in the network file's link order",
        )
    rmse = float(np.sqrt(np.mean((np.asarray(flows) - volume) ** 2)))
    mean = float(np.mean(volume))
    return {
        "rmse": rmse,
        "rmse_pct": 100.0 * rmse / mean if mean > 0 else math.nan,
        "mean_flow": mean,
        "tstt_best": float(np.dot(volume, cost)),
    }


def unreachable_error(
    net: Any, demand: np.ndarray, *, trips_path: Path, net_path: Path
) -> InputError:
    """The error for trips without a path: the trips file, the first such OD pair by its
    zone ids, its trips as a plain number and how many pairs are unreachable."""
    from mobility.network.paths import skim

    reach = skim(net, np.ones(net.n_links)).cost
    bad = np.argwhere((demand > 0) & ~np.isfinite(reach))
    zones = _zone_ids(net)
    o, d = (int(x) for x in bad[0])
    return InputError(
        f"{float(demand[o, d]):g} trips from zone {zones[o]} to zone {zones[d]} have no path "
        f"in {net_path} ({len(bad)} OD pair{'s' if len(bad) != 1 else ''} unreachable)",
        file=trips_path,
        field="trips",
        expected="trips only between zones the network connects",
    )


@click.command(epilog=EPILOG)
@click.option(
    "--net",
    "net_path",
    required=True,
    type=click.Path(path_type=Path),
    help="TNTP *_net.tntp file or GMNS folder (node.csv, link.csv).",
)
@click.option(
    "--trips",
    "trips_path",
    required=True,
    type=click.Path(path_type=Path),
    help="TNTP *_trips.tntp file or CSV OD list (origin,destination,trips or Path4GMNS "
    "o_zone_id,d_zone_id,volume).",
)
@click.option(
    "--algorithm",
    default="bfw",
    show_default=True,
    help=(
        "Assignment algorithm: aon, msa, fw, cfw, bfw (bi-conjugate Frank-Wolfe), gp "
        "(path-based gradient projection, for gaps of 1e-8 and below) or bush (origin-based "
        "Algorithm B: 1e-8 and below with a bush per origin instead of every OD pair's paths)."
    ),
)
@click.option(
    "--gap",
    "rel_gap",
    type=float,
    default=1e-5,
    show_default=True,
    help="Stop at this relative gap.",
)
@click.option(
    "--max-iter", type=click.IntRange(min=1), default=1000, show_default=True, help="Iteration cap."
)
@click.option(
    "--vdf",
    type=click.Choice(_VDFS),
    default="bpr",
    show_default=True,
    help="Volume-delay function for every link. bpr: t0 (1 + b (v/c)^power); conical: "
    "steepness = power; akcelik: delay parameter J = b, flow period T = power hours "
    "(times in minutes, capacity veh/h).",
)
@click.option(
    "--toll-weight",
    type=float,
    default=0.0,
    show_default=True,
    help="Cost per unit toll added to each link's cost (time units per toll unit).",
)
@click.option(
    "--distance-weight",
    type=float,
    default=0.0,
    show_default=True,
    help="Cost per unit length added to each link's cost (Chicago Sketch: 0.04).",
)
@click.option(
    "--flows-best",
    type=click.Path(path_type=Path),
    default=None,
    help="Best-known *_flow.tntp to compare against (prints link-flow RMSE).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Output CSV: link_id,init_node,term_node,volume,cost.",
)
def assign(
    *,
    net_path: Path,
    trips_path: Path,
    algorithm: str,
    rel_gap: float,
    max_iter: int,
    vdf: str,
    toll_weight: float,
    distance_weight: float,
    flows_best: Path | None,
    output: Path,
) -> None:
    """Equilibrium assignment of a demand matrix on a network; writes link flows."""
    from mobility.network.assignment import ALGORITHMS

    if algorithm not in ALGORITHMS:
        raise InputError(
            f"unknown algorithm '{algorithm}'", field="--algorithm", expected=", ".join(ALGORITHMS)
        )
    if not rel_gap > 0:
        raise InputError(f"value {rel_gap}", field="--gap", expected="a number > 0")
    for name, value in (("--toll-weight", toll_weight), ("--distance-weight", distance_weight)):
        if not (math.isfinite(value) and value >= 0):
            raise InputError(f"value {value}", field=name, expected="a number >= 0")
    if output.is_dir():
        raise InputError("is a folder", file=output, expected="an output file name")
    t0 = time.perf_counter()
    zones = demand_zone_ids(trips_path) if net_path.is_dir() else None
    net = load_network(net_path, zones=zones)
    demand = load_demand(trips_path, net)
    if flows_best is not None and not flows_best.is_file():
        raise InputError("file not found", file=flows_best)
    from mobility.network.assignment import assign as run_assignment

    t1 = time.perf_counter()
    try:
        result = run_assignment(
            net,
            demand,
            algorithm=algorithm,
            vdf=vdf,
            rel_gap=rel_gap,
            max_iter=max_iter,
            toll_weight=toll_weight,
            distance_weight=distance_weight,
        )
    except InputError as exc:
        if exc.field == "demand" and "has no path" in exc.message:
            raise unreachable_error(net, demand, trips_path=trips_path, net_path=net_path) from None
        raise
    t2 = time.perf_counter()
    best = compare_best(net, result.flows, flows_best) if flows_best is not None else None
    write_link_flows(output, net, result.flows, result.costs)
    seconds = time.perf_counter() - t0
    status = "" if result.converged else " (not converged)"
    click.echo(
        f"{result.algorithm}: {result.iterations} iterations, relative gap "
        f"{result.rel_gap:.3e}{status}, TSTT {result.tstt:.6f}, {seconds:.2f} s "
        f"(assignment {t2 - t1:.2f} s)"
    )
    if best is not None:
        diff = 100.0 * (result.tstt - best["tstt_best"]) / best["tstt_best"]
        click.echo(
            f"vs best-known {flows_best.name if flows_best else ''}: flow RMSE {best['rmse']:.4f} "
            f"({best['rmse_pct']:.4f} % of mean flow {best['mean_flow']:.2f}), "
            f"TSTT best {best['tstt_best']:.6f} ({diff:+.5f} %)"
        )
