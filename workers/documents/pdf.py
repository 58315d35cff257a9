"""Draw a layout `Document` as PDF with ReportLab platypus: Liberation Serif embedded,
page numbers from page 2 on, centred in the top margin. Output is byte-for-byte
reproducible (ReportLab's invariant mode)."""

from __future__ import annotations

import io
from dataclasses import replace
from functools import cache, partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)
from reportlab.platypus import Table as RLTable

from workers.documents import fonts
from workers.documents.layout import (
    RULE_THICKNESS,
    Align,
    Block,
    Content,
    Document,
    Gap,
    Page,
    Para,
    Picture,
    Run,
    Table,
)
from workers.documents.layout import PageBreak as Break

LEADING = 1.2
RULE_GAP = 0.35
"""Space between a paragraph and its rule, in ems: clear of descenders and dots below."""
TABLE_START_MM = 40.0
"""Room a heading needs under it for a table's first rows, else it starts a new page."""
SPLIT_IN_ROW_MIN = 24.0
"""A row taller than the room left on a page is split inside its cells (points: the least
height either part may have), so no value the API accepts is too tall to print."""
TALL_ROW = 300.0
"""Rows taller than this (points, under half a page) are top-aligned: ReportLab cannot split
a vertically centred row over more than one page, and a long cell reads from its top."""
_ALIGN = {Align.LEFT: TA_LEFT, Align.CENTER: TA_CENTER, Align.RIGHT: TA_RIGHT,
          Align.JUSTIFY: TA_JUSTIFY}
_H_ALIGN = {Align.LEFT: "LEFT", Align.CENTER: "CENTER", Align.RIGHT: "RIGHT",
            Align.JUSTIFY: "CENTER"}


def write_pdf(doc: Document) -> bytes:
    fonts.register()
    out = io.BytesIO()
    page = doc.page
    template = SimpleDocTemplate(
        out, pagesize=(page.width_mm * mm, page.height_mm * mm),
        leftMargin=page.left_mm * mm, rightMargin=page.right_mm * mm,
        topMargin=page.top_mm * mm, bottomMargin=page.bottom_mm * mm,
        title=doc.title, author=doc.author, creator="KT1 Inspect", invariant=True,
        initialFontName=fonts.SERIF,
    )
    story = _story(doc.blocks)
    template.build(story, onFirstPage=_no_number, onLaterPages=partial(_page_number, page))
    return out.getvalue()


def _no_number(canvas: Canvas, _doc: Any) -> None:
    pass


def _page_number(page: Page, canvas: Canvas, _doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(fonts.SERIF, page.number_size)
    x = (page.left_mm + page.text_width_mm / 2) * mm
    y = (page.height_mm - page.top_mm / 2) * mm - page.number_size / 3
    canvas.drawCentredString(x, y, str(canvas.getPageNumber()))
    canvas.restoreState()


def _story(blocks: tuple[Block, ...]) -> list[Flowable]:
    """Keep-with-next as Word does it: a paragraph kept with a splittable table stays with
    its first rows (a conditional page break), not the whole table; paragraphs kept with an
    unsplittable table go with it into one `KeepTogether`."""
    story: list[Flowable] = []
    for block, after in zip(blocks, (*blocks[1:], None), strict=True):
        if (isinstance(block, Para) and block.keep_with_next and isinstance(after, Table)
                and not after.keep_together):
            story.append(CondPageBreak(TABLE_START_MM * mm))
            block = replace(block, keep_with_next=False)
        if isinstance(block, Table) and block.keep_together:
            kept: list[Flowable] = []
            while story and story[-1].getKeepWithNext():
                kept.insert(0, story.pop())
            story.append(KeepTogether([*kept, _table(block)]))
        elif isinstance(block, Table):
            story.append(_table(block))
        elif isinstance(block, Break):
            story.append(PageBreak())
        else:
            story += _content(block)
    return story


def _content(item: Content) -> list[Flowable]:
    if isinstance(item, Para):
        return _para(item)
    if isinstance(item, Picture):
        return [Image(io.BytesIO(item.data), item.width_mm * mm, item.height_mm * mm,
                      hAlign=_H_ALIGN[item.align])]
    assert isinstance(item, Gap)
    return [Spacer(1, item.height_mm * mm)]


def _para(p: Para) -> list[Flowable]:
    style = _style(p.size, p.align, p.indent, p.space_before,
                   0.0 if p.rule is not None else p.space_after, p.keep_with_next)
    flow: list[Flowable] = [Paragraph("".join(_markup(r) for r in p.runs), style)]
    if p.rule is not None:
        flow[0].keepWithNext = True
        flow.append(HRFlowable(width=p.rule, thickness=RULE_THICKNESS, color=colors.black,
                               hAlign="CENTER", spaceBefore=RULE_GAP * p.size,
                               spaceAfter=p.space_after + 2))
    return flow


def _markup(run: Run) -> str:
    text = escape(run.text)
    if run.mono:
        text = f'<font face="{fonts.MONO}">{text}</font>'
    if run.size is not None:
        text = f'<font size="{run.size}">{text}</font>'
    if run.bold:
        text = f"<b>{text}</b>"
    if run.italic:
        text = f"<i>{text}</i>"
    return text


@cache
def _style(size: float, align: Align, indent: bool, before: float, after: float,
           keep: bool) -> ParagraphStyle:
    return ParagraphStyle(
        f"p{size}{align.value}{indent}{before}{after}{keep}", fontName=fonts.SERIF,
        fontSize=size, leading=size * LEADING, alignment=_ALIGN[align],
        firstLineIndent=12.7 * mm if indent else 0, spaceBefore=before, spaceAfter=after,
        keepWithNext=int(keep), splitLongWords=1,
    )


def _table(t: Table) -> RLTable:
    pad = t.padding_mm * mm
    data: list[list[Any]] = [
        [[f for c in cell.content for f in _content(c)] if cell else "" for cell in row]
        for row in t.rows
    ]
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE" if t.middle else "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), fonts.SERIF),  # else empty cells pull in Helvetica
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),  # rules and pictures; paragraphs align inside
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
    ]
    if t.grid:
        style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    for r, row in enumerate(t.rows):
        for c, cell in enumerate(row):
            if cell and (cell.colspan > 1 or cell.rowspan > 1):
                style.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    if t.middle:
        style += [("VALIGN", (0, r), (-1, r), "TOP") for r in _tall_rows(t, data)]
    return RLTable(data, colWidths=[w * mm for w in t.widths_mm], repeatRows=t.header_rows,
                   style=style, hAlign="CENTER", splitInRow=SPLIT_IN_ROW_MIN)


def _tall_rows(t: Table, data: list[list[Any]]) -> list[int]:
    """The rows with a cell taller than `TALL_ROW` once wrapped to its column(s)."""
    pad = 2 * t.padding_mm * mm
    tall = []
    for r, row in enumerate(t.rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            width = sum(t.widths_mm[c:c + cell.colspan]) * mm - pad
            height = sum(f.wrap(width, TALL_ROW)[1] + f.getSpaceBefore() + f.getSpaceAfter()
                         for f in data[r][c])
            if height > TALL_ROW:
                tall.append(r)
                break
    return tall
