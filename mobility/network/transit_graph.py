"""The public-transport graph as a :class:`~mobility.network.graph.LinkNetwork`.

Built from a :class:`mobility.network.transit.TransitSystem` (lines with stops, headways and
speeds) and the zone centroids. Nodes: zone centroids (no through paths), stops, and one
"route node" per line, direction and stop position. Links (``link_type`` codes):

=====  ===========  ==========================================================================
code   kind         cost (generalised minutes)
=====  ===========  ==========================================================================
0      access       centroid -> stop: walk (first km) + feeder (rest) x walk weight
1      egress       stop -> centroid: as access
2      board        stop -> route node: wait = min(headway / 2, cap) x wait weight + transfer
                    penalty (charged on every boarding; the first one is taken off when
                    utilities are built from the components)
3      in-vehicle   route node -> next route node: distance / line speed
4      alight       route node -> stop: 0
5      transfer     stop <-> stop closer than ``pt_transfer_walk_km``: walk x walk weight
=====  ===========  ==========================================================================

Every link also carries its components (in-vehicle, wait and walk minutes, boardings,
in-vehicle km, and a boarding indicator per line) so that one skim gives the level of
service and the boardings per line of any OD matrix (:func:`pt_skim`, :func:`line_boardings`).
Paths are shortest generalised cost (all-or-nothing, frequency-based, no capacity limits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mobility.demand.parameters import DemandParameters
from mobility.errors import InputError
from mobility.network.graph import LinkNetwork

EARTH_RADIUS_KM = 6371.0088
ACCESS, EGRESS, BOARD, IN_VEHICLE, ALIGHT, TRANSFER = range(6)
COMPONENTS = ("in_vehicle_min", "wait_min", "walk_min", "boardings", "length_km")
#: Access legs up to this many km are walked; beyond, the feeder speed applies.
WALK_PART_KM = 1.0


def distance_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray):
    """Great-circle distance in km (haversine); arrays broadcast."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


@dataclass(frozen=True)
class TransitNetwork:
    """The transit graph and its per-link components.

    Attributes
    ----------
    net
        The graph; ``free_flow_time`` holds the generalised cost in minutes, ``length`` the
        in-vehicle km, zones in the order given to :func:`build_transit_network`.
    cost
        ``(M,)`` generalised cost per link, minutes.
    components
        Name -> ``(M,)`` per-link component (see :data:`COMPONENTS`).
    line_ids
        Line ids in boarding-indicator order.
    line_mode
        Line id -> mode (``s-tog``, ``metro`` ...).
    line_boarding
        Line id -> ``(M,)`` 1.0 on that line's boarding links.
    """

    net: LinkNetwork
    cost: np.ndarray
    components: dict[str, np.ndarray]
    line_ids: tuple[str, ...]
    line_mode: dict[str, str]
    line_boarding: dict[str, np.ndarray]


class _Builder:
    """Accumulates links as lists, then freezes them into arrays."""

    def __init__(self, n_lines: int) -> None:
        self.init: list[int] = []
        self.term: list[int] = []
        self.kind: list[int] = []
        self.cost: list[float] = []
        self.comp: dict[str, list[float]] = {c: [] for c in COMPONENTS}
        self.line: list[int] = []  # line index of boarding links, -1 otherwise
        self.n_lines = n_lines

    def add(self, u: int, v: int, kind: int, cost: float, line: int = -1, **comp: float) -> None:
        self.init.append(u)
        self.term.append(v)
        self.kind.append(kind)
        self.cost.append(cost)
        self.line.append(line)
        for c in COMPONENTS:
            self.comp[c].append(comp.get(c, 0.0))


def _access_time(km: np.ndarray, p: DemandParameters) -> np.ndarray:
    walk = np.minimum(km, WALK_PART_KM)
    ride = np.maximum(km - WALK_PART_KM, 0.0)
    return walk / p.pt_walk_speed * 60.0 + ride / p.pt_feeder_speed * 60.0


