"""Volume-delay functions: link travel time as a function of link flow.

Three functions, each with its cost, derivative and integral (the integral is the link term
of the Beckmann objective), as numba kernels over ``(M,)`` arrays. The function is chosen per
link (an ``(M,)`` array of kernel codes), so one network can mix them, e.g. a queueing
function on motorways and BPR on urban roads. Each uses the link's ``b`` and ``power``:

- ``bpr``: ``t0 * (1 + b * (v/c)^p)`` (Bureau of Public Roads). ``b = 0`` or ``p = 0`` gives a
  constant ``t0 * (1 + b)`` (taking ``0^0 = 1``) with derivative 0, so connectors such as
  Barcelona's (``b = 0``, ``power = 0``, capacity 1) are handled exactly.
- ``conical``: Spiess (1990), ``t0 * (2 + sqrt(a^2 (1-x)^2 + beta^2) - a (1-x) - beta)`` with
  ``x = v/c``, ``beta = (2a - 1) / (2a - 2)`` and steepness ``a > 1`` taken from the network's
  ``power`` column (``b`` is not used).
- ``akcelik``: Akçelik (1991), the time-dependent queueing form
  ``t0 + 15 T ((x-1) + sqrt((x-1)^2 + 8 J x / (c T)))`` minutes, ``x = v/c``, with the delay
  parameter ``J = b`` and the flow period ``T = power`` in hours; time in minutes and
  capacity in vehicles per hour (the region model's units; ``15 = 60 min/h x 0.25``). The
  delay of a link is that of a queue at its downstream end: it does not grow with the link's
  free-flow time, as BPR's does, but with the over-saturation ``x - 1`` and the period
  ``T`` (a deterministic queue at ``x > 1`` for ``T`` hours delays the mean vehicle by
  ``30 T (x - 1)`` minutes, the function's asymptote). ``J = 0`` is that deterministic queue
  alone (no delay below capacity).

Spiess, H. (1990). Conical volume-delay functions. Transportation Science 24(2), 153-158.
Akçelik, R. (1991). Travel time functions for transport planning purposes: Davidson's function,
its time-dependent form and an alternative travel time function. Australian Road Research
21(3), 49-59.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numba import njit

from mobility.errors import InputError

#: Kernel codes of the supported functions.
VDF_CODES = {"bpr": 0, "conical": 1, "akcelik": 2}
#: Minutes per hour x Akçelik's 0.25: the delay term in minutes with ``T`` in hours.
_AK_SCALE = 15.0


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


def vdf_codes(spec: str | Sequence[str] | np.ndarray, n_links: int) -> np.ndarray:
    """Per-link kernel codes, ``(n_links,)`` int64, of one function name or one per link.

    Parameters
    ----------
    spec
        A function name for every link, or a sequence of ``n_links`` names.
    n_links
        Number of links.
    """
    if isinstance(spec, str):
        return np.full(n_links, vdf_code(spec), dtype=np.int64)
    names = list(spec)
    if len(names) != n_links:
        raise InputError(
            f"{len(names)} volume-delay function names for {n_links} links",
            field="vdf",
            expected="one name, or one per link",
        )
    table = {name: vdf_code(name) for name in set(names)}
    return np.array([table[name] for name in names], dtype=np.int64)


def check_params(
    codes: np.ndarray | int, b: np.ndarray, power: np.ndarray, capacity: np.ndarray | None = None
) -> None:
    """Check each link's parameters against its function (InputError naming the first bad link).

    BPR needs ``b, p >= 0``; conical needs ``a = power > 1``; Akçelik needs ``J = b >= 0``, a
    period ``T = power > 0`` hours and, given ``capacity``, ``8 J / (c T) < 4``.
    """
    b = np.asarray(b, dtype=np.float64)
    power = np.asarray(power, dtype=np.float64)
    codes = np.broadcast_to(np.asarray(codes, dtype=np.int64), b.shape)
    con = codes == VDF_CODES["conical"]
    ak = codes == VDF_CODES["akcelik"]
    bpr = ~(con | ak)
    checks = [
        (con & ~(power > 1.0), "power", "a number > 1 for the conical function"),
        (bpr & ~((b >= 0) & (power >= 0)), "b", "b >= 0 and power >= 0 for BPR"),
        (ak & ~(b >= 0), "b", "a delay parameter J = b >= 0 for Akcelik"),
        (ak & ~(power > 0), "power", "a flow period T = power > 0 hours for Akcelik"),
    ]
    if capacity is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            k = 8.0 * b / (np.asarray(capacity, dtype=np.float64) * power)
        checks.append((ak & ~(k < 4.0), "b", "8 J / (capacity T) < 4 for Akcelik"))
    for bad, name, expected in checks:
        idx = np.flatnonzero(bad)
        if idx.size:
            k0 = int(idx[0])
            raise InputError(
                f"link {k0 + 1} has b={b[k0]!r}, power={power[k0]!r}",
                field=name,
                expected=expected,
            )


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


@njit(cache=True, nogil=True, inline="always")
def _ak(v, t0, j, t, c):
    x = v / c
    z = x - 1.0
    return t0 + _AK_SCALE * t * (z + math.sqrt(z * z + 8.0 * j * x / (c * t)))


@njit(cache=True, nogil=True, inline="always")
def _ak_der(v, t0, j, t, c):
    x = v / c
    z = x - 1.0
    k = 8.0 * j / (c * t)
    s = math.sqrt(z * z + k * x)
    if s == 0.0:  # J = 0 at capacity: the kink of the deterministic queue, mean slope
        return _AK_SCALE * t / c
    return _AK_SCALE * t / c * (1.0 + (z + 0.5 * k) / s)


@njit(cache=True, nogil=True, inline="always")
def _ak_g(u, n):
    # antiderivative of sqrt(u^2 + n) in u (n >= 0)
    if n == 0.0:
        return 0.5 * u * abs(u)
    return 0.5 * (u * math.sqrt(u * u + n) + n * math.asinh(u / math.sqrt(n)))


@njit(cache=True, nogil=True, inline="always")
def _ak_int(v, t0, j, t, c):
    # (x-1)^2 + k x = (x - m)^2 + n with m = 1 - k/2, n = k (1 - k/4)
    x = v / c
    k = 8.0 * j / (c * t)
    m = 1.0 - 0.5 * k
    n = k * (1.0 - 0.25 * k)
    queue = 0.5 * x * x - x + _ak_g(x - m, n) - _ak_g(-m, n)
    return t0 * v + _AK_SCALE * t * c * queue


@njit(cache=True, nogil=True, inline="always")
def _time1(code, v, t0, b, p, c):
    if code == 0:
        return _bpr(v, t0, b, p, c)
    if code == 1:
        return _con(v, t0, p, c)
    return _ak(v, t0, b, p, c)


@njit(cache=True, nogil=True, inline="always")
def _der1(code, v, t0, b, p, c):
    if code == 0:
        return _bpr_der(v, t0, b, p, c)
    if code == 1:
        return _con_der(v, t0, p, c)
    return _ak_der(v, t0, b, p, c)


@njit(cache=True, nogil=True, inline="always")
def _int1(code, v, t0, b, p, c):
    if code == 0:
        return _bpr_int(v, t0, b, p, c)
    if code == 1:
        return _con_int(v, t0, p, c)
    return _ak_int(v, t0, b, p, c)


@njit(cache=True, nogil=True)
def link_time(code, v, t0, b, p, c, out):
    """Travel time of every link at flows ``v`` into ``out`` (``code``: per-link codes)."""
    for k in range(v.shape[0]):
        out[k] = _time1(code[k], v[k], t0[k], b[k], p[k], c[k])
    return out


@njit(cache=True, nogil=True)
def link_time_derivative(code, v, t0, b, p, c, out):
    """d(time)/d(flow) of every link at flows ``v`` into ``out``."""
    for k in range(v.shape[0]):
        out[k] = _der1(code[k], v[k], t0[k], b[k], p[k], c[k])
    return out


@njit(cache=True, nogil=True)
def link_time_integral(code, v, t0, b, p, c, out):
    """Integral of the travel time from 0 to ``v`` of every link into ``out``."""
    for k in range(v.shape[0]):
        out[k] = _int1(code[k], v[k], t0[k], b[k], p[k], c[k])
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
        t = _time1(code[k], v, t0[k], b[k], p[k], c[k])
        dt = _der1(code[k], v, t0[k], b[k], p[k], c[k])
        g += (t + fixed[k]) * dk
        h += dt * dk * dk
    return g, h


def _call(kernel, spec, v, t0, b, p, c):
    args = [np.ascontiguousarray(a, dtype=np.float64) for a in (v, t0, b, p, c)]
    codes = vdf_codes(spec, args[0].shape[0])
    return kernel(codes, *args, np.empty_like(args[0]))


def time(
    name: str | Sequence[str],
    v: np.ndarray,
    t0: np.ndarray,
    b: np.ndarray,
    p: np.ndarray,
    c: np.ndarray,
) -> np.ndarray:
    """Link travel times at flows ``v``; ``name`` is one function for all links or one each."""
    return _call(link_time, name, v, t0, b, p, c)


def derivative(
    name: str | Sequence[str],
    v: np.ndarray,
    t0: np.ndarray,
    b: np.ndarray,
    p: np.ndarray,
    c: np.ndarray,
) -> np.ndarray:
    """Derivative of link travel time with respect to flow at ``v``."""
    return _call(link_time_derivative, name, v, t0, b, p, c)


def integral(
    name: str | Sequence[str],
    v: np.ndarray,
    t0: np.ndarray,
    b: np.ndarray,
    p: np.ndarray,
    c: np.ndarray,
) -> np.ndarray:
    """Integral of link travel time from 0 to ``v`` (Beckmann objective terms)."""
    return _call(link_time_integral, name, v, t0, b, p, c)
