"""Writing a report: the domain's figures turned into a statistical report (báo cáo), rendered
to PDF and XLSX, stored in the blob store, and the report marked ready.

`render_report` is the job's body, called directly by tests and by `kt1 report`: idempotent (a
ready report is returned unchanged) and committed by its caller. It reads the figures and
ends that read before each progress report (on SQLite a reader would block the progress
writer), renders with no transaction open, then locks the report to record the documents.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from inspection import documents, notices, reports
from inspection.models import Report, Signer
from inspection.provision import deadline as provision_deadline
from inspection.provision.deadline import ProvisionSummary
from inspection.reports import Figures, ReportData
from media.blobstore import BlobStore
from workers.documents import issuing, model
from workers.documents.report import render_report_pdf, render_report_xlsx
from workers.documents.report_model import Column, DataTable, Format, Part, StatReport
from workers.documents.vietnamese import number
from workers.notices import UNNAMED, signature

Progress = Callable[[int], None]
KT1 = "dịch vụ bưu chính KT1"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
"""The parts are numbered in order, whichever the report has."""


@dataclass(frozen=True)
class Rendered:
    report: Report
    pdf: bytes | None = None
    xlsx: bytes | None = None
    """The documents' bytes when this call wrote them (None: the report was ready)."""


def render_report(session: Session, store: BlobStore, report_id: uuid.UUID | str, *,
                  progress: Progress | None = None, now: datetime | None = None) -> Rendered:
    """Figure, render, store and mark ready the report, unless it is ready already; the
    caller commits. Raises NotFound (no such report, its campaign gone or moved)."""
    tell = progress or (lambda _percent: None)
    report = reports.lock_for_issue(session, report_id)
    if documents.is_issued(report):
        return Rendered(report)
    today = notices.today_in_vietnam(now)
    # Numbered at the start: the number is committed with the first figures and kept by the
    # report (a failed report keeps its number and is not rendered again).
    reports.assign_number(session, report, issued_on=today)
    report_number = report.number
    signer = signature(session.get(Signer, report.signer_id) if report.signer_id else None)

    def between_queries(percent: int) -> None:
        session.commit()
        tell(5 + percent * 55 // 100)

    data = reports.report_data(session, report, as_of=today, progress=between_queries)
    document = replace(statement(data, _body(session, data.province_code), issued_on=today),
                       number=report_number, signer=signer)
    pdf = render_report_pdf(document)
    tell(75)
    xlsx = render_report_xlsx(document)
    tell(85)
    files = issuing.store_files(store, {"pdf": pdf, "xlsx": xlsx})
    tell(95)  # before the write below: on SQLite it holds the lock until the job commits
    report = reports.lock_for_issue(session, report_id)
    if documents.is_issued(report):
        return Rendered(report)
    reports.mark_issued(session, report, files=files)
    return Rendered(report, pdf, xlsx)


def _body(session: Session, province_code: str) -> model.IssuingBody:
    return issuing.issuing_body(notices.issuing_body(session, province_code))


def subject(data: ReportData) -> str:
    if data.kind == "annual":
        return f"Kết quả kiểm tra việc cung cấp, sử dụng {KT1} năm {data.year}"
    return f"Kết quả kiểm tra việc cung cấp, sử dụng {KT1} trong {data.campaign}"


def statement(data: ReportData, body: model.IssuingBody, *, issued_on: date) -> StatReport:
    """The report as a document: results, findings, remediation, and for an annual report
    the post offices' own reports and the comparison with the year before."""
    period = f"năm {data.year}" if data.kind == "annual" else str(data.campaign)
    intro = (f"Thực hiện {model.KT1_DECISION}, {body.name} báo cáo kết quả kiểm tra việc cung "
             f"cấp, sử dụng {KT1} {period} trên địa bàn {data.province} (số liệu tính đến "
             f"ngày {issued_on:%d/%m/%Y}) như sau:")
    parts = [_results(data), _findings(data), _remediation(data)]
    if data.provision is not None:
        parts.append(_provision(data.provision, as_of=data.as_of))
    if data.previous is not None:
        parts.append(_comparison(data, data.previous))
    parts = [replace(p, heading=f"{ROMAN[n]}. {p.heading}") for n, p in enumerate(parts)]
    return StatReport(
        body=body, issued_on=issued_on, subject=subject(data), intro=intro, parts=tuple(parts),
        recipients=(f"Ủy ban nhân dân {data.province} (để báo cáo)",
                    "Bộ Khoa học và Công nghệ (để báo cáo)",
                    f"Công an {data.province} (để phối hợp)",
                    f"Bưu điện {data.province} (để thực hiện)"),
        signer=UNNAMED)


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def _results(data: ReportData) -> Part:
    f = data.current
    where = "được giao trong đợt" if data.kind == "campaign" else "trên địa bàn"
    text = (f"Các đoàn kiểm tra đã thực hiện {f.inspections} cuộc kiểm tra (trong đó "
            f"{f.approved} cuộc đã được phê duyệt kết quả), tại {f.sites_covered} trong số "
            f"{f.sites} cơ sở {where}.")
    coverage = DataTable(
        "Phạm vi kiểm tra", "Cơ sở được kiểm tra",
        (Column("Loại cơ sở", 60), Column(f"Số cơ sở {where}", 37, Format.INTEGER),
         Column("Số cơ sở được kiểm tra", 37, Format.INTEGER),
         Column("Tỷ lệ", 31, Format.PERCENT)),
        (*((reports.KIND_LABELS[c.kind], c.sites, c.covered, c.rate) for c in f.coverage),
         ("Tổng cộng", f.sites, f.sites_covered, _share(f.sites_covered, f.sites))))
    return Part("KẾT QUẢ KIỂM TRA", (text,), (coverage,))


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def _findings(data: ReportData) -> Part:
    f = data.current
    text = (f"Qua kiểm tra đã phát hiện {f.findings} nội dung chưa bảo đảm quy định (không kể "
            "các phát hiện đã được loại bỏ khi xem xét), phân theo nhóm nội dung kiểm tra, mức "
            "độ và địa bàn xã, phường như sau.")
    sections = DataTable(
        "Theo nhóm nội dung", "Phát hiện theo nhóm nội dung kiểm tra",
        (Column("Nhóm nội dung kiểm tra", 105), Column("Số phát hiện", 30, Format.INTEGER),
         Column("Tỷ lệ", 30, Format.PERCENT)),
        tuple((t.label, t.count, _share(t.count, f.findings)) for t in f.by_section))
    severities = DataTable(
        "Theo mức độ", "Phát hiện theo mức độ",
        (Column("Mức độ", 75), Column("Số phát hiện", 45, Format.INTEGER),
         Column("Tỷ lệ", 45, Format.PERCENT)),
        tuple((t.label, t.count, _share(t.count, f.findings)) for t in f.by_severity))
    communes = DataTable(
        "Theo xã, phường", "Kiểm tra và phát hiện theo xã, phường",
        (Column("Xã, phường, đặc khu", 75), Column("Mã", 20),
         Column("Số cuộc kiểm tra", 35, Format.INTEGER),
         Column("Số phát hiện", 35, Format.INTEGER)),
        tuple((c.name, c.code or None, c.inspections, c.findings) for c in f.by_commune))
    return Part("CÁC NỘI DUNG CHƯA BẢO ĐẢM QUY ĐỊNH", (text,),
                (sections, severities, communes))


OVERDUE_IN_PDF = 100
"""The longest-overdue findings the PDF lists; the XLSX lists them all."""


def _remediation(data: ReportData) -> Part:
    r = data.current.remediation
    text = (f"Trong {r.confirmed} phát hiện đã được xác nhận, {r.done} phát hiện đã được khắc "
            f"phục (trong đó {r.verified} đã được kiểm tra xác minh), đạt tỷ lệ {_rate(r.rate)}"
            f"; {r.overdue} phát hiện đã quá hạn mà chưa được khắc phục.")
    summary = DataTable(
        "Khắc phục", "Kết quả khắc phục",
        (Column("Đã xác nhận", 30, Format.INTEGER), Column("Đã khắc phục", 30, Format.INTEGER),
         Column("Đã xác minh", 30, Format.INTEGER), Column("Tỷ lệ khắc phục", 40,
                                                           Format.PERCENT),
         Column("Quá hạn", 35, Format.INTEGER)),
        ((r.confirmed, r.remediated, r.verified, r.rate, r.overdue),))
    overdue = DataTable(
        "Quá hạn", "Phát hiện quá hạn chưa khắc phục",
        (Column("STT", 11, Format.INTEGER), Column("Cơ sở", 45), Column("Xã, phường", 32),
         Column("Mục", 13), Column("Mức độ", 22), Column("Hạn khắc phục", 22, Format.DATE),
         Column("Số ngày quá hạn", 20, Format.INTEGER)),
        tuple((n, o.site, o.commune, o.item_code, reports.SEVERITY_LABELS[o.severity],
               o.due_on, o.days) for n, o in enumerate(data.current.overdue, 1)),
        empty="Không có phát hiện quá hạn.", pdf_limit=OVERDUE_IN_PDF)
    return Part("KẾT QUẢ KHẮC PHỤC", (text,), (summary, overdue))


def _indicators(f: Figures) -> tuple[tuple[str, int], ...]:
    r = f.remediation
    return (("Số cuộc kiểm tra đã thực hiện", f.inspections),
            ("Số cơ sở được kiểm tra", f.sites_covered),
            ("Số phát hiện", f.findings),
            *((f"Phát hiện mức độ {t.label.lower()}", t.count) for t in f.by_severity),
            ("Số phát hiện đã xác nhận", r.confirmed),
            ("Số phát hiện đã khắc phục", r.done),
            ("Số phát hiện quá hạn", r.overdue))


def _comparison(data: ReportData, previous: Figures) -> Part:
    year, before = data.year, (data.year or 0) - 1
    counts = DataTable(
        "So sánh", f"So sánh với năm {before}",
        (Column("Chỉ tiêu", 69), Column(f"Năm {before}", 32, Format.INTEGER),
         Column(f"Năm {year}", 32, Format.INTEGER), Column("Tăng (+), giảm (-)", 32,
                                                          Format.CHANGE)),
        tuple((label, old, new, new - old) for (label, old), (_, new)
              in zip(_indicators(previous), _indicators(data.current), strict=True)))
    now_r, old_r = data.current.remediation.rate, previous.remediation.rate
    text = (f"So với năm {before}, số cuộc kiểm tra "
            f"{_change(data.current.inspections - previous.inspections)}, số phát hiện "
            f"{_change(data.current.findings - previous.findings)}; tỷ lệ khắc phục "
            f"{_rate(old_r)} năm {before}, {_rate(now_r)} năm {year}.")
    return Part(f"SO SÁNH VỚI NĂM {before}", (text,), (counts,))


TIMELINESS = {True: "Đúng hạn", False: "Trễ hạn", None: "Chưa đến hạn"}
PROVIDED = ("total_volume", "local_volume", "staff_involved", "revenue_vnd", "incidents")
NO_PROVIDER = "Không có đơn vị cung cấp dịch vụ KT1."


def _provision(p: ProvisionSummary, *, as_of: date) -> Part:
    """The post offices' own annual reports: who sent what when, and their key figures
    (only of the reports in the Sở's hands: sent or accepted)."""
    sent, on_time = p.sent, p.on_time
    text = (f"Trên địa bàn có {len(p.rows)} đơn vị cung cấp {KT1}. Đến ngày "
            f"{as_of:%d/%m/%Y}, {sent} đơn vị đã gửi báo cáo năm {p.year} về tình hình cung "
            f"cấp {KT1} (hạn gửi: ngày {p.due_on:%d/%m/%Y}), trong đó {on_time} đơn vị "
            f"gửi đúng hạn, {sent - on_time} đơn vị gửi sau hạn; Sở đã tiếp nhận "
            f"{p.with_status('accepted')} báo cáo, trả lại "
            f"{p.with_status('returned')} báo cáo để bổ sung, chỉnh sửa; "
            f"{len(p.rows) - sent} đơn vị chưa gửi báo cáo.")
    figures = (f"Theo các báo cáo đã gửi (không kể báo cáo bị trả lại), tổng sản lượng bưu gửi "
               f"KT1 là {number(p.total('total_volume'))} bưu gửi (trên địa bàn: "
               f"{number(p.total('local_volume'))}), {number(p.total('staff_involved'))} người "
               f"lao động trực tiếp tham gia, doanh thu {number(p.total('revenue_vnd'))} đồng; "
               f"{number(p.total('incidents'))} sự cố, vi phạm được báo cáo.")
    return Part("TÌNH HÌNH CUNG CẤP DỊCH VỤ BƯU CHÍNH KT1 THEO BÁO CÁO CỦA CÁC ĐƠN VỊ",
                (text, figures), (_senders(p), _provided(p)))


def _senders(p: ProvisionSummary) -> DataTable:
    return DataTable(
        "Báo cáo của đơn vị", "Tình hình gửi báo cáo năm của các đơn vị cung cấp dịch vụ KT1",
        (Column("STT", 12, Format.INTEGER), Column("Đơn vị", 49), Column("Trạng thái", 30),
         Column("Ngày gửi lần đầu", 25, Format.DATE),
         Column("Ngày gửi được tiếp nhận", 25, Format.DATE), Column("Thời hạn", 24)),
        tuple((n, r.organization, provision_deadline.STATUS_LABELS[r.status],
               r.first_submitted_on, r.received_on, TIMELINESS[r.on_time])
              for n, r in enumerate(p.rows, 1)),
        empty=NO_PROVIDER)


def _provided(p: ProvisionSummary) -> DataTable:
    """Each provider's figures (dashes for a report not in the Sở's hands), then the totals."""
    totals = (("Tổng cộng", *(p.total(name) for name in PROVIDED)),) if p.rows else ()
    return DataTable(
        "Số liệu cung cấp KT1", "Số liệu chủ yếu theo báo cáo của các đơn vị",
        (Column("Đơn vị", 47), Column("Tổng sản lượng (bưu gửi)", 24, Format.INTEGER),
         Column("Trên địa bàn", 22, Format.INTEGER), Column("Lao động", 18, Format.INTEGER),
         Column("Doanh thu (đồng)", 36, Format.INTEGER), Column("Sự cố", 18, Format.INTEGER)),
        (*((r.organization, *(getattr(r, name) for name in PROVIDED)) for r in p.rows),
         *totals),
        empty=NO_PROVIDER)


def _change(delta: int) -> str:
    if delta == 0:
        return "không thay đổi"
    return f"tăng {delta}" if delta > 0 else f"giảm {-delta}"
