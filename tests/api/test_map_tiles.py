"""/map/tiles/{z}/{x}/{y}.mvt on real Cần Thơ boundaries, on PostGIS (ST_AsMVT) and SpatiaLite
(clipped in the database, encoded in Python): the decoded tiles are checked against shapely and
against the GeoJSON endpoints, so both backends are held to the same expectations."""

from __future__ import annotations

import mapbox_vector_tile
import numpy
import pytest
import shapely
from shapely.geometry import box, shape

from geo.tiles import BUFFER, EXTENT, HALF_WORLD, Tile, degrees_per_pixel, tiles_covering
from inspection.models import Finding
from tests.api.map_world import CAI_KHE, SEVERITIES
from tests.module_world import backend, connection  # noqa: F401

TILES = "/api/v1/map/tiles"
COMMUNES = "/api/v1/map/communes"
FINDINGS = "/api/v1/map/findings"
MVT = "application/vnd.mapbox-vector-tile"


def tile_at(lon: float, lat: float, z: int) -> Tile:
    [tile] = tiles_covering((lon, lat, lon, lat), z)
    return tile


def fetch(client, world, tile: Tile, query: str = "", role: str = "supervisor"):  # type: ignore[no-untyped-def]
    resp = client.get(f"{TILES}/{tile.z}/{tile.x}/{tile.y}.mvt?province_code=92{query}",
                      headers=world.h[role])
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.content_type == MVT
    return mapbox_vector_tile.decode(resp.data)


def to_lon_lat(tile: Tile):  # type: ignore[no-untyped-def]
    """Tile grid (y up, as the decoder gives it) to WGS84 degrees."""
    minx, miny, maxx, maxy = tile.bounds()

    def convert(grid):  # type: ignore[no-untyped-def]
        x = minx + grid[:, 0] / EXTENT * (maxx - minx)
        y = miny + grid[:, 1] / EXTENT * (maxy - miny)
        return numpy.column_stack([x / HALF_WORLD * 180,
                                   numpy.degrees(2 * numpy.arctan(numpy.exp(y / HALF_WORLD
                                                                            * numpy.pi))
                                                 - numpy.pi / 2)])
    return lambda geom: shapely.transform(geom, convert)


def geojson_properties(client, world, query: str = ""):  # type: ignore[no-untyped-def]
    body = client.get(f"{COMMUNES}?province_code=92{query}",
                      headers=world.h["supervisor"]).get_json()
    out = {}
    for f in body["features"]:
        p = dict(f["properties"])
        p.update(p.pop("by_severity"))
        out[p["code"]] = p
    return out


def test_a_tile_holds_the_communes_it_touches_with_the_choropleths_counts(world, client):
    x, y = world.points["a1"]
    tile = tile_at(x, y, 12)
    layers = fetch(client, world, tile)
    communes = {f["properties"]["code"]: f for f in layers["communes"]["features"]}
    assert layers["communes"]["extent"] == EXTENT

    # shapely's answer: every commune that meets the tile; at most those meeting its buffer
    lon0, lat0, lon1, lat1 = tile.lon_lat_bounds()
    inner = box(lon0, lat0, lon1, lat1)
    outer = box(*tile.lon_lat_bounds(BUFFER))
    surely = {c for c, s in world.shapes.items() if s.intersection(inner).area > 1e-7}
    maybe = {c for c, s in world.shapes.items() if s.intersects(outer)}
    assert CAI_KHE in surely
    assert surely <= set(communes) <= maybe

    expected = geojson_properties(client, world)
    for code, feature in communes.items():
        assert feature["id"] == int(code)
        assert feature["properties"] == expected[code]

    back = to_lon_lat(tile)(shape(communes[CAI_KHE]["geometry"]))
    truth = world.shapes[CAI_KHE].intersection(outer)
    assert back.is_valid
    assert back.symmetric_difference(truth).area < 0.02 * truth.area


def test_the_findings_layer_has_each_finding_of_the_tile_at_its_site(world, client):
    x, y = world.points["b"]
    tile = tile_at(x, y, 14)
    layers = fetch(client, world, tile)
    outer = box(*tile.lon_lat_bounds(BUFFER))
    expected = {str(f.id): (v, f) for v, f in world.findings
                if v.site != "hp" and outer.contains(shapely.Point(world.points[v.site]))}
    got = {f["properties"]["id"]: f for f in layers["findings"]["features"]}
    assert set(got) == set(expected) and len(got) >= 3
    assert {f["properties"]["awaiting_review"] for f in got.values()} == {True, False}
    px = degrees_per_pixel(tile.z) * 256 / EXTENT  # one grid unit, in degrees of longitude
    for fid, feature in got.items():
        visit, finding = expected[fid]
        assert feature["properties"] == {
            "id": fid, "severity": finding.severity, "status": finding.status,
            "item_code": finding.item_code,
            "commune_code": world.expected_commune[visit.site],
            "site_id": str(finding.site_id), "inspection_id": str(finding.inspection_id),
            "inspection_status": visit.status, "awaiting_review": visit.awaiting_review}
        point = to_lon_lat(tile)(shape(feature["geometry"]))
        assert point.distance(shapely.Point(world.points[visit.site])) < 2 * px


