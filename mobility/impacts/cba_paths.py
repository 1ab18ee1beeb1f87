"""The CBA's yearly paths: how each input runs over the years of the appraisal.

Benefits ramp up over the first years after opening (:func:`ramp`); the physical effects
follow the model years (linear between them, held at the last one's level after it:
:func:`effect_path`); person-hours are valued at their purpose's value of time
(:func:`time_value`); rolling stock is renewed over its life (:func:`renewals`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mobility.impacts.cba_inputs import CbaInputs
from mobility.impacts.unit_prices import UnitPrices, person_value_of_time, purpose_value_of_time

__all__ = ["class_path", "effect_path", "ramp", "renewals", "time_value"]


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


def class_path(inp: CbaInputs, years: np.ndarray) -> dict[str, np.ndarray]:
    """``vehicle@road_type`` -> vehicle-km change per year, interpolated like the effects."""
    base = dict(inp.vkm_by_class) or {"car@urban": inp.car_vkm}
    return _mapping_path(inp, "vkm_by_class", base, years)


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


def renewals(
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
