"""A statistical report (báo cáo) as PDF, laid out as Decree 30/2020/NĐ-CP prescribes, and as
XLSX with one worksheet per table, Vietnamese headers and numbers kept as numbers."""

from __future__ import annotations

import io
from datetime import date, datetime, time

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workers.documents import decree30 as d30
from workers.documents.layout import Align, Block, Cell, Document, Gap, Page, Para, Run, Table
from workers.documents.pdf import write_pdf
from workers.documents.report_model import Column, DataTable, Format, StatReport, Value
from workers.documents.vietnamese import nfc, number, short_date

TYPE_CODE = "BC"
TYPE_NAME = "BÁO CÁO"
TABLE_SIZE = 12.0
DASH = "–"
SHEET_FONT = "Times New Roman"
MM_PER_CHAR = 2.0
"""Spreadsheet column widths are in characters; roughly 2 mm each at 12 pt."""
XLSX_FORMATS = {Format.INTEGER: "#,##0", Format.PERCENT: "0.0%", Format.CHANGE: "+#,##0;-#,##0;0",
                Format.DATE: "DD/MM/YYYY"}


def render_report_pdf(r: StatReport) -> bytes:
    return write_pdf(report_document(r))


def symbol(r: StatReport) -> str:
    return d30.symbol(r.number, TYPE_CODE, r.body.abbreviation)


def report_document(r: StatReport) -> Document:
    page = Page()
    blocks: list[Block] = [
        *d30.front(r.body, symbol(r), r.issued_on, TYPE_NAME, r.subject, (),
                   page.text_width_mm),
        d30.paragraph(r.intro),
    ]
    numbered = 0
    for part in r.parts:
        blocks.append(d30.heading(part.heading))
        blocks += [d30.paragraph(text) for text in part.paragraphs]
        for table in part.tables:
            numbered += 1
            blocks += [_caption(numbered, table), _table(table)]
    blocks += [d30.paragraph(f"Trên đây là báo cáo {nfc(r.subject)[0].lower()}"
                             f"{nfc(r.subject)[1:]} của {nfc(r.body.name)}./.",
                             keep_with_next=True),
               Gap(4), d30.closing(r.recipients, r.archive, r.signer)]
    return Document(f"Báo cáo {nfc(r.subject)}", nfc(r.body.name), tuple(blocks), page)


def _caption(n: int, table: DataTable) -> Para:
    return Para((Run(f"Bảng {n}. {table.title}", bold=True, italic=True),), Align.CENTER, 13,
                space_before=4, space_after=4, keep_with_next=True)


def _table(table: DataTable) -> Table:
    def cell(value: str, *, bold: bool = False, align: Align = Align.CENTER) -> Cell:
        return Cell((Para((Run(value, bold=bold),), align, TABLE_SIZE),))

    head = tuple(cell(c.header, bold=True) for c in table.columns)
    rows: list[tuple[Cell | None, ...]] = [head]
    shown_rows = table.rows[:table.pdf_limit] if table.pdf_limit else table.rows
    for row in shown_rows:
        rows.append(tuple(cell(shown(v, c.format), align=_align(c.format))
                          for v, c in zip(row, table.columns, strict=True)))
    span = len(table.columns)
    note = table.empty if not table.rows else (
        f"… và {len(table.rows) - len(shown_rows)} dòng khác: xem trang tính "
        f"«{table.sheet}» của tệp XLSX kèm theo." if len(shown_rows) < len(table.rows) else None)
    if note:
        rows.append((Cell((Para((Run(note, italic=True),), Align.CENTER, TABLE_SIZE),),
                          colspan=span), *([None] * (span - 1))))
    return Table(tuple(c.width_mm for c in table.columns), tuple(rows), header_rows=1)


def _align(fmt: Format) -> Align:
    return Align.LEFT if fmt is Format.TEXT else Align.CENTER


def shown(value: Value, fmt: Format) -> str:
    """A cell as the PDF prints it: "1.234", "66,7%", "+3", "05/11/2026", "–" for none."""
    if value is None:
        return DASH
    if isinstance(value, date):
        return short_date(value)
    if isinstance(value, str):
        return value
    if fmt is Format.PERCENT:
        return f"{number(round(value * 100, 1))}%"
    if fmt is Format.CHANGE:
        return f"+{number(value)}" if value > 0 else number(value).replace("-", "−")
    return number(value)


# --- XLSX -------------------------------------------------------------------------------------

def render_report_xlsx(r: StatReport) -> bytes:
    """One worksheet per table: its title in row 1, headers in row 3 (frozen), then the rows;
    integers and fractions as numbers with a display format, dates as dates."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for table in r.tables:
        _sheet(book.create_sheet(table.sheet), table, r)
    stamp = datetime.combine(r.issued_on, time())
    book.properties.creator = nfc(r.body.name)
    book.properties.title = nfc(r.subject)
    book.properties.created = stamp
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER_ROW = 3
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _sheet(ws: Worksheet, table: DataTable, r: StatReport) -> None:
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    _put(ws, 1, 1, table.title).font = Font(name=SHEET_FONT, bold=True, size=13)
    _put(ws, 2, 1, f"{r.body.name} – {r.subject}").font = Font(name=SHEET_FONT, italic=True,
                                                                 size=11)
    for col, column in enumerate(table.columns, 1):
        c = _put(ws, HEADER_ROW, col, column.header)
        c.font = Font(name=SHEET_FONT, bold=True, size=12)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = border
        ws.column_dimensions[get_column_letter(col)].width = max(
            10.0, column.width_mm / MM_PER_CHAR * 1.6)
    styles = [_cell_style(ws.parent, column.format) for column in table.columns]
    for n, row in enumerate(table.rows, HEADER_ROW + 1):
        for col, value in enumerate(row, 1):
            # a named style per column format: fresh style objects per cell cost seconds
            # per thousand rows
            _put(ws, n, col, value, style=styles[col - 1])
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)


def _cell_style(book: Workbook, fmt: Format) -> str:
    """The workbook's named style for body cells of `fmt` (made on first use)."""
    name = f"kt1-{fmt.value}"
    if name not in book.named_styles:
        thin = Side(style="thin")
        book.add_named_style(NamedStyle(
            name=name, font=Font(name=SHEET_FONT, size=12),
            border=Border(left=thin, right=thin, top=thin, bottom=thin),
            alignment=Alignment(wrap_text=fmt is Format.TEXT, vertical="top"),
            number_format=XLSX_FORMATS.get(fmt, "General")))
    return name


def _put(ws: Worksheet, row: int, col: int, value: Value, *, style: str | None = None) -> SheetCell:
    """Write a cell; text is always a string, never a formula: openpyxl makes one of text
    starting with "=", and a spreadsheet may of text starting with +, -, @, a tab or a CR
    once edited (quotePrefix keeps it text there)."""
    cell = ws.cell(row, col)
    if style is not None:
        cell.style = style  # a named style: openpyxl hashes fresh style objects per cell
    if isinstance(value, str):
        cell.value = nfc(value)
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def column(header: str, width_mm: float, fmt: Format = Format.TEXT) -> Column:
    return Column(nfc(header), width_mm, fmt)
