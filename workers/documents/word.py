"""Draw a layout `Document` as DOCX with python-docx: Times New Roman, A4 with the same
margins as the PDF, a PAGE field centred in the header from page 2 on; rules are paragraph
borders indented to the rule's length."""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from workers.documents import fonts
from workers.documents.layout import (
    BODY_SIZE,
    FIRST_LINE_INDENT_MM,
    Align,
    Block,
    Content,
    Document,
    Gap,
    Page,
    PageBreak,
    Para,
    Picture,
    Run,
    Table,
)

PT_PER_MM = 72 / 25.4
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
"""What follows `w:pBdr` in `w:pPr` (OOXML wants the children in schema order)."""
_ALIGN = {Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT, Align.CENTER: WD_ALIGN_PARAGRAPH.CENTER,
          Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT, Align.JUSTIFY: WD_ALIGN_PARAGRAPH.JUSTIFY}


FOOTER_SIZE = 10.0


def write_docx(doc: Document, *, footer: str = "") -> bytes:
    """`footer`, when given, is printed in italics at the foot of every page."""
    out = new_docx()
    _setup(out, doc)
    if footer:
        _footer(out, footer)
    body = _Container(out, doc.page.text_width_mm)
    for block in doc.blocks:
        body.block(block)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _setup(out: Any, doc: Document) -> None:
    page: Page = doc.page
    section = out.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page.width_mm), Mm(page.height_mm)
    section.top_margin, section.bottom_margin = Mm(page.top_mm), Mm(page.bottom_mm)
    section.left_margin, section.right_margin = Mm(page.left_mm), Mm(page.right_mm)
    section.header_distance = Mm(page.top_mm / 2 - 3)
    section.different_first_page_header_footer = True
    normal = out.styles["Normal"]
    normal.font.size = Pt(BODY_SIZE)
    _font_name(normal.element.get_or_add_rPr(), fonts.WORD_SERIF)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number, page.number_size)
    out.core_properties.title = doc.title
    out.core_properties.author = doc.author
    rels = out.part.package.rels
    for r_id in [k for k, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        rels.pop(r_id)  # the template's thumbnail shows a blank page, not this document


def _footer(out: Any, text: str) -> None:
    section = out.sections[0]
    for part in (section.first_page_footer, section.footer):
        p = part.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, Run(text, italic=True), FOOTER_SIZE)


def _font_name(rpr: Any, name: str) -> None:
    """Name the font for every script, so Word never falls back to its theme font."""
    fonts_el = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts_el.set(qn(attr), name)


def _page_field(p: Paragraph, size: float) -> None:
    """A PAGE field, one run per part as Word writes it."""
    for kind, text in (("begin", ""), ("", " PAGE "), ("separate", ""), ("", "2"),
                       ("end", "")):
        run = p.add_run()
        run.font.size = Pt(size)
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