def test_filters_apply_to_both_layers(world, client):
    x, y = world.points["a1"]
    tile = tile_at(x, y, 11)
    layers = fetch(client, world, tile, "&severity=critical")
    severities = {f["properties"]["severity"] for f in layers["findings"]["features"]}
    assert severities == {"critical"}
    expected = geojson_properties(client, world, "&severity=critical")
    for feature in layers["communes"]["features"]:
        props = feature["properties"]
        assert props == expected[props["code"]]
        assert all(props[s] == 0 for s in SEVERITIES if s != "critical")
    assert expected[CAI_KHE]["critical"] == 3  # one of them awaiting review


def test_an_unchanged_tile_is_not_sent_twice_and_a_change_shows(world, client, session):
    x, y = world.points["b"]
    tile = tile_at(x, y, 13)
    url = f"{TILES}/{tile.z}/{tile.x}/{tile.y}.mvt?province_code=92"
    h = world.h["supervisor"]
    first = client.get(url, headers=h)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    assert "max-age" in first.headers["Cache-Control"]
    assert "private" in first.headers["Cache-Control"]
    assert "Authorization" in first.headers["Vary"]
    again = client.get(url, headers={**h, "If-None-Match": f"W/{etag}"})
    assert again.status_code == 304 and again.data == b""

    b = world.sites["b"]
    sibling = next(f for v, f in world.findings if v.site == "b")
    session.add(Finding(inspection_id=sibling.inspection_id, site_id=b.id, item_code="X9",
                        severity="low", status="open", description="Vi phạm mới",
                        province_code="92", commune_code=b.commune_code))
    session.flush()
    changed = client.get(url, headers={**h, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    codes = [f["properties"]["item_code"]
             for f in mapbox_vector_tile.decode(changed.data)["findings"]["features"]]
    assert "X9" in codes


def test_a_tile_away_from_the_province_is_empty(world, client):
    resp = client.get(f"{TILES}/10/0/0.mvt?province_code=92", headers=world.h["supervisor"])
    assert resp.status_code == 200 and resp.data == b""
    assert mapbox_vector_tile.decode(resp.data) == {}


@pytest.mark.parametrize("path", ["23/0/0", "3/8/0", "3/0/8", "0/1/0"])
def test_a_tile_outside_the_pyramid_is_not_found(world, client, path):
    resp = client.get(f"{TILES}/{path}.mvt?province_code=92", headers=world.h["supervisor"])
    assert resp.status_code == 404
    assert resp.content_type == "application/problem+json"


def test_another_province_police_and_strangers_get_no_tiles(world, client):
    tile = tile_at(*world.points["a1"], 12)
    url = f"{TILES}/{tile.z}/{tile.x}/{tile.y}.mvt?province_code=92"
    assert client.get(url, headers=world.h["other"]).status_code == 404
    assert client.get(url, headers=world.h["police"]).status_code == 403
    assert client.get(url).status_code == 401
    bad = client.get(f"{TILES}/{tile.z}/{tile.x}/{tile.y}.mvt?province_code=92&severity=x",
                     headers=world.h["supervisor"])
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"


def test_zoom_sets_the_simplification_to_one_screen_pixel(world, client):
    h = world.h["supervisor"]

    def geometry(query: str):  # type: ignore[no-untyped-def]
        resp = client.get(f"{COMMUNES}?province_code=92&{query}", headers=h)
        assert resp.status_code == 200, resp.get_json()
        return {f["id"]: f["geometry"] for f in resp.get_json()["features"]}

    at_zoom = geometry("zoom=9")
    assert at_zoom == geometry(f"tolerance={degrees_per_pixel(9)!r}")
    vertices = lambda g: sum(len(shapely.get_coordinates(shape(x))) for x in g.values())  # noqa: E731
    assert vertices(geometry("zoom=14")) > vertices(at_zoom)
    assert geometry("zoom=2") == geometry("tolerance=0.05")  # capped at the map's maximum

    both = client.get(f"{COMMUNES}?province_code=92&zoom=9&tolerance=0.001", headers=h)
    assert both.status_code == 422 and "zoom" in str(both.get_json()["errors"])
    for bad in ("zoom=23", "zoom=-1", "zoom=x"):
        resp = client.get(f"{COMMUNES}?province_code=92&{bad}", headers=h)
        assert resp.status_code == 422 and resp.content_type == "application/problem+json"
