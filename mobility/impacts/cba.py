"""Cost-benefit analysis in the Danish method (Transportministeriet's manual, TERESA/TØE).

The yearly stream of one project against the reference is built item by item, all in real
DKK of the unit-price year (``mobility/data/unit_prices.csv``, one row per unit price with
its source, price year and reliability tag):

* **Public costs** (factor prices × net tax factor NAF 1.28): construction spread evenly over
  the construction years before opening, operation and maintenance from the opening year,
  and the residual value of the assets at the end of the horizon (linear depreciation over
  the asset life), credited in the last year.
* **User benefits**: consumer surplus by the rule of half on generalised cost (computed by
  :mod:`mobility.impacts.appraisal` per trip purpose, given here in person-hours per year),
  each purpose valued at its own value of time, the one the demand model's mode choice used
  in the model year (:mod:`mobility.demand.parameters`), plus the money part in kroner and
  the non-perceived part of car operating costs.
* **External effects**: CO2e at the central CO2 price (a high-price sensitivity is reported
  next to it), noise, accidents, air pollution, and the health benefit of cycling.
* **Public revenue**: fuel-tax and toll revenue changes (transfers in market prices).
* **Tax distortion** on the net public financing (0 since the FM 2023 guidance).

Benefits ramp up over the first years after opening; the physical effects follow the model
years (linear between them, held at the last one's level after it: :func:`effect_path`); unit
values grow with real GDP per capita (elasticity 1), the CO2 price on its own path. Everything
is discounted with the Ministry of Finance's declining rate, compounded stepwise: 3.5 % a year
for years 1–35, 2.5 % for 36–70, 1.5 % after.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import brentq

from mobility.errors import InputError
from mobility.resources import data_dir

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


#: Road types of the class-dependent unit prices (TØE: motorvej, landevej, byvej).
ROAD_TYPES = ("motorway", "rural", "urban")
#: Planning stages under Ny Anlægsbudgettering (project files' ``stage``).
STAGES = ("idea", "screening", "forundersoegelse", "vvm", "anlaegslov")
#: Vehicle classes of the road items.
VEHICLES = ("car", "van", "truck")


@dataclass(frozen=True)
class UnitPrices:
    """Unit prices read from the data file.

    Attributes
    ----------
    values
        item -> value in the file's unit; a price given per road type is keyed
        ``item@road_type`` (``accidents@motorway``).
    price_year
        item -> price year of the value.
    growth
        item -> ``"gdp"``, ``"co2"`` or ``"none"`` (how the value grows over time).
    tags
        item -> reliability tag (S, S2, D, M).
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
    tags: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, item: str) -> float:
        try:
            return self.values[item]
        except KeyError:
            raise InputError(
                f"unit price '{item}' is missing", file=self.path, field="item"
            ) from None

    def get(self, item: str, default: float) -> float:
        """The value of ``item``, or ``default`` when the file has no such row."""
        return self.values.get(item, default)

    def at(self, item: str, years: np.ndarray) -> np.ndarray:
        """The unit value of ``item`` in each of ``years`` (real, CBA price year).

        A price given in an earlier price year is first brought to the CBA price year with
        ``gdp_per_capita_growth`` (gdp items) or ``co2_price_growth`` (co2 items), then
        grown on the same path: ``value (1 + g)^(year - price_year)``.
        """
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


def _row_number(text: str | None, path: Path, line: int, column: str, item: str) -> float:
    if text is None or not str(text).strip():
        raise InputError(f"'{item}' has no {column}", file=path, line=line, field=column)
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"'{item}' has {column} '{text}'",
            file=path,
            line=line,
            field=column,
            expected="a number",
        ) from None
    if not math.isfinite(value):
        raise InputError(
            f"'{item}' has {column} '{text}'",
            file=path,
            line=line,
            field=column,
            expected="a finite number",
        )
    return value


