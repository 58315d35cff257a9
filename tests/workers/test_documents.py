"""Official documents rendered from sample Cần Thơ data: the text a reader finds in the PDF and
the DOCX, the embedded fonts, the QR code, the page set-up, and the Vietnamese wording."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from PIL import Image, ImageDraw
from pypdf import PdfReader

from workers.documents import (
    fonts,
    render_notice_docx,
    render_notice_pdf,
    render_record_docx,
    render_record_pdf,
)
from workers.documents.model import (
    Agency,
    Answer,
    Finding,
    Inspection,
    IssuingBody,
    Notice,
    PhotoEvidence,
    Record,
    Representative,
    Severity,
    Signer,
    Site,
    TeamMember,
    TeamRole,
)
from workers.documents.qr import qr_matrix
from workers.documents.vietnamese import answer_text, place_date, position, stamp

VN = timezone(timedelta(hours=7))
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DECISION_32 = "Quyết định số 32/2025/QĐ-TTg"
SIGNER_NAME = "Đặng Nguyễn Mỹ Hường"  # Đ, ặ, ễ, ỹ, ườ: stacked diacritics
SITE_NAME = "Bưu cục KT1 Ninh Kiều"
VERIFY_URL = "https://kt1.cantho.gov.vn/notices/3f2a9c1e-7b4d-4e8a-9c6f-2d1b5a8e7c30/verify"
LEGAL_BASES = (
    "Nghị định 26/2020/NĐ-CP Đ.4(1)(b); Thông tư 24/2020/TT-BCA Mẫu 03 (chưa xác minh)",
    "Nghị định 174/2026/NĐ-CP Đ.9(1)-(2)",
    "Luật 29/2018/QH14 Đ.13(6) (văn bản đã được thay thế); Luật 117/2025/QH15 (chưa xác minh)",
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def thumbnail(i: int) -> bytes:
    img = Image.new("RGB", (160, 120), (40 + 30 * i, 90, 160 - 20 * i))
    ImageDraw.Draw(img).rectangle((20 + 5 * i, 20, 100, 90), fill=(230, 220, 60))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return out.getvalue()


def signature_png(seed: int) -> bytes:
    img = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    points = [(10 + 28 * k, 60 + ((k * 37 + seed * 11) % 50) - 25) for k in range(10)]
    draw.line(points, fill=(20, 30, 120, 255), width=4)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


SITE = Site(
    name=SITE_NAME,
    organisation="Bưu điện thành phố Cần Thơ",
    address="Số 02 đường Hòa Bình",
    commune="phường Ninh Kiều",
    province="thành phố Cần Thơ",
)
DOST = IssuingBody(parent="UBND thành phố Cần Thơ", name="Sở Khoa học và Công nghệ",
                   abbreviation="SKHCN", place="Cần Thơ")
TEAM = (
    TeamMember("Nguyễn Hữu Phước", "Phó Trưởng phòng Bưu chính, Viễn thông", Agency.DOST,
               "Sở Khoa học và Công nghệ", TeamRole.LEADER, signature=signature_png(1)),
    TeamMember("Trần Thị Thu Thủy", "Chuyên viên Phòng Bưu chính, Viễn thông", Agency.DOST,
               "Sở Khoa học và Công nghệ", signature=signature_png(2)),
    TeamMember("Thiếu tá Lê Quốc Hưng", "Phó Trưởng phòng An ninh chính trị nội bộ",
               Agency.POLICE, "Công an thành phố Cần Thơ", TeamRole.DEPUTY),
    TeamMember("Đại úy Huỳnh Thị Mỹ Duyên", "Cán bộ Phòng An ninh chính trị nội bộ",
               Agency.POLICE, "Công an thành phố Cần Thơ", signature=signature_png(3)),
)
INSPECTION = Inspection(
    started_at=datetime(2026, 11, 18, 1, 30, tzinfo=UTC),  # 08:30 in Cần Thơ
    ended_at=datetime(2026, 11, 18, 11, 15, tzinfo=VN),
    team=TEAM,
    grounds=(
        "Quyết định số 45/QĐ-SKHCN ngày 10 tháng 11 năm 2026 của Giám đốc Sở Khoa học và "
        "Công nghệ về việc thành lập Đoàn kiểm tra liên ngành việc cung cấp và sử dụng dịch vụ "
        "bưu chính KT1 năm 2026",
        "Chỉ thị của Chủ tịch Ủy ban nhân dân thành phố Cần Thơ về tăng cường công tác bảo đảm "
        "an ninh, an toàn trong cung ứng và sử dụng dịch vụ bưu chính phục vụ cơ quan Đảng, "
        "Nhà nước trên địa bàn thành phố",
    ),
)
FINDINGS = (
    Finding("A4", "A. Chấp nhận bưu gửi KT1",
            "Bưu gửi mang bí mật nhà nước độ Mật chấp nhận ngày 17/11/2026 có bì ngoài không "
            "đóng dấu ký hiệu độ mật theo quy định", LEGAL_BASES[0], Severity.CRITICAL),
    Finding("A3", "A. Chấp nhận bưu gửi KT1",
            "Dấu ngày trên 04 bưu gửi KT1 được kiểm tra mẫu không thể hiện thời gian chấp nhận",
            LEGAL_BASES[1], Severity.MEDIUM),
    Finding("B2", "B. Niêm phong, giao nhận, áp tải",
            "Phiếu giao nhận túi KT1 ngày 16/11/2026 thiếu chữ ký bên nhận và không ghi tình "
            "trạng niêm phong", LEGAL_BASES[2], Severity.HIGH),
)
PHOTOS = tuple(
    PhotoEvidence(
        item_code=code,
        sha256=hashlib.sha256(f"original photo {i}".encode()).hexdigest(),
        taken_at=datetime(2026, 11, 18, 1, 45, tzinfo=UTC) + timedelta(minutes=4 * i),
        lon=None if i == 4 else 105.787310 + i * 0.000013,
        lat=None if i == 4 else 10.034120 + i * 0.000021,
        thumbnail=thumbnail(i),
    )
    for i, code in enumerate(("A4", "A4", "A3", "A3", "B2", "B2"))
)


def sample_notice(**changes: Any) -> Notice:
    fields: dict[str, Any] = {
        "body": DOST,
        "number": 12,
        "issued_on": date(2026, 11, 23),
        "site": SITE,
        "inspection": INSPECTION,
        "findings": FINDINGS,
        "due_on": date(2026, 12, 23),
        "recipients": ("Bưu điện thành phố Cần Thơ", "Công an thành phố Cần Thơ (PA03)",
                       "Giám đốc Sở (để báo cáo)", "UBND phường Ninh Kiều"),
        "signer": Signer("Phó Giám đốc", nfd(SIGNER_NAME), authority="KT. Giám đốc"),
        "photos": PHOTOS,
        "verify_url": VERIFY_URL,
        "archive": "VT, BCVT",
    }
    return Notice(**{**fields, **changes})


ANSWERS = (
    Answer("A. Chấp nhận bưu gửi KT1", "A1", "Bưu gửi KT1 được kiểm tra, đối chiếu số lượng, "
           "tình trạng vỏ bọc và niêm phong trước khi chấp nhận", "Có", True),
    Answer("A. Chấp nhận bưu gửi KT1", "A3", "Dấu ngày/thời gian, địa điểm chấp nhận được thể "
           "hiện đúng trên bưu gửi hoặc chứng từ chấp nhận", "Không", False,
           "04 bưu gửi thiếu giờ chấp nhận", photos=2),
    Answer("A. Chấp nhận bưu gửi KT1", "A4", "Bưu gửi mang BMNN: bì ngoài đóng đúng dấu ký "
           "hiệu độ mật (A/B/C), không thể hiện nội dung mật bên ngoài", "Không", False,
           photos=2),
    Answer("A. Chấp nhận bưu gửi KT1", "A6", "Số trường hợp chấp nhận bưu gửi KT1 ngoài danh "
           "mục đối tượng được phục vụ", "0", True),
    Answer("B. Niêm phong, giao nhận, áp tải", "B2", "Mỗi khâu giao nhận có sổ/phiếu/biên bản "
           "giao nhận ghi giờ, số lượng, tình trạng niêm phong, có chữ ký hai bên", "Không",
           False, photos=2),
    Answer("B. Niêm phong, giao nhận, áp tải", "B3", "Thiết bị định vị được gắn và hoạt động "
           "đối với túi/hộp chứa bưu gửi Tuyệt mật", "Không áp dụng", None,
           "Kỳ kiểm tra không có bưu gửi Tuyệt mật"),
    Answer("C. Nhân sự", "C5", "Ngày tập huấn nghiệp vụ bưu chính và an toàn, an ninh KT1 gần "
           "nhất", "05/02/2026", True),
    Answer("G. Chất lượng dịch vụ", "G1", "Tỷ lệ bưu gửi KT1 phát đúng chỉ tiêu thời gian "
           "toàn trình (mẫu 50 bưu gửi)", "96,5%", True),
    Answer("K. Kết luận phiên kiểm tra", "K1", "Ý kiến giải trình của đơn vị được kiểm tra",
           "Đơn vị thống nhất với kết quả kiểm tra và cam kết khắc phục trước ngày 23/12/2026",
           None),
)
REPRESENTATIVES = (
    Representative("Trần Văn Lũy", "Phó Giám đốc Bưu điện thành phố Cần Thơ",
                   signature=signature_png(4)),
    Representative("Phạm Thị Diễm Hằng", "Trưởng Bưu cục KT1 Ninh Kiều"),
)


def sample_record(**changes: Any) -> Record:
    fields: dict[str, Any] = {
        "body": IssuingBody(parent="Sở Khoa học và Công nghệ", name="Đoàn kiểm tra liên ngành",
                            abbreviation="ĐKT", place="Cần Thơ"),
        "number": 7,
        "site": SITE,
        "inspection": INSPECTION,
        "representatives": REPRESENTATIVES,
        "answers": ANSWERS,
    }
    return Record(**{**fields, **changes})


# -- reading the documents back -----------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def docx_paragraph_texts(data: bytes) -> Iterator[str]:
    document = docx.Document(io.BytesIO(data))

    def tables(items: list[DocxTable]) -> Iterator[str]:
        for table in items:
            for row in table.rows:
                for cell in row.cells:
                    yield from (p.text for p in cell.paragraphs)
                    yield from tables(cell.tables)

    yield from (p.text for p in document.paragraphs)
    yield from tables(document.tables)


def docx_text(data: bytes) -> str:
    return flat("\n".join(docx_paragraph_texts(data)))


def docx_footers(data: bytes) -> set[str]:
    """The texts at the foot of the DOCX's pages (first page and the others)."""
    section = docx.Document(io.BytesIO(data)).sections[0]
    return {flat(f.paragraphs[0].text) for f in (section.first_page_footer, section.footer)}


