"""`make run`'s embedded default, as a small Sở runs it: `kt1 db upgrade`, `kt1 seed demo` and
`kt1 serve` (gunicorn, SQLite, no Redis) in processes of their own. The demo supervisor asks for
the annual report, a violation notice and an inspection record through the API while other
requests keep coming; every job finishes on the server's own worker thread."""

from __future__ import annotations

import json
import signal
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.workers.processes import free_port, kill_group, kt1_env, run_kt1, start_kt1, wait_for

DEMO_SUPERVISOR = ("giamsat.ct", "kt1-demo-2026")


class Browser:
    """A client of the served API, as the console is."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.token = ""

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.base + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {self.token}"} if self.token else {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                raw = answer.read()
                status = answer.status
        except urllib.error.HTTPError as refused:
            raw, status = refused.read(), refused.code
        return status, json.loads(raw) if raw else None

    def ended(self, job_id: str) -> dict[str, Any] | None:
        status, job = self.call("GET", f"/api/v1/jobs/{job_id}")
        assert status == 200, job
        # Other requests meanwhile, as the console polls: they must not wait on the job.
        assert self.call("GET", "/api/v1/inspections?status=approved")[0] == 200
        return job if job["status"] in ("finished", "failed") else None


def test_the_embedded_default_makes_the_annual_report_a_notice_and_a_record(
        tmp_path: Path) -> None:
    env = kt1_env(tmp_path, f"sqlite:///{tmp_path / 'kt1.sqlite'}", redis_url=None)
    env.pop("KT1_ENV")  # the defaults `make run` uses
    run_kt1("db", "upgrade", env=env)
    run_kt1("seed", "demo", env=env)
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_kt1("serve", "--port", str(port), env={**env, "PORT": str(port)}, log=log)
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        wait_for(lambda: _answers(browser), timeout_s=60, what="kt1 serve to answer")
        username, password = DEMO_SUPERVISOR
        status, login = browser.call("POST", "/api/v1/auth/login", {
            "username": username, "password": password, "device_id": "office-desk-1"})
        assert status == 200, login
        browser.token = login["access_token"]
        status, approved = browser.call("GET", "/api/v1/inspections?status=approved")
        assert status == 200 and approved, approved
        inspection_id = approved[0]["id"]

        status, signers = browser.call("GET", "/api/v1/signers?active=true")
        assert status == 200 and len(signers) == 2, signers  # the demo's: one is chosen
        signer = {"signer_id": signers[0]["id"]}
        asked = {
            "report": browser.call("POST", "/api/v1/reports", {
                "kind": "annual", "province_code": "92", "year": 2026, **signer}),
            "notice": browser.call("POST", f"/api/v1/inspections/{inspection_id}/notices",
                                   signer),
            "record": browser.call("POST", f"/api/v1/inspections/{inspection_id}/record"),
        }
        for what, (status, body) in asked.items():
            assert status == 202, (what, body)
        for what, (_, body) in asked.items():
            job = wait_for(lambda body=body: browser.ended(body["job_id"]), timeout_s=240,
                           every_s=0.5, what=f"the {what} job")
            assert job["status"] == "finished", (what, job, log.read_text()[-3000:])

        status, report = browser.call("GET", f"/api/v1/reports/{asked['report'][1]['report_id']}")
        assert status == 200 and report["status"] == "ready", report
        status, notices = browser.call("GET", "/api/v1/notices")
        assert status == 200
        assert [n["status"] for n in notices if n["inspection_id"] == inspection_id] == ["issued"]
        status, record = browser.call("GET", f"/api/v1/records/{asked['record'][1]['record_id']}")
        assert status == 200 and record["status"] == "issued", record
    finally:
        kill_group(server, signal.SIGTERM)
    served = log.read_text()
    assert "gunicorn" in served.lower(), served[:2000]
    assert "development server" not in served, served[:2000]
    assert "Traceback" not in served, served[-3000:]  # (a skipped progress update is no error)


def _answers(browser: Browser) -> bool:
    try:
        return browser.call("GET", "/healthz")[0] == 200
    except OSError:
        return False

