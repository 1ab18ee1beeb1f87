"""Write the bundled GMNS road network ``mobility/data/roads/`` from its data files.

Run ``python -m mobility.data.build_roads`` after editing one of the source tables (all in
``mobility/data/``, every row with its ``source``; described in ``mobility/data/README.md``):

* ``road_nodes.csv``: junctions with their explicit ``node_id`` (projects refer to these ids),
  a ``key`` the other tables use, coordinates and the ``land`` they lie on;
* ``roads.csv``: one row per road (or per section with its own lanes), its class, lanes per
  direction, free speed, toll, opening year and node sequence (``nodes``, keys separated by
  spaces);
* ``ferries.csv``: car ferries, crossing time incl. average wait and boarding, and fare;
* ``cycle_routes.csv``: bike-only cycle superhighways and bridges;
* ``road_classes.csv``: curvature, capacity per lane and allowed uses by class;
* ``zones.csv``: the zone centroids (nodes 1-48, ``node_id == zone_id``).

Each road, ferry and cycle route becomes two directed links per consecutive node pair, numbered
from the row's ``first_link_id`` (checked: the ids run on without gaps, so inserting a row is an
error instead of a silent renumbering of every later link). Length = great-circle distance x
the class's curvature (the model carries no shape points). Centroid connectors follow
(:func:`connectors`). The output is byte-identical for the same tables.
"""

from __future__ import annotations

import csv
import itertools
from functools import partial
from pathlib import Path

from mobility.errors import InputError
from mobility.fileio import write_csv
from mobility.network import geometry
from mobility.region.vocabulary import LAND_BY_CODE

