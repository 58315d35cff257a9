"""The supervisors' map as Mapbox Vector Tiles: a `communes` layer (polygons with the same
counts as the choropleth) and a `findings` layer (points at their site), for one province and
the map's filters.

PostGIS builds the whole tile itself (ST_TileEnvelope, ST_AsMVTGeom, ST_AsMVT). SpatiaLite has no
MVT encoder: the database transforms and clips the geometries to the tile's buffered box, and
`geo.tiles.encode` writes the protobuf. Both give the same features and properties.
"""

from __future__ import annotations

import uuid
from typing import Any

from geoalchemy2 import functions as gf
from sqlalchemy import Integer, Select, String, cast, func, literal_column, select
from sqlalchemy.orm import Session

from geo import tiles
from inspection import errors
from inspection.map.services import MAX_TOLERANCE, REVIEWED, MapFilters, check_province, with_counts
from inspection.models import Commune, Finding, Inspection, Site, User

MIMETYPE = "application/vnd.mapbox-vector-tile"
MAX_ZOOM = tiles.MAX_ZOOM
COMMUNES_LAYER = "communes"
FINDINGS_LAYER = "findings"
FINDING_PROPERTIES = ("id", "severity", "status", "item_code", "commune_code", "site_id",
                      "inspection_id", "inspection_status", "awaiting_review")


def tile_of(z: int, x: int, y: int) -> tiles.Tile:
    try:
        return tiles.Tile(z, x, y)
    except ValueError as exc:
        raise errors.NotFound(f"Không có ô bản đồ {z}/{x}/{y}.") from exc


def vector_tile(session: Session, actor: User, *, province_code: str, filters: MapFilters,
                tile: tiles.Tile) -> bytes:
    """The tile's bytes (empty when nothing of the province falls in it)."""
    check_province(session, actor, province_code)
    if session.get_bind().dialect.name == "postgresql":
        data = session.execute(_postgis_tile(province_code, filters, tile)).scalar_one()
        return bytes(data or b"")
    return _spatialite_tile(session, province_code, filters, tile)


# --- PostGIS: ST_AsMVT -------------------------------------------------------------------------

def _postgis_tile(province_code: str, filters: MapFilters, tile: tiles.Tile) -> Select[Any]:
    envelope = func.ST_TileEnvelope(tile.z, tile.x, tile.y)
    # The index filter: the tile with its buffer, in the columns' WGS84.
    search = gf.ST_Transform(func.ST_Expand(envelope, tile.size * tiles.BUFFER / tiles.EXTENT),
                             4326)

    def mvt_geom(geom: Any) -> Any:
        return func.ST_AsMVTGeom(gf.ST_Transform(geom, tiles.WEB_MERCATOR_SRID), envelope,
                                 tiles.EXTENT, tiles.BUFFER, True)

    communes = with_counts(
        select(cast(Commune.code, Integer).label("fid"), Commune.code, Commune.name,
               mvt_geom(Commune.geom).label("geom"))
        .where(Commune.province_code == province_code, Commune.geom.op("&&")(search)),
        province_code, filters).subquery("commune_rows")
    findings = (_findings_in(province_code, filters, ids_as_text=True)
                .add_columns(mvt_geom(Site.location).label("geom"))
                .where(Site.location.op("&&")(search))).subquery("finding_rows")
    return select(_layer(communes, COMMUNES_LAYER, "fid").op("||")(
        _layer(findings, FINDINGS_LAYER, None)))


def _layer(rows: Any, name: str, id_column: str | None) -> Any:
    kept = select(rows).where(rows.c.geom.is_not(None)).subquery(name)
    args = [kept.table_valued(), name, tiles.EXTENT, "geom"]
    if id_column:
        args.append(id_column)
    return select(func.coalesce(func.ST_AsMVT(*args), literal_column("''::bytea"))
                  ).scalar_subquery()


def _findings_in(province_code: str, filters: MapFilters, *, ids_as_text: bool = False
                 ) -> Select[*tuple[Any, ...]]:
    """The findings' properties; ST_AsMVT needs the UUIDs as text, Python gets UUIDs."""
    columns = (Finding.id, Finding.site_id, Finding.inspection_id)
    ids = ([cast(c, String).label(c.key) for c in columns] if ids_as_text else list(columns))
    return (select(ids[0], Finding.severity, Finding.status, Finding.item_code,
                   Finding.commune_code, ids[1], ids[2],
                   Inspection.status.label("inspection_status"),
                   (Inspection.status != REVIEWED).label("awaiting_review"))
            .join(Site, Site.id == Finding.site_id)
            .join(Inspection, Inspection.id == Finding.inspection_id)
            .where(Finding.province_code == province_code, Site.location.is_not(None),
                   filters.finding_clause())
            .order_by(Finding.created_at.desc(), Finding.id))


# --- SpatiaLite: clipped in the database, encoded here -------------------------------------------

def _spatialite_tile(session: Session, province_code: str, filters: MapFilters,
                     tile: tiles.Tile) -> bytes:
    minx, miny, maxx, maxy = tile.bounds(tiles.BUFFER)
    box = func.BuildMbr(minx, miny, maxx, maxy, tiles.WEB_MERCATOR_SRID)
    lon0, lat0, lon1, lat1 = tile.lon_lat_bounds(tiles.BUFFER)
    search = func.BuildMbr(lon0, lat0, lon1, lat1, 4326)

    clipped = func.ST_Intersection(gf.ST_Transform(Commune.geom, tiles.WEB_MERCATOR_SRID), box)
    commune_rows = session.execute(with_counts(
        select(Commune.code, Commune.name, func.AsBinary(clipped).label("wkb"))
        .where(Commune.province_code == province_code,
               func.MbrIntersects(Commune.geom, search) == 1),
        province_code, filters)).mappings()
    communes = [tiles.Feature.from_wkb(r["wkb"], {k: v for k, v in r.items() if k != "wkb"},
                                       int(r["code"]))
                for r in commune_rows if r["wkb"] is not None]

    point = gf.ST_Transform(Site.location, tiles.WEB_MERCATOR_SRID)
    finding_rows = session.execute(
        _findings_in(province_code, filters)
        .add_columns(func.AsBinary(point).label("wkb"))
        .where(func.MbrIntersects(Site.location, search) == 1,
               func.MbrIntersects(point, box) == 1)).mappings()
    findings = [tiles.Feature.from_wkb(r["wkb"],
                                       {k: _property(k, r[k]) for k in FINDING_PROPERTIES})
                for r in finding_rows]
    return tiles.encode(tile, [(COMMUNES_LAYER, communes), (FINDINGS_LAYER, findings)])



def _property(key: str, value: Any) -> Any:
    """As ST_AsMVT writes it: UUIDs as text, the flag as a boolean (SpatiaLite gives 0/1)."""
    if key == "awaiting_review":
        return bool(value)
    return str(value) if isinstance(value, uuid.UUID) else value


def tolerance_for_zoom(zoom: float) -> float:
    """The choropleth's simplification at a map zoom: one screen pixel, within the map's
    bounds (a coarser outline would show; a finer one would only weigh more)."""
    return min(MAX_TOLERANCE, tiles.degrees_per_pixel(zoom))