def flat(text: str) -> str:
    """Whitespace (line breaks of justified text included) collapsed to single spaces."""
    return " ".join(text.split())


def pdf_font_dicts(data: bytes) -> list[Any]:
    """The font dictionaries of every page's resources."""
    fonts_: list[Any] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        resources: Any = page["/Resources"]
        fonts_ += [font.get_object() for font in resources["/Font"].values()]
    return fonts_


def pdf_fonts(data: bytes) -> set[str]:
    return {str(font["/BaseFont"]).lstrip("/") for font in pdf_font_dicts(data)}


def images_in_pdf(data: bytes) -> list[Image.Image]:
    return [img.image for page in PdfReader(io.BytesIO(data)).pages for img in page.images
            if img.image is not None]


def images_in_docx(data: bytes) -> list[bytes]:
    package = docx.Document(io.BytesIO(data)).part.package
    return [part.blob for part in package.iter_parts() if part.content_type.startswith("image/")]


def module_grid(img: Image.Image, size: int) -> list[list[bool]]:
    """Dark/light of each module of a square code image `size` modules wide."""
    grey = img.convert("L")
    w, h = grey.size
    return [[grey.getpixel((int((x + 0.5) * w / size), int((y + 0.5) * h / size))) < 128  # type: ignore[operator]
             for x in range(size)] for y in range(size)]


