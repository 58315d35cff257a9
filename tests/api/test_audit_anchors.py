"""Audit anchoring: signed checkpoints of the chain's head kept outside the database catch what
the chain alone cannot (its newest entries deleted and the head rewound, an entry rewritten
and every later hash recomputed), through `kt1 audit anchor|verify` and GET /audit/verify."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import stat

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, update

from api.app import create_app
from api.cli import main
from inspection import audit
from inspection.config import Settings
from inspection.models import AuditEntry, AuditHead
from tests import factories
from tests.conftest import Api

API = "/api/v1"
GOOD_KEY = "k" * 32


def kt1(app, *args: str):  # type: ignore[no-untyped-def]
    """`kt1 ARGS` against `app` (the test's transaction and settings)."""
    return app.test_cli_runner().invoke(main, list(args))


def anchor_lines(settings: Settings) -> list[dict]:
    path = settings.instance_path / "audit-anchors.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def admin(api):  # type: ignore[no-untyped-def]
    """A national admin's headers, logged in before anything is anchored or tampered with
    (logging in is audited: it would move the head)."""
    return api.login(factories.UserFactory(role="admin", province_code=None))


def api_verify(client, headers) -> dict:  # type: ignore[no-untyped-def]
    resp = client.get(f"{API}/audit/verify", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()  # type: ignore[no-any-return]


def sites(n: int) -> None:
    for i in range(n):
        factories.SiteFactory(name=f"Bưu cục số {i}")


def problems_of(body: dict) -> set[str]:
    return {p["problem"] for p in body["problems"]}


def test_a_clean_chain_with_checkpoints_verifies(app, admin, client, session, settings):
    sites(2)
    first = kt1(app, "audit", "anchor")
    assert first.exit_code == 0, first.output
    assert "Đã ghi mốc neo #1" in first.output
    sites(1)
    assert kt1(app, "audit", "anchor").exit_code == 0

    one, two = anchor_lines(settings)
    assert (one["seq"], two["seq"]) == (1, 2) and two["prev"] == one["mac"]
    heads = {h["scope"]: (h["entries"], h["hash"]) for h in two["heads"]}
    stored = {h.chain: (h.entries, h.hash) for h in session.scalars(
        select(AuditHead).execution_options(populate_existing=True)) if h.entries}
    assert heads == {"legacy": (0, audit.GENESIS), **stored}
    assert {"92", "VN"} <= set(stored)  # the sites, the national admin's log-in
    key_file = settings.instance_path / "audit-anchor.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    verified = kt1(app, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "2 mốc neo khớp" in verified.output
    body = api_verify(client, admin)
    assert body["ok"] is True and body["problems"] == []
    assert body["anchors"]["checkpoints"] == 2
    assert body["anchors"]["latest_entries"] == sum(n for n, _ in heads.values())
    assert {c["chain"]: (c["entries"], c["head"]) for c in body["chains"]} == heads


def test_deleting_the_newest_entries_and_rewinding_the_head_is_detected(
        app, admin, client, session):
    sites(3)
    assert kt1(app, "audit", "anchor").exit_code == 0
    newest = session.scalars(select(AuditEntry).where(AuditEntry.chain == "92")
                             .order_by(AuditEntry.position.desc()).limit(3)).all()
    kept = newest[2]
    session.execute(delete(AuditEntry).where(AuditEntry.chain == "92",
                                             AuditEntry.position > kept.position))
    session.execute(update(AuditHead).where(AuditHead.chain == "92").values(
        entries=AuditHead.entries - 2, hash=kept.hash))
    session.expire_all()
    assert audit.verify(session).ok  # the chain alone cannot tell

    verified = kt1(app, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert "lùi" in verified.output  # the head moved backwards
    body = api_verify(client, admin)
    assert body["ok"] is False
    assert "anchor-head-moved-backwards" in problems_of(body)


def test_rewriting_an_entry_and_recomputing_every_later_hash_is_detected(
        app, admin, client, session):
    target = factories.SiteFactory(name="Bưu cục Ninh Kiều")
    sites(2)
    assert kt1(app, "audit", "anchor").exit_code == 0
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "sites",
                                                    AuditEntry.entity_id == str(target.id)))
    later = session.scalars(select(AuditEntry).where(AuditEntry.chain == entry.chain,
                                                     AuditEntry.position >= entry.position)
                            .order_by(AuditEntry.position)).all()
    entry.after = {**entry.after, "name": "Bưu cục đã bị sửa"}
    prev = entry.prev_hash
    for row in later:
        row.prev_hash = prev
        row.hash = prev = audit.entry_digest(prev, row)
    session.get_one(AuditHead, "92").hash = prev
    session.flush()
    session.expire_all()
    assert audit.verify(session).ok  # the chain alone cannot tell

    verified = kt1(app, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    body = api_verify(client, admin)
    assert body["ok"] is False
    assert "anchor-hash-mismatch" in problems_of(body)
    refused = kt1(app, "audit", "anchor")  # a tampered chain is never anchored
    assert refused.exit_code == 1, refused.output


def test_a_forged_checkpoint_is_detected(app, admin, client, session, settings):
    sites(1)
    assert kt1(app, "audit", "anchor").exit_code == 0
    [genuine] = anchor_lines(settings)
    forged = {**genuine, "seq": 2, "prev": genuine["mac"]}
    del forged["mac"]
    raw = json.dumps(forged, sort_keys=True, separators=(",", ":")).encode()
    forged["mac"] = hmac.new(b"not the key" * 4, raw, hashlib.sha256).hexdigest()
    with (settings.instance_path / "audit-anchors.jsonl").open("a") as log:
        log.write(json.dumps(forged) + "\n")

    verified = kt1(app, "audit", "verify")
    assert verified.exit_code == 1, verified.output
    assert "chữ ký" in verified.output
    body = api_verify(client, admin)
    assert body["ok"] is False
    assert {"problem": "anchor-bad-signature", "checkpoint": 2}.items() <= next(
        p for p in body["problems"] if p["problem"] == "anchor-bad-signature").items()


def test_production_refuses_to_anchor_without_a_long_key(session_factory, settings, session):
    sites(1)
    production = dataclasses.replace(settings, env="production", secret_key="s" * 40)
    for key in (None, "too-short"):
        app = create_app(dataclasses.replace(production, audit_key=key),
                         session_factory=session_factory)
        for command in ("anchor", "verify"):
            refused = kt1(app, "audit", command)
            assert refused.exit_code == 2, refused.output
            assert "KT1_AUDIT_KEY" in refused.output
    assert not (settings.instance_path / "audit-anchor.key").exists()
    app = create_app(dataclasses.replace(production, audit_key=GOOD_KEY),
                     session_factory=session_factory)
    assert kt1(app, "audit", "anchor").exit_code == 0
    assert kt1(app, "audit", "verify").exit_code == 0
    assert not (settings.instance_path / "audit-anchor.key").exists()


def test_the_key_and_the_anchor_file_come_from_the_environment(monkeypatch, tmp_path):
    anchors = tmp_path / "elsewhere" / "anchors.jsonl"
    for name, value in {"KT1_ENV": "test", "KT1_INSTANCE_PATH": str(tmp_path / "instance"),
                        "KT1_DATABASE_URL": f"sqlite:///{tmp_path / 'kt1.sqlite'}",
                        "KT1_AUDIT_KEY": GOOD_KEY,
                        "KT1_AUDIT_ANCHOR_PATH": str(anchors)}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    done = runner.invoke(main, ["audit", "anchor"])
    assert done.exit_code == 0, done.output
    [line] = [json.loads(raw) for raw in anchors.read_text().splitlines()]
    body = {k: v for k, v in line.items() if k != "mac"}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    assert line["mac"] == hmac.new(GOOD_KEY.encode(), raw, hashlib.sha256).hexdigest()
    assert not (tmp_path / "instance" / "audit-anchor.key").exists()
    assert runner.invoke(main, ["audit", "verify"]).exit_code == 0


def test_a_checkpoint_removed_from_the_file_or_a_line_that_is_not_one_is_detected(
        app, admin, client, settings):
    for _ in range(3):
        sites(1)
        assert kt1(app, "audit", "anchor").exit_code == 0
    path = settings.instance_path / "audit-anchors.jsonl"
    first, second, third = path.read_text().splitlines()
    path.write_text(f"{first}\n{third}\n")
    body = api_verify(client, admin)
    assert body["ok"] is False
    assert [(p["problem"], p["checkpoint"]) for p in body["problems"]] == [
        ("anchor-out-of-sequence", 3)]
    path.write_text(f"{first}\n{second}\n{third[:40]}\n")
    body = api_verify(client, admin)
    assert [(p["problem"], p["line"]) for p in body["problems"]] == [("anchor-unreadable", 3)]
    refused = kt1(app, "audit", "anchor")
    assert refused.exit_code == 1 and "không phải một mốc neo" in refused.output


def test_in_production_the_endpoint_reports_a_missing_key_and_a_missing_anchor_file(
        session_factory, settings, session):
    production = dataclasses.replace(settings, env="production", secret_key="s" * 40)
    app = create_app(production, session_factory=session_factory)
    admin = Api(app.test_client()).login(
        factories.UserFactory(role="admin", province_code=None))
    body = api_verify(app.test_client(), admin)
    assert body["ok"] is False
    assert problems_of(body) == {"anchor-key-missing", "anchor-log-missing"}
    assert all("KT1_AUDIT_KEY" in p["detail"] for p in body["problems"]
               if p["problem"] == "anchor-key-missing")
