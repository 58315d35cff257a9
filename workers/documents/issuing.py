"""Issuing a rendered document, whatever its kind: the PDF signed with the province's
certificate when there is one (`signing`), the DOCX saying who signed it, every file stored in
the blob store under its SHA-256, which the domain records as the document's files
(`inspection.documents`)."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from contextlib import closing

from inspection.notices import IssuingBody
from media.blobstore import BlobStore
from workers.documents import model
from workers.documents.signing import PdfSigner


def store_files(store: BlobStore, files: Mapping[str, bytes]) -> dict[str, str]:
    """Each file stored, in order; their keys by file ("pdf", "docx", "xlsx")."""
    return {name: store.put(io.BytesIO(data))[0] for name, data in files.items()}


def issue_signed[D](store: BlobStore, document: D, *, pdf: Callable[[D], bytes],
                    docx: Callable[..., bytes], signer: PdfSigner | None) -> dict[str, str]:
    """Render `document` to PDF, signed by `signer` (None: unsigned), and to DOCX
    (`docx(document, signed_by=...)`: who signed the PDF, or None), store both; their keys."""
    rendered = pdf(document)
    return store_files(store, {
        "pdf": signer.sign(rendered) if signer else rendered,
        "docx": docx(document, signed_by=signer.name if signer else None)})


def read(store: BlobStore, sha256: str) -> bytes:
    """A stored file's bytes (a photo's thumbnail, a signature's original PNG)."""
    with closing(store.open(sha256)) as source:
        return source.read()


def issuing_body(body: IssuingBody) -> model.IssuingBody:
    """The domain's issuing body as the documents print it."""
    return model.IssuingBody(body.parent, body.name, body.abbreviation, body.place)