DATA = Path(__file__).resolve().parent
#: Centroid connectors: speed standing for access within the zone [M], how many nodes, radius.
CONNECTOR_SPEED_KMH = 30.0
CONNECTOR_MAX = 3
CONNECTOR_RADIUS_KM = 6.0
#: Which junctions connectors may end at (see :func:`connector_targets`).
CONNECTOR_RULE = "no_motorway_only"
CONNECTOR_SOURCE = (
    "centroid connector: access within the zone at 30 km/h over 1.3 x the straight distance "
    "(min 0.5 km) [M]"
)
CYCLE_SPEED_KMH = 20.0  # design speed of the cycle superhighways [M]
LANDS = ("zealand", "scania", "bornholm")
NODE_HEADER = ("node_id", "name", "x_coord", "y_coord", "node_type", "zone_id")
LINK_HEADER = (
    *("link_id", "name", "from_node_id", "to_node_id", "directed", "length", "facility_type"),
    *("lanes", "capacity", "free_speed", "toll", "allowed_uses", "open_year", "source"),
)
COLUMNS = {
    "road_nodes.csv": ("node_id", "key", "name", "lon", "lat", "land", "source"),
    "roads.csv": (
        *("first_link_id", "name", "road_class", "lanes", "free_speed_kmh", "toll_dkk"),
        *("open_year", "nodes", "source", "toll_source"),
    ),
    "ferries.csv": (
        *("first_link_id", "name", "from_node", "to_node", "crossing_min", "toll_dkk", "source"),
    ),
    "cycle_routes.csv": ("first_link_id", "name", "open_year", "nodes", "source"),
    "road_classes.csv": ("road_class", "curvature", "capacity_per_lane_vph", "allowed_uses"),
    "zones.csv": ("zone_id", "name", "municipality_code", "lon", "lat"),
}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (:func:`mobility.network.geometry.haversine_km`)."""
    return float(geometry.haversine_km(lon1, lat1, lon2, lat2))


def read_table(name: str, folder: Path = DATA) -> list[tuple[int, dict[str, str]]]:
    """Rows of one source table as ``(line number, row)``; every row needs a ``source``."""
    path = folder / name
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for col in COLUMNS[name]:
                if col not in (reader.fieldnames or []):
                    raise InputError("missing column", file=path, line=1, field=col)
            rows = [(i + 2, row) for i, row in enumerate(reader)]
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    for line, row in rows:
        if "source" in COLUMNS[name] and not (row["source"] or "").strip():
            raise InputError("empty source", file=path, line=line, field="source")
    return rows


def number(row: dict[str, str], path: Path, line: int, field: str, kind: type = float):
    """``row[field]`` as ``kind`` (empty -> None for ``open_year``), else an InputError."""
    text = (row[field] or "").strip()
    if field == "open_year" and not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise InputError(f"not a number: {text!r}", file=path, line=line, field=field) from None


def load_nodes(folder: Path = DATA) -> dict[str, dict]:
    """Junctions by key: ``node_id``, ``name``, ``lat``, ``lon``, ``land``, in node_id order."""
    nodes: dict[str, dict] = {}
    seen: set[int] = set()
    for line, row in read_table("road_nodes.csv", folder):
        path = folder / "road_nodes.csv"
        nid, key = number(row, path, line, "node_id", int), row["key"].strip()
        if nid in seen or key in nodes or nid < 1000:
            raise InputError(f"duplicate or zone-range id {nid}/{key!r}", file=path, line=line)
        if row["land"] not in LANDS:
            raise InputError("unknown land", file=path, line=line, expected=" | ".join(LANDS))
        seen.add(nid)
        lat, lon = (number(row, path, line, c) for c in ("lat", "lon"))
        nodes[key] = {"node_id": nid, "name": row["name"], "lat": lat, "lon": lon}
        nodes[key]["land"] = row["land"]
    return dict(sorted(nodes.items(), key=lambda kv: kv[1]["node_id"]))


def _keys(row: dict[str, str], path: Path, line: int, nodes: dict[str, dict]) -> list[str]:
    keys = row["nodes"].split() if "nodes" in row else [row["from_node"], row["to_node"]]
    for k in keys:
        if k not in nodes:
            raise InputError(f"unknown node {k!r}", file=path, line=line, field="nodes")
    if len(keys) < 2:
        raise InputError("fewer than 2 nodes", file=path, line=line, field="nodes")
    return keys


def connector_targets(nodes: dict[str, dict], classes: dict[str, set[str]]) -> list[str]:
    """Junctions a centroid connector may end at (node_id order), by :data:`CONNECTOR_RULE`.

    ``"any"``: every junction reachable by car. ``"no_motorway_only"``: not a junction whose
    car links are all motorway or expressway (a motorway-to-motorway interchange has no
    local access). ``"no_motorway"``: not a junction on a motorway or expressway at all.
    """
    fast = {"motorway", "expressway"}
    if CONNECTOR_RULE == "no_motorway_only":
        return [k for k in nodes if k in classes and not classes[k] <= fast]
    if CONNECTOR_RULE == "no_motorway":
        return [k for k in nodes if k in classes and not classes[k] & fast]
    return [k for k in nodes if k in classes]


def build(folder: Path = DATA) -> tuple[list[list[object]], list[list[object]]]:
    """Node and link rows of the region network from the source tables in ``folder``."""
    nodes = load_nodes(folder)
    cls = {r["road_class"]: r for _, r in read_table("road_classes.csv", folder)}
    zones = [r for _, r in read_table("zones.csv", folder)]
    links: list[list[object]] = []

    def km(u: str, v: str, c: str) -> float:
        a, b = nodes[u], nodes[v]
        return haversine_km(a["lat"], a["lon"], b["lat"], b["lon"]) * float(cls[c]["curvature"])

    def add(name, u, v, c, src, *, speed, lanes=1, toll=0.0, year=None, length=None):
        length = km(u, v, c) if length is None else length
        ends = [nodes[k]["node_id"] if isinstance(k, str) else k for k in (u, v)]
        for a, b in (ends, ends[::-1]):
            links.append([len(links) + 1, name, a, b, "true", f"{length:.3f}", c, lanes])
            links[-1] += [cls[c]["capacity_per_lane_vph"], f"{speed:.1f}", f"{toll:.1f}"]
            links[-1] += [cls[c]["allowed_uses"], "" if year is None else year, src]

    def rows(name):
        for line, row in read_table(name, folder):
            if number(row, folder / name, line, "first_link_id", int) != len(links) + 1:
                raise InputError(
                    f"first_link_id {row['first_link_id']}",
                    file=folder / name,
                    line=line,
                    field="first_link_id",
                    expected=f"{len(links) + 1} (ids run on from the row above)",
                )
            if row.get("road_class", "ferry") not in cls:
                raise InputError("unknown road_class", file=folder / name, line=line)
            yield (
                row,
                _keys(row, folder / name, line, nodes),
                partial(number, row, folder / name, line),
            )

    on_road: dict[str, set[str]] = {}
    for row, keys, get in rows("roads.csv"):
        c, toll, year = row["road_class"], get("toll_dkk"), get("open_year", int)
        if toll and not row["toll_source"].strip():
            raise InputError("toll without toll_source", file=folder / "roads.csv", field="toll")
        for u, v in itertools.pairwise(keys):
            add(row["name"], u, v, c, row["source"], speed=get("free_speed_kmh"),
                lanes=get("lanes", int), toll=toll, year=year)  # fmt: skip
            on_road.setdefault(u, set()).add(c)
            on_road.setdefault(v, set()).add(c)
    for row, (u, v), get in rows("ferries.csv"):
        length = km(u, v, "ferry")
        speed = length / (get("crossing_min") / 60.0)
        add(row["name"], u, v, "ferry", row["source"], speed=speed, toll=get("toll_dkk"),
            length=length)  # fmt: skip
        on_road.setdefault(u, set()).add("ferry")
        on_road.setdefault(v, set()).add("ferry")
    for row, keys, get in rows("cycle_routes.csv"):
        for u, v in itertools.pairwise(keys):
            add(row["name"], u, v, "cycle_superhighway", row["source"], speed=CYCLE_SPEED_KMH,
                year=get("open_year", int))  # fmt: skip
    for zid, key, length in connectors(nodes, on_road, zones, cls):
        add(f"Connector zone {zid}", zid, key, "connector", CONNECTOR_SOURCE,
            speed=CONNECTOR_SPEED_KMH, length=length)  # fmt: skip
    node_rows: list[list[object]] = [
        [z["zone_id"], f"Centroid {z['name']}", z["lon"], z["lat"], "centroid", z["zone_id"]]
        for z in zones
    ]
    for n in nodes.values():
        node_rows.append([n["node_id"], n["name"], f"{n['lon']:.4f}", f"{n['lat']:.4f}"])
        node_rows[-1] += ["junction", ""]
    return node_rows, links


def connectors(nodes, on_road, zones, cls) -> list[tuple[int, str, float]]:
    """``(zone_id, node key, length_km)`` of the centroid connectors.

    Up to :data:`CONNECTOR_MAX` nearest car junctions within :data:`CONNECTOR_RADIUS_KM` (at
    least the nearest), on the zone's own land (a connector is access within the zone: it
    never crosses the sound), plus the nearest bike-accessible road node if none of those is.
    """
    car_nodes = connector_targets(nodes, on_road)
    bike = {k for k, cs in on_road.items() if any("bike" in cls[c]["allowed_uses"] for c in cs)}
    out = []
    for z in zones:
        zid, lon, lat = int(z["zone_id"]), float(z["lon"]), float(z["lat"])
        land = LAND_BY_CODE.get(int(z["municipality_code"]), "zealand")
        dists = sorted(
            (haversine_km(lat, lon, nodes[k]["lat"], nodes[k]["lon"]), i, k)
            for i, k in enumerate(car_nodes)
            if nodes[k]["land"] == land
        )
        chosen = [d for d in dists[:CONNECTOR_MAX] if d[0] <= CONNECTOR_RADIUS_KM] or dists[:1]
        if not any(k in bike for _, _, k in chosen):
            chosen.append(next(d for d in dists if d[2] in bike))
        curvature = float(cls["connector"]["curvature"])
        out += [(zid, key, max(dist * curvature, 0.5)) for dist, _, key in chosen]
    return out


def main(folder: Path | None = None, source: Path = DATA) -> Path:
    """Write node.csv, link.csv and config.csv into ``folder`` (default: bundled roads/)."""
    target = folder or DATA / "roads"
    nodes, links = build(source)
    write_csv(target / "node.csv", NODE_HEADER, nodes)
    write_csv(target / "link.csv", LINK_HEADER, links)
    write_csv(
        target / "config.csv",
        ("dataset_name", "short_length", "long_length", "speed", "crs", "currency"),
        [("hovedstad_region_roads", "m", "km", "kph", "EPSG:4326", "DKK")],
    )
    return target


if __name__ == "__main__":
    main()
