"""DemandParameters -> the transit graph's own parameters: every field from its own source."""

from __future__ import annotations

import dataclasses

from mobility.demand.parameters import load_demand_parameters
from mobility.network.transit_graph import TransitGraphParams

#: TransitGraphParams field -> the DemandParameters field it is read from.
SOURCES = {
    "walk_speed_kmh": "pt_walk_speed",
    "feeder_speed_kmh": "pt_feeder_speed",
    "walk_weight": "pt_walk_weight",
    "wait_weight": "pt_wait_weight",
    "wait_cap_min": "pt_wait_cap",
    "transfer_penalty_min": "pt_transfer_penalty",
    "access_stops": "pt_access_stops",
    "access_max_km": "pt_access_max_km",
    "transfer_walk_km": "pt_transfer_walk_km",
    "detour_factor": "detour_factor",
}


def test_every_transit_graph_field_comes_from_its_demand_parameter():
    # distinct values, so that two swapped fields cannot pass (the bundled walk and wait
    # weights are both 1.5)
    distinct = {src: 100.0 + k for k, src in enumerate(SOURCES.values())}
    p = load_demand_parameters().replace(**distinct)
    tg = p.transit_graph_params()
    assert isinstance(tg, TransitGraphParams)
    assert {f.name for f in dataclasses.fields(tg)} == set(SOURCES)
    for name, src in SOURCES.items():
        assert getattr(tg, name) == distinct[src], name
