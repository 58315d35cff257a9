"""The post office's annual report on KT1 provision (báo cáo tình hình cung cấp dịch vụ bưu
chính KT1) in the Decree 30/2020/NĐ-CP layout: figures, compliance with each group of rules,
the incidents as a table, difficulties and proposals, addressed to the province's People's
Committee through the Sở KH&CN."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from workers.documents import decree30 as d30
from workers.documents.layout import Align, Block, Cell, Document, Gap, Page, Para, Run, Table
from workers.documents.model import KT1_DECISION, IssuingBody, Signer
from workers.documents.pdf import write_pdf
from workers.documents.vietnamese import nfc, number, short_date
from workers.documents.word import write_docx

TYPE_CODE = "BC"
TYPE_NAME = "BÁO CÁO"
BLANK = "......."
"""The post office numbers its own documents when it signs: number and symbol left blank."""
INCIDENT_WIDTHS_MM = (12.0, 26.0, 66.0, 61.0)
TABLE_SIZE = 12.0
HEADER_WIDTHS_MM = (72.0, 93.0)
"""Wider on the left than the Sở's header, so "BƯU ĐIỆN THÀNH PHỐ CẦN THƠ" (68.4 mm in bold
at 12 pt) holds on one line beside the national title (88.3 mm)."""
SIGNER = Signer("Giám đốc", "")
"""The director signs; the name is written in by hand."""


@dataclass(frozen=True)
class Incident:
    occurred_on: date
    description: str
    handling: str


@dataclass(frozen=True)
class ProvisionReport:
    """`body` is the post office (`parent` its parent body, "" for none); `province` as a
    sentence writes it ("thành phố Cần Thơ"); `compliance` is (group of rules, text) pairs
    in order."""

    body: IssuingBody
    year: int
    issued_on: date
    province: str
    total_volume: int
    local_volume: int
    staff_involved: int
    revenue_vnd: int
    compliance: tuple[tuple[str, str], ...]
    incidents: tuple[Incident, ...]
    difficulties: str
    proposals: str
    recipients: tuple[str, ...]
    signer: Signer = SIGNER
    archive: str = "VT"

    @property
    def addressee(self) -> str:
        return f"Ủy ban nhân dân {self.province} (qua Sở Khoa học và Công nghệ)"


def render_provision_pdf(r: ProvisionReport) -> bytes:
    return write_pdf(provision_document(r))


def render_provision_docx(r: ProvisionReport) -> bytes:
    return write_docx(provision_document(r))


def subject(r: ProvisionReport) -> str:
    return f"Tình hình cung cấp dịch vụ bưu chính KT1 năm {r.year}"


def symbol() -> str:
    return f"{BLANK}/{TYPE_CODE}-{BLANK}"


def provision_document(r: ProvisionReport) -> Document:
    """The report as a format-neutral document (what both writers draw)."""
    page = Page()
    heading = replace(r.body, parent=_glued_tail(r.body.parent), name=_glued_tail(r.body.name))
    header = replace(d30.header(heading, f"Số: {symbol()}", r.issued_on),
                     widths_mm=HEADER_WIDTHS_MM)
    blocks: tuple[Block, ...] = (
        header,
        *d30.title(TYPE_NAME, subject(r), page.text_width_mm),
        Para((Run("Kính gửi: "), Run(r.addressee)), Align.CENTER, space_after=12),
        d30.paragraph(
            f"Thực hiện {KT1_DECISION} và chỉ đạo của Ủy ban nhân dân {r.province} về bảo đảm "
            f"an ninh, an toàn trong cung ứng và sử dụng dịch vụ bưu chính KT1, "
            f"{nfc(r.body.name)} báo cáo tình hình cung cấp dịch vụ bưu chính KT1 năm {r.year} "
            f"trên địa bàn {r.province} như sau:"),
        *_results(r),
        *_compliance(r),
        *_incidents(r),
        d30.heading("IV. KHÓ KHĂN, VƯỚNG MẮC VÀ NGUYÊN NHÂN"),
        *_text(r.difficulties),
        d30.heading("V. ĐỀ XUẤT, KIẾN NGHỊ"),
        *_text(r.proposals),
        d30.paragraph(f"Trên đây là báo cáo tình hình cung cấp dịch vụ bưu chính KT1 năm "
                      f"{r.year} của {nfc(r.body.name)}./.", keep_with_next=True),
        Gap(4),
        d30.closing(r.recipients, r.archive, r.signer),
    )
    return Document(f"Báo cáo {subject(r)}", nfc(r.body.name), blocks, page)


def _results(r: ProvisionReport) -> tuple[Para, ...]:
    return (
        d30.heading("I. KẾT QUẢ CUNG CẤP DỊCH VỤ BƯU CHÍNH KT1"),
        d30.paragraph(f"1. Sản lượng: tổng sản lượng bưu gửi KT1 trong năm là "
                      f"{number(r.total_volume)} bưu gửi, trong đó trên địa bàn {r.province} "
                      f"là {number(r.local_volume)} bưu gửi."),
        d30.paragraph(f"2. Lao động: {number(r.staff_involved)} người lao động trực tiếp tham "
                      "gia cung cấp dịch vụ bưu chính KT1."),
        d30.paragraph(f"3. Doanh thu dịch vụ bưu chính KT1: {number(r.revenue_vnd)} đồng."),
    )


def _compliance(r: ProvisionReport) -> list[Para]:
    out = [d30.heading("II. VIỆC CHẤP HÀNH CÁC QUY ĐỊNH VỀ CUNG CẤP DỊCH VỤ, CHẤT LƯỢNG, KẾT "
                       "NỐI, AN NINH, AN TOÀN VÀ LƯU TRỮ")]
    for n, (rules, text) in enumerate(r.compliance, 1):
        lines = _lines(text)
        out.append(d30.paragraph(Run(f"{n}. Về {rules}: ", italic=True), lines[0]))
        out += [d30.paragraph(line) for line in lines[1:]]
    return out


def _incidents(r: ProvisionReport) -> list[Block]:
    out: list[Block] = [d30.heading("III. SỰ CỐ, VI PHẠM VÀ KẾT QUẢ XỬ LÝ")]
    if not r.incidents:
        out.append(d30.paragraph(f"Trong năm {r.year}, không xảy ra sự cố, vi phạm nào trong "
                                 "cung cấp dịch vụ bưu chính KT1."))
        return out
    out.append(d30.paragraph(f"Trong năm {r.year} đã xảy ra {number(len(r.incidents))} sự "
                             "cố, vi phạm, được xử lý như sau:"))
    out.append(_incident_table(r.incidents))
    return out


def _incident_table(incidents: tuple[Incident, ...]) -> Table:
    def cell(value: str, *, bold: bool = False, align: Align = Align.CENTER) -> Cell:
        return Cell((Para((Run(value, bold=bold),), align, TABLE_SIZE),))

    head = tuple(cell(h, bold=True) for h in
                 ("STT", "Ngày xảy ra", "Sự cố, vi phạm", "Cách xử lý, kết quả"))
    rows: list[tuple[Cell | None, ...]] = [head]
    for n, incident in enumerate(incidents, 1):
        rows.append((cell(str(n)), cell(short_date(incident.occurred_on)),
                     cell(incident.description, align=Align.LEFT),
                     cell(incident.handling, align=Align.LEFT)))
    return Table(INCIDENT_WIDTHS_MM, tuple(rows), header_rows=1)


def _glued_tail(name: str) -> str:
    """The last two words held together, so a long name never wraps one word alone
    ("TỔNG CÔNG TY BƯU ĐIỆN / VIỆT NAM")."""
    head, _, tail = name.rpartition(" ")
    return f"{head}\u00a0{tail}" if head else name


def _lines(text: str) -> list[str]:
    """A text as its writer broke it into paragraphs (at least one)."""
    return [line.strip() for line in nfc(text).splitlines() if line.strip()] or [""]


def _text(text: str) -> list[Para]:
    return [d30.paragraph(line) for line in _lines(text)]
