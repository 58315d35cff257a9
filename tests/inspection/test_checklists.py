"""Built-in checklist content and the version lifecycle (draft, publish, retire)."""

from __future__ import annotations

import copy
import re
import unicodedata

import pytest
from sqlalchemy import func, select

from inspection import audit, errors
from inspection.checklists import builtin, services
from inspection.models import AuditEntry, Checklist
from inspection.models.checklists import REF_STATUSES

MD_IDS = ([f"A{n}" for n in range(1, 8)] + [f"B{n}" for n in range(1, 5)]
          + [f"C{n}" for n in range(1, 7)] + [f"D{n}" for n in range(1, 4)]
          + [f"E{n}" for n in range(1, 4)] + ["F1", "F2"] + [f"G{n}" for n in range(1, 5)]
          + ["H1", "H2"] + [f"I{n}" for n in range(1, 4)] + [f"J{n}" for n in range(1, 4)])
CLOSING = ["K1", "K2", "K3"]


def _version(session, code: str, version: int = 1) -> Checklist:  # type: ignore[no-untyped-def]
    checklist = session.scalar(select(Checklist).where(Checklist.code == code,
                                                       Checklist.version == version))
    return services.get_checklist(session, checklist.id)


def _items(checklist: Checklist) -> dict:  # type: ignore[type-arg]
    return {item.code: item for item in checklist.items()}


def _body(code: str = "TEST-CL", **overrides):  # type: ignore[no-untyped-def]
    body = {"code": code, "title": "Bảng kiểm tra thử", "target_kind": "kt1_provider",
            "sections": [{"code": "A", "title": "Phần A", "items": [
                {"code": "A1", "text": "Số người lao động", "answer_type": "number"},
                {"code": "A2", "text": "Số người đã thẩm tra", "answer_type": "number",
                 "compliant_when": {"gte_item": "A1"}, "severity": "critical",
                 "legal_refs": [{"instrument": "Quyết định 32/2025/QĐ-TTg", "article": None,
                                 "status": "unverified"}]},
            ]}]}
    body.update(overrides)
    return body


def test_the_provider_checklist_holds_every_item_of_the_domain_table(session):  # type: ignore[no-untyped-def]
    checklist = _version(session, "KT1-PROVIDER")
    items = _items(checklist)
    assert checklist.status == "retired" and checklist.target_kind == "kt1_provider"
    assert checklist.title == "Kiểm tra việc cung cấp dịch vụ bưu chính KT1"
    assert [s.code for s in checklist.sections] == list("ABCDEFGHIJK")
    assert len(MD_IDS) == 37 and set(MD_IDS + CLOSING) <= set(items)
    companions = {c for c in items if "." in c}
    directive = {"E4", "G5", "G6", "I4", "I5"}
    assert directive <= set(items)
    assert len(items) == 37 + 3 + len(companions) + len(directive) == 58
    for code in companions:
        assert code.split(".")[0] in items


def test_severities_photos_and_rules_match_the_domain_table_for_a_hand_checked_sample(session):  # type: ignore[no-untyped-def]
    items = _items(_version(session, "KT1-PROVIDER"))
    a4, b1, h2, k1 = items["A4"], items["B1"], items["H2"], items["K1"]
    assert (a4.severity, a4.photo_required, a4.answer_type) == ("critical", True, "yes_no_na")
    assert a4.text == ("Bưu gửi mang BMNN: bì ngoài đóng đúng dấu ký hiệu độ mật (A/B/C), không "
                       "thể hiện nội dung mật bên ngoài; Tuyệt mật có hai lớp bì")
    assert (b1.severity, b1.photo_required) == ("critical", True)
    assert (h2.severity, h2.photo_required, h2.compliant_when) == ("low", False,
                                                                   {"in": ["yes", "na"]})
    assert (k1.severity, k1.compliant_when, k1.answer_type) == (None, None, "text")
    assert (items["A3"].severity, items["A3"].photo_required) == ("medium", False)
    assert items["A6"].compliant_when == {"max": 0} and items["J1"].compliant_when == {"max": 0}
    assert (items["C1"].severity, items["C1"].compliant_when) == (None, None)
    assert items["C2"].compliant_when == {"gte_item": "C1"} and items["C2"].severity == "critical"
    assert items["C4"].compliant_when == {"gte_item": "C1"}
    assert items["G1"].compliant_when == {"gte_item": "G1.1"}
    assert items["G4"].compliant_when == {"gte_item": "G4.1"}
    assert items["A7"].compliant_when == {"gte_item": "A7.1"}
    assert items["B4"].compliant_when == {"gte_item": "B4.1"}
    assert items["I3"].compliant_when == {"gte_item": "I3.1"}
    assert (items["C5"].answer_type, items["C5"].severity) == ("yes_no_na", "medium")
    assert (items["C5.1"].answer_type, items["C5.1"].severity) == ("date", None)
    assert (items["I2.1"].answer_type, items["I2.1"].required) == ("date", False)
    photos = {code for code, item in items.items() if item.photo_required}
    assert photos == {"A2", "A4", "A5", "B1", "D1", "D2", "E1", "E2", "E3", "F1", "H1"}


