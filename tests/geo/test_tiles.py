"""Web Mercator tile arithmetic and the Python MVT encoder (used on SpatiaLite)."""

from __future__ import annotations

import mapbox_vector_tile
import pytest
from shapely.geometry import Point, box

from geo.tiles import EXTENT, HALF_WORLD, Feature, Tile, encode, tiles_covering, to_lon_lat


def test_tile_bounds_split_the_world_in_quarters():
    assert Tile(0, 0, 0).bounds() == (-HALF_WORLD, -HALF_WORLD, HALF_WORLD, HALF_WORLD)
    assert Tile(1, 1, 0).bounds() == (0.0, 0.0, HALF_WORLD, HALF_WORLD)  # north-east
    assert Tile(1, 0, 1).bounds() == (-HALF_WORLD, -HALF_WORLD, 0.0, 0.0)  # south-west
    minx, _, _, maxy = Tile(1, 1, 0).bounds(buffer=64)
    assert minx == pytest.approx(-HALF_WORLD * 64 / EXTENT) and maxy > HALF_WORLD
    assert to_lon_lat(HALF_WORLD, HALF_WORLD) == pytest.approx((180.0, 85.0511287798))


@pytest.mark.parametrize("z, x, y", [(-1, 0, 0), (23, 0, 0), (2, 4, 0), (2, 0, 4), (2, -1, 0)])
def test_a_tile_outside_the_pyramid_is_refused(z, x, y):
    with pytest.raises(ValueError):
        Tile(z, x, y)


def test_the_tiles_covering_can_tho_at_zoom_10():
    # Ninh Kiều (105.78 E, 10.03 N): column floor((105.78 + 180) / 360 * 1024) = 812, and its
    # row from the Mercator formula, 483 (the tile spans 9.796..10.142 N)
    [tile] = tiles_covering((105.78, 10.03, 105.78, 10.03), 10)
    assert (tile.x, tile.y) == (812, 483)
    lon0, lat0, lon1, lat1 = tile.lon_lat_bounds()
    assert (lon0, lat0, lon1, lat1) == pytest.approx((105.46875, 9.795678, 105.820313, 10.141932))
    assert len(tiles_covering((105.2, 9.6, 106.0, 10.4), 10)) == 3 * 3


def test_encoded_features_land_on_the_tiles_grid_and_empty_layers_are_left_out():
    tile = Tile(1, 1, 0)
    quarter = HALF_WORLD / 2
    data = encode(tile, [
        ("points", [Feature(Point(quarter, quarter), {"name": "giữa", "n": 3}, 7)]),
        ("areas", [Feature(box(0, 0, quarter, quarter), {})]),
        ("nothing", [])])
    layers = mapbox_vector_tile.decode(data)
    assert set(layers) == {"points", "areas"}
    [point] = layers["points"]["features"]
    assert point["id"] == 7 and point["properties"] == {"name": "giữa", "n": 3}
    assert point["geometry"]["coordinates"] == [EXTENT // 2, EXTENT // 2]
    [area] = layers["areas"]["features"]
    xs = {c[0] for ring in area["geometry"]["coordinates"] for c in ring}
    assert xs == {0, EXTENT // 2}
    assert encode(tile, [("nothing", [])]) == b""
