"""``mobility network``: inspect a road network, export it to a GeoPackage, import one from
OpenStreetMap or GTFS."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import networkx as nx
import numpy as np

from mobility.errors import InputError

INFO_EPILOG = """
\b
Examples:
  mobility network info                      # the bundled region network
  mobility network info --roads my_gmns/     # any GMNS folder (node.csv, link.csv)
\b
Exit status: 0 when every check passes, 1 when a check fails, 2 on unreadable input.
"""

OSM_EPILOG = """
\b
Examples:
  mobility network from-osm kastrup.osm -o roads_osm/
  mobility network from-osm --place "Frederiksberg Kommune, Denmark" -o roads_osm/
  mobility network from-osm kastrup.osm --zones zones.csv --connectors 3 -o roads_osm/
\b
--place downloads from the Overpass API (needs the internet); a FILE is read offline.
Capacity, lanes and speeds missing in OSM are estimates by highway class (see
mobility.network.osm); the link table says which values are estimates.
--zones zones.csv (columns zone_id, lat, lon, optional name; WGS84) adds each zone as a
centroid node (node_type centroid, no through traffic) joined both ways to its nearest
--connectors road nodes (default 2) by connector links (great-circle length, 30 km/h).
"""


EXPORT_EPILOG = """
\b
Examples:
  mobility network export --gpkg region_roads.gpkg            # the bundled region network
  mobility network export --roads roads_osm/ --gpkg roads.gpkg
  mobility network export --roads roads_osm/ --gpkg roads.gpkg --force   # replace it
\b
Layers links (LineString per directed link: its WKT geometry, else node to node) and nodes
(Point), in ETRS89 / UTM 32N (EPSG:25832), from the CRS config.csv states. An existing
file is replaced only with --force.
"""


GTFS_EPILOG = """
\b
Examples:
  mobility network from-gtfs rejseplanen.zip -o transit_gtfs/
  mobility network from-gtfs feed.zip --date 20250304 --skip-bad-trips -o transit_gtfs/
\b
Writes the model's transit format (stops.csv, lines.csv, line_stops.csv) plus
line_headways.csv (every line's headway in each time-of-day period) and manifest.json.
lines.csv holds the morning-peak headway; speeds reproduce the timetable's running times.
"""


@dataclass
class NetworkReport:
    """What ``mobility network info`` measures (see :func:`network_report`)."""

    n_nodes: int
    n_links: int
    n_car_links: int
    zones: list[int]
    km_by_class: dict[str, float]
    bad_links: list[tuple[Any, str]] = field(default_factory=list)
    unreachable: list[tuple[int, int]] = field(default_factory=list)
    n_unreachable_pairs: int = 0
    #: nodes no path may pass through (GMNS ``no_thru``, else the barred centroids)
    n_no_thru: int = 0
    #: zones with several nodes, none marked as the centroid: zone -> number of nodes the
    #: generated centroid joins (:func:`mobility.network.gmns_zones.with_zone_connectors`)
    generated_zones: dict[int, int] = field(default_factory=dict)
    #: stated link lengths against the coordinates
    #: (:func:`mobility.network.gmns_check.check_lengths`)
    lengths: Any = None

    @property
    def ok(self) -> bool:
        """True when no link is bad, every zone reaches every other zone by car and the
        stated lengths agree with the coordinates (where checked)."""
        lengths_ok = self.lengths is None or self.lengths.ok
        return not self.bad_links and self.n_unreachable_pairs == 0 and lengths_ok


def _bad_links(graph: nx.MultiDiGraph) -> list[tuple[Any, str]]:
    """Links whose capacity or length is missing, zero or negative (in link order)."""
    from mobility.network.gmns import ordered_edges

    bad = []
    for _, _, key, data in ordered_edges(graph):
        link_id = data.get("link_id", key)
        for attr in ("capacity_vph", "length_km"):
            value = data.get(attr)
            if value is None or not np.isfinite(float(value)) or float(value) <= 0:
                bad.append((link_id, f"{attr}={value}"))
    return bad


def no_thru_nodes(graph: nx.MultiDiGraph, centroid_no_thru: set[Any]) -> set[Any]:
    """The nodes no path may pass through: ``no_thru`` 1 in node.csv, else (no value) the
    centroids :func:`mobility.network.gmns_zones.zone_centroids` bars, as in assignment."""
    return {n for n, d in graph.nodes(data=True) if bool(d.get("no_thru", n in centroid_no_thru))}


def zone_reachability(
    graph: nx.MultiDiGraph, *, mode: str = "car", zones: list[int] | None = None
) -> np.ndarray:
    """``(Z, Z)`` bool: zone i reaches zone j on links allowing ``mode``.

    Zones are those of :func:`mobility.network.gmns_zones.zone_centroids` (ascending id; or
    ``zones``). Paths may start and end at a centroid but never pass through a no-thru node
    (:func:`no_thru_nodes`: GMNS ``no_thru``, else typed centroids), as in assignment.
    Computed with breadth-first search on a scipy CSR graph.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    from mobility.network.gmns_network import allows_mode
    from mobility.network.gmns_zones import with_zone_connectors

    graph, centroids, centroid_no_thru = with_zone_connectors(graph, zones)
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    zones = sorted(centroids) if zones is None else zones
    z_nodes = np.array([index[centroids[z]] for z in zones], dtype=np.int64)
    is_no_thru = np.zeros(len(nodes), dtype=bool)
    is_no_thru[[index[n] for n in no_thru_nodes(graph, centroid_no_thru)]] = True
    tails, heads = [], []
    for u, v, data in graph.edges(data=True):
        if allows_mode(data, mode):
            tails.append(index[u])
            heads.append(index[v])
    tails_a = np.asarray(tails, dtype=np.int64)
    heads_a = np.asarray(heads, dtype=np.int64)
    n = len(nodes)
    # links leaving a no-thru node are usable only as the first link of a path: a virtual
    # source (node n) is joined to the origin centroid's successors.
    thru = ~is_no_thru[tails_a] if tails_a.size else np.zeros(0, dtype=bool)
    reach = np.zeros((len(zones), len(zones)), dtype=bool)
    for i, c in enumerate(z_nodes.tolist()):
        first = heads_a[tails_a == c]
        rows = np.concatenate([tails_a[thru], np.full(first.size, n)])
        cols = np.concatenate([heads_a[thru], first])
        mat = csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n + 1, n + 1))
        order = breadth_first_order(mat, n, directed=True, return_predecessors=False)
        seen = np.zeros(n + 1, dtype=bool)
        seen[order] = True
        reach[i] = seen[z_nodes]
        reach[i, i] = True
    return reach