def shows_qr(images: Sequence[Image.Image], url: str) -> bool:
    expected = qr_matrix(url)
    return any(img.width == img.height and module_grid(img, len(expected)) == expected
               for img in images)


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notice_pdf() -> bytes:
    return render_notice_pdf(sample_notice())


@pytest.fixture(scope="module")
def notice_docx() -> bytes:
    return render_notice_docx(sample_notice())


@pytest.fixture(scope="module")
def record_pdf() -> bytes:
    return render_record_pdf(sample_record())


@pytest.fixture(scope="module")
def record_docx() -> bytes:
    return render_record_docx(sample_record())


@pytest.fixture(params=["pdf", "docx"])
def notice_text(request: pytest.FixtureRequest, notice_pdf: bytes, notice_docx: bytes) -> str:
    return pdf_text(notice_pdf) if request.param == "pdf" else docx_text(notice_docx)


@pytest.fixture(params=["pdf", "docx"])
def record_text(request: pytest.FixtureRequest, record_pdf: bytes, record_docx: bytes) -> str:
    return pdf_text(record_pdf) if request.param == "pdf" else docx_text(record_docx)


# -- the notice ------------------------------------------------------------------------------


def test_the_notice_carries_the_national_title_motto_number_and_date_line(
        notice_text: str) -> None:
    assert NATIONAL_TITLE in notice_text
    assert MOTTO in notice_text
    assert "Số: 12/TB-SKHCN" in notice_text
    assert "Cần Thơ, ngày 23 tháng 11 năm 2026" in notice_text
    assert "UBND THÀNH PHỐ CẦN THƠ" in notice_text
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in notice_text
    assert "THÔNG BÁO" in notice_text


