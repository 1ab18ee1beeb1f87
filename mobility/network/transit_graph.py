"""The public-transport graph as a :class:`~mobility.network.graph.LinkNetwork`.

Built from a :class:`mobility.region.transit.TransitSystem` (lines with stops, headways and
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

Two route-choice models (:data:`ROUTE_CHOICES`, frequency-based, no capacity limits):

``optimal_strategy`` (default)
    Spiess & Florian (1989) optimal strategies (:mod:`mobility.network.transit_assignment`):
    at a stop the traveller boards the first vehicle among the attractive lines, so lines
    that share a stretch combine their frequencies. Each boarding link has the frequency
    ``1 / min(headway, 2 x cap)`` and the fixed cost of the transfer penalty; the wait is
    0.5 / (sum of the attractive frequencies) minutes, weighted by ``pt_wait_weight``. A lone
    line therefore waits ``min(headway / 2, cap)``, as in the shortest-path model. Skims are
    expected values under the strategy.
``shortest_path``
    All-or-nothing on the shortest generalised-cost path, every boarding link charged its
    own line's wait ``min(headway / 2, cap)``: parallel lines do not combine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mobility.errors import InputError
from mobility.network.geometry import haversine_km
from mobility.network.graph import LinkNetwork

if TYPE_CHECKING:
    from mobility.network.transit_assignment import StrategyGraph

ACCESS, EGRESS, BOARD, IN_VEHICLE, ALIGHT, TRANSFER = range(6)
#: Route-choice models of :func:`pt_skim` (the first is the default).
ROUTE_CHOICES = ("optimal_strategy", "shortest_path")
COMPONENTS = ("in_vehicle_min", "wait_min", "walk_min", "boardings", "length_km")
#: Access legs up to this many km are walked; beyond, the feeder speed applies.
WALK_PART_KM = 1.0


@dataclass(frozen=True)
class TransitGraphParams:
    """What the transit graph reads of the traveller's behaviour (units as named).

    The caller builds it from its demand model's parameters
    (:meth:`mobility.demand.parameters.DemandParameters.transit_graph_params`).
    """

    #: walking speed on access, egress and transfer legs (km/h)
    walk_speed_kmh: float
    #: speed of the part of an access leg beyond :data:`WALK_PART_KM` (feeder bus, km/h)
    feeder_speed_kmh: float
    #: weight of walking minutes against in-vehicle minutes
    walk_weight: float
    #: weight of waiting minutes against in-vehicle minutes
    wait_weight: float
    #: the wait at a stop is at most this (half the headway otherwise), min
    wait_cap_min: float
    #: generalised minutes charged on every boarding
    transfer_penalty_min: float
    #: a zone centroid connects to this many nearest stops ...
    access_stops: float
    #: ... and to every stop within this distance (km)
    access_max_km: float
    #: stops closer than this are linked by walking transfers (km)
    transfer_walk_km: float
    #: access, egress and in-vehicle distance / great-circle distance
    detour_factor: float


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
    frequency
        ``(M,)`` vehicles per minute of each boarding link, ``1 / min(headway, 2 x cap)``;
        ``np.inf`` on links without a wait (optimal strategies).
    strategy_cost
        ``(M,)`` generalised cost without the wait: ``cost`` less the weighted wait of the
        boarding links, which keep the transfer penalty (optimal strategies).
    wait_weight
        Generalised minutes per minute of wait (``pt_wait_weight``).
    line_of_link
        ``(M,)`` index into ``line_ids`` of the line of each boarding and in-vehicle link,
        -1 for other links.
    """

    net: LinkNetwork
    cost: np.ndarray
    components: dict[str, np.ndarray]
    line_ids: tuple[str, ...]
    line_mode: dict[str, str]
    line_boarding: dict[str, np.ndarray]
    frequency: np.ndarray
    strategy_cost: np.ndarray
    wait_weight: float
    line_of_link: np.ndarray


class _Builder:
    """Accumulates links as lists, then freezes them into arrays."""

    def __init__(self, n_lines: int) -> None:
        self.init: list[int] = []
        self.term: list[int] = []
        self.kind: list[int] = []
        self.cost: list[float] = []
        self.fixed: list[float] = []  # cost without the wait
        self.freq: list[float] = []
        self.comp: dict[str, list[float]] = {c: [] for c in COMPONENTS}
        self.line: list[int] = []  # line index of boarding links, -1 otherwise
        self.n_lines = n_lines

    def add(
        self,
        u: int,
        v: int,
        kind: int,
        cost: float,
        line: int = -1,
        *,
        fixed: float | None = None,
        freq: float = np.inf,
        **comp: float,
    ) -> None:
        self.init.append(u)
        self.term.append(v)
        self.kind.append(kind)
        self.cost.append(cost)
        self.fixed.append(cost if fixed is None else fixed)
        self.freq.append(freq)
        self.line.append(line)
        for c in COMPONENTS:
            self.comp[c].append(comp.get(c, 0.0))


def _access_time(km: np.ndarray, p: TransitGraphParams) -> np.ndarray:
    walk = np.minimum(km, WALK_PART_KM)
    ride = np.maximum(km - WALK_PART_KM, 0.0)
    return walk / p.walk_speed_kmh * 60.0 + ride / p.feeder_speed_kmh * 60.0


