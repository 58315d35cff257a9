"""The report's documents: a long list is cut in the PDF, never in the spreadsheet."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader

from workers.documents.model import IssuingBody, Signer
from workers.documents.report import render_report_pdf, render_report_xlsx
from workers.documents.report_model import Column, DataTable, Format, Part, StatReport


def report_with_overdue(count: int, limit: int) -> StatReport:
    table = DataTable("Quá hạn", "Phát hiện quá hạn chưa khắc phục",
                      (Column("STT", 15, Format.INTEGER), Column("Cơ sở", 80)),
                      tuple((n, f"Bưu cục số {n}") for n in range(1, count + 1)),
                      pdf_limit=limit)
    return StatReport(
        body=IssuingBody("UBND THÀNH PHỐ CẦN THƠ", "Sở Khoa học và Công nghệ", "SKHCN",
                         "Cần Thơ"),
        issued_on=date(2026, 11, 23), subject="Kết quả kiểm tra năm 2026",
        intro="Báo cáo thử.", parts=(Part("III. KẾT QUẢ KHẮC PHỤC", ("Danh sách.",), (table,)),),
        recipients=("Lưu: VT.",), signer=Signer("Phó Giám đốc", "", "KT. Giám đốc"))


def test_a_list_longer_than_the_pdf_limit_is_cut_there_and_whole_in_the_xlsx():
    report = report_with_overdue(count=12, limit=5)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_report_pdf(report)))
                    .pages)
    assert "Bưu cục số 5" in text and "Bưu cục số 6" not in text
    assert "và 7 dòng khác" in text and "XLSX" in text
    sheet = load_workbook(io.BytesIO(render_report_xlsx(report)))["Quá hạn"]
    names = [c.value for c in sheet["B"] if isinstance(c.value, str) and "số" in c.value]
    assert names == [f"Bưu cục số {n}" for n in range(1, 13)]


def test_a_list_within_the_limit_has_no_note():
    report = report_with_overdue(count=3, limit=5)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_report_pdf(report)))
                    .pages)
    assert "Bưu cục số 3" in text and "dòng khác" not in text