def test_the_notice_cites_decision_32_and_each_findings_own_legal_basis(
        notice_text: str) -> None:
    assert f"Căn cứ {DECISION_32} ngày 08 tháng 9 năm 2025" in notice_text
    for basis in LEGAL_BASES:
        assert f"Căn cứ pháp lý: {basis}" in notice_text
    for finding in FINDINGS:
        assert finding.description in notice_text


def test_the_notice_names_the_site_the_visit_in_vietnam_time_and_the_deadline(
        notice_text: str) -> None:
    assert (f"tại {SITE_NAME} (Bưu điện thành phố Cần Thơ), địa chỉ: Số 02 đường Hòa Bình, "
            "phường Ninh Kiều, thành phố Cần Thơ") in notice_text
    assert "từ 08 giờ 30 phút đến 11 giờ 15 phút ngày 18/11/2026" in notice_text
    assert "hoàn thành chậm nhất ngày 23 tháng 12 năm 2026" in notice_text
    assert "Sở Khoa học và Công nghệ và Công an thành phố Cần Thơ" in notice_text


def test_the_notice_ends_with_recipients_archive_and_signature_block(notice_text: str) -> None:
    assert ("Nơi nhận: - Bưu điện thành phố Cần Thơ; - Công an thành phố Cần Thơ (PA03); "
            "- Giám đốc Sở (để báo cáo); - UBND phường Ninh Kiều; - Lưu: VT, BCVT."
            in notice_text)
    assert f"KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC {SIGNER_NAME}" in notice_text


def test_a_diacritic_heavy_name_given_decomposed_comes_out_composed(notice_text: str) -> None:
    assert SIGNER_NAME in notice_text
    assert unicodedata.is_normalized("NFC", notice_text)


def test_the_appendix_lists_every_photo_with_time_position_and_full_sha256(
        notice_text: str) -> None:
    appendix = notice_text[notice_text.index("PHỤ LỤC ẢNH CHỨNG CỨ"):]
    assert "(Kèm theo Thông báo số 12/TB-SKHCN ngày 23 tháng 11 năm 2026" in appendix
    for photo in PHOTOS:
        assert photo.sha256 in appendix
        assert stamp(photo.taken_at) in appendix  # type: ignore[arg-type]
    assert "18/11/2026 08:45" in appendix
    assert "10.034141, 105.787323" in appendix
    assert appendix.count("Không có dữ liệu vị trí") == 1
    assert VERIFY_URL in appendix


def test_each_finding_points_to_its_photos_in_the_appendix(notice_text: str) -> None:
    assert "ảnh chứng cứ: ảnh số 1 và 2 tại Phụ lục" in notice_text
    assert "ảnh chứng cứ: ảnh số 5 và 6 tại Phụ lục" in notice_text


def test_the_pdf_qr_code_is_the_one_for_the_verification_url(notice_pdf: bytes) -> None:
    images = images_in_pdf(notice_pdf)
    assert shows_qr(images, VERIFY_URL)
    assert not shows_qr(images, VERIFY_URL.replace("3f2a", "0000"))


def test_the_docx_qr_code_is_the_one_for_the_verification_url(notice_docx: bytes) -> None:
    images = [Image.open(io.BytesIO(blob)) for blob in images_in_docx(notice_docx)]
    assert shows_qr(images, VERIFY_URL)
    assert not shows_qr(images, VERIFY_URL.replace("3f2a", "0000"))


