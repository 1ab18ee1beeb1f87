"""Operating CO2e of road traffic: a speed-dependent g/vehicle-km curve for the car fleet.

The factors come from ``mobility/data/emission_factors.csv`` (each row with its source and
reliability tag). Two curves are fitted exactly through the published points:

* fuel car (petrol/diesel mix): ``e(v) = a / v + b + c v^2`` through the urban, rural and
  motorway factors (193 / 125 / 134 g/km, Aarhus University green guide) placed at
  representative speeds 30 / 75 / 110 km/h (the speeds are estimates). The ``a / v`` term is
  stop-and-go (idling, acceleration), ``c v^2`` is aerodynamic drag; the curve is U-shaped
  with its minimum near 80 km/h, the shape domain-facts §3c asks for.
* battery-electric car on the Danish grid: ``e(v) = b + c v^2`` through the urban and
  motorway factors (24 / 31 g/km); regenerative braking removes the stop-and-go term.

The fleet factor is ``(1 - ev_share) * fuel + ev_share * bev``, each multiplied by a yearly
trend (fuel-car efficiency, grid decarbonisation; both labelled estimates in the data file)
relative to the factors' base year, never below the file's floor. Speeds are clipped to
10–130 km/h (below 10 km/h the stop-and-go term would grow without bound).
"""

from __future__ import annotations

import csv
import functools
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mobility.errors import InputError
from mobility.network.geometry import ROUNDED_EARTH_RADIUS_KM
from mobility.network.geometry import haversine_km_radians_first as haversine_km
from mobility.resources import data_dir

#: Speed range (km/h) over which the curves are evaluated; inputs are clipped to it.
SPEED_RANGE_KMH = (10.0, 130.0)


@dataclass(frozen=True)
class EmissionFactors:
    """Fitted emission curves and fleet data from one factor file.

    Attributes
    ----------
    fuel_abc
        ``(a, b, c)`` of the fuel-car curve ``a / v + b + c v^2`` in g/vkm, ``v`` in km/h.
    bev_bc
        ``(b, c)`` of the battery-electric curve ``b + c v^2`` in g/vkm.
    base_year
        Year the factors refer to.
    fuel_trend_pct, bev_trend_pct
        Yearly change (% per year) applied from ``base_year``.
    fuel_floor, bev_floor
        Lower bound of the cumulative trend multiplier.
    ev_years, ev_shares
        Battery-electric share of the car stock by year (interpolated linearly, flat outside).
    path
        The file the factors came from.
    """

    fuel_abc: tuple[float, float, float]
    bev_bc: tuple[float, float]
    base_year: int
    fuel_trend_pct: float
    bev_trend_pct: float
    fuel_floor: float
    bev_floor: float
    ev_years: tuple[int, ...]
    ev_shares: tuple[float, ...]
    path: str


