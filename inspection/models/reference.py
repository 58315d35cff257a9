"""Provinces and communes (two-level units since 1 July 2025) and the datasets they came from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Computed, ForeignKey, String, select
from sqlalchemy.orm import Mapped, column_property, mapped_column

from inspection.db import Base, UTCDateTime, new_id, utcnow
from inspection.models.types import SRID, JSONValue, multipolygon

SIMPLIFIED_TOLERANCE = 0.0005
"""Degrees (about 55 m): the map's default simplification, kept by the database in
`Commune.geom_simplified` so the choropleth does not simplify on every request."""


class ReferenceDataset(Base):
    """One load of reference data: the unit list or a province's boundaries."""

    __tablename__ = "reference_datasets"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))  # units | boundaries
    source: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(50))
    province_code: Mapped[str | None] = mapped_column(String(2))
    summary: Mapped[dict[str, Any]] = mapped_column(JSONValue, default=dict)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __audited__ = ("kind", "source", "version", "province_code", "summary")


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_type: Mapped[str] = mapped_column(String(30))
    dataset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reference_datasets.id"))
    dataset_version: Mapped[str] = column_property(select(ReferenceDataset.version).where(
        ReferenceDataset.id == dataset_id).scalar_subquery())


class Commune(Base):
    __tablename__ = "communes"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_type: Mapped[str] = mapped_column(String(30))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    dataset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reference_datasets.id"))
    geom: Mapped[Any] = mapped_column(multipolygon(), nullable=True)
    boundary_source: Mapped[str | None] = mapped_column(String(200))
    boundary_dataset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reference_datasets.id"))
    # ST_SimplifyPreserveTopology(geom, SIMPLIFIED_TOLERANCE), computed by the database whenever
    # the row is written (stored on PostgreSQL, computed on read by SQLite); never loaded
    # unless asked for. Migration 0011.
    geom_simplified: Mapped[Any] = mapped_column(
        Geometry("GEOMETRY", srid=SRID, spatial_index=False),
        Computed(f"ST_SimplifyPreserveTopology(geom, {SIMPLIFIED_TOLERANCE})"),
        nullable=True, deferred=True)
    has_boundary: Mapped[bool] = column_property(geom.is_not(None))
