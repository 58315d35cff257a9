"""Reference data in the database: unit lists and commune boundaries, each load kept as a
dataset; point-in-commune on both backends; the read side of provinces and communes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, cast

from geoalchemy2 import functions as gf
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import (
    LargeBinary,
    Select,
    Table,
    bindparam,
    func,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, defer

from geo import boundaries, synthetic
from geo.boundaries import BoundaryReport, UnitRef
from geo.units import UnitList
from inspection import errors
from inspection.models import Commune, Province, ReferenceDataset, Site


def load_units(session: Session, units: UnitList) -> ReferenceDataset:
    """Insert or update every province and commune of `units` (idempotent, one flush).
    Units absent from the list are kept (codes are never reused) but not deleted.
    The dataset's summary says what changed: added, renamed, moved and absent units."""
    provinces = {p.code: p for p in session.scalars(select(Province))}
    communes = {c.code: c for c in session.scalars(select(Commune).options(defer(Commune.geom)))}
    dataset = ReferenceDataset(kind="units", source=units.source, version=units.version,
                               summary=_unit_changes(units, provinces, communes))
    session.add(dataset)
    session.flush()
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


def _unit_changes(units: UnitList, provinces: dict[str, Province],
                  communes: dict[str, Commune]) -> dict[str, Any]:
    listed = {u.code: (u, p.code) for p in units.provinces for u in p.communes}
    known = [(u, pc) for u, pc in listed.values() if u.code in communes]
    return {
        "provinces": len(units.provinces),
        "communes": units.commune_count,
        "provinces_added": sorted(p.code for p in units.provinces if p.code not in provinces),
        "provinces_renamed": sorted(p.code for p in units.provinces if p.code in provinces
                                    and provinces[p.code].name != p.name),
        "added": sum(1 for code in listed if code not in communes),
        "renamed": sorted(u.code for u, _ in known if communes[u.code].name != u.name),
        "moved": sorted(u.code for u, pc in known if communes[u.code].province_code != pc),
        "absent": sorted(code for code in communes if code not in listed),
    }


def units_loaded(session: Session) -> bool:
    return session.scalar(select(Province.code).limit(1)) is not None


def unit_refs(session: Session) -> list[UnitRef]:
    """Every commune, as the boundary matcher needs it."""
    rows = session.execute(select(Commune.code, Commune.name, Commune.province_code))
    return [UnitRef(code, name, pc) for code, name, pc in rows]


def check_boundaries(session: Session, collection: Any, *, province_code: str, source: str,
                     progress: Callable[[int], Any] | None = None) -> BoundaryReport:
    """Match a GeoJSON FeatureCollection against the communes in the database."""
    return boundaries.check_features(collection, province_code=province_code,
                                     units=unit_refs(session), source=source,
                                     progress=progress)


def import_boundaries(session: Session, *, province_code: str, features_report: BoundaryReport,
                      source: str, allow_partial: bool = False) -> ReferenceDataset:
    """Write the accepted geometries of `features_report` (SRID 4326) and re-derive the
    communes of the province's sites, in the caller's transaction. ValidationFailed, with
    nothing written, when a feature is rejected, unmatched or duplicated (unless
    `allow_partial`) or when a commune outside the province is referenced.
    Communes the file does not cover keep their boundary."""
    report = features_report
    _refuse_unless_importable(session, report, province_code=province_code, source=source,
                              allow_partial=allow_partial)
    dataset = ReferenceDataset(kind="boundaries", source=source, version=report.digest,
                               province_code=province_code,
                               summary={**report.summary(), "partial": report.refused})
    session.add(dataset)
    session.flush()
    _write_geometries(session, report, source=source, dataset_id=dataset.id)
    assign_communes(session, province_code)
    return dataset


def _refuse_unless_importable(session: Session, report: BoundaryReport, *, province_code: str,
                              source: str, allow_partial: bool) -> None:
    if session.get(Province, province_code) is None:
        raise errors.NotFound(f"Không tìm thấy tỉnh/thành phố {province_code}.")
    codes = {r.code for r in report.accepted if r.code is not None}
    inside = set(session.scalars(select(Commune.code).where(
        Commune.province_code == province_code, Commune.code.in_(codes))))
    if report.province_code != province_code or codes - inside:
        raise errors.ValidationFailed(
            f"Báo cáo ranh giới không thuộc tỉnh/thành phố {province_code}: "
            f"{', '.join(sorted(codes - inside)) or report.province_code}.")
    if report.accepted and (allow_partial or not report.refused):
        return
    why = ("có đối tượng bị từ chối, không khớp hoặc trùng; không có gì được ghi (nhập phần "
           "hợp lệ: --allow-partial)" if report.accepted else "không có ranh giới hợp lệ nào")
    raise errors.ValidationFailed(f"Không nhập ranh giới từ {source}: {why}.",
                                  errors={"features": report.lines()}, report=report.counts())


def _write_geometries(session: Session, report: BoundaryReport, *, source: str,
                      dataset_id: uuid.UUID) -> None:
    """One executemany UPDATE with WKB; ST_Multi keeps the MULTIPOLYGON column type."""
    table = cast(Table, Commune.__table__)
    wkb = func.ST_GeomFromWKB(bindparam("b_wkb", type_=LargeBinary), 4326)
    stmt = (update(table).where(table.c.code == bindparam("b_code"))
            .values(geom=func.ST_Multi(wkb), boundary_source=bindparam("b_source"),
                    boundary_dataset_id=bindparam("b_dataset")))
    session.execute(stmt, [{"b_code": r.code, "b_wkb": r.geometry.wkb, "b_source": source,
                            "b_dataset": dataset_id} for r in report.accepted
                           if r.geometry is not None])
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Commune):
            session.expire(obj)