@functools.lru_cache(maxsize=8)
def _load_prices(path_str: str) -> UnitPrices:
    path = Path(path_str)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=path) from None
    values: dict[str, float] = {}
    years: dict[str, int] = {}
    growth: dict[str, str] = {}
    tags: dict[str, str] = {}
    for i, row in enumerate(rows, start=2):
        item = (row.get("item") or "").strip()
        if not item:
            raise InputError("row has no item", file=path, line=i, field="item")
        road = (row.get("road_class") or "").strip()
        if road and road not in ROAD_TYPES:
            raise InputError(
                f"'{item}' has road_class '{road}'",
                file=path,
                line=i,
                field="road_class",
                expected=", ".join(ROAD_TYPES) + " or empty",
            )
        key = f"{item}@{road}" if road else item
        if key in values:
            raise InputError(f"'{key}' is given twice", file=path, line=i, field="item")
        value = _row_number(row.get("value"), path, i, "value", key)
        if value < 0:
            raise InputError(
                f"'{key}' has value {row.get('value')}",
                file=path,
                line=i,
                field="value",
                expected="a value >= 0 (costs and benefits carry their sign in the CBA)",
            )
        values[key] = value
        years[key] = int(_row_number(row.get("price_year"), path, i, "price_year", key))
        kind = row.get("growth") or "none"
        if kind not in ("gdp", "co2", "none"):
            raise InputError(
                f"has value '{kind}'",
                file=path,
                line=i,
                field="growth",
                expected="gdp, co2 or none",
            )
        if not (row.get("source") or "").strip():
            raise InputError("row has no source", file=path, line=i, field="source")
        growth[key] = kind
        tags[key] = (row.get("tag") or "").strip()
    if "vot_nonbusiness" not in years:
        raise InputError("unit price 'vot_nonbusiness' is missing", file=path, field="item")
    for base in ("accidents", "air_pollution_car", "air_pollution_van", "air_pollution_truck"):
        if any(k.startswith(base + "@") for k in values):
            for road in ROAD_TYPES:
                if f"{base}@{road}" not in values:
                    raise InputError(
                        f"unit price '{base}' has no row for road_class '{road}'",
                        file=path,
                        field="road_class",
                        expected="one row per road class: " + ", ".join(ROAD_TYPES),
                    )
    return UnitPrices(
        values=values,
        price_year=years,
        growth=growth,
        base_price_year=years["vot_nonbusiness"],
        path=str(path),
        tags=tags,
    )


def load_unit_prices(path: str | Path | None = None) -> UnitPrices:
    """Read the unit-price file (default: the bundled ``unit_prices.csv``).

    Raises
    ------
    InputError
        A row without item, value, price year or source, a negative or non-numeric value, an
        unknown road class or growth kind, a price given twice, or a road-class price without
        a row for every road class: one line naming the file and row.
    """
    p = Path(path) if path is not None else data_dir() / "unit_prices.csv"
    return _load_prices(str(p.resolve()))


def reserve_pct(kind: str, stage: str, prices: UnitPrices, *, salt_water: bool = False) -> float:
    """Korrektionsreserve (% of the base estimate) of a planning stage under Ny Anlægsbudgettering.

    Rail, metro and light rail, and roads over or under salt water (``salt_water``), take the
    rail rule; every other kind the rule for roads on land (the unit-price rows
    ``reserve_pct_<stage>_rail`` / ``_road``).
    """
    rail = ASSET_CLASS.get(kind, "other") == "rail"
    group = "rail" if rail or salt_water else "road"
    return prices[f"reserve_pct_{stage}_{group}"]


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
        mix of :func:`person_value_of_time`. A further model year's entry in
        ``effects_by_year`` may carry them too.
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


def effect_path(inp: CbaInputs, name: str, years: np.ndarray) -> np.ndarray:
    """One effect in each of ``years``: linear between the model years, flat outside them.

    With one model year (no ``effects_by_year``) the effect is constant.
    """
    base = float(getattr(inp, name))
    if not inp.effects_by_year:
        return np.full(np.shape(years), base)
    first = inp.model_year if inp.model_year is not None else inp.opening_year
    pts = {int(first): base}
    for y, vals in inp.effects_by_year.items():
        pts[int(y)] = float(vals.get(name, base))
    xs = sorted(pts)
    return np.interp(np.asarray(years, dtype=np.float64), xs, [pts[x] for x in xs])


