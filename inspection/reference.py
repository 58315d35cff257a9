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
