"""The record job's body and entry point: a submitted inspection's record rendered, numbered
and stored once however often it runs, signatures placed by who signed, and a failure
recorded on the record and its job."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import workers.jobs
from inspection import jobs, records
from inspection.config import Settings, SigningKey
from inspection.db import utcnow
from inspection.inspections import services
from inspection.models import (
    Answer,
    ChecklistItem,
    ChecklistSection,
    Inspection,
    InspectionRecord,
    Job,
    NoticeCounter,
)
from inspection.records import lineage as record_lineage
from media.blobstore import FileBlobStore
from tests import factories
from tests.workers.evidence import inspection_at_can_tho, uploaded_photo
from tests.workers.test_documents import (
    NATIONAL_TITLE,
    docx_footers,
    docx_text,
    images_in_docx,
    pdf_text,
    signature_png,
)
from tests.workers.test_photos import FAR_M
from tests.workers.test_signing import assert_whole_and_valid, pades_status
from workers.photos import process_photo
from workers.records import render_record

VALUES = {"A1": "no", "A2": "yes", "C1": 6, "C2": 4, "C5": "2026-01-15", "H1": "đầy đủ",
          "K1": "Không có ý kiến"}


@pytest.fixture
def store(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "media")


@pytest.fixture
def job_settings(settings: Settings, store: FileBlobStore, monkeypatch, session_factory):  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(settings, media_url=store.root.as_uri())
    monkeypatch.setattr(workers.jobs, "job_settings", lambda: settings)
    monkeypatch.setattr(workers.jobs, "session_factory", lambda _url: session_factory)
    return settings


def signed(session: Session, store: FileBlobStore, tmp_path: Path) -> tuple[Inspection, bytes]:
    """A submitted inspection answering every item, with the site representative's PNG
    signature (item K8) ready."""
    inspection = inspection_at_can_tho(session)
    section = session.scalar(select(ChecklistSection).where(
        ChecklistSection.checklist_id == inspection.checklist_id, ChecklistSection.code == "K"))
    assert section is not None
    session.add(ChecklistItem(
        checklist_id=inspection.checklist_id, section_id=section.id, position=8, code="K8",
        text="Chữ ký của đại diện đơn vị được kiểm tra", answer_type="signature",
        required=False, legal_basis="", legal_refs=[]))
    inspector = inspection.team[0]
    for code, value in VALUES.items():
        session.add(Answer(inspection_id=inspection.id, item_code=code, value=value,
                           answered_at=inspection.started_at, answered_by=inspector.id))
    png = signature_png(5)
    (tmp_path / "sig.png").write_bytes(png)
    photo = uploaded_photo(session, store, inspection, tmp_path / "sig.png")
    photo.item_code = "K8"
    session.flush()
    assert process_photo(session, store, photo.id, far_m=FAR_M).status == "ready"  # type: ignore[union-attr]
    inspection.status, inspection.submitted_at = "submitted", utcnow()
    session.flush()
    session.expire(inspection)
    return inspection, png


def asked(session: Session, inspection: Inspection) -> tuple[InspectionRecord, Job]:
    record, job, _ = records.request_record(
        session, factories.UserFactory(role="supervisor"), inspection.id)
    return record, job


def test_the_record_is_written_once_with_the_representatives_signature(
        session, store, tmp_path):  # type: ignore[no-untyped-def]
    inspection, png = signed(session, store, tmp_path)
    record, _ = asked(session, inspection)
    render_record(session, store, record.id)
    assert (record.status, record.label) == ("issued", "01/BB-SKHCN")
    first = (record.pdf_sha256, record.docx_sha256)
    assert first[0] is not None and first[1] is not None
    docx = store.open(first[1]).read()
    assert png in images_in_docx(docx)
    for text in (pdf_text(store.open(first[0]).read()), docx_text(docx)):
        assert NATIONAL_TITLE in text and "BIÊN BẢN KIỂM TRA" in text
        assert inspection.site.name in text and "Số: 01/BB-SKHCN" in text
        assert "Không có ý kiến" in text and "15/01/2026" in text and "đầy đủ" in text
        assert "Không đạt" in text  # A1 and C2
    render_record(session, store, record.id)
    assert (record.number, record.pdf_sha256, record.docx_sha256) == (1, *first)
    assert session.scalar(select(func.count()).select_from(NoticeCounter)) == 1


def test_an_inspection_returned_before_the_job_runs_fails_it_and_takes_no_number(
        session, store, job_settings, tmp_path):  # type: ignore[no-untyped-def]
    inspection, _ = signed(session, store, tmp_path)
    record, job = asked(session, inspection)
    inspection.status = "returned"
    session.flush()
    result = workers.jobs.render_record_job(str(job.id), str(record.id))
    assert "đã nộp" in result["error"]
    session.expire_all()
    job, record = session.get_one(Job, job.id), session.get_one(InspectionRecord, record.id)
    assert job.status == "failed" and job.error and "đã nộp" in job.error
    assert (record.status, record.number) == ("failed", None)
    assert session.scalar(select(func.count()).select_from(NoticeCounter)) == 0


def test_the_job_finishes_with_the_number_and_document_keys(session, store, job_settings,
                                                             tmp_path):  # type: ignore[no-untyped-def]
    record, job = asked(session, signed(session, store, tmp_path)[0])
    result = workers.jobs.render_record_job(str(job.id), str(record.id))
    session.expire_all()
    record = session.get_one(InspectionRecord, record.id)
    assert result == {"record_id": str(record.id), "number": "01/BB-SKHCN",
                      "pdf_sha256": record.pdf_sha256, "docx_sha256": record.docx_sha256}
    assert store.exists(result["pdf_sha256"]) and store.exists(result["docx_sha256"])
    assert session.get_one(Job, job.id).status == "finished"


# --- re-issue after a return and a resubmission ----------------------------------------------

def resubmit(session: Session, inspection: Inspection) -> None:
    """The supervisor returns the inspection; its inspector submits it again."""
    supervisor = factories.UserFactory(role="supervisor")
    services.review(session, supervisor, inspection_id=inspection.id, decision="return",
                    comment="Bổ sung ảnh", if_match=inspection.version)
    services.submit(session, inspection.team[0], inspection_id=inspection.id,
                    if_match=inspection.version)


def records_of(session: Session, inspection: Inspection) -> list[InspectionRecord]:
    return list(session.scalars(select(InspectionRecord).where(
        InspectionRecord.inspection_id == inspection.id).order_by(InspectionRecord.created_at)))


def test_a_resubmission_asks_for_a_new_record_that_takes_the_next_number_and_replaces_the_old(
        session, store, tmp_path):  # type: ignore[no-untyped-def]
    inspection, _ = signed(session, store, tmp_path)
    old, _ = asked(session, inspection)
    render_record(session, store, old.id)
    jobs.take_handovers(session)
    resubmit(session, inspection)
    new = record_lineage.in_the_making(session, inspection.id)
    assert new is not None and (new.status, new.number, new.replaces_id) == (
        "pending", None, old.id)
    handed = jobs.take_handovers(session)
    assert [(h.key, h.func_path, h.args) for h in handed] == [
        (str(new.job_id), records.RECORD_JOB, (str(new.id),))]
    assert (old.status, record_lineage.current(session, inspection.id)) == ("issued", old)
    render_record(session, store, new.id)
    session.expire_all()
    old, new = (session.get_one(InspectionRecord, r.id) for r in (old, new))
    assert (new.status, new.label, new.replaces_id) == ("issued", "02/BB-SKHCN", old.id)
    assert (old.status, old.label, old.replaced_by_id) == ("replaced", "01/BB-SKHCN", new.id)
    assert records.document_sha256(old, "pdf") == old.pdf_sha256
    assert store.exists(old.pdf_sha256) and store.exists(old.docx_sha256)  # type: ignore[arg-type]
    assert record_lineage.current(session, inspection.id) == new
    text = " ".join(pdf_text(store.open(new.pdf_sha256).read()).split())  # type: ignore[arg-type]
    assert "thay thế Biên bản kiểm tra số 01/BB-SKHCN" in text
    render_record(session, store, old.id)  # a replaced record's job run again changes nothing
    assert (old.status, old.number) == ("replaced", 1)


def test_asking_after_a_resubmission_answers_the_one_new_record(
        session, store, tmp_path):  # type: ignore[no-untyped-def]
    inspection, _ = signed(session, store, tmp_path)
    old, _ = asked(session, inspection)
    render_record(session, store, old.id)
    resubmit(session, inspection)
    answers = [asked(session, inspection) for _ in range(2)]
    assert len({(r.id, j.id) for r, j in answers}) == 1
    assert answers[0][0].id != old.id
    assert len(records_of(session, inspection)) == 2


def test_a_record_still_pending_at_a_resubmission_states_it_with_no_new_number(
        session, store, tmp_path):  # type: ignore[no-untyped-def]
    inspection, _ = signed(session, store, tmp_path)
    record, job = asked(session, inspection)
    resubmit(session, inspection)
    assert jobs.take_handovers(session) == []
    assert records_of(session, inspection) == [record]
    render_record(session, store, record.id)
    assert (record.status, record.label, record.replaces_id) == ("issued", "01/BB-SKHCN", None)
    assert record.states_submitted_at == inspection.submitted_at
    assert asked(session, inspection) == (record, job)


def test_a_failed_re_issue_is_asked_for_again_at_the_next_resubmission(
        session, store, tmp_path):  # type: ignore[no-untyped-def]
    inspection, _ = signed(session, store, tmp_path)
    old, _ = asked(session, inspection)
    render_record(session, store, old.id)
    resubmit(session, inspection)
    new = record_lineage.in_the_making(session, inspection.id)
    assert new is not None
    records.mark_failed(session, new.id)
    first_job = new.job_id
    resubmit(session, inspection)
    assert (new.status, records_of(session, inspection)) == ("pending", [old, new])
    assert new.job_id != first_job


def test_a_record_drawn_before_the_last_submission_is_replaced_when_asked_for(
        session, store, tmp_path):  # type: ignore[no-untyped-def]
    """A record issued from an earlier submission (one migrated without the submission it
    states, say) is not answered as current: asking queues its replacement."""
    inspection, _ = signed(session, store, tmp_path)
    old, _ = asked(session, inspection)
    render_record(session, store, old.id)
    old.states_submitted_at = None
    session.flush()
    new, _, queued = records.request_record(session, inspection.team[0], inspection.id)
    assert queued and new.id != old.id and new.replaces_id == old.id


def test_a_resubmission_rolled_back_in_a_savepoint_hands_over_no_job(
        session, store, tmp_path):  # type: ignore[no-untyped-def]
    inspection, _ = signed(session, store, tmp_path)
    old, _ = asked(session, inspection)
    render_record(session, store, old.id)
    jobs.take_handovers(session)
    with pytest.raises(RuntimeError), session.begin_nested():
        resubmit(session, inspection)
        raise RuntimeError("the tablet's mutation failed after the submit")
    assert jobs.take_handovers(session) == []
    assert records_of(session, inspection) == [old]


def test_an_inspection_has_one_issued_and_one_unissued_record_at_most(
        session, store, tmp_path):  # type: ignore[no-untyped-def]
    inspection, _ = signed(session, store, tmp_path)
    old, _ = asked(session, inspection)
    render_record(session, store, old.id)

    def add(*statuses: str) -> None:
        session.add_all(InspectionRecord(
            inspection_id=inspection.id, province_code="92", issuer="BB-SKHCN",
            symbol="BB-SKHCN", status=status, created_by=old.created_by) for status in statuses)
        session.flush()

    for refused in (("issued",), ("pending", "failed")):
        with pytest.raises(IntegrityError), session.begin_nested():
            add(*refused)
    with session.begin_nested():
        add("replaced", "replaced", "pending")
    assert len(records_of(session, inspection)) == 4


def test_the_records_pdf_carries_the_pades_signature_and_its_docx_says_it_has_none(
        session, store, settings, tmp_path):  # type: ignore[no-untyped-def]
    inspection, _ = signed(session, store, tmp_path)
    record, _ = asked(session, inspection)
    render_record(session, store, record.id, settings=settings)
    pdf = store.open(record.pdf_sha256).read()
    assert_whole_and_valid(pades_status(pdf, settings.signing_trust_path))
    assert "Số: 01/BB-SKHCN" in pdf_text(pdf)
    assert docx_footers(store.open(record.docx_sha256).read()) == {
        "Bản DOCX để chỉnh sửa, không mang chữ ký số; bản chính là tệp PDF có chữ ký số của "
        "Sở Khoa học và Công nghệ (demo)."}


def test_a_provinces_own_certificate_comes_first_and_a_missing_one_fails_the_job_saying_why(
        session, store, job_settings, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    missing = tmp_path / "khong-co.p12"
    broken = dataclasses.replace(job_settings, signing_keys=(
        SigningKey(missing, "mat-khau-bi-mat", province_code="92"),
        *job_settings.signing_keys))  # Cần Thơ's own file is missing; the default is fine
    monkeypatch.setattr(workers.jobs, "job_settings", lambda: broken)
    inspection, _ = signed(session, store, tmp_path)
    record, job = asked(session, inspection)
    workers.jobs.render_record_job(str(job.id), str(record.id))
    session.expire_all()
    job, record = session.get_one(Job, job.id), session.get_one(InspectionRecord, record.id)
    assert (job.status, record.status, record.number) == ("failed", "failed", None)
    assert "Không ký số được văn bản" in job.error and str(missing) in job.error
    assert "mat-khau-bi-mat" not in job.error
