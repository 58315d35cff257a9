"""The four kinds of issued document, each described once (`DocumentKind`), and the lifecycle
answered for a document of any of them (`is_issued`, `document_sha256`)."""

from __future__ import annotations

from typing import Any

from inspection.documents.lifecycle import DocumentKind
from inspection.models import InspectionRecord, Notice, ProvisionReport, Report
from inspection.models.notices import ISSUED as NOTICE_FINAL
from inspection.models.records import ISSUED as RECORD_ISSUED
from inspection.models.records import REPLACED

NOTICE = DocumentKind(
    Notice, final=NOTICE_FINAL, files=("pdf", "docx"), issued_status="issued",
    failed_status="failed", not_found="Không tìm thấy thông báo.",
    not_issued="Thông báo chưa được phát hành; chưa có văn bản.")
RECORD = DocumentKind(
    InspectionRecord, final=(RECORD_ISSUED, REPLACED), files=("pdf", "docx"),
    issued_status=RECORD_ISSUED, failed_status="failed",
    not_found="Không tìm thấy biên bản.",
    not_issued="Biên bản chưa được phát hành; chưa có văn bản.")
"""A replaced record keeps its number and documents: they are final too."""
REPORT = DocumentKind(
    Report, final=("ready",), files=("pdf", "xlsx"), issued_status="ready",
    failed_status="failed", not_found="Không tìm thấy báo cáo.",
    not_issued="Báo cáo chưa được lập xong; chưa có văn bản.", versioned=False,
    finished_at=True)
PROVISION = DocumentKind(
    ProvisionReport, final=("submitted", "accepted", "returned"), files=("pdf", "docx"),
    issued_status=None, failed_status=None,
    not_found="Không tìm thấy báo cáo năm về cung cấp dịch vụ KT1.",
    not_issued="Báo cáo chưa được gửi hoặc văn bản đang được lập.", versioned=False)
"""Rendered for each sending (a draft has none; a returned report keeps its last sending's).
Its status is its workflow's: rendering neither moves nor fails it, nor changes its version
(the documents derive from the content)."""

KINDS: dict[type[Any], DocumentKind[Any]] = {
    k.model: k for k in (NOTICE, RECORD, REPORT, PROVISION)}


def kind_of(document: object) -> DocumentKind[Any]:
    return KINDS[type(document)]


def is_issued(document: object) -> bool:
    """The document's files are final (any kind)."""
    return kind_of(document).is_issued(document)


def document_sha256(document: object, file: str) -> str:
    """The stored file's key; InvalidState (409) before the document is issued (any kind)."""
    return kind_of(document).document_sha256(document, file)
