"""Level of service: the zone-to-zone skims the demand model's choices see.

Car: the shortest-path cost of the congested assignment and the time, length and toll of the
trips (averaged over each pair's used equilibrium paths where gradient projection kept them;
:func:`car_skim`). Bicycle and walking: shortest paths on the road graph's bike and walk
links (:func:`active_skims`). Intrazonal trips: a length from the distance to the nearest
other centroid (:func:`intrazonal_km`), at the demand parameters' intrazonal speeds.
Public transport is skimmed by :mod:`mobility.network.transit_graph` (Spiess-Florian optimal
strategies or shortest paths); :func:`build_los` puts all modes together, with the
intrazonal values on the diagonals, as a :class:`~mobility.demand.modechoice.LevelOfService`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mobility.demand.modechoice import LevelOfService
from mobility.demand.parameters import DemandParameters
from mobility.errors import InputError
from mobility.network.geometry import haversine_km
from mobility.network.graph import LinkNetwork

__all__ = [
    "CAR_SKIM_KEYS",
    "active_skims",
    "border_matrix",
    "build_los",
    "car_skim",
    "check_reachable",
    "intrazonal_km",
    "with_diagonal",
]

#: The car skim entries mixed over periods.
CAR_SKIM_KEYS = ("cost", "time_min", "length_km", "toll_dkk")


def intrazonal_km(lon: np.ndarray, lat: np.ndarray, *, params: DemandParameters) -> np.ndarray:
    """Intrazonal trip length per zone from the distance to the nearest other centroid.

    Parameters
    ----------
    lon, lat
        ``(Z,)`` zone centroids, degrees (WGS84).
    params
        Its ``intrazonal_factor``, ``detour_factor`` and ``intrazonal_max_km``.

    Returns
    -------
    numpy.ndarray
        ``(Z,)`` km: factor x nearest great-circle distance x detour, at most the maximum.
    """
    d = haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.fill_diagonal(d, np.inf)
    nearest = np.min(d, axis=1)
    km = params.intrazonal_factor * nearest * params.detour_factor
    return np.minimum(km, params.intrazonal_max_km)


def _road_skims(net: LinkNetwork, cost: np.ndarray, acc: dict[str, np.ndarray]) -> dict:
    from mobility.network.paths import skim

    result = skim(net, cost, accumulate=acc)
    out = {"cost": result.cost}
    out.update(result.sums)
    return out


def car_skim(
    net: LinkNetwork, times: np.ndarray, costs: np.ndarray, paths: Any = None
) -> dict[str, np.ndarray]:
    """Car skims at link ``times`` and generalised ``costs``: the shortest-path cost, and the
    time, length and toll of the trips, averaged over each OD pair's used equilibrium paths
    where ``paths`` (a gradient-projection path set) has them, else along the shortest path.

    Parameters
    ----------
    net
        The car network.
    times, costs
        ``(M,)`` link times (minutes) and generalised costs the paths minimise.
    paths
        The assignment's path set, or ``None``.

    Returns
    -------
    dict
        ``cost``, ``time_min``, ``length_km``, ``toll_dkk``: ``(Z, Z)`` arrays.
    """
    skim = _road_skims(
        net, costs, {"time_min": times, "length_km": net.length, "toll_dkk": net.toll}
    )
    if paths is not None:
        keys = ("time_min", "length_km", "toll_dkk")
        means = paths.mean_attributes(np.array([times, net.length, net.toll]))
        for key, mean in zip(keys, means, strict=True):
            skim[key] = np.where(np.isfinite(mean), mean, skim[key])
    return skim


def active_skims(
    inputs: Any, zones: Any, params: DemandParameters
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Bicycle and walking skims on the road graph's bike and walk links.

    Parameters
    ----------
    inputs
        The region inputs (their ``roads`` graph).
    zones
        The zones (centroids).
    params
        Speeds, and the cycle superhighways' route-choice factor.

    Returns
    -------
    bike, walk
        ``cost``, ``time_min``, ``length_km``: ``(Z, Z)`` arrays (bike by time, cycle
        superhighways weighted; walk by length); ``inf`` where unconnected.
    """
    from mobility.region import road_link_network

    bike = road_link_network(inputs.roads, zones, modes="bike")
    classes = np.asarray(bike.meta.get("road_class", []), dtype=object)
    factor = np.where(classes == "cycle_superhighway", params.bike_superhighway_factor, 1.0)
    bike_time = bike.length / params.bike_speed * 60.0
    b = _road_skims(bike, bike_time * factor, {"time_min": bike_time, "length_km": bike.length})
    b["time_min"] = np.where(np.isfinite(b["cost"]), b["cost"], np.inf)
    walk = road_link_network(inputs.roads, zones, modes="walk")
    w = _road_skims(walk, walk.length, {"length_km": walk.length})
    w["length_km"] = np.where(np.isfinite(w["cost"]), w["length_km"], np.inf)
    w["time_min"] = w["length_km"] / params.walk_speed * 60.0
    return b, w


