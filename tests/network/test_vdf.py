"""Tests of the volume-delay functions (mobility.network.vdf)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mobility.errors import InputError
from mobility.network import vdf

V = np.array([0.0, 10.0, 50.0, 120.0, 300.0])
T0 = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
C = np.array([100.0, 100.0, 1.0, 100.0, 80.0])


@pytest.mark.parametrize(
    ("name", "params"),
    [
        (
            "bpr",
            {
                "alpha": np.array([0.15, 0.15, 0.0, 0.5, 0.15]),
                "beta": np.array([4.0, 4.0, 0.0, 2.5, 1.0]),
            },
        ),
        ("conical", {"beta": np.array([4.0, 4.0, 2.0, 3.0, 6.0])}),
        # Akcelik: link 3 (c = 1, J = 0) is the bare deterministic queue
        (
            "akcelik",
            {
                "akcelik_j": np.array([0.1, 0.2, 0.0, 0.4, 0.1]),
                "period_h": np.array([1.0, 0.5, 2.0, 1.0, 0.25]),
            },
        ),
    ],
)
def test_derivative_and_integral_are_consistent(name: str, params: dict) -> None:
    h = 1e-4
    t = vdf.time(name, V, T0, C, **params)
    dt = vdf.derivative(name, V, T0, C, **params)
    integral = vdf.integral(name, V, T0, C, **params)
    up = vdf.time(name, V + h, T0, C, **params)
    down = vdf.time(name, np.maximum(V - h, 0), T0, C, **params)
    width = V + h - np.maximum(V - h, 0)
    assert np.allclose(dt, (up - down) / width, rtol=1e-5, atol=1e-8)
    i_up = vdf.integral(name, V + h, T0, C, **params)
    i_down = vdf.integral(name, np.maximum(V - h, 0), T0, C, **params)
    assert np.allclose(t, (i_up - i_down) / width, rtol=1e-6)
    assert integral[0] == 0.0
    assert np.allclose(t[0], T0[0])  # free-flow time at zero flow


def test_bpr_values_and_barcelona_connectors() -> None:
    t = vdf.time(
        "bpr",
        np.array([200.0, 0.0, 5.0]),
        np.array([10.0, 2.0, 2.0]),
        np.array([100.0, 1.0, 1.0]),
        alpha=np.array([0.15, 0.0, 0.0]),
        beta=np.array([4.0, 0.0, 0.0]),
    )
    assert t[0] == pytest.approx(10 * (1 + 0.15 * 16))
    assert list(t[1:]) == [2.0, 2.0]  # alpha = 0, beta = 0: constant, no 0^0 trouble
    dt = vdf.derivative(
        "bpr", np.array([0.0]), np.array([2.0]), np.ones(1), alpha=np.zeros(1), beta=np.zeros(1)
    )
    assert dt[0] == 0.0


def test_conical_is_t0_at_zero_and_twice_t0_at_capacity() -> None:
    a = np.array([4.0, 8.0])
    t0 = np.array([3.0, 3.0])
    c = np.array([50.0, 50.0])
    assert np.allclose(vdf.time("conical", np.zeros(2), t0, c, beta=a), t0)
    assert np.allclose(vdf.time("conical", c, t0, c, beta=a), 2 * t0)


def test_akcelik_values() -> None:
    """Hand values of Akcelik (1991): t0 + 15 T ((x-1) + sqrt((x-1)^2 + 8 J x / (c T))) min."""
    t0 = np.full(4, 0.6)
    c = np.full(4, 1800.0)
    j = np.array([0.1, 0.1, 0.0, 0.0])
    period = np.array([1.0, 1.0, 1.0, 2.0])
    v = np.array([0.0, 1800.0, 3600.0, 900.0])
    t = vdf.time("akcelik", v, t0, c, akcelik_j=j, period_h=period)
    assert t[0] == pytest.approx(0.6)  # free flow at zero flow
    # at capacity the delay is 15 T sqrt(8 J / (c T)) minutes
    assert t[1] == pytest.approx(0.6 + 15.0 * math.sqrt(0.8 / 1800.0))
    # J = 0 is the deterministic queue: mean delay of a period at x = 2 is T (x - 1) / 2 h
    assert t[2] == pytest.approx(0.6 + 30.0)
    assert t[3] == pytest.approx(0.6)  # and nothing below capacity
    # the delay does not scale with the link's free-flow time (BPR's does)
    longer = vdf.time("akcelik", v, 10 * t0, c, akcelik_j=j, period_h=period)
    np.testing.assert_allclose(longer - 10 * t0, t - t0)


def test_functions_mix_per_link() -> None:
    names = ["bpr", "akcelik", "conical"]
    params = {
        "alpha": np.array([0.15, 0.0, 0.0]),
        "beta": np.array([4.0, 0.0, 4.0]),
        "akcelik_j": np.array([0.0, 0.1, 0.0]),
        "period_h": np.array([0.0, 1.0, 0.0]),
    }
    v = np.full(3, 150.0)
    t0 = np.ones(3)
    c = np.full(3, 100.0)
    mixed = vdf.time(names, v, t0, c, **params)
    for k, name in enumerate(names):
        one = slice(k, k + 1)
        mine = {key: value[one] for key, value in params.items()}
        assert mixed[k] == vdf.time(name, v[one], t0[one], c[one], **mine)[0]
    with pytest.raises(InputError, match="one per link"):
        vdf.time(names[:2], v, t0, c, **params)


def test_each_function_reads_its_named_parameters() -> None:
    """A function's missing parameter is an error naming it; the others are not needed."""
    v, t0, c = np.ones(1), np.ones(1), np.ones(1)
    with pytest.raises(InputError, match="period_h") as err:
        vdf.time("akcelik", v, t0, c, akcelik_j=np.zeros(1), alpha=np.ones(1))
    assert err.value.field == "period_h"
    with pytest.raises(InputError, match="alpha"):
        vdf.time("bpr", v, t0, c, beta=np.ones(1))
    assert vdf.time("conical", v, t0, c, beta=np.full(1, 4.0))[0] == pytest.approx(2.0)


