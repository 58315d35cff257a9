"""Synthetic boundaries of the demo world: deterministic Voronoi cells inside each city's box."""

from __future__ import annotations

import pytest
import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from geo import synthetic
from inspection import errors, reference
from inspection.models import Commune, ReferenceDataset


def _codes(unit_refs, province_code):
    return [u.code for u in unit_refs if u.province_code == province_code]


@pytest.mark.parametrize("province_code, count", [("92", 103), ("31", 114)])
def test_synthetic_cells_tile_the_box_one_valid_polygon_per_commune(
        unit_refs, province_code, count):
    codes = _codes(unit_refs, province_code)
    cells = synthetic.synthetic_cells(province_code, codes)
    box = shapely.box(*synthetic.BBOXES[province_code])

    assert sorted(cells) == sorted(codes) and len(cells) == count
    assert all(c.geom_type == "MultiPolygon" and len(c.geoms) == 1 and c.is_valid
               and c.area > 0 and box.covers(c) for c in cells.values())
    geoms = list(cells.values())
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    assert all(geoms[a].intersection(geoms[b]).area == 0 for a, b in zip(left, right, strict=True)
               if a != b)
    assert shapely.union_all(geoms).area == pytest.approx(box.area)


def test_synthetic_cells_are_the_same_on_every_run(unit_refs):
    codes = _codes(unit_refs, "92")
    first = synthetic.synthetic_cells("92", codes)
    again = synthetic.synthetic_cells("92", list(reversed(codes)))
    assert all(first[c].equals_exact(again[c], 0) for c in codes)
    assert first["31120"].wkt == again["31120"].wkt


@pytest.mark.parametrize("province_code, data", [("92", "can_tho"), ("31", "hai_phong")])
def test_the_boxes_hold_the_real_city(request, province_code, data):
    features = request.getfixturevalue(data)["features"]
    minx, miny, maxx, maxy = synthetic.BBOXES[province_code]
    bounds = [shapely.geometry.shape(f["geometry"]).bounds for f in features
              if f["properties"]["code"] != "11948"]  # Bạch Long Vĩ, far out at sea
    assert minx <= min(b[0] for b in bounds) and max(b[2] for b in bounds) <= maxx
    assert miny <= min(b[1] for b in bounds) and max(b[3] for b in bounds) <= maxy
    assert maxx - max(b[2] for b in bounds) < 0.05 and min(b[1] for b in bounds) - miny < 0.05


def test_a_province_without_a_box_has_no_synthetic_cells():
    with pytest.raises(ValueError, match="01"):
        synthetic.synthetic_cells("01", ["00004"])


def test_seeding_synthetic_boundaries_marks_them_and_locates_each_cell(session, unit_refs):
    dataset = reference.seed_synthetic_boundaries(session, "92")

    assert (dataset.kind, dataset.source, dataset.province_code) == (
        "boundaries", "synthetic", "92")
    rows = session.scalars(select(Commune).where(Commune.province_code == "92")).all()
    assert len(rows) == 103 and all(c.boundary_source == "synthetic" for c in rows)
    cells = synthetic.synthetic_cells("92", _codes(unit_refs, "92"))
    for c in rows:
        assert to_shape(c.geom).equals_exact(cells[c.code], 0)
    for code, cell in cells.items():
        p = cell.representative_point()
        assert reference.locate_commune(session, p.x, p.y) == code


def test_seeding_synthetic_boundaries_twice_changes_nothing(session):
    reference.seed_synthetic_boundaries(session, "31")
    count = session.scalar(select(func.count()).select_from(ReferenceDataset))
    assert reference.seed_synthetic_boundaries(session, "31") is None
    assert session.scalar(select(func.count()).select_from(ReferenceDataset)) == count


def test_synthetic_boundaries_never_replace_real_ones(session, can_tho):
    report = reference.check_boundaries(session, can_tho, province_code="92", source="real")
    reference.import_boundaries(session, province_code="92", features_report=report,
                                source="real")
    assert reference.seed_synthetic_boundaries(session, "92") is None
    assert set(session.scalars(select(Commune.boundary_source).where(
        Commune.province_code == "92"))) == {"real"}


def test_seeding_a_province_without_a_box_is_refused(session):
    with pytest.raises(errors.ValidationFailed):
        reference.seed_synthetic_boundaries(session, "01")
