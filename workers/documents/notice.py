"""The violation notice (thông báo kết quả kiểm tra và kiến nghị xử lý vi phạm): findings
with their legal bases, the remediation deadline, and an appendix of photo evidence with a
QR code of the verification page."""

from __future__ import annotations

from workers.documents import decree30 as d30
from workers.documents.layout import (
    Align,
    Block,
    Cell,
    Content,
    Document,
    Gap,
    Page,
    PageBreak,
    Para,
    Picture,
    Run,
    Table,
    fitted,
)
from workers.documents.model import (
    KT1_DECISION,
    KT1_DECISION_SHORT,
    Notice,
    PhotoEvidence,
    Severity,
)
from workers.documents.pdf import write_pdf
from workers.documents.qr import qr_png
from workers.documents.vietnamese import date_words, enumeration, nfc, position, span, stamp
from workers.documents.word import write_docx

TYPE_CODE = "TB"
TYPE_NAME = "THÔNG BÁO"
PHOTO_WIDTHS_MM = (11.0, 38.0, 17.0, 35.0, 64.0)
TABLE_SIZE = 12.0
HASH_SIZE = 8.0
QR_WIDTH_MM = 30.0
QR_CELL_MM = 38.0
THUMB_BOX_MM = (34.0, 24.0)
LETTERS = "abcdđeghiklmnopqrstuvxy"


def render_notice_pdf(n: Notice) -> bytes:
    return write_pdf(notice_document(n))


def render_notice_docx(n: Notice, *, signed_by: str | None = None) -> bytes:
    """The editable copy; its footer says so and who signs the PDF (`signed_by`)."""
    return write_docx(notice_document(n), footer=d30.editable_copy_note(signed_by))


def subject(n: Notice) -> str:
    return ("Kết quả kiểm tra và kiến nghị xử lý vi phạm trong cung cấp dịch vụ bưu chính KT1 "
            f"tại {nfc(n.site.name)}")


def notice_document(n: Notice) -> Document:
    """The notice as a format-neutral document (what both writers draw)."""
    page = Page()
    width = page.text_width_mm
    blocks = (
        *d30.front(n.body, _symbol(n), n.issued_on, TYPE_NAME, subject(n),
                   (KT1_DECISION, *n.inspection.grounds), width),
        *_results(n),
        *_requests(n),
        Gap(4),
        d30.closing(n.recipients, n.archive, n.signer),
        *_appendix(n, width),
    )
    return Document(f"Thông báo {_symbol(n)}", nfc(n.body.name), blocks, page)


def _symbol(n: Notice) -> str:
    return d30.symbol(n.number, TYPE_CODE, n.body.abbreviation)


def _results(n: Notice) -> list[Para]:
    site, insp = n.site, n.inspection
    agencies = enumeration(list(dict.fromkeys(nfc(m.organisation) for m in insp.team)))
    out = [
        d30.heading("1. Kết quả kiểm tra"),
        d30.paragraph(
            f"Đoàn kiểm tra liên ngành gồm đại diện {agencies} đã kiểm tra việc cung cấp dịch "
            f"vụ bưu chính KT1 tại {site.name} ({site.organisation}), địa chỉ: "
            f"{site.full_address}, {span(insp.started_at, insp.ended_at)}."),
    ]
    if not n.findings:
        out.append(d30.paragraph("Qua kiểm tra, Đoàn kiểm tra chưa phát hiện nội dung vi phạm."))
        return out
    out.append(d30.paragraph(
        f"Qua kiểm tra, đối chiếu với quy định tại {KT1_DECISION_SHORT} và các văn bản "
        f"pháp luật có liên quan, Đoàn kiểm tra xác định {len(n.findings):02d} nội dung chưa "
        "bảo đảm quy định, cụ thể như sau:"))
    for i, finding in enumerate(n.findings):
        shown = [str(k) for k, p in enumerate(n.photos, 1) if p.item_code == finding.item_code]
        evidence = f"ảnh số {enumeration(shown)} tại Phụ lục" if shown else "không có"
        out += [
            d30.paragraph(Run(f"{_label(i)} Mục {finding.item_code} ({finding.section}): ",
                              bold=True),
                          f"{nfc(finding.description).rstrip('.')}.", space_after=2,
                          keep_with_next=True),
            d30.paragraph(Run("- Căn cứ pháp lý: ", italic=True),
                          f"{nfc(finding.legal_basis).rstrip('.;')};", space_after=2,
                          keep_with_next=True),
            d30.paragraph(Run("- Mức độ: ", italic=True), f"{finding.severity.label}; ",
                          Run("ảnh chứng cứ: ", italic=True), f"{evidence}."),
        ]
    return out


def _label(index: int) -> str:
    """"a)", "b)", ... in the Vietnamese alphabet; "1.24." and on past its 23 letters."""
    return f"{LETTERS[index]})" if index < len(LETTERS) else f"1.{index + 1}."