def test_parameter_pair_and_named_parameters_are_inverse() -> None:
    """Files' (b, power) pair: BPR's (alpha, beta), Akcelik's (J, T), the conical beta."""
    first, second = np.array([0.15, 0.2, 0.0]), np.array([4.0, 1.0, 6.0])
    named = vdf.named_parameters(first, second)
    assert sorted(named) == ["akcelik_j", "alpha", "beta", "period_h"]
    codes = np.array([vdf.VDF_CODES[n] for n in ("bpr", "akcelik", "conical")])
    pair = vdf.parameter_pair(codes, **named)
    assert all(np.array_equal(a, b) for a, b in zip(pair, (first, second), strict=True))
    named["period_h"] = np.array([9.0, 2.0, 9.0])  # only the Akcelik link reads T
    assert vdf.parameter_pair(codes, **named)[1].tolist() == [4.0, 2.0, 6.0]


def test_bad_parameters() -> None:
    ones, zeros = np.ones(1), np.zeros(1)
    with pytest.raises(InputError, match="unknown"):
        vdf.vdf_code("davidson")
    with pytest.raises(InputError, match="conical") as err:
        vdf.check_params(vdf.VDF_CODES["conical"], ones, ones, ones, ones)
    assert err.value.field == "beta"
    with pytest.raises(InputError, match="alpha >= 0") as err:
        vdf.check_params(vdf.VDF_CODES["bpr"], -ones, ones, ones, ones)
    assert err.value.field == "alpha"
    akcelik = vdf.VDF_CODES["akcelik"]
    with pytest.raises(InputError, match="flow period") as err:
        vdf.check_params(akcelik, ones, ones, np.array([0.1]), zeros)
    assert err.value.field == "period_h"
    with pytest.raises(InputError, match="J >= 0") as err:
        vdf.check_params(akcelik, ones, ones, np.array([-0.1]), ones)
    assert err.value.field == "akcelik_j"
    with pytest.raises(InputError, match="< 4"):
        vdf.check_params(akcelik, zeros, zeros, ones, ones, ones)


def test_network_validates_its_functions() -> None:
    """``LinkNetwork.vdf`` must hold one known code per link; the error names the link."""
    import dataclasses
    from pathlib import Path

    from mobility.network import tntp

    data = Path(__file__).resolve().parents[1] / "data" / "tntp"
    net = tntp.read_net(data / "Braess_net.tntp")
    codes = np.full(net.n_links, vdf.VDF_CODES["bpr"])
    assert dataclasses.replace(net, vdf=codes).validate() is not None
    codes[3] = 7
    with pytest.raises(InputError, match="link 4 has no known volume-delay function"):
        dataclasses.replace(net, vdf=codes).validate()
    with pytest.raises(InputError, match="vdf"):
        dataclasses.replace(net, vdf=codes[:2]).validate()