def test_the_docx_embeds_every_thumbnail_unchanged(notice_docx: bytes) -> None:
    blobs = images_in_docx(notice_docx)
    assert all(photo.thumbnail in blobs for photo in PHOTOS)


def test_a_photo_without_thumbnail_or_time_still_gets_its_row(notice_docx: bytes) -> None:
    bare = PhotoEvidence("A4", "f" * 64, None, None, None, None)
    for text in (pdf_text(render_notice_pdf(sample_notice(photos=(bare,)))),
                 docx_text(render_notice_docx(sample_notice(photos=(bare,))))):
        assert "f" * 64 in text
        assert "(không có ảnh thu nhỏ)" in text
        assert "Không rõ" in text


# -- both documents: fonts, page set-up, page numbers ---------------------------------------


def test_the_pdfs_embed_liberation_fonts_and_nothing_else(
        notice_pdf: bytes, record_pdf: bytes) -> None:
    serif = {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"}
    for data, needed in ((notice_pdf, serif | {"LiberationSerif-BoldItalic", "LiberationMono"}),
                         (record_pdf, serif)):
        names = pdf_fonts(data)
        families = {re.sub(r"^[A-Z]{6}\+", "", n) for n in names}
        assert all(re.match(r"^[A-Z]{6}\+", n) for n in names), names  # embedded subsets
        assert needed <= families <= needed | {"LiberationSerif-BoldItalic", "LiberationMono"}
        for font in pdf_font_dicts(data):
            descendant = font["/DescendantFonts"][0].get_object() \
                if "/DescendantFonts" in font else font
            assert "/FontFile2" in descendant["/FontDescriptor"]


def test_pdfs_are_a4_and_numbered_from_page_two_at_the_top(
        notice_pdf: bytes, record_pdf: bytes) -> None:
    for data in (notice_pdf, record_pdf):
        pages = PdfReader(io.BytesIO(data)).pages
        assert len(pages) >= 2
        for page in pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) \
                == (595, 842)
        assert pages[0].extract_text().split()[0] != "1"
        for number, page in enumerate(pages[1:], 2):
            assert page.extract_text().split()[0] == str(number)


def test_the_docx_is_a4_with_decree_30_margins_and_numbers_from_page_two(
        notice_docx: bytes, record_docx: bytes) -> None:
    for data in (notice_docx, record_docx):
        document: DocxDocument = docx.Document(io.BytesIO(data))
        section = document.sections[0]
        assert section.page_width is not None and section.page_height is not None
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        margins = [round(m.mm, 1) if m is not None else -1.0
                   for m in (section.top_margin, section.bottom_margin,
                             section.left_margin, section.right_margin)]
        top, bottom, left, right = margins
        assert 20 <= top <= 25 and 20 <= bottom <= 25, margins
        assert 30 <= left <= 35 and 15 <= right <= 20, margins
        assert section.different_first_page_header_footer
        assert "PAGE" in section.header._element.xml
        assert "PAGE" not in section.first_page_header._element.xml
        assert document.styles["Normal"].font.name == "Times New Roman"


def rule_length_pt(cell: Any, index: int) -> float:
    """Length of the rule drawn by paragraph `index` of a cell: its top border between indents."""
    p = cell.paragraphs[index]
    assert p._p.find(".//" + qn("w:pBdr") + "/" + qn("w:top")) is not None, "no rule here"
    fmt = p.paragraph_format
    return (cell.width - (fmt.left_indent or 0) - (fmt.right_indent or 0)) / 12700


