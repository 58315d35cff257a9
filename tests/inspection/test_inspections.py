"""Inspections at the service level: idempotent creation, answers, submission, review,
listings and the location check."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from inspection import errors
from inspection.inspections import location, queries, services
from inspection.inspections.location import Fix
from inspection.models import Answer, AuditEntry, Finding, Inspection, Photo
from tests import factories

VN = timezone(timedelta(hours=7))
STARTED = datetime(2026, 5, 5, 8, 30, tzinfo=VN)
HERE = Fix(factories.CAN_THO[0], factories.CAN_THO[1], 12.0)
COMPLIANT = {"A1": "yes", "A2": "yes", "C1": 5, "C2": 5, "C5": "2026-01-15"}


@pytest.fixture
def world(session):
    inspector, police = factories.joint_team()
    site = factories.SiteFactory()
    checklist = factories.inspection_checklist()
    supervisor = factories.UserFactory(role="supervisor", agency="skhcn")
    return type("World", (), {"inspector": inspector, "police": police, "site": site,
                              "checklist": checklist, "supervisor": supervisor})


def create(session, world, actor=None, **over):
    kwargs = {"inspection_id": uuid.uuid4(), "site_id": world.site.id,
              "checklist_id": world.checklist.id, "started_at": STARTED, "location": HERE,
              "team": [world.inspector.id, world.police.id]}
    kwargs.update(over)
    return services.create_inspection(session, actor or world.inspector, **kwargs)


def answer(session, actor, inspection, code, value, note=None):
    current = session.scalar(select(Answer).where(Answer.inspection_id == inspection.id,
                                                  Answer.item_code == code))
    return services.put_answer(
        session, actor, inspection_id=inspection.id, item_code=code, value=value, note=note,
        answered_at=datetime.now(UTC), if_match=current.version if current else None,
        create_only=current is None)[0]


def answer_all(session, actor, inspection, values):
    for code, value in values.items():
        answer(session, actor, inspection, code, value)


def reread(session, model, ident):
    session.expire_all()
    return session.get(model, ident)


# --- creation --------------------------------------------------------------------------------

def test_creating_an_inspection_stores_a_draft_with_the_site_codes_and_a_utc_start(
        session, world):
    inspection, created = create(session, world)
    row = reread(session, Inspection, inspection.id)
    assert created is True
    assert (row.status, row.version, row.province_code) == ("draft", 1, "92")
    assert row.commune_code == world.site.commune_code
    assert row.started_at == STARTED and row.started_at.utcoffset() == timedelta(0)
    assert row.started_at.hour == 1
    assert {u.id for u in row.team} == {world.inspector.id, world.police.id}
    assert len(row.request_hash) == 64 and row.created_by == world.inspector.id
    assert location.lon_lat(row.location) == pytest.approx(factories.CAN_THO)


def test_creating_again_with_the_same_body_returns_the_stored_inspection_unchanged(
        session, world):
    ident = uuid.uuid4()
    first, _ = create(session, world, inspection_id=ident)
    audit_before = session.scalar(select(func.count()).select_from(AuditEntry))
    again, created = create(session, world, inspection_id=ident,
                            team=[world.police.id, world.inspector.id],
                            started_at=STARTED.astimezone(UTC))
    session.flush()
    assert created is False and again.id == first.id and again.version == 1
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert session.scalar(select(func.count()).select_from(Inspection)
                          .where(Inspection.id == ident)) == 1


def test_the_same_id_with_a_different_body_is_a_conflict(session, world):
    ident = uuid.uuid4()
    create(session, world, inspection_id=ident)
    with pytest.raises(errors.Conflict):
        create(session, world, inspection_id=ident, started_at=STARTED + timedelta(minutes=1))
    assert reread(session, Inspection, ident).started_at == STARTED


def test_a_provider_inspection_without_a_police_member_breaks_the_joint_team_rule(
        session, world):
    other_inspector = factories.UserFactory(role="inspector", agency="skhcn")
    with pytest.raises(errors.RuleViolation) as caught:
        create(session, world, team=[world.inspector.id, other_inspector.id])
    assert caught.value.errors == {"team": ["missing agency: police"]}
    assert session.scalar(select(func.count()).select_from(Inspection)) == 0


def test_a_user_agency_may_be_inspected_by_the_so_khcn_alone(session, world):
    agency_site = factories.SiteFactory(kind="kt1_user", organization="Sở Tư pháp")
    checklist = factories.inspection_checklist(target_kind="kt1_user")
    inspection, created = create(session, world, site_id=agency_site.id,
                                 checklist_id=checklist.id, team=[world.inspector.id])
    assert created and reread(session, Inspection, inspection.id).site_id == agency_site.id


def test_the_checklist_must_be_published_and_made_for_the_site_kind(session, world):
    draft = factories.inspection_checklist()
    draft.status = "draft"
    for_agencies = factories.inspection_checklist(target_kind="kt1_user")
    for checklist in (draft, for_agencies):
        with pytest.raises(errors.ValidationFailed) as caught:
            create(session, world, checklist_id=checklist.id)
        assert "checklist_id" in caught.value.errors


def test_a_site_of_another_province_is_not_found(session, world):
    hai_phong = factories.SiteFactory(province_code="31")
    with pytest.raises(errors.NotFound):
        create(session, world, site_id=hai_phong.id)


def test_the_creator_must_be_on_the_team_unless_a_supervisor(session, world):
    outsider = factories.UserFactory(role="inspector", agency="skhcn")
    with pytest.raises(errors.RuleViolation) as caught:
        create(session, world, actor=outsider)
    assert "team" in caught.value.errors
    inspection, created = create(session, world, actor=world.supervisor)
    assert created and reread(session, Inspection, inspection.id).created_by == world.supervisor.id


def test_post_office_staff_cannot_start_an_inspection(session, world):
    clerk = factories.UserFactory(role="post", agency="post")
    with pytest.raises(errors.Forbidden):
        create(session, world, actor=clerk)


def test_a_campaign_must_belong_to_the_province_of_the_site(session, world):
    own = factories.CampaignFactory(checklist_id=world.checklist.id)
    other = factories.CampaignFactory(province_code="31", checklist_id=world.checklist.id)
    inspection, _ = create(session, world, campaign_id=own.id)
    assert reread(session, Inspection, inspection.id).campaign_id == own.id
    with pytest.raises(errors.ValidationFailed) as caught:
        create(session, world, campaign_id=other.id)
    assert "campaign_id" in caught.value.errors


# --- answers ---------------------------------------------------------------------------------

def put(session, actor, inspection, code="A1", value="yes", **kw):
    return services.put_answer(session, actor, inspection_id=inspection.id, item_code=code,
                               value=value, answered_at=datetime.now(UTC), **kw)


def test_the_first_answer_needs_if_none_match_and_a_change_needs_the_current_version(
        session, world):
    inspection, _ = create(session, world)
    with pytest.raises(errors.PreconditionRequired):
        put(session, world.inspector, inspection)
    with pytest.raises(errors.VersionMismatch):
        put(session, world.inspector, inspection, if_match=1)
    first, created = put(session, world.inspector, inspection, create_only=True)
    assert created and first.version == 1
    with pytest.raises(errors.VersionMismatch):
        put(session, world.police, inspection, value="no", create_only=True)
    with pytest.raises(errors.PreconditionRequired):
        put(session, world.police, inspection, value="no")
    changed, created = put(session, world.police, inspection, value="no", note="Thiếu dấu",
                           if_match=1)
    assert not created and changed.version == 2
    with pytest.raises(errors.VersionMismatch):
        put(session, world.inspector, inspection, value="yes", if_match=1)
    row = reread(session, Answer, first.id)
    assert (row.value, row.note, row.version, row.answered_by) == (
        "no", "Thiếu dấu", 2, world.police.id)
    assert reread(session, Inspection, inspection.id).version == 1


def test_a_value_of_the_wrong_type_for_the_item_is_rejected_by_field(session, world):
    inspection, _ = create(session, world)
    for code, value in (("A1", "có"), ("C1", "5"), ("C1", True), ("C5", "15/01/2026"),
                        ("H1", "khác"), ("K1", 12)):
        with pytest.raises(errors.ValidationFailed) as caught:
            put(session, world.inspector, inspection, code=code, value=value, create_only=True)
        assert list(caught.value.errors) == ["value"]
    assert session.scalar(select(func.count()).select_from(Answer)) == 0


def test_an_unknown_item_is_not_found(session, world):
    inspection, _ = create(session, world)
    with pytest.raises(errors.NotFound):
        put(session, world.inspector, inspection, code="Z9", create_only=True)


def test_only_field_members_of_the_team_answer(session, world):
    inspection, _ = create(session, world)
    for outsider in (factories.UserFactory(role="inspector"), world.supervisor):
        with pytest.raises(errors.Forbidden):
            put(session, outsider, inspection, create_only=True)
    # Another province, and the post office itself before review, do not even see it.
    for stranger in (factories.UserFactory(province_code="31"),
                     factories.UserFactory(role="post", agency="post",
                                           organization=world.site.organization)):
        with pytest.raises(errors.NotFound):
            put(session, stranger, inspection, create_only=True)


def test_two_members_answer_different_items_without_conflict(session, world):
    inspection, _ = create(session, world)
    a, _ = put(session, world.inspector, inspection, code="A1", create_only=True)
    b, _ = put(session, world.police, inspection, code="C1", value=4, create_only=True)
    rows = session.scalars(select(Answer).where(Answer.inspection_id == inspection.id)
                           .order_by(Answer.item_code)).all()
    assert [(r.item_code, r.value, r.version) for r in rows] == [("A1", "yes", 1), ("C1", 4, 1)]
    assert {a.answered_by, b.answered_by} == {world.inspector.id, world.police.id}


def test_a_first_answer_racing_another_is_a_version_mismatch_and_keeps_the_winner(
        session, world, monkeypatch):
    """Two members answer the same item at once; both read no answer, the second insert hits
    the unique item: it is told to reload (no savepoint: the request then rolls back)."""
    inspection, _ = create(session, world)
    put(session, world.inspector, inspection, code="A1", value="yes", create_only=True)
    session.commit()
    monkeypatch.setattr(services, "_locked_answer", lambda *_args: None)  # read before it
    with pytest.raises(errors.VersionMismatch, match="vừa được người khác trả lời"):
        put(session, world.police, inspection, code="A1", value="no", create_only=True)
    session.rollback()
    [row] = session.scalars(select(Answer).where(Answer.inspection_id == inspection.id)).all()
    assert (row.item_code, row.value, row.version, row.answered_by) == (
        "A1", "yes", 1, world.inspector.id)


def test_the_first_answer_keeps_the_clients_id_which_may_not_be_reused(session, world):
    inspection, _ = create(session, world)
    ident = uuid.uuid4()
    put(session, world.inspector, inspection, code="A1", answer_id=ident, create_only=True)
    assert reread(session, Answer, ident).item_code == "A1"
    with pytest.raises(errors.Conflict):
        put(session, world.inspector, inspection, code="A2", answer_id=ident, create_only=True)


def test_answers_are_refused_once_the_inspection_is_submitted(session, world):
    inspection, _ = create(session, world)
    answer_all(session, world.inspector, inspection, COMPLIANT)
    services.submit(session, world.inspector, inspection_id=inspection.id, if_match=1)
    with pytest.raises(errors.InvalidState):
        put(session, world.inspector, inspection, code="K1", value="Đồng ý", create_only=True)


# --- submission ------------------------------------------------------------------------------

def test_submitting_lists_every_missing_required_answer_and_every_missing_photo(
        session, world):
    inspection, _ = create(session, world)
    answer(session, world.inspector, inspection, "A2", "no")
    answer(session, world.inspector, inspection, "C1", None)
    session.add(Photo(inspection_id=inspection.id, item_code="A2", sha256="a" * 64,
                      status="processing"))
    session.add(Photo(inspection_id=inspection.id, item_code="A1", sha256="b" * 64,
                      status="ready"))
    session.flush()
    with pytest.raises(errors.ValidationFailed) as caught:
        services.submit(session, world.inspector, inspection_id=inspection.id, if_match=1)
    assert caught.value.extra == {"missing_answers": ["A1", "C1", "C2", "C5"],
                                  "missing_photos": ["A2"]}
    assert set(caught.value.errors) == {"A1", "A2", "C1", "C2", "C5"}
    row = reread(session, Inspection, inspection.id)
    assert (row.status, row.version, row.submitted_at) == ("draft", 1, None)


def test_a_ready_photo_of_the_item_is_the_evidence_a_non_compliant_answer_needs(
        session, world):
    inspection, _ = create(session, world)
    answer_all(session, world.inspector, inspection, {**COMPLIANT, "A2": "no"})
    session.add(Photo(inspection_id=inspection.id, item_code="A2", sha256="c" * 64,
                      status="ready"))
    session.flush()
    submitted = services.submit(session, world.police, inspection_id=inspection.id, if_match=1)
    row = reread(session, Inspection, submitted.id)
    assert (row.status, row.version) == ("submitted", 2) and row.submitted_at is not None


def test_submitting_needs_the_current_version_and_a_member_or_supervisor(session, world):
    inspection, _ = create(session, world)
    answer_all(session, world.inspector, inspection, COMPLIANT)
    with pytest.raises(errors.PreconditionRequired):
        services.submit(session, world.inspector, inspection_id=inspection.id, if_match=None)
    with pytest.raises(errors.VersionMismatch):
        services.submit(session, world.inspector, inspection_id=inspection.id, if_match=7)
    with pytest.raises(errors.Forbidden):
        services.submit(session, factories.UserFactory(), inspection_id=inspection.id,
                        if_match=1)
    services.submit(session, world.supervisor, inspection_id=inspection.id, if_match=1)
    with pytest.raises(errors.InvalidState):
        services.submit(session, world.inspector, inspection_id=inspection.id, if_match=2)
    assert reread(session, Inspection, inspection.id).status == "submitted"


def test_submitting_derives_a_finding_per_non_compliant_answer_with_the_items_legal_basis(
        session, world):
    inspection, _ = create(session, world)
    answer_all(session, world.inspector, inspection,
               {**COMPLIANT, "A1": "no", "C1": 8, "C2": 6, "H1": "thiếu", "K1": "Không"})
    answer(session, world.inspector, inspection, "A1", "no", note="Dấu ngày bị mờ")
    services.submit(session, world.inspector, inspection_id=inspection.id, if_match=1)
    session.expire_all()
    rows = {f.item_code: f for f in session.scalars(
        select(Finding).where(Finding.inspection_id == inspection.id))}
    assert sorted(rows) == ["A1", "C2", "H1"]
    a1, c2 = rows["A1"], rows["C2"]
    assert (a1.severity, a1.legal_basis, a1.status) == ("high", "NĐ 174/2026/NĐ-CP Đ.9(1)",
                                                        "open")
    assert a1.legal_refs == [{"instrument": "Nghị định 174/2026/NĐ-CP", "article": "9(1)",
                              "status": "verified"}]
    assert a1.description == ("Chưa bảo đảm yêu cầu “Dấu ngày, thời gian chấp nhận thể hiện "
                              "đúng trên bưu gửi”. Ghi nhận của Đoàn kiểm tra: Dấu ngày bị mờ")
    assert (c2.severity, c2.legal_basis) == ("critical", "QĐ 32/2025/QĐ-TTg")
    assert (c2.site_id, c2.province_code, c2.commune_code) == (
        world.site.id, "92", world.site.commune_code)
    assert rows["H1"].severity == "low"


def test_vetted_staff_at_least_the_staff_is_compliant(session, world):
    inspection, _ = create(session, world)
    answer_all(session, world.inspector, inspection, {**COMPLIANT, "C1": 6, "C2": 7})
    services.submit(session, world.inspector, inspection_id=inspection.id, if_match=1)
    assert session.scalar(select(func.count()).select_from(Finding)
                          .where(Finding.inspection_id == inspection.id)) == 0


def test_a_resubmission_keeps_still_failing_findings_drops_fixed_open_ones_and_adds_new(
        session, world):
    inspection, _ = create(session, world)
    answer_all(session, world.inspector, inspection,
               {**COMPLIANT, "A1": "no", "C2": 3, "H1": "thiếu"})
    services.submit(session, world.inspector, inspection_id=inspection.id, if_match=1)
    before = {f.item_code: f.id for f in session.scalars(select(Finding))}
    h1 = session.get(Finding, before["H1"])
    h1.status = "dismissed"
    services.review(session, world.supervisor, inspection_id=inspection.id, decision="return",
                    comment="Kiểm tra lại số người đã thẩm tra", if_match=2)
    answer(session, world.inspector, inspection, "C2", 5)
    answer(session, world.inspector, inspection, "H1", "đầy đủ")
    answer(session, world.inspector, inspection, "A2", "na")
    answer(session, world.inspector, inspection, "C5", "2026-01-15")
    answer(session, world.inspector, inspection, "K1", "Đơn vị cam kết khắc phục")
    answer(session, world.police, inspection, "C1", 9)
    services.submit(session, world.police, inspection_id=inspection.id, if_match=3)
    session.expire_all()
    after = {f.item_code: f for f in session.scalars(select(Finding))}
    assert sorted(after) == ["A1", "C2", "H1"]
    assert after["A1"].id == before["A1"]
    assert after["C2"].id == before["C2"]  # 5 vetted of 9 staff: still failing
    assert after["H1"].status == "dismissed"  # a supervisor's decision is kept
    row = session.get(Inspection, inspection.id)
    assert (row.status, row.version) == ("submitted", 4)

    services.review(session, world.supervisor, inspection_id=inspection.id, decision="return",
                    comment="Bổ sung", if_match=4)
    answer(session, world.inspector, inspection, "A1", "yes")
    answer(session, world.inspector, inspection, "C2", 9)
    answer(session, world.inspector, inspection, "A2", "no")
    session.add(Photo(inspection_id=inspection.id, item_code="A2", sha256="d" * 64,
                      status="ready"))
    services.submit(session, world.inspector, inspection_id=inspection.id, if_match=5)
    session.expire_all()
    final = {f.item_code: f for f in session.scalars(select(Finding))}
    assert sorted(final) == ["A2", "H1"]
    assert final["A2"].severity == "critical" and final["A2"].status == "open"


# --- review ----------------------------------------------------------------------------------

def submitted(session, world):
    inspection, _ = create(session, world)
    answer_all(session, world.inspector, inspection, COMPLIANT)
    services.submit(session, world.inspector, inspection_id=inspection.id, if_match=1)
    return inspection


def test_a_supervisor_approves_a_submitted_inspection(session, world):
    inspection = submitted(session, world)
    services.review(session, world.supervisor, inspection_id=inspection.id,
                    decision="approve", comment=None, if_match=2)
    row = reread(session, Inspection, inspection.id)
    assert (row.status, row.version, row.reviewed_by) == ("approved", 3, world.supervisor.id)
    with pytest.raises(errors.InvalidState):
        services.review(session, world.supervisor, inspection_id=inspection.id,
                        decision="return", comment="Sai", if_match=3)


def test_returning_needs_a_comment_and_keeps_it(session, world):
    inspection = submitted(session, world)
    with pytest.raises(errors.ValidationFailed) as caught:
        services.review(session, world.supervisor, inspection_id=inspection.id,
                        decision="return", comment="  ", if_match=2)
    assert list(caught.value.errors) == ["comment"]
    services.review(session, world.supervisor, inspection_id=inspection.id, decision="return",
                    comment="Thiếu ảnh niêm phong", if_match=2)
    row = reread(session, Inspection, inspection.id)
    assert (row.status, row.review_comment, row.version) == (
        "returned", "Thiếu ảnh niêm phong", 3)


def test_only_a_supervisor_of_the_province_reviews(session, world):
    inspection = submitted(session, world)
    with pytest.raises(errors.Forbidden):
        services.review(session, world.inspector, inspection_id=inspection.id,
                        decision="approve", comment=None, if_match=2)
    other = factories.UserFactory(role="supervisor", province_code="31")
    with pytest.raises(errors.NotFound):
        services.review(session, other, inspection_id=inspection.id, decision="approve",
                        comment=None, if_match=2)
    assert reread(session, Inspection, inspection.id).status == "submitted"


# --- reading ---------------------------------------------------------------------------------

def test_another_provinces_inspection_is_not_found(session, world):
    inspection, _ = create(session, world)
    assert services.find_inspection(session, factories.UserFactory(province_code="31"),
                                    inspection.id) is None
    with pytest.raises(errors.NotFound):
        services.get_inspection(session, factories.UserFactory(province_code="31"),
                                inspection.id)


def test_listings_are_scoped_to_the_province_and_a_post_offices_own_sites(session, world):
    mine, _ = create(session, world)
    other_org = factories.SiteFactory(organization="Bưu điện tỉnh khác")
    theirs, _ = create(session, world, site_id=other_org.id,
                       started_at=STARTED + timedelta(days=3))
    hai_phong_inspector, hai_phong_police = factories.joint_team("31")
    hp_site = factories.SiteFactory(province_code="31")
    services.create_inspection(
        session, hai_phong_inspector, inspection_id=uuid.uuid4(), site_id=hp_site.id,
        checklist_id=world.checklist.id, started_at=STARTED, location=HERE,
        team=[hai_phong_inspector.id, hai_phong_police.id])
    clerk = factories.UserFactory(role="post", agency="post",
                                  organization=world.site.organization)

    def ids(actor, **filters):
        return [i.id for i in session.scalars(queries.list_inspections(actor, **filters))]

    assert ids(world.supervisor) == [theirs.id, mine.id]
    assert ids(clerk) == []  # a post office sees nothing before review
    mine.status = theirs.status = "approved"
    session.flush()
    assert ids(clerk) == [mine.id]
    assert ids(factories.UserFactory(role="post", agency="post")) == []
    assert ids(world.supervisor, site_id=world.site.id) == [mine.id]
    assert ids(world.supervisor, started_from=STARTED + timedelta(days=1)) == [theirs.id]
    assert ids(world.supervisor, started_before=STARTED + timedelta(days=1)) == [mine.id]
    assert ids(world.supervisor, status="submitted") == []
    assert ids(world.supervisor, status="approved") == [theirs.id, mine.id]


def test_the_location_check_is_ok_near_the_site_far_beyond_the_radius_and_no_fix_without_gps(
        session, world):
    site = world.site.location
    lon, lat = factories.CAN_THO

    def check(fix):
        return location.location_check(site, location.to_point(fix),
                                       fix.accuracy_m if fix else None,
                                       far_radius_m=300, max_accuracy_m=1000)

    near = check(Fix(lon, lat + 0.002, 20.0))  # ≈ 222 m
    assert near.status == "ok" and near.distance_m == pytest.approx(222.4, abs=0.5)
    assert check(Fix(lon, lat + 0.004, 20.0)).status == "far"  # ≈ 445 m
    assert check(Fix(lon, lat + 0.004, 200.0)).status == "ok"  # could have been inside
    assert check(Fix(lon, lat, None)).status == "no_fix"
    assert check(Fix(lon, lat, 1500.0)).status == "no_fix"
    assert check(None) == location.LocationCheck(None, None, "no_fix", 300)
    assert location.location_check(None, location.to_point(HERE), 5.0, far_radius_m=300,
                                   max_accuracy_m=1000).status == "no_fix"
