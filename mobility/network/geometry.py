"""Great-circle distances on a spherical Earth (WGS84 degrees in, km out).

One :func:`haversine_km` serves the whole package. The Earth's radius is an argument, since
two radii are in use and changing either would change results:

* :data:`MEAN_EARTH_RADIUS_KM` (the default): the transit graph's stop and access distances,
  the demand model's zone distances and the GTFS route lengths;
* :data:`ROUNDED_EARTH_RADIUS_KM`: the network edits of projects (snapping, ``near``
  selections, the lengths of added links) and the line lengths of the emission and operator
  accounts. The two differ by 1.4 ppm (9 m in 6,371 km).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "MEAN_EARTH_RADIUS_KM",
    "ROUNDED_EARTH_RADIUS_KM",
    "haversine_km",
    "haversine_km_radians_first",
]

#: Mean Earth radius R1 = (2a + b) / 3 of the GRS 80 ellipsoid, 6,371,008.7714 m
#: (H. Moritz, "Geodetic Reference System 1980", Journal of Geodesy 74 (2000) 128-133).
MEAN_EARTH_RADIUS_KM = 6371.0088
#: The same radius rounded to the kilometre.
ROUNDED_EARTH_RADIUS_KM = 6371.0


def haversine_km(
    lon1: Any, lat1: Any, lon2: Any, lat2: Any, *, radius_km: float = MEAN_EARTH_RADIUS_KM
) -> Any:
    """Great-circle distance in km between ``(lon1, lat1)`` and ``(lon2, lat2)`` (degrees).

    The haversine formula (R. W. Sinnott, "Virtues of the Haversine", Sky and Telescope 68
    (1984) 159) on a sphere of ``radius_km``. Scalars or arrays, which broadcast.
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * radius_km * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def haversine_km_radians_first(
    lon1: Any, lat1: Any, lon2: Any, lat2: Any, *, radius_km: float = ROUNDED_EARTH_RADIUS_KM
) -> Any:
    """:func:`haversine_km` with the longitudes turned into radians before their difference,
    the arithmetic the network edits and the emission line lengths always had.

    It differs from :func:`haversine_km` only in rounding (about 1e-16 relative), but the
    demand-supply fixed point carries such a difference into every result at about 1e-4
    relative, so the restructuring (issue 16) keeps it; the commit that retires it says
    what it changes.
    """
    lo1, la1, lo2, la2 = (
        np.radians(np.asarray(a, dtype=np.float64)) for a in (lon1, lat1, lon2, lat2)
    )
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2.0 * radius_km * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
