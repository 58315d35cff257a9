"""Issuing bodies of the 34 provinces, and choosing the signer of a document."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from inspection import errors, notices, signers
from inspection.models import Province
from tests import factories


def test_each_of_the_34_provinces_issues_as_its_own_department(session):
    provinces = session.scalars(select(Province).order_by(Province.code)).all()
    bodies = {p.code: notices.issuing_body(session, p.code) for p in provinces}
    assert len(bodies) == 34
    assert len({b.parent for b in bodies.values()}) == 34
    assert len({b.place for b in bodies.values()}) == 34
    for code, body in bodies.items():
        assert body.parent.startswith(("UBND TỈNH ", "UBND THÀNH PHỐ ")), code
        assert body.parent.endswith(body.place.upper()), code
        assert (body.name, body.abbreviation) == ("Sở Khoa học và Công nghệ", "SKHCN")
        assert not body.place.startswith(("Tỉnh ", "Thành phố ")) or code == "79"


@pytest.mark.parametrize(("code", "parent", "place"), [
    ("92", "UBND THÀNH PHỐ CẦN THƠ", "Cần Thơ"),
    ("31", "UBND THÀNH PHỐ HẢI PHÒNG", "Hải Phòng"),
    ("01", "UBND THÀNH PHỐ HÀ NỘI", "Hà Nội"),
    ("46", "UBND THÀNH PHỐ HUẾ", "Huế"),
    ("75", "UBND THÀNH PHỐ ĐỒNG NAI", "Đồng Nai"),
    ("79", "UBND THÀNH PHỐ HỒ CHÍ MINH", "Thành phố Hồ Chí Minh"),
    ("96", "UBND TỈNH CÀ MAU", "Cà Mau"),
    ("66", "UBND TỈNH ĐẮK LẮK", "Đắk Lắk"),
    ("22", "UBND TỈNH QUẢNG NINH", "Quảng Ninh"),
    ("24", "UBND TỈNH BẮC NINH", "Bắc Ninh"),
])
def test_the_header_and_the_date_line_place_of_a_province(session, code, parent, place):
    body = notices.issuing_body(session, code)
    assert (body.parent, body.place) == (parent, place)


def test_a_unit_list_naming_quang_ninh_a_province_is_taken_as_it_is(session):
    province = session.get(Province, "22")
    province.name = "Tỉnh Quảng Ninh"
    assert notices.issuing_body(session, "22").parent == "UBND TỈNH QUẢNG NINH"
    province.name = "Thành phố Quảng Ninh Mới"
    assert notices.issuing_body(session, "22").parent == "UBND THÀNH PHỐ QUẢNG NINH MỚI"


def test_the_named_signer_signs_when_active_and_of_the_province(session):
    chosen = factories.SignerFactory()
    factories.SignerFactory()
    assert signers.choose(session, province_code="92", signer_id=chosen.id) is chosen


@pytest.mark.parametrize("case", ["other province", "inactive", "unknown"])
def test_another_province_an_inactive_or_an_unknown_signer_is_refused(session, case):
    signer = {"other province": lambda: factories.SignerFactory(province_code="31"),
              "inactive": lambda: factories.SignerFactory(active=False),
              "unknown": lambda: None}[case]()
    with pytest.raises(errors.ValidationFailed, match="Chọn người ký") as refused:
        signers.choose(session, province_code="92",
                       signer_id=signer.id if signer else uuid.uuid4())
    assert "signer_id" in (refused.value.errors or {})


def test_without_a_choice_the_only_active_signer_signs(session):
    only = factories.SignerFactory()
    factories.SignerFactory(active=False)
    factories.SignerFactory(province_code="31")
    assert signers.choose(session, province_code="92", signer_id=None) is only


@pytest.mark.parametrize("active", [0, 2])
def test_without_a_choice_none_or_several_active_signers_is_a_422_asking_to_choose(
        session, active):
    for _ in range(active):
        factories.SignerFactory()
    with pytest.raises(errors.ValidationFailed, match="Chọn người ký") as refused:
        signers.choose(session, province_code="92", signer_id=None)
    assert refused.value.extra["active_signers"] == active


def test_each_of_the_34_provinces_prints_its_own_department_over_a_notice(session):
    from tests.workers.test_documents import pdf_text, sample_notice
    from workers.documents import model, render_notice_pdf

    for province in session.scalars(select(Province).order_by(Province.code)):
        body = notices.issuing_body(session, province.code)
        printed = " ".join(pdf_text(render_notice_pdf(sample_notice(body=model.IssuingBody(
            body.parent, body.name, body.abbreviation, body.place)))).split())
        assert f"{body.parent} SỞ KHOA HỌC VÀ CÔNG NGHỆ" in printed, province.code
        assert f"{body.place}, ngày 23 tháng 11 năm 2026" in printed, province.code
