"""The hovedstad region: its zones, roads and public transport, and the edits projects make.

This floor sits between the generic :mod:`mobility.network` (which knows nothing of
Copenhagen) and the floors that use the region: :mod:`mobility.demand`,
:mod:`mobility.impacts`, :mod:`mobility.projects` and :mod:`mobility.scenario`. It imports
only :mod:`mobility.network` and the ground floor (errors, resources, fileio, config);
``tests/test_architecture.py`` checks that, and ``docs/architecture.md`` draws the floors.

Modules
-------
:mod:`~mobility.region.vocabulary`
    The names the region's tables and files share (road classes, region parts, public
    transport modes, lands), each defined once. :func:`haversine_km` is the one great-circle
    distance, defined a floor down in :mod:`mobility.network.geometry` (the transit graph
    needs it) and named here.
:mod:`~mobility.region.zones`
    The zone table (residents and jobs per zone and year).
:mod:`~mobility.region.roads`
    The road network, the volume-delay function of each road class and the car/bike/walk
    link networks.
:mod:`~mobility.region.transit`
    Stops and lines of public transport.
:mod:`~mobility.region.inputs`
    :class:`RegionInputs` and :func:`load_region`: the three together for one year.
:mod:`~mobility.region.edits`
    Network edits: the changes a project or a committed scheme makes (:class:`NetworkChange`,
    :func:`parse_network_change`, :func:`apply_changes`).
"""

from mobility.network.geometry import haversine_km
from mobility.region.edits import NetworkChange, apply_changes, parse_network_change
from mobility.region.inputs import RegionFiles, RegionInputs, load_region
from mobility.region.roads import count_section_links, load_roads, road_link_network
from mobility.region.transit import Stop, TransitLine, TransitSystem, load_transit
from mobility.region.vocabulary import PT_MODES, REGION_PARTS, ROAD_CLASSES
from mobility.region.zones import Zones, load_zones

__all__ = [
    "PT_MODES",
    "REGION_PARTS",
    "ROAD_CLASSES",
    "NetworkChange",
    "RegionFiles",
    "RegionInputs",
    "Stop",
    "TransitLine",
    "TransitSystem",
    "Zones",
    "apply_changes",
    "count_section_links",
    "haversine_km",
    "load_region",
    "load_roads",
    "load_transit",
    "load_zones",
    "parse_network_change",
    "road_link_network",
]
