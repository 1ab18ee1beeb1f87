"""Volume-delay functions: link travel time as a function of link flow.

Three functions, each with its cost, derivative and integral (the integral is the link term
of the Beckmann objective), as numba kernels over ``(M,)`` arrays. The function is chosen per
link (an ``(M,)`` array of kernel codes), so one network can mix them, e.g. a queueing
function on motorways and BPR on urban roads. Their parameters are the network's named
arrays (:class:`mobility.network.graph.LinkNetwork`):

- ``bpr``: ``t0 * (1 + alpha * (v/c)^beta)`` (Bureau of Public Roads). ``alpha = 0`` or
  ``beta = 0`` gives a constant ``t0 * (1 + alpha)`` (taking ``0^0 = 1``) with derivative 0,
  so connectors such as Barcelona's (``b = 0``, ``power = 0``, capacity 1) are handled
  exactly.
- ``conical``: Spiess (1990), ``t0 * (2 + sqrt(a^2 (1-x)^2 + b^2) - a (1-x) - b)`` with
  ``x = v/c``, ``b = (2a - 1) / (2a - 2)`` and steepness ``a > 1`` taken from the network's
  ``beta`` (Spiess's counterpart of the BPR exponent; ``alpha`` is not used).
- ``akcelik``: Akçelik (1991), the time-dependent queueing form
  ``t0 + 15 T ((x-1) + sqrt((x-1)^2 + 8 J x / (c T)))`` minutes, ``x = v/c``, with the delay
  parameter ``J = akcelik_j`` and the flow period ``T = period_h`` in hours; time in minutes
  and capacity in vehicles per hour (the region model's units; ``15 = 60 min/h x 0.25``). The
  delay of a link is that of a queue at its downstream end: it does not grow with the link's
  free-flow time, as BPR's does, but with the over-saturation ``x - 1`` and the period
  ``T`` (a deterministic queue at ``x > 1`` for ``T`` hours delays the mean vehicle by
  ``30 T (x - 1)`` minutes, the function's asymptote). ``J = 0`` is that deterministic queue
  alone (no delay below capacity).

The kernels read each link's parameters as one pair (:func:`parameter_pair`): BPR's
``(alpha, beta)``, the conical function's ``(alpha, beta)`` (the first unused) and Akçelik's
``(J, T)``. Network files hold the same pair in two columns, whichever function the links are
assigned with (TNTP ``b`` and ``power``, GMNS ``vdf_alpha`` and ``vdf_beta``);
:func:`named_parameters` reads such a pair into the named arrays.

Spiess, H. (1990). Conical volume-delay functions. Transportation Science 24(2), 153-158.
Akçelik, R. (1991). Travel time functions for transport planning purposes: Davidson's function,
its time-dependent form and an alternative travel time function. Australian Road Research
21(3), 49-59.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numba import njit

from mobility.errors import InputError

#: Kernel codes of the supported functions.
VDF_CODES = {"bpr": 0, "conical": 1, "akcelik": 2}
_NAMES = {code: name for name, code in VDF_CODES.items()}
#: Minutes per hour x Akçelik's 0.25: the delay term in minutes with ``T`` in hours.
_AK_SCALE = 15.0


class VdfParams(NamedTuple):
    """Every link's volume-delay inputs as the kernels take them, ``(M,)`` each.

    Attributes
    ----------
    code
        int64 kernel code of each link's function (:data:`VDF_CODES`).
    t0
        Free-flow travel times.
    first, second
        Each link's parameter pair (:func:`parameter_pair`).
    capacity
        Capacities.
    """

    code: np.ndarray
    t0: np.ndarray
    first: np.ndarray
    second: np.ndarray
    capacity: np.ndarray


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


#: The named parameters (:class:`~mobility.network.graph.LinkNetwork` arrays) of each function.
PARAMETERS = {"bpr": ("alpha", "beta"), "conical": ("beta",), "akcelik": ("akcelik_j", "period_h")}


def parameter_pair(
    codes: np.ndarray | int,
    alpha: np.ndarray,
    beta: np.ndarray,
    akcelik_j: np.ndarray,
    period_h: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each link's two parameters as the kernels read them: ``(first, second)``, ``(M,)`` each.

    BPR and conical links give ``(alpha, beta)``, Akçelik links ``(akcelik_j, period_h)``;
    the values are copied unchanged. Network files hold the same pair (TNTP ``b`` and
    ``power``, GMNS ``vdf_alpha`` and ``vdf_beta``).

    Parameters
    ----------
    codes
        Per-link kernel codes of :data:`VDF_CODES` (or one code for all links).
    alpha, beta, akcelik_j, period_h
        ``(M,)`` named parameters of :class:`~mobility.network.graph.LinkNetwork`.

    Returns
    -------
    (first, second)
        C-contiguous float64 arrays.
    """
    alpha = np.asarray(alpha, dtype=np.float64)
    ak = np.broadcast_to(np.asarray(codes, dtype=np.int64), alpha.shape) == VDF_CODES["akcelik"]
    first = np.where(ak, np.asarray(akcelik_j, dtype=np.float64), alpha)
    second = np.where(ak, np.asarray(period_h, dtype=np.float64), np.asarray(beta, np.float64))
    return (
        np.ascontiguousarray(first, dtype=np.float64),
        np.ascontiguousarray(second, dtype=np.float64),
    )


