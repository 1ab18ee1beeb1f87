"""Cost-benefit analysis in the Danish method (Transportministeriet's manual, TERESA/TØE).

The yearly stream of one project against the reference is built item by item, all in real
DKK of the unit-price year (``mobility/data/unit_prices.csv``, one row per unit price with
its source, price year and reliability tag):

* **Public costs** (factor prices × net tax factor NAF 1.28): construction spread evenly over
  the construction years before opening, operation and maintenance from the opening year,
  and the residual value of the assets at the end of the horizon (linear depreciation over
  the asset life), credited in the last year.
* **User benefits**: consumer surplus by the rule of half on generalised cost (computed by
  :mod:`mobility.impacts.appraisal`, given here in person-hours per year), valued at the
  business and non-business values of time, plus the non-perceived part of car operating
  costs.
* **External effects**: CO2e at the central CO2 price (a high-price sensitivity is reported
  next to it), noise, accidents, air pollution, and the health benefit of cycling.
* **Public revenue**: fuel-tax and toll revenue changes (transfers in market prices).
* **Tax distortion** on the net public financing (0 since the FM 2023 guidance).

Benefits ramp up over the first years after opening and the physical effects are held at the
modelled year's level; unit values grow with real GDP per capita (elasticity 1), the CO2 price
on its own path. Everything is discounted with the Ministry of Finance's declining rate,
compounded stepwise: 3.5 % a year for years 1–35, 2.5 % for 36–70, 1.5 % after.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from mobility.errors import InputError
from mobility.resources import data_dir

#: Items in the order they appear in ``cba.csv``.
ITEMS = (
    "construction",
    "operation_maintenance",
    "residual_value",
    "travel_time_user_benefit",
    "vehicle_operating_costs",
    "co2e",
    "noise",
    "accidents",
    "air_pollution",
    "health_cycling",
    "fuel_tax_revenue",
    "toll_revenue",
    "tax_distortion",
)

#: Asset-life row for each project kind.
ASSET_CLASS = {
    "road": "road",
    "rail": "rail",
    "metro": "rail",
    "light_rail": "rail",
    "brt_bus": "bus",
    "cycle": "cycle",
    "pricing_policy": "other",
    "other": "other",
}


@dataclass(frozen=True)
class UnitPrices:
    """Unit prices read from the data file.

    Attributes
    ----------
    values
        item -> value in the file's unit.
    price_year
        item -> price year of the value.
    growth
        item -> ``"gdp"``, ``"co2"`` or ``"none"`` (how the value grows over time).
    base_price_year
        The CBA price year (the price year of the value of time).
    path
        The file.
    """

    values: Mapping[str, float]
    price_year: Mapping[str, int]
    growth: Mapping[str, str]
    base_price_year: int
    path: str

    def __getitem__(self, item: str) -> float:
        try:
            return self.values[item]
        except KeyError:
            raise InputError(
                f"unit price '{item}' is missing", file=self.path, field="item"
            ) from None

    def at(self, item: str, years: np.ndarray) -> np.ndarray:
        """The unit value of ``item`` in each of ``years`` (real, CBA price year)."""
        years = np.asarray(years, dtype=np.float64)
        value = self[item]
        kind = self.growth.get(item, "none")
        if kind == "gdp":
            rate = self["gdp_per_capita_growth"] / 100.0
        elif kind == "co2":
            rate = self["co2_price_growth"] / 100.0
        else:
            return np.full(years.shape, value)
        return value * (1.0 + rate) ** (years - self.price_year[item])


@functools.lru_cache(maxsize=8)
def _load_prices(path_str: str) -> UnitPrices:
    path = Path(path_str)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    values: dict[str, float] = {}
    years: dict[str, int] = {}
    growth: dict[str, str] = {}
    for i, row in enumerate(rows, start=2):
        item = row.get("item") or ""
        try:
            values[item] = float(row["value"])
            years[item] = int(row["price_year"])
        except (KeyError, TypeError, ValueError):
            raise InputError(
                f"row for '{item}' has a bad value or price_year", file=path, line=i
            ) from None
        kind = row.get("growth") or "none"
        if kind not in ("gdp", "co2", "none"):
            raise InputError(
                f"has value '{kind}'",
                file=path,
                line=i,
                field="growth",
                expected="gdp, co2 or none",
            )
        if not row.get("source"):
            raise InputError("row has no source", file=path, line=i, field="source")
        growth[item] = kind
    if "vot_nonbusiness" not in years:
        raise InputError("unit price 'vot_nonbusiness' is missing", file=path, field="item")
    return UnitPrices(
        values=values,
        price_year=years,
        growth=growth,
        base_price_year=years["vot_nonbusiness"],
        path=str(path),
    )


def load_unit_prices(path: str | Path | None = None) -> UnitPrices:
    """Read the unit-price file (default: the bundled ``unit_prices.csv``)."""
    p = Path(path) if path is not None else data_dir() / "unit_prices.csv"
    return _load_prices(str(p.resolve()))


# ----------------------------------------------------------------------------- discounting


def discount_factors(
    t: np.ndarray,
    *,
    rates_pct: tuple[float, float, float] = (3.5, 2.5, 1.5),
    breaks: tuple[int, int] = (35, 70),
) -> np.ndarray:
    """Discount factors of the stepwise declining rate for years ``t`` after the base year.

    Year ``t`` (``t = 1`` is the first year after the base year) is discounted at
    ``rates_pct[0]`` for its first ``breaks[0]`` years, ``rates_pct[1]`` up to ``breaks[1]``
    and ``rates_pct[2]`` beyond, compounded: ``(1+r1)^-min(t,35) (1+r2)^-clip(t-35,0,35)
    (1+r3)^-max(t-70,0)``. Years before the base year (``t < 0``) are compounded forward at
    the first rate.
    """
    t = np.asarray(t, dtype=np.float64)
    r1, r2, r3 = (r / 100.0 for r in rates_pct)
    b1, b2 = breaks
    first = np.minimum(t, b1)
    second = np.clip(t - b1, 0.0, b2 - b1)
    third = np.maximum(t - b2, 0.0)
    return (1.0 + r1) ** -first * (1.0 + r2) ** -second * (1.0 + r3) ** -third


def npv(values: np.ndarray, t: np.ndarray, **rates: tuple) -> float:
    """Net present value of ``values`` in years ``t`` with :func:`discount_factors`."""
    return float(np.sum(np.asarray(values) * discount_factors(t, **rates)))


def irr(values: np.ndarray, t: np.ndarray) -> float:
    """Internal rate of return (constant rate) of a yearly stream, or NaN if there is none.

    The root of ``sum(v_t (1+r)^-t) = 0`` is searched in (-0.9, 1.0); a stream whose present
    value has no sign change there (e.g. never pays back) has no IRR.
    """
    v = np.asarray(values, dtype=np.float64)
    tt = np.asarray(t, dtype=np.float64) - float(np.min(t))

    def pv(r: float) -> float:
        return float(np.sum(v * (1.0 + r) ** -tt))

    lo, hi = -0.9, 1.0
    grid = np.linspace(lo, hi, 191)
    vals = np.array([pv(r) for r in grid])
    sign = np.flatnonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)
    if sign.size == 0:
        return math.nan
    # several roots are possible for odd streams: take the one closest to the discount rate
    best = min(sign, key=lambda k: abs(grid[k] - 0.035))
    return float(brentq(pv, grid[best], grid[best + 1], xtol=1e-12))


# ------------------------------------------------------------------------------- the CBA


@dataclass(frozen=True)
class CbaInputs:
    """One project's costs and yearly physical effects against the reference.

    Effects are per year at full (ramped-up) level, project minus reference; a positive
    ``user_benefit_h`` is a gain, a negative ``car_vkm`` change is less car traffic.

    Attributes
    ----------
    project_id, kind, opening_year
        The project.
    capex_mdkk, capex_price_year
        Construction cost incl. reserve (mio. DKK) and its price year.
    opex_mdkk_per_year
        Operation and maintenance cost per year (mio. DKK, CBA price year).
    construction_years
        Years of construction before opening (``None``: the unit-price default).
    user_benefit_h
        Consumer surplus (rule of half, all modes) in person-hours per year.
    car_vkm
        Change in car vehicle-km per year.
    co2e_t
        Change in operating CO2e (t/year); negative is a saving.
    noise_exposed
        Change in residents exposed to road noise (proxy).
    bike_km
        Change in cycled km per year.
    toll_revenue_mdkk
        Change in toll revenue per year (mio. DKK).
    """

    project_id: str
    kind: str
    opening_year: int
    capex_mdkk: float
    capex_price_year: int
    opex_mdkk_per_year: float = 0.0
    construction_years: int | None = None
    user_benefit_h: float = 0.0
    car_vkm: float = 0.0
    co2e_t: float = 0.0
    noise_exposed: float = 0.0
    bike_km: float = 0.0
    toll_revenue_mdkk: float = 0.0


@dataclass(frozen=True)
class CbaResult:
    """Yearly streams and summary metrics of one project.

    Attributes
    ----------
    years
        Calendar years of the stream.
    t
        Years after the discount base year.
    items
        item -> yearly value in mio. DKK (positive = benefit to society).
    discount
        Discount factor of each year.
    npv_mdkk, pv_benefits_mdkk, pv_costs_mdkk, bcr, irr_pct, nnk
        Net present value; present values of benefits and of costs (the net public cost
        incl. NAF, positive); benefit-cost ratio; internal rate of return in %; net present
        value per krone of public funds (nettonutidskvotient).
    npv_high_co2_mdkk
        NPV with the high CO2 price (FM sensitivity).
    """

    project_id: str
    years: np.ndarray
    t: np.ndarray
    items: dict[str, np.ndarray]
    discount: np.ndarray
    npv_mdkk: float
    pv_benefits_mdkk: float
    pv_costs_mdkk: float
    bcr: float
    irr_pct: float
    nnk: float
    npv_high_co2_mdkk: float
    notes: dict[str, str] = field(default_factory=dict)

    def pv(self, item: str) -> float:
        """Present value of one item (mio. DKK)."""
        return float(np.sum(self.items[item] * self.discount))


def _rates(prices: UnitPrices) -> dict[str, tuple]:
    return {
        "rates_pct": (
            prices["discount_rate_1"],
            prices["discount_rate_2"],
            prices["discount_rate_3"],
        ),
        "breaks": (int(prices["discount_break_1"]), int(prices["discount_break_2"])),
    }


def ramp(years: np.ndarray, opening_year: int, prices: UnitPrices) -> np.ndarray:
    """Share of full benefits in each year: 0 before opening, ramp-up, then 1."""
    share = np.where(years >= opening_year, 1.0, 0.0)
    share[years == opening_year] = prices["ramp_up_year_1"]
    share[years == opening_year + 1] = prices["ramp_up_year_2"]
    return share


def appraise(
    inp: CbaInputs,
    *,
    prices: UnitPrices | None = None,
    base_year: int,
    horizon_years: int | None = None,
) -> CbaResult:
    """Cost-benefit analysis of one project.

    Parameters
    ----------
    inp
        Costs and yearly effects.
    prices
        Unit prices (default the bundled file).
    base_year
        Discount base year (``t = 0``); the same for every project of one evaluation.
    horizon_years
        Years of operation after opening (default the unit-price ``horizon_years``).
    """
    p = prices or load_unit_prices()
    horizon = int(horizon_years or p["horizon_years"])
    n_build = int(inp.construction_years or p["construction_years"])
    if inp.capex_mdkk <= 0:
        n_build = 0
    first = inp.opening_year - n_build
    last = inp.opening_year + horizon - 1
    years = np.arange(min(first, inp.opening_year), last + 1)
    t = (years - base_year).astype(np.float64)
    operating = (years >= inp.opening_year).astype(np.float64)
    share = ramp(years, inp.opening_year, p)
    naf = p["naf"]
    items: dict[str, np.ndarray] = {}

    capex = inp.capex_mdkk * (1.0 + p["price_index_growth"] / 100.0) ** (
        p.base_price_year - inp.capex_price_year
    )
    build = np.zeros(years.shape)
    if n_build > 0:
        build[(years >= first) & (years < inp.opening_year)] = capex / n_build
    items["construction"] = -naf * build
    items["operation_maintenance"] = -naf * inp.opex_mdkk_per_year * operating
    life = p[f"asset_life_{ASSET_CLASS.get(inp.kind, 'other')}"]
    residual = np.zeros(years.shape)
    residual[-1] = capex * max(0.0, 1.0 - horizon / life)
    items["residual_value"] = naf * residual

    share_bus = p["business_trip_share"]
    vot = (1.0 - share_bus) * p.at("vot_nonbusiness", years) + share_bus * p.at(
        "vot_business", years
    )
    items["travel_time_user_benefit"] = share * inp.user_benefit_h * vot / 1e6
    items["vehicle_operating_costs"] = (
        -share * inp.car_vkm * p["voc_car"] * (1.0 - p["voc_perceived_share"]) / 1e6
    )
    items["co2e"] = -share * inp.co2e_t * p.at("co2_price_central", years) / 1e6
    items["noise"] = -share * inp.noise_exposed * p.at("noise", years) / 1e6
    items["accidents"] = -share * inp.car_vkm * p.at("accidents_car", years) / 1e6
    items["air_pollution"] = -share * inp.car_vkm * p.at("air_pollution_car", years) / 1e6
    items["health_cycling"] = share * inp.bike_km * p.at("health_cycling", years) / 1e6
    items["fuel_tax_revenue"] = share * inp.car_vkm * p["fuel_tax_car"] / 1e6
    items["toll_revenue"] = share * inp.toll_revenue_mdkk
    net_public = (
        -items["construction"] / naf
        - items["operation_maintenance"] / naf
        - items["residual_value"] / naf
        - items["fuel_tax_revenue"]
        - items["toll_revenue"]
    )
    items["tax_distortion"] = -p["tax_distortion"] * net_public

    rates = _rates(p)
    disc = discount_factors(t, **rates)
    total = sum(items[k] for k in ITEMS)
    npv_mdkk = float(np.sum(total * disc))
    cost_items = ("construction", "operation_maintenance", "residual_value")
    pv_costs = -float(sum(np.sum(items[k] * disc) for k in cost_items))
    pv_benefits = npv_mdkk + pv_costs
    public = float(np.sum(net_public * disc)) * naf
    high = items["co2e"] * p.at("co2_price_high", years) / p.at("co2_price_central", years)
    npv_high = npv_mdkk + float(np.sum((high - items["co2e"]) * disc))
    return CbaResult(
        project_id=inp.project_id,
        years=years,
        t=t,
        items=items,
        discount=disc,
        npv_mdkk=npv_mdkk,
        pv_benefits_mdkk=pv_benefits,
        pv_costs_mdkk=pv_costs,
        bcr=pv_benefits / pv_costs if pv_costs > 0 else math.nan,
        irr_pct=100.0 * irr(total, t),
        nnk=npv_mdkk / public if public > 0 else math.nan,
        npv_high_co2_mdkk=npv_high,
        notes={
            "discounting": "FM 3.5/2.5/1.5 % stepwise",
            "base_year": str(base_year),
            "price_year": str(p.base_price_year),
        },
    )
