"""Network edits: the changes a project or a committed scheme makes to the region's network.

A change is validated once (:func:`parse_network_change`, used by the project files of
:mod:`mobility.projects` and the committed projects of :mod:`mobility.scenario`) and applied
to a deep copy of the region inputs (:func:`apply_changes`); the reference inputs are never
mutated.

Network change operations (``op``), each entry also allows ``note``:

* ``add_link``: ``from``/``to`` (``{node: id}`` or ``{lon:, lat:}`` snapped to the nearest
  road node), ``name``, ``road_class``, ``lanes`` (per direction), ``free_speed_kmh``,
  ``capacity_vph`` [lanes x median per-lane capacity of that class], ``length_km``
  [great-circle x 1.15 detour factor], ``two_way`` [true], ``via`` (list of points).
* ``change_link``: a selection (``link_id`` one or a list, or ``name`` optionally with
  ``near: {lon, lat, radius_km}``) and any of ``lanes``, ``add_lanes``, ``capacity_vph``,
  ``capacity_factor``, ``free_speed_kmh``.
* ``remove_link``: a selection.
* ``add_transit_line``: ``line_id``, ``name``, ``mode``, ``headway_min``, ``speed_kmh``,
  ``stops`` (existing stop ids, or new stops ``{id, name, lon, lat}``).
* ``change_transit_line``: ``line_id`` and any of ``headway_min``, ``speed_kmh``, ``stops``.
* ``add_cycle_superhighway``: ``from``, ``to``, optional ``via``, ``name``,
  ``free_speed_kmh`` [20]: bike-only links both ways.
* ``toll``: ``toll_dkk`` on a selection of links, or on every link entering a ``cordon``
  (``zones``: names or ids; a node is inside when its nearest zone centroid is).

Every error names the file and the dotted field, e.g.
``projects/x.yaml: field 'network_changes[1].from.node': unknown road node 99999``.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mobility.config import Fields
from mobility.errors import InputError, shown
from mobility.network.geometry import ROUNDED_EARTH_RADIUS_KM
from mobility.network.geometry import haversine_km_radians_first as haversine_km
from mobility.region.transit import Stop, TransitLine
from mobility.region.vocabulary import PT_MODES, ROAD_CLASSES

__all__ = [
    "OPS",
    "NetworkChange",
    "apply_changes",
    "apply_changes_in_place",
    "parse_network_change",
]

#: The keys that select existing road links.
SELECTION = ("link_id", "name", "near")
#: Each operation and the keys it takes (besides ``op`` and ``note``).
OPS: dict[str, tuple[str, ...]] = {
    "add_link": (
        "from",
        "to",
        "via",
        "name",
        "road_class",
        "lanes",
        "free_speed_kmh",
        "capacity_vph",
        "length_km",
        "two_way",
        "toll_dkk",
    ),
    "change_link": (
        *SELECTION,
        "lanes",
        "add_lanes",
        "capacity_vph",
        "capacity_factor",
        "free_speed_kmh",
    ),
    "remove_link": SELECTION,
    "add_transit_line": ("line_id", "name", "mode", "headway_min", "speed_kmh", "stops"),
    "change_transit_line": ("line_id", "headway_min", "speed_kmh", "stops"),
    "add_cycle_superhighway": ("from", "to", "via", "name", "free_speed_kmh", "length_km"),
    "toll": (*SELECTION, "cordon", "toll_dkk", "direction"),
}
#: Great-circle to road-length factor for links added by coordinates (estimate).
DETOUR_FACTOR = 1.15
#: A coordinate farther than this from every road node is an error (km).
SNAP_LIMIT_KM = 10.0
#: Earth radius of every distance here (snapping, ``near``, added links' lengths): the
#: rounded one these edits have always used (:mod:`mobility.network.geometry`).
_RADIUS_KM = ROUNDED_EARTH_RADIUS_KM
#: The road classes a project can add a link of (motorway ... local).
BUILDABLE_ROAD_CLASSES = ROAD_CLASSES[:5]


@dataclass(frozen=True)
class NetworkChange:
    """One validated network change; ``field`` is its dotted place in ``file``."""

    op: str
    params: Mapping[str, Any]
    file: str
    field: str

    def error(self, key: str, message: str, expected: str | None = None) -> InputError:
        """An :class:`InputError` naming this change's file and ``field.key``."""
        name = f"{self.field}.{key}" if key else self.field
        return InputError(message, file=self.file, field=name, expected=expected)