def named_parameters(first: np.ndarray, second: np.ndarray) -> dict[str, np.ndarray]:
    """The named parameters of links whose file gives one pair for whichever function they
    are assigned with (TNTP ``b`` and ``power``, GMNS ``vdf_alpha`` and ``vdf_beta``).

    BPR reads the pair as ``(alpha, beta)``, the conical function its second as the steepness
    ``beta``, Akçelik's as ``(akcelik_j, period_h)``: the inverse of :func:`parameter_pair`.

    Parameters
    ----------
    first, second
        ``(M,)`` the file's two columns.

    Returns
    -------
    dict
        ``alpha``, ``beta``, ``akcelik_j`` and ``period_h``, float64 copies, to pass to
        :class:`~mobility.network.graph.LinkNetwork`.
    """
    first = np.asarray(first, dtype=np.float64)
    second = np.asarray(second, dtype=np.float64)
    return {
        "alpha": first.copy(),
        "beta": second.copy(),
        "akcelik_j": first.copy(),
        "period_h": second.copy(),
    }


def check_params(
    codes: np.ndarray | int,
    alpha: np.ndarray,
    beta: np.ndarray,
    akcelik_j: np.ndarray,
    period_h: np.ndarray,
    capacity: np.ndarray | None = None,
) -> None:
    """Check each link's parameters against its function.

    BPR needs ``alpha, beta >= 0``; conical needs a steepness ``beta > 1``; Akçelik needs
    ``akcelik_j = J >= 0``, a flow period ``period_h = T > 0`` hours and, given ``capacity``,
    ``8 J / (c T) < 4``.

    Parameters
    ----------
    codes
        Per-link kernel codes of :data:`VDF_CODES` (or one code for all links).
    alpha, beta, akcelik_j, period_h
        ``(M,)`` named parameters of :class:`~mobility.network.graph.LinkNetwork`.
    capacity
        ``(M,)`` capacities, for Akçelik's bound on ``J``.

    Raises
    ------
    InputError
        Naming the first bad link, its parameters and the field at fault.
    """
    values = {
        "alpha": np.asarray(alpha, dtype=np.float64),
        "beta": np.asarray(beta, dtype=np.float64),
        "akcelik_j": np.asarray(akcelik_j, dtype=np.float64),
        "period_h": np.asarray(period_h, dtype=np.float64),
    }
    j, period = values["akcelik_j"], values["period_h"]
    codes = np.broadcast_to(np.asarray(codes, dtype=np.int64), j.shape)
    con = codes == VDF_CODES["conical"]
    ak = codes == VDF_CODES["akcelik"]
    bpr = ~(con | ak)
    checks = [
        (con & ~(values["beta"] > 1.0), "beta", "a steepness beta > 1 for the conical function"),
        (bpr & ~(values["alpha"] >= 0), "alpha", "alpha >= 0 for BPR"),
        (bpr & ~(values["beta"] >= 0), "beta", "beta >= 0 for BPR"),
        (ak & ~(j >= 0), "akcelik_j", "a delay parameter J >= 0 for Akcelik"),
        (ak & ~(period > 0), "period_h", "a flow period T > 0 hours for Akcelik"),
    ]
    if capacity is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            k = 8.0 * j / (np.asarray(capacity, dtype=np.float64) * period)
        checks.append((ak & ~(k < 4.0), "akcelik_j", "8 J / (capacity T) < 4 for Akcelik"))
    for bad, name, expected in checks:
        idx = np.flatnonzero(bad)
        if idx.size:
            k0 = int(idx[0])
            used = PARAMETERS[_NAMES[int(codes[k0])]]
            shown = ", ".join(f"{key}={values[key][k0]!r}" for key in used)
            raise InputError(f"link {k0 + 1} has {shown}", field=name, expected=expected)


