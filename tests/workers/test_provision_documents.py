"""The post office's annual KT1 report as an official document: what a reader finds in the PDF
and the DOCX (header, number, title, addressee, figures Vietnamese style, incidents, closing),
and the job's body rendering a sent report once however often it runs."""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

import workers.jobs
from inspection import errors, provision
from inspection.config import Settings
from inspection.models import Job, ProvisionReport
from media.blobstore import FileBlobStore
from tests import factories
from tests.factories import CAN_THO_POST
from tests.workers.test_documents import (
    MOTTO,
    NATIONAL_TITLE,
    docx_text,
    pdf_font_dicts,
    pdf_fonts,
    pdf_text,
)
from workers.documents.model import IssuingBody
from workers.documents.provision import (
    Incident,
    render_provision_docx,
    render_provision_pdf,
)
from workers.documents.provision import ProvisionReport as Document
from workers.provision import render_provision_report

DIRECTOR_WORDS = "Đẩy mạnh ứng dụng định vị bưu gửi KT1"  # given decomposed (NFD) below
INCIDENTS = (
    Incident(date(2026, 3, 14), "Chậm phát 02 bưu gửi KT1 do xe vận chuyển hỏng giữa đường",
             "Điều xe dự phòng, phát xong trong ngày"),
    Incident(date(2026, 9, 2), "Bì thư KT1 bị rách góc khi chuyển giao tại bưu cục Cái Răng",
             "Lập biên bản, niêm phong lại, báo cáo Sở Khoa học và Công nghệ"),
)
REPORT = Document(
    body=IssuingBody("Tổng công ty Bưu điện Việt Nam", CAN_THO_POST, "", "Cần Thơ"),
    year=2026, issued_on=date(2026, 12, 5), province="thành phố Cần Thơ",
    total_volume=1_234_567, local_volume=234_567, staff_involved=45,
    revenue_vnd=12_345_678_900,
    compliance=tuple((label, f"Chấp hành đầy đủ quy định về {label}.")
                     for label in provision.ASPECT_LABELS.values()),
    incidents=INCIDENTS, difficulties="Địa bàn rộng.\nNhiều xã cù lao đi lại khó khăn.",
    proposals=unicodedata.normalize("NFD", DIRECTOR_WORDS) + ".",
    recipients=("Như trên", "Tổng công ty Bưu điện Việt Nam (để báo cáo)"))


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_provision_pdf(REPORT)


@pytest.fixture(scope="module")
def word() -> bytes:
    return render_provision_docx(REPORT)


@pytest.fixture(scope="module")
def texts(pdf: bytes, word: bytes) -> dict[str, str]:
    return {"pdf": pdf_text(pdf), "docx": docx_text(word)}


def test_the_header_names_the_post_office_under_vietnam_post_with_a_blank_number(texts):
    for text in texts.values():
        for phrase in ("TỔNG CÔNG TY BƯU ĐIỆN VIỆT NAM", "BƯU ĐIỆN THÀNH PHỐ CẦN THƠ",
                       NATIONAL_TITLE, MOTTO, "Số: ......./BC-.......",
                       "Cần Thơ, ngày 05 tháng 12 năm 2026"):
            assert phrase in text, phrase


def test_the_title_and_addressee_are_those_of_the_directive(texts):
    for text in texts.values():
        assert "BÁO CÁO Tình hình cung cấp dịch vụ bưu chính KT1 năm 2026" in text
        assert ("Kính gửi: Ủy ban nhân dân thành phố Cần Thơ (qua Sở Khoa học và Công nghệ)"
                in text)


def test_the_figures_are_written_vietnamese_style(texts):
    for text in texts.values():
        assert "tổng sản lượng bưu gửi KT1 trong năm là 1.234.567 bưu gửi" in text
        assert "trên địa bàn thành phố Cần Thơ là 234.567 bưu gửi" in text
        assert "2. Lao động: 45 người lao động" in text
        assert "Doanh thu dịch vụ bưu chính KT1: 12.345.678.900 đồng." in text


def test_each_group_of_rules_difficulty_and_proposal_is_stated(texts):
    for text in texts.values():
        for n, label in enumerate(provision.ASPECT_LABELS.values(), 1):
            assert f"{n}. Về {label}: Chấp hành đầy đủ quy định về {label}." in text
        assert "KHÓ KHĂN, VƯỚNG MẮC" in text and "Nhiều xã cù lao đi lại khó khăn." in text
        assert f"ĐỀ XUẤT, KIẾN NGHỊ {DIRECTOR_WORDS}." in text


def test_the_incidents_are_a_table_of_date_what_and_how_handled(texts, word):
    for text in texts.values():
        assert "đã xảy ra 2 sự cố, vi phạm" in text
        for incident in INCIDENTS:
            assert incident.description in text and incident.handling in text
        assert "14/03/2026" in text and "02/09/2026" in text
    [table] = [t for t in docx.Document(io.BytesIO(word)).tables if len(t.columns) == 4]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["STT", "Ngày xảy ra", "Sự cố, vi phạm", "Cách xử lý, kết quả"]
    assert rows[2] == ["2", "02/09/2026", INCIDENTS[1].description, INCIDENTS[1].handling]


