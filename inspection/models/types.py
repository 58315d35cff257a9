"""Column types shared by the models: JSON that is JSONB on PostgreSQL, SRID 4326 geometries."""

from geoalchemy2 import Geometry
from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB

JSONValue = JSON().with_variant(JSONB(), "postgresql")

SRID = 4326


def point() -> Geometry:
    return Geometry("POINT", srid=SRID, spatial_index=True)


def multipolygon() -> Geometry:
    return Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True)
