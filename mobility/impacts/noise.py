"""Road-traffic noise and particle exposure: a documented proxy, not a noise map.

The model has no buildings, so exposure is approximated from link traffic and the residents
next to each link:

1. **Residents along a link.** Each road link (connectors and bike-only links excluded) is
   assigned to the zone whose centroid is nearest to its midpoint. Only a share
   :data:`ADJACENT_SHARE` (0.3, an estimate: roughly the share of the region's dwellings
   above Lden 58 dB, up to half of Denmark's ~700,000 exposed dwellings being in the capital
   area, KKR23) of a zone's residents lives along the modelled main roads; it is shared among
   the zone's links in proportion to weighted length, motorways and expressways weighing
   :data:`MOTORWAY_WEIGHT` (0.25, estimate: set back from dwellings, noise barriers).
   ``adjacent_l = 0.3 R_z w_l L_l / sum w L``.
2. **Noise level.** ``Lden_l = C + 10 log10(Q_l) + 25 log10(max(v_l, 30) / 50)
   + 10 log10(1 + (E - 1) h_l) - 15 log10(d_l / 10)`` dB at the first building row, with
   ``Q`` the weekday flow (veh/day, both directions counted per link), ``v`` the link speed,
   ``C = 28 dB`` (1,000 light veh/day at 50 km/h and 10 m -> 58 dB, 10,000 -> 68 dB; a rough
   fit of CNOSSOS-EU road emission, an estimate), the 25 log10 speed term for rolling noise
   (estimate), the heavy-vehicle share ``h`` of the road class with one heavy vehicle
   emitting as ``E = 8`` light ones (about 9 dB more; the order of the Nord2000 / CNOSSOS
   category 3 to category 1 difference at 50-80 km/h, an estimate), and the distance ``d``
   from the road to the first dwellings by road class, attenuated as a line source over
   soft ground (15 log10, i.e. 3 dB spreading plus ~1.5 dB ground per doubling; estimate).
   This is the structure of the Danish simplified road-noise method (Nord2000's emission x
   flow, speed, heavy share and distance), without screening, gradients or road surface.
   Class constants are in :data:`HEAVY_SHARE` and :data:`DISTANCE_M`.
3. **Share exposed.** ``s_l = 1 / (1 + exp(-(Lden_l - 58) / 3))``: a smooth version of
   "above the Danish guideline Lden 58 dB" (spread 3 dB for the distances of buildings
   behind the first row; estimate). Exposed residents = ``sum_l adjacent_l * s_l``.
4. **Particles.** Resident-weighted traffic: ``sum_l adjacent_l * Q_l / sum_l adjacent_l``,
   the weekday vehicles passing the average adjacent resident (a proxy for local PM/NO2).

Only differences between a project and the reference are meaningful. Constants are estimates
(not calibrated to Miljøstyrelsen's noise maps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobility.errors import InputError

#: Level (dB) at the first building row of a 1 veh/day, 50 km/h road (estimate).
LDEN_CONSTANT_DB = 28.0
#: Danish guideline for road noise at dwellings (Lden, dB).
THRESHOLD_DB = 58.0
#: Spread (dB) of the smooth threshold (estimate).
SPREAD_DB = 3.0
#: Share of a zone's residents living along the modelled main roads (estimate).
ADJACENT_SHARE = 0.3
#: Length weight of motorway/expressway links when sharing residents (estimate).
MOTORWAY_WEIGHT = 0.25
#: Emission of one heavy vehicle in light-vehicle equivalents (estimate, ~9 dB).
HEAVY_EQUIVALENT = 8.0
#: Heavy-vehicle share of the vehicles by road class (estimates of the order of
#: Vejdirektoratet's counts: motorways ~10 %, urban streets ~4 %; [M]).
HEAVY_SHARE = {
    "motorway": 0.10,
    "expressway": 0.08,
    "arterial": 0.06,
    "collector": 0.04,
    "local": 0.03,
}
#: Distance (m) from the road to the first row of dwellings by road class (estimates [M]:
#: motorways run set back, urban streets have the facades at the kerb).
DISTANCE_M = {
    "motorway": 40.0,
    "expressway": 30.0,
    "arterial": 15.0,
    "collector": 10.0,
    "local": 10.0,
}
#: Class constants for a road class not listed above.
DEFAULT_HEAVY_SHARE = 0.05
DEFAULT_DISTANCE_M = 10.0


@dataclass(frozen=True)
class Exposure:
    """Exposure proxies of one scenario.

    Attributes
    ----------
    noise_exposed_residents
        Residents above Lden 58 dB (proxy).
    traffic_per_resident
        Weekday vehicles past the average adjacent resident (particle proxy).
    """

    noise_exposed_residents: float
    traffic_per_resident: float


def link_residents(
    link_zone: np.ndarray,
    length_km: np.ndarray,
    zone_residents: np.ndarray,
    *,
    weight: np.ndarray | None = None,
    share: float = 1.0,
) -> np.ndarray:
    """Residents allocated to each link: ``share`` of the zone's residents shared by
    ``weight x length`` (weight 1 by default).

    Links with ``link_zone < 0`` (excluded) get none.
    """
    zone = np.asarray(link_zone, dtype=np.int64)
    length = np.asarray(length_km, dtype=np.float64)
    if weight is not None:
        length = length * np.asarray(weight, dtype=np.float64)
    res = share * np.asarray(zone_residents, dtype=np.float64)
    ok = zone >= 0
    per_zone = np.bincount(zone[ok], weights=length[ok], minlength=res.shape[0])
    out = np.zeros(length.shape)
    denom = per_zone[zone[ok]]
    out[ok] = np.where(denom > 0, res[zone[ok]] * length[ok] / np.where(denom > 0, denom, 1), 0)
    return out


def class_constants(
    road_class: np.ndarray | list[str] | None, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Heavy-vehicle share and distance to dwellings (m) of each link from its road class
    (:data:`HEAVY_SHARE`, :data:`DISTANCE_M`; the defaults where unknown)."""
    if road_class is None or len(road_class) != n:
        return np.full(n, DEFAULT_HEAVY_SHARE), np.full(n, DEFAULT_DISTANCE_M)
    heavy = np.array([HEAVY_SHARE.get(str(c), DEFAULT_HEAVY_SHARE) for c in road_class])
    dist = np.array([DISTANCE_M.get(str(c), DEFAULT_DISTANCE_M) for c in road_class])
    return heavy, dist


