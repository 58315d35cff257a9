"""Settings read once from the environment into a frozen object, with embedded defaults."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SECRET = "dev-secret-change-me"
# The demo signing certificate `kt1 signing demo-ca` creates (media.certificates): the default
# outside production, never in production.
DEMO_SIGNING_P12 = Path("signing") / "demo-signer.p12"
DEMO_SIGNING_PASSWORD = "kt1-demo"
DEMO_SIGNING_TRUST = Path("signing") / "demo-ca.pem"
_PROVINCE_P12 = re.compile(r"KT1_SIGNING_P12_([0-9A-Za-z]+)")
_PROVINCE_PASSWORD = re.compile(r"KT1_SIGNING_PASSWORD_([0-9A-Za-z]+)")


class SettingsError(ValueError):
    """The environment describes a configuration the service refuses to start with."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class SigningKey:
    """A PKCS#12 file and its password: the certificate an issuing body signs with."""

    path: Path
    password: str = field(default="", repr=False)
    province_code: str | None = None  # None: every province without one of its own
    demo: bool = False  # the embedded default's demo certificate


def _signing_keys(env: Mapping[str, str]) -> tuple[SigningKey, ...]:
    """`KT1_SIGNING_P12` (+ `KT1_SIGNING_PASSWORD`) for every province, and
    `KT1_SIGNING_P12_<code>` (+ `KT1_SIGNING_PASSWORD_<code>`, else the default password) for
    province `<code>`; a province's password without its file is refused as a likely typo."""
    keys = []
    default_password = env.get("KT1_SIGNING_PASSWORD", "")
    if env.get("KT1_SIGNING_P12"):
        keys.append(SigningKey(Path(env["KT1_SIGNING_P12"]).resolve(), default_password))
    for name, value in sorted(env.items()):
        if (match := _PROVINCE_P12.fullmatch(name)) and value:
            code = match.group(1)
            password = env.get(f"KT1_SIGNING_PASSWORD_{code}", default_password)
            keys.append(SigningKey(Path(value).resolve(), password, province_code=code))
        elif (match := _PROVINCE_PASSWORD.fullmatch(name)) and not env.get(
                f"KT1_SIGNING_P12_{match.group(1)}"):
            raise SettingsError(f"{name} is set but KT1_SIGNING_P12_{match.group(1)} is not")
    return tuple(keys)


