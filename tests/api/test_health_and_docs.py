"""/healthz, the OpenAPI document and the offline docs page."""

from __future__ import annotations

import dataclasses
import re
import uuid


def test_healthz_reports_database_queue_and_storage(client, session, backend):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok"
    assert body["database"] == {"status": "ok",
                                "backend": "sqlite" if backend == "spatialite" else "postgresql"}
    assert body["queue"] == {"status": "ok", "mode": "inline"}
    assert body["storage"] == {"status": "ok", "kind": "file"}


def test_healthz_reports_the_real_redis_queue_when_configured(settings, session_factory,
                                                              session):
    import os

    from api.app import create_app

    url = os.environ.get("KT1_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    with_redis = dataclasses.replace(settings, redis_url=url)
    resp = create_app(with_redis, session_factory=session_factory).test_client().get("/healthz")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["queue"] == {"status": "ok", "mode": "rq"}


def test_healthz_is_503_when_the_queue_is_unreachable(settings, session_factory, session):
    from api.app import create_app

    bad = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    resp = create_app(bad, session_factory=session_factory).test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["queue"]["status"] == "down"


def test_openapi_document_describes_the_api(client, session):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    spec = resp.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/auth/login" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/api/v1/auth/login"]["post"]["security"] == []


def test_errors_are_documented_as_the_problem_json_they_are(client, session):
    """Documented as application/json, no error body was ever checked against the document;
    and the Problem schema must allow a problem's own members (`current_version`, ...)."""
    spec = client.get("/api/v1/openapi.json").get_json()
    responses = [r for item in spec["paths"].values() for op in item.values()
                 if isinstance(op, dict) for r in op.get("responses", {}).items()]
    components = spec["components"]["responses"]
    errors = [components[r["$ref"].rsplit("/", 1)[1]] if "$ref" in r else r
              for code, r in responses if code == "default" or code[0] in "45"]
    assert errors and all(set(r["content"]) == {"application/problem+json"} for r in errors)
    assert spec["components"]["schemas"]["Problem"]["additionalProperties"] is True


def test_the_docs_page_loads_its_assets_from_this_server(client, session):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = ("/api/v1/docs/static/vendor/swagger-ui/swagger-ui-bundle.js",
              "/api/v1/docs/static/vendor/swagger-ui/swagger-ui.css", "/api/v1/docs/static/docs.js")
    for path in assets:
        assert path in html
        assert client.get(path).status_code == 200
    assert "//cdn" not in html and "unpkg" not in html
    assert len(client.get(assets[0]).get_data()) > 1_000_000


def test_the_docs_page_runs_no_inline_script_and_carries_the_page_headers(client, session):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert "style=" not in html and "<style" not in html
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe" not in csp and "http" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert client.get("/api/v1/docs/").headers["Location"].endswith("/api/v1/docs")


def test_json_answers_and_problems_are_never_sniffed(client, session):
    for path, status in (("/healthz", 200), ("/api/v1/openapi.json", 200),
                         ("/api/v1/auth/me", 401), ("/api/v1/nowhere", 404)):
        resp = client.get(path)
        assert resp.status_code == status, path
        assert resp.mimetype in ("application/json", "application/problem+json"), path
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path


def test_the_console_and_the_field_app_keep_their_page_headers(client, session):
    for path in ("/console/", "/app/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "script-src 'self'" in page.headers["Content-Security-Policy"], path
        assert page.headers["X-Frame-Options"] == "DENY", path
        assert page.headers["X-Content-Type-Options"] == "nosniff", path
        assert page.headers["Referrer-Policy"] == "same-origin", path


def test_healthz_checks_an_s3_store_for_real(settings, session_factory, session, monkeypatch):
    from moto.server import ThreadedMotoServer

    from api.app import create_app

    # boto3 reads credentials from the environment, as it would in production.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        bucket = f"kt1-health-{uuid.uuid4().hex[:12]}"  # moto's state outlives its server
        s3 = dataclasses.replace(settings, media_url=f"s3://{bucket}/evidence",
                                 s3_endpoint_url=endpoint)
        client = create_app(s3, session_factory=session_factory).test_client()
        missing = client.get("/healthz")
        assert missing.status_code == 503
        assert missing.get_json()["storage"] == {"status": "down", "kind": "s3"}
        import boto3

        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        ok = client.get("/healthz")
        assert ok.status_code == 200, ok.get_json()
        assert ok.get_json()["storage"] == {"status": "ok", "kind": "s3"}
    finally:
        server.stop()
