"""The region model's inputs for one year: zones, roads and public transport together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from mobility.region.roads import load_roads
from mobility.region.transit import TransitSystem, load_transit
from mobility.region.zones import Zones, load_zones


@dataclass(frozen=True)
class RegionFiles:
    """A user's own region data, in the bundled formats; ``None``: the bundled file.

    Attributes
    ----------
    roads
        A GMNS folder (``node.csv``, ``link.csv``, ``config.csv``), as
        :func:`mobility.region.roads.load_roads` reads it.
    transit
        A transit folder (``stops.csv``, ``lines.csv``, ``line_stops.csv``), as
        :func:`mobility.region.transit.load_transit` reads it (``mobility network from-gtfs``
        writes one from a GTFS feed).
    zones
        A zones CSV with the bundled columns (:func:`mobility.region.zones.load_zones`).
    """

    roads: Path | None = None
    transit: Path | None = None
    zones: Path | None = None

    def files(self) -> dict[str, Path]:
        """Every file a run reads from these sources, by a name for the manifest."""
        out: dict[str, Path] = {}
        if self.zones is not None:
            out["region:zones"] = self.zones
        for what, folder in (("roads", self.roads), ("transit", self.transit)):
            if folder is not None:
                for f in sorted(folder.glob("*.csv")):
                    out[f"region:{what}/{f.name}"] = f
        return out


@dataclass
class RegionInputs:
    """Everything the region model reads for one year (never mutate the reference copy)."""

    zones: Zones
    roads: nx.MultiDiGraph
    transit: TransitSystem
    year: int


def load_region(year: int, files: RegionFiles | None = None) -> RegionInputs:
    """Zones, roads and public transport of the bundled region (or of ``files``, a user's own
    data) for ``year``.

    Links and lines with an ``open_year`` after ``year`` are left out (e.g. Nordhavnsvej
    2017, Cityringen 2019, the Ring 3 light rail 2025) so the 2015 base is the 2015 network.
    Committed projects that are not yet open (Infrastrukturplan 2035) are scenario projects,
    not part of the bundled network.
    """
    f = files or RegionFiles()
    return RegionInputs(
        zones=load_zones(year, path=f.zones),
        roads=load_roads(f.roads, year=year),
        transit=load_transit(f.transit, year=year),
        year=year,
    )