@dataclass(frozen=True)
class Settings:
    """Everything configurable; see the README table for each variable."""

    env: str = "development"
    instance_path: Path = field(default_factory=lambda: Path("instance").resolve())
    database_url: str = ""
    redis_url: str | None = None
    queue_name: str = "kt1"
    media_url: str = ""
    s3_endpoint_url: str | None = None
    secret_key: str = DEFAULT_SECRET
    token_ttl_hours: int = 72
    login_max_failures: int = 5  # of one username from one address
    login_max_failures_per_address: int = 50  # from one address, whatever the usernames
    login_window_seconds: int = 900
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For is believed
    far_radius_m: int = 300
    max_gps_accuracy_m: int = 1000
    max_body_bytes: int = 2 * 1024 * 1024
    sync_retention_days: int = 30
    sync_push_max_mutations: int = 1000
    upload_dir: Path | None = None  # unfinished uploads; default <instance>/uploads
    max_upload_bytes: int = 64 * 1024 * 1024
    max_photos_per_inspection: int = 200
    upload_expiry_hours: int = 168
    max_image_pixels: int = 50_000_000
    notice_due_days: int = 30
    # Where printed QR codes point; unset (""), the address the request asking for the
    # document reached (workers.notices.verify_url).
    public_url: str = ""
    audit_key: str | None = field(default=None, repr=False)  # signs audit checkpoints
    audit_anchor_file: Path | None = None  # default <instance>/audit-anchors.jsonl
    # Certificates issued documents are signed with (see `signing_key`); none configured,
    # outside production, the demo one under the instance folder.
    signing_keys: tuple[SigningKey, ...] = ()
    signing_trust: Path | None = None  # PEM CA certificates the verify page trusts

    @property
    def upload_path(self) -> Path:
        """Where unfinished uploads live: one folder that every web process of the service
        can reach (a shared volume when there are several hosts)."""
        return self.upload_dir or self.instance_path / "uploads"

    @property
    def anchor_path(self) -> Path:
        """The append-only file of signed audit checkpoints (`inspection.audit.anchors`)."""
        return self.audit_anchor_file or self.instance_path / "audit-anchors.jsonl"

    def signing_key(self, province_code: str | None) -> SigningKey | None:
        """The certificate that signs `province_code`'s documents: its own, else the default,
        else (outside production) the demo certificate under the instance folder, which may
        not exist yet; None in production when neither is configured."""
        for wanted in (province_code, None):
            for key in self.signing_keys:
                if key.province_code == wanted:
                    return key
        if self.is_production:
            return None
        return SigningKey(self.instance_path / DEMO_SIGNING_P12, DEMO_SIGNING_PASSWORD,
                          demo=True)

    @property
    def demo_signing_files(self) -> tuple[Path, Path]:
        """Where `kt1 signing demo-ca` puts the demo CA (PEM) and signing certificate
        (PKCS#12, password `kt1-demo`)."""
        return (self.instance_path / DEMO_SIGNING_TRUST, self.instance_path / DEMO_SIGNING_P12)

    @property
    def signing_trust_path(self) -> Path:
        """The PEM file of the CA certificates a signature must chain to."""
        return self.signing_trust or self.instance_path / DEMO_SIGNING_TRUST

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        instance = Path(env.get("KT1_INSTANCE_PATH") or "instance").resolve()
        settings = cls(
            env=env.get("KT1_ENV", "development"),
            instance_path=instance,
            database_url=env.get("KT1_DATABASE_URL") or f"sqlite:///{instance / 'kt1.sqlite'}",
            redis_url=env.get("KT1_REDIS_URL") or None,
            queue_name=env.get("KT1_QUEUE") or "kt1",
            media_url=env.get("KT1_MEDIA_URL") or (instance / "media").as_uri(),
            s3_endpoint_url=env.get("KT1_S3_ENDPOINT_URL") or None,
            secret_key=env.get("KT1_SECRET_KEY") or DEFAULT_SECRET,
            token_ttl_hours=_int(env, "KT1_TOKEN_TTL_HOURS", 72),
            login_max_failures=_int(env, "KT1_LOGIN_MAX_FAILURES", 5),
            login_max_failures_per_address=_int(env, "KT1_LOGIN_MAX_FAILURES_PER_ADDRESS", 50),
            login_window_seconds=_int(env, "KT1_LOGIN_WINDOW_SECONDS", 900),
            trusted_proxies=_int(env, "KT1_TRUSTED_PROXIES", 0),
            far_radius_m=_int(env, "KT1_FAR_RADIUS_M", 300),
            max_gps_accuracy_m=_int(env, "KT1_MAX_GPS_ACCURACY_M", 1000),
            max_body_bytes=_int(env, "KT1_MAX_BODY_BYTES", 2 * 1024 * 1024),
            sync_retention_days=_int(env, "KT1_SYNC_RETENTION_DAYS", 30),
            sync_push_max_mutations=_int(env, "KT1_SYNC_PUSH_MAX_MUTATIONS", 1000),
            upload_dir=Path(env["KT1_UPLOAD_DIR"]).resolve() if env.get("KT1_UPLOAD_DIR") else None,
            max_upload_bytes=_int(env, "KT1_MAX_UPLOAD_BYTES", 64 * 1024 * 1024),
            max_photos_per_inspection=_int(env, "KT1_MAX_PHOTOS_PER_INSPECTION", 200),
            upload_expiry_hours=_int(env, "KT1_UPLOAD_EXPIRY_HOURS", 168),
            max_image_pixels=_int(env, "KT1_MAX_IMAGE_PIXELS", 50_000_000),
            notice_due_days=_int(env, "KT1_NOTICE_DUE_DAYS", 30),
            public_url=env.get("KT1_PUBLIC_URL", "").rstrip("/"),
            audit_key=env.get("KT1_AUDIT_KEY") or None,
            audit_anchor_file=(Path(env["KT1_AUDIT_ANCHOR_PATH"]).resolve()
                               if env.get("KT1_AUDIT_ANCHOR_PATH") else None),
            signing_keys=_signing_keys(env),
            signing_trust=(Path(env["KT1_SIGNING_TRUST"]).resolve()
                           if env.get("KT1_SIGNING_TRUST") else None),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse configurations that must never run (production without a real secret)."""
        if self.env not in ("development", "production", "test"):
            raise SettingsError("KT1_ENV must be development, production or test")
        if self.is_production and (not self.secret_key or self.secret_key == DEFAULT_SECRET):
            raise SettingsError("KT1_SECRET_KEY must be set to a real secret in production")
        if self.is_production and len(self.secret_key) < 32:
            raise SettingsError("KT1_SECRET_KEY must be at least 32 characters in production")
        if self.is_production and not self.signing_keys:
            raise SettingsError("KT1_SIGNING_P12 (or KT1_SIGNING_P12_<province code>) must name "
                                "the issuing body's certificate in production; the demo "
                                "certificate never signs there")
        if self.is_production and self.signing_trust is None:
            raise SettingsError("KT1_SIGNING_TRUST must name the PEM file of the CA "
                                "certificates signatures are checked against in production")
        if self.trusted_proxies < 0:
            raise SettingsError("KT1_TRUSTED_PROXIES must be 0 or more")
