"""The CBA's unit prices: ``mobility/data/unit_prices.csv``, read and validated.

All in real DKK of the unit-price year, one row per unit price with its source, price year
and reliability tag (Transportministeriet's manual, TERESA/TØE); a price that depends on the
road class has one row per TØE road type (motorvej, landevej, byvej: :data:`ROAD_TYPES`).
:func:`load_unit_prices` refuses a malformed file with one line naming the file and row.
Unit values grow with real GDP per capita (elasticity 1), the CO2 price on its own path
(:meth:`UnitPrices.at`).

Read from the prices: the value of time of a trip purpose and of the purpose mix
(:func:`purpose_value_of_time`, :func:`person_value_of_time`), the korrektionsreserve of a
planning stage under Ny Anlægsbudgettering (:func:`reserve_pct`) and each project kind's
asset-life row (:data:`ASSET_CLASS`).
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mobility.errors import InputError
from mobility.resources import data_dir

__all__ = [
    "ASSET_CLASS",
    "ROAD_TYPES",
    "STAGES",
    "VEHICLES",
    "UnitPrices",
    "load_unit_prices",
    "person_value_of_time",
    "purpose_value_of_time",
    "reserve_pct",
]


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


def purpose_value_of_time(prices: UnitPrices, purpose: str, years: np.ndarray) -> np.ndarray:
    """DKK per person-hour of ``purpose`` (commute, business, other) in each of ``years``:
    ``vot_<purpose>``, commute and other falling back on ``vot_nonbusiness``."""
    item = f"vot_{purpose}"
    if item not in prices.values and purpose != "business":
        item = "vot_nonbusiness"
    return prices.at(item, years)


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