@pytest.mark.parametrize("code", ["KT1-PROVIDER", "KT1-USER"])
def test_every_item_has_a_rule_exactly_when_it_has_a_severity(session, code):  # type: ignore[no-untyped-def]
    for item in _version(session, code).items():
        assert (item.severity is None) == (item.compliant_when is None), item.code


@pytest.mark.parametrize("code", ["KT1-PROVIDER", "KT1-USER"])
def test_legal_references_carry_a_known_status_and_superseded_texts_say_so(session, code):  # type: ignore[no-untyped-def]
    for item in _version(session, code).items():
        for ref in item.legal_refs:
            assert ref["status"] in REF_STATUSES, item.code
            if re.search(r"55/2016|16/2017|26/2020/NĐ-CP|29/2018", ref["instrument"]):
                assert ref["status"] == "superseded", (item.code, ref)
            if ref["status"] != "verified":
                assert ref["instrument"] in item.legal_basis


def test_an_article_the_table_marks_unverified_is_never_stored_as_verified(session):  # type: ignore[no-untyped-def]
    items = _items(_version(session, "KT1-PROVIDER"))
    for code in ("A1", "A2", "A6", "C2"):
        decision = [r for r in items[code].legal_refs if r["instrument"].startswith(
            "Quyết định 32/2025")]
        assert decision and all(r["status"] == "unverified" for r in decision), code
    assert "(chưa xác minh)" in items["A1"].legal_basis
    assert {r["status"] for r in items["A3"].legal_refs} == {"verified"}


@pytest.mark.parametrize(("code", "version"), [("KT1-PROVIDER", 1), ("KT1-PROVIDER", 2),
                                               ("KT1-USER", 1)])
def test_all_user_facing_text_is_nfc(session, code, version):  # type: ignore[no-untyped-def]
    checklist = _version(session, code, version)
    texts = [checklist.title] + [s.title for s in checklist.sections]
    for item in checklist.items():
        texts += [item.text, item.legal_basis]
        texts += [str(v) for ref in item.legal_refs for v in ref.values() if v]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


def test_the_user_checklist_holds_the_agency_duties_and_closing_items(session):  # type: ignore[no-untyped-def]
    checklist = _version(session, "KT1-USER")
    items = _items(checklist)
    assert checklist.target_kind == "kt1_user"
    assert checklist.title == "Kiểm tra việc sử dụng dịch vụ bưu chính KT1"
    assert list(items) == ["U1", "U2", "U3", "U4", "J1", "J2", "J3", "K1", "K2", "K3"]
    j1_sources = {r["instrument"].split(" ")[0] + " " + r["article"] for r in
                  items["J1"].legal_refs if r["status"] == "verified"}
    assert any("Mục 1 điểm b" in s for s in j1_sources) and any("Mục 4" in s for s in j1_sources)


def test_seeding_twice_creates_nothing_new(session):  # type: ignore[no-untyped-def]
    before = session.scalar(select(func.count()).select_from(Checklist))
    assert builtin.seed_builtin(session) == []
    assert session.scalar(select(func.count()).select_from(Checklist)) == before


def test_version_2_of_the_provider_checklist_adds_the_closing_items_the_record_prints(session):  # type: ignore[no-untyped-def]
    v1, v2 = _version(session, "KT1-PROVIDER", 1), _version(session, "KT1-PROVIDER", 2)
    assert (v1.status, v2.status) == ("retired", "published")
    assert [s.code for s in v2.sections] == list("ABCDEFGHIJKL")
    old, new = services.content(v1), services.content(v2)
    assert new["sections"][:-1] == old["sections"]
    closing = {i.code: i for i in v2.sections[-1].items}
    assert {c: (i.answer_type, i.required, i.severity, i.legal_basis, i.photo_required)
            for c, i in closing.items()} == {
        "L1": ("text", True, None, "", False), "L2": ("text", True, None, "", False),
        "L3": ("signature", False, None, "", False),
        "L4": ("signature", False, None, "", False),
        "L5": ("signature", False, None, "", False)}
    assert closing["L4"].text == "Chữ ký thành viên đoàn kiểm tra – Sở KH&CN"
    assert closing["L5"].text == "Chữ ký thành viên đoàn kiểm tra – Công an"
    assert all(i.compliant_when is None for i in closing.values())