def test_a_year_without_incidents_says_so():
    text = pdf_text(render_provision_pdf(dataclasses.replace(REPORT, incidents=())))
    assert "Trong năm 2026, không xảy ra sự cố, vi phạm nào" in text
    assert "Ngày xảy ra" not in text


def test_the_closing_lists_recipients_and_the_directors_blank_signature(texts):
    for text in texts.values():
        assert ("Trên đây là báo cáo tình hình cung cấp dịch vụ bưu chính KT1 năm 2026 của "
                "Bưu điện thành phố Cần Thơ./.") in text
        for phrase in ("Nơi nhận:", "- Như trên;",
                       "- Tổng công ty Bưu điện Việt Nam (để báo cáo);", "- Lưu: VT.",
                       "GIÁM ĐỐC"):
            assert phrase in text, phrase
        assert "KT. GIÁM ĐỐC" not in text
        assert unicodedata.is_normalized("NFC", text)


def test_the_pdf_embeds_liberation_serif_and_is_reproducible(pdf):
    families = {re.sub(r"^[A-Z]{6}\+", "", n) for n in pdf_fonts(pdf)}
    assert families <= {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
                        "LiberationSerif-BoldItalic"}
    for font in pdf_font_dicts(pdf):
        descendant = font["/DescendantFonts"][0].get_object() \
            if "/DescendantFonts" in font else font
        assert "/FontFile2" in descendant["/FontDescriptor"]
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert render_provision_pdf(REPORT) == pdf


def test_an_organisation_outside_vietnam_post_prints_no_parent_body():
    other = dataclasses.replace(REPORT, body=IssuingBody("", "Chi nhánh Bưu chính Viettel "
                                                         "Cần Thơ", "", "Cần Thơ"))
    text = pdf_text(render_provision_pdf(other))
    assert "CHI NHÁNH BƯU CHÍNH VIETTEL CẦN THƠ" in text and "TỔNG CÔNG TY" not in text


# --- The job ------------------------------------------------------------------------------------

@pytest.fixture
def store(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "media")


@pytest.fixture
def job_settings(settings: Settings, store: FileBlobStore, monkeypatch, session_factory):  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(settings, media_url=store.root.as_uri())
    monkeypatch.setattr(workers.jobs, "job_settings", lambda: settings)
    monkeypatch.setattr(workers.jobs, "session_factory", lambda _url: session_factory)
    return settings


def sent(session: Session) -> tuple[ProvisionReport, Job]:
    """Cần Thơ's post office's complete 2026 report, sent on 5 December (Vietnam time)."""
    factories.SiteFactory(organization=CAN_THO_POST)
    report = factories.ProvisionReportFactory(complete=True)
    clerk = factories.UserFactory(role="post", agency="post", organization=CAN_THO_POST)
    return provision.submit(session, clerk, report.id, if_match=1,
                            now=datetime(2026, 12, 5, 2, 0, tzinfo=UTC))


def test_a_sent_report_is_rendered_once_however_often_the_job_runs(session, store):
    report, _ = sent(session)
    render_provision_report(session, store, report.id)
    first = (report.pdf_sha256, report.docx_sha256, report.version)
    assert first[0] is not None and first[1] is not None and first[2] == 2
    for data, extract in ((store.open(first[0]).read(), pdf_text),
                          (store.open(first[1]).read(), docx_text)):
        text = extract(data)
        assert "BƯU ĐIỆN THÀNH PHỐ CẦN THƠ" in text and "1.234.567" in text
        assert "Cần Thơ, ngày 05 tháng 12 năm 2026" in text
        assert "Chậm phát 02 bưu gửi KT1" in text
    render_provision_report(session, store, report.id)
    assert (report.pdf_sha256, report.docx_sha256, report.version) == first


def test_the_job_finishes_with_the_documents_or_fails_once_the_report_went_back(
        session, store, job_settings):
    report, job = sent(session)
    result = workers.jobs.render_provision_report_job(str(job.id), str(report.id))
    session.expire_all()
    report = session.get_one(ProvisionReport, report.id)
    assert result == {"report_id": str(report.id), "pdf_sha256": report.pdf_sha256,
                      "docx_sha256": report.docx_sha256}
    assert store.exists(result["pdf_sha256"]) and session.get_one(Job, job.id).status == (
        "finished")
    supervisor = factories.UserFactory(role="supervisor")
    provision.review(session, supervisor, report.id, decision="return", comment="Thiếu số liệu",
                     if_match=report.version)
    report.pdf_sha256 = report.docx_sha256 = None  # as if the job had not run before
    session.commit()
    failed = workers.jobs.render_provision_report_job(str(job.id), str(report.id))
    assert "không còn ở trạng thái đã gửi" in failed["error"]
    session.expire_all()
    assert session.get_one(Job, job.id).status == "failed"
    assert session.get_one(ProvisionReport, report.id).status == "returned"
    with pytest.raises(errors.InvalidState):
        provision.document_sha256(session.get_one(ProvisionReport, report.id), "pdf")