def network_report(graph: nx.MultiDiGraph) -> NetworkReport:
    """Counts, km by road class, bad links and car connectivity among zones."""
    from mobility.network.gmns_check import check_lengths
    from mobility.network.gmns_network import allows_mode
    from mobility.network.gmns_zones import zone_centroids

    km: dict[str, float] = defaultdict(float)
    n_car = 0
    for _, _, data in graph.edges(data=True):
        if data.get("gmns_reverse"):
            continue
        km[str(data.get("road_class") or "unclassified")] += float(data.get("length_km") or 0.0)
    for _, _, data in graph.edges(data=True):
        n_car += allows_mode(data, "car")
    centroids, centroid_no_thru, generated = zone_centroids(graph)
    zones = sorted([*centroids, *generated])
    reach = (
        zone_reachability(graph, mode="car", zones=zones) if zones else np.ones((0, 0), dtype=bool)
    )
    missing = np.argwhere(~reach)
    return NetworkReport(
        n_nodes=graph.number_of_nodes(),
        n_links=graph.number_of_edges(),
        n_car_links=n_car,
        zones=zones,
        km_by_class=dict(sorted(km.items(), key=lambda kv: (-kv[1], kv[0]))),
        bad_links=_bad_links(graph),
        unreachable=[(zones[i], zones[j]) for i, j in missing[:10].tolist()],
        n_unreachable_pairs=int(missing.shape[0]),
        n_no_thru=len(no_thru_nodes(graph, centroid_no_thru)),
        generated_zones={z: len(nodes) for z, nodes in generated.items()},
        lengths=check_lengths(graph),
    )


