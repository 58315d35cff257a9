"""Every error is RFC 9457 problem+json, and a 500 tells nothing of the internals."""

from __future__ import annotations

import dataclasses

import pytest

from api.app import create_app
from inspection.config import DEFAULT_SECRET, Settings, SettingsError


def _assert_problem(resp, status):
    assert resp.status_code == status
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == status
    assert body["type"].startswith("urn:kt1:problem:") and body["title"]
    return body


def test_malformed_json_is_a_400_problem(client, session):
    resp = client.post("/api/v1/auth/login", data="{not json",
                       content_type="application/json")
    body = _assert_problem(resp, 400)
    assert body["type"].endswith(":malformed-json")


def test_an_unknown_path_is_a_404_problem_not_an_html_page(client, session):
    body = _assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert "<html" not in str(body).lower()


def test_a_wrong_method_is_a_405_problem_with_allow(client, session):
    resp = client.delete("/api/v1/auth/login")
    _assert_problem(resp, 405)
    assert "POST" in resp.headers["Allow"]


def test_an_oversized_body_is_a_413_problem(settings, session_factory, session):
    small = dataclasses.replace(settings, max_body_bytes=1024)
    client = create_app(small, session_factory=session_factory).test_client()
    resp = client.post("/api/v1/auth/login", data="x" * 5000,
                       content_type="application/json")
    _assert_problem(resp, 413)


def test_an_unexpected_exception_is_a_500_problem_without_internals(settings, session_factory,
                                                                    session):
    app = create_app(settings, session_factory=session_factory)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2 at /srv/app.py")

    resp = app.test_client().get("/boom")
    body = _assert_problem(resp, 500)
    assert "hunter2" not in resp.get_data(as_text=True)
    assert "Traceback" not in resp.get_data(as_text=True)
    assert body["detail"]


def test_validation_errors_are_keyed_by_field(client, session):
    resp = client.post("/api/v1/auth/login", json={"username": "", "extra": 1})
    body = _assert_problem(resp, 422)
    assert {"username", "password", "extra"} <= set(body["errors"])


def test_problem_titles_are_vietnamese_nfc(client, session):
    import unicodedata

    body = client.get("/api/v1/auth/me").get_json()
    assert body["title"] == unicodedata.normalize("NFC", body["title"])
    assert "đăng nhập" in body["title"]


def test_production_refuses_a_missing_or_default_secret():
    with pytest.raises(SettingsError):
        Settings.from_env({"KT1_ENV": "production"})
    with pytest.raises(SettingsError):
        Settings.from_env({"KT1_ENV": "production", "KT1_SECRET_KEY": DEFAULT_SECRET})
    with pytest.raises(SettingsError):
        Settings.from_env({"KT1_ENV": "production", "KT1_SECRET_KEY": "short"})
    ok = Settings.from_env({"KT1_ENV": "production", "KT1_SECRET_KEY": "s" * 40,
                            "KT1_DATABASE_URL": "postgresql+psycopg://x@h/db",
                            "KT1_SIGNING_P12": "/etc/kt1/so-khcn.p12",
                            "KT1_SIGNING_TRUST": "/etc/kt1/ca.pem"})
    assert ok.is_production and ok.database_url.startswith("postgresql")


def test_settings_have_embedded_defaults_and_reject_bad_numbers(tmp_path):
    s = Settings.from_env({"KT1_INSTANCE_PATH": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'kt1.sqlite'}"
    assert s.media_url == (tmp_path / "media").as_uri()
    assert s.redis_url is None and s.far_radius_m == 300
    with pytest.raises(SettingsError):
        Settings.from_env({"KT1_FAR_RADIUS_M": "far"})


def test_nul_characters_are_refused_with_a_422_on_both_databases(client, session):
    resp = client.post("/api/v1/auth/login", json={"username": "a\x00b", "password": "x"})
    body = _assert_problem(resp, 422)
    assert "NUL" in body["detail"]
    resp = client.get("/api/v1/auth/me?x=%00")
    _assert_problem(resp, 422)


def test_field_errors_are_explained_in_vietnamese(client, session):
    resp = client.post("/api/v1/auth/login", json={"username": 5, "nope": 1})
    errors = _assert_problem(resp, 422)["errors"]
    assert errors == {"username": ["Không phải chuỗi ký tự hợp lệ."],
                      "password": ["Thiếu trường bắt buộc."],
                      "nope": ["Trường không được hỗ trợ."]}