def build_transit_network(
    system: Any,
    *,
    zone_ids: np.ndarray,
    zone_lon: np.ndarray,
    zone_lat: np.ndarray,
    params: TransitGraphParams,
    zone_land: Sequence[str] | None = None,
) -> TransitNetwork:
    """Build the transit graph of ``system`` for the given zone centroids.

    Parameters
    ----------
    system
        A :class:`mobility.region.transit.TransitSystem` (``stops``: id -> Stop with
        ``lon``/``lat``; ``lines``: id -> TransitLine with ``mode``, ``headway_min``,
        ``speed_kmh``, ``stops``).
    zone_ids, zone_lon, zone_lat
        ``(Z,)`` zone ids and centroids (WGS84), in OD-matrix order.
    params
        Walk speed and weights, wait cap, transfer penalty, access rules.
    zone_land
        ``(Z,)`` the land each zone lies on (:attr:`mobility.region.zones.Zones.land`). When
        given, a zone's access and egress legs only reach stops on its own land (a stop's
        land is that of its nearest zone centroid): nobody walks or takes a feeder bus across
        the sound (Helsingborg's centroid is 5 km from Helsingør station).

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
    dist = haversine_km(zone_lon[:, None], zone_lat[:, None], s_lon[None, :], s_lat[None, :])
    dist = dist * p.detour_factor
    if zone_land is not None:
        land = np.asarray(zone_land, dtype=object)
        if land.shape != (z,):
            raise InputError(f"{land.shape[0]} values for {z} zones", field="zone_land")
        elsewhere = land[:, None] != land[np.argmin(dist, axis=0)][None, :]
        dist = np.where(elsewhere, np.inf, dist)
    for i in range(z):
        reachable = np.flatnonzero(np.isfinite(dist[i]))
        order = reachable[np.argsort(dist[i, reachable], kind="stable")]
        k_near = min(int(p.access_stops), order.shape[0])
        chosen = set(order[:k_near].tolist()) | set(
            np.flatnonzero(dist[i] <= p.access_max_km).tolist()
        )
        for s in sorted(chosen):
            km = float(dist[i, s])
            t = float(_access_time(np.array(km), p))
            b.add(i, z + s, ACCESS, p.walk_weight * t, walk_min=t)
            b.add(z + s, i, EGRESS, p.walk_weight * t, walk_min=t)

    # walking transfers between nearby stops
    sd = haversine_km(s_lon[:, None], s_lat[:, None], s_lon[None, :], s_lat[None, :])
    sd = sd * p.detour_factor
    for a, c in zip(
        *np.nonzero((sd <= p.transfer_walk_km) & ~np.eye(n_stops, dtype=bool)), strict=True
    ):
        t = float(sd[a, c]) / p.walk_speed_kmh * 60.0
        b.add(z + int(a), z + int(c), TRANSFER, p.walk_weight * t, walk_min=t)

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
        wait = min(line.headway_min / 2.0, p.wait_cap_min)
        board_cost = p.wait_weight * wait + p.transfer_penalty_min
        # a lone line waits half its effective headway: exactly `wait` under strategies too
        freq = 1.0 / min(line.headway_min, 2.0 * p.wait_cap_min)
        for seq in (stops, stops[::-1]):
            nodes = list(range(next_node, next_node + len(seq)))
            next_node += len(seq)
            for pos, s in enumerate(seq):
                sn = z + s_index[s]
                if pos < len(seq) - 1:
                    b.add(
                        sn,
                        nodes[pos],
                        BOARD,
                        board_cost,
                        line=li,
                        fixed=p.transfer_penalty_min,
                        freq=freq,
                        wait_min=wait,
                        boardings=1.0,
                    )
                if pos > 0:
                    b.add(nodes[pos], sn, ALIGHT, 0.0)
            for pos in range(len(seq) - 1):
                s1, s2 = s_index[seq[pos]], s_index[seq[pos + 1]]
                km = float(
                    haversine_km(s_lon[s1], s_lat[s1], s_lon[s2], s_lat[s2]) * p.detour_factor
                )
                t = km / line.speed_kmh * 60.0
                b.add(
                    nodes[pos],
                    nodes[pos + 1],
                    IN_VEHICLE,
                    t,
                    line=li,
                    in_vehicle_min=t,
                    length_km=km,
                )

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
        alpha=np.zeros(m),
        beta=np.zeros(m),
        akcelik_j=np.zeros(m),
        period_h=np.zeros(m),
        toll=np.zeros(m),
        link_type=kind,
        zone_nodes=np.arange(z, dtype=np.int64),
        no_thru=no_thru,
        meta={"kind": "transit", "stops": stop_ids},
    ).validate(source="transit graph")
    is_board = kind == BOARD
    line_boarding = {
        lid: ((line_arr == li) & is_board).astype(np.float64) for li, lid in enumerate(line_ids)
    }
    return TransitNetwork(
        net=net,
        cost=cost,
        components=comp,
        line_ids=line_ids,
        line_mode=line_mode,
        line_boarding=line_boarding,
        frequency=np.asarray(b.freq, dtype=np.float64),
        strategy_cost=np.asarray(b.fixed, dtype=np.float64),
        wait_weight=float(p.wait_weight),
        line_of_link=line_arr,
    )


def _check_route_choice(route_choice: str) -> None:
    if route_choice not in ROUTE_CHOICES:
        raise InputError(
            f"unknown route choice {route_choice!r}",
            field="pt_route_choice",
            expected="one of " + ", ".join(ROUTE_CHOICES),
        )


def strategy_graph(tn: TransitNetwork) -> StrategyGraph:
    """The forward/reverse-star graph of ``tn`` for optimal strategies (centroids no-thru)."""
    from mobility.network.transit_assignment import build_strategy_graph

    net = tn.net
    return build_strategy_graph(
        net.init, net.term, n_nodes=net.n_nodes, zone_nodes=net.zone_nodes, no_thru=net.no_thru
    )


def pt_skim(tn: TransitNetwork, *, route_choice: str = ROUTE_CHOICES[0]) -> dict[str, np.ndarray]:
    """Level of service between all zones under the chosen route-choice model.

    Parameters
    ----------
    tn
        The transit graph.
    route_choice
        ``optimal_strategy`` (expected values under the Spiess-Florian strategies) or
        ``shortest_path`` (sums along the shortest generalised-cost path).

    Returns
    -------
    dict
        ``cost`` (generalised minutes), each of :data:`COMPONENTS`, and ``board:<line_id>``
        (expected number of boardings of that line; 0 or 1 on shortest paths), all ``(Z, Z)``;
        ``np.inf`` costs (and ``nan`` components) where a zone pair is unconnected. Diagonal
        entries are 0 (intrazonal trips are handled by the demand model).

    Raises
    ------
    InputError
        An unknown ``route_choice``.
    """
    _check_route_choice(route_choice)
    board = {f"board:{lid}": arr for lid, arr in tn.line_boarding.items()}
    if route_choice == "shortest_path":
        from mobility.network.paths import skim

        acc = dict(tn.components)
        acc.update(board)
        result = skim(tn.net, tn.cost, accumulate=acc)
        out = {"cost": result.cost}
        out.update(result.sums)
        return out

    from mobility.network.transit_assignment import strategy_skim

    acc = {c: tn.components[c] for c in COMPONENTS if c != "wait_min"}
    acc.update(board)
    res = strategy_skim(
        strategy_graph(tn),
        tn.strategy_cost,
        tn.frequency,
        wait_weight=tn.wait_weight,
        accumulate=acc,
    )
    out = {"cost": res.cost}
    for c in COMPONENTS:
        out[c] = res.wait_min if c == "wait_min" else res.sums[c]
    out.update({name: res.sums[name] for name in board})
    return out


def line_boardings(
    skims: dict[str, np.ndarray], od: np.ndarray, line_ids: tuple[str, ...]
) -> dict[str, float]:
    """Boardings per line of an OD matrix: trips x (expected) boardings of each line."""
    trips = np.where(np.isfinite(skims["cost"]), od, 0.0)
    return {lid: float(np.sum(trips * skims[f"board:{lid}"])) for lid in line_ids}


def pt_load(
    tn: TransitNetwork, od: np.ndarray, *, route_choice: str = ROUTE_CHOICES[0]
) -> np.ndarray:
    """Link volumes of the zone-to-zone ``od`` trips under the chosen route-choice model.

    Intrazonal trips (the diagonal) are not loaded.

    Returns
    -------
    numpy.ndarray
        ``(M,)`` passengers per link of ``tn``.

    Raises
    ------
    InputError
        An unknown ``route_choice``, or trips between zones the network does not connect.
    """
    _check_route_choice(route_choice)
    if route_choice == "shortest_path":
        from mobility.network.paths import aon

        flows, _ = aon(tn.net, tn.cost, od)
        return flows

    from mobility.network.transit_assignment import strategy_load

    return strategy_load(
        strategy_graph(tn), tn.strategy_cost, tn.frequency, od, wait_weight=tn.wait_weight
    )


def line_loads(tn: TransitNetwork, volumes: np.ndarray) -> dict[str, dict[str, float]]:
    """Per line: boardings, passenger-km and the largest load on one segment and direction.

    Parameters
    ----------
    tn
        The transit graph.
    volumes
        ``(M,)`` link volumes (:func:`pt_load`).

    Returns
    -------
    dict
        Line id -> ``{"boardings", "passenger_km", "max_load"}``.
    """
    v = np.asarray(volumes, dtype=np.float64)
    kind = tn.net.link_type
    km = tn.components["length_km"]
    out: dict[str, dict[str, float]] = {}
    for li, lid in enumerate(tn.line_ids):
        on_line = tn.line_of_link == li
        ride = on_line & (kind == IN_VEHICLE)
        out[lid] = {
            "boardings": float(np.sum(v[on_line & (kind == BOARD)])),
            "passenger_km": float(np.sum(v[ride] * km[ride])),
            "max_load": float(np.max(v[ride], initial=0.0)),
        }
    return out
