"""Jobs users follow: what a run records, and who may read it on /jobs/{id}."""

from __future__ import annotations

import uuid

import pytest

from inspection import errors, jobs
from inspection.models import Job
from tests import factories
from workers.tracking import run_tracked


@pytest.fixture
def supervisor(session):  # type: ignore[no-untyped-def]
    return factories.UserFactory(role="supervisor", agency="skhcn", province_code="92")


@pytest.fixture
def job(session, supervisor) -> Job:  # type: ignore[no-untyped-def]
    made = jobs.create(session, supervisor, "annual_report", {"year": 2026}, "92")
    session.commit()
    return made


def reload(session, job: Job) -> Job:  # type: ignore[no-untyped-def]
    return session.get_one(Job, job.id, populate_existing=True)


def test_a_job_that_works_ends_finished_with_its_result_and_progress(
        session, session_factory, job):
    seen: list[int] = []

    def work(s, report):  # type: ignore[no-untyped-def]
        report(40)
        seen.append(reload(s, job).progress)
        return {"document": "abc"}

    assert run_tracked(session_factory, str(job.id), work) == {"document": "abc"}
    done = reload(session, job)
    assert seen == [40]  # progress is committed while the job runs
    assert (done.status, done.progress, done.result, done.attempts) == (
        "finished", 100, {"document": "abc"}, 1)
    assert done.started_at is not None and done.finished_at is not None


def test_a_request_that_cannot_be_done_fails_for_good_without_a_retry(
        session, session_factory, job):
    def work(s, report):  # type: ignore[no-untyped-def]
        raise errors.InvalidState("Phiên kiểm tra chưa được duyệt.")

    result = run_tracked(session_factory, str(job.id), work)  # not raised: rq must not retry
    failed = reload(session, job)
    assert result == {"error": "Phiên kiểm tra chưa được duyệt."}
    assert (failed.status, failed.error) == ("failed", "Phiên kiểm tra chưa được duyệt.")


def test_an_unexpected_error_is_recorded_readably_and_raised_for_a_retry(
        session, session_factory, job, caplog):
    def work(s, report):  # type: ignore[no-untyped-def]
        raise ConnectionError("kho lưu trữ không phản hồi")

    with pytest.raises(ConnectionError):
        run_tracked(session_factory, str(job.id), work)
    failed = reload(session, job)
    # outside an rq worker nothing retries it: the attempt was the last one
    assert failed.status == "failed"
    # a Vietnamese sentence for the user; the exception and its text only in the log
    assert failed.error == ("Không thực hiện được công việc do lỗi hệ thống; lỗi đã được ghi "
                            "lại. Vui lòng yêu cầu lại sau hoặc báo quản trị viên.")
    assert "kho lưu trữ không phản hồi" in caplog.text


def test_the_asker_and_the_provinces_supervisors_read_a_job_others_do_not(
        api, session, supervisor, job):
    inspector = factories.UserFactory(role="inspector", agency="skhcn", province_code="92")
    colleague = factories.UserFactory(role="supervisor", agency="skhcn", province_code="92")
    stranger = factories.UserFactory(role="supervisor", agency="skhcn", province_code="31")
    session.commit()
    url = f"/api/v1/jobs/{job.id}"
    for user in (supervisor, colleague):
        resp = api.client.get(url, headers=api.login(user))
        assert resp.status_code == 200
        body = resp.get_json()
        assert (body["status"], body["progress"], body["kind"]) == ("queued", 0, "annual_report")
    for user in (inspector, stranger):
        resp = api.client.get(url, headers=api.login(user))
        assert resp.status_code == 404
        assert resp.content_type == "application/problem+json"
    missing = api.client.get(f"/api/v1/jobs/{uuid.uuid4()}", headers=api.login(supervisor))
    assert missing.status_code == 404
