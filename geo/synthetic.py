"""Synthetic commune boundaries for the demo world: seeded Voronoi cells inside a city's box.

Deterministic: the same province and codes give the same cells on every run and machine
(Python's seeded `random`, then GEOS). They look like communes on a map and are nothing more;
everything built from them is marked `synthetic`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Polygon

SOURCE = "synthetic"

# (min lon, min lat, max lon, max lat), WGS84, checked against the official ward boundaries.
# Cần Thơ (with the former Hậu Giang and Sóc Trăng): 105.226–106.298, 9.245–10.325.
CAN_THO_BBOX = (105.22, 9.24, 106.30, 10.33)
# Hải Phòng (with the former Hải Dương, and Cát Hải to 107.214); the island of Bạch Long Vĩ,
# far out at about (107.73, 20.13), is left out.
HAI_PHONG_BBOX = (106.12, 20.59, 107.22, 21.24)
BBOXES = {"92": CAN_THO_BBOX, "31": HAI_PHONG_BBOX}


def _seed_points(bbox: tuple[float, float, float, float], n: int,
                 rng: random.Random) -> list[tuple[float, float]]:
    """`n` jittered points of a grid over the box, in row-major order."""
    minx, miny, maxx, maxy = bbox
    width, height = maxx - minx, maxy - miny
    rows = max(1, round(math.sqrt(n * height / width)))
    cols = math.ceil(n / rows)
    while rows * cols < n:
        cols += 1
    slots = sorted(rng.sample(range(rows * cols), n))
    dx, dy = width / cols, height / rows
    points = []
    for slot in slots:
        r, c = divmod(slot, cols)
        x = minx + (c + 0.5 + rng.uniform(-0.35, 0.35)) * dx
        y = maxy - (r + 0.5 + rng.uniform(-0.35, 0.35)) * dy
        points.append((round(x, 6), round(y, 6)))
    return points


def synthetic_cells(province_code: str, codes: Iterable[str]) -> dict[str, MultiPolygon]:
    """One valid MultiPolygon (SRID 4326) per commune code, tiling the province's box.
    ValueError for a province without a box (only Cần Thơ 92 and Hải Phòng 31 have one)."""
    bbox = BBOXES.get(province_code)
    if bbox is None:
        raise ValueError(f"Không có ranh giới mô phỏng cho tỉnh/thành phố {province_code}.")
    ordered = sorted(set(codes))
    if not ordered:
        return {}
    rng = random.Random(f"kt1-synthetic-{province_code}")
    points = _seed_points(bbox, len(ordered), rng)
    box = shapely.box(*bbox)
    if len(points) == 1:
        return {ordered[0]: MultiPolygon([box])}
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=box, ordered=True)
    out: dict[str, MultiPolygon] = {}
    for code, cell in zip(ordered, shapely.get_parts(cells), strict=True):
        clipped = shapely.intersection(cell, box)
        parts = [p for p in shapely.get_parts(clipped) if isinstance(p, Polygon)]
        out[code] = MultiPolygon(parts)
    return out
