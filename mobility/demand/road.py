"""The model's car network and its assignment per time-of-day period.

The car :class:`~mobility.network.graph.LinkNetwork` gets the calibrated capacity factors
(:func:`capacity_factors`); each weekday period's mean hour is assigned to user equilibrium
(:func:`mobility.network.assignment.assign`) on a copy whose Akçelik links queue for the
period's hours (:func:`period_network`; Akçelik's flow period ``T``). :func:`links_in_region`
picks the links that the Region H indicators count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mobility.demand.parameters import DemandParameters
from mobility.network.geometry import haversine_km
from mobility.network.graph import LinkNetwork
from mobility.network.vdf import VDF_CODES

__all__ = [
    "FINAL_MAX_ITER",
    "RURAL_COLLECTOR_KMH",
    "assign_periods",
    "capacity_factors",
    "links_in_region",
    "period_network",
]

#: Iteration limit of the final assignment (bi-conjugate Frank-Wolfe needs ~1-3k for 1e-5).
FINAL_MAX_ITER = 10_000


def period_network(net: LinkNetwork, *, hours: float) -> LinkNetwork:
    """``net`` for one time-of-day period: its Akçelik links' flow period ``T`` = the period.

    The period's demand rate holds for its ``hours``, so a queue on an over-saturated link
    grows for that long (Akçelik's ``T``); links on other functions are unchanged.

    Parameters
    ----------
    net
        The car network.
    hours
        The period's length (or the scenario's ``queue_flow_period_h``).

    Returns
    -------
    LinkNetwork
        ``net`` itself when no link is on the Akçelik function.
    """
    if net.vdf is None:
        return net
    queue = np.asarray(net.vdf) == VDF_CODES["akcelik"]
    if not queue.any():
        return net
    return net.with_links(period_h=np.where(queue, hours, net.period_h))


def assign_periods(
    nets: Sequence[LinkNetwork],
    matrices: np.ndarray,
    *,
    algorithm: str,
    rel_gap: float,
    toll_weight: float,
    warm_start: Sequence[Any],
) -> list[Any]:
    """Assign each period's hourly matrix on its network (at most :data:`FINAL_MAX_ITER`
    iterations).

    Parameters
    ----------
    nets
        The periods' car networks (:func:`period_network`), in time-of-day order.
    matrices
        ``(P, Z, Z)`` hourly PCU matrices, same order.
    algorithm, rel_gap, toll_weight
        As for :func:`mobility.network.assignment.assign`.
    warm_start
        Per period, the path set to start from (``None``: none).

    Returns
    -------
    list
        The periods' assignment results.
    """
    from mobility.network.assignment import assign

    return [
        assign(
            nets[i],
            matrices[i],
            algorithm=algorithm,
            rel_gap=rel_gap,
            toll_weight=toll_weight,
            max_iter=FINAL_MAX_ITER,
            warm_start=warm_start[i],
        )
        for i in range(len(nets))
    ]


def links_in_region(net: LinkNetwork, graph: Any, zones: Any) -> np.ndarray:
    """``(M,)`` bool: the link's midpoint is nearest to a Region H zone centroid.

    Delay, vehicle-km and CO2e indicators count these links only (the published figures are
    for hovedstadsområdet; external zones in Zealand and Skåne are there for through and
    cross-border traffic).

    Parameters
    ----------
    net
        The car network (``meta`` from and to node ids).
    graph
        The road graph (node ``x``/``y``).
    zones
        The zones (centroids, ``in_region``).

    Returns
    -------
    numpy.ndarray
    """
    ids = net.meta["from_node_id"], net.meta["to_node_id"]
    lon = np.array([[graph.nodes[n]["x"] for n in side] for side in ids]).mean(axis=0)
    lat = np.array([[graph.nodes[n]["y"] for n in side] for side in ids]).mean(axis=0)
    d = haversine_km(lon[:, None], lat[:, None], zones.lon[None, :], zones.lat[None, :])
    return np.asarray(zones.in_region, dtype=bool)[np.argmin(d, axis=1)]


#: Collector links at or above this free speed are rural main roads (no signals), km/h.
RURAL_COLLECTOR_KMH = 70.0


def capacity_factors(net: LinkNetwork, params: DemandParameters) -> np.ndarray:
    """``(M,)`` calibrated capacity multipliers.

    ``capacity_factor`` on every link, times ``capacity_factor_rural_collector`` on
    collector-class links with a free speed of at least :data:`RURAL_COLLECTOR_KMH` (rural
    two-lane main roads, which the bundled network gives the urban collector's per-lane
    planning capacity; see demand_parameters.csv).

    Parameters
    ----------
    net
        The car network (``road_class``, length, free-flow time).
    params
        The calibrated factors.

    Returns
    -------
    numpy.ndarray
    """
    classes = np.asarray(net.meta.get("road_class", [""] * net.n_links), dtype=object)
    t0 = np.asarray(net.free_flow_time, dtype=np.float64)
    speed = np.where(t0 > 0, net.length / np.where(t0 > 0, t0, 1.0) * 60.0, 0.0)
    rural = (classes == "collector") & (speed >= RURAL_COLLECTOR_KMH - 1e-6)
    return params.capacity_factor * np.where(rural, params.capacity_factor_rural_collector, 1.0)