def test_the_docx_header_rules_are_as_long_as_decree_30_says(notice_docx: bytes) -> None:
    header = docx.Document(io.BytesIO(notice_docx)).tables[0]
    issuer, nation = header.cell(0, 0), header.cell(0, 1)
    assert [p.text for p in issuer.paragraphs[:2]] == ["UBND THÀNH PHỐ CẦN THƠ",
                                                       "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    name_width = fonts.text_width("SỞ KHOA HỌC VÀ CÔNG NGHỆ", 12, bold=True)
    assert name_width / 3 <= rule_length_pt(issuer, 2) <= name_width / 2
    assert [p.text for p in nation.paragraphs[:2]] == [NATIONAL_TITLE, MOTTO]
    assert rule_length_pt(nation, 2) == pytest.approx(fonts.text_width(MOTTO, 13, bold=True),
                                                      abs=1)
    assert header.cell(1, 0).text == "Số: 12/TB-SKHCN"


def test_the_docx_appendix_starts_a_new_page(notice_docx: bytes) -> None:
    document = docx.Document(io.BytesIO(notice_docx))
    starts = [p.text for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert starts == ["PHỤ LỤC"]


# What may precede what inside the elements the writer edits by hand (ECMA-376 sequences).
OOXML_ORDER = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
            "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
            "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
            "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
            "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"],
    "trPr": ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit",
             "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
              "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
              "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"],
}


def test_the_docx_keeps_ooxml_element_order_so_word_opens_it(
        notice_docx: bytes, record_docx: bytes) -> None:
    for data in (notice_docx, record_docx):
        body = docx.Document(io.BytesIO(data)).element.body
        for parent, order in OOXML_ORDER.items():
            elements = body.iter(qn(f"w:{parent}"))
            for element in elements:
                tags = [child.tag.split("}")[1] for child in element]
                assert all(t in order for t in tags), tags
                assert [order.index(t) for t in tags] == sorted(order.index(t) for t in tags), \
                    (parent, tags)
                assert len(set(tags)) == len(tags), (parent, tags)


def test_the_pdf_is_reproducible_byte_for_byte() -> None:
    assert render_notice_pdf(sample_notice()) == render_notice_pdf(sample_notice())


def test_missing_fonts_fail_naming_the_debian_package(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path,))
    fonts.register.cache_clear()
    try:
        with pytest.raises(fonts.FontsMissing, match="fonts-liberation2"):
            render_notice_pdf(sample_notice())
    finally:
        monkeypatch.undo()
        fonts.register.cache_clear()
    assert render_notice_pdf(sample_notice()).startswith(b"%PDF")


# -- the record ------------------------------------------------------------------------------


def test_the_record_carries_its_header_number_and_title(record_text: str) -> None:
    assert NATIONAL_TITLE in record_text
    assert MOTTO in record_text
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ ĐOÀN KIỂM TRA LIÊN NGÀNH" in record_text
    assert "Số: 07/BB-ĐKT" in record_text
    assert "Cần Thơ, ngày 18 tháng 11 năm 2026" in record_text
    assert f"BIÊN BẢN KIỂM TRA Việc cung cấp dịch vụ bưu chính KT1 tại {SITE_NAME}" \
        in record_text
    assert f"Căn cứ {DECISION_32}" in record_text


def test_the_record_lists_both_agencies_and_the_sites_representatives(
        record_text: str) -> None:
    for member, end in zip(TEAM, ";;;.", strict=True):
        assert f"- {member.full_name}, {member.position} – {member.role}{end}" in record_text
    assert "Sở Khoa học và Công nghệ: - Nguyễn Hữu Phước" in record_text
    assert "Công an thành phố Cần Thơ: - Thiếu tá Lê Quốc Hưng" in record_text
    for person, end in zip(REPRESENTATIVES, ";.", strict=True):
        assert f"- {person.full_name}, {person.position}{end}" in record_text


def test_the_record_shows_every_answer_as_a_person_reads_it(record_text: str) -> None:
    for a in ANSWERS:
        assert flat(a.question) in record_text
        assert a.answer in record_text
        assert a.section in record_text
    assert "04 bưu gửi thiếu giờ chấp nhận; 2 ảnh" in record_text
    assert "09 nội dung: 04 nội dung đạt, 03 nội dung không đạt, 02 nội dung" in record_text
    assert "Biên bản kết thúc vào hồi 11 giờ 15 phút cùng ngày" in record_text


def test_the_record_has_signature_blocks_for_the_site_and_the_team(record_text: str) -> None:
    signing = record_text[record_text.index("ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA"):]
    assert "TRƯỞNG ĐOÀN KIỂM TRA" in signing
    assert "CÁC THÀNH VIÊN ĐOÀN KIỂM TRA" in signing
    for name in [m.full_name for m in TEAM] + [p.full_name for p in REPRESENTATIVES]:
        assert name in signing


