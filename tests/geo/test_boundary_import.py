"""Importing commune boundaries into both databases, point-in-commune on real shapes, and
re-deriving the communes of sites."""

from __future__ import annotations

import json

import pytest
import shapely
from geoalchemy2.shape import to_shape
from shapely.geometry import Point, shape
from sqlalchemy import func, select

from api.cli_geo import geo
from geo.boundaries import fold
from inspection import errors, reference
from inspection.models import AuditEntry, Commune, ReferenceDataset
from tests import factories
from tests.geo.conftest import CAN_THO_FILE, collection, feature, square

CAN_THO_SEA = (106.55, 9.35)  # the East Sea off Trần Đề
HAI_PHONG_CENTRE = (106.6822, 20.8449)


def _state(session, province_code="92"):
    """What an import could change: boundaries of the province, datasets, audit entries."""
    return (
        session.scalar(select(func.count()).select_from(Commune).where(
            Commune.province_code == province_code, Commune.geom.is_not(None))),
        session.scalar(select(func.count()).select_from(ReferenceDataset)),
        session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def _import(session, data, province_code="92", source="test.geojson", **kwargs):
    report = reference.check_boundaries(session, data, province_code=province_code,
                                        source=source)
    dataset = reference.import_boundaries(session, province_code=province_code,
                                          features_report=report, source=source, **kwargs)
    session.commit()  # as `kt1 units import-boundaries` does: its entries are chained
    return report, dataset


def test_can_tho_boundaries_import_and_locate_points_on_real_shapes(session, can_tho):
    report, dataset = _import(session, can_tho, source=CAN_THO_FILE.name)
    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in can_tho["features"]}

    assert (dataset.kind, dataset.province_code, dataset.source) == (
        "boundaries", "92", "92_can_tho_wards.geojson")
    assert dataset.version == report.digest and dataset.summary["ok"] == 103
    assert dataset.summary["repaired"] == 0  # the shapes are valid as published
    rows = session.scalars(select(Commune).where(Commune.province_code == "92")).all()
    assert len(rows) == 103
    assert all(c.has_boundary and c.boundary_source == CAN_THO_FILE.name for c in rows)
    assert {c.boundary_dataset_id for c in rows} == {dataset.id}
    stored = session.get(Commune, "31120")
    assert to_shape(stored.geom).equals_exact(shapes["31120"], 0)
    assert session.scalar(select(func.ST_SRID(Commune.geom)).where(
        Commune.code == "31120")) == 4326

    for code in sorted(shapes)[::9]:
        p = shapes[code].representative_point()
        inside = sorted(c for c, s in shapes.items() if s.intersects(p))
        assert code in inside
        assert reference.locate_commune(session, p.x, p.y) == inside[0]
    assert reference.locate_commune(session, *CAN_THO_SEA) is None
    assert not any(s.intersects(Point(CAN_THO_SEA)) for s in shapes.values())
    assert reference.locate_commune(session, *HAI_PHONG_CENTRE) is None


def test_a_point_on_a_shared_boundary_goes_to_the_lowest_code(session, can_tho):
    _import(session, can_tho)
    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in can_tho["features"]}
    # A vertex that Cái Khế (31120) shares with a neighbour.
    mine = {tuple(c) for c in shapely.get_coordinates(shapes["31120"])}
    neighbours = {code for code, s in shapes.items() if code != "31120"
                  and mine & {tuple(c) for c in shapely.get_coordinates(s)}}
    other = min(neighbours)
    x, y = sorted(mine & {tuple(c) for c in shapely.get_coordinates(shapes[other])})[0]
    on_edge = sorted(c for c, s in shapes.items() if s.intersects(Point(x, y)))
    assert len(on_edge) >= 2
    assert reference.locate_commune(session, x, y) == on_edge[0]
    assert reference.locate_commune(session, x, y) == on_edge[0]


def test_a_file_with_an_unrepairable_geometry_imports_nothing(session, can_tho):
    before = _state(session)
    line = {"type": "Polygon", "coordinates": [[[105.5, 10.0], [105.75, 10.25],
                                                [106.0, 10.5], [105.5, 10.0]]]}
    data = collection(*can_tho["features"][:3], feature("31150", line, fullName="Phường X"))

    with pytest.raises(errors.ValidationFailed) as raised:
        _import(session, data)

    assert _state(session) == before
    lines = raised.value.errors["features"]
    assert any(ln.startswith("#4 «Phường X» → 31150 bị từ chối") for ln in lines)
    assert raised.value.extra["report"]["rejected"] == 1


def test_a_file_with_an_unknown_code_or_another_province_imports_nothing(session, can_tho):
    before = _state(session)
    data = collection(*can_tho["features"][:3], feature("99999", square(105.7, 10.0)),
                      feature("11311", square(105.8, 10.0)))  # Hồng Bàng, Hải Phòng
    with pytest.raises(errors.ValidationFailed) as raised:
        _import(session, data)
    assert _state(session) == before
    text = "\n".join(raised.value.errors["features"])
    assert "#4 → 99999 không khớp đơn vị" in text
    assert "#5 → 11311 bị từ chối: mã 11311 (Phường Hồng Bàng) thuộc tỉnh/thành phố 31" in text


