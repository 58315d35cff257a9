"""geo.boundaries: matching features to communes, repairing and rejecting shapes (no database)."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import MultiPolygon, shape

from geo import boundaries
from tests.geo.conftest import collection, feature, square


def _check(unit_refs, *features, province_code="92"):
    return boundaries.check_features(collection(*features), province_code=province_code,
                                     units=unit_refs, source="test.geojson")


def test_the_real_can_tho_file_matches_every_commune_by_code(can_tho, unit_refs):
    report = _check(unit_refs, *can_tho["features"])
    assert report.counts() == {"features": 103, "ok": 103, "repaired": 0, "rejected": 0,
                               "unmatched": 0, "duplicate": 0, "missing": 0}
    assert not report.refused
    assert all(isinstance(r.geometry, MultiPolygon) and r.geometry.is_valid
               for r in report.results)
    assert report.lines()[0].startswith("test.geojson (tỉnh/thành phố 92): 103 đối tượng")


def test_the_report_digest_is_the_same_for_the_same_shapes(can_tho, unit_refs):
    first = _check(unit_refs, *can_tho["features"][:5])
    again = _check(unit_refs, *can_tho["features"][:5])
    other = _check(unit_refs, *can_tho["features"][1:6])
    assert first.digest == again.digest != other.digest


@pytest.mark.parametrize("properties, fid, expected", [
    ({"code": 31120}, None, "31120"),
    ({}, "31120", "31120"),
    ({"code": "6970"}, None, None),  # padded to 06970: Quảng Ninh, not Cần Thơ
])
def test_codes_come_from_properties_or_the_feature_id_zero_padded(
        unit_refs, properties, fid, expected):
    f = {"type": "Feature", "id": fid, "properties": properties,
         "geometry": square(105.7, 10.0)}
    result = _check(unit_refs, f).results[0]
    if expected:
        assert (result.code, result.status) == (expected, "ok")
    else:
        assert (result.code, result.status) == ("06970", "rejected")
        assert "thuộc tỉnh/thành phố 22, không phải 92" in result.reason


@pytest.mark.parametrize("name, code", [
    ("Phường Cái Khế", "31120"),       # exact
    ("Cái Khế", "31120"),              # exact, without the unit type
    ("PHƯỜNG CÁI KHẾ", "31120"),       # case
    ("phuong cai khe", "31120"),       # no diacritics
    ("Cai Khe", "31120"),              # no diacritics, no unit type
    ("Xã Hoả Lựu", "31338"),           # the other tone-mark style ("Hỏa Lựu" in the package)
    ("Thoi An Dong", "31174"),         # đ folds to d
    ("Đặc khu Cát Hải", None),         # a Hải Phòng name is not found in Cần Thơ
])
def test_features_without_a_code_match_by_name_within_the_province(unit_refs, name, code):
    result = _check(unit_refs, feature(None, square(105.7, 10.0), fullName=name)).results[0]
    assert result.code == code
    assert result.status == ("ok" if code else "unmatched")


def test_names_that_only_diacritics_tell_apart_match_exactly_or_not_at_all(unit_refs):
    # Hải Phòng has both "Xã Cẩm Giang" (10888) and "Xã Cẩm Giàng" (10903).
    report = _check(unit_refs, feature(None, square(106.2, 20.9), name="Cẩm Giàng"),
                    feature(None, square(106.3, 20.9), name="Xã Cẩm Giang"),
                    feature(None, square(106.4, 20.9), name="Cam Giang"),
                    province_code="31")
    assert [(r.code, r.status) for r in report.results] == [
        ("10903", "ok"), ("10888", "ok"), (None, "unmatched")]
    assert "khớp nhiều đơn vị (10888, 10903)" in report.results[2].reason


def test_a_self_intersecting_polygon_is_repaired_into_a_valid_multipolygon(unit_refs):
    bowtie = {"type": "Polygon", "coordinates": [[[105.70, 10.00], [105.72, 10.02],
                                                  [105.72, 10.00], [105.70, 10.02],
                                                  [105.70, 10.00]]]}
    result = _check(unit_refs, feature("31120", bowtie)).results[0]
    assert result.status == "repaired"
    assert "đường biên tự cắt" in result.reason
    assert result.geometry.geom_type == "MultiPolygon" and result.geometry.is_valid
    assert result.geometry.area == pytest.approx(0.0002)
    assert result.line() == "#1 → 31120 đã sửa: đường biên tự cắt tại 105.71 10.01"


@pytest.mark.parametrize("geometry, reason", [
    ({"type": "Polygon", "coordinates": [[[105.5, 10.0], [105.75, 10.25], [106.0, 10.5],
                                          [105.5, 10.0]]]}, "không sửa được"),
    ({"type": "Polygon", "coordinates": [[[105.7, 10.0], [105.8, 10.1], [105.7, 10.0]]]},
     "không sửa được (quá ít điểm"),
    ({"type": "Polygon", "coordinates": [[[105.7, 10.0], [105.8, 10.1]]]}, "không đọc được"),
    ({"type": "Polygon", "coordinates": "x"}, "không đọc được"),
    ({"type": "Point", "coordinates": [105.7, 10.0]}, "không phải vùng"),
    (square(587000, 1110000, 1000), "ngoài phạm vi"),  # metres (VN-2000), not degrees
    ({"type": "MultiPolygon", "coordinates": []}, "rỗng"),
    (None, "không có hình học"),
])
def test_unusable_geometries_are_rejected_with_a_reason(unit_refs, geometry, reason):
    result = _check(unit_refs, feature("31120", geometry)).results[0]
    assert result.status == "rejected" and result.geometry is None
    assert reason in result.reason
    assert result.code == "31120"


def test_an_unknown_code_is_unmatched_and_refuses_the_import(unit_refs):
    report = _check(unit_refs, feature("31120", square(105.7, 10.0)),
                    feature("99999", square(105.8, 10.0), fullName="Phường Không Có"))
    assert report.refused
    assert [r.status for r in report.results] == ["ok", "unmatched"]
    assert any("#2" in line and "99999" in line and "Phường Không Có" in line
               for line in report.lines())


def test_two_features_for_one_commune_are_both_duplicates(unit_refs):
    report = _check(unit_refs, feature("31120", square(105.7, 10.0)),
                    feature("31135", square(105.8, 10.0)),
                    feature(None, square(105.9, 10.0), name="Cái Khế"))
    assert [r.status for r in report.results] == ["duplicate", "ok", "duplicate"]
    assert "#3" in report.results[0].reason and "#1" in report.results[2].reason
    assert report.refused and report.counts()["duplicate"] == 2


def test_a_code_and_an_id_that_disagree_are_unmatched(unit_refs):
    f = {**feature("31120", square(105.7, 10.0)), "id": "31135"}
    result = _check(unit_refs, f).results[0]
    assert result.status == "unmatched" and "không thống nhất" in result.reason


def test_the_report_lists_communes_the_file_does_not_cover(can_tho, unit_refs):
    report = _check(unit_refs, *can_tho["features"][:100])
    assert len(report.missing) == 3 and not report.refused
    assert report.lines()[-1] == "Thiếu ranh giới: " + ", ".join(report.missing)


def test_a_z_coordinate_is_dropped(unit_refs):
    ring = [[105.7, 10.0, 3.0], [105.71, 10.0, 3.0], [105.71, 10.01, 3.0], [105.7, 10.0, 3.0]]
    result = _check(unit_refs, feature("31120", {"type": "Polygon", "coordinates": [ring]}))
    geom = result.results[0].geometry
    assert not shapely.has_z(geom) and geom.equals(shape(
        {"type": "MultiPolygon", "coordinates": [[[c[:2] for c in ring]]]}))


def test_a_file_that_is_not_a_feature_collection_is_refused(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(ValueError, match="FeatureCollection"):
        boundaries.load_geojson(path)