def test_seeding_a_database_that_has_version_1_publishes_version_2_once(session):  # type: ignore[no-untyped-def]
    v2 = _version(session, "KT1-PROVIDER", 2)
    session.delete(v2)
    _version(session, "KT1-PROVIDER", 1).status = "published"
    session.flush()
    created = builtin.seed_builtin(session)
    assert [(c.code, c.version, c.status) for c in created] == [("KT1-PROVIDER", 2,
                                                                 "published")]
    assert _version(session, "KT1-PROVIDER", 1).status == "retired"
    assert [s.code for s in _version(session, "KT1-PROVIDER", 2).sections][-1] == "L"
    assert builtin.seed_builtin(session) == []


def test_version_1_pinned_by_a_running_campaign_stays_published_when_version_2_is_seeded(session):  # type: ignore[no-untyped-def]
    from datetime import date, timedelta

    from tests import factories

    session.delete(_version(session, "KT1-PROVIDER", 2))
    v1 = _version(session, "KT1-PROVIDER", 1)
    v1.status = "published"
    factories.CampaignFactory(checklist_id=v1.id, ends_on=date.today() + timedelta(days=30))
    session.flush()
    assert [c.version for c in builtin.seed_builtin(session)] == [2]
    assert _version(session, "KT1-PROVIDER", 1).status == "published"
    assert _version(session, "KT1-PROVIDER", 2).status == "published"


def test_a_new_version_of_a_code_gets_the_next_number_and_leaves_the_published_one_intact(session):  # type: ignore[no-untyped-def]
    current = _version(session, "KT1-PROVIDER", 2)
    fingerprint = services.fingerprint(current)
    sections = [{"code": "A", "title": "Chấp nhận bưu gửi KT1", "items": [
        {"code": "A1", "text": "Bưu gửi được kiểm tra trước khi chấp nhận",
         "answer_type": "yes_no_na", "compliant_when": {"in": ["yes", "na"]},
         "severity": "high"}]}]
    newer = services.create_version(session, code="KT1-PROVIDER", title=current.title,
                                    target_kind="kt1_provider", sections=sections)
    assert (newer.version, newer.status) == (3, "draft")
    services.publish(session, newer.id, retire_previous=True)
    session.expire_all()
    current = services.get_checklist(session, current.id)
    assert current.status == "retired" and len(current.items()) == 63
    assert services.get_checklist(session, newer.id).status == "published"
    current.status = "published"  # the content fingerprint covers everything but the status
    assert services.fingerprint(current) == fingerprint


def test_a_published_version_cannot_be_edited(session):  # type: ignore[no-untyped-def]
    v1 = _version(session, "KT1-USER")
    body = _body()
    with pytest.raises(errors.InvalidState):
        services.update_draft(session, v1.id, title="Sửa", target_kind="kt1_user",
                              sections=body["sections"])
    with pytest.raises(errors.InvalidState):
        services.publish(session, v1.id)


def test_a_draft_can_be_replaced_then_published_then_retired(session):  # type: ignore[no-untyped-def]
    body = _body()
    draft = services.create_version(session, **body)
    sections = copy.deepcopy(body["sections"])
    sections[0]["items"][0]["text"] = "Tổng số người lao động"
    services.update_draft(session, draft.id, title="Bảng sửa", target_kind="kt1_user",
                          sections=sections)
    session.expire_all()
    draft = services.get_checklist(session, draft.id)
    assert (draft.title, draft.target_kind) == ("Bảng sửa", "kt1_user")
    assert draft.item("A1").text == "Tổng số người lao động"
    published = services.publish(session, draft.id)
    assert published.published_at is not None
    assert services.retire(session, draft.id).status == "retired"
    with pytest.raises(errors.InvalidState):
        services.retire(session, draft.id)
    audit.chain_pending(session)
    actions = session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == "checklists", AuditEntry.entity_id == str(draft.id))
        .order_by(AuditEntry.id)).all()
    assert actions == ["create", "update", "update", "update"]


