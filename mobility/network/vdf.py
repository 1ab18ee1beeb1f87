"""Volume-delay functions: link travel time as a function of link flow.

Two functions, each with its cost, derivative and integral (the integral is the link term of
the Beckmann objective), as numba kernels over ``(M,)`` arrays:

- ``bpr``: ``t0 * (1 + b * (v/c)^p)`` (Bureau of Public Roads). ``b = 0`` or ``p = 0`` gives a
  constant ``t0 * (1 + b)`` (taking ``0^0 = 1``) with derivative 0, so connectors such as
  Barcelona's (``b = 0``, ``power = 0``, capacity 1) are handled exactly.
- ``conical``: Spiess (1990), ``t0 * (2 + sqrt(a^2 (1-x)^2 + beta^2) - a (1-x) - beta)`` with
  ``x = v/c``, ``beta = (2a - 1) / (2a - 2)`` and steepness ``a > 1`` taken from the network's
  ``power`` column (``b`` is not used).

Spiess, H. (1990). Conical volume-delay functions. Transportation Science 24(2), 153-158.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mobility.errors import InputError

#: Kernel codes of the supported functions.
VDF_CODES = {"bpr": 0, "conical": 1}


def vdf_code(name: str) -> int:
    """The kernel code of a volume-delay function name (InputError if unknown)."""
    key = str(name).lower()
    if key not in VDF_CODES:
        raise InputError(
            f"unknown volume-delay function {name!r}",
            field="vdf",
            expected=" or ".join(sorted(VDF_CODES)),
        )
    return VDF_CODES[key]


def check_params(code: int, b: np.ndarray, power: np.ndarray) -> None:
    """Check VDF parameters: BPR needs ``b, p >= 0``; conical needs ``a = power > 1``."""
    if code == VDF_CODES["conical"]:
        bad = np.flatnonzero(~(power > 1.0))
        if bad.size:
            raise InputError(
                f"link {bad[0] + 1} has conical steepness {power[bad[0]]!r}",
                field="power",
                expected="a number > 1 for the conical function",
            )
    else:
        bad = np.flatnonzero(~((b >= 0) & (power >= 0)))
        if bad.size:
            raise InputError(f"link {bad[0] + 1} has negative b or power", field="b")


@njit(cache=True, nogil=True, inline="always")
def _bpr(v, t0, b, p, c):
    if b == 0.0 or p == 0.0:
        return t0 * (1.0 + b)
    r = v / c
    if p == 4.0:
        r2 = r * r
        return t0 * (1.0 + b * r2 * r2)
    return t0 * (1.0 + b * r**p)


@njit(cache=True, nogil=True, inline="always")
def _bpr_der(v, t0, b, p, c):
    if b == 0.0 or p == 0.0:
        return 0.0
    r = v / c
    if p == 4.0:
        return t0 * b * 4.0 * r * r * r / c
    if p == 1.0:
        return t0 * b / c
    return t0 * b * p * r ** (p - 1.0) / c


@njit(cache=True, nogil=True, inline="always")
def _bpr_int(v, t0, b, p, c):
    if b == 0.0 or p == 0.0:
        return t0 * (1.0 + b) * v
    r = v / c
    return t0 * v + t0 * b * c * r ** (p + 1.0) / (p + 1.0)


@njit(cache=True, nogil=True, inline="always")
def _con_beta(a):
    return (2.0 * a - 1.0) / (2.0 * a - 2.0)


@njit(cache=True, nogil=True, inline="always")
def _con(v, t0, a, c):
    beta = _con_beta(a)
    u = 1.0 - v / c
    return t0 * (2.0 + math.sqrt(a * a * u * u + beta * beta) - a * u - beta)


@njit(cache=True, nogil=True, inline="always")
def _con_der(v, t0, a, c):
    beta = _con_beta(a)
    u = 1.0 - v / c
    return t0 / c * (a - a * a * u / math.sqrt(a * a * u * u + beta * beta))


@njit(cache=True, nogil=True, inline="always")
def _con_g(u, a, beta):
    # antiderivative of sqrt(a^2 u^2 + beta^2) in u
    s = math.sqrt(a * a * u * u + beta * beta)
    return 0.5 * u * s + beta * beta / (2.0 * a) * math.asinh(a * u / beta)


@njit(cache=True, nogil=True, inline="always")
def _con_int(v, t0, a, c):
    beta = _con_beta(a)
    x = v / c
    return (
        t0
        * c
        * (
            (2.0 - beta) * x
            - a * (x - 0.5 * x * x)
            + _con_g(1.0, a, beta)
            - _con_g(1.0 - x, a, beta)
        )
    )


@njit(cache=True, nogil=True)
def link_time(code, v, t0, b, p, c, out):
    """Travel time of every link at flows ``v`` into ``out``."""
    for k in range(v.shape[0]):
        if code == 0:
            out[k] = _bpr(v[k], t0[k], b[k], p[k], c[k])
        else:
            out[k] = _con(v[k], t0[k], p[k], c[k])
    return out


@njit(cache=True, nogil=True)
def link_time_derivative(code, v, t0, b, p, c, out):
    """d(time)/d(flow) of every link at flows ``v`` into ``out``."""
    for k in range(v.shape[0]):
        if code == 0:
            out[k] = _bpr_der(v[k], t0[k], b[k], p[k], c[k])
        else:
            out[k] = _con_der(v[k], t0[k], p[k], c[k])
    return out


@njit(cache=True, nogil=True)
def link_time_integral(code, v, t0, b, p, c, out):
    """Integral of the travel time from 0 to ``v`` of every link into ``out``."""
    for k in range(v.shape[0]):
        if code == 0:
            out[k] = _bpr_int(v[k], t0[k], b[k], p[k], c[k])
        else:
            out[k] = _con_int(v[k], t0[k], p[k], c[k])
    return out


@njit(cache=True, nogil=True)
def line_derivative(code, x, d, lam, t0, b, p, c, fixed):
    """Beckmann objective's slope and curvature along ``x + lam * d``.

    Returns ``(sum_k (t_k(x_k + lam d_k) + fixed_k) d_k, sum_k t'_k(.) d_k^2)``.
    """
    g = 0.0
    h = 0.0
    for k in range(x.shape[0]):
        dk = d[k]
        if dk == 0.0:
            continue
        v = x[k] + lam * dk
        if v < 0.0:
            v = 0.0
        if code == 0:
            t = _bpr(v, t0[k], b[k], p[k], c[k])
            dt = _bpr_der(v, t0[k], b[k], p[k], c[k])
        else:
            t = _con(v, t0[k], p[k], c[k])
            dt = _con_der(v, t0[k], p[k], c[k])
        g += (t + fixed[k]) * dk
        h += dt * dk * dk
    return g, h


def time(
    name: str, v: np.ndarray, t0: np.ndarray, b: np.ndarray, p: np.ndarray, c: np.ndarray
) -> np.ndarray:
    """Link travel times at flows ``v`` for the function ``name`` (``bpr`` or ``conical``)."""
    code = vdf_code(name)
    args = [np.ascontiguousarray(a, dtype=np.float64) for a in (v, t0, b, p, c)]
    return link_time(code, *args, np.empty_like(args[0]))


def derivative(
    name: str, v: np.ndarray, t0: np.ndarray, b: np.ndarray, p: np.ndarray, c: np.ndarray
) -> np.ndarray:
    """Derivative of link travel time with respect to flow at ``v``."""
    code = vdf_code(name)
    args = [np.ascontiguousarray(a, dtype=np.float64) for a in (v, t0, b, p, c)]
    return link_time_derivative(code, *args, np.empty_like(args[0]))


def integral(
    name: str, v: np.ndarray, t0: np.ndarray, b: np.ndarray, p: np.ndarray, c: np.ndarray
) -> np.ndarray:
    """Integral of link travel time from 0 to ``v`` (Beckmann objective terms)."""
    code = vdf_code(name)
    args = [np.ascontiguousarray(a, dtype=np.float64) for a in (v, t0, b, p, c)]
    return link_time_integral(code, *args, np.empty_like(args[0]))
