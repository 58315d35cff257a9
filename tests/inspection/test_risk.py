"""The risk score on a small world whose right order is worked out by hand
(tests/inspection/risk_world.py), on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from inspection import errors, risk
from tests import factories
from tests.inspection.risk_world import ORDER, REASONS, SCORES, build

ON = date(2026, 12, 15)  # after 10 December: the 2026 reports count


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    return build(session, ON)


def names(world, ranked):  # type: ignore[no-untyped-def]
    by_id = {v: k for k, v in world.sites.items()}
    return [by_id[r.site_id] for r in ranked]


def test_the_sites_come_in_the_order_worked_out_by_hand(session, world):
    found = risk.compute(session, "92", on=ON)
    assert found.report_year == 2026
    assert names(world, found.sites) == ORDER
    for r in found.sites:
        name = names(world, [r])[0]
        assert r.score == SCORES[name]
        assert {x.code: x.points for x in r.reasons} == REASONS[name]
        assert all(x.text and x.text == x.text.strip() for x in r.reasons)


def test_reasons_say_why_in_vietnamese(session, world):
    found = {names(world, [r])[0]: r for r in risk.compute(session, "92", on=ON).sites}
    texts = {x.code: x.text for x in found["A1"].reasons}
    assert texts["open_findings"] == (
        "2 phát hiện chưa khắc phục xong (1 nghiêm trọng, 1 cao)")
    assert texts["overdue_findings"] == "1 phát hiện quá hạn khắc phục theo thông báo"
    b = {x.code: x.text for x in found["B"].reasons}
    assert b["annual_report_overdue"] == "Báo cáo năm 2026 về dịch vụ KT1 quá hạn 5 ngày"
    assert "400 ngày trước" in b["last_inspection"]
    assert {x.code: x.text for x in found["A2"].reasons}["staff_unvetted"] == (
        "2 người lao động KT1 chưa được thẩm tra")
    assert {x.code: x.text for x in found["C2"].reasons}["awaiting_review"] == (
        "2 phát hiện của phiên kiểm tra chưa được duyệt (chưa tính điểm)")


def test_communes_add_up_their_sites(session, world):
    found = risk.compute(session, "92", on=ON)
    top = [(c.code, c.score, c.sites, c.sites_at_risk) for c in found.communes[:3]]
    x, y, z = (world.communes[k] for k in "XYZ")
    assert top == [(x, 32, 2, 2), (y, 19, 1, 1), (z, 7, 3, 3)]
    assert found.communes[0].top_site_id == world.sites["A1"]
    assert len(found.communes) == 103 and all(c.score == 0 for c in found.communes[3:])


def test_a_kind_narrows_the_list_and_before_the_deadline_last_years_reports_count(
        session, world):
    users = risk.compute(session, "92", on=ON, kind="kt1_user")
    assert names(world, users.sites) == ["U"]
    early = risk.compute(session, "92", on=date(2026, 12, 10))
    assert early.report_year == 2025  # 10 December itself is still in time
    by_name = {names(world, [r])[0]: r for r in early.sites}
    # no 2025 reports at all: every provider organisation is overdue for 2025
    assert {x.code for x in by_name["A1"].reasons} >= {"annual_report_overdue"}
    assert not any(x.code.startswith("annual_report") for x in by_name["U"].reasons)


def test_who_may_assess(session, world):
    for role in ("supervisor", "admin", "police"):
        actor = factories.UserFactory(role=role)
        assert risk.assess(session, actor, province_code=None, on=ON).sites
    for role in ("inspector", "post"):
        with pytest.raises(errors.Forbidden):
            risk.assess(session, factories.UserFactory(role=role), province_code="92", on=ON)
    other = factories.UserFactory(role="supervisor", province_code="31")
    with pytest.raises(errors.NotFound):
        risk.assess(session, other, province_code="92", on=ON)
    national = factories.UserFactory(role="admin", province_code=None)
    with pytest.raises(errors.ValidationFailed):
        risk.assess(session, national, province_code=None, on=ON)
    assert [r.name for r in risk.assess(session, national, province_code="31", on=ON).sites] \
        == ["Bưu cục HP"]