def seed_synthetic_boundaries(session: Session, province_code: str) -> ReferenceDataset | None:
    """Store the demo world's synthetic cells (`boundary_source` "synthetic") for Cần Thơ or
    Hải Phòng. Idempotent: None, and nothing written, when the province already has them,
    or has real boundaries (never overwritten)."""
    sources = set(session.scalars(select(Commune.boundary_source)
                                  .where(Commune.province_code == province_code)))
    if not sources or sources - {None, synthetic.SOURCE} or sources == {synthetic.SOURCE}:
        return None
    codes = session.scalars(select(Commune.code).where(Commune.province_code == province_code))
    try:
        cells = synthetic.synthetic_cells(province_code, codes)
    except ValueError as exc:
        raise errors.ValidationFailed(str(exc)) from exc
    report = boundaries.report_from_geometries(synthetic.SOURCE, province_code, cells)
    return import_boundaries(session, province_code=province_code, features_report=report,
                             source=synthetic.SOURCE)


def locate_commune(session: Session, lon: float, lat: float, *,
                   province_code: str | None = None) -> str | None:
    """The code of the commune whose boundary contains the point (SRID 4326), or None;
    with `province_code`, only that province's communes are candidates.
    A point on a shared edge goes to the lowest code, so the answer is deterministic.
    SpatiaLite needs its R*Tree index queried explicitly; PostGIS uses GiST by itself."""
    pt = gf.ST_GeomFromText(f"POINT({float(lon)} {float(lat)})", 4326)
    stmt = select(Commune.code).where(Commune.geom.is_not(None),
                                      gf.ST_Intersects(Commune.geom, pt))
    if province_code is not None:
        stmt = stmt.where(Commune.province_code == province_code)
    if session.get_bind().dialect.name == "sqlite":
        candidates = text(
            "SELECT pkid FROM idx_communes_geom WHERE xmin <= :x AND xmax >= :x "
            "AND ymin <= :y AND ymax >= :y").bindparams(x=float(lon), y=float(lat))
        rowids = [r[0] for r in session.execute(candidates)]
        if not rowids:
            return None
        stmt = stmt.where(literal_column("communes.rowid").in_(rowids))
    return session.scalar(stmt.order_by(Commune.code).limit(1))


def province_outline_known(session: Session, province_code: str) -> bool:
    """Whether the province's whole outline is known: it has communes and every one of them
    has a boundary (an import with `--allow-partial` leaves holes where a point may be)."""
    total, drawn = session.execute(
        select(func.count(), func.count(Commune.geom))
        .where(Commune.province_code == province_code)).one()
    return bool(total) and total == drawn


def assign_communes(session: Session, province_code: str) -> int:
    """Re-derive `commune_code` of every located site of the province from its point; returns
    how many sites changed (each change is audited and bumps the site's version). A site
    outside every loaded boundary keeps its commune only if that commune has no boundary."""
    rows = session.execute(
        select(Site, gf.ST_X(Site.location), gf.ST_Y(Site.location))
        .where(Site.province_code == province_code, Site.location.is_not(None))).all()
    without_boundary = set(session.scalars(select(Commune.code).where(
        Commune.province_code == province_code, Commune.geom.is_(None))))
    changed = 0
    for site, lon, lat in rows:
        code = locate_commune(session, lon, lat, province_code=province_code)
        if code is None and site.commune_code in without_boundary:
            continue
        if code != site.commune_code:
            site.commune_code = code
            site.version += 1
            changed += 1
    session.flush()
    return changed


# --- the read side ------------------------------------------------------------------------

def provinces_select() -> Select[Any]:
    return select(Province).order_by(Province.code)


def communes_select(session: Session, *, province_code: str | None = None,
                    q: str | None = None) -> Select[Any]:
    """Communes by code, without their geometry; `q` matches names ignoring case, diacritics
    and the unit-type prefix."""
    stmt = select(Commune).options(defer(Commune.geom)).order_by(Commune.code)
    if province_code:
        stmt = stmt.where(Commune.province_code == province_code)
    if q and q.strip():
        wanted = boundaries.fold(q)
        names = session.execute(stmt.with_only_columns(Commune.code, Commune.name))
        stmt = stmt.where(Commune.code.in_([code for code, name in names
                                            if wanted in boundaries.fold(name)]))
    return stmt


def get_commune(session: Session, code: str) -> Commune:
    commune = session.get(Commune, code) if code.isascii() and code.isdigit() else None
    if commune is None:
        raise errors.NotFound(f"Không tìm thấy xã/phường có mã {code}.")
    return commune


def commune_detail(session: Session, code: str) -> dict[str, Any]:
    """A commune with its boundary as a GeoJSON geometry (None when none is loaded)."""
    c = get_commune(session, code)
    return {"code": c.code, "name": c.name, "unit_type": c.unit_type,
            "province_code": c.province_code, "has_boundary": c.geom is not None,
            "boundary_source": c.boundary_source,
            "geometry": mapping(to_shape(c.geom)) if c.geom is not None else None}
