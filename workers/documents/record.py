"""The inspection record (biên bản kiểm tra): participants of both agencies and of the site,
every answer grouped by checklist section, the closing, and the signatures."""

from __future__ import annotations

from dataclasses import replace
from itertools import groupby

from workers.documents import decree30 as d30
from workers.documents.layout import (
    Align,
    Block,
    Cell,
    Content,
    Document,
    Gap,
    Page,
    Para,
    Run,
    Table,
    fitted,
)
from workers.documents.model import (
    KT1_DECISION,
    Answer,
    Record,
    TeamMember,
)
from workers.documents.pdf import write_pdf
from workers.documents.vietnamese import clock, date_words, local, nfc
from workers.documents.word import write_docx

TYPE_CODE = "BB"
TYPE_NAME = "BIÊN BẢN KIỂM TRA"
ANSWER_WIDTHS_MM = (13.0, 74.0, 26.0, 20.0, 32.0)
SIGN_WIDTHS_MM = (85.0, 80.0)
ROLE_SIZE = 13.0
TABLE_SIZE = 11.0
WIDE_ANSWER = 24
"""Longer free-text answers without a verdict or note take the three right-hand columns."""
SIGN_BOX_MM = (50.0, 18.0)


def render_record_pdf(r: Record) -> bytes:
    return write_pdf(record_document(r))


def render_record_docx(r: Record, *, signed_by: str | None = None) -> bytes:
    """The editable copy; its footer says so and who signs the PDF (`signed_by`)."""
    return write_docx(record_document(r), footer=d30.editable_copy_note(signed_by))


def record_document(r: Record) -> Document:
    """The record as a format-neutral document (what both writers draw)."""
    page = Page()
    symbol = d30.symbol(r.number, TYPE_CODE, r.body.abbreviation)
    drawn_on = local(r.inspection.ended_at).date()
    blocks: tuple[Block, ...] = (
        *d30.front(r.body, symbol, drawn_on, TYPE_NAME,
                   f"Việc cung cấp dịch vụ bưu chính KT1 tại {nfc(r.site.name)}",
                   (KT1_DECISION, *r.inspection.grounds), page.text_width_mm),
        *_opening(r),
        d30.heading("II. NỘI DUNG VÀ KẾT QUẢ KIỂM TRA"),
        _answers(r.answers),
        *_closing(r),
        _signatures(r),
    )
    return Document(f"Biên bản kiểm tra {symbol}", nfc(r.body.name), blocks, page)


def _opening(r: Record) -> list[Para]:
    site, insp = r.site, r.inspection
    start = local(insp.started_at)
    out = [*_replacing(r)]
    out += [
        d30.paragraph(
            f"Hôm nay, vào hồi {clock(start)}, {date_words(start.date())}, tại {site.name} "
            f"({site.organisation}), địa chỉ: {site.full_address}, Đoàn kiểm tra liên ngành "
            "tiến hành kiểm tra việc cung cấp dịch vụ bưu chính KT1."),
        d30.heading("I. THÀNH PHẦN"),
        d30.paragraph(Run("1. Đoàn kiểm tra liên ngành", bold=True), space_after=2,
                      keep_with_next=True),
    ]
    by_unit: dict[str, list[TeamMember]] = {}
    for m in insp.team:
        by_unit.setdefault(nfc(m.organisation), []).append(m)
    ordered = [m for members in by_unit.values() for m in members]
    lines = iter(_listed([f"{m.full_name}, {m.position} – {m.role}" for m in ordered]))
    for unit, members in by_unit.items():
        out.append(d30.paragraph(Run(f"{unit}:", italic=True), space_after=0,
                                 keep_with_next=True))
        out += [d30.paragraph(next(lines), space_after=0) for _ in members]
    out.append(d30.paragraph(Run(f"2. Đại diện {site.organisation}", bold=True),
                             space_before=6, space_after=2, keep_with_next=True))
    out += [d30.paragraph(line, space_after=0) for line in
            _listed([f"{p.full_name}, {p.position}" for p in r.representatives])]
    return out


def _replacing(r: Record) -> list[Para]:
    """A re-issued record says first which record it replaces."""
    if r.replaces is None:
        return []
    old = r.replaces
    return [d30.paragraph(
        f"Biên bản này thay thế Biên bản kiểm tra số {nfc(old.label)} ngày "
        f"{old.drawn_on:%d/%m/%Y} (phiên kiểm tra được nộp lại sau khi bị trả lại).")]


def _listed(items: list[str]) -> list[str]:
    """"- a;", "- b;", "- c." as a Vietnamese list inside a sentence."""
    return [f"- {item}{'.' if i == len(items) - 1 else ';'}" for i, item in enumerate(items)]


