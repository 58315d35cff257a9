"""The parts every official document shares, as Decree 30/2020/NĐ-CP (Appendix I) lays them
out: the two-column header, type name and subject, the "Căn cứ" lines, body paragraphs,
and the closing with "Nơi nhận" on the left and the signature block on the right."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from workers.documents.fonts import text_width
from workers.documents.layout import (
    BODY_SIZE,
    Align,
    Block,
    Cell,
    Content,
    Gap,
    Para,
    Run,
    Table,
)
from workers.documents.model import IssuingBody, Signer
from workers.documents.vietnamese import nfc, place_date

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

HEADER_WIDTHS_MM = (68.0, 97.0)
CLOSING_WIDTHS_MM = (80.0, 85.0)
HEADER_SIZE = 12.0
MOTTO_SIZE = 13.0
NUMBER_SIZE = 13.0
SIGNATURE_ROOM_MM = 24.0
PT_PER_MM = 72 / 25.4


def symbol(number: int | None, type_code: str, abbreviation: str) -> str:
    """"12/TB-SKHCN"; numbers below 10 padded ("05"); None leaves room to write one in."""
    written = f"{number:02d}" if number is not None else "\u00a0" * 8
    return nfc(f"{written}/{type_code}-{abbreviation}")


def short_rule(text: str, size: float, width_mm: float, *, bold: bool = True,
               italic: bool = False) -> float:
    """Decree 30: a rule 1/3 to 1/2 as long as the line above it (we take 2/5), in points;
    `width_mm` is the room the text has, so wrapped text is measured as one full line."""
    longest = text_width(text, size, bold=bold, italic=italic)
    return 0.4 * min(longest, width_mm * PT_PER_MM)


def front(body: IssuingBody, number: str, issued_on: date, type_name: str, subject: str,
          legal_grounds: Iterable[str], text_width_mm: float) -> tuple[Block, ...]:
    """Everything above the body text: header, type name and subject, "Căn cứ" lines.
    `number` is the full symbol ("12/TB-SKHCN")."""
    return (header(body, f"Số: {number}", issued_on), *title(type_name, subject, text_width_mm),
            *grounds(legal_grounds))


def header(body: IssuingBody, number: str, issued_on: date) -> Table:
    """Issuing body and number on the left, national title, motto and date line on the right;
    the number and the date line share a row so they sit on one baseline."""
    left_w, _ = HEADER_WIDTHS_MM
    name = nfc(body.name).upper()
    issuer = Cell((
        Para((Run(nfc(body.parent).upper()),), Align.CENTER, HEADER_SIZE),
        Para((Run(name, bold=True),), Align.CENTER, HEADER_SIZE,
             rule=short_rule(name, HEADER_SIZE, left_w)),
    ))
    nation = Cell((
        Para((Run(NATIONAL_TITLE, bold=True),), Align.CENTER, HEADER_SIZE),
        Para((Run(MOTTO, bold=True),), Align.CENTER, MOTTO_SIZE,
             rule=text_width(MOTTO, MOTTO_SIZE, bold=True)),
    ))
    number_cell = Cell((Para((Run(number),), Align.CENTER, NUMBER_SIZE, space_before=6),))
    date_cell = Cell((Para((Run(place_date(body.place, issued_on), italic=True),),
                           Align.CENTER, BODY_SIZE, space_before=6),))
    return Table(HEADER_WIDTHS_MM, ((issuer, nation), (number_cell, date_cell)),
                 grid=False, padding_mm=0, middle=False)


def title(type_name: str, subject: str, text_width_mm: float) -> tuple[Para, ...]:
    """The type name ("THÔNG BÁO") and the subject in bold, centred, a short rule below."""
    return (
        Para((Run(type_name.upper(), bold=True),), Align.CENTER, space_before=18,
             keep_with_next=True),
        Para((Run(subject, bold=True),), Align.CENTER, keep_with_next=True, space_after=12,
             rule=short_rule(subject, BODY_SIZE, text_width_mm)),
    )


def grounds(lines: Iterable[str]) -> tuple[Para, ...]:
    """"Căn cứ ...;" in italics, one per line, the last ending with a full stop."""
    items = [nfc(line).rstrip(" ;.") for line in lines]
    return tuple(
        Para((Run(f"Căn cứ {line}{'.' if i == len(items) - 1 else ';'}", italic=True),),
             indent=True, space_after=3)
        for i, line in enumerate(items)
    )


def paragraph(*runs: Run | str, space_before: float = 0, space_after: float = 6,
              keep_with_next: bool = False) -> Para:
    """A body paragraph: justified, first line indented."""
    return Para(tuple(Run(r) if isinstance(r, str) else r for r in runs), indent=True,
                space_before=space_before, space_after=space_after,
                keep_with_next=keep_with_next)


def heading(text: str) -> Para:
    return Para((Run(text, bold=True),), indent=True, space_before=6, space_after=6,
                keep_with_next=True)


def signature_block(signer: Signer, *, room: Content | None = None) -> tuple[Content, ...]:
    """Authority and title in bold capitals, room for signature and seal, the name in bold."""
    lines = [line for line in (signer.authority, signer.title) if line]
    return (
        *(Para((Run(nfc(line).upper(), bold=True),), Align.CENTER) for line in lines),
        room if room is not None else Gap(SIGNATURE_ROOM_MM),
        Para((Run(signer.full_name, bold=True),), Align.CENTER),
    )


def recipients(names: Iterable[str], archive: str) -> tuple[Para, ...]:
    """"Nơi nhận:" in bold italic 12 pt, then "- ...;" lines in 11 pt, "- Lưu: ..." last."""
    lines = [f"- {nfc(n).rstrip(' ;.')};" for n in names]
    lines.append(f"- Lưu: {nfc(archive).rstrip(' ;.')}.")
    return (
        Para((Run("Nơi nhận:", bold=True, italic=True),), Align.LEFT, 12),
        *(Para((Run(line),), Align.LEFT, 11) for line in lines),
    )


def closing(names: Iterable[str], archive: str, signer: Signer) -> Table:
    return Table(CLOSING_WIDTHS_MM,
                 ((Cell(recipients(names, archive)), Cell(signature_block(signer))),),
                 grid=False, padding_mm=0, middle=False, keep_together=True)


def editable_copy_note(signed_by: str | None) -> str:
    """What the DOCX says of itself in its footer: the editable copy, without the digital
    signature the PDF carries (`signed_by`, the signer the certificate names; None when the
    PDF is not signed either)."""
    if signed_by:
        return (f"Bản DOCX để chỉnh sửa, không mang chữ ký số; bản chính là tệp PDF có chữ ký "
                f"số của {nfc(signed_by)}.")
    return "Bản DOCX để chỉnh sửa, không mang chữ ký số; bản chính là tệp PDF."
