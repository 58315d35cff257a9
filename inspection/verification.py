"""Checking an issued notice against what is stored: the page its QR code opens.

A printed notice names its number, date and, in its appendix, the sha256 of every photo it
relies on. Objects in the blob store are keyed by their sha256, so re-hashing each one tells
whether the stored evidence (and the notice's own PDF and DOCX) is still what was issued:
`match`, `mismatch` (the bytes under that key changed) or `missing`. The stored PDF's digital
signature (PAdES, `media.pdf_signatures`) is checked against the configured CA roots too.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import date

from cryptography.x509 import Certificate
from sqlalchemy.orm import Session

from inspection import errors
from inspection.config import Settings
from inspection.models import Notice, Site
from inspection.models.notices import ISSUED
from inspection.notices import issuing_body
from media.blobstore import CHUNK_SIZE, BlobNotFound, BlobStore
from media.certificates import CertificateError, load_pem_certificates
from media.pdf_signatures import SignatureCheck, check_pdf_signature

log = logging.getLogger(__name__)

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
    signature: SignatureCheck | None = None  # None: the PDF is no longer stored

    @property
    def intact(self) -> bool:
        return all(c.state == "match" for c in (*self.documents, *self.evidence))


def verify_notice(session: Session, store: BlobStore, notice_id: uuid.UUID, *,
                  trust_roots: tuple[Certificate, ...] = ()) -> Verification:
    """What notice `notice_id` stated, whether the store still holds it and whether its PDF's
    signature chains to `trust_roots`; NotFound unless it was issued (anyone holding the paper
    may check it: no personal data is shown)."""
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
        evidence=evidence, signature=pdf_signature(store, notice.pdf_sha256, trust_roots))


def pdf_signature(store: BlobStore, sha256: str | None,
                  trust_roots: tuple[Certificate, ...]) -> SignatureCheck | None:
    """The digital signature of the PDF stored under `sha256` (whatever its bytes are now);
    None when no PDF is stored there."""
    if sha256 is None:
        return None
    try:
        with closing(store.open(sha256)) as source:
            pdf = source.read()
    except BlobNotFound:
        return None
    return check_pdf_signature(pdf, trust_roots)


def trust_roots(settings: Settings) -> tuple[Certificate, ...]:
    """The CA certificates a document's signature must chain to (`KT1_SIGNING_TRUST`, else the
    demo CA); none when that file cannot be read (logged), so every signature is untrusted."""
    try:
        return load_pem_certificates(settings.signing_trust_path)
    except CertificateError as exc:
        if settings.signing_trust is not None or settings.is_production:
            log.error("no trusted CA for document signatures: %s", exc)
        return ()


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
