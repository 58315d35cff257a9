"""A small format-neutral page model that the PDF and DOCX writers both draw: paragraphs of
runs, tables of cells, pictures, gaps and page breaks. Sizes are points, widths millimetres.
All text is NFC-normalised here, once, whatever the writer."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from enum import Enum

from PIL import Image

from workers.documents.vietnamese import nfc

BODY_SIZE = 14.0
FIRST_LINE_INDENT_MM = 12.7
RULE_THICKNESS = 0.6


class Align(Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"
    JUSTIFY = "justify"


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    mono: bool = False
    size: float | None = None
    """None: the paragraph's size."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", nfc(self.text))


@dataclass(frozen=True)
class Para:
    """A paragraph; `rule` draws a centred horizontal line of that width (points) under it."""

    runs: tuple[Run, ...]
    align: Align = Align.JUSTIFY
    size: float = BODY_SIZE
    indent: bool = False
    """First-line indent (body paragraphs)."""
    space_before: float = 0.0
    space_after: float = 0.0
    keep_with_next: bool = False
    rule: float | None = None

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Picture:
    """A PNG or JPEG shown `width_mm` wide, its height following the aspect ratio."""

    data: bytes
    width_mm: float
    align: Align = Align.CENTER
    height_mm: float = field(init=False)

    def __post_init__(self) -> None:
        with Image.open(io.BytesIO(self.data)) as img:
            w, h = img.size
        object.__setattr__(self, "height_mm", self.width_mm * h / w)


def fitted(data: bytes, max_w_mm: float, max_h_mm: float, align: Align = Align.CENTER) -> Picture:
    """A picture as large as fits in the box, aspect ratio kept."""
    with Image.open(io.BytesIO(data)) as img:
        w, h = img.size
    return Picture(data, min(max_w_mm, max_h_mm * w / h), align)


@dataclass(frozen=True)
class Gap:
    """Vertical space, e.g. room for a signature and seal."""

    height_mm: float


Content = Para | Picture | Gap


@dataclass(frozen=True)
class Cell:
    content: tuple[Content, ...]
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Table:
    """Rows are full grids: a position covered by another cell's span holds None.
    `header_rows` repeat on each page; a table without `grid` draws no lines (layout only)."""

    widths_mm: tuple[float, ...]
    rows: tuple[tuple[Cell | None, ...], ...]
    grid: bool = True
    header_rows: int = 0
    keep_together: bool = False
    padding_mm: float = 1.2
    middle: bool = True
    """Cells vertically centred, else top-aligned."""


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Para | Picture | Gap | Table | PageBreak


@dataclass(frozen=True)
class Page:
    """A4 portrait, margins in millimetres inside Decree 30's ranges."""

    width_mm: float = 210.0
    height_mm: float = 297.0
    top_mm: float = 20.0
    bottom_mm: float = 20.0
    left_mm: float = 30.0
    right_mm: float = 15.0
    number_size: float = 13.0
    """Page numbers from page 2 on, centred in the top margin."""

    @property
    def text_width_mm(self) -> float:
        return self.width_mm - self.left_mm - self.right_mm


@dataclass(frozen=True)
class Document:
    title: str
    author: str
    blocks: tuple[Block, ...]
    page: Page = Page()