@njit(cache=True, nogil=True, inline="always")
def _bpr(v, t0, alpha, beta, c):
    if alpha == 0.0 or beta == 0.0:
        return t0 * (1.0 + alpha)
    r = v / c
    if beta == 4.0:
        r2 = r * r
        return t0 * (1.0 + alpha * r2 * r2)
    return t0 * (1.0 + alpha * r**beta)


@njit(cache=True, nogil=True, inline="always")
def _bpr_der(v, t0, alpha, beta, c):
    if alpha == 0.0 or beta == 0.0:
        return 0.0
    r = v / c
    if beta == 4.0:
        return t0 * alpha * 4.0 * r * r * r / c
    if beta == 1.0:
        return t0 * alpha / c
    return t0 * alpha * beta * r ** (beta - 1.0) / c


@njit(cache=True, nogil=True, inline="always")
def _bpr_int(v, t0, alpha, beta, c):
    if alpha == 0.0 or beta == 0.0:
        return t0 * (1.0 + alpha) * v
    r = v / c
    return t0 * v + t0 * alpha * c * r ** (beta + 1.0) / (beta + 1.0)


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
def _ak(v, t0, j, period, c):
    x = v / c
    z = x - 1.0
    return t0 + _AK_SCALE * period * (z + math.sqrt(z * z + 8.0 * j * x / (c * period)))


@njit(cache=True, nogil=True, inline="always")
def _ak_der(v, t0, j, period, c):
    x = v / c
    z = x - 1.0
    k = 8.0 * j / (c * period)
    s = math.sqrt(z * z + k * x)
    if s == 0.0:  # J = 0 at capacity: the kink of the deterministic queue, mean slope
        return _AK_SCALE * period / c
    return _AK_SCALE * period / c * (1.0 + (z + 0.5 * k) / s)


@njit(cache=True, nogil=True, inline="always")
def _ak_g(u, n):
    # antiderivative of sqrt(u^2 + n) in u (n >= 0)
    if n == 0.0:
        return 0.5 * u * abs(u)
    return 0.5 * (u * math.sqrt(u * u + n) + n * math.asinh(u / math.sqrt(n)))


@njit(cache=True, nogil=True, inline="always")
def _ak_int(v, t0, j, period, c):
    # (x-1)^2 + k x = (x - m)^2 + n with m = 1 - k/2, n = k (1 - k/4)
    x = v / c
    k = 8.0 * j / (c * period)
    m = 1.0 - 0.5 * k
    n = k * (1.0 - 0.25 * k)
    queue = 0.5 * x * x - x + _ak_g(x - m, n) - _ak_g(-m, n)
    return t0 * v + _AK_SCALE * period * c * queue


@njit(cache=True, nogil=True, inline="always")
def _time1(code, v, t0, first, second, c):
    if code == 0:
        return _bpr(v, t0, first, second, c)
    if code == 1:
        return _con(v, t0, second, c)
    return _ak(v, t0, first, second, c)


@njit(cache=True, nogil=True, inline="always")
def _der1(code, v, t0, first, second, c):
    if code == 0:
        return _bpr_der(v, t0, first, second, c)
    if code == 1:
        return _con_der(v, t0, second, c)
    return _ak_der(v, t0, first, second, c)


@njit(cache=True, nogil=True, inline="always")
def _int1(code, v, t0, first, second, c):
    if code == 0:
        return _bpr_int(v, t0, first, second, c)
    if code == 1:
        return _con_int(v, t0, second, c)
    return _ak_int(v, t0, first, second, c)


@njit(cache=True, nogil=True)
def link_time(code, v, t0, first, second, c, out):
    """Travel time of every link at flows ``v`` into ``out``.

    ``code``: per-link codes; ``first, second``: per-link parameters (:func:`parameter_pair`);
    ``t0``, ``c``: free-flow times and capacities.
    """
    for k in range(v.shape[0]):
        out[k] = _time1(code[k], v[k], t0[k], first[k], second[k], c[k])
    return out


@njit(cache=True, nogil=True)
def link_time_derivative(code, v, t0, first, second, c, out):
    """d(time)/d(flow) of every link at flows ``v`` into ``out``."""
    for k in range(v.shape[0]):
        out[k] = _der1(code[k], v[k], t0[k], first[k], second[k], c[k])
    return out


@njit(cache=True, nogil=True)
def link_time_integral(code, v, t0, first, second, c, out):
    """Integral of the travel time from 0 to ``v`` of every link into ``out``."""
    for k in range(v.shape[0]):
        out[k] = _int1(code[k], v[k], t0[k], first[k], second[k], c[k])
    return out


