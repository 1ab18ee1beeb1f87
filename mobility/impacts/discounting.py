"""Discounting in the Danish method: the declining discount rate, NPV and IRR.

Everything is discounted with the Ministry of Finance's declining rate, compounded stepwise:
3.5 % a year for years 1–35, 2.5 % for 36–70, 1.5 % after (:func:`discount_factors`; the
rates and the breaks are unit-price rows, :func:`discount_rates`). :func:`npv` is the net
present value of a yearly stream, :func:`irr` its internal rate of return.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from mobility.impacts.unit_prices import UnitPrices

__all__ = ["discount_factors", "discount_rates", "irr", "npv"]


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


def discount_rates(prices: UnitPrices) -> dict[str, tuple]:
    """The discount rates and their breaks in the unit prices, as keyword arguments of
    :func:`discount_factors`."""
    return {
        "rates_pct": (
            prices["discount_rate_1"],
            prices["discount_rate_2"],
            prices["discount_rate_3"],
        ),
        "breaks": (int(prices["discount_break_1"]), int(prices["discount_break_2"])),
    }