def test_captured_signatures_are_embedded_and_uncaptured_ones_leave_room(
        record_pdf: bytes, record_docx: bytes) -> None:
    captured = [m.signature for m in TEAM if m.signature] + \
        [p.signature for p in REPRESENTATIVES if p.signature]
    blobs = images_in_docx(record_docx)
    assert all(sig in blobs for sig in captured)
    assert len(blobs) == len(captured)
    sizes = sorted(img.size for img in images_in_pdf(record_pdf))
    assert sizes == sorted(Image.open(io.BytesIO(s)).size for s in captured)  # type: ignore[arg-type]


def test_a_refusal_to_sign_is_recorded() -> None:
    refusing = (Representative("Phạm Thị Diễm Hằng", "Trưởng Bưu cục KT1 Ninh Kiều",
                               refused_to_sign=True),)
    for text in (pdf_text(render_record_pdf(sample_record(representatives=refusing))),
                 docx_text(render_record_docx(sample_record(representatives=refusing)))):
        assert "Ông/Bà Phạm Thị Diễm Hằng (Trưởng Bưu cục KT1 Ninh Kiều), đại diện đơn vị " \
            "được kiểm tra, từ chối ký biên bản." in text
        assert "(Từ chối ký)" in text


def _no_space(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("note", [
    " ".join(["Đơn vị giải trình chi tiết"] * 400)[:10_000],  # a note taller than a page
    "Đ" * 10_000,  # one word wider than any column, and taller than a page once broken
], ids=["words", "one-word"])
def test_the_largest_values_the_api_accepts_render_in_both_formats(note: str) -> None:
    """A note and a text answer of 10,000 characters (the schema's maximum) and a number of
    4,000 digits: the rows split across pages instead of failing with a LayoutError."""
    digits = answer_text("number", int("7" * 4_000))
    huge = (
        Answer("C. Nhân sự", "C1", "Số người lao động trực tiếp", digits, True, note),
        Answer("K. Kết luận phiên kiểm tra", "K1", "Ý kiến giải trình", note, None),
        Answer("K. Kết luận phiên kiểm tra", "K2", "Số liệu khác", digits, None),
    )
    record = sample_record(answers=(*ANSWERS, *huge))
    pdf, word = render_record_pdf(record), render_record_docx(record)
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 5
    word_text, pdf_text_ = _no_space(docx_text(word)), _no_space(pdf_text(pdf))
    assert _no_space(note) in word_text and word_text.count(digits) >= 2  # spans repeat
    # A split cell's lines interleave with its neighbours' and with the header repeated on
    # each page, so the PDF is checked for every character instead.
    assert pdf_text_.count("Đ") >= 2 * note.count("Đ") and pdf_text_.count("7") >= 2 * 4_000
    for text in (word_text, pdf_text_):
        assert "Biênbảnkếtthúcvàohồi11giờ15phútcùngngày" in text


# -- wording ---------------------------------------------------------------------------------


def test_dates_pad_days_below_ten_and_months_one_and_two() -> None:
    assert place_date("Cần Thơ", date(2026, 2, 5)) == "Cần Thơ, ngày 05 tháng 02 năm 2026"
    assert place_date("Cần Thơ", date(2026, 5, 5)) == "Cần Thơ, ngày 05 tháng 5 năm 2026"
    assert place_date("Hải Phòng", date(2026, 11, 23)) == \
        "Hải Phòng, ngày 23 tháng 11 năm 2026"


def test_times_are_shown_in_vietnam_time_and_positions_with_six_decimals() -> None:
    assert stamp(datetime(2026, 11, 17, 20, 5, tzinfo=UTC)) == "18/11/2026 03:05"
    assert position(10.0341201, 105.78731) == "10.034120, 105.787310"
    assert position(None, 105.78731) == "Không có dữ liệu vị trí"
    with pytest.raises(ValueError, match="time zone"):
        stamp(datetime(2026, 11, 18, 8, 0))


def test_stored_answers_read_as_vietnamese() -> None:
    assert [answer_text("yes_no_na", v) for v in ("yes", "no", "na")] == \
        ["Có", "Không", "Không áp dụng"]
    assert answer_text("number", 1234.5) == "1.234,5"
    assert answer_text("number", 12) == "12"
    assert answer_text("date", "2026-02-05") == "05/02/2026"
    assert answer_text("text", nfd("Đã khắc phục")) == "Đã khắc phục"
    assert answer_text("number", None) == "Chưa trả lời"