class _Container:
    """The document body or a table cell, `width_mm` wide, receiving blocks in order."""

    def __init__(self, host: Any, width_mm: float, *, reuse_first: bool = False) -> None:
        self.host, self.width_mm = host, width_mm
        self._spare: Paragraph | None = host.paragraphs[0] if reuse_first else None
        self._break = False

    def paragraph(self) -> Paragraph:
        """The next paragraph; after a page break it starts the new page."""
        if self._spare is not None:
            p, self._spare = self._spare, None
        else:
            p = self.host.add_paragraph()
        if self._break:
            p.paragraph_format.page_break_before, self._break = True, False
        return p

    def block(self, block: Block) -> None:
        if isinstance(block, Table):
            if self._break:  # a table cannot carry the break itself
                _format(self.paragraph(), Align.LEFT, 0, 0)
            self.table(block)
        elif isinstance(block, PageBreak):
            self._break = True
        else:
            self.content(block)

    def content(self, item: Content) -> None:
        if isinstance(item, Para):
            self.para(item)
        elif isinstance(item, Picture):
            p = self.paragraph()
            _format(p, item.align, 0, 0)
            p.add_run().add_picture(io.BytesIO(item.data), width=Mm(item.width_mm))
        else:
            assert isinstance(item, Gap)
            p = self.paragraph()
            _format(p, Align.LEFT, 0, 0)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.paragraph_format.line_spacing = Pt(item.height_mm * PT_PER_MM)

    def para(self, item: Para) -> None:
        p = self.paragraph()
        _format(p, item.align, item.space_before,
                0 if item.rule is not None else item.space_after)
        fmt = p.paragraph_format
        fmt.first_line_indent = Mm(FIRST_LINE_INDENT_MM) if item.indent else None
        fmt.keep_with_next = True if item.keep_with_next or item.rule is not None else None
        _mark_size(p, item.size)
        for run in item.runs:
            _run(p, run, item.size)
        if item.rule is not None:
            self.rule(item.rule, item.space_after)

    def rule(self, length_pt: float, after: float) -> None:
        """An empty 2 pt paragraph whose top border, indented to `length_pt`, is the rule."""
        p = self.paragraph()
        _format(p, Align.CENTER, 1.5, after + 2)
        side = max(0.0, (self.width_mm * PT_PER_MM - length_pt) / 2)
        fmt = p.paragraph_format
        fmt.left_indent = fmt.right_indent = Pt(side)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(2)
        _mark_size(p, 2)
        borders = OxmlElement("w:pBdr")
        top = OxmlElement("w:top")
        for key, value in (("w:val", "single"), ("w:sz", "5"), ("w:space", "0"),
                           ("w:color", "000000")):
            top.set(qn(key), value)
        borders.append(top)
        p._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)

    def table(self, t: Table) -> None:
        table: DocxTable = self.host.add_table(rows=len(t.rows), cols=len(t.widths_mm))
        _grid(table, t)
        for r, row in enumerate(t.rows):
            for c, spec in enumerate(row):
                if spec is None:
                    continue
                cell: _Cell = table.cell(r, c)
                if spec.colspan > 1 or spec.rowspan > 1:
                    cell = cell.merge(table.cell(r + spec.rowspan - 1, c + spec.colspan - 1))
                cell.vertical_alignment = (WD_CELL_VERTICAL_ALIGNMENT.CENTER if t.middle
                                           else WD_CELL_VERTICAL_ALIGNMENT.TOP)
                width = sum(t.widths_mm[c:c + spec.colspan]) - 2 * t.padding_mm
                inner = _Container(cell, width, reuse_first=True)
                for item in spec.content:
                    inner.content(item)
                if t.keep_together and r < len(t.rows) - 1:  # each row kept with the next
                    for p in cell.paragraphs:
                        p.paragraph_format.keep_with_next = True


def _grid(table: DocxTable, t: Table) -> None:
    """Fixed column widths, cell padding, grid lines, repeated header rows, rows unsplit."""
    if t.grid:
        table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _table_props(table, t)
    for c, width in enumerate(t.widths_mm):
        table.columns[c].width = Mm(width)
        for cell in table.columns[c].cells:
            cell.width = Mm(width)
    for r, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        if t.keep_together or t.header_rows:
            tr_pr.append(OxmlElement("w:cantSplit"))
        if r < t.header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))


def _table_props(table: DocxTable, t: Table) -> None:
    props = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(round(t.padding_mm * PT_PER_MM * 20)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    props.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription",
                                "w:tblPrChange")


def _format(p: Paragraph, align: Align, before: float, after: float) -> None:
    fmt = p.paragraph_format
    p.alignment = _ALIGN[align]
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)


def _mark_size(p: Paragraph, size: float) -> None:
    """The paragraph mark's size sets the height of an empty line, e.g. in a cell."""
    ppr = p._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.insert_element_before(rpr, "w:sectPr", "w:pPrChange")
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(round(size * 2)))
        rpr.append(el)


def _run(p: Paragraph, run: Run, size: float) -> None:
    r = p.add_run(run.text)
    r.bold, r.italic = run.bold or None, run.italic or None
    r.font.size = Pt(run.size or size)
    if run.mono:
        _font_name(r._r.get_or_add_rPr(), fonts.WORD_MONO)