def lden_db(
    flow_veh_day: np.ndarray,
    speed_kmh: np.ndarray,
    *,
    heavy_share: np.ndarray | float = 0.0,
    distance_m: np.ndarray | float = 10.0,
) -> np.ndarray:
    """Proxy Lden (dB) at the first building row (see module docstring)."""
    q = np.maximum(np.asarray(flow_veh_day, dtype=np.float64), 1.0)
    v = np.maximum(np.asarray(speed_kmh, dtype=np.float64), 30.0)
    h = np.clip(np.asarray(heavy_share, dtype=np.float64), 0.0, 1.0)
    d = np.maximum(np.asarray(distance_m, dtype=np.float64), 1.0)
    return (
        LDEN_CONSTANT_DB
        + 10.0 * np.log10(q)
        + 25.0 * np.log10(v / 50.0)
        + 10.0 * np.log10(1.0 + (HEAVY_EQUIVALENT - 1.0) * h)
        - 15.0 * np.log10(d / 10.0)
    )


def exposure(
    flow_veh_day: np.ndarray,
    speed_kmh: np.ndarray,
    adjacent_residents: np.ndarray,
    *,
    heavy_share: np.ndarray | float = 0.0,
    distance_m: np.ndarray | float = 10.0,
) -> Exposure:
    """Noise-exposed residents and resident-weighted traffic (see module docstring)."""
    q = np.asarray(flow_veh_day, dtype=np.float64)
    adj = np.asarray(adjacent_residents, dtype=np.float64)
    if q.shape != adj.shape:
        raise InputError(f"shapes {q.shape} and {adj.shape} differ", field="flow_veh_day")
    level = lden_db(q, speed_kmh, heavy_share=heavy_share, distance_m=distance_m)
    share = 1.0 / (1.0 + np.exp(-(level - THRESHOLD_DB) / SPREAD_DB))
    share = np.where(q > 0, share, 0.0)
    total = float(adj.sum())
    return Exposure(
        noise_exposed_residents=float(np.sum(adj * share)),
        traffic_per_resident=float(np.sum(adj * q) / total) if total > 0 else 0.0,
    )


def nearest_zone(
    lon: np.ndarray, lat: np.ndarray, zone_lon: np.ndarray, zone_lat: np.ndarray
) -> np.ndarray:
    """Index of the nearest zone centroid for each point (equirectangular distance)."""
    coslat = np.cos(np.radians(np.mean(zone_lat))) if len(zone_lat) else 1.0
    dx = (np.asarray(lon)[:, None] - np.asarray(zone_lon)[None, :]) * coslat
    dy = np.asarray(lat)[:, None] - np.asarray(zone_lat)[None, :]
    return np.argmin(dx * dx + dy * dy, axis=1)
