"""Generate ``mobility/data/municipalities.geojson`` from the DAGI boundaries (deterministic).

Run ``python -m mobility.data.build_boundaries [SOURCE]`` from the repository root, where
``SOURCE`` is the DAGI ``kommuner.geojson`` (default ``../shared/data/dagi/kommuner.geojson``):
Danmarks Administrative Geografiske Inddeling, municipality boundaries 1:500,000, WGS84,
FOT data set 2014-02-13 [S], © "Geodatastyrelsen og Danske Kommuner" (Danish free geodata
terms: use with that attribution).

Kept: the municipalities that zones in ``zones.csv`` belong to (the region's 29 and the
Danish external zones). A municipality made of several features (islands) becomes one
MultiPolygon. Simplified in ETRS89 / UTM 32N (EPSG:25832) with a 50 m tolerance
(Douglas-Peucker, topology preserved per municipality), then written in WGS84 with 5
decimals (about 1 m) — a map layer, not a survey: neighbours' shared borders may differ by
up to the tolerance. The output is byte-identical for the same source.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

#: Simplification tolerance in metres (EPSG:25832).
TOLERANCE_M = 50.0
#: Decimals of the WGS84 coordinates written (1e-5 degree is about 1 m).
DECIMALS = 5
ATTRIBUTION = "Geodatastyrelsen og Danske Kommuner"
SOURCE = (
    "[S] DAGI kommuner 1:500,000, FOT 2014-02-13 (Geodatastyrelsen og Danske Kommuner, "
    "Danish free geodata terms), via github Neogeografen/dagi; simplified 50 m [D]"
)

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[1].parent / "shared" / "data" / "dagi" / "kommuner.geojson"
OUTPUT = HERE / "municipalities.geojson"


def zone_codes(zones_csv: Path = HERE / "zones.csv") -> set[int]:
    """The Danish kommunekoder of the zones (0, the Swedish zones, left out)."""
    with open(zones_csv, encoding="utf-8", newline="") as fh:
        return {int(r["municipality_code"]) for r in csv.DictReader(fh)} - {0}


def _rounded(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), DECIMALS) for c in coords]
    return [_rounded(c) for c in coords]


def build(source: Path = DEFAULT_SOURCE, output: Path = OUTPUT) -> Path:
    """Write the simplified municipality boundaries; returns the output path."""
    import geopandas as gpd
    import shapely
    from shapely.geometry import mapping

    codes = zone_codes()
    gdf = gpd.read_file(source)
    gdf["geometry"] = shapely.force_2d(gdf.geometry.values)  # the source's z is a -999 filler
    gdf["municipality_code"] = gdf["KOMKODE"].astype(int)
    gdf = gdf[gdf["municipality_code"].isin(codes)]
    merged = gdf.dissolve(by="municipality_code", aggfunc="first").sort_index()
    utm = merged.to_crs(25832)
    utm["geometry"] = utm.geometry.simplify(TOLERANCE_M, preserve_topology=True)
    wgs = utm.to_crs(4326)
    features = []
    for code, row in wgs.iterrows():
        geom = mapping(row.geometry)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "municipality_code": int(code),
                    "name": str(row["KOMNAVN"]),
                    "source": SOURCE,
                },
                "geometry": {"type": geom["type"], "coordinates": _rounded(geom["coordinates"])},
            }
        )
    doc = {
        "type": "FeatureCollection",
        "name": "municipalities",
        "attribution": ATTRIBUTION,
        "features": features,
    }
    output.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
    return output


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE))
