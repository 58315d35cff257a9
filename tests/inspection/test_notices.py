"""Violation notices in the domain: who may ask for one and when, and gap-free numbering per
issuing body, province and year, also under concurrent transactions."""

from __future__ import annotations

import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import Engine, delete

from inspection import documents, errors, notices
from inspection.db import make_session_factory
from inspection.models import Finding, Inspection, NoticeCounter
from tests import factories
from tests.legal_world import VERIFIED_174
from tests.workers.evidence import inspection_at_can_tho


def approved(session, *, statuses=("confirmed",)) -> Inspection:  # type: ignore[no-untyped-def]
    inspection = inspection_at_can_tho(session)
    inspection.status = "approved"
    for n, status in enumerate(statuses):
        session.add(Finding(inspection_id=inspection.id, site_id=inspection.site_id,
                            item_code=f"A{n + 1}", severity="high", legal_basis="QĐ 32/2025",
                            legal_refs=[VERIFIED_174],
                            description="Thiếu dấu KT1", status=status,
                            province_code="92"))
    session.flush()
    return inspection


def test_the_issuing_body_of_can_tho_and_hai_phong_is_their_department(session):
    can_tho = notices.issuing_body(session, "92")
    assert (can_tho.parent, can_tho.name, can_tho.abbreviation, can_tho.place) == (
        "UBND THÀNH PHỐ CẦN THƠ", "Sở Khoa học và Công nghệ", "SKHCN", "Cần Thơ")
    assert notices.issuing_body(session, "31").parent == "UBND THÀNH PHỐ HẢI PHÒNG"
    assert notices.issuing_body(session, "01").abbreviation == "SKHCN"


def test_a_supervisor_asks_once_and_asking_again_answers_the_same_notice(session):
    inspection = approved(session)
    supervisor = factories.UserFactory(role="supervisor")
    notice, job, queued = notices.request_notice(session, supervisor, inspection.id)
    assert queued and notice.status == "pending" and notice.number is None
    assert (notice.symbol, job.kind) == ("TB-SKHCN", "notice")
    again, same_job, queued_again = notices.request_notice(session, supervisor, inspection.id)
    assert (again.id, same_job.id, queued_again) == (notice.id, job.id, False)


def test_a_failed_notice_is_asked_for_again_with_a_new_job(session):
    inspection = approved(session)
    supervisor = factories.UserFactory(role="supervisor")
    notice, job, _ = notices.request_notice(session, supervisor, inspection.id)
    notices.mark_failed(session, notice.id)
    retried, new_job, queued = notices.request_notice(session, supervisor, inspection.id)
    assert (retried.id, retried.status, queued) == (notice.id, "pending", True)
    assert new_job.id != job.id


def test_no_notice_without_approval_confirmed_findings_or_a_supervisor(session):
    supervisor = factories.UserFactory(role="supervisor")
    draft = inspection_at_can_tho(session)
    with pytest.raises(errors.InvalidState):
        notices.request_notice(session, supervisor, draft.id)
    with pytest.raises(errors.RuleViolation, match="xác nhận"):
        notices.request_notice(session, supervisor,
                               approved(session, statuses=("open", "dismissed")).id)
    inspector = factories.UserFactory(role="inspector")
    with pytest.raises(errors.Forbidden):
        notices.request_notice(session, inspector, approved(session).id)
    outsider = factories.UserFactory(role="supervisor", province_code="31")
    with pytest.raises(errors.NotFound):
        notices.request_notice(session, outsider, approved(session).id)


def test_numbers_run_per_issuer_province_and_year_and_a_numbered_notice_keeps_its_own(session):
    take = documents.take_number
    assert [take(session, issuer="SKHCN", province_code="92", year=2026)
            for _ in range(3)] == [1, 2, 3]
    assert take(session, issuer="SKHCN", province_code="92", year=2027) == 1
    assert take(session, issuer="SKHCN", province_code="31", year=2026) == 1
    inspection = approved(session)
    notice, _, _ = notices.request_notice(session, factories.UserFactory(role="supervisor"),
                                          inspection.id)
    notices.assign_number(session, notice, issued_on=date(2026, 11, 24), due_days=30)
    assert (notice.number, notice.label, notice.due_on) == (4, "04/TB-SKHCN", date(2026, 12, 24))
    notices.assign_number(session, notice, issued_on=date(2026, 11, 25), due_days=30)
    assert notice.number == 4


def test_concurrent_transactions_take_distinct_consecutive_numbers(engine: Engine):
    """Real threads, each with its own session, on the committed test database."""
    factory = make_session_factory(engine)
    issuer = f"T{uuid.uuid4().hex[:10]}"
    workers, barrier = 6, threading.Barrier(6)
    taken: list[int] = []
    failures: list[BaseException] = []

    def take() -> None:
        try:
            with factory() as session:
                barrier.wait()
                number = documents.take_number(session, issuer=issuer, province_code="92",
                                               year=2026)
                session.commit()
                taken.append(number)
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=take) for _ in range(workers)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not failures, failures
        assert sorted(taken) == list(range(1, workers + 1))
    finally:
        with factory() as session:
            session.execute(delete(NoticeCounter).where(NoticeCounter.issuer == issuer))
            session.commit()