def _point(f: Fields, key: str) -> dict[str, Any]:
    p = f.sub(key)
    p.check_unknown(("node", "lon", "lat"))
    if "node" in p.data:
        return {"node": p.number("node", integer=True)}
    return {
        "lon": p.number("lon", minimum=-180.0, maximum=180.0),
        "lat": p.number("lat", minimum=-90.0, maximum=90.0),
    }


def _selection(f: Fields) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "link_id" in f.data:
        raw = f.raw("link_id")
        ids = raw if isinstance(raw, list) else [raw]
        if not ids or not all(isinstance(i, str | int) and not isinstance(i, bool) for i in ids):
            raise f.error(
                "link_id", f"has value {shown(raw)}", expected="a link id or a list of ids"
            )
        out["link_id"] = [str(i) for i in ids]
    if "name" in f.data:
        out["name"] = f.str("name")
    if "near" in f.data:
        near = f.sub("near")
        near.check_unknown(("lon", "lat", "radius_km"))
        out["near"] = {
            "lon": near.number("lon", minimum=-180.0, maximum=180.0),
            "lat": near.number("lat", minimum=-90.0, maximum=90.0),
            "radius_km": near.number("radius_km", minimum=0.0),
        }
    return out


def parse_network_change(item: Fields) -> NetworkChange:
    """Validate one network change (``item``: the change's mapping, with its file and dotted
    place) into a :class:`NetworkChange`; see the module docstring for the schema.

    Raises
    ------
    InputError
        Naming the file and the dotted field of the first problem.
    """
    op = item.str("op", choices=tuple(OPS))
    item.check_unknown(("op", "note", *OPS[op]))
    p: dict[str, Any] = {}
    pos: dict[str, float] = {"minimum": 1e-9}
    if op in ("add_link", "add_cycle_superhighway"):
        p["from"] = _point(item, "from")
        p["to"] = _point(item, "to")
        p["via"] = [
            _point(Fields({"p": v}, file=item.file, prefix=item.path(f"via[{i}]")), "p")
            for i, v in enumerate(item.list("via", []))
        ]
        p["name"] = item.str("name", "")
        if "length_km" in item.data:
            p["length_km"] = item.number("length_km", minimum=pos["minimum"])
    if op == "add_link":
        p["road_class"] = item.str("road_class", choices=BUILDABLE_ROAD_CLASSES)
        p["lanes"] = item.number("lanes", minimum=1, maximum=8, integer=True)
        p["free_speed_kmh"] = item.number("free_speed_kmh", minimum=5, maximum=140)
        if "capacity_vph" in item.data:
            p["capacity_vph"] = item.number("capacity_vph", minimum=pos["minimum"])
        p["two_way"] = item.bool("two_way", True)
        p["toll_dkk"] = item.number("toll_dkk", 0.0, minimum=0.0)
    if op == "add_cycle_superhighway":
        p["free_speed_kmh"] = item.number("free_speed_kmh", 20.0, minimum=5, maximum=40)
    if op in ("change_link", "remove_link", "toll"):
        p.update(_selection(item))
    if op in ("change_link", "remove_link") and not ({"link_id", "name"} & set(p)):
        raise item.error("link_id", "is missing", expected="link_id or name")
    if op == "change_link":
        if "lanes" in item.data:
            p["lanes"] = item.number("lanes", minimum=1, maximum=8, integer=True)
        if "add_lanes" in item.data:
            p["add_lanes"] = item.number("add_lanes", minimum=-4, maximum=4, integer=True)
        if "capacity_vph" in item.data:
            p["capacity_vph"] = item.number("capacity_vph", minimum=pos["minimum"])
        if "capacity_factor" in item.data:
            p["capacity_factor"] = item.number("capacity_factor", minimum=0.01, maximum=5.0)
        if "free_speed_kmh" in item.data:
            p["free_speed_kmh"] = item.number("free_speed_kmh", minimum=5, maximum=140)
        if len(p) == len(_selection(item)):
            raise item.error("op", "changes nothing", expected="lanes, capacity or speed")
    if op == "toll":
        p["toll_dkk"] = item.number("toll_dkk", minimum=0.0)
        p["direction"] = item.str("direction", "inbound", choices=("inbound", "outbound", "both"))
        if "cordon" in item.data:
            cordon = item.sub("cordon")
            cordon.check_unknown(("zones",))
            zones = cordon.list("zones")
            if not zones:
                raise cordon.error("zones", "is empty", expected="zone names or ids")
            p["cordon"] = [str(z) for z in zones]
        elif not ({"link_id", "name"} & set(p)):
            raise item.error("cordon", "is missing", expected="cordon, link_id or name")
    if op in ("add_transit_line", "change_transit_line"):
        p["line_id"] = item.str("line_id")
        if "headway_min" in item.data or op == "add_transit_line":
            p["headway_min"] = item.number("headway_min", minimum=0.5, maximum=240)
        if "speed_kmh" in item.data or op == "add_transit_line":
            p["speed_kmh"] = item.number("speed_kmh", minimum=3, maximum=250)
        if "stops" in item.data or op == "add_transit_line":
            stops = item.list("stops")
            if len(stops) < 2:
                raise item.error("stops", "needs at least two stops", expected="a list of stops")
            parsed: list[Any] = []
            for i, s in enumerate(stops):
                if isinstance(s, str | int) and not isinstance(s, bool):
                    parsed.append(str(s))
                    continue
                sf = Fields(s, file=item.file, prefix=item.path(f"stops[{i}]"))
                sf.check_unknown(("id", "name", "lon", "lat"))
                parsed.append(
                    {
                        "id": sf.str("id"),
                        "name": sf.str("name"),
                        "lon": sf.number("lon", minimum=-180.0, maximum=180.0),
                        "lat": sf.number("lat", minimum=-90.0, maximum=90.0),
                    }
                )
            p["stops"] = parsed
    if op == "add_transit_line":
        p["name"] = item.str("name")
        p["mode"] = item.str("mode", choices=PT_MODES)
    return NetworkChange(op=op, params=p, file=str(item.file), field=item.prefix)


