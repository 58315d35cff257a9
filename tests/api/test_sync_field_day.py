"""A simulated field day over HTTP: two tablets of one joint team work offline on one
inspection, a push's response is lost and the batch is sent again, the inspection is
submitted while the other tablet is still stale, and both tablets pull until they agree
with the server. The end state is what a careful person would expect, and every edit made
on a tablet is either on the server or kept in a conflict record: nothing is lost."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from inspection.models import SyncConflict
from tests import factories

API = "/api/v1"
LON, LAT = factories.CAN_THO
SYNCED = ("inspection", "answer", "finding")


class Tablet:
    """The field app on one device: offline edits queue as mutations; a replica of the
    server's records is kept up to date by pulling from the tablet's own cursor."""

    def __init__(self, api, user, device_id: str) -> None:  # type: ignore[no-untyped-def]
        self.client, self.user, self.device_id = api.client, user, device_id
        self.headers = api.login(user, device_id=device_id)
        self.outbox: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.replica: dict[tuple[str, str], dict[str, Any]] = {}
        package = self.client.get(f"{API}/sync/package", headers=self.headers)
        assert package.status_code == 200, package.get_json()
        self.cursor = package.get_json()["cursor"]

    def edit(self, entity, ident, data, base=None):  # type: ignore[no-untyped-def]
        self.outbox.append({"mutation_id": str(uuid.uuid4()), "entity": entity, "op": "upsert",
                            "id": str(ident), "base_version": base, "data": data,
                            "client_time": "2026-05-05T10:00:00+07:00"})

    def answer(self, inspection_id, code, value, base=None):  # type: ignore[no-untyped-def]
        self.edit("answer", uuid.uuid4(), {
            "inspection_id": str(inspection_id), "item_code": code, "value": value,
            "answered_at": "2026-05-05T09:30:00+07:00"}, base=base)

    def push(self, *, drop_response=False):  # type: ignore[no-untyped-def]
        batch = list(self.outbox)
        resp = self.client.post(f"{API}/sync/push", json={
            "device_id": self.device_id, "mutations": batch}, headers=self.headers)
        assert resp.status_code == 200, resp.get_json()
        if drop_response:  # the connection dropped: the tablet keeps its outbox
            return None
        self.sent.extend(batch)
        self.outbox.clear()
        return resp.get_json()

    def pull(self) -> None:
        while True:
            resp = self.client.get(f"{API}/sync/pull", query_string={
                "cursor": self.cursor, "limit": 3}, headers=self.headers)
            assert resp.status_code == 200, resp.get_json()
            page = resp.get_json()
            for change in page["changes"]:
                key = (change["entity"], change["id"])
                if change["op"] == "delete":
                    self.replica.pop(key, None)
                else:
                    self.replica[key] = change["data"]
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return

    def view(self, inspection_id) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        """What the tablet shows of one inspection: the record, answers, findings."""
        mine = {k: v for k, v in self.replica.items() if k[0] in SYNCED and (
            k[1] == str(inspection_id) or v.get("inspection_id") == str(inspection_id))}
        return {"inspection": mine[("inspection", str(inspection_id))],
                "answers": {v["item_code"]: v for k, v in mine.items() if k[0] == "answer"},
                "findings": {v["item_code"]: v for k, v in mine.items() if k[0] == "finding"}}


def statuses(body):  # type: ignore[no-untyped-def]
    return [r["status"] for r in body["results"]]


def test_a_field_day_with_two_tablets_a_lost_response_and_a_late_stale_edit(
        api, client, session):
    # Morning: a joint team of Cần Thơ is assigned a post office; each logs in on a tablet.
    inspector, police = factories.joint_team()
    supervisor = factories.UserFactory(role="supervisor", agency="skhcn")
    site = factories.SiteFactory()
    checklist = factories.inspection_checklist()
    today = date.today()
    factories.AssignmentFactory(
        site_id=site.id, team=[inspector, police],
        campaign=factories.CampaignFactory(checklist_id=checklist.id,
                                           starts_on=today - timedelta(days=30),
                                           ends_on=today + timedelta(days=30)))
    boss = api.login(supervisor)
    a = Tablet(api, inspector, "tablet-skhcn-01")
    b = Tablet(api, police, "tablet-congan-07")
    visit = uuid.uuid4()

    # Offline at the post office: A starts the inspection and answers half the checklist;
    # B answers the other half, and counts the staff (C1) differently from A.
    a.edit("inspection", visit, {
        "site_id": str(site.id), "checklist_id": str(checklist.id),
        "started_at": "2026-05-05T08:30:00+07:00",
        "location": {"lon": LON, "lat": LAT, "accuracy_m": 9.0},
        "team": [str(inspector.id), str(police.id)]})
    for code, value in {"A1": "yes", "A2": "yes", "C1": 5}.items():
        a.answer(visit, code, value)
    for code, value in {"C2": 5, "C5": "2026-01-15", "H1": "thiếu", "C1": 4}.items():
        b.answer(visit, code, value)

    # Back in coverage: A pushes first, everything applies.
    a_first = a.push()
    assert statuses(a_first) == ["applied"] * 4

    # B's push reaches the server but the answer never comes back; B sends it again.
    b_batch = list(b.outbox)
    b.push(drop_response=True)
    b_retry = b.push()
    assert statuses(b_retry) == ["duplicate"] * 4
    assert [r["original_status"] for r in b_retry["results"]] == [
        "applied", "applied", "applied", "conflict"]
    assert [r["mutation_id"] for r in b_retry["results"]] == [m["mutation_id"] for m in b_batch]
    c1_conflict = b_retry["results"][3]
    assert c1_conflict["server"]["value"] == 5 and c1_conflict["version"] == 1

    # The supervisor sees B's staff count kept as a conflict, once.
    listed = client.get(f"{API}/sync/conflicts", query_string={"resolved": "false"},
                        headers=boss).get_json()
    assert [(c["id"], c["entity"], c["data"]["item_code"], c["data"]["value"])
            for c in listed] == [(c1_conflict["conflict_id"], "answer", "C1", 4)]

    # A pulls (B's answers arrive), checks everything and submits.
    a.pull()
    assert {code: ans["value"] for code, ans in a.view(visit)["answers"].items()} == {
        "A1": "yes", "A2": "yes", "C1": 5, "C2": 5, "C5": "2026-01-15", "H1": "thiếu"}
    a.edit("inspection", visit, {"status": "submitted"},
           base=a.view(visit)["inspection"]["version"])
    [submitted] = a.push()["results"]
    assert (submitted["status"], submitted["version"]) == ("applied", 2)

    # B has not pulled: it corrects H1 on its stale copy and adds a remark. Too late.
    b.answer(visit, "H1", "đầy đủ", base=1)
    b.answer(visit, "K1", "Đơn vị xin bổ sung bảng giá trong tuần")
    late = b.push()
    assert statuses(late) == ["conflict", "conflict"]
    assert late["results"][0]["server"]["value"] == "thiếu"

    # Evening: both tablets pull from their own cursors and show the same thing.
    a.pull()
    b.pull()
    assert a.view(visit) == b.view(visit)
    assert int(a.cursor) >= int(late["cursor"]) and int(b.cursor) >= int(late["cursor"])

    # The server holds what a careful person expects, item by item.
    server = client.get(f"{API}/inspections/{visit}", headers=boss).get_json()
    assert (server["status"], server["version"]) == ("submitted", 2)
    answers = {x["item_code"]: x for x in server["answers"]}
    expected = {"A1": ("yes", inspector), "A2": ("yes", inspector), "C1": (5, inspector),
                "C2": (5, police), "C5": ("2026-01-15", police), "H1": ("thiếu", police)}
    assert {code: (x["value"], x["answered_by"], x["version"]) for code, x in answers.items()} \
        == {code: (value, str(who.id), 1) for code, (value, who) in expected.items()}
    findings = client.get(f"{API}/findings", query_string={"inspection_id": str(visit)},
                          headers=boss).get_json()
    assert [(f["item_code"], f["severity"], f["status"]) for f in findings] == [
        ("H1", "low", "open")]
    # The REST record, but for what it expands (answers, the site, the team's names): the feed
    # carries those as records of their own (answers, sites) or in the package (the team).
    expanded = ("answers", "site", "members")
    assert a.view(visit) == {"inspection": {k: v for k, v in server.items() if k not in expanded},
                             "answers": answers,
                             "findings": {f["item_code"]: f for f in findings}}

    # Nothing lost: every edit made on a tablet is on the server or in a conflict record.
    conflicts = {c.mutation_id: c for c in session.scalars(select(SyncConflict))}
    assert len(conflicts) == 3
    for tablet in (a, b):
        for m in tablet.sent:
            if m["mutation_id"] in conflicts:
                kept = conflicts[m["mutation_id"]]
                assert (kept.data, kept.device_id) == (m["data"], tablet.device_id)
            elif m["entity"] == "answer":
                stored = answers[m["data"]["item_code"]]
                assert (stored["value"], stored["answered_by"]) == (
                    m["data"]["value"], str(tablet.user.id))
            else:
                assert server["id"] == m["id"]
    verify = client.get(f"{API}/audit/verify", headers=boss).get_json()
    assert verify["ok"] is True
