"""The record job's body and entry point: a submitted inspection's record rendered, numbered
and stored once however often it runs, signatures placed by who signed, and a failure
recorded on the record and its job."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import workers.jobs
from inspection import records
from inspection.config import Settings, SigningKey
from inspection.db import utcnow
from inspection.models import (
    Answer,
    ChecklistItem,
    ChecklistSection,
    Inspection,
    InspectionRecord,
    Job,
    NoticeCounter,
)
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
