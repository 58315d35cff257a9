"""`kt1 signing …`: the certificates issued PDFs are signed with (PAdES): the embedded
default's demo CA, and a check of what the environment configures."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from inspection.config import DEMO_SIGNING_PASSWORD, Settings
from media.certificates import CertificateError, ensure_demo_ca, load_pem_certificates, load_pkcs12


def _settings() -> Settings:
    return current_app.extensions["kt1"].settings  # type: ignore[no-any-return]


@click.group("signing")
def signing() -> None:
    """Digital signatures of issued notices and records."""


@signing.command("demo-ca")
@with_appcontext
def demo_ca() -> None:
    """Create a self-signed demo CA and a signing certificate it issued (PKCS#12) under the
    instance folder, once: existing files are kept (refused in production)."""
    settings = _settings()
    if settings.is_production:
        raise click.ClickException("the demo CA is not for production: set KT1_SIGNING_P12, "
                                   "KT1_SIGNING_PASSWORD and KT1_SIGNING_TRUST")
    ca, signer = settings.demo_signing_files
    created = ensure_demo_ca(ca, signer, password=DEMO_SIGNING_PASSWORD)
    click.echo(f"demo CA {'created' if created else 'kept'}: {ca}")
    click.echo(f"demo signing certificate {'created' if created else 'kept'}: {signer}")


@signing.command("check")
@with_appcontext
def check() -> None:
    """Open every configured certificate with its password and the trusted CA file, and print
    whom each names (exit 1 if one cannot be used)."""
    settings = _settings()
    keys = settings.signing_keys or tuple(
        k for k in (settings.signing_key(None),) if k is not None)
    failed = False
    for key in keys:
        scope = f"province {key.province_code}" if key.province_code else "every province"
        try:
            cert = load_pkcs12(key.path, key.password).certificate
        except CertificateError as exc:
            click.echo(f"{scope}: {exc}", err=True)
            failed = True
            continue
        click.echo(f"{scope}: {cert.subject.rfc4514_string()} (issuer "
                   f"{cert.issuer.rfc4514_string()}, valid {cert.not_valid_before_utc:%Y-%m-%d}"
                   f" to {cert.not_valid_after_utc:%Y-%m-%d})")
    try:
        roots = load_pem_certificates(settings.signing_trust_path)
        click.echo(f"trusted: {', '.join(c.subject.rfc4514_string() for c in roots)}")
    except CertificateError as exc:
        click.echo(str(exc), err=True)
        failed = True
    if failed:
        raise SystemExit(1)
