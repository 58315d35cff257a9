"""Reference data in the database: load a unit list, keeping the dataset it came from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.units import UnitList
from inspection.models import Commune, Province, ReferenceDataset


def load_units(session: Session, units: UnitList) -> ReferenceDataset:
    """Insert or update every province and commune of `units` (idempotent, one flush).
    Units absent from the list are kept (codes are never reused) but not deleted."""
    dataset = ReferenceDataset(kind="units", source=units.source, version=units.version,
                               summary={"provinces": len(units.provinces),
                                        "communes": units.commune_count})
    session.add(dataset)
    session.flush()
    provinces = {p.code: p for p in session.scalars(select(Province))}
    communes = {c.code: c for c in session.scalars(select(Commune))}
    for p in units.provinces:
        row = provinces.get(p.code)
        if row is None:
            session.add(Province(code=p.code, name=p.name, unit_type=p.unit_type,
                                 dataset_id=dataset.id))
        else:
            row.name, row.unit_type, row.dataset_id = p.name, p.unit_type, dataset.id
    session.flush()
    for p in units.provinces:
        for u in p.communes:
            c = communes.get(u.code)
            if c is None:
                session.add(Commune(code=u.code, name=u.name, unit_type=u.unit_type,
                                    province_code=p.code, dataset_id=dataset.id))
            else:
                c.name, c.unit_type, c.province_code = u.name, u.unit_type, p.code
                c.dataset_id = dataset.id
    session.flush()
    return dataset


def units_loaded(session: Session) -> bool:
    return session.scalar(select(Province.code).limit(1)) is not None


def locate_commune(session: Session, lon: float, lat: float) -> str | None:
    """The code of the commune whose boundary contains the point (SRID 4326), or None.
    A point on a shared edge goes to the lowest code, so the answer is deterministic.
    SpatiaLite needs its R*Tree index queried explicitly; PostGIS uses GiST by itself."""
    from geoalchemy2 import functions as gf
    from sqlalchemy import literal_column, text

    pt = gf.ST_GeomFromText(f"POINT({float(lon)} {float(lat)})", 4326)
    stmt = select(Commune.code).where(Commune.geom.is_not(None),
                                      gf.ST_Intersects(Commune.geom, pt))
    if session.get_bind().dialect.name == "sqlite":
        candidates = text(
            "SELECT pkid FROM idx_communes_geom WHERE xmin <= :x AND xmax >= :x "
            "AND ymin <= :y AND ymax >= :y").bindparams(x=float(lon), y=float(lat))
        rowids = [r[0] for r in session.execute(candidates)]
        if not rowids:
            return None
        stmt = stmt.where(literal_column("communes.rowid").in_(rowids))
    return session.scalar(stmt.order_by(Commune.code).limit(1))
