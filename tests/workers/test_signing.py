"""PAdES signatures: a PDF signed with the configured certificate validates as intact, trusted
and covering the whole file; a changed byte, an update appended after signing or an unknown CA
does not; the configuration picks a province's certificate and refuses what must not run."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.generic import NameObject, StreamObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen.canvas import Canvas

from inspection import errors
from inspection.config import (
    DEMO_SIGNING_PASSWORD,
    Settings,
    SettingsError,
    SigningKey,
)
from media.certificates import CertificateError, ensure_demo_ca, load_pem_certificates
from media.pdf_signatures import check_pdf_signature
from workers.documents.signing import PdfSigner, signer_for

SIGNER = "Sở Khoa học và Công nghệ (demo)"


def plain_pdf(text: str = "Thông báo") -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=True)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


@pytest.fixture
def roots(demo_signing: tuple[Path, Path]) -> tuple[x509.Certificate, ...]:
    return load_pem_certificates(demo_signing[0])


@pytest.fixture
def signed(settings: Settings) -> bytes:
    signer = signer_for(settings, "92", location="Cần Thơ")
    assert signer is not None
    return signer.sign(plain_pdf())


def pades_status(pdf: bytes, ca: Path) -> PdfSignatureStatus:
    """pyHanko's own verdict on the PDF's one signature, trusting only the CA file `ca`."""
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    assert signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    roots = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER))
             for c in load_pem_certificates(ca)]
    return validate_pdf_signature(signatures[0], ValidationContext(trust_roots=roots))


def assert_whole_and_valid(status: PdfSignatureStatus) -> None:
    assert (status.intact, status.valid, status.trusted, status.bottom_line) == (True,) * 4
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert status.modification_level is ModificationLevel.NONE and status.docmdp_ok


def signed_range(pdf: bytes) -> tuple[int, int]:
    """The first signed stretch of the file (before the signature's /Contents)."""
    start = pdf.index(b"/ByteRange [") + len(b"/ByteRange [")
    first, length = (int(n) for n in pdf[start:].split()[:2])
    return first, first + length


def test_a_signed_pdf_is_valid_intact_trusted_and_covers_the_whole_file(signed, roots,
                                                                        demo_signing):
    assert_whole_and_valid(pades_status(signed, demo_signing[0]))
    check = check_pdf_signature(signed, roots)
    assert (check.present, check.valid, check.intact, check.trusted) == (True,) * 4
    assert check.covers_whole_file and check.modified_after_signing is False
    assert (check.signer, check.organisation) == (SIGNER, SIGNER)
    assert check.certificate is not None and "KT1 Inspect Demo CA" in check.certificate.issuer
    assert check.certificate.not_before <= check.signed_at <= check.certificate.not_after  # type: ignore[operator]
    assert check.problem is None


def test_the_same_signature_is_untrusted_without_its_ca(signed):
    check = check_pdf_signature(signed, ())
    assert (check.present, check.intact, check.trusted, check.valid) == (True, True, False, False)


def test_an_unsigned_pdf_and_bytes_that_are_no_pdf_carry_no_signature(roots):
    assert check_pdf_signature(plain_pdf(), roots).present is False
    assert check_pdf_signature(b"not a pdf at all", roots).present is False


@pytest.mark.parametrize("where", ["content", "signature", "padding", "hex case"])
def test_a_one_byte_change_anywhere_the_signature_covers_or_holds_invalidates_it(
        signed, roots, where):
    changed = bytearray(signed)
    start, end = signed_range(signed)
    contents = signed.index(b"<", end)
    if where == "content":
        changed[(start + end) // 2] ^= 0x01
    elif where == "signature":
        changed[contents + 200] = ord("0") if changed[contents + 200] != ord("0") else ord("1")
    elif where == "padding":
        closing = signed.index(b">", contents)
        changed[closing - 4] = ord("1")
    else:
        at = next(i for i in range(contents + 1, len(signed)) if signed[i:i + 1] in b"ABCDEF")
        changed[at] = ord(chr(signed[at]).lower())
    check = check_pdf_signature(bytes(changed), roots)
    assert check.present is True and check.valid is False
    assert check.modified_after_signing is not False


def test_an_update_appended_after_signing_is_reported_as_a_change(signed, roots):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()  # the page now says something else
    page[NameObject("/Contents")] = writer.add_object(
        StreamObject(stream_data=b"BT /F1 12 Tf 72 700 Td (Khong vi pham) Tj ET"))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    check = check_pdf_signature(out.getvalue(), roots)
    assert check.present and check.intact and check.trusted
    assert check.covers_whole_file is False
    assert (check.modified_after_signing, check.valid) == (True, False)


def test_the_demo_ca_is_made_once_and_kept(tmp_path):
    ca, signer = tmp_path / "s" / "ca.pem", tmp_path / "s" / "signer.p12"
    assert ensure_demo_ca(ca, signer, password="pw") is True
    first = (ca.read_bytes(), signer.read_bytes())
    assert ensure_demo_ca(ca, signer, password="pw") is False
    assert (ca.read_bytes(), signer.read_bytes()) == first
    assert signer.stat().st_mode & 0o077 == 0  # the private key is the owner's alone


def test_each_province_signs_with_its_own_certificate_else_the_default(tmp_path):
    own, default = tmp_path / "own.p12", tmp_path / "default.p12"
    settings = Settings.from_env({
        "KT1_INSTANCE_PATH": str(tmp_path), "KT1_SIGNING_P12": str(default),
        "KT1_SIGNING_PASSWORD": "mac-dinh", "KT1_SIGNING_P12_92": str(own),
        "KT1_SIGNING_PASSWORD_92": "can-tho", "KT1_SIGNING_P12_79": str(own),
        "KT1_SIGNING_TRUST": str(tmp_path / "ca.pem")})
    cantho, hcm, hanoi = (settings.signing_key(code) for code in ("92", "79", "01"))
    assert (cantho.path, cantho.password) == (own, "can-tho")  # type: ignore[union-attr]
    assert (hcm.path, hcm.password) == (own, "mac-dinh")  # type: ignore[union-attr]
    assert (hanoi.path, hanoi.password, hanoi.demo) == (default, "mac-dinh", False)  # type: ignore[union-attr]
    assert settings.signing_trust_path == tmp_path / "ca.pem"
    assert "can-tho" not in repr(settings) and "mac-dinh" not in repr(settings)


def test_without_configuration_the_demo_certificate_signs_outside_production(tmp_path):
    settings = Settings.from_env({"KT1_INSTANCE_PATH": str(tmp_path)})
    key = settings.signing_key("92")
    assert key is not None and key.demo
    assert signer_for(settings, "92") is None  # `kt1 signing demo-ca` has not run: unsigned
    ca, p12 = settings.demo_signing_files
    ensure_demo_ca(ca, p12, password=DEMO_SIGNING_PASSWORD)
    signer = signer_for(settings, "92")
    assert signer is not None and signer.name == SIGNER
    assert settings.signing_trust_path == ca


def test_production_refuses_to_start_without_a_certificate_and_trusted_cas(tmp_path):
    base = {"KT1_ENV": "production", "KT1_SECRET_KEY": "s" * 40}
    with pytest.raises(SettingsError, match="KT1_SIGNING_P12"):
        Settings.from_env(base)
    with pytest.raises(SettingsError, match="KT1_SIGNING_TRUST"):
        Settings.from_env({**base, "KT1_SIGNING_P12_92": str(tmp_path / "92.p12")})
    with pytest.raises(SettingsError, match="KT1_SIGNING_P12_29"):  # a typo'd province
        Settings.from_env({**base, "KT1_SIGNING_P12": "x.p12", "KT1_SIGNING_TRUST": "ca.pem",
                           "KT1_SIGNING_PASSWORD_29": "secret"})


def test_production_never_signs_with_the_demo_certificate(settings, demo_signing):
    ca, signer = demo_signing
    production = dataclasses.replace(
        settings, env="production", secret_key="s" * 40, signing_trust=ca,
        signing_keys=(SigningKey(signer, DEMO_SIGNING_PASSWORD, province_code="92"),))
    assert signer_for(production, "92") is not None
    with pytest.raises(errors.InvalidState, match="KT1_SIGNING_P12_79"):
        signer_for(production, "79")  # no certificate of its own and no default


def test_an_expired_certificate_is_refused_before_it_signs(settings, tmp_path):
    ca, p12 = tmp_path / "ca.pem", tmp_path / "old.p12"
    ensure_demo_ca(ca, p12, password="pw",
                   now=datetime.now(UTC) - timedelta(days=365 * 11))  # valid ten years
    expired = dataclasses.replace(settings, signing_keys=(SigningKey(p12, "pw"),))
    with pytest.raises(errors.InvalidState, match=r"chỉ có hiệu lực từ .* đến"):
        signer_for(expired, "92")


@pytest.mark.parametrize("problem", ["wrong password", "missing file", "not pkcs12"])
def test_an_unusable_certificate_is_a_clear_error_that_never_shows_the_password(
        settings, demo_signing, tmp_path, problem):
    _, p12 = demo_signing
    path, password = {"wrong password": (p12, "mat-khau-sai"),
                      "missing file": (tmp_path / "none.p12", DEMO_SIGNING_PASSWORD),
                      "not pkcs12": (demo_signing[0], DEMO_SIGNING_PASSWORD)}[problem]
    broken = dataclasses.replace(settings, signing_keys=(SigningKey(path, password),))
    with pytest.raises(errors.InvalidState) as raised:
        signer_for(broken, "92")
    detail = raised.value.detail
    assert detail.startswith("Không ký số được văn bản") and str(path) in detail
    assert password not in detail
    assert isinstance(raised.value.__cause__, CertificateError)


def test_the_signer_names_the_certificates_organisation(settings):
    signer = signer_for(settings, "92")
    assert isinstance(signer, PdfSigner) and signer.name == SIGNER
