"""Web Mercator tiles (the slippy-map scheme: z/x/y, y down from the north) and Mapbox Vector
Tile encoding of geometries already clipped to a tile, in EPSG:3857 metres."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mapbox_vector_tile
import numpy
import shapely
from mapbox_vector_tile.encoder import on_invalid_geometry_make_valid
from shapely.geometry.base import BaseGeometry

WEB_MERCATOR_SRID = 3857
HALF_WORLD = 20037508.342789244  # metres: pi * 6378137
EXTENT = 4096  # the tile's integer grid, as ST_AsMVT's default
BUFFER = 64  # grid units kept beyond each edge so lines and fills join across tiles
MAX_ZOOM = 22
TILE_PIXELS = 256


@dataclass(frozen=True)
class Tile:
    z: int
    x: int
    y: int

    def __post_init__(self) -> None:
        if not 0 <= self.z <= MAX_ZOOM:
            raise ValueError(f"zoom {self.z} outside 0..{MAX_ZOOM}")
        n = 1 << self.z
        if not (0 <= self.x < n and 0 <= self.y < n):
            raise ValueError(f"tile {self.x}/{self.y} outside zoom {self.z}'s 0..{n - 1}")

    @property
    def size(self) -> float:
        """The tile's width in metres."""
        return 2 * HALF_WORLD / (1 << self.z)

    def bounds(self, buffer: int = 0) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) in EPSG:3857, widened by `buffer` grid units each side."""
        margin = self.size * buffer / EXTENT
        minx = -HALF_WORLD + self.x * self.size
        maxy = HALF_WORLD - self.y * self.size
        return (minx - margin, maxy - self.size - margin, minx + self.size + margin,
                maxy + margin)

    def lon_lat_bounds(self, buffer: int = 0) -> tuple[float, float, float, float]:
        """The same box in WGS84 degrees (min lon, min lat, max lon, max lat)."""
        minx, miny, maxx, maxy = self.bounds(buffer)
        lon0, lat0 = to_lon_lat(minx, miny)
        lon1, lat1 = to_lon_lat(maxx, maxy)
        return lon0, lat0, lon1, lat1


def to_lon_lat(x: float, y: float) -> tuple[float, float]:
    lon = x / HALF_WORLD * 180.0
    lat = math.degrees(2 * math.atan(math.exp(y / HALF_WORLD * math.pi)) - math.pi / 2)
    return max(-180.0, min(180.0, lon)), max(-90.0, min(90.0, lat))


def tiles_covering(bbox: tuple[float, float, float, float], zoom: int) -> list[Tile]:
    """The tiles of `zoom` that a (min lon, min lat, max lon, max lat) box touches."""
    def column(lon: float) -> int:
        return int((lon + 180.0) / 360.0 * (1 << zoom))

    def row(lat: float) -> int:
        rad = math.radians(lat)
        return int((1 - math.asinh(math.tan(rad)) / math.pi) / 2 * (1 << zoom))

    last = (1 << zoom) - 1
    x0, x1 = max(0, column(bbox[0])), min(last, column(bbox[2]))
    y0, y1 = max(0, row(bbox[3])), min(last, row(bbox[1]))
    return [Tile(zoom, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def degrees_per_pixel(zoom: float) -> float:
    """The width of one screen pixel in longitude degrees at `zoom` (256-pixel tiles)."""
    return 360.0 / (TILE_PIXELS * 2.0 ** zoom)


@dataclass(frozen=True)
class Feature:
    geometry: BaseGeometry  # EPSG:3857, clipped to the tile's buffered bounds
    properties: Mapping[str, Any]
    id: int | None = None

    @classmethod
    def from_wkb(cls, data: bytes | memoryview, properties: Mapping[str, Any],
                 id: int | None = None) -> Feature:
        return cls(shapely.from_wkb(bytes(data)), properties, id)


def encode(tile: Tile, layers: Sequence[tuple[str, Iterable[Feature]]]) -> bytes:
    """A Mapbox Vector Tile (v2) of the named layers, coordinates snapped to the tile's grid
    (the encoder then mends what snapping made invalid and orders the rings' winding); an empty
    layer is left out, as PostGIS's ST_AsMVT leaves out a layer without rows."""
    minx, miny, maxx, maxy = tile.bounds()
    origin = numpy.array([minx, miny])
    scale = numpy.array([EXTENT / (maxx - minx), EXTENT / (maxy - miny)])

    def to_grid(geometry: BaseGeometry) -> BaseGeometry:
        grid: BaseGeometry = shapely.transform(
            geometry, lambda c: numpy.round((c - origin) * scale))
        return grid

    payload = []
    for name, features in layers:
        encoded = [{"geometry": to_grid(f.geometry), "properties": dict(f.properties),
                    **({"id": f.id} if f.id is not None else {})}
                   for f in features if not f.geometry.is_empty]
        if encoded:
            payload.append({"name": name, "features": encoded})
    if not payload:
        return b""
    data: bytes = mapbox_vector_tile.encode(payload, default_options={
        "extents": EXTENT,
        "on_invalid_geometry": on_invalid_geometry_make_valid})
    return data
