"""Checking an issued notice against what is stored: the page its QR code opens.

A printed notice names its number, date and, in its appendix, the sha256 of every photo it
relies on. Objects in the blob store are keyed by their sha256, so re-hashing each one tells
whether the stored evidence (and the notice's own PDF and DOCX) is still what was issued:
`match`, `mismatch` (the bytes under that key changed) or `missing`.
"""

from __future__ import annotations

import hashlib
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from inspection import errors
from inspection.models import Notice, Site
from inspection.models.notices import ISSUED
from inspection.notices import issuing_body
from media.blobstore import CHUNK_SIZE, BlobNotFound, BlobStore

STATES = ("match", "mismatch", "missing")


@dataclass(frozen=True)
class Checked:
    what: str  # "pdf", "docx", or the photo's item code
    sha256: str
    state: str


@dataclass(frozen=True)
class Verification:
    number: str
    issuer: str
    place: str
    issued_on: date | None
    due_on: date | None
    site: str
    findings: tuple[str, ...]
    documents: tuple[Checked, ...]
    evidence: tuple[Checked, ...]

    @property
    def intact(self) -> bool:
        return all(c.state == "match" for c in (*self.documents, *self.evidence))


def verify_notice(session: Session, store: BlobStore, notice_id: uuid.UUID) -> Verification:
    """What notice `notice_id` stated and whether the store still holds it; NotFound unless
    it was issued (anyone holding the paper may check it: no personal data is shown)."""
    notice = session.get(Notice, notice_id)
    if notice is None or notice.status not in ISSUED or notice.label is None:
        raise errors.NotFound("Không có thông báo đã ban hành với mã này.")
    body = issuing_body(session, notice.province_code)
    site = session.get_one(Site, notice.inspection.site_id)
    documents = tuple(Checked(kind, sha, check(store, sha)) for kind, sha in
                      (("pdf", notice.pdf_sha256), ("docx", notice.docx_sha256)) if sha)
    evidence = tuple(Checked(e.get("item_code") or "", e["sha256"], check(store, e["sha256"]))
                     for e in notice.evidence or [])
    return Verification(
        number=notice.label, issuer=body.name, place=body.place, issued_on=notice.issued_on,
        due_on=notice.due_on, site=site.name,
        findings=tuple(f.item_code for f in notice.findings), documents=documents,
        evidence=evidence)


def check(store: BlobStore, sha256: str) -> str:
    """Whether the object stored under `sha256` still hashes to it (read in chunks)."""
    digest = hashlib.sha256()
    try:
        with closing(store.open(sha256)) as source:
            while chunk := source.read(CHUNK_SIZE):
                digest.update(chunk)
    except BlobNotFound:
        return "missing"
    return "match" if digest.hexdigest() == sha256 else "mismatch"
