"""Cost-benefit analysis in the Danish method (Transportministeriet's manual, TERESA/TØE).

The yearly stream of one project against the reference is built item by item, all in real
DKK of the unit-price year (``mobility/data/unit_prices.csv``, one row per unit price with
its source, price year and reliability tag):

* **Public costs** (factor prices × net tax factor NAF 1.28): construction spread evenly over
  the construction years before opening, operation and maintenance from the opening year,
  and the residual value of the assets at the end of the horizon (linear depreciation over
  the asset life), credited in the last year.
* **User benefits**: consumer surplus by the rule of half on generalised cost (computed by
  :mod:`mobility.impacts.effects` per trip purpose, given here in person-hours per year),
  each purpose valued at its own value of time, the one the demand model's mode choice used
  in the model year (:mod:`mobility.demand.parameters`), plus the money part in kroner and
  the non-perceived part of car operating costs.
* **External effects**: CO2e at the central CO2 price (a high-price sensitivity is reported
  next to it), noise, accidents, air pollution, and the health benefit of cycling.
* **Public revenue**: fuel-tax and toll revenue changes (transfers in market prices).
* **Tax distortion** on the net public financing (0 since the FM 2023 guidance).

Benefits ramp up over the first years after opening; the physical effects follow the model
years (linear between them, held at the last one's level after it:
:func:`mobility.impacts.cba_paths.effect_path`); unit values grow with real GDP per capita
(elasticity 1), the CO2 price on its own path. Everything is discounted with the Ministry of
Finance's declining rate, compounded stepwise: 3.5 % a year for years 1–35, 2.5 % for 36–70,
1.5 % after.

The parts, one module each: the unit prices (:mod:`mobility.impacts.unit_prices`), the inputs
(:mod:`mobility.impacts.cba_inputs`) and their yearly paths (:mod:`mobility.impacts.cba_paths`),
the discounting (:mod:`mobility.impacts.discounting`); this module builds the items
(:func:`appraise`) and the decision measures of the result (:func:`measures`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mobility.impacts.cba_inputs import CbaInputs
from mobility.impacts.cba_paths import class_path, effect_path, ramp, renewals, time_value
from mobility.impacts.discounting import discount_factors, discount_rates, irr
from mobility.impacts.unit_prices import ASSET_CLASS, UnitPrices, load_unit_prices

__all__ = ["ITEMS", "MEASURES", "CbaResult", "appraise", "measures"]


#: Items in the order they appear in ``cba.csv``.
ITEMS = (
    "construction",
    "rolling_stock",
    "operation_maintenance",
    "pt_operating_cost",
    "residual_value",
    "travel_time_user_benefit",
    "user_money_benefit",
    "van_truck_time",
    "van_truck_toll",
    "vehicle_operating_costs",
    "commercial_running_costs",
    "co2e",
    "construction_co2e",
    "noise",
    "accidents",
    "air_pollution",
    "health_cycling",
    "health_walking",
    "fuel_tax_revenue",
    "toll_revenue",
    "fare_revenue",
    "tax_distortion",
)


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
        Net present value; present values of benefits and of costs (construction, rolling
        stock, operation and maintenance, PT operating cost, less the residual value, all
        incl. NAF, positive); benefit-cost ratio; internal rate of return in %; NPV per krone
        of net public cost (nettonutidskvotient: PV of the net public cost incl. NAF).
    npv_high_co2_mdkk
        NPV with the high CO2 price (FM sensitivity).
    npv_danish_mdkk
        NPV without the user benefits of foreign residents (Danish users and the Danish
        state; revenues are counted as Danish).
    pv_public_mdkk
        PV of the net public cost incl. NAF (the NNK denominator).
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
    npv_danish_mdkk: float = math.nan
    pv_public_mdkk: float = math.nan
    notes: dict[str, str] = field(default_factory=dict)

    def pv(self, item: str) -> float:
        """Present value of one item (mio. DKK)."""
        return float(np.sum(self.items[item] * self.discount))


#: Summary measures written as items of ``cba.csv`` (pv_mdkk column; ratio or % for some).
MEASURES = ("npv", "npv_danish", "npv_high_co2", "pv_public_cost", "nnk", "bcr", "irr_pct")


def measures(res: CbaResult) -> dict[str, float]:
    """The decision measures of one result, in :data:`MEASURES` order (NaN when undefined)."""
    return {
        "npv": res.npv_mdkk,
        "npv_danish": res.npv_danish_mdkk,
        "npv_high_co2": res.npv_high_co2_mdkk,
        "pv_public_cost": res.pv_public_mdkk,
        "nnk": res.nnk,
        "bcr": res.bcr,
        "irr_pct": res.irr_pct,
    }


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
    years = np.arange(min(first, inp.opening_year - 1), last + 1)
    t = (years - base_year).astype(np.float64)
    operating = (years >= inp.opening_year).astype(np.float64)
    share = ramp(years, inp.opening_year, p)
    naf = p["naf"]
    items: dict[str, np.ndarray] = {}

    def eff(name: str) -> np.ndarray:
        return effect_path(inp, name, years)

    capex = inp.capex_mdkk * (1.0 + p["price_index_growth"] / 100.0) ** (
        p.base_price_year - inp.capex_price_year
    )
    build = np.zeros(years.shape)
    if n_build > 0:
        build[(years >= first) & (years < inp.opening_year)] = capex / n_build
    items["construction"] = -naf * build
    stock, stock_residual = renewals(
        inp.rolling_stock_mdkk, inp.opening_year - 1, inp.rolling_stock_life, years
    )
    items["rolling_stock"] = -naf * stock
    items["operation_maintenance"] = -naf * inp.opex_mdkk_per_year * operating
    items["pt_operating_cost"] = -naf * eff("pt_opex_mdkk") * operating
    life = p[f"asset_life_{ASSET_CLASS.get(inp.kind, 'other')}"]
    residual = np.zeros(years.shape)
    residual[-1] = capex * max(0.0, 1.0 - horizon / life) + stock_residual
    items["residual_value"] = naf * residual

    items["travel_time_user_benefit"] = share * time_value(inp, "user_benefit_h", years, p)
    items["user_money_benefit"] = share * eff("user_money_mdkk")
    items["van_truck_time"] = (
        share
        * (eff("van_h") * p.at("vot_van", years) + eff("truck_h") * p.at("vot_truck", years))
        / 1e6
    )
    # the tolls vans and trucks pay: a cost to them, revenue to the state (a transfer that
    # nets out against their share of toll_revenue)
    items["van_truck_toll"] = -share * eff("van_truck_toll_mdkk")
    car_vkm = eff("car_vkm")
    items["vehicle_operating_costs"] = (
        -share * car_vkm * p["voc_car"] * (1.0 - p["voc_perceived_share"]) / 1e6
    )
    items["commercial_running_costs"] = (
        -share * (eff("van_vkm") * p["voc_van"] + eff("truck_vkm") * p["voc_truck"]) / 1e6
    )
    co2_price = p.at("co2_price_central", years)
    items["co2e"] = -share * eff("co2e_t") * co2_price / 1e6
    built_co2 = np.zeros(years.shape)
    if inp.construction_co2e_t > 0:
        if n_build > 0:
            built_co2[(years >= first) & (years < inp.opening_year)] = (
                inp.construction_co2e_t / n_build
            )
        else:
            built_co2[years == inp.opening_year - 1] = inp.construction_co2e_t
    items["construction_co2e"] = -built_co2 * co2_price / 1e6
    items["noise"] = -share * eff("noise_exposed") * p.at("noise", years) / 1e6
    accidents = np.zeros(years.shape)
    air = np.zeros(years.shape)
    for key, vkm in class_path(inp, years).items():
        vehicle, road = key.split("@")
        accidents += vkm * p.at(f"accidents@{road}", years)
        air += vkm * p.at(f"air_pollution_{vehicle}@{road}", years)
    items["accidents"] = -share * accidents / 1e6
    items["air_pollution"] = -share * air / 1e6
    items["health_cycling"] = share * eff("bike_km") * p.at("health_cycling", years) / 1e6
    items["health_walking"] = (
        share * eff("walk_km") * p.at("health_walking", years) / 1e6
        if "health_walking" in p.values
        else np.zeros(years.shape)
    )
    items["fuel_tax_revenue"] = share * car_vkm * p["fuel_tax_car"] / 1e6
    items["toll_revenue"] = share * eff("toll_revenue_mdkk")
    items["fare_revenue"] = share * eff("fare_revenue_mdkk")
    cost_items = (
        "construction",
        "rolling_stock",
        "operation_maintenance",
        "pt_operating_cost",
        "residual_value",
    )
    net_public = -sum(items[k] for k in cost_items) / naf - (
        items["fuel_tax_revenue"] + items["toll_revenue"] + items["fare_revenue"]
    )
    items["tax_distortion"] = -p["tax_distortion"] * net_public

    rates = discount_rates(p)
    disc = discount_factors(t, **rates)
    total = np.sum([items[k] for k in ITEMS], axis=0)
    npv_mdkk = float(np.sum(total * disc))
    pv_costs = -float(sum(np.sum(items[k] * disc) for k in cost_items))
    pv_benefits = npv_mdkk + pv_costs
    public = float(np.sum(net_public * disc)) * naf
    high = items["co2e"] + items["construction_co2e"]
    high = high * p.at("co2_price_high", years) / co2_price
    npv_high = npv_mdkk + float(np.sum((high - items["co2e"] - items["construction_co2e"]) * disc))
    foreign = share * (time_value(inp, "foreign_benefit_h", years, p) + eff("foreign_money_mdkk"))
    npv_dk = npv_mdkk - float(np.sum(foreign * disc))
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
        npv_danish_mdkk=npv_dk,
        pv_public_mdkk=public,
        notes={
            "discounting": "FM 3.5/2.5/1.5 % stepwise",
            "base_year": str(base_year),
            "price_year": str(p.base_price_year),
        },
    )
