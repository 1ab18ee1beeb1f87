"""Shortest paths, skims and all-or-nothing loading on a :class:`LinkNetwork`.

The network is turned once into a forward-star (CSR) graph. Centroids that may not be passed
through (``no_thru``) keep their incoming links, while their outgoing links move to a separate
"origin copy" node that only a path starting there can use: a path may therefore start or end
at a no-thru centroid but never pass through one. Trees are grown by a numba Dijkstra with a
binary heap whose predecessors are LINK indices (of parallel links the cheaper one is kept),
and all-or-nothing loading walks each tree once in reverse distance order (no per-OD path
walking).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from mobility.errors import InputError
from mobility.network import _kernels
from mobility.network.graph import LinkNetwork


@dataclass(frozen=True)
class PathGraph:
    """Forward-star arrays of a network, built once by :func:`build_graph`.

    Attributes
    ----------
    indptr
        ``(N'+1,)`` offsets into ``adj_head``/``adj_link`` per CSR node.
    adj_head, adj_tail, adj_link
        ``(E,)`` int32 head node, tail node and link index of each CSR edge.
    sources
        ``(Z,)`` CSR node each zone's trees start from (its origin copy if no-thru).
    zone_nodes
        ``(Z,)`` CSR node each zone's trips end at.
    n_links
        Number of links of the network.
    """

    indptr: np.ndarray
    adj_head: np.ndarray
    adj_tail: np.ndarray
    adj_link: np.ndarray
    sources: np.ndarray
    zone_nodes: np.ndarray
    n_links: int

    @property
    def csr(self) -> _kernels.CsrGraph:
        """The CSR arrays as the kernels take them."""
        return _kernels.CsrGraph(self.indptr, self.adj_head, self.adj_tail, self.adj_link)

    @property
    def ends(self) -> _kernels.ZoneEnds:
        """The zones' sources and ends as the kernels take them."""
        return _kernels.ZoneEnds(self.sources, self.zone_nodes)


@dataclass(frozen=True)
class Skim:
    """Zone-to-zone shortest-path results.

    Attributes
    ----------
    cost
        ``(Z, Z)`` shortest-path cost (``np.inf`` where unreachable, 0 on the diagonal).
    sums
        Name -> ``(Z, Z)`` sum of that link array along the chosen shortest paths (``nan``
        where unreachable, 0 on the diagonal).
    """

    cost: np.ndarray
    sums: dict[str, np.ndarray] = field(default_factory=dict)


def build_graph(net: LinkNetwork) -> PathGraph:
    """Build the CSR graph (with origin copies of no-thru zones) of ``net``."""
    n = net.n_nodes
    init = np.asarray(net.init, dtype=np.int64)
    term = np.asarray(net.term, dtype=np.int64)
    zone_nodes = np.asarray(net.zone_nodes, dtype=np.int64)
    no_thru = np.asarray(net.no_thru, dtype=bool)
    copy_of = np.full(n, -1, dtype=np.int64)
    blocked_zones = np.unique(zone_nodes[no_thru[zone_nodes]])
    copy_of[blocked_zones] = n + np.arange(blocked_zones.size)
    tail = init.copy()
    from_blocked = no_thru[init]
    tail[from_blocked] = copy_of[init[from_blocked]]
    keep = tail >= 0  # links out of no-thru nodes that are not zones can never be used
    links = np.flatnonzero(keep)
    order = np.argsort(tail[links], kind="stable")
    links = links[order]
    n_csr = n + blocked_zones.size
    counts = np.bincount(tail[links], minlength=n_csr)
    indptr = np.zeros(n_csr + 1, dtype=np.int32)
    indptr[1:] = np.cumsum(counts)
    sources = np.where(copy_of[zone_nodes] >= 0, copy_of[zone_nodes], zone_nodes)
    return PathGraph(
        indptr=indptr,
        adj_head=term[links].astype(np.int32),
        adj_tail=tail[links].astype(np.int32),
        adj_link=links.astype(np.int32),
        sources=sources.astype(np.int32),
        zone_nodes=zone_nodes.astype(np.int32),
        n_links=net.n_links,
    )


def check_link_cost(link_cost: np.ndarray, m: int, name: str = "link_cost") -> np.ndarray:
    """``link_cost`` as a contiguous float array of shape ``(m,)``, finite and >= 0.

    Raises
    ------
    InputError
        Naming ``name`` and the first bad link (1-based).
    """
    cost = np.ascontiguousarray(link_cost, dtype=np.float64)
    if cost.shape != (m,):
        raise InputError(f"has shape {cost.shape}", field=name, expected=f"({m},)")
    bad = np.flatnonzero(~(np.isfinite(cost) & (cost >= 0)))
    if bad.size:
        raise InputError(
            f"link {bad[0] + 1} has cost {cost[bad[0]]!r}",
            field=name,
            expected="a finite number >= 0",
        )
    return cost


def link_arrays(
    accumulate: Mapping[str, np.ndarray] | None, n_links: int
) -> tuple[list[str], np.ndarray]:
    """Names and ``(K, M)`` stack of the per-link arrays to sum along paths.

    Raises
    ------
    InputError
        An array whose shape is not ``(n_links,)``, naming it (``accumulate[name]``).
    """
    names = list((accumulate or {}).keys())
    acc = np.zeros((len(names), n_links))
    for k, name in enumerate(names):
        arr = np.asarray(accumulate[name], dtype=np.float64)  # type: ignore[index]
        if arr.shape != (n_links,):
            raise InputError(
                f"has shape {arr.shape}",
                field=f"accumulate[{name}]",
                expected=f"({n_links},)",
            )
        acc[k] = arr
    return names, acc


def skim(
    net: LinkNetwork,
    link_cost: np.ndarray,
    *,
    accumulate: Mapping[str, np.ndarray] | None = None,
    graph: PathGraph | None = None,
) -> Skim:
    """Zone-to-zone shortest paths under ``link_cost``, respecting ``no_thru``.

    Parameters
    ----------
    net
        The network.
    link_cost
        ``(M,)`` non-negative link costs.
    accumulate
        Name -> ``(M,)`` link arrays (e.g. ``time_min``, ``length_km``) to sum along the
        chosen paths.
    graph
        A prebuilt :func:`build_graph` result for ``net`` (built here if omitted).

    Returns
    -------
    Skim
    """
    g = graph if graph is not None else build_graph(net)
    cost = check_link_cost(link_cost, net.n_links)
    names, acc = link_arrays(accumulate, net.n_links)
    out_cost, out_sums = _kernels.skim_trees(g.csr, g.ends, cost, acc)
    return Skim(cost=out_cost, sums={name: out_sums[k] for k, name in enumerate(names)})


def aon(
    net: LinkNetwork,
    link_cost: np.ndarray,
    demand: np.ndarray,
    *,
    graph: PathGraph | None = None,
) -> tuple[np.ndarray, float]:
    """All-or-nothing assignment of ``demand`` on the shortest paths under ``link_cost``.

    Returns
    -------
    (link_flows, sp_total)
        ``(M,)`` link flows and the sum of demand x shortest-path cost.

    Raises
    ------
    InputError
        If some demand has no path from its origin to its destination.
    """
    g = graph if graph is not None else build_graph(net)
    cost = check_link_cost(link_cost, net.n_links)
    d = np.ascontiguousarray(demand, dtype=np.float64)
    z = net.n_zones
    if d.shape != (z, z):
        raise InputError(f"has shape {d.shape}", field="demand", expected=f"({z}, {z})")
    flows, sp_total, unreachable = aon_kernel(g)(g.csr, g.ends, cost, d, net.n_links)
    if unreachable > 0:
        raise_unreachable(net, g, d)
    return flows, float(sp_total)


#: Problems smaller than this (zones x nodes) load in one thread: starting threads would cost
#: more than it saves, and much more on a busy machine.
PARALLEL_MIN_WORK = 150_000


def aon_kernel(graph: PathGraph):
    """The parallel or the serial all-or-nothing kernel, by problem size."""
    work = graph.sources.shape[0] * (graph.indptr.shape[0] - 1)
    return _kernels.aon_load if work >= PARALLEL_MIN_WORK else _kernels.aon_load_serial


def raise_unreachable(net: LinkNetwork, graph: PathGraph, demand: np.ndarray) -> None:
    """Raise InputError naming the first OD pair with demand but no path."""
    reach = skim(net, np.ones(net.n_links), graph=graph).cost
    bad = np.argwhere((demand > 0) & ~np.isfinite(reach))
    o, d = (int(x) for x in bad[0])
    ids = net.node_ids[net.zone_nodes]
    raise InputError(
        f"demand {float(demand[o, d]):g} from zone {int(ids[o])} to zone {int(ids[d])} has no path "
        f"({len(bad)} OD pairs unreachable)",
        field="demand",
        expected="a connected network",
    )


@dataclass(frozen=True)
class SelectLink:
    """Result of :func:`select_link`.

    Attributes
    ----------
    od
        ``(Z, Z)`` demand whose shortest path uses at least one selected link (each OD pair
        counted once, however many selected links its path uses), summed over the periods
        with their weights.
    link_volume
        ``(K,)`` demand over each selected link, in the order given (an OD pair whose path
        uses several selected links counts on each).
    links
        ``(K,)`` the selected link indices.
    """

    od: np.ndarray
    link_volume: np.ndarray
    links: np.ndarray


def _as_periods(array: np.ndarray, ndim: int, name: str) -> np.ndarray:
    a = np.asarray(array, dtype=np.float64)
    if a.ndim == ndim - 1:
        a = a[None]
    if a.ndim != ndim:
        raise InputError(f"has {a.ndim} dimensions", field=name, expected=f"{ndim - 1} or {ndim}")
    return a


def select_link(
    net: LinkNetwork,
    link_costs: np.ndarray,
    demands: np.ndarray,
    links: np.ndarray | list[int],
    *,
    weights: np.ndarray | None = None,
    graph: PathGraph | None = None,
) -> SelectLink:
    """Select-link analysis: the OD matrix of the demand routed over a set of links.

    Each period's demand is loaded all-or-nothing on the shortest paths under that period's
    link costs (for an equilibrium assignment: its final costs, the usual approximation of
    link-based assignment, which keeps no paths); the demand of every OD pair whose path uses
    a selected link is kept.

    Parameters
    ----------
    net
        The network.
    link_costs
        ``(M,)`` or ``(P, M)`` non-negative link costs, one row per period.
    demands
        ``(Z, Z)`` or ``(P, Z, Z)`` demand, one matrix per period.
    links
        Indices (0-based positions in ``net``) of the selected links.
    weights
        ``(P,)`` multiplier of each period's demand (e.g. the hours a period's mean hour
        stands for); default 1.
    graph
        A prebuilt :func:`build_graph` result for ``net``.

    Returns
    -------
    SelectLink

    Raises
    ------
    InputError
        Shapes that do not fit, a link index out of range, no link selected, negative or
        non-finite weights, or demand between zones with no path.
    """
    g = graph if graph is not None else build_graph(net)
    costs = _as_periods(link_costs, 2, "link_costs")
    d = _as_periods(demands, 3, "demands")
    z, m = net.n_zones, net.n_links
    if d.shape[1:] != (z, z) or costs.shape[0] != d.shape[0]:
        raise InputError(
            f"{costs.shape[0]} cost rows for demand of shape {d.shape}",
            field="demands",
            expected=f"one ({z}, {z}) matrix per cost row",
        )
    w = np.ones(d.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (d.shape[0],) or not np.all(np.isfinite(w) & (w >= 0)):
        raise InputError("bad period weights", field="weights", expected=f"({d.shape[0]},) >= 0")
    sel = np.asarray(links, dtype=np.int64).ravel()
    if sel.size == 0 or sel.min() < 0 or sel.max() >= m:
        raise InputError(f"selected links {sel.tolist()}", field="links", expected=f"0 .. {m - 1}")
    indicators = {}
    for k, link in enumerate(sel.tolist()):
        ind = np.zeros(m)
        ind[link] = 1.0
        indicators[str(k)] = ind
    od = np.zeros((z, z))
    volume = np.zeros(sel.size)
    for p in range(d.shape[0]):
        s = skim(net, costs[p], accumulate=indicators, graph=g)
        if np.any((d[p] > 0) & ~np.isfinite(s.cost)):
            raise_unreachable(net, g, d[p])
        uses = np.array([np.nan_to_num(s.sums[str(k)]) > 0.5 for k in range(sel.size)])
        volume += w[p] * np.einsum("kij,ij->k", uses, d[p])
        od += w[p] * np.where(uses.any(axis=0), d[p], 0.0)
    return SelectLink(od=od, link_volume=volume, links=sel)
