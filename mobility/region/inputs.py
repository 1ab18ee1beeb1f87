"""The region model's inputs for one year: zones, roads and public transport together."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from mobility.region.roads import load_roads
from mobility.region.transit import TransitSystem, load_transit
from mobility.region.zones import Zones, load_zones


@dataclass
class RegionInputs:
    """Everything the region model reads for one year (never mutate the reference copy)."""

    zones: Zones
    roads: nx.MultiDiGraph
    transit: TransitSystem
    year: int


def load_region(year: int) -> RegionInputs:
    """Zones, roads and public transport of the bundled region for ``year``.

    Links and lines with an ``open_year`` after ``year`` are left out (e.g. Nordhavnsvej
    2017, Cityringen 2019, the Ring 3 light rail 2025) so the 2015 base is the 2015 network.
    Committed projects that are not yet open (Infrastrukturplan 2035) are scenario projects,
    not part of the bundled network.
    """
    zones = load_zones(year)
    return RegionInputs(
        zones=zones, roads=load_roads(year=year), transit=load_transit(year=year), year=year
    )
