"""The register of legal references and what a finding may cite on its violation's date:
with the register the domain material gives (a new database's, the demo's)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from inspection import errors, legal
from inspection.checklists import builtin
from inspection.models import Checklist, LegalReference
from tests import factories
from tests.legal_world import real_register

ND174 = "Nghị định 174/2026/NĐ-CP"
ND15 = "Nghị định 15/2020/NĐ-CP"
LUAT29 = "Luật Bảo vệ bí mật nhà nước 29/2018/QH14"
AFTER = date(2026, 12, 7)
BEFORE_174 = date(2026, 3, 15)
BEFORE_117 = date(2026, 1, 15)


@pytest.fixture
def provider(session):  # type: ignore[no-untyped-def]
    real_register(session)
    return session.scalar(select(Checklist).where(Checklist.code == "KT1-PROVIDER",
                                                  Checklist.status == "published"))


def cite(checklist, code, on, province_code="92"):  # type: ignore[no-untyped-def]
    session = factories.UserFactory._meta.sqlalchemy_session
    item = checklist.item(code)
    return legal.cite(session, [(code, item.legal_refs)], on=on, province_code=province_code)


def row(session, instrument, article=None):  # type: ignore[no-untyped-def]
    return session.get_one(LegalReference, legal.reference_id(instrument, article))


def test_a_verified_reference_in_force_is_printed_as_the_basis(provider):
    cited = cite(provider, "A3", AFTER)
    assert cited.blocked == () and cited.basis == {"A3": f"{ND174} Đ.9(1)-(2)"}


def test_unverified_and_superseded_citations_are_listed_with_what_supersedes_them(provider):
    cited = cite(provider, "A1", AFTER)
    problems = [b.as_problem() for b in cited.blocked]
    by_label = {p["reference"]["label"]: p for p in problems}
    assert {p["item_code"] for p in problems} == {"A1"}
    assert by_label["Quyết định 32/2025/QĐ-TTg"]["reason"] == "chưa xác minh"
    old_law = by_label[f"{LUAT29} Đ.13(6)"]
    assert old_law["applies"]["label"] == "Luật 117/2025/QH15"  # the law in force in December
    superseded = by_label["Nghị định 26/2020/NĐ-CP Đ.4(3)"]
    assert superseded["reference"]["status"] == "superseded"
    assert superseded["superseded_by"]["label"] == "Nghị định 63/2026/NĐ-CP"
    assert all("(chưa xác minh)" not in line for line in cited.basis.values())


def test_a_violation_before_decree_174_cites_the_decree_then_in_force(session, provider):
    cited = cite(provider, "A3", BEFORE_174)
    [blocked] = cited.blocked
    assert blocked.applies is not None and blocked.applies.instrument == ND15
    assert blocked.reason == "chưa xác minh"
    assert blocked.successor is not None and blocked.successor.label == f"{ND174} Đ.9(1)-(2)"
    earlier = blocked.applies
    earlier.article, earlier.status = "Đ.15(1)", "verified"  # the legal officer checks it
    session.flush()
    assert cite(provider, "A3", BEFORE_174).basis == {"A3": f"{ND15} Đ.15(1)"}
    assert cite(provider, "A3", AFTER).basis == {"A3": f"{ND174} Đ.9(1)-(2)"}


def test_a_law_verified_before_it_was_replaced_holds_for_violations_of_its_time(provider):
    early = cite(provider, "E3", BEFORE_117)
    assert early.blocked == () and early.basis == {"E3": f"{LUAT29} Đ.12(3)"}
    late = cite(provider, "E3", AFTER)
    assert [b.applies.label for b in late.blocked if b.applies] == ["Luật 117/2025/QH15"]


def test_another_provinces_directive_is_never_cited(provider):
    in_hai_phong = cite(provider, "G6", AFTER, province_code="31")
    assert in_hai_phong.blocked == () and "Hải Phòng" in in_hai_phong.basis["G6"]
    in_can_tho = cite(provider, "G6", AFTER, province_code="92")
    assert [b.reason for b in in_can_tho.blocked] == [
        "mục kiểm tra không có căn cứ pháp lý áp dụng"]
    both = cite(provider, "E4", AFTER, province_code="92").basis["E4"]
    assert "Cần Thơ" in both and "Hải Phòng" not in both


def test_a_repealed_reference_blocks_unless_verified_and_ended_after_the_violation(session,
                                                                                   provider):
    decree = row(session, ND174, "Đ.9(1)-(2)")
    decree.status = "repealed"
    decree.valid_to = date(2026, 10, 31)
    session.flush()
    assert cite(provider, "A3", date(2026, 9, 1)).blocked == ()  # verified when seeded
    [blocked] = cite(provider, "A3", AFTER).blocked
    assert blocked.reason.startswith("đã bị bãi bỏ")


def test_registering_again_adds_nothing_and_keeps_an_admins_change(session, provider):
    count = session.scalar(select(func.count()).select_from(LegalReference))
    decree = row(session, "Quyết định 32/2025/QĐ-TTg")
    decree.status, decree.note = "verified", "Đã đối chiếu bản gốc."
    session.flush()
    builtin.seed_builtin(session)
    assert legal.sync_register(session) == 0
    assert session.scalar(select(func.count()).select_from(LegalReference)) == count
    assert (decree.status, decree.note) == ("verified", "Đã đối chiếu bản gốc.")


def test_every_citation_of_the_built_in_checklists_is_in_the_register(session, provider):
    for checklist in session.scalars(select(Checklist)):
        for item in checklist.items():
            for citation in item.legal_refs:
                assert session.get(LegalReference, legal.id_of(citation)) is not None, citation


def test_an_admin_verifies_a_reference_and_only_an_admin(session, provider):
    admin = factories.UserFactory(role="admin")
    supervisor = factories.UserFactory(role="supervisor")
    decree = row(session, "Quyết định 32/2025/QĐ-TTg")
    with pytest.raises(errors.Forbidden):
        legal.update_reference(session, supervisor, decree.id, if_match=decree.version,
                               changes={"status": "verified"})
    with pytest.raises(errors.VersionMismatch):
        legal.update_reference(session, admin, decree.id, if_match=decree.version + 1,
                               changes={"status": "verified"})
    legal.update_reference(session, admin, decree.id, if_match=decree.version,
                           changes={"status": "verified", "note": "Đối chiếu Công báo."})
    assert (decree.status, decree.verified_by) == ("verified", admin.id)
    assert decree.verified_at is not None and decree.version == 2


@pytest.mark.parametrize("changes, field", [
    ({"status": "superseded"}, "superseded_by_id"),
    ({"valid_from": date(2026, 7, 1), "valid_to": date(2026, 6, 30)}, "valid_to"),
    ({"status": "bogus"}, "status"),
])
def test_a_change_that_does_not_hold_is_refused_with_the_field(session, provider, changes,
                                                               field):
    admin = factories.UserFactory(role="admin")
    decree = row(session, "Quyết định 32/2025/QĐ-TTg")
    with pytest.raises(errors.ValidationFailed) as refused:
        legal.update_reference(session, admin, decree.id, if_match=decree.version,
                               changes=changes)
    assert field in (refused.value.errors or {})


def test_a_successor_chain_may_not_loop(session, provider):
    admin = factories.UserFactory(role="admin")
    old, new = row(session, "Luật 117/2025/QH15"), row(session, LUAT29, "Đ.13(6)")
    assert new.superseded_by_id == old.id
    with pytest.raises(errors.ValidationFailed) as refused:
        legal.update_reference(session, admin, old.id, if_match=old.version,
                               changes={"status": "superseded", "superseded_by_id": new.id})
    assert "superseded_by_id" in (refused.value.errors or {})