def _requests(n: Notice) -> list[Para]:
    site = n.site
    out = [
        d30.heading("2. Kiến nghị"),
        d30.paragraph(
            f"Đề nghị {site.organisation} chỉ đạo {site.name} khắc phục ngay các nội dung nêu "
            f"tại mục 1, hoàn thành chậm nhất {date_words(n.due_on)}, và báo cáo kết quả khắc "
            f"phục bằng văn bản (kèm ảnh chứng cứ) về {n.body.name} để kiểm tra, xác minh."),
        d30.paragraph(
            "Hành vi vi phạm hành chính (nếu có) được xử lý theo quy định của pháp luật về xử "
            "phạt vi phạm hành chính trong lĩnh vực bưu chính."
            + (" Nội dung có mức độ nghiêm trọng (nguy cơ lộ, mất bí mật nhà nước) được chuyển "
               "cơ quan Công an xem xét, xử lý theo thẩm quyền."
               if any(f.severity is Severity.CRITICAL for f in n.findings) else "")),
    ]
    if n.photos:
        out.append(d30.paragraph(
            "Ảnh chứng cứ được liệt kê tại Phụ lục kèm theo Thông báo này, mỗi ảnh kèm mã SHA-256 "
            "của ảnh gốc; mã QR tại Phụ lục dẫn đến trang xác minh nội dung Thông báo và tính "
            "toàn vẹn của ảnh chứng cứ đang lưu trữ."))
    out.append(d30.paragraph(f"{n.body.name} thông báo để {site.organisation} biết, "
                             "thực hiện./."))
    return out


def _appendix(n: Notice, width_mm: float) -> list[Block]:
    attached = (f"(Kèm theo Thông báo số {_symbol(n)} {date_words(n.issued_on)} "
                f"của {n.body.name})")
    return [
        PageBreak(),
        Para((Run("PHỤ LỤC", bold=True),), Align.CENTER),
        Para((Run("ẢNH CHỨNG CỨ", bold=True),), Align.CENTER),
        Para((Run(attached, italic=True),), Align.CENTER, space_after=12,
             rule=d30.short_rule(attached, 14, width_mm, bold=False, italic=True)),
        _verification(n.verify_url),
        Gap(4),
        _photo_table(n.photos),
    ]


def _photo_table(photos: tuple[PhotoEvidence, ...]) -> Table:
    def text(value: str, *, bold: bool = False, align: Align = Align.CENTER) -> Para:
        return Para((Run(value, bold=bold),), align, TABLE_SIZE)

    head = tuple(Cell((text(h, bold=True),)) for h in
                 ("STT", "Ảnh", "Mục", "Thời điểm chụp", "Vị trí (vĩ độ, kinh độ)"))
    rows: list[tuple[Cell | None, ...]] = [head]
    for i, photo in enumerate(photos, 1):
        taken = stamp(photo.taken_at) if photo.taken_at else "Không rõ"
        rows.append((
            Cell((text(str(i)),), rowspan=2),
            Cell((_thumbnail(photo),), rowspan=2),
            Cell((text(photo.item_code),)),
            Cell((text(taken),)),
            Cell((text(position(photo.lat, photo.lon)),)),
        ))
        rows.append((None, None, Cell((
            Para((Run("Mã SHA-256 của ảnh gốc:", italic=True),), Align.LEFT, 11),
            Para((Run(photo.sha256.lower(), mono=True),), Align.LEFT, HASH_SIZE,
                 space_after=2),
        ), colspan=3), None, None))
    if not photos:
        rows.append((Cell((text("Không có ảnh chứng cứ."),), colspan=5), None, None, None, None))
    return Table(PHOTO_WIDTHS_MM, tuple(rows), header_rows=1)


def _thumbnail(photo: PhotoEvidence) -> Content:
    if photo.thumbnail is None:
        return Para((Run("(không có ảnh thu nhỏ)", italic=True),), Align.CENTER, 11)
    return fitted(photo.thumbnail, *THUMB_BOX_MM)


def _verification(url: str) -> Table:
    """The QR code beside what it is for, the URL printed under it."""
    qr_w, text_w = QR_CELL_MM, sum(PHOTO_WIDTHS_MM) - QR_CELL_MM
    about = (
        Para((Run("Xác minh Thông báo và ảnh chứng cứ", bold=True),), Align.LEFT, 13,
             space_after=4),
        Para((Run("Quét mã QR hoặc truy cập địa chỉ dưới đây để xem Thông báo đã ban hành và "
                  "kiểm tra ảnh chứng cứ đang lưu trữ còn khớp mã SHA-256 ghi tại Phụ lục này.",
                  italic=True),), Align.JUSTIFY, 12),
    )
    return Table((qr_w, text_w), (
        (Cell((Picture(qr_png(url), QR_WIDTH_MM),)), Cell(about)),
        (Cell((Para((Run(url, mono=True),), Align.LEFT, 9, space_before=2),), colspan=2),
         None),
    ), grid=False, padding_mm=0, keep_together=True)