def build_transit_network(
    system: Any,
    *,
    zone_ids: np.ndarray,
    zone_lon: np.ndarray,
    zone_lat: np.ndarray,
    params: DemandParameters,
) -> TransitNetwork:
    """Build the transit graph of ``system`` for the given zone centroids.

    Parameters
    ----------
    system
        A :class:`mobility.network.transit.TransitSystem` (``stops``: id -> Stop with
        ``lon``/``lat``; ``lines``: id -> TransitLine with ``mode``, ``headway_min``,
        ``speed_kmh``, ``stops``).
    zone_ids, zone_lon, zone_lat
        ``(Z,)`` zone ids and centroids (WGS84), in OD-matrix order.
    params
        Walk speed and weights, wait cap, transfer penalty, access rules.

    Raises
    ------
    InputError
        A line refers to an unknown stop, has fewer than two stops, or a non-positive
        headway or speed; or the system has no stops.
    """
    stop_ids = sorted(system.stops)
    if not stop_ids:
        raise InputError("transit system has no stops", field="stops")
    s_index = {sid: k for k, sid in enumerate(stop_ids)}
    s_lon = np.array([system.stops[s].lon for s in stop_ids], dtype=np.float64)
    s_lat = np.array([system.stops[s].lat for s in stop_ids], dtype=np.float64)
    z = int(np.asarray(zone_ids).shape[0])
    n_stops = len(stop_ids)
    line_ids = tuple(sorted(system.lines))
    b = _Builder(len(line_ids))
    p = params

    # access / egress: the k nearest stops plus every stop within pt_access_max_km
    dist = distance_km(zone_lon[:, None], zone_lat[:, None], s_lon[None, :], s_lat[None, :])
    dist = dist * p.detour_factor
    k_near = min(int(p.pt_access_stops), n_stops)
    for i in range(z):
        order = np.argsort(dist[i], kind="stable")
        chosen = set(order[:k_near].tolist()) | set(
            np.flatnonzero(dist[i] <= p.pt_access_max_km).tolist()
        )
        for s in sorted(chosen):
            km = float(dist[i, s])
            t = float(_access_time(np.array(km), p))
            b.add(i, z + s, ACCESS, p.pt_walk_weight * t, walk_min=t)
            b.add(z + s, i, EGRESS, p.pt_walk_weight * t, walk_min=t)

    # walking transfers between nearby stops
    sd = distance_km(s_lon[:, None], s_lat[:, None], s_lon[None, :], s_lat[None, :])
    sd = sd * p.detour_factor
    for a, c in zip(
        *np.nonzero((sd <= p.pt_transfer_walk_km) & ~np.eye(n_stops, dtype=bool)), strict=True
    ):
        t = float(sd[a, c]) / p.pt_walk_speed * 60.0
        b.add(z + int(a), z + int(c), TRANSFER, p.pt_walk_weight * t, walk_min=t)

    # lines: one chain of route nodes per direction
    next_node = z + n_stops
    line_mode: dict[str, str] = {}
    for li, lid in enumerate(line_ids):
        line = system.lines[lid]
        stops = list(line.stops)
        field = f"lines.{lid}"
        if len(stops) < 2:
            raise InputError("has fewer than two stops", field=f"{field}.stops")
        for s in stops:
            if s not in s_index:
                raise InputError(f"unknown stop {s!r}", field=f"{field}.stops")
        if not (line.headway_min > 0 and line.speed_kmh > 0):
            raise InputError("headway and speed must be positive", field=field)
        line_mode[lid] = str(line.mode)
        wait = min(line.headway_min / 2.0, p.pt_wait_cap)
        board_cost = p.pt_wait_weight * wait + p.pt_transfer_penalty
        for seq in (stops, stops[::-1]):
            nodes = list(range(next_node, next_node + len(seq)))
            next_node += len(seq)
            for pos, s in enumerate(seq):
                sn = z + s_index[s]
                if pos < len(seq) - 1:
                    b.add(sn, nodes[pos], BOARD, board_cost, line=li, wait_min=wait, boardings=1.0)
                if pos > 0:
                    b.add(nodes[pos], sn, ALIGHT, 0.0)
            for pos in range(len(seq) - 1):
                s1, s2 = s_index[seq[pos]], s_index[seq[pos + 1]]
                km = float(
                    distance_km(s_lon[s1], s_lat[s1], s_lon[s2], s_lat[s2]) * p.detour_factor
                )
                t = km / line.speed_kmh * 60.0
                b.add(nodes[pos], nodes[pos + 1], IN_VEHICLE, t, in_vehicle_min=t, length_km=km)

    m = len(b.init)
    kind = np.asarray(b.kind, dtype=np.int64)
    cost = np.asarray(b.cost, dtype=np.float64)
    comp = {c: np.asarray(v, dtype=np.float64) for c, v in b.comp.items()}
    line_arr = np.asarray(b.line, dtype=np.int64)
    no_thru = np.zeros(next_node, dtype=bool)
    no_thru[:z] = True
    node_ids = np.concatenate(
        [
            np.asarray(zone_ids, dtype=np.int64),
            np.arange(z + 1_000_000, z + 1_000_000 + next_node - z),
        ]
    )
    net = LinkNetwork(
        node_ids=node_ids,
        init=np.asarray(b.init, dtype=np.int64),
        term=np.asarray(b.term, dtype=np.int64),
        capacity=np.full(m, 1e9),
        free_flow_time=cost,
        length=comp["length_km"],
        b=np.zeros(m),
        power=np.zeros(m),
        toll=np.zeros(m),
        link_type=kind,
        zone_nodes=np.arange(z, dtype=np.int64),
        no_thru=no_thru,
        meta={"kind": "transit", "stops": stop_ids},
    ).validate(source="transit graph")
    line_boarding = {lid: (line_arr == li).astype(np.float64) for li, lid in enumerate(line_ids)}
    return TransitNetwork(
        net=net,
        cost=cost,
        components=comp,
        line_ids=line_ids,
        line_mode=line_mode,
        line_boarding=line_boarding,
    )


def pt_skim(tn: TransitNetwork) -> dict[str, np.ndarray]:
    """Shortest generalised-cost paths between all zones, with their components.

    Returns
    -------
    dict
        ``cost`` (generalised minutes), each of :data:`COMPONENTS`, and ``board:<line_id>``
        (1 where the OD path boards that line), all ``(Z, Z)``; ``np.inf`` costs where a zone
        pair is unconnected. Diagonal entries are 0 (intrazonal trips are handled by the
        demand model).
    """
    from mobility.network.paths import skim

    acc = dict(tn.components)
    acc.update({f"board:{lid}": arr for lid, arr in tn.line_boarding.items()})
    result = skim(tn.net, tn.cost, accumulate=acc)
    out = {"cost": result.cost}
    out.update(result.sums)
    return out


def line_boardings(
    skims: dict[str, np.ndarray], od: np.ndarray, line_ids: tuple[str, ...]
) -> dict[str, float]:
    """Boardings per line of an OD matrix loaded on the skimmed shortest paths."""
    trips = np.where(np.isfinite(skims["cost"]), od, 0.0)
    return {lid: float(np.sum(trips * skims[f"board:{lid}"])) for lid in line_ids}