@njit(cache=True, nogil=True, inline="always")
def time_and_derivative(params, a, v):
    """Travel time and its derivative of link ``a`` at flow ``v`` (0 if negative), for the
    :class:`VdfParams` ``params``."""
    if v < 0.0:
        v = 0.0
    code, t0, first, second, c = (
        params.code[a],
        params.t0[a],
        params.first[a],
        params.second[a],
        params.capacity[a],
    )
    return _time1(code, v, t0, first, second, c), _der1(code, v, t0, first, second, c)


@njit(cache=True, nogil=True)
def line_derivative(params, fixed, x, d, lam):
    """Beckmann objective's slope and curvature along ``x + lam * d``.

    ``params`` is a :class:`VdfParams`, ``fixed`` the links' flow-independent cost. Returns
    ``(sum_k (t_k(x_k + lam d_k) + fixed_k) d_k, sum_k t'_k(.) d_k^2)``.
    """
    code, t0, first, second, c = params
    g = 0.0
    h = 0.0
    for k in range(x.shape[0]):
        dk = d[k]
        if dk == 0.0:
            continue
        v = x[k] + lam * dk
        if v < 0.0:
            v = 0.0
        t = _time1(code[k], v, t0[k], first[k], second[k], c[k])
        dt = _der1(code[k], v, t0[k], first[k], second[k], c[k])
        g += (t + fixed[k]) * dk
        h += dt * dk * dk
    return g, h


def _call(
    kernel,
    spec: str | Sequence[str],
    v: np.ndarray,
    t0: np.ndarray,
    capacity: np.ndarray,
    named: dict[str, np.ndarray | None],
) -> np.ndarray:
    v = np.ascontiguousarray(v, dtype=np.float64)
    codes = vdf_codes(spec, v.shape[0])
    for name, needs in PARAMETERS.items():
        if (codes == VDF_CODES[name]).any():
            for key in needs:
                if named[key] is None:
                    raise InputError(f"the {name} function needs {key}", field=key)
    arrays = {
        key: np.zeros(v.shape) if a is None else np.broadcast_to(np.asarray(a, np.float64), v.shape)
        for key, a in named.items()
    }
    first, second = parameter_pair(codes, **arrays)
    t0 = np.ascontiguousarray(t0, dtype=np.float64)
    capacity = np.ascontiguousarray(capacity, dtype=np.float64)
    return kernel(codes, v, t0, first, second, capacity, np.empty_like(v))


def time(
    name: str | Sequence[str],
    v: np.ndarray,
    t0: np.ndarray,
    capacity: np.ndarray,
    *,
    alpha: np.ndarray | None = None,
    beta: np.ndarray | None = None,
    akcelik_j: np.ndarray | None = None,
    period_h: np.ndarray | None = None,
) -> np.ndarray:
    """Link travel times at flows ``v``.

    Parameters
    ----------
    name
        One function for all links or one per link.
    v, t0, capacity
        ``(M,)`` flows, free-flow times and capacities.
    alpha, beta, akcelik_j, period_h
        ``(M,)`` parameters (:data:`PARAMETERS`: those of the functions used are required).
    """
    named = {"alpha": alpha, "beta": beta, "akcelik_j": akcelik_j, "period_h": period_h}
    return _call(link_time, name, v, t0, capacity, named)


def derivative(
    name: str | Sequence[str],
    v: np.ndarray,
    t0: np.ndarray,
    capacity: np.ndarray,
    *,
    alpha: np.ndarray | None = None,
    beta: np.ndarray | None = None,
    akcelik_j: np.ndarray | None = None,
    period_h: np.ndarray | None = None,
) -> np.ndarray:
    """Derivative of link travel time with respect to flow at ``v`` (parameters as
    :func:`time`)."""
    named = {"alpha": alpha, "beta": beta, "akcelik_j": akcelik_j, "period_h": period_h}
    return _call(link_time_derivative, name, v, t0, capacity, named)


def integral(
    name: str | Sequence[str],
    v: np.ndarray,
    t0: np.ndarray,
    capacity: np.ndarray,
    *,
    alpha: np.ndarray | None = None,
    beta: np.ndarray | None = None,
    akcelik_j: np.ndarray | None = None,
    period_h: np.ndarray | None = None,
) -> np.ndarray:
    """Integral of link travel time from 0 to ``v`` (Beckmann objective terms; parameters as
    :func:`time`)."""
    named = {"alpha": alpha, "beta": beta, "akcelik_j": akcelik_j, "period_h": period_h}
    return _call(link_time_integral, name, v, t0, capacity, named)
