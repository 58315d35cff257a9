"""Official documents of an inspection (Decree 30/2020/NĐ-CP layout) as PDF and DOCX bytes.

A pure library: frozen dataclasses from `model` in, bytes out; no database, no Flask.
"""

from workers.documents.notice import render_notice_docx, render_notice_pdf
from workers.documents.record import render_record_docx, render_record_pdf

__all__ = [
    "render_notice_docx",
    "render_notice_pdf",
    "render_record_docx",
    "render_record_pdf",
]
