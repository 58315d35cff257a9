"""Signing certificates: a PKCS#12 file opened with its password, CA certificates read from
PEM, and a self-signed demo CA with a signing certificate it issued, which the embedded default
signs with (`kt1 signing demo-ca`).

Errors name the file and what is wrong with it, never the password.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

DEMO_ORGANISATION = "Sở Khoa học và Công nghệ (demo)"
DEMO_YEARS = 10


class CertificateError(ValueError):
    """A key or certificate file that cannot be used: missing, unreadable, wrong password."""


@dataclass(frozen=True)
class Credentials:
    """A private key with its certificate and the chain above it (from a PKCS#12 file)."""

    key: PrivateKeyTypes
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]


def load_pkcs12(path: Path, password: str) -> Credentials:
    """The key and certificates of the PKCS#12 file at `path`; CertificateError if it is
    missing, not PKCS#12, locked by another password, or holds no key and certificate."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CertificateError(f"signing certificate file {path} does not exist") from exc
    except OSError as exc:
        raise CertificateError(f"signing certificate file {path} cannot be read "
                               f"({exc.strerror})") from exc
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError as exc:
        raise CertificateError(f"signing certificate file {path} is not PKCS#12 or its "
                               "password is wrong") from exc
    if key is None or cert is None:
        raise CertificateError(f"signing certificate file {path} holds no private key and "
                               "certificate")
    return Credentials(key, cert, tuple(chain))


def load_pem_certificates(path: Path) -> tuple[x509.Certificate, ...]:
    """Every certificate of the PEM file at `path`; CertificateError if there is none."""
    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except FileNotFoundError as exc:
        raise CertificateError(f"trusted CA file {path} does not exist") from exc
    except (OSError, ValueError) as exc:
        raise CertificateError(f"trusted CA file {path} holds no PEM certificate") from exc
    return tuple(certificates)


def ensure_demo_ca(ca_path: Path, signer_path: Path, *, password: str,
                   now: dt.datetime | None = None) -> bool:
    """Create, once, a self-signed demo CA (PEM at `ca_path`) and a signing certificate it
    issued to the demo Sở (PKCS#12 at `signer_path` under `password`, mode 0600), both EC
    P-256 and valid ten years. Existing files are kept as they are; True if it created them."""
    if ca_path.exists() and signer_path.exists():
        return False
    ca_path.parent.mkdir(parents=True, exist_ok=True)
    signer_path.parent.mkdir(parents=True, exist_ok=True)
    now = now or dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("KT1 Inspect Demo CA (demo)", "KT1 Inspect (demo)")
    ca = (_builder(ca_name, ca_name, ca_key.public_key(), now)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(_usage(ca=True), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    signer = (_builder(_name(DEMO_ORGANISATION, DEMO_ORGANISATION), ca_name, key.public_key(),
                       now)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(_usage(ca=False), critical=True)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                  ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(
        b"kt1-demo-signer", key, signer, [ca],
        serialization.BestAvailableEncryption(password.encode()))
    _write_new(signer_path, p12, 0o600)
    _write_new(ca_path, ca.public_bytes(serialization.Encoding.PEM), 0o644)
    return True


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey,
             now: dt.datetime) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * DEMO_YEARS)))


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not ca, content_commitment=not ca,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=ca, crl_sign=ca, encipher_only=False,
                         decipher_only=False)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write `path` whole through a temporary file renamed over it (readers never see half)."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(scratch, path)