def _read_rows(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None


def _value(rows: list[dict[str, str]], path: Path, parameter: str, vehicle: str) -> dict[str, str]:
    for row in rows:
        if row.get("parameter") == parameter and row.get("vehicle") == vehicle:
            return row
    raise InputError(
        f"no row for parameter '{parameter}', vehicle '{vehicle}'",
        file=path,
        field="parameter",
        expected="the rows listed in mobility/data/README.md",
    )


def _float(row: dict[str, str], key: str, path: Path) -> float:
    try:
        return float(row[key])
    except (KeyError, TypeError, ValueError):
        raise InputError(
            f"has value {row.get(key)!r}", file=path, field=key, expected="a number"
        ) from None


@functools.lru_cache(maxsize=8)
def _load_cached(path_str: str) -> EmissionFactors:
    path = Path(path_str)
    rows = _read_rows(path)
    pts = []
    for ctx in ("urban", "rural", "motorway"):
        row = _value(rows, path, f"co2e_{ctx}", "car_fuel")
        pts.append((_float(row, "speed_kmh", path), _float(row, "value", path)))
    a_mat = np.array([[1.0 / v, 1.0, v * v] for v, _ in pts])
    fuel_abc = np.linalg.solve(a_mat, np.array([e for _, e in pts]))
    bpts = []
    for ctx in ("urban", "motorway"):
        row = _value(rows, path, f"co2e_{ctx}", "car_bev")
        bpts.append((_float(row, "speed_kmh", path), _float(row, "value", path)))
    (v1, e1), (v2, e2) = bpts
    c = (e2 - e1) / (v2 * v2 - v1 * v1)
    bev_bc = (e1 - c * v1 * v1, c)
    base_year = int(_float(_value(rows, path, "co2e_urban", "car_fuel"), "year", path))
    ev = sorted(
        (int(_float(r, "year", path)), _float(r, "value", path))
        for r in rows
        if r.get("parameter") == "ev_share_stock"
    )
    if not ev:
        raise InputError("no ev_share_stock rows", file=path, field="parameter")
    return EmissionFactors(
        fuel_abc=(float(fuel_abc[0]), float(fuel_abc[1]), float(fuel_abc[2])),
        bev_bc=(float(bev_bc[0]), float(bev_bc[1])),
        base_year=base_year,
        fuel_trend_pct=_float(_value(rows, path, "efficiency_trend", "car_fuel"), "value", path),
        bev_trend_pct=_float(_value(rows, path, "efficiency_trend", "car_bev"), "value", path),
        fuel_floor=_float(_value(rows, path, "trend_floor", "car_fuel"), "value", path),
        bev_floor=_float(_value(rows, path, "trend_floor", "car_bev"), "value", path),
        ev_years=tuple(y for y, _ in ev),
        ev_shares=tuple(s for _, s in ev),
        path=str(path),
    )


def load_emission_factors(path: str | Path | None = None) -> EmissionFactors:
    """Read and fit the emission factor file (default: the bundled ``emission_factors.csv``).

    Raises
    ------
    InputError
        If the file or one of its required rows is missing or not numeric.
    """
    p = Path(path) if path is not None else data_dir() / "emission_factors.csv"
    return _load_cached(str(p.resolve()))


def fleet_ev_share(year: int, *, factors: EmissionFactors | None = None) -> float:
    """Battery-electric share of the car stock in ``year`` (linear between data years)."""
    f = factors or load_emission_factors()
    return float(np.interp(year, f.ev_years, f.ev_shares))


def _trend(pct: float, floor: float, years: float) -> float:
    return max(floor, (1.0 + pct / 100.0) ** years)


def co2e_g_per_vkm(
    speed_kmh: np.ndarray | float,
    *,
    year: int,
    ev_share: float | None = None,
    factors: EmissionFactors | None = None,
) -> np.ndarray:
    """Fleet-average car CO2e in grams per vehicle-km at the given speeds.

    Parameters
    ----------
    speed_kmh
        Average speed(s) in km/h (array or scalar), clipped to :data:`SPEED_RANGE_KMH`.
    year
        Year of the traffic (sets the efficiency and grid trends).
    ev_share
        Battery-electric share of car vehicle-km (0–1); ``None`` uses the stock share of
        ``year`` from the data file (:func:`fleet_ev_share`).
    factors
        Fitted factors; default the bundled file.

    Returns
    -------
    numpy.ndarray
        g CO2e per vehicle-km, same shape as ``speed_kmh`` (0-d for a scalar).

    Raises
    ------
    InputError
        If ``ev_share`` is outside [0, 1] or ``year`` outside 1990–2100.
    """
    f = factors or load_emission_factors()
    if not 1990 <= int(year) <= 2100:
        raise InputError(f"year {year} outside 1990-2100", field="year")
    if ev_share is None:
        ev_share = fleet_ev_share(year, factors=f)
    if not 0.0 <= float(ev_share) <= 1.0:
        raise InputError(f"has value {ev_share!r}", field="ev_share", expected="a share in [0, 1]")
    v = np.clip(np.asarray(speed_kmh, dtype=np.float64), *SPEED_RANGE_KMH)
    a, b, c = f.fuel_abc
    fuel = a / v + b + c * v * v
    bb, bc = f.bev_bc
    bev = bb + bc * v * v
    dt = float(year - f.base_year)
    fuel *= _trend(f.fuel_trend_pct, f.fuel_floor, dt)
    bev *= _trend(f.bev_trend_pct, f.bev_floor, dt)
    return (1.0 - ev_share) * fuel + ev_share * bev


def co2e_t(
    flows_veh: np.ndarray,
    length_km: np.ndarray,
    time_min: np.ndarray,
    *,
    year: int,
    ev_share: float | None = None,
    factors: EmissionFactors | None = None,
) -> float:
    """Total CO2e in tonnes of vehicle flows on links with the given lengths and times.

    The speed of each link is ``60 * length_km / time_min``; links with zero time or length
    contribute nothing.
    """
    flows = np.asarray(flows_veh, dtype=np.float64)
    length = np.asarray(length_km, dtype=np.float64)
    time = np.asarray(time_min, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(time > 0, 60.0 * length / np.where(time > 0, time, 1.0), 50.0)
    grams = co2e_g_per_vkm(speed, year=year, ev_share=ev_share, factors=factors)
    return float(np.sum(flows * length * grams) / 1e6)


def transit_service_co2e_t_per_day(
    lines: dict, stops: dict, *, year: int, path: str | Path | None = None
) -> float:
    """Operating CO2e of transit service (t per weekday) from headways and route lengths.

    Each line runs both ways for ``service_hours`` (data file) at its headway; its route
    length is the great-circle length through its stops x 1.2 (an estimate of track/road
    curvature). Electric modes are scaled by the same grid trend as battery-electric cars,
    buses by the fuel-car trend. ``lines`` maps line id -> object with ``mode``,
    ``headway_min`` and ``stops``; ``stops`` maps stop id -> object with ``lon``, ``lat``.
    """
    p = Path(path) if path is not None else data_dir() / "emission_factors.csv"
    rows = _read_rows(p)
    f = load_emission_factors(p)
    hours = _float(_value(rows, p, "service_hours", "all"), "value", p)
    dt = float(year - f.base_year)
    total = 0.0
    for line in lines.values():
        row = _value(rows, p, "co2e_service", line.mode)
        g_per_vkm = _float(row, "value", p)
        if line.mode in ("bus", "ferry"):
            g_per_vkm *= _trend(f.fuel_trend_pct, f.fuel_floor, dt)
        else:
            g_per_vkm *= _trend(f.bev_trend_pct, f.bev_floor, dt)
        pts = [stops[s] for s in line.stops if s in stops]
        length = 0.0
        for a, b in itertools.pairwise(pts):
            length += line_km(a, b)
        departures = 2.0 * hours * 60.0 / max(float(line.headway_min), 0.5)
        total += departures * 1.2 * length * g_per_vkm / 1e6
    return total


def line_km(a: Any, b: Any) -> float:
    """Great-circle km between two stops (``lon``, ``lat``) on the rounded Earth radius these
    line lengths have always used (:data:`mobility.network.geometry.ROUNDED_EARTH_RADIUS_KM`)."""
    return float(haversine_km(a.lon, a.lat, b.lon, b.lat, radius_km=ROUNDED_EARTH_RADIUS_KM))
