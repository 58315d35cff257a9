"""The fonts of the documents: Liberation Serif (Times New Roman metrics) and Liberation Mono
(Courier New metrics), registered once with ReportLab, which also measures text for DOCX."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
DEBIAN_PACKAGE = "fonts-liberation2"

SERIF = "LiberationSerif"
SERIF_BOLD = "LiberationSerif-Bold"
SERIF_ITALIC = "LiberationSerif-Italic"
SERIF_BOLD_ITALIC = "LiberationSerif-BoldItalic"
MONO = "LiberationMono"

_FILES = {
    SERIF: "LiberationSerif-Regular.ttf",
    SERIF_BOLD: "LiberationSerif-Bold.ttf",
    SERIF_ITALIC: "LiberationSerif-Italic.ttf",
    SERIF_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
    MONO: "LiberationMono-Regular.ttf",
}

WORD_SERIF = "Times New Roman"
"""What the DOCX names: Liberation Serif has its metrics, so line breaks agree with the PDF."""
WORD_MONO = "Courier New"


class FontsMissing(RuntimeError):
    """The Liberation fonts are not installed."""


def _find(filename: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / filename).is_file():
            return folder / filename
    searched = ", ".join(str(d) for d in FONT_DIRS)
    raise FontsMissing(
        f"font file {filename} not found in {searched}; install the Debian package "
        f"{DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE})"
    )


@cache
def register() -> None:
    """Register the fonts with ReportLab (idempotent). Raises `FontsMissing`."""
    paths = {name: _find(filename) for name, filename in _FILES.items()}
    for name, path in paths.items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    for bold, italic, name in ((0, 0, SERIF), (1, 0, SERIF_BOLD), (0, 1, SERIF_ITALIC),
                               (1, 1, SERIF_BOLD_ITALIC)):
        addMapping(SERIF, bold, italic, name)
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(MONO, bold, italic, MONO)


def serif(*, bold: bool = False, italic: bool = False) -> str:
    return {(False, False): SERIF, (True, False): SERIF_BOLD, (False, True): SERIF_ITALIC,
            (True, True): SERIF_BOLD_ITALIC}[(bold, italic)]


def text_width(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    """Width in points of one line of serif text."""
    register()
    return pdfmetrics.stringWidth(text, serif(bold=bold, italic=italic), size)
