"""The CBA's inputs: one project's costs and yearly physical effects against the reference.

:class:`CbaInputs` is what :func:`mobility.impacts.cba.appraise` takes. :func:`cba_inputs`
builds it for a project (or a combination) from the effects of its run pair
(:class:`mobility.impacts.effects.Effects`): capital costs incl. the reserve at the CBA price
year, the yearly effect values of the model years, and the PT operating cost and rolling stock
from the change in service (:mod:`mobility.impacts.operator`) unless the project file gives
sourced figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mobility.impacts.effects import Effects
from mobility.impacts.unit_prices import ROAD_TYPES, VEHICLES, UnitPrices

__all__ = ["EFFECT_FIELDS", "CbaInputs", "cba_inputs"]


#: Effects that may be given for several model years (interpolated, flat after the last).
EFFECT_FIELDS = (
    "user_benefit_h",
    "user_money_mdkk",
    "foreign_benefit_h",
    "foreign_money_mdkk",
    "van_h",
    "truck_h",
    "car_vkm",
    "van_vkm",
    "truck_vkm",
    "co2e_t",
    "noise_exposed",
    "bike_km",
    "walk_km",
    "toll_revenue_mdkk",
    "van_truck_toll_mdkk",
    "fare_revenue_mdkk",
    "pt_opex_mdkk",
)


@dataclass(frozen=True)
class CbaInputs:
    """One project's costs and yearly physical effects against the reference.

    Effects are per year at full (ramped-up) level in ``model_year``, project minus
    reference. Signs: a positive ``user_benefit_h`` / ``user_money_mdkk`` / ``van_h`` is a
    gain to users; a negative ``car_vkm`` is less traffic; a positive revenue is more money
    to the operator or the state; a positive ``pt_opex_mdkk`` is a higher operating cost.

    Attributes
    ----------
    project_id, kind, opening_year
        The project.
    capex_mdkk, capex_price_year
        Construction cost incl. reserve (mio. DKK) and its price year.
    opex_mdkk_per_year
        Operation and maintenance of the infrastructure per year (mio. DKK, CBA prices).
    construction_years
        Years of construction before opening (``None``: the unit-price default).
    user_benefit_h
        Time part of the consumer surplus (rule of half on the generalised cost less its
        money part), person-hours per year, all users.
    user_benefit_h_by_purpose, foreign_benefit_h_by_purpose
        The same hours by trip purpose (commute, business, other), each valued at its own
        value of time (``vot_<purpose>``); empty: all of ``user_benefit_h`` at the purpose
        mix of :func:`mobility.impacts.unit_prices.person_value_of_time`. A further model
        year's entry in ``effects_by_year`` may carry them too.
    user_money_mdkk
        Money part of the consumer surplus (rule of half on tolls, fares and perceived car
        costs), mio. DKK per year.
    foreign_benefit_h, foreign_money_mdkk
        The parts of the two above that accrue to users resident abroad (Swedish zones).
    van_h, truck_h
        Vehicle-hours saved per year by vans and trucks (fixed demand).
    car_vkm, van_vkm, truck_vkm
        Change in vehicle-km per year by class.
    vkm_by_class
        ``"vehicle@road_type"`` -> change in vehicle-km per year (accidents, air pollution);
        empty: ``car_vkm`` counts as ``car@urban``.
    co2e_t
        Change in operating CO2e (t/year); negative is a saving.
    construction_co2e_t
        CO2e of construction (t), spread over the construction years.
    noise_exposed
        Change in residents exposed to road noise (proxy).
    bike_km, walk_km
        Change in cycled and walked km per year.
    toll_revenue_mdkk, fare_revenue_mdkk
        Change in toll and ticket revenue per year (mio. DKK).
    van_truck_toll_mdkk
        Change in the tolls vans and trucks pay per year (mio. DKK; their share of
        ``toll_revenue_mdkk``, a cost to them).
    pt_opex_mdkk
        Change in PT operating cost per year (mio. DKK, factor prices).
    rolling_stock_mdkk, rolling_stock_life
        Extra rolling stock bought the year before opening (mio. DKK) and its life (years),
        renewed within the horizon and depreciated linearly for the residual value.
    model_year
        The year the effects above are modelled for.
    effects_by_year
        Further model years: year -> {effect field -> value} (fields of
        :data:`EFFECT_FIELDS`, plus ``vkm_by_class``); missing fields keep the
        ``model_year`` value.
    """

    project_id: str
    kind: str
    opening_year: int
    capex_mdkk: float
    capex_price_year: int
    opex_mdkk_per_year: float = 0.0
    construction_years: int | None = None
    user_benefit_h: float = 0.0
    user_money_mdkk: float = 0.0
    foreign_benefit_h: float = 0.0
    foreign_money_mdkk: float = 0.0
    user_benefit_h_by_purpose: Mapping[str, float] = field(default_factory=dict)
    foreign_benefit_h_by_purpose: Mapping[str, float] = field(default_factory=dict)
    van_h: float = 0.0
    truck_h: float = 0.0
    car_vkm: float = 0.0
    van_vkm: float = 0.0
    truck_vkm: float = 0.0
    vkm_by_class: Mapping[str, float] = field(default_factory=dict)
    co2e_t: float = 0.0
    construction_co2e_t: float = 0.0
    noise_exposed: float = 0.0
    bike_km: float = 0.0
    walk_km: float = 0.0
    toll_revenue_mdkk: float = 0.0
    van_truck_toll_mdkk: float = 0.0
    fare_revenue_mdkk: float = 0.0
    pt_opex_mdkk: float = 0.0
    rolling_stock_mdkk: float = 0.0
    rolling_stock_life: float = 30.0
    model_year: int | None = None
    effects_by_year: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)


def cba_inputs(
    project: Any,
    eff: Effects,
    prices: UnitPrices,
    *,
    later: Mapping[int, Effects] | None = None,
) -> CbaInputs:
    """The CBA inputs of a project (or a combination, see :class:`Combined`).

    Capital costs incl. the reserve (``Project.capex_mdkk``: the stage's korrektionsreserve
    under Ny Anlægsbudgettering or the file's sourced reserve) are converted to the CBA price
    year part by part. PT operating cost and rolling stock come from the change in service
    (:mod:`mobility.impacts.operator`) unless the project file's ``operator`` section gives
    sourced figures. ``later`` holds the effects of further model years (the growth path).
    """
    days = eff.annual["traffic_days_per_year"]
    parts = getattr(project, "parts", None) or [project]
    growth = 1.0 + prices["price_index_growth"] / 100.0
    capex = sum(
        p.capex_mdkk * growth ** (prices.base_price_year - p.capex_price_year) for p in parts
    )
    values = _effect_values(eff, prices, days)
    opex, stock, life = _operator(parts, eff, prices, days)
    values["pt_opex_mdkk"] = opex
    by_year: dict[int, dict[str, Any]] = {}
    for year, e in sorted((later or {}).items()):
        v = _effect_values(e, prices, e.annual["traffic_days_per_year"])
        v["pt_opex_mdkk"] = _operator(parts, e, prices, e.annual["traffic_days_per_year"])[0]
        by_year[int(year)] = v
    return CbaInputs(
        project_id=project.id,
        kind=project.kind,
        opening_year=project.opening_year,
        capex_mdkk=float(capex),
        capex_price_year=prices.base_price_year,
        opex_mdkk_per_year=project.opex_mdkk_per_year,
        construction_years=project.construction_years,
        construction_co2e_t=float(project.construction_co2e_t),
        rolling_stock_mdkk=stock,
        rolling_stock_life=life,
        model_year=eff.year,
        effects_by_year=by_year,
        **values,
    )


def _effect_values(eff: Effects, prices: UnitPrices, days: float) -> dict[str, Any]:
    """The yearly effect fields of :class:`CbaInputs` from one run pair."""
    by_class = {
        f"{v}@{r}": eff.extra(f"vkm_day[{v}@{r}]") * days
        for v in VEHICLES
        for r in ROAD_TYPES
        if f"vkm_day[{v}@{r}]" in eff.proj.extra or f"vkm_day[{v}@{r}]" in eff.ref.extra
    }
    car = sum(x for k, x in by_class.items() if k.startswith("car@"))
    return {
        "user_benefit_h": eff.time_h_year,
        "user_benefit_h_by_purpose": dict(eff.time_h_by_purpose),
        "user_money_mdkk": eff.money_dkk_year / 1e6,
        "foreign_benefit_h": eff.foreign_h_year,
        "foreign_benefit_h_by_purpose": dict(eff.foreign_h_by_purpose),
        "foreign_money_mdkk": eff.foreign_dkk_year / 1e6,
        "van_h": -eff.extra("van_vh_day") * days,
        "truck_h": -eff.extra("truck_vh_day") * days,
        "car_vkm": car if by_class else eff.diff("car_vkm_day") * days,
        "van_vkm": sum(x for k, x in by_class.items() if k.startswith("van@")),
        "truck_vkm": sum(x for k, x in by_class.items() if k.startswith("truck@")),
        "vkm_by_class": by_class,
        "co2e_t": eff.diff("co2e_t_day") * days,
        "noise_exposed": eff.diff("noise_exposed"),
        "bike_km": eff.diff("bike_km_day") * days,
        "walk_km": eff.extra("walk_km_day") * days,
        "toll_revenue_mdkk": eff.diff("toll_dkk_day") * days / 1e6,
        "van_truck_toll_mdkk": eff.extra("van_truck_toll_dkk_day") * days / 1e6,
        "fare_revenue_mdkk": eff.extra("fare_dkk_day") * days / 1e6,
    }


def _operator(
    parts: Sequence[Any], eff: Effects, prices: UnitPrices, days: float
) -> tuple[float, float, float]:
    """PT operating cost change per year, rolling-stock capital and its life.

    Derived from the service change by mode; a project file's ``operator`` section
    (``opex_mdkk_per_year``, ``rolling_stock_mdkk``, ``rolling_stock_life_years``, with a
    ``source``) replaces the derived figures (for a combination: when every part gives them).
    """
    from mobility.impacts import operator

    overrides = [getattr(p, "operator", None) or {} for p in parts]
    modes = {
        k.split("[", 1)[1].rstrip("]")
        for k in (*eff.ref.extra, *eff.proj.extra)
        if k.startswith("pt_vkm_day[")
    }
    change = {
        m: {
            "vkm": eff.extra(f"pt_vkm_day[{m}]"),
            "vehicle_hours": eff.extra(f"pt_vh_day[{m}]"),
            "peak_vehicles": eff.extra(f"pt_peak_vehicles[{m}]"),
        }
        for m in sorted(modes)
    }
    opex = operator.operating_cost_mdkk(change, prices, days_per_year=days)
    stock, life = operator.rolling_stock(change, prices)
    if all("opex_mdkk_per_year" in o for o in overrides):
        opex = float(sum(o["opex_mdkk_per_year"] for o in overrides))
    if all("rolling_stock_mdkk" in o for o in overrides):
        stock = float(sum(o["rolling_stock_mdkk"] for o in overrides))
        lives = [o.get("rolling_stock_life_years", life) for o in overrides]
        life = float(max(lives)) if lives else life
    return opex, stock, life
