"""The issuing body's digital signature on an issued PDF: PAdES (ETSI.CAdES.detached, SHA-256)
in an invisible signature field, added as an incremental update so the visible layout is the
one rendered. The certificate is the province's PKCS#12 file from the settings.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from cryptography.utils import CryptographyDeprecationWarning

from inspection import errors
from inspection.config import Settings, SigningKey
from media.certificates import CertificateError, Credentials, load_pkcs12

with warnings.catch_warnings():  # pyHanko imports cryptography's DSA types, deprecated
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD = "ChuKySo"
REASON = "Ký ban hành văn bản điện tử"


@dataclass(frozen=True)
class PdfSigner:
    credentials: Credentials
    location: str = ""

    @property
    def name(self) -> str:
        """Who signs, as the certificate names them (its organisation, else common name)."""
        subject = self.credentials.certificate.subject
        for oid in ("2.5.4.10", "2.5.4.3"):  # organisationName, commonName
            for attribute in subject:
                if attribute.oid.dotted_string == oid:
                    return str(attribute.value)
        return subject.rfc4514_string()

    def sign(self, pdf: bytes) -> bytes:
        """`pdf` with this signer's PAdES signature covering the whole file."""
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason=REASON, location=self.location or None)
        out = signers.sign_pdf(writer, metadata, signer=_pyhanko_signer(self.credentials),
                               new_field_spec=fields.SigFieldSpec(FIELD))
        return out.getvalue()


def signer_for(settings: Settings, province_code: str, *, location: str = "") -> PdfSigner | None:
    """The signer of `province_code`'s documents; None when no certificate is configured and
    none is required (outside production, before `kt1 signing demo-ca` made the demo one).
    InvalidState (Vietnamese, then the file's problem in English; never the password) when
    the configured file cannot be used or production has no certificate for the province: a
    job fails for good with it, since trying again changes nothing until the configuration
    does."""
    key = settings.signing_key(province_code)
    if key is None:
        if settings.is_production:
            raise errors.InvalidState(
                f"Chưa cấu hình chứng thư số để ký văn bản của tỉnh/thành phố mã "
                f"{province_code} (KT1_SIGNING_P12 hoặc KT1_SIGNING_P12_{province_code}).")
        return None
    if key.demo and not key.path.exists():
        return None
    return PdfSigner(_credentials(key), location)


def _credentials(key: SigningKey) -> Credentials:
    """The key's certificate, refused unless it is valid now (a signature made with an
    expired certificate is one no verifier accepts)."""
    try:
        credentials = load_pkcs12(key.path, key.password)
    except CertificateError as exc:
        raise errors.InvalidState(f"Không ký số được văn bản: chứng thư số đã cấu hình không "
                                  f"dùng được ({exc}).") from exc
    cert, now = credentials.certificate, datetime.now(UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise errors.InvalidState(
            f"Không ký số được văn bản: chứng thư số trong {key.path} chỉ có hiệu lực từ "
            f"{cert.not_valid_before_utc:%d/%m/%Y} đến {cert.not_valid_after_utc:%d/%m/%Y}.")
    return credentials


def _pyhanko_signer(credentials: Credentials) -> signers.SimpleSigner:
    key = credentials.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8,  # type: ignore[union-attr]
                                        NoEncryption())
    chain = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER))
             for c in credentials.chain]
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(
            credentials.certificate.public_bytes(Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs(chain),
        embed_roots=False)  # a verifier trusts its own roots; a root in the file is unsigned
