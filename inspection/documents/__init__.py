"""The lifecycle every issued document shares (notices, inspection records, reports, the post
offices' annual provision reports): numbering (`numbering`), and locking, checking, marking
and serving a document (`lifecycle.DocumentKind`), each kind described once (`kinds`)."""

from inspection.documents.kinds import (
    NOTICE,
    PROVISION,
    RECORD,
    REPORT,
    document_sha256,
    is_issued,
    kind_of,
)
from inspection.documents.lifecycle import DocumentKind
from inspection.documents.numbering import take_number

__all__ = ["NOTICE", "PROVISION", "RECORD", "REPORT", "DocumentKind", "document_sha256",
           "is_issued", "kind_of", "take_number"]
