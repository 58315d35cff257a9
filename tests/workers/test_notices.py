"""The notice job's body and entry point: a notice with photo evidence rendered, numbered and
stored once however often it runs, and a failure recorded on the notice and its job."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import workers.jobs
from inspection import notices
from inspection.config import Settings, SigningKey
from inspection.models import Finding, Inspection, Job, Notice, NoticeCounter
from media.blobstore import BlobNotFound, FileBlobStore
from tests import factories
from tests.workers.evidence import inspection_at_can_tho, uploaded_photo
from tests.workers.test_documents import NATIONAL_TITLE, docx_footers, docx_text, pdf_text
from tests.workers.test_photos import FAR_M, good_jpeg
from tests.workers.test_signing import assert_whole_and_valid, pades_status
from workers.notices import render_notice
from workers.photos import process_photo

LEGAL_BASIS = "Nghị định 174/2026/NĐ-CP Đ.9(1)-(2)"


@pytest.fixture
def store(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "media")


@pytest.fixture
def job_settings(settings: Settings, store: FileBlobStore, monkeypatch, session_factory):  # type: ignore[no-untyped-def]
    """The job's composition root pointed at the test's store and transaction."""
    settings = dataclasses.replace(settings, media_url=store.root.as_uri())
    monkeypatch.setattr(workers.jobs, "job_settings", lambda: settings)
    monkeypatch.setattr(workers.jobs, "session_factory", lambda _url: session_factory)
    return settings


def approved_with_photo(session: Session, store: FileBlobStore, tmp_path: Path) -> Inspection:
    """An approved inspection whose confirmed A2 finding has a ready photo."""
    inspection = inspection_at_can_tho(session)
    photo = uploaded_photo(session, store, inspection, good_jpeg(tmp_path / "a2.jpg"))
    process_photo(session, store, photo.id, far_m=FAR_M)
    inspection.status = "approved"
    session.add(Finding(inspection_id=inspection.id, site_id=inspection.site_id, item_code="A2",
                        severity="critical", legal_basis=LEGAL_BASIS, status="confirmed",
                        legal_refs=[{"instrument": "Nghị định 174/2026/NĐ-CP",
                                     "article": "Đ.9(1)-(2)", "status": "verified"}],
                        description="Bưu gửi KT1 không đóng dấu KT1", province_code="92"))
    session.flush()
    return inspection


def asked(session: Session, inspection: Inspection) -> tuple[Notice, Job]:
    notice, job, _ = notices.request_notice(
        session, factories.UserFactory(role="supervisor"), inspection.id)
    return notice, job


def test_a_notice_lists_its_photo_evidence_and_is_written_once(
        session, store, settings, tmp_path):  # type: ignore[no-untyped-def]
    inspection = approved_with_photo(session, store, tmp_path)
    notice, _ = asked(session, inspection)
    render_notice(session, store, notice.id, settings=settings)
    assert (notice.status, notice.label) == ("issued", "01/TB-SKHCN")
    first = (notice.pdf_sha256, notice.docx_sha256)
    assert first[0] is not None and first[1] is not None
    sha256 = inspection.photos[0].sha256
    for text in (pdf_text(store.open(first[0]).read()), docx_text(store.open(first[1]).read())):
        assert NATIONAL_TITLE in text and LEGAL_BASIS in text
        assert inspection.site.name in text and "01/TB-SKHCN" in text
        assert sha256[:16] in text.replace(" ", "")
    render_notice(session, store, notice.id, settings=settings)
    assert (notice.number, notice.pdf_sha256, notice.docx_sha256) == (1, *first)
    assert session.scalar(select(func.count()).select_from(NoticeCounter)) == 1


def test_a_missing_thumbnail_fails_the_job_with_its_error_and_takes_no_number(
        session, store, job_settings, tmp_path):  # type: ignore[no-untyped-def]
    inspection = approved_with_photo(session, store, tmp_path)
    thumbnail = inspection.photos[0].thumbnail_sha256
    assert thumbnail is not None
    store.delete(thumbnail)
    notice, job = asked(session, inspection)
    with pytest.raises(BlobNotFound):  # re-raised for rq to retry
        workers.jobs.render_notice_job(str(job.id), str(notice.id))
    session.expire_all()
    job, notice = session.get_one(Job, job.id), session.get_one(Notice, notice.id)
    assert job.status == "failed" and job.error and "lỗi hệ thống" in job.error
    assert thumbnail not in job.error and "BlobNotFound" not in job.error  # only in the log
    assert (notice.status, notice.number) == ("failed", None)
    assert session.scalar(select(func.count()).select_from(NoticeCounter)) == 0


def test_the_job_finishes_with_the_number_and_document_keys(session, store, job_settings,
                                                             tmp_path):  # type: ignore[no-untyped-def]
    notice, job = asked(session, approved_with_photo(session, store, tmp_path))
    result = workers.jobs.render_notice_job(str(job.id), str(notice.id))
    session.expire_all()
    notice = session.get_one(Notice, notice.id)
    assert result == {"notice_id": str(notice.id), "number": "01/TB-SKHCN",
                      "pdf_sha256": notice.pdf_sha256, "docx_sha256": notice.docx_sha256}
    assert store.exists(result["pdf_sha256"]) and store.exists(result["docx_sha256"])
    assert session.get_one(Job, job.id).status == "finished"


def test_the_stored_pdf_carries_the_issuing_bodys_pades_signature_and_the_docx_says_it_has_none(
        session, store, settings, tmp_path):  # type: ignore[no-untyped-def]
    notice, _ = asked(session, approved_with_photo(session, store, tmp_path))
    render_notice(session, store, notice.id, settings=settings)
    pdf = store.open(notice.pdf_sha256).read()
    assert hashlib.sha256(pdf).hexdigest() == notice.pdf_sha256  # the hash is the signed PDF's
    assert_whole_and_valid(pades_status(pdf, settings.signing_trust_path))
    assert "01/TB-SKHCN" in pdf_text(pdf)  # the layout is the one rendered
    footers = docx_footers(store.open(notice.docx_sha256).read())
    assert footers == {"Bản DOCX để chỉnh sửa, không mang chữ ký số; bản chính là tệp PDF có chữ "
                       "ký số của Sở Khoa học và Công nghệ (demo)."}


def test_without_a_certificate_the_notice_is_issued_unsigned_and_its_docx_says_so(
        session, store, settings, tmp_path):  # type: ignore[no-untyped-def]
    unconfigured = dataclasses.replace(settings, signing_keys=())  # no demo CA made either
    notice, _ = asked(session, approved_with_photo(session, store, tmp_path))
    render_notice(session, store, notice.id, settings=unconfigured)
    assert notice.status == "issued"
    assert b"/ByteRange" not in store.open(notice.pdf_sha256).read()
    assert docx_footers(store.open(notice.docx_sha256).read()) == {
        "Bản DOCX để chỉnh sửa, không mang chữ ký số; bản chính là tệp PDF."}


def test_a_certificate_that_cannot_sign_fails_the_job_for_good_without_showing_its_password(
        session, store, job_settings, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    broken = dataclasses.replace(job_settings, signing_keys=(
        SigningKey(job_settings.signing_trust, "mat-khau-bi-mat"),))  # a PEM, not PKCS#12
    monkeypatch.setattr(workers.jobs, "job_settings", lambda: broken)
    notice, job = asked(session, approved_with_photo(session, store, tmp_path))
    result = workers.jobs.render_notice_job(str(job.id), str(notice.id))  # not retried
    session.expire_all()
    job, notice = session.get_one(Job, job.id), session.get_one(Notice, notice.id)
    assert job.status == "failed" and result == {"error": job.error}
    assert job.error.startswith("Không ký số được văn bản: chứng thư số đã cấu hình")
    assert str(job_settings.signing_trust) in job.error and "mat-khau-bi-mat" not in job.error
    assert (notice.status, notice.number) == ("failed", None)


def test_the_chosen_signer_is_printed_under_the_signature_in_the_pdf_and_the_docx(
        session, store, settings, tmp_path):  # type: ignore[no-untyped-def]
    inspection = approved_with_photo(session, store, tmp_path)
    chosen = factories.SignerFactory(full_name="Nguyễn Văn An", title="Phó Giám đốc",
                                     delegation="KT. GIÁM ĐỐC")
    notice, _, _ = notices.request_notice(session, factories.UserFactory(role="supervisor"),
                                          inspection.id, signer_id=chosen.id)
    assert notice.signer_id == chosen.id
    render_notice(session, store, notice.id, settings=settings)
    assert notice.pdf_sha256 is not None and notice.docx_sha256 is not None
    for text in (pdf_text(store.open(notice.pdf_sha256).read()),
                 docx_text(store.open(notice.docx_sha256).read())):
        block = text[text.index("KT. GIÁM ĐỐC"):]
        assert block.index("PHÓ GIÁM ĐỐC") < block.index("Nguyễn Văn An")