def _mapping_path(
    inp: CbaInputs, name: str, base: Mapping[str, float], years: np.ndarray
) -> dict[str, np.ndarray]:
    """key -> value of a mapping effect (``vkm_by_class``, ``*_by_purpose``) in each of
    ``years``, interpolated like :func:`effect_path`; a model year whose entry has no such
    mapping keeps the first model year's values, one without the key counts 0."""
    keys = set(base)
    for vals in inp.effects_by_year.values():
        keys |= set(vals.get(name, {}) or {})
    out = {}
    first = inp.model_year if inp.model_year is not None else inp.opening_year
    for k in sorted(keys):
        pts = {int(first): float(base.get(k, 0.0))}
        for y, vals in inp.effects_by_year.items():
            later = vals.get(name)
            pts[int(y)] = float(later.get(k, 0.0)) if later is not None else pts[int(first)]
        xs = sorted(pts)
        out[k] = np.interp(np.asarray(years, dtype=np.float64), xs, [pts[x] for x in xs])
    return out


def _class_path(inp: CbaInputs, years: np.ndarray) -> dict[str, np.ndarray]:
    """``vehicle@road_type`` -> vehicle-km change per year, interpolated like the effects."""
    base = dict(inp.vkm_by_class) or {"car@urban": inp.car_vkm}
    return _mapping_path(inp, "vkm_by_class", base, years)


def purpose_value_of_time(prices: UnitPrices, purpose: str, years: np.ndarray) -> np.ndarray:
    """DKK per person-hour of ``purpose`` (commute, business, other) in each of ``years``:
    ``vot_<purpose>``, commute and other falling back on ``vot_nonbusiness``."""
    item = f"vot_{purpose}"
    if item not in prices.values and purpose != "business":
        item = "vot_nonbusiness"
    return prices.at(item, years)


def time_value(inp: CbaInputs, name: str, years: np.ndarray, prices: UnitPrices) -> np.ndarray:
    """Mio. DKK a year of the person-hours ``name`` (``user_benefit_h`` or
    ``foreign_benefit_h``): each purpose's hours at its own value of time, interpolated
    between the model years like the other effects; without a split by purpose, the total
    at the purpose mix (:func:`person_value_of_time`)."""
    split = getattr(inp, f"{name}_by_purpose")
    if not split:
        return effect_path(inp, name, years) * person_value_of_time(prices, years) / 1e6
    out = np.zeros(np.shape(years))
    for purpose, hours in _mapping_path(inp, f"{name}_by_purpose", split, years).items():
        out = out + hours * purpose_value_of_time(prices, purpose, years) / 1e6
    return out


def person_value_of_time(prices: UnitPrices, years: np.ndarray) -> np.ndarray:
    """Value of a person-hour in each year: the purpose mix of commute, business and other."""
    commute = prices.get("commute_trip_share", 0.0)
    business = prices["business_trip_share"]
    other = 1.0 - commute - business
    return (
        commute * purpose_value_of_time(prices, "commute", years)
        + business * purpose_value_of_time(prices, "business", years)
        + other * purpose_value_of_time(prices, "other", years)
    )


def _renewals(
    amount: float, first_year: int, life: float, years: np.ndarray
) -> tuple[np.ndarray, float]:
    """Purchases of ``amount`` in ``first_year`` renewed every ``life`` years within ``years``,
    and the residual value at the end (linear depreciation of the last purchase)."""
    buy = np.zeros(years.shape)
    if amount <= 0 or life <= 0:
        return buy, 0.0
    last_year = int(years[-1])
    year, last_buy = first_year, first_year
    step = max(1, round(life))
    while year <= last_year:
        buy[years == year] += amount
        last_buy = year
        year += step
    age = last_year - last_buy + 1
    return buy, amount * max(0.0, 1.0 - age / life)


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
    stock, stock_residual = _renewals(
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
    for key, vkm in _class_path(inp, years).items():
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

    rates = _rates(p)
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