def _format_report(report: NetworkReport, where: str) -> list[str]:
    lines = [
        f"network: {where}",
        f"nodes: {report.n_nodes}",
        f"links: {report.n_links} directed ({report.n_car_links} open to cars)",
        f"zones: {len(report.zones)}",
        f"no-thru nodes: {report.n_no_thru} (no path passes through them)",
        "length by road class (km, summed over directed links; a two-way road counts twice):",
    ]
    width = max((len(c) for c in report.km_by_class), default=0)
    for cls, km in report.km_by_class.items():
        lines.append(f"  {cls:<{width}}  {km:10.1f}")
    lines.append(f"  {'total':<{width}}  {sum(report.km_by_class.values()):10.1f}")
    if report.bad_links:
        shown = ", ".join(f"{lid} ({why})" for lid, why in report.bad_links[:10])
        lines.append(
            f"bad links: {len(report.bad_links)} with zero, negative or missing capacity or "
            f"length: {shown}"
        )
    else:
        lines.append("bad links: none (every capacity and length > 0)")
    if report.lengths is not None:
        state = "" if report.lengths.ok else "FAILED, "
        lines.append(f"lengths: {state}{report.lengths.message()}")
    if report.generated_zones:
        shown = ", ".join(f"{z} ({n} nodes)" for z, n in list(report.generated_zones.items())[:10])
        lines.append(
            f"zones without a marked centroid: {len(report.generated_zones)}, each given a "
            f"generated centroid joined to its nodes: {shown}"
        )
    z = len(report.zones)
    if z == 0:
        lines.append("connectivity: no zones (no node has a zone_id)")
    elif report.n_unreachable_pairs == 0:
        lines.append(f"connectivity: ok, every zone reaches every other zone by car ({z}x{z})")
    else:
        shown = ", ".join(f"{a}->{b}" for a, b in report.unreachable)
        lines.append(
            f"connectivity: FAILED, {report.n_unreachable_pairs} of {z * (z - 1)} zone pairs "
            f"unreachable by car, e.g. {shown}"
        )
    return lines


@click.group()
def network() -> None:
    """Inspect or export a road network, or import one from OpenStreetMap or GTFS."""


@network.command(epilog=INFO_EPILOG)
@click.option(
    "--roads",
    type=click.Path(path_type=Path),
    default=None,
    help="GMNS folder (default: the bundled region network).",
)
@click.pass_context
def info(ctx: click.Context, *, roads: Path | None) -> None:
    """Counts, km by road class, bad links and zone-to-zone connectivity by car."""
    graph, where = _load_network(roads)
    report = network_report(graph)
    for line in _format_report(report, where):
        click.echo(line)
    if not report.ok:
        ctx.exit(1)


def _load_network(roads: Path | None) -> tuple[nx.MultiDiGraph, str]:
    """The GMNS folder ``roads`` (or the bundled region network) and how to name it."""
    from mobility.network.gmns import read_gmns

    if roads is not None:
        return read_gmns(roads), str(roads)
    try:
        from mobility.region.roads import load_roads
    except ModuleNotFoundError as exc:
        if exc.name != "mobility.region.roads":
            raise
        raise InputError(
            "the bundled region network is not available in this installation",
            field="--roads",
            expected="a GMNS folder given with --roads",
        ) from None
    return load_roads(), "bundled region network"