def test_a_stale_etag_is_refused(session):  # type: ignore[no-untyped-def]
    draft = services.create_version(session, **_body())
    with pytest.raises(errors.VersionMismatch):
        services.publish(session, draft.id, if_match=['"stale"'])
    assert services.publish(session, draft.id,
                            if_match=[services.fingerprint(draft)]).status == "published"


def test_content_is_stored_in_nfc(session):  # type: ignore[no-untyped-def]
    decomposed = unicodedata.normalize("NFD", "Kiểm tra bưu gửi")
    body = _body(title=decomposed)
    body["sections"][0]["items"][0]["text"] = decomposed
    draft = services.create_version(session, **body)
    assert draft.title == "Kiểm tra bưu gửi" and draft.item("A1").text == "Kiểm tra bưu gửi"


@pytest.mark.parametrize(("change", "field"), [
    (lambda b: b["sections"][0]["items"].append(dict(b["sections"][0]["items"][0])),
     "sections.0.items.2.code"),
    (lambda b: b["sections"][0]["items"][0].update(answer_type="yes_no"),
     "sections.0.items.0.answer_type"),
    (lambda b: b["sections"][0]["items"][1].update(severity="urgent"),
     "sections.0.items.1.severity"),
    (lambda b: b["sections"][0]["items"][1].update(severity=None),
     "sections.0.items.1.severity"),
    (lambda b: b["sections"][0]["items"][0].update(severity="low"),
     "sections.0.items.0.severity"),
    (lambda b: b["sections"][0]["items"][1].update(compliant_when={"gte_item": "Z9"}),
     "sections.0.items.1.compliant_when"),
    (lambda b: b["sections"][0]["items"][1]["legal_refs"][0].update(status="checked"),
     "sections.0.items.1.legal_refs.0.status"),
    (lambda b: b["sections"][0]["items"][1]["legal_refs"][0].update(effective_to="2026-02-30"),
     "sections.0.items.1.legal_refs.0.effective_to"),
    (lambda b: b["sections"][0]["items"][0].update(answer_type="choice"),
     "sections.0.items.0.choices"),
    (lambda b: b["sections"][0]["items"][0].update(choices=["a"]),
     "sections.0.items.0.choices"),
    (lambda b: b.update(code="có dấu"), "code"),
    (lambda b: b.update(target_kind="post"), "target_kind"),
    (lambda b: b.update(sections=[]), "sections"),
])
def test_invalid_content_is_refused_with_the_field_path(session, change, field):  # type: ignore[no-untyped-def]
    body = _body()
    change(body)
    with pytest.raises(errors.ValidationFailed) as caught:
        services.create_version(session, **body)
    assert field in caught.value.errors


def test_an_unknown_checklist_is_not_found(session):  # type: ignore[no-untyped-def]
    import uuid

    with pytest.raises(errors.NotFound):
        services.get_checklist(session, uuid.uuid4())


def test_a_draft_cites_the_register_by_id_and_publication_registers_a_new_citation(session):  # type: ignore[no-untyped-def]
    from inspection import legal
    from inspection.models import LegalReference

    decision = legal.reference_id("Quyết định 32/2025/QĐ-TTg", None)
    body = _body()
    body["sections"][0]["items"][1]["legal_refs"] = [
        {"id": str(decision)},
        {"instrument": "Thông tư 99/2026/TT-BKHCN", "article": "Đ.3", "status": "unverified"}]
    draft = services.create_version(session, **body)
    by_id, by_name = _items(draft)["A2"].legal_refs
    assert by_id == {"id": str(decision), "instrument": "Quyết định 32/2025/QĐ-TTg",
                     "article": None, "status": "verified"}  # the register says so
    new_id = legal.reference_id("Thông tư 99/2026/TT-BKHCN", "Đ.3")
    assert by_name["id"] == str(new_id)
    assert session.get(LegalReference, new_id) is None  # a draft registers nothing
    services.publish(session, draft.id)
    registered = session.get_one(LegalReference, new_id)
    assert (registered.label, registered.status) == ("Thông tư 99/2026/TT-BKHCN Đ.3",
                                                     "unverified")


def test_a_citation_of_an_id_the_register_lacks_is_refused_at_its_path(session):  # type: ignore[no-untyped-def]
    import uuid

    body = _body()
    body["sections"][0]["items"][1]["legal_refs"] = [{"id": str(uuid.uuid4())}]
    with pytest.raises(errors.ValidationFailed) as refused:
        services.create_version(session, **body)
    assert list(refused.value.errors or {}) == ["sections.0.items.1.legal_refs.0.id"]
