"""Where the team stood: GPS fixes, great-circle distance to the site and the visit's check."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from geoalchemy2.elements import WKTElement

from geo.points import lon_lat, point_wkt

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


@dataclass(frozen=True)
class Fix:
    """A GPS fix in WGS 84 degrees; `accuracy_m` is the device's horizontal accuracy."""

    lon: float
    lat: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class LocationCheck:
    distance_m: float | None
    accuracy_m: float | None
    status: str  # ok | far | no_fix
    radius_m: int


def to_point(fix: Fix | None) -> WKTElement | None:
    return None if fix is None else point_wkt(fix.lon, fix.lat)



def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lon, lat) points in degrees."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def location_check(site_location: Any, location: Any, accuracy_m: float | None, *,
                   far_radius_m: int, max_accuracy_m: int) -> LocationCheck:
    """Judge whether the team was at the site.

    `no_fix` when the site or the inspection has no position, or the fix has no accuracy or
    one worse than `max_accuracy_m`: such a fix proves nothing either way. `far` only when the
    team was certainly outside the radius, i.e. `distance - accuracy > far_radius_m` (the fix
    is given the benefit of its own error circle); otherwise `ok`. The radius defaults to
    300 m (`KT1_FAR_RADIUS_M`): a post office's yard plus a typical urban GPS error, while a
    neighbouring commune's office is kilometres away. Distances are great-circle (haversine).
    """
    site, here = lon_lat(site_location), lon_lat(location)
    distance = None if site is None or here is None else round(haversine_m(site, here), 1)
    if distance is None or accuracy_m is None or accuracy_m > max_accuracy_m:
        status = "no_fix"
    elif distance - accuracy_m > far_radius_m:
        status = "far"
    else:
        status = "ok"
    return LocationCheck(distance_m=distance, accuracy_m=accuracy_m, status=status,
                         radius_m=far_radius_m)