@network.command(epilog=EXPORT_EPILOG)
@click.option(
    "--roads",
    type=click.Path(path_type=Path),
    default=None,
    help="GMNS folder (default: the bundled region network).",
)
@click.option(
    "--gpkg",
    "gpkg",
    required=True,
    type=click.Path(path_type=Path),
    help="GeoPackage to write (.gpkg).",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
def export(*, roads: Path | None, gpkg: Path, force: bool) -> None:
    """Write a road network to a GeoPackage (layers links and nodes, EPSG:25832)."""
    import contextlib
    import os
    import tempfile

    from mobility.fileio import check_output_file
    from mobility.gis import CRS, write_network_map

    if gpkg.suffix.lower() != ".gpkg":
        raise InputError("not a GeoPackage name", file=gpkg, expected="a file name ending .gpkg")
    check_output_file(gpkg)
    if gpkg.exists() and not force:
        raise InputError(
            "exists; mobility replaces an existing file only with --force",
            file=gpkg,
            expected="a new file name, or --force",
        )
    graph, where = _load_network(roads)
    gpkg.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{gpkg.stem}.", suffix=".partial.gpkg", dir=gpkg.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write_network_map(tmp, graph)
        os.replace(tmp, gpkg)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    click.echo(
        f"wrote {gpkg}: {graph.number_of_edges()} links, {graph.number_of_nodes()} nodes "
        f"of {where} ({CRS})"
    )


@network.command("from-osm", epilog=OSM_EPILOG)
@click.argument("osm_file", required=False, type=click.Path(path_type=Path))
@click.option("--place", default=None, help="Place name to download (needs the internet).")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Output GMNS folder (node.csv, link.csv, config.csv).",
)
@click.option(
    "--retain-all",
    is_flag=True,
    help="Keep every connected part, not only the largest strongly connected one.",
)
@click.option(
    "--zones",
    type=click.Path(path_type=Path),
    default=None,
    help="Zones CSV (zone_id, lat, lon, optional name; WGS84): centroids and connectors.",
)
@click.option(
    "--connectors",
    type=int,
    default=2,
    show_default=True,
    help="Road nodes each zone is connected to (with --zones).",
)
def from_osm(
    *,
    osm_file: Path | None,
    place: str | None,
    output: Path,
    retain_all: bool,
    zones: Path | None,
    connectors: int,
) -> None:
    """Import OpenStreetMap roads (OSM XML FILE or --place) and write a GMNS network."""
    from mobility.network.osm import import_osm

    if (osm_file is None) == (place is None):
        raise InputError("give either an OSM FILE or --place NAME (not both)", field="FILE/--place")
    if output.exists() and not output.is_dir():
        raise InputError("exists and is not a folder", file=output)
    graph = import_osm(
        output,
        path=osm_file,
        place=place,
        retain_all=retain_all,
        zones=zones,
        connectors=connectors,
    )
    roads = [d for _, _, d in graph.edges(data=True) if d.get("road_class") != "connector"]
    km = sum(float(d.get("length_km", 0.0)) for d in roads)
    estimated = sum(1 for d in roads if d.get("speed_source", "").startswith("est"))
    n_zones = int(graph.graph.get("n_zones", 0))
    n_roads = graph.number_of_nodes() - n_zones
    click.echo(
        f"wrote {output}: {n_roads} nodes, {len(roads)} links, "
        f"{km:.1f} km; capacities are estimates by highway class, speeds estimated on "
        f"{estimated} links without maxspeed"
        + (
            f"; dropped {graph.graph['dropped_nodes']} nodes and {graph.graph['dropped_links']} "
            "links outside the largest strongly connected part (--retain-all keeps them)"
            if graph.graph.get("dropped_links")
            else ""
        )
        + (
            f"; {n_zones} zones attached by {graph.graph['n_connectors']} connector links "
            f"(longest {graph.graph['longest_connector_km']:.3f} km)"
            if zones is not None
            else ""
        )
    )


@network.command("from-gtfs", epilog=GTFS_EPILOG)
@click.argument("feed", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (the model's transit format).",
)
@click.option("--date", default=None, metavar="YYYYMMDD", help="Service day [the busiest].")
@click.option(
    "--skip-bad-trips",
    is_flag=True,
    help="Leave out trips whose times go back or lack a first time, instead of refusing.",
)
@click.pass_context
def from_gtfs(
    ctx: click.Context, *, feed: Path, output: Path, date: str | None, skip_bad_trips: bool
) -> None:
    """Import a GTFS FEED (zip or folder) as the model's transit tables."""
    from mobility import __version__
    from mobility.fileio import atomic_output_dir, check_output_dir, manifest, write_json
    from mobility.network.gtfs import read_feed, to_transit, write_transit

    check_output_dir(output, inputs=[feed])
    data = read_feed(feed)
    from mobility.demand.model import AM_PEAK
    from mobility.demand.parameters import load_demand_parameters
    from mobility.demand.timeofday import load_time_of_day

    periods = [(p.name, tuple(p.hours_of_day)) for p in load_time_of_day().periods]
    route_factor = load_demand_parameters().detour_factor
    tables = to_transit(
        data,
        periods=periods,
        peak=AM_PEAK,
        route_factor=route_factor,
        date=date,
        skip_bad_trips=skip_bad_trips,
    )
    with atomic_output_dir(output, inputs=[feed]) as tmp:
        paths = write_transit(tables, tmp)
        settings = {
            "service_day": tables.date,
            "route_factor": route_factor,
            "skip_bad_trips": skip_bad_trips,
            "encoding": dict(sorted(data.encoding.items())),
            "skipped": [f"{what}: {why}" for what, why in tables.skipped],
        }
        doc = manifest(version=__version__, inputs={"feed": feed}, settings=settings, outputs=paths)
        write_json(tmp / "manifest.json", doc)
    quiet = bool((ctx.obj or {}).get("quiet", False))
    if not quiet:
        odd = [n for n, e in sorted(data.encoding.items()) if not e.startswith("utf-8")]
        note = f"; read as Windows-1252, not UTF-8: {', '.join(odd)}" if odd else ""
        click.echo(
            f"wrote {output}: {len(tables.lines)} lines, {len(tables.stops)} stops, service "
            f"day {tables.date}; {len(tables.skipped)} trips or routes left out (manifest)"
            f"{note}",
            err=True,
        )