def test_allow_partial_imports_only_the_good_features(session, can_tho):
    data = collection(*can_tho["features"][:3], feature("99999", square(105.7, 10.0)))
    _, dataset = _import(session, data, allow_partial=True)
    assert _state(session)[0] == 3
    assert dataset.summary["partial"] is True and dataset.summary["unmatched"] == 1


def test_features_without_codes_import_by_name_with_or_without_diacritics(session, can_tho):
    named = []
    for i, f in enumerate(can_tho["features"][:4]):
        name = f["properties"]["fullName"]
        named.append({"type": "Feature", "geometry": f["geometry"],
                      "properties": {"name": fold(name) if i % 2 else name.upper()}})
    _import(session, collection(*named))
    located = set(session.scalars(select(Commune.code).where(Commune.geom.is_not(None),
                                                              Commune.province_code == "92")))
    assert located == {f["properties"]["code"] for f in can_tho["features"][:4]}


def test_hai_phong_boundaries_import_with_the_special_zones(session, hai_phong):
    report, _ = _import(session, hai_phong, province_code="31",
                              source="31_hai_phong_wards.geojson")
    assert report.counts()["ok"] == 114 and not report.missing
    zones = session.scalars(select(Commune).where(Commune.unit_type == "đặc khu",
                                                  Commune.province_code == "31")).all()
    assert sorted(z.name for z in zones) == ["Đặc khu Bạch Long Vĩ", "Đặc khu Cát Hải"]
    assert all(z.has_boundary for z in zones)
    assert reference.locate_commune(session, 107.7297, 20.1344) == "11948"  # Bạch Long Vĩ
    assert reference.locate_commune(session, *HAI_PHONG_CENTRE) is not None
    assert reference.locate_commune(session, 105.7469, 10.0452) is None  # Cần Thơ


def test_an_import_is_one_audit_entry_for_its_dataset(session):
    data = collection(feature("31120", square(105.7, 10.0)))
    before = session.scalar(select(func.max(AuditEntry.id))) or 0
    _, dataset = _import(session, data)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.id > before)).all()
    assert [(e.entity, e.action) for e in entries] == [("reference_datasets", "create")]
    assert entries[0].entity_id == str(dataset.id)
    assert entries[0].province_code == "92"
    assert entries[0].after == {"kind": "boundaries", "source": "test.geojson",
                                "version": dataset.version, "province_code": "92",
                                "summary": dataset.summary}


def test_importing_boundaries_rederives_the_communes_of_sites(session):
    inside = factories.SiteFactory(location=factories.point(105.705, 10.005))
    outside = factories.SiteFactory(location=factories.point(105.9, 10.2))
    elsewhere = factories.SiteFactory(location=factories.point(105.705, 10.005),
                                      province_code="31")
    kept = factories.SiteFactory(location=factories.point(105.95, 10.25),
                                 commune_code="31135")
    for site in (inside, outside):
        site.commune_code = "31150"
    session.flush()
    versions = {s.id: s.version for s in (inside, outside, elsewhere, kept)}

    _import(session, collection(feature("31120", square(105.7, 10.0)),
                                feature("31150", square(105.8, 10.0))))

    session.expire_all()
    assert inside.commune_code == "31120" and inside.version == versions[inside.id] + 1
    assert outside.commune_code is None  # 31150 has a boundary now and the point is not in it
    assert kept.commune_code == "31135" and kept.version == versions[kept.id]
    assert elsewhere.commune_code is None and elsewhere.version == versions[elsewhere.id]
    history = session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "sites", AuditEntry.entity_id == str(inside.id),
        AuditEntry.action == "update").order_by(AuditEntry.id)).all()
    assert history[-1].after["commune_code"] == "31120"


def test_the_cli_prints_the_report_and_refuses_a_bad_file(app, session, tmp_path, can_tho):
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(collection(can_tho["features"][0],
                                         feature("99999", square(105.7, 10.0)))),
                   encoding="utf-8")
    good = tmp_path / "good.geojson"
    good.write_text(json.dumps(collection(can_tho["features"][0])), encoding="utf-8")
    runner = app.test_cli_runner()

    refused = runner.invoke(geo, ["import-boundaries", str(bad), "--province", "92"])
    assert refused.exit_code == 1
    assert "#2 → 99999 không khớp đơn vị" in refused.output
    assert "không có gì được ghi" in refused.output
    assert _state(session)[0] == 0

    done = runner.invoke(geo, ["import-boundaries", str(good), "--province", "92"])
    assert done.exit_code == 0, done.output
    assert "Đã nhập 1 ranh giới" in done.output
    assert session.get(Commune, "31120").boundary_source == "good.geojson"

    partial = runner.invoke(geo, ["import-boundaries", str(bad), "--province", "92",
                                  "--allow-partial"])
    assert partial.exit_code == 0 and "Đã nhập 1 ranh giới" in partial.output
