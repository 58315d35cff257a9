"""A report request and the end of a background job (finished, or failed for good) enter the
audit chain; a failed attempt that will be retried does not."""

from __future__ import annotations

from sqlalchemy import select

from inspection import audit, jobs, reports
from inspection.models import AuditEntry, Job
from tests import factories


def events(session, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    audit.chain_pending(session)
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                .order_by(AuditEntry.id)))


def test_a_report_request_is_chained_with_its_job(session):
    supervisor = factories.UserFactory(role="supervisor")
    factories.the_signer("92")
    audit.set_actor(session, supervisor.id, "console")
    report, job = reports.request_report(session, supervisor, kind="annual",
                                         province_code="92", year=2026)
    assert job is not None
    [asked] = events(session, "report-requested")
    assert (asked.entity, asked.entity_id, asked.province_code) == ("reports", str(report.id),
                                                                    "92")
    assert (asked.actor_id, asked.device_id) == (supervisor.id, "console")
    assert asked.after == {"kind": "annual", "year": 2026, "campaign_id": None,
                           "job_id": str(job.id)}
    assert audit.verify(session).ok


def test_a_job_finishing_or_failing_for_good_is_chained_and_a_retried_attempt_is_not(session):
    supervisor = factories.UserFactory(role="supervisor")
    audit.set_actor(session, None, "worker")
    done = jobs.create(session, supervisor, "report", {"report_id": "r"}, "92")
    jobs.started(session, done.id)
    jobs.finished(session, done.id, {"report_id": "r", "status": "ready"})
    [finished] = events(session, "job-finished")
    assert (finished.entity, finished.entity_id, finished.province_code) == (
        "jobs", str(done.id), "92")
    assert (finished.actor_id, finished.device_id) == (None, "worker")
    assert finished.after == {"kind": "report", "attempts": 1}

    broken = jobs.create(session, supervisor, "notice", {"notice_id": "n"}, "92")
    jobs.started(session, broken.id)
    jobs.failed(session, broken.id, "Lần thực hiện vừa rồi gặp lỗi hệ thống.", final=False)
    assert events(session, "job-failed") == []
    jobs.started(session, broken.id)
    jobs.failed(session, broken.id, "Không thực hiện được công việc.", final=True)
    [failed] = events(session, "job-failed")
    assert (failed.entity_id, failed.after) == (str(broken.id), {"kind": "notice",
                                                                  "attempts": 2})
    assert session.get_one(Job, broken.id).status == "failed"
    assert audit.verify(session).ok
