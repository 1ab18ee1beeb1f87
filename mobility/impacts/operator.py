"""PT operator economics: the service a timetable implies and what it costs.

For each line running in the year (``TransitLine.runs_in``) the service is derived from its
route and headway, as in :func:`mobility.impacts.emissions.transit_service_co2e_t_per_day`:

* route length: great-circle length through its stops x 1.2 (track/road curvature, an
  estimate shared with the emission calculation);
* departures per weekday: both directions for ``service_hours`` (emission-factor file) at the
  line's headway: ``2 x 60 x hours / headway``; vehicle-km = departures x length;
* vehicle-hours: vehicle-km / the line's mean speed (incl. dwell);
* peak vehicles: the round trip at the line's speed plus a layover share at each end
  (``pt_layover_share``) divided by the headway, rounded up (one vehicle = one train set).

:func:`operating_cost_mdkk` prices the change in service per year with the unit costs of
``unit_prices.csv`` (train-km for rail modes, bus-hours for buses), :func:`rolling_stock_mdkk`
the extra peak vehicles. Operator costs are the Transportministeriet manual's
"driftsøkonomi for operatører"; the unit costs are [M] estimates (see the price file).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mobility.impacts.emissions import _read_rows, _value, line_km
from mobility.impacts.unit_prices import UnitPrices
from mobility.resources import data_dir

__all__ = [
    "CURVATURE",
    "line_service",
    "operating_cost_mdkk",
    "rolling_stock",
    "service_by_mode",
    "service_hours",
]

#: Route length / great-circle length through the stops (estimate, as for service CO2e).
CURVATURE = 1.2


def service_hours(path: str | Path | None = None) -> float:
    """Daily operating hours of a line at its headway (emission-factor file)."""
    p = Path(path) if path is not None else data_dir() / "emission_factors.csv"
    return float(_value(_read_rows(p), p, "service_hours", "all")["value"])


def line_service(
    line: Any, stops: Mapping[str, Any], *, hours: float, layover_share: float
) -> dict[str, float]:
    """Weekday vehicle-km, vehicle-hours and peak vehicles of one line."""
    pts = [stops[s] for s in line.stops if s in stops]
    km = CURVATURE * sum(line_km(a, b) for a, b in itertools.pairwise(pts))
    headway = max(float(line.headway_min), 0.5)
    departures = 2.0 * 60.0 * hours / headway
    speed = max(float(line.speed_kmh), 1.0)
    one_way_min = 60.0 * km / speed
    round_trip = 2.0 * one_way_min * (1.0 + layover_share)
    return {
        "vkm": departures * km,
        "vehicle_hours": departures * km / speed,
        "peak_vehicles": float(math.ceil(round_trip / headway - 1e-9)) if km > 0 else 0.0,
    }


def service_by_mode(
    lines: Mapping[str, Any],
    stops: Mapping[str, Any],
    *,
    year: int,
    layover_share: float,
    hours: float | None = None,
) -> dict[str, dict[str, float]]:
    """Mode -> weekday ``vkm``, ``vehicle_hours`` and ``peak_vehicles`` over the lines running."""
    h = service_hours() if hours is None else hours
    out: dict[str, dict[str, float]] = {}
    for line in lines.values():
        if hasattr(line, "runs_in") and not line.runs_in(year):
            continue
        s = line_service(line, stops, hours=h, layover_share=layover_share)
        acc = out.setdefault(line.mode, {"vkm": 0.0, "vehicle_hours": 0.0, "peak_vehicles": 0.0})
        for k, v in s.items():
            acc[k] += v
    return out


def operating_cost_mdkk(
    change: Mapping[str, Mapping[str, float]], prices: UnitPrices, *, days_per_year: float
) -> float:
    """Yearly operating-cost change (mio. DKK) of a change in weekday service by mode.

    ``cost = days x sum_mode (vkm x pt_cost_per_vkm_<mode> + vehicle_hours x
    pt_cost_per_vehicle_hour_<mode>)`` (a missing unit-cost row counts 0 for that part).
    """
    total = 0.0
    for mode, s in change.items():
        total += s.get("vkm", 0.0) * prices.get(f"pt_cost_per_vkm_{mode}", 0.0)
        total += s.get("vehicle_hours", 0.0) * prices.get(f"pt_cost_per_vehicle_hour_{mode}", 0.0)
    return total * days_per_year / 1e6


def rolling_stock(
    change: Mapping[str, Mapping[str, float]], prices: UnitPrices
) -> tuple[float, float]:
    """Capital (mio. DKK) of the extra peak vehicles and its value-weighted life (years).

    Fewer vehicles than in the reference free no capital (the fleet exists): only
    increases are priced.
    """
    cost, weighted = 0.0, 0.0
    for mode, s in change.items():
        extra = max(0.0, s.get("peak_vehicles", 0.0))
        if extra <= 0:
            continue
        c = extra * prices[f"rolling_stock_mdkk_{mode}"]
        cost += c
        weighted += c * prices[f"rolling_stock_life_{mode}"]
    return cost, (weighted / cost if cost > 0 else 30.0)
