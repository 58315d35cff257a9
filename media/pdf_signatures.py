"""What a PDF's digital signature says: whether there is one, whether it is intact and made by
a certificate that chains to a trusted CA, who signed and when, and whether the document was
changed after signing (pyHanko's validator, offline: no CRL or OCSP is fetched).

A pure function of the bytes and the trusted roots, usable by the web and the workers alike.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.utils import CryptographyDeprecationWarning

with warnings.catch_warnings():  # pyHanko imports cryptography's DSA types, deprecated
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    serial: str  # hexadecimal, upper case
    not_before: datetime
    not_after: datetime


@dataclass(frozen=True)
class SignatureCheck:
    """`valid` is the bottom line: intact, trusted and nothing but allowed changes after it."""

    present: bool
    valid: bool = False
    intact: bool = False
    trusted: bool = False
    signer: str | None = None  # the certificate subject's common name
    organisation: str | None = None
    certificate: CertificateInfo | None = None
    signed_at: datetime | None = None  # as the signer's clock stated it (UTC)
    # Bytes the signature covers changed, or revisions other than validation data appended
    # after it; None: could not be told (the signature itself is damaged).
    modified_after_signing: bool | None = None
    covers_whole_file: bool = False
    problem: str | None = None  # why it is not valid, for the log and the curious (English)


UNSIGNED = SignatureCheck(present=False)


def check_pdf_signature(pdf: bytes, trust_roots: tuple[x509.Certificate, ...]) -> SignatureCheck:
    """The last signature of `pdf` checked against `trust_roots`; `UNSIGNED` when it has none.
    A PDF too damaged to read, or a signature container with bytes after the signature (the
    one part of the file a signature cannot cover), reports a signature present, not valid."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception as exc:  # noqa: BLE001 - a stored file anyone may have damaged
        if b"/ByteRange" not in pdf:
            return UNSIGNED
        return SignatureCheck(present=True, problem=f"the PDF cannot be read: {exc}")
    if not signatures:
        return UNSIGNED
    try:
        return _check(pdf, signatures[-1], trust_roots)
    except Exception as exc:  # noqa: BLE001 - whatever a damaged signature makes pyHanko raise
        log.info("PDF signature not valid: %s", exc)
        return SignatureCheck(present=True, problem=f"the signature cannot be validated: {exc}")


def _check(pdf: bytes, embedded: EmbeddedPdfSignature,
           trust_roots: tuple[x509.Certificate, ...]) -> SignatureCheck:
    cert = embedded.signer_cert
    who = {"signer": _attribute(cert, "common_name"),
           "organisation": _attribute(cert, "organization_name"),
           "certificate": _certificate(cert)}
    context = ValidationContext(trust_roots=[_asn1(c) for c in trust_roots],
                                allow_fetching=False, revocation_mode="soft-fail")
    status = validate_pdf_signature(embedded, context)
    whole = status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level
    modified = not whole and (level is None or level.value > ModificationLevel.LTA_UPDATES.value
                              or not status.docmdp_ok)
    written = _as_written(pdf, embedded.byte_range, embedded.pkcs7_content)
    problems = [text for text, bad in (("not intact", not status.intact),
                                       ("not trusted", not status.trusted),
                                       ("changed after signing", modified),
                                       ("signature container altered", not written)) if bad]
    intact = status.intact and written
    return SignatureCheck(
        present=True, valid=not problems and bool(status.bottom_line), intact=intact,
        trusted=status.trusted, signed_at=status.signer_reported_dt,
        modified_after_signing=modified or not intact,
        covers_whole_file=whole, problem=", ".join(problems) or None,
        **who)  # type: ignore[arg-type]


def _as_written(pdf: bytes, byte_range: list[int], contents: bytes) -> bool:
    """Whether the one part of the file the signature does not cover (the gap in its byte
    range, /Contents) holds exactly what a signer writes: `<`, the CMS signature then zeros up
    to the room reserved, in hexadecimal of one case, `>`. A byte changed there otherwise
    could go unnoticed (zeros of the padding, a hex digit's case)."""
    gap = pdf[byte_range[0] + byte_range[1]:byte_range[2]]
    signature = cms.ContentInfo.load(contents).dump()
    expected = b"<" + (signature + bytes(len(contents) - len(signature))).hex().encode() + b">"
    return gap in (expected, expected.upper())


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


def _attribute(certificate: asn1_x509.Certificate, name: str) -> str | None:
    value = certificate.subject.native.get(name)
    return value if isinstance(value, str) else None


def _certificate(certificate: asn1_x509.Certificate) -> CertificateInfo:
    parsed = x509.load_der_x509_certificate(certificate.dump())
    return CertificateInfo(
        subject=parsed.subject.rfc4514_string(), issuer=parsed.issuer.rfc4514_string(),
        serial=format(parsed.serial_number, "X"),
        not_before=parsed.not_valid_before_utc, not_after=parsed.not_valid_after_utc)
