"""Demand-model parameters: trip rates, time values, logit and deterrence coefficients.

The values and their sources live in ``mobility/data/demand_parameters.csv``
(``parameter,value,unit,tag,source``; tag ``S``/``S2`` sourced, ``D`` derived or calibrated,
``M`` estimate). :func:`load_demand_parameters` reads and validates that file into a frozen
:class:`DemandParameters`; calibration runs use :meth:`DemandParameters.replace`.

The values of time are not in that file. The demand model converts money into minutes with
the cost-benefit analysis's own values of time per purpose (``vot_commute``, ``vot_business``,
``vot_other`` of ``mobility/data/unit_prices.csv``, in their price year), so that behaviour
and valuation use one conversion (Transportministeriet's manual; issue 11 item 5). The model
holds every money cost (fuel, fares, parking, tolls) at the price year's real level in every
model year, so its values of time stay at that year's level too: relative prices do not
move. The CBA grows the values of time with real GDP per capita over the horizon
(:meth:`mobility.impacts.unit_prices.UnitPrices.at`), as it grows every unit value, and the
time-money split of the surplus (:mod:`mobility.impacts.effects`) uses the model's own
values, so it is exact.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mobility.errors import InputError
from mobility.resources import data_dir

if TYPE_CHECKING:
    from mobility.network.transit_graph import TransitGraphParams

COLUMNS = ("parameter", "value", "unit", "tag", "source")
TAGS = ("S", "S2", "D", "M")


@dataclass(frozen=True)
class DemandParameters:
    """All demand-model parameters (units in ``demand_parameters.csv``)."""

    trip_rate_total: float
    share_commute: float
    share_business: float
    attraction_other_residents: float
    attraction_other_jobs: float
    beta_time: float
    car_cost_per_km: float
    car_terminal_time: float
    car_parking_central: float
    pt_fare_base: float
    pt_fare_per_km: float
    pt_walk_weight: float
    pt_wait_weight: float
    pt_transfer_penalty: float
    pt_wait_cap: float
    pt_walk_speed: float
    pt_access_max_km: float
    pt_feeder_speed: float
    pt_access_stops: float
    pt_transfer_walk_km: float
    detour_factor: float
    bike_speed: float
    bike_superhighway_factor: float
    bike_km_threshold: float
    bike_beta_km_over: float
    walk_speed: float
    walk_km_threshold: float
    walk_beta_km_over: float
    intrazonal_factor: float
    intrazonal_max_km: float
    intrazonal_car_speed: float
    intrazonal_pt_speed: float
    intrazonal_pt_wait: float
    intrazonal_pt_walk: float
    occupancy_commute: float
    occupancy_business: float
    occupancy_other: float
    occupancy_border: float
    commercial_pcu_trips_per_weekday: float
    vehicles_per_commercial_pcu: float
    asc_car: float
    asc_pt: float
    asc_bike: float
    asc_walk: float
    asc_border_car: float
    asc_border_pt: float
    deterrence_commute: float
    deterrence_business: float
    deterrence_other: float
    capacity_factor: float
    capacity_factor_rural_collector: float
    #: DKK per person-hour by purpose (:func:`values_of_time`: the unit prices' values in
    #: their price year; not read from demand_parameters.csv)
    value_of_time_commute: float = math.nan
    value_of_time_business: float = math.nan
    value_of_time_other: float = math.nan

    def value_of_time(self, purpose: str) -> float:
        """DKK per person-hour for ``purpose`` (commute, business or other)."""
        return float(getattr(self, f"value_of_time_{purpose}"))

    def beta_cost(self, purpose: str) -> float:
        """Logit cost coefficient per DKK for ``purpose``
        (``beta_time * 60 / value_of_time(purpose)``)."""
        return self.beta_time * 60.0 / self.value_of_time(purpose)

    def occupancy(self, purpose: str) -> float:
        """Persons per car for ``purpose``."""
        return float(getattr(self, f"occupancy_{purpose}"))

    def car_occupancy(self, purpose: str, border: np.ndarray | None = None) -> Any:
        """Persons per car for ``purpose``: ``occupancy_border`` on the trips across the
        national border (``border`` = 1), the purpose's occupancy elsewhere (a float when
        ``border`` is ``None``, else an array shaped like ``border``)."""
        if border is None:
            return self.occupancy(purpose)
        return np.where(border > 0, self.occupancy_border, self.occupancy(purpose))

    def deterrence(self, purpose: str) -> float:
        """Exponential deterrence per minute of generalised cost for ``purpose``."""
        return float(getattr(self, f"deterrence_{purpose}"))

    def transit_graph_params(self) -> TransitGraphParams:
        """The values the transit graph reads
        (:func:`mobility.network.transit_graph.build_transit_network`)."""
        from mobility.network.transit_graph import TransitGraphParams

        return TransitGraphParams(
            walk_speed_kmh=self.pt_walk_speed,
            feeder_speed_kmh=self.pt_feeder_speed,
            walk_weight=self.pt_walk_weight,
            wait_weight=self.pt_wait_weight,
            wait_cap_min=self.pt_wait_cap,
            transfer_penalty_min=self.pt_transfer_penalty,
            access_stops=self.pt_access_stops,
            access_max_km=self.pt_access_max_km,
            transfer_walk_km=self.pt_transfer_walk_km,
            detour_factor=self.detour_factor,
        )

    def replace(self, **changes: float) -> DemandParameters:
        """A copy with some values changed (unknown names raise ``TypeError``)."""
        return dataclasses.replace(self, **changes)

    def check(self, *, source: str | Path | None = None) -> DemandParameters:
        """Check ranges; return ``self``.

        Raises
        ------
        InputError
            Naming the parameter out of range.
        """
        positive = (
            "trip_rate_total",
            "value_of_time_commute",
            "value_of_time_business",
            "value_of_time_other",
            "pt_walk_speed",
            "pt_feeder_speed",
            "pt_access_stops",
            "pt_wait_cap",
            "detour_factor",
            "bike_speed",
            "walk_speed",
            "intrazonal_factor",
            "intrazonal_max_km",
            "intrazonal_car_speed",
            "intrazonal_pt_speed",
            "occupancy_commute",
            "occupancy_business",
            "occupancy_other",
            "occupancy_border",
            "deterrence_commute",
            "deterrence_business",
            "deterrence_other",
            "capacity_factor",
            "capacity_factor_rural_collector",
            "commercial_pcu_trips_per_weekday",
            "vehicles_per_commercial_pcu",
        )
        for name in positive:
            if not getattr(self, name) > 0:
                raise InputError("must be positive", file=source, field=name, expected="> 0")
        if not self.vehicles_per_commercial_pcu <= 1:
            raise InputError(
                "a van or truck is at least one PCU",
                file=source,
                field="vehicles_per_commercial_pcu",
                expected="a number in (0, 1]",
            )
        if not self.beta_time < 0:
            raise InputError("must be negative", file=source, field="beta_time", expected="< 0")
        if not 0 <= self.share_commute + self.share_business <= 1:
            raise InputError(
                "commute + business shares exceed 1", file=source, field="share_business"
            )
        return self


#: Parameters that demand_parameters.csv does not hold (:func:`values_of_time`).
VOT_FIELDS = ("value_of_time_commute", "value_of_time_business", "value_of_time_other")


def values_of_time(prices: Any = None) -> dict[str, float]:
    """The demand model's values of time: the CBA's per purpose, in the unit prices' price
    year (:func:`mobility.impacts.unit_prices.purpose_value_of_time`).

    Parameters
    ----------
    prices
        :class:`mobility.impacts.unit_prices.UnitPrices` (default: the bundled file).

    Returns
    -------
    dict
        ``value_of_time_<purpose>`` -> DKK per person-hour (CBA price year, real).
    """
    from mobility.impacts.unit_prices import load_unit_prices, purpose_value_of_time

    p = prices if prices is not None else load_unit_prices()
    when = np.asarray([p.base_price_year], dtype=np.float64)
    return {
        f"value_of_time_{q}": float(purpose_value_of_time(p, q, when)[0])
        for q in ("commute", "business", "other")
    }


def default_parameters_path() -> Path:
    """The bundled ``demand_parameters.csv``."""
    return data_dir() / "demand_parameters.csv"


def load_demand_parameters(path: str | Path | None = None) -> DemandParameters:
    """Read ``demand_parameters.csv`` (default: the bundled file).

    Raises
    ------
    InputError
        Missing file, wrong header, unknown/duplicate/missing parameter, non-numeric value,
        missing source or tag (file, line and field named).
    """
    p = Path(path) if path is not None else default_parameters_path()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=p) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or tuple(header) != COLUMNS:
        raise InputError(f"header is {header}", file=p, line=1, expected=",".join(COLUMNS))
    names = {f.name for f in dataclasses.fields(DemandParameters)} - set(VOT_FIELDS)
    values: dict[str, float] = {}
    for lineno, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(COLUMNS):
            raise InputError(f"has {len(row)} columns", file=p, line=lineno, expected="5")
        name, raw, _unit, tag, source = row
        if name not in names:
            raise InputError(f"unknown parameter '{name}'", file=p, line=lineno, field="parameter")
        if name in values:
            raise InputError(
                f"duplicate parameter '{name}'", file=p, line=lineno, field="parameter"
            )
        try:
            value = float(raw)
        except ValueError:
            raise InputError(
                f"has value {raw!r}", file=p, line=lineno, field="value", expected="a number"
            ) from None
        if not math.isfinite(value):
            raise InputError(f"has value {raw!r}", file=p, line=lineno, field="value")
        if tag not in TAGS:
            raise InputError(
                f"has tag {tag!r}", file=p, line=lineno, field="tag", expected="|".join(TAGS)
            )
        if not source.strip():
            raise InputError("has no source", file=p, line=lineno, field="source")
        values[name] = value
    missing = sorted(names - set(values))
    if missing:
        raise InputError("missing parameters: " + ", ".join(missing), file=p, field="parameter")
    return DemandParameters(**values, **values_of_time()).check(source=p)
