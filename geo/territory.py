"""Vietnam's extent, coarsely: where a KT1 site can possibly be, before any boundary is loaded.

Three boxes in WGS 84 (SRID 4326), each with a margin, that hold every part of the country:
the mainland with its coastal islands (from A Pa Chải at 102.14° E to Mũi Đôi at 109.46° E,
from Mũi Cà Mau and Hòn Khoai near 8.4° N to Lũng Cú at 23.39° N; Phú Quốc, Thổ Chu, Côn Đảo
and Bạch Long Vĩ inside), the Hoàng Sa archipelago and the Trường Sa archipelago. It refuses
(0, 0), swapped or negated coordinates and anything on another continent; a point in a
neighbouring country inside a box passes, and only commune boundaries tell it apart.
"""

from __future__ import annotations

from functools import cache

import shapely
from shapely.geometry.base import BaseGeometry

MAINLAND = (102.0, 8.0, 109.6, 23.5)
HOANG_SA = (111.0, 15.5, 113.0, 17.3)
TRUONG_SA = (109.5, 6.0, 118.0, 12.0)


@cache
def extent() -> BaseGeometry:
    """The union of the three boxes."""
    return shapely.union_all([shapely.box(*b) for b in (MAINLAND, HOANG_SA, TRUONG_SA)])


def in_vietnam(lon: float, lat: float) -> bool:
    """Whether the point (degrees) can be in Vietnam: inside (or on) one of the boxes."""
    return bool(extent().covers(shapely.Point(lon, lat)))