def _answers(answers: tuple[Answer, ...]) -> Table:
    def text(value: str, *, bold: bool = False, align: Align = Align.LEFT) -> Para:
        return Para((Run(value, bold=bold),), align, TABLE_SIZE)

    rows: list[tuple[Cell | None, ...]] = [tuple(
        Cell((text(h, bold=True, align=Align.CENTER),))
        for h in ("Mục", "Nội dung kiểm tra", "Kết quả", "Đánh giá", "Ghi chú"))]
    for section, items in groupby(answers, key=lambda a: nfc(a.section)):
        rows.append((Cell((text(section, bold=True),), colspan=5), None, None, None, None))
        for a in items:
            note = "; ".join(x for x in (a.note, f"{a.photos} ảnh" if a.photos else "") if x)
            if a.compliant is None and not note and len(a.answer) > WIDE_ANSWER:
                rows.append((Cell((text(a.item_code, align=Align.CENTER),)),
                             Cell((text(a.question),)),
                             Cell((text(a.answer),), colspan=3), None, None))
                continue
            rows.append((
                Cell((text(a.item_code, align=Align.CENTER),)),
                Cell((text(a.question),)),
                Cell((text(a.answer, align=Align.CENTER),)),
                Cell((text(_verdict(a.compliant), bold=a.compliant is False,
                           align=Align.CENTER),)),
                Cell((text(note),)),
            ))
    return Table(ANSWER_WIDTHS_MM, tuple(rows), header_rows=1)


def _verdict(compliant: bool | None) -> str:
    return {True: "Đạt", False: "Không đạt", None: "–"}[compliant]


def _closing(r: Record) -> list[Para]:
    judged = [a.compliant for a in r.answers]
    ends = local(r.inspection.ended_at)
    same_day = ends.date() == local(r.inspection.started_at).date()
    out = [
        d30.heading("III. KẾT LUẬN"),
        d30.paragraph(
            f"Đoàn kiểm tra đã kiểm tra {len(r.answers):02d} nội dung: {judged.count(True):02d} "
            f"nội dung đạt, {judged.count(False):02d} nội dung không đạt, "
            f"{judged.count(None):02d} nội dung không đánh giá hoặc không áp dụng."),
        d30.paragraph(
            f"Biên bản kết thúc vào hồi {clock(ends)} "
            f"{'cùng ngày' if same_day else date_words(ends.date())}, được lập thành "
            f"{r.copies:02d} bản có giá trị pháp lý như nhau, đã được đọc lại cho những người "
            "có tên nêu trên cùng nghe, thống nhất nội dung và ký tên dưới đây."),
    ]
    out += [d30.paragraph(f"Ông/Bà {p.full_name} ({p.position}), đại diện đơn vị được kiểm "
                          "tra, từ chối ký biên bản.")
            for p in r.representatives if p.refused_to_sign]
    out[-1] = replace(out[-1], keep_with_next=True)  # never leave the signatures on their own
    return out


def _signatures(r: Record) -> Table:
    """Site representatives on the left, the team leader on the right, one person a row;
    then the other members two a row."""
    leader = r.inspection.leader
    others = [m for m in r.inspection.team if m is not leader]
    left = [_signed(p.full_name, p.signature, note=p.position, refused=p.refused_to_sign)
            for p in r.representatives]
    right = [_signed(leader.full_name, leader.signature)] if leader else []
    rows: list[tuple[Cell | None, ...]] = [
        (Cell(_role("ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA")), Cell(_role("TRƯỞNG ĐOÀN KIỂM TRA"))),
    ]
    for i in range(max(len(left), len(right))):
        rows.append((Cell(left[i] if i < len(left) else ()),
                     Cell(right[i] if i < len(right) else ())))
    if others:
        rows.append((Cell(_role("CÁC THÀNH VIÊN ĐOÀN KIỂM TRA", space_before=10), colspan=2),
                     None))
        for pair in (others[i:i + 2] for i in range(0, len(others), 2)):
            cells = [Cell(_signed(m.full_name, m.signature, note=m.organisation)) for m in pair]
            rows.append((cells[0], cells[1] if len(cells) > 1 else Cell(())))
    return Table(SIGN_WIDTHS_MM, tuple(rows), grid=False, padding_mm=0, middle=False,
                 keep_together=True)


def _role(title: str, *, space_before: float = 4) -> tuple[Content, ...]:
    """A cell ignores its first paragraph's space before: the room above is a gap."""
    return (Gap(space_before), Para((Run(title, bold=True),), Align.CENTER, ROLE_SIZE),
            Para((Run("(Ký, ghi rõ họ tên)", italic=True),), Align.CENTER, 12))


def _signed(name: str, signature: bytes | None, *, note: str = "",
            refused: bool = False) -> tuple[Content, ...]:
    """Room to sign as tall as `SIGN_BOX_MM` (the captured signature in it, or a refusal),
    then the name in bold and `note` (position or unit) in italics."""
    box_w, box_h = SIGN_BOX_MM
    mark: tuple[Content, ...]
    if refused:
        mark = (Gap(box_h / 2 - 3), Para((Run("(Từ chối ký)", italic=True),), Align.CENTER, 12),
                Gap(box_h / 2 - 3))
    elif signature is not None:
        picture = fitted(signature, box_w, box_h)
        mark = (Gap(box_h - picture.height_mm), picture) if picture.height_mm < box_h - 1 \
            else (picture,)
    else:
        mark = (Gap(box_h),)
    lines: tuple[Para, ...] = (
        Para((Run(name, bold=True),), Align.CENTER, space_before=4, space_after=6),)
    if note:
        lines = (replace(lines[0], space_after=0),
                 Para((Run(nfc(note), italic=True),), Align.CENTER, 12, space_after=6))
    return (Gap(4), *mark, *lines)
