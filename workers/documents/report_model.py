"""What a statistical report (báo cáo) needs to be written: parts of prose and tables whose
cells keep their type (numbers stay numbers in the spreadsheet; the PDF formats them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from workers.documents.model import IssuingBody, Signer


class Format(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    PERCENT = "percent"
    """A fraction (0.5 is 50 %)."""
    CHANGE = "change"
    """A signed integer difference (+3, -2)."""
    DATE = "date"


Value = str | int | float | date | None
"""None is a figure that does not exist (a rate over nothing), shown as a dash."""


@dataclass(frozen=True)
class Column:
    header: str
    width_mm: float
    format: Format = Format.TEXT


@dataclass(frozen=True)
class DataTable:
    """A titled table; `sheet` names its worksheet (at most 31 characters, no `/\\?*[]:`)."""

    sheet: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    empty: str = "Không có."
    """What the PDF says in place of rows when there are none."""
    pdf_limit: int | None = None
    """At most this many rows in the PDF (a long list stays whole in the XLSX only)."""

    def __post_init__(self) -> None:
        if len(self.sheet) > 31 or any(c in self.sheet for c in "/\\?*[]:"):
            raise ValueError(f"not a worksheet name: {self.sheet!r}")
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"{self.sheet}: a row of {len(row)} cells, "
                                 f"{len(self.columns)} columns")


@dataclass(frozen=True)
class Part:
    """A numbered part ("I. Kết quả kiểm tra"): paragraphs, then tables."""

    heading: str
    paragraphs: tuple[str, ...]
    tables: tuple[DataTable, ...] = ()


@dataclass(frozen=True)
class StatReport:
    """A report (báo cáo) of an issuing body; `number` None leaves the number to be written
    in by the archive (văn thư) when it is signed."""

    body: IssuingBody
    issued_on: date
    subject: str
    intro: str
    parts: tuple[Part, ...]
    recipients: tuple[str, ...]
    signer: Signer
    number: int | None = None
    archive: str = "VT"

    @property
    def tables(self) -> tuple[DataTable, ...]:
        return tuple(t for part in self.parts for t in part.tables)