class _Road:
    """Index of the road graph for snapping and selections."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        nodes = [n for n, d in graph.nodes(data=True) if d.get("zone_id") is None]
        self.nodes = nodes
        self.lon = np.array([float(graph.nodes[n]["x"]) for n in nodes])
        self.lat = np.array([float(graph.nodes[n]["y"]) for n in nodes])

    def node(self, point: Mapping[str, Any], change: NetworkChange, key: str) -> Any:
        if "node" in point:
            node_id = point["node"]
            if node_id not in self.graph.nodes:
                raise change.error(
                    f"{key}.node",
                    f"unknown road node {node_id}",
                    expected="a node id of the road network",
                )
            return node_id
        if not self.nodes:
            raise change.error(key, "the road network has no nodes to snap to")
        d = haversine_km(self.lon, self.lat, point["lon"], point["lat"], radius_km=_RADIUS_KM)
        k = int(np.argmin(d))
        if d[k] > SNAP_LIMIT_KM:
            raise change.error(
                key,
                f"({point['lon']}, {point['lat']}) is {d[k]:.1f} km from the nearest road node",
                expected=f"a point within {SNAP_LIMIT_KM:g} km of the network",
            )
        return self.nodes[k]

    def coords(self, node: Any) -> tuple[float, float]:
        data = self.graph.nodes[node]
        return float(data["x"]), float(data["y"])

    def select(self, change: NetworkChange) -> list[tuple[Any, Any, Any]]:
        p = change.params
        edges = list(self.graph.edges(keys=True, data=True))
        chosen = edges
        if "link_id" in p:
            wanted = set(p["link_id"])
            chosen = [e for e in chosen if str(e[3].get("link_id", e[2])) in wanted]
            found = {str(e[3].get("link_id", e[2])) for e in chosen}
            missing = sorted(wanted - found)
            if missing:
                raise change.error(
                    "link_id",
                    f"unknown link '{missing[0]}'",
                    expected="a link_id of the road network",
                )
        if "name" in p:
            chosen = [e for e in chosen if e[3].get("name") == p["name"]]
            if not chosen:
                raise change.error(
                    "name",
                    f"no road link named '{p['name']}'",
                    expected="a road name of the network",
                )
        if "near" in p:
            near = p["near"]
            keep = []
            for e in chosen:
                (x1, y1), (x2, y2) = self.coords(e[0]), self.coords(e[1])
                if (
                    haversine_km(
                        (x1 + x2) / 2, (y1 + y2) / 2, near["lon"], near["lat"], radius_km=_RADIUS_KM
                    )
                    <= near["radius_km"]
                ):
                    keep.append(e)
            chosen = keep
            if not chosen:
                raise change.error(
                    "near", "selects no link", expected="a circle around the named links"
                )
        return [(u, v, k) for u, v, k, _ in chosen]


def _new_link_id(graph: Any, used: set[Any], project_id: str) -> str:
    """A link id for a project's new link that does not depend on what else is applied:
    ``<project_id>.<n>`` (n = 001, 002, ... in the order the project file adds them).

    Ids that stay the same whichever other projects are applied, and in whatever order, let
    a project run's links meet the reference's links by id (per-project link files, warm
    starts), and keep a decided project's links the same with or without a candidate.
    """
    keys = {str(k) for _, _, k in graph.edges(keys=True)} | {str(u) for u in used}
    n = 1
    while f"{project_id}.{n:03d}" in keys:
        n += 1
    new = f"{project_id}.{n:03d}"
    used.add(new)
    return new


def _per_lane_capacity(graph: Any, road_class: str) -> float:
    vals = [
        float(d["capacity_vph"]) / max(float(d.get("lanes", 1) or 1), 1.0)
        for _, _, d in graph.edges(data=True)
        if d.get("road_class") == road_class and d.get("capacity_vph")
    ]
    if vals:
        return float(np.median(vals))
    fallback = {"motorway": 1900.0, "expressway": 1700.0, "arterial": 900.0, "collector": 700.0}
    return fallback.get(road_class, 500.0)


def _add_path(
    road: _Road, change: NetworkChange, project_id: str, used: set[Any], *, bike: bool
) -> None:
    p = change.params
    points = [p["from"], *p["via"], p["to"]]
    keys = ["from", *[f"via[{i}]" for i in range(len(p["via"]))], "to"]
    nodes = [road.node(pt, change, k) for pt, k in zip(points, keys, strict=True)]
    if any(a == b for a, b in itertools.pairwise(nodes)):
        raise change.error(
            "to", "snaps to the same node as the previous point", expected="distinct end points"
        )
    seg = [
        haversine_km(*road.coords(a), *road.coords(b), radius_km=_RADIUS_KM) * DETOUR_FACTOR
        for a, b in itertools.pairwise(nodes)
    ]
    total = float(sum(seg))
    if "length_km" in p:
        seg = (
            [s * p["length_km"] / total for s in seg]
            if total > 0
            else [p["length_km"] / len(seg)] * len(seg)
        )
    g = road.graph
    for (a, b), length in zip(itertools.pairwise(nodes), seg, strict=True):
        directions = [(a, b), (b, a)] if (bike or p.get("two_way", True)) else [(a, b)]
        for u, v in directions:
            lid = _new_link_id(g, used, project_id)
            if bike:
                attrs = {
                    "road_class": "cycle_superhighway",
                    "lanes": 1,
                    "capacity_vph": 99999.0,
                    "free_speed_kmh": p["free_speed_kmh"],
                    "toll_dkk": 0.0,
                    "modes": "bike",
                }
            else:
                cap = p.get("capacity_vph") or p["lanes"] * _per_lane_capacity(g, p["road_class"])
                attrs = {
                    "road_class": p["road_class"],
                    "lanes": p["lanes"],
                    "capacity_vph": float(cap),
                    "free_speed_kmh": p["free_speed_kmh"],
                    "toll_dkk": p["toll_dkk"],
                    "modes": "car,bike,walk"
                    if p["road_class"] not in ("motorway", "expressway")
                    else "car",
                }
            g.add_edge(
                u,
                v,
                key=lid,
                link_id=lid,
                name=p["name"] or project_id,
                length_km=max(float(length), 0.01),
                source=f"project {project_id} ({change.file})",
                **attrs,
            )


def _change_links(road: _Road, change: NetworkChange) -> None:
    p = change.params
    g = road.graph
    for u, v, k in road.select(change):
        d = g.edges[u, v, k]
        old_lanes = float(d.get("lanes", 1) or 1)
        lanes = old_lanes
        if "lanes" in p:
            lanes = float(p["lanes"])
        if "add_lanes" in p:
            lanes = old_lanes + p["add_lanes"]
        if lanes < 1:
            raise change.error(
                "add_lanes", f"leaves link {k} with {lanes:g} lanes", expected="at least 1 lane"
            )
        cap = float(d.get("capacity_vph", 0.0))
        if "capacity_vph" in p:
            cap = float(p["capacity_vph"])
        elif lanes != old_lanes:
            cap = cap * lanes / old_lanes
        cap *= p.get("capacity_factor", 1.0)
        d["lanes"] = int(lanes) if float(lanes).is_integer() else lanes
        d["capacity_vph"] = cap
        if "free_speed_kmh" in p:
            d["free_speed_kmh"] = float(p["free_speed_kmh"])


def _nearest_zone(lon: np.ndarray, lat: np.ndarray, zones: Any) -> np.ndarray:
    d = haversine_km(
        lon[:, None], lat[:, None], zones.lon[None, :], zones.lat[None, :], radius_km=_RADIUS_KM
    )
    return np.argmin(d, axis=1)


def _toll(road: _Road, change: NetworkChange, zones: Any) -> None:
    p = change.params
    g = road.graph
    if "cordon" in p:
        index: dict[str, int] = {}
        for i in range(len(zones.zone_id)):
            index[str(int(zones.zone_id[i]))] = i
            index[zones.name[i].lower()] = i
            index.setdefault(zones.municipality[i].lower(), i)
        inside_zones = set()
        for j, z in enumerate(p["cordon"]):
            key = z.lower()
            if key not in index:
                raise change.error(
                    f"cordon.zones[{j}]", f"unknown zone '{z}'", expected="a zone name or id"
                )
            # a municipality name selects all its zones (København -> the 10 bydele)
            hits = [i for i in range(len(zones.zone_id)) if zones.municipality[i].lower() == key]
            inside_zones.update(hits or [index[key]])
        nodes = list(g.nodes)
        lon = np.array([float(g.nodes[n]["x"]) for n in nodes])
        lat = np.array([float(g.nodes[n]["y"]) for n in nodes])
        near = _nearest_zone(lon, lat, zones)
        inside = {n: int(near[i]) in inside_zones for i, n in enumerate(nodes)}
        for n, d in g.nodes(data=True):
            if d.get("zone_id") is not None:
                zi = np.flatnonzero(zones.zone_id == int(d["zone_id"]))
                if zi.size:
                    inside[n] = int(zi[0]) in inside_zones
        selected = []
        for u, v, k, d in g.edges(keys=True, data=True):
            if d.get("road_class") in ("connector", "cycle_superhighway"):
                continue
            entering = (not inside[u]) and inside[v]
            leaving = inside[u] and not inside[v]
            if (
                (p["direction"] == "inbound" and entering)
                or (p["direction"] == "outbound" and leaving)
                or (p["direction"] == "both" and (entering or leaving))
            ):
                selected.append((u, v, k))
        if not selected:
            raise change.error(
                "cordon",
                "no road link crosses the cordon",
                expected="a set of zones with a boundary",
            )
    else:
        selected = road.select(change)
    for u, v, k in selected:
        d = g.edges[u, v, k]
        d["toll_dkk"] = float(d.get("toll_dkk", 0.0) or 0.0) + p["toll_dkk"]


def _transit(inputs: Any, change: NetworkChange, project_id: str) -> None:
    system = inputs.transit
    p = change.params
    stops: list[str] = []
    for i, s in enumerate(p.get("stops", [])):
        if isinstance(s, dict):
            if s["id"] not in system.stops:
                system.stops[s["id"]] = Stop(s["id"], s["name"], s["lon"], s["lat"])
            stops.append(s["id"])
        else:
            if s not in system.stops:
                raise change.error(
                    f"stops[{i}]",
                    f"unknown stop '{s}'",
                    expected="a stop id of the transit network or {id, name, lon, lat}",
                )
            stops.append(s)
    lid = p["line_id"]
    if change.op == "add_transit_line":
        if lid in system.lines:
            raise change.error("line_id", f"line '{lid}' already exists", expected="a new line id")
        system.lines[lid] = TransitLine(
            line_id=lid,
            name=p["name"],
            mode=p["mode"],
            headway_min=p["headway_min"],
            speed_kmh=p["speed_kmh"],
            stops=tuple(stops),
            source=f"project {project_id} ({change.file})",
        )
        return
    if lid not in system.lines:
        raise change.error(
            "line_id", f"unknown line '{lid}'", expected="a line id of the transit network"
        )
    updates: dict[str, Any] = {}
    for key in ("headway_min", "speed_kmh"):
        if key in p:
            updates[key] = p[key]
    if stops:
        updates["stops"] = tuple(stops)
    system.lines[lid] = replace(system.lines[lid], **updates)


def apply_changes(
    inputs: Any, changes: Iterable[NetworkChange], *, project_id: str = "project"
) -> Any:
    """A deep copy of ``inputs`` (a RegionInputs) with ``changes`` applied in order.

    The reference ``inputs`` is never mutated.

    Raises
    ------
    InputError
        Naming the project file and change field (unknown node, link, line or stop ...).
    """
    out = copy.deepcopy(inputs)
    apply_changes_in_place(out, changes, project_id=project_id)
    return out


def apply_changes_in_place(
    out: Any, changes: Iterable[NetworkChange], *, project_id: str = "project"
) -> None:
    """Apply ``changes`` in order to ``out`` (a RegionInputs) itself: for a copy that the
    caller made already (:func:`mobility.projects.apply_projects`, one copy for many projects).

    Raises
    ------
    InputError
        As :func:`apply_changes`.
    """
    road = _Road(out.roads)
    used: set[Any] = set()
    for change in changes:
        if change.op == "add_link":
            _add_path(road, change, project_id, used, bike=False)
        elif change.op == "add_cycle_superhighway":
            _add_path(road, change, project_id, used, bike=True)
        elif change.op == "change_link":
            _change_links(road, change)
        elif change.op == "remove_link":
            for u, v, k in road.select(change):
                out.roads.remove_edge(u, v, key=k)
        elif change.op == "toll":
            _toll(road, change, out.zones)
        elif change.op in ("add_transit_line", "change_transit_line"):
            _transit(out, change, project_id)
        else:  # pragma: no cover - the schema rejects other ops
            raise change.error("op", f"unsupported operation '{change.op}'")
