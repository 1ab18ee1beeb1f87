"""The results of a model run: :class:`ModelResult`, and :class:`ModelState` to warm-start
another run.

:func:`mobility.demand.model.run_model` returns a :class:`ModelResult` (everything one run
produces, in the region-model contract's units); its ``state`` is the converged
:class:`ModelState` of the demand-supply fixed point, which another run (a project against
its reference) starts from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mobility.demand.parameters import DemandParameters
from mobility.demand.timeofday import TimeOfDay
from mobility.network.graph import LinkNetwork
from mobility.scenario import Scenario

__all__ = ["ModelResult", "ModelState"]


@dataclass
class ModelResult:
    """Everything one model run produces (see the region-model contract in the brief).

    Attributes
    ----------
    scenario, inputs
        The scenario and the region inputs actually modelled (committed projects applied).
    road_net
        The car :class:`LinkNetwork` (capacities after ``capacity_factor``).
    assignment
        Final morning-peak-hour assignment (PCU per hour, cars + vans/trucks).
    od
        Mode -> ``(Z, Z)`` person trips per weekday, origin-destination form.
    od_by_purpose
        Purpose -> mode -> ``(Z, Z)`` person trips per weekday, production-attraction form.
    gen_cost
        Mode -> ``(Z, Z)`` generalised cost in minutes (commute, without mode constants).
    gen_cost_by_purpose, money_by_purpose
        Purpose -> mode -> ``(Z, Z)``: the generalised cost in minutes (without mode
        constants) each purpose's mode choice saw, and its money part in DKK per person
        (production-attraction form, like ``od_by_purpose``).
    skims
        Mode -> {``time_min``, ``length_km``, ...} ``(Z, Z)`` level of service.
    pt_boardings, pt_line_mode
        Line id -> boardings per weekday, and -> mode.
    pt_line_loads
        Line id -> ``passenger_km`` and ``max_load`` (largest volume on one segment and
        direction) per weekday, from the PT matrix loaded on the route-choice model.
    indicators
        Name -> (value, unit).
    annualisation
        The factors used (scenario ``annualisation``).
    feedback
        One record per feedback iteration (demand change, assignment gap and iterations).
    params
        The demand parameters used.
    car_demand_peak
        ``(Z, Z)`` assigned morning-peak-hour PCU matrix.
    zone_indicators
        Indicator -> ``(Z,)`` values per zone.
    timings
        Seconds per step.
    time_of_day
        The weekday periods (:class:`mobility.demand.timeofday.TimeOfDay`).
    period_assignments
        Period name -> final assignment of the period's mean hour.
    car_demand_periods
        ``(P, Z, Z)`` assigned hourly PCU matrices, periods in ``time_of_day`` order.
    link_volume_weekday
        ``(M,)`` PCU per weekday on each link (sum over periods of hourly flow x hours).
    state
        The converged state (assigned demand, path sets) that warm-starts other runs.
    converged
        Whether the fixed point met ``feedback_tol`` with assignments at ``rel_gap``.
    link_adt
        ``(M,)`` annual average daily traffic, vehicles: ``link_volume_weekday x
        adt_per_weekday`` x vehicles per PCU (cars 1, vans and trucks
        ``vehicles_per_commercial_pcu``, in the run's mix of PCU).
    """

    scenario: Scenario
    inputs: Any
    road_net: LinkNetwork
    assignment: Any
    od: dict[str, np.ndarray]
    od_by_purpose: dict[str, dict[str, np.ndarray]]
    gen_cost: dict[str, np.ndarray]
    skims: dict[str, dict[str, np.ndarray]]
    pt_boardings: dict[str, float]
    pt_line_mode: dict[str, str]
    indicators: dict[str, tuple[float, str]]
    annualisation: dict[str, float]
    feedback: list[dict[str, float]]
    params: DemandParameters
    car_demand_peak: np.ndarray
    zone_indicators: dict[str, np.ndarray] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    time_of_day: TimeOfDay | None = None
    period_assignments: dict[str, Any] = field(default_factory=dict)
    car_demand_periods: np.ndarray | None = None
    link_volume_weekday: np.ndarray | None = None
    link_adt: np.ndarray | None = None
    pt_line_loads: dict[str, dict[str, float]] = field(default_factory=dict)
    state: ModelState | None = None
    converged: bool = True
    gen_cost_by_purpose: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    money_by_purpose: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelState:
    """A run's converged state, to warm-start another run (a project against its reference).

    Attributes
    ----------
    demand_periods
        ``(P, Z, Z)`` assigned hourly PCU matrices of the time-of-day periods.
    paths
        Per period, the gradient-projection path set (``None`` for other algorithms).
    link_ids
        The car network's link ids, in the order the paths number the links.
    """

    demand_periods: np.ndarray
    paths: tuple[Any, ...]
    link_ids: tuple[Any, ...]

    def paths_for(self, link_ids: tuple[Any, ...], n_links: int) -> list[Any]:
        """The path sets renumbered for a car network with links ``link_ids`` (links the
        other network lacks drop the paths through them; see
        :meth:`mobility.network.assignment.PathSet.for_network`)."""
        if tuple(link_ids) == self.link_ids:
            return list(self.paths)
        where = {lid: k for k, lid in enumerate(link_ids)}
        link_map = np.array([where.get(lid, -1) for lid in self.link_ids], dtype=np.int64)
        return [None if ps is None else ps.for_network(link_map, n_links) for ps in self.paths]
