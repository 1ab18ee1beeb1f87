"""The region's vocabulary: the names its tables, project files and scenarios share.

Each list is defined here once; the zone table, the transit tables, the project files and
the portfolio check their values against these. :data:`ROAD_CLASSES` is the exception that
proves the floor rule: the GMNS reader of :mod:`mobility.network.gmns` codes ``link_type`` by
its position, so it is defined there (one floor down) and named here.
"""

from __future__ import annotations

from mobility.network.gmns import ROAD_CLASSES

__all__ = [
    "DEFAULT_LAND",
    "EXTERNAL_PART",
    "LANDS",
    "LAND_BY_CODE",
    "PLANNING_PARTS",
    "PT_MODES",
    "REGION_PARTS",
    "ROAD_CLASSES",
    "ZONE_KINDS",
]

#: What a zone of ``zones.csv`` is: one of København's bydele, a whole municipality, or a
#: zone outside Region Hovedstaden.
ZONE_KINDS = ("bydel", "municipality", "external")

#: Parts of the region (``region_part`` of zones and projects): the Fingerplan's fingers and
#: central Copenhagen (Fingerplan 2019, Erhvervsstyrelsen), Bornholm, and the external zones.
REGION_PARTS = (
    "central",
    "koege_bugt",
    "roskilde",
    "frederikssund",
    "hilleroed",
    "helsingoer",
    "bornholm",
    "external",
)
#: The part of the zones outside Region Hovedstaden.
EXTERNAL_PART = "external"
#: The parts a portfolio can ask a minimum number of projects of: every part in the region.
PLANNING_PARTS = tuple(p for p in REGION_PARTS if p != EXTERNAL_PART)

#: Public-transport modes of ``lines.csv`` and of a project's new lines.
PT_MODES = ("s-tog", "metro", "light-rail", "regional", "bus", "ferry")

#: The land a zone lies on (:attr:`mobility.region.zones.Zones.land`): access within a zone
#: never crosses the sea.
LANDS = ("zealand", "bornholm", "scania")
#: DST kommunekode -> land, for the zones not on Zealand: 400 is Bornholms Regionskommune,
#: 0 marks the Swedish zones of ``zones.csv``.
LAND_BY_CODE: dict[int, str] = {0: "scania", 400: "bornholm"}
#: The land of every other zone (Amager included).
DEFAULT_LAND = "zealand"
