"""Points in SRID 4326 as the database stores them, and back: longitude first, always."""

from __future__ import annotations

from typing import Any

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import to_shape

SRID = 4326


def point_wkt(lon: float, lat: float) -> WKTElement:
    """A point to store in a POINT(4326) column."""
    return WKTElement(f"POINT({float(lon)} {float(lat)})", srid=SRID)


def lon_lat(geom: Any) -> tuple[float, float] | None:
    """(lon, lat) of a stored point (WKB from the database or a WKT element we just set)."""
    if geom is None:
        return None
    shape = to_shape(geom)
    return float(shape.x), float(shape.y)
