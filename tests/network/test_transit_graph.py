"""Transit graph: hand-computed level of service on a two-line toy system."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from mobility.demand.parameters import load_demand_parameters
from mobility.errors import InputError
from mobility.network.geometry import haversine_km
from mobility.network.transit_graph import (
    build_transit_network,
    line_boardings,
    pt_skim,
)
from mobility.region.transit import Stop, TransitLine, TransitSystem

# the package's own transit records (lines get a test source string)
Line = functools.partial(TransitLine, source="test")
System = TransitSystem


def _system(extra_stop: str | None = None) -> System:
    stops = [
        Stop("A", "A", 12.50, 55.70),
        Stop("B", "B", 12.55, 55.70),
        Stop("C", "C", 12.60, 55.70),
        Stop("D", "D", 12.60, 55.75),
    ]
    lines = [
        Line("L1", "metro", "metro", 4.0, 40.0, ("A", "B", "C")),
        Line("L2", "bus", "bus", 30.0, 20.0, ("C", extra_stop or "D")),
    ]
    return System({s.stop_id: s for s in stops}, {ln.line_id: ln for ln in lines})


ZONES = {
    "zone_ids": np.array([1, 2, 3]),
    "zone_lon": np.array([12.50, 12.60, 12.60]),
    "zone_lat": np.array([55.70, 55.70, 55.75]),
}


@pytest.fixture(scope="module")
def params():
    return load_demand_parameters()


def test_level_of_service_hand_computed(params):
    tn = build_transit_network(_system(), **ZONES, params=params.transit_graph_params())
    sk = pt_skim(tn)
    km = haversine_km(12.50, 55.70, 12.60, 55.70) * params.detour_factor
    ivt = km / 40.0 * 60.0
    assert sk["in_vehicle_min"][0, 1] == pytest.approx(ivt)
    assert sk["wait_min"][0, 1] == pytest.approx(2.0)  # half of the 4-min headway
    assert sk["cost"][0, 1] == pytest.approx(
        ivt + params.pt_wait_weight * 2.0 + params.pt_transfer_penalty
    )
    # zone 1 -> zone 3 needs both lines; the 30-min headway wait is capped
    assert sk["boardings"][0, 2] == pytest.approx(2.0)
    assert sk["wait_min"][0, 2] == pytest.approx(2.0 + min(15.0, params.pt_wait_cap))
    assert sk["board:L1"][0, 2] == 1.0 and sk["board:L2"][0, 2] == 1.0
    assert sk["board:L2"][0, 1] == 0.0
    loads = line_boardings(sk, np.ones((3, 3)), tn.line_ids)
    assert loads == {"L1": pytest.approx(4.0), "L2": pytest.approx(4.0)}


def test_every_zone_connected(params):
    sk = pt_skim(build_transit_network(_system(), **ZONES, params=params.transit_graph_params()))
    assert np.all(np.isfinite(sk["cost"]))


def test_unknown_stop_is_an_input_error(params):
    with pytest.raises(InputError, match="unknown stop"):
        build_transit_network(
            _system(extra_stop="X"), **ZONES, params=params.transit_graph_params()
        )


def test_access_stays_on_the_zones_land(params):
    """Zone 3 lies across the water (its own land): it reaches stop D only, and zones 1 and
    2 never walk to D; trips between the lands ride line L2 (the 'ferry')."""
    tn = build_transit_network(
        _system(),
        **ZONES,
        params=params.transit_graph_params(),
        zone_land=["zealand", "zealand", "scania"],
    )
    access = tn.net.link_type == 0
    stops = tn.net.meta["stops"]
    ends = zip(tn.net.init[access], tn.net.term[access], strict=True)
    reached = {(int(u), stops[int(v) - 3]) for u, v in ends}
    assert {s for z, s in reached if z == 2} == {"D"}
    assert all(s != "D" for z, s in reached if z != 2)
    sk = pt_skim(tn)
    assert np.all(np.isfinite(sk["cost"]))
    assert sk["board:L2"][0, 2] == 1.0
    with pytest.raises(InputError, match="zone_land"):
        build_transit_network(
            _system(), **ZONES, params=params.transit_graph_params(), zone_land=["zealand"]
        )