def with_diagonal(m: np.ndarray, diag: np.ndarray | float) -> np.ndarray:
    """A float copy of ``m`` with ``diag`` on its diagonal.

    Parameters
    ----------
    m
        A square matrix.
    diag
        The diagonal: ``(Z,)`` values or one number.

    Returns
    -------
    numpy.ndarray
    """
    out = np.array(m, dtype=np.float64)
    np.fill_diagonal(out, diag)
    return out


def build_los(
    car: dict[str, np.ndarray],
    pt: dict[str, np.ndarray],
    bike: dict[str, np.ndarray],
    walk: dict[str, np.ndarray],
    *,
    intra_km: np.ndarray,
    parking_dkk: np.ndarray,
    params: DemandParameters,
    border: np.ndarray | None = None,
) -> LevelOfService:
    """Assemble the level of service, with intrazonal values on the diagonals (``border``:
    see :class:`~mobility.demand.modechoice.LevelOfService`).

    Parameters
    ----------
    car, pt, bike, walk
        The modes' skims (:func:`car_skim`, the transit skim, :func:`active_skims`).
    intra_km
        ``(Z,)`` intrazonal trip lengths (:func:`intrazonal_km`).
    parking_dkk
        ``(Z,)`` parking cost at the destination.
    params
        The intrazonal speeds, waits and walks.
    border
        ``(Z, Z)`` :func:`border_matrix`, or ``None``.

    Returns
    -------
    LevelOfService
    """
    p = params
    car_t = with_diagonal(
        np.where(np.isfinite(car["cost"]), car["time_min"], np.inf),
        intra_km / p.intrazonal_car_speed * 60.0,
    )
    pt_ok = np.isfinite(pt["cost"])
    inf = np.where(pt_ok, 0.0, np.inf)
    return LevelOfService(
        car_time_min=car_t,
        car_length_km=with_diagonal(car["length_km"], intra_km),
        car_toll_dkk=with_diagonal(car["toll_dkk"], 0.0),
        pt_in_vehicle_min=with_diagonal(
            pt["in_vehicle_min"] + inf, intra_km / p.intrazonal_pt_speed * 60.0
        ),
        pt_wait_min=with_diagonal(pt["wait_min"], p.intrazonal_pt_wait),
        pt_walk_min=with_diagonal(pt["walk_min"], p.intrazonal_pt_walk),
        pt_boardings=with_diagonal(pt["boardings"], 1.0),
        pt_length_km=with_diagonal(pt["length_km"], intra_km),
        bike_time_min=with_diagonal(bike["time_min"], intra_km / p.bike_speed * 60.0),
        bike_length_km=with_diagonal(bike["length_km"], intra_km),
        walk_length_km=with_diagonal(walk["length_km"], intra_km),
        parking_dkk=parking_dkk,
        border=border,
    )


def border_matrix(zones: Any) -> np.ndarray:
    """``(Z, Z)`` 1.0 where origin and destination lie in different countries (the Swedish
    zones are the ``scania`` land of :attr:`~mobility.region.zones.Zones.land`), else 0.0.

    Parameters
    ----------
    zones
        The zones (their ``land``).

    Returns
    -------
    numpy.ndarray
    """
    swedish = np.array([land == "scania" for land in zones.land])
    return (swedish[:, None] != swedish[None, :]).astype(np.float64)


def check_reachable(cost: np.ndarray, zones: Any, mode: str) -> None:
    """Refuse a skim with an unconnected pair of different zones.

    Parameters
    ----------
    cost
        ``(Z, Z)`` skimmed cost (``inf``: no path).
    zones
        The zones (names for the message).
    mode
        The mode named in the message.

    Raises
    ------
    InputError
        Naming the first unconnected pair and how many there are.
    """
    bad = np.argwhere(~np.isfinite(cost))
    bad = bad[bad[:, 0] != bad[:, 1]]
    if bad.size:
        i, j = (int(x) for x in bad[0])
        raise InputError(
            f"zone '{zones.name[i]}' cannot reach zone '{zones.name[j]}' by {mode} "
            f"({len(bad)} pairs unconnected)",
            field="network",
            expected="every zone connected to every other",
        )
