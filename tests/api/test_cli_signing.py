"""`kt1 signing demo-ca` and `kt1 signing check`: the embedded default's demo certificate made
once and kept, refused in production, and the configured certificates checked."""

from __future__ import annotations

import dataclasses

from api.app import create_app
from api.cli import main
from inspection.config import Settings, SigningKey


def kt1(settings: Settings, *args: str):  # type: ignore[no-untyped-def]
    return create_app(settings).test_cli_runner().invoke(main, list(args))


def test_demo_ca_creates_the_ca_and_signing_certificate_once_and_keeps_them(tmp_path):
    settings = Settings(env="development", instance_path=tmp_path,
                        database_url=f"sqlite:///{tmp_path / 'kt1.sqlite'}")
    first = kt1(settings, "signing", "demo-ca")
    assert first.exit_code == 0, first.output
    ca, signer = settings.demo_signing_files
    assert f"demo CA created: {ca}" in first.output and signer.exists()
    made = (ca.read_bytes(), signer.read_bytes())
    again = kt1(settings, "signing", "demo-ca")
    assert again.exit_code == 0 and "demo CA kept" in again.output
    assert (ca.read_bytes(), signer.read_bytes()) == made
    checked = kt1(settings, "signing", "check")
    assert checked.exit_code == 0, checked.output
    assert "every province: CN=Sở Khoa học và Công nghệ (demo)" in checked.output
    assert "trusted: CN=KT1 Inspect Demo CA (demo)" in checked.output


def test_production_refuses_the_demo_ca_and_check_names_an_unusable_certificate(
        settings, tmp_path):
    production = dataclasses.replace(settings, env="production", secret_key="s" * 40)
    refused = kt1(production, "signing", "demo-ca")
    assert refused.exit_code != 0 and "not for production" in refused.output
    assert not production.demo_signing_files[1].exists()
    broken = dataclasses.replace(production, signing_keys=(
        *production.signing_keys,
        SigningKey(tmp_path / "79.p12", "mat-khau-bi-mat", province_code="79")))
    checked = kt1(broken, "signing", "check")
    assert checked.exit_code == 1
    assert "every province: CN=Sở Khoa học và Công nghệ (demo)" in checked.output
    assert f"province 79: signing certificate file {tmp_path / '79.p12'} does not exist" in (
        checked.output)
    assert "mat-khau-bi-mat" not in checked.output
