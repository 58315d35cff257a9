"""/staff over HTTP: the post office keeps its KT1 roster, asks the police to vet a worker, the
police record the outcome; only the post office, the police and the Sở's supervisors of the
province read the personal data, every read of it is audited, and the audit log shows it to
nobody else."""

from __future__ import annotations

import json
import unicodedata
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from inspection import staff
from inspection.models import AuditEntry, StaffMember
from tests import factories

API = "/api/v1"
VNPOST = "Bưu điện thành phố Cần Thơ"
VIETTEL = "Viettel Post Cần Thơ"
READ_SCOPES = ("clerk", "viettel", "police", "supervisor", "hp_clerk", "hp_police",
               "hp_supervisor")


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


class Roster:
    """Cần Thơ: two provider sites of VNPost, one of Viettel, a user agency; Hải Phòng: a
    VNPost site. A user of every role and scope, logged in on first use."""

    def __init__(self, api, client, session) -> None:  # type: ignore[no-untyped-def]
        self.api, self.client, self.session = api, client, session
        site = factories.SiteFactory
        self.site = site(name="Bưu cục Ninh Kiều", organization=VNPOST)
        self.branch = site(name="Bưu cục Cái Răng", organization=VNPOST)
        self.viettel_site = site(name="Bưu cục Viettel Ninh Kiều", organization=VIETTEL)
        self.agency = site(name="Văn phòng UBND thành phố", kind="kt1_user", organization=VNPOST)
        self.hai_phong_site = site(name="Bưu cục Hồng Bàng", organization=VNPOST,
                                   province_code="31")
        user, post = factories.UserFactory, {"role": "post", "agency": "post"}
        self.users = {
            "clerk": user(**post, organization=VNPOST),
            "viettel": user(**post, organization=VIETTEL),
            "police": user(role="police", agency="police"),
            "supervisor": user(role="supervisor"),
            "inspector": user(role="inspector"),
            "admin": user(role="admin"),
            "national": user(role="admin", province_code=None),
            "hp_clerk": user(**post, organization=VNPOST, province_code="31"),
            "hp_police": user(role="police", agency="police", province_code="31"),
            "hp_supervisor": user(role="supervisor", province_code="31"),
        }
        self._headers: dict[str, dict[str, str]] = {}
        self.today = staff.today()

    def h(self, who):  # type: ignore[no-untyped-def]
        if who not in self._headers:
            self._headers[who] = self.api.login(self.users[who])
        return self._headers[who]

    def body(self, **overrides):  # type: ignore[no-untyped-def]
        return {"site_id": str(self.site.id), "full_name": "Nguyễn Thị Hoa",
                "position": "Giao dịch viên KT1", "joined_on": "2025-06-01", **overrides}

    def add(self, who="clerk", **overrides):  # type: ignore[no-untyped-def]
        return self.client.post(f"{API}/staff", json=self.body(**overrides), headers=self.h(who))

    def added(self, **overrides):  # type: ignore[no-untyped-def]
        resp = self.add(**overrides)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["id"]

    def version(self, member_id):  # type: ignore[no-untyped-def]
        """Read from the database: a GET would itself be an audited read."""
        return self.stored(member_id).version

    def stored(self, member_id):  # type: ignore[no-untyped-def]
        self.session.expire_all()
        return self.session.get_one(StaffMember, uuid.UUID(str(member_id)))

    def _write(self, method, path, member_id, body, who, etag):  # type: ignore[no-untyped-def]
        if etag == "current":
            etag = f'"{self.version(member_id)}"'
        headers = {**self.h(who), **({"If-Match": etag} if etag else {})}
        return self.client.open(f"{API}/staff/{member_id}{path}", method=method, json=body,
                                headers=headers)

    def patch(self, member_id, body, who="clerk", etag="current"):  # type: ignore[no-untyped-def]
        return self._write("PATCH", "", member_id, body, who, etag)

    def ask(self, member_id, body=None, who="clerk", etag="current"):  # type: ignore[no-untyped-def]
        return self._write("POST", "/vetting-request", member_id, body or {}, who, etag)

    def vet(self, member_id, body, who="police", etag="current"):  # type: ignore[no-untyped-def]
        return self._write("POST", "/vetting", member_id, body, who, etag)

    def outcome(self, outcome="vetted", *, days_ago=0, reference="123/ANCTNB-PC"):  # type: ignore[no-untyped-def]
        return {"outcome": outcome, "reference": reference,
                "decided_on": (self.today - timedelta(days=days_ago)).isoformat()}

    def listed(self, who, query=""):  # type: ignore[no-untyped-def]
        resp = self.client.get(f"{API}/staff{query}", headers=self.h(who))
        assert resp.status_code == 200, resp.get_json()
        return resp

    def listed_ids(self, who, query=""):  # type: ignore[no-untyped-def]
        return [m["id"] for m in self.listed(who, query).get_json()]

    def get(self, member_id, who):  # type: ignore[no-untyped-def]
        return self.client.get(f"{API}/staff/{member_id}", headers=self.h(who))

    def entries(self, **where):  # type: ignore[no-untyped-def]
        self.session.expire_all()
        return self.session.scalars(select(AuditEntry).filter_by(**where)
                                    .order_by(AuditEntry.id)).all()

    def entry_count(self):  # type: ignore[no-untyped-def]
        return self.session.scalar(select(func.count()).select_from(AuditEntry))


@pytest.fixture
def roster(api, client, session):  # type: ignore[no-untyped-def]
    return Roster(api, client, session)


# --- The post office's roster ----------------------------------------------------------------

def test_the_post_office_adds_a_worker_and_reads_it_back_with_its_etag(roster):
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Thị Hoa ")
    resp = roster.add(full_name=decomposed, trained_on="2025-07-10", secrecy_commitment=True)
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert resp.headers["ETag"] == '"1"'
    assert resp.headers["Location"].endswith(f"/api/v1/staff/{created['id']}")
    assert created == {**created, "full_name": "Nguyễn Thị Hoa", "organization": VNPOST,
                       "province_code": "92", "site_id": str(roster.site.id),
                       "position": "Giao dịch viên KT1", "joined_on": "2025-06-01",
                       "trained_on": "2025-07-10", "secrecy_commitment": True, "left_on": None,
                       "vetting_status": "not_requested", "vetting_reference": None,
                       "created_by": str(roster.users["clerk"].id), "version": 1}
    assert unicodedata.is_normalized("NFC", created["full_name"])
    got = roster.get(created["id"], "clerk")
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    assert got.get_json() == created
    assert roster.stored(created["id"]).full_name == "Nguyễn Thị Hoa"


def test_the_police_vet_a_worker_the_post_office_asked_for(roster):
    member_id = roster.added()
    asked = roster.ask(member_id)
    assert asked.status_code == 200, asked.get_json()
    assert asked.headers["ETag"] == '"2"'
    assert asked.get_json() == {**asked.get_json(), "vetting_status": "requested",
                                "vetting_requested_on": roster.today.isoformat(),
                                "vetting_requested_by": str(roster.users["clerk"].id),
                                "version": 2}
    vetted = roster.vet(member_id, roster.outcome(reference=" 123/ANCTNB-PC "))
    assert vetted.status_code == 200, vetted.get_json()
    assert vetted.headers["ETag"] == '"3"'
    stored = roster.stored(member_id)
    assert (stored.vetting_status, stored.vetting_reference, stored.vetting_decided_on,
            stored.vetting_decided_by, stored.version) == (
        "vetted", "123/ANCTNB-PC", roster.today, roster.users["police"].id, 3)
    got = problem(roster.ask(member_id), 409)
    assert got["vetting_status"] == "vetted"
    problem(roster.vet(member_id, roster.outcome("not_vetted")), 409)
    assert roster.stored(member_id).version == 3


def test_a_refused_worker_may_be_asked_for_again_and_the_new_request_clears_the_old_outcome(
        roster):
    member_id = roster.added(joined_on=(roster.today + timedelta(days=20)).isoformat())
    month_ago = (roster.today - timedelta(days=30)).isoformat()
    assert roster.ask(member_id, {"requested_on": month_ago}).status_code == 200
    refused = roster.vet(member_id, roster.outcome("not_vetted", days_ago=3, reference="45/PA03"))
    assert refused.status_code == 200, refused.get_json()
    assert refused.get_json()["vetting_status"] == "not_vetted"
    again = roster.ask(member_id)
    assert again.status_code == 200, again.get_json()
    assert again.get_json() == {**again.get_json(), "vetting_status": "requested",
                                "vetting_requested_on": roster.today.isoformat(),
                                "vetting_reference": None, "vetting_decided_on": None,
                                "vetting_decided_by": None, "version": 4}


def test_the_police_record_an_outcome_only_for_a_pending_request_and_on_a_sensible_day(roster):
    member_id = roster.added()
    problem(roster.vet(member_id, roster.outcome()), 409)
    tomorrow = (roster.today + timedelta(days=1)).isoformat()
    got = problem(roster.ask(member_id, {"requested_on": tomorrow}), 422)
    assert set(got["errors"]) == {"requested_on"}
    ten_days_ago = (roster.today - timedelta(days=10)).isoformat()
    assert roster.ask(member_id, {"requested_on": ten_days_ago}).status_code == 200
    for body, field in ((roster.outcome(days_ago=11), "decided_on"),
                        (roster.outcome(days_ago=-1), "decided_on"),
                        (roster.outcome("maybe"), "outcome"),
                        (roster.outcome(reference="   "), "reference"),
                        ({"outcome": "vetted", "decided_on": ten_days_ago}, "reference"),
                        ({**roster.outcome(), "decided_on": "10/11/2026"}, "decided_on")):
        got = problem(roster.vet(member_id, body), 422)
        assert field in got["errors"], (body, got)
    stored = roster.stored(member_id)
    assert (stored.vetting_status, stored.version) == ("requested", 2)


def test_a_new_name_after_vetting_puts_the_worker_back_to_not_requested_and_says_so(roster):
    member_id = roster.added()
    roster.ask(member_id)
    roster.vet(member_id, roster.outcome())
    moved = roster.patch(member_id, {"position": "Trưởng ca khai thác",
                                     "site_id": str(roster.branch.id)})
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["vetting_status"], moved.get_json()["warnings"]) == ("vetted", [])
    same = roster.patch(member_id, {"full_name": unicodedata.normalize("NFD", " Nguyễn Thị  Hoa")})
    assert same.status_code == 200 and same.get_json()["version"] == 4  # nothing changed
    renamed = roster.patch(member_id, {"full_name": "Nguyễn Thị Hoà"})
    assert renamed.status_code == 200, renamed.get_json()
    body = renamed.get_json()
    [warning] = body["warnings"]
    assert warning["code"] == "vetting-reset" and "thẩm tra lại" in warning["detail"]
    assert body == {**body, "full_name": "Nguyễn Thị Hoà", "vetting_status": "not_requested",
                    "vetting_reference": None, "vetting_decided_on": None,
                    "vetting_requested_on": None, "version": 5}
    update = roster.entries(entity="staff_members", entity_id=member_id, action="update")[-1]
    assert update.before == {**update.before, "full_name": "Nguyễn Thị Hoa",
                             "vetting_status": "vetted", "vetting_reference": "123/ANCTNB-PC"}
    assert update.after == {**update.after, "vetting_status": "not_requested",
                            "vetting_reference": None}


def test_a_new_name_withdraws_a_pending_request_but_never_erases_a_refusal(roster):
    pending = factories.StaffMemberFactory(site=roster.site, vetting_status="requested",
                                           vetting_requested_on=roster.today)
    refused = factories.StaffMemberFactory(
        site=roster.site, vetting_status="not_vetted", vetting_requested_on=roster.today,
        vetting_reference="9/PA03", vetting_decided_on=roster.today)
    resp = roster.patch(pending.id, {"full_name": "Phạm Văn Minh"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["vetting_status"] == "not_requested"
    assert [w["code"] for w in resp.get_json()["warnings"]] == ["vetting-reset"]
    resp = roster.patch(refused.id, {"full_name": "Phạm Văn Mình"})
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["vetting_status"], resp.get_json()["vetting_reference"],
            resp.get_json()["warnings"]) == ("not_vetted", "9/PA03", [])


def test_a_worker_who_leaves_stays_as_history(roster):
    member_id = roster.added()
    left = roster.patch(member_id, {"left_on": roster.today.isoformat()})
    assert left.status_code == 200 and left.get_json()["left_on"] == roster.today.isoformat()
    assert member_id not in roster.listed_ids("clerk")
    assert member_id in roster.listed_ids("clerk", "?include_left=true")
    assert roster.get(member_id, "supervisor").status_code == 200
    assert "nghỉ" in problem(roster.ask(member_id), 409)["detail"]
    back = roster.patch(member_id, {"left_on": None})
    assert back.status_code == 200 and back.get_json()["left_on"] is None
    assert member_id in roster.listed_ids("clerk")


def test_if_match_is_required_and_a_stale_one_answers_412(roster):
    member_id = roster.added()
    change = {"position": "Bưu tá KT1"}
    problem(roster.patch(member_id, change, etag=None), 428)
    problem(roster.patch(member_id, change, etag='"7"'), 412)
    problem(roster.patch(member_id, change, etag="not-an-etag"), 412)
    problem(roster.ask(member_id, etag=None), 428)
    problem(roster.ask(member_id, etag='"2"'), 412)
    assert roster.version(member_id) == 1
    assert roster.patch(member_id, change, etag="*").status_code == 200
    assert roster.ask(member_id).status_code == 200
    problem(roster.vet(member_id, roster.outcome(), etag=None), 428)
    problem(roster.vet(member_id, roster.outcome(), etag='"1"'), 412)
    stored = roster.stored(member_id)
    assert (stored.position, stored.vetting_status, stored.version) == (
        "Bưu tá KT1", "requested", 3)


# --- Who reads and who writes ----------------------------------------------------------------

def test_only_the_post_office_the_police_and_the_supervisors_of_the_province_read_it(roster):
    ours = factories.StaffMemberFactory(site=roster.site)
    theirs = factories.StaffMemberFactory(site=roster.viettel_site)
    far = factories.StaffMemberFactory(site=roster.hai_phong_site)
    seen = {who: set(roster.listed_ids(who)) for who in READ_SCOPES}
    assert seen == {
        "clerk": {str(ours.id)}, "viettel": {str(theirs.id)},
        "police": {str(ours.id), str(theirs.id)}, "supervisor": {str(ours.id), str(theirs.id)},
        "hp_clerk": {str(far.id)}, "hp_police": {str(far.id)}, "hp_supervisor": {str(far.id)}}
    for who in ("clerk", "police", "supervisor"):
        assert roster.get(ours.id, who).status_code == 200
    for who in ("viettel", "hp_clerk", "hp_police", "hp_supervisor"):
        problem(roster.get(ours.id, who), 404)
    for who in ("inspector", "admin", "national"):
        problem(roster.client.get(f"{API}/staff", headers=roster.h(who)), 403)
        problem(roster.get(ours.id, who), 403)
    problem(roster.get(uuid.uuid4(), "supervisor"), 404)


def test_only_the_post_office_writes_and_only_the_police_of_the_province_record_a_vetting(
        roster):
    member = factories.StaffMemberFactory(site=roster.site)
    for who in ("police", "supervisor", "inspector", "admin", "national"):
        problem(roster.add(who), 403)
    for who, status in (("viettel", 404), ("hp_clerk", 404), ("police", 403),
                        ("supervisor", 403), ("inspector", 403), ("admin", 403)):
        problem(roster.patch(member.id, {"position": "Bưu tá"}, who=who, etag='"1"'), status)
        problem(roster.ask(member.id, who=who, etag='"1"'), status)
    assert roster.ask(member.id).status_code == 200
    for who, status in (("clerk", 403), ("supervisor", 403), ("hp_police", 404),
                        ("inspector", 403), ("viettel", 403)):
        problem(roster.vet(member.id, roster.outcome(), who=who, etag='"2"'), status)
    stored = roster.stored(member.id)
    assert (stored.position, stored.vetting_status, stored.version) == (
        "Nhân viên khai thác bưu gửi KT1", "requested", 2)
    homeless = factories.UserFactory(role="post", agency="post", organization=None)
    roster.users["homeless"] = homeless
    problem(roster.add("homeless"), 403)
    assert roster.listed_ids("homeless") == []


# --- Bad input -------------------------------------------------------------------------------

def test_bad_input_answers_400_or_422_problems_by_field(roster):
    before = roster.session.scalar(select(func.count()).select_from(StaffMember))
    got = problem(roster.client.post(f"{API}/staff", data='{"site_id": ',
                                     content_type="application/json", headers=roster.h("clerk")),
                  400)
    assert got["type"].endswith("malformed-json")
    got = problem(roster.add(site_id="x", full_name=5, position=[], joined_on="hôm qua",
                             secrecy_commitment="có lẽ", trained_on=20250101), 422)
    assert set(got["errors"]) >= {"site_id", "full_name", "position", "joined_on",
                                  "secrecy_commitment", "trained_on"}
    got = problem(roster.add(vetting_status="vetted"), 422)
    assert set(got["errors"]) == {"vetting_status"}  # nobody certifies their own vetting
    got = problem(roster.client.post(f"{API}/staff", json={}, headers=roster.h("clerk")), 422)
    assert set(got["errors"]) == {"site_id", "full_name", "position", "joined_on"}
    today = roster.today
    for overrides, field in (
            ({"site_id": str(roster.viettel_site.id)}, "site_id"),
            ({"site_id": str(roster.agency.id)}, "site_id"),
            ({"site_id": str(roster.hai_phong_site.id)}, "site_id"),
            ({"site_id": str(uuid.uuid4())}, "site_id"),
            ({"trained_on": (today + timedelta(days=1)).isoformat()}, "trained_on"),
            ({"joined_on": (today + timedelta(days=400)).isoformat()}, "joined_on"),
            ({"joined_on": "1900-01-01"}, "joined_on"),
            ({"left_on": (today + timedelta(days=1)).isoformat()}, "left_on"),
            ({"left_on": "2025-05-31"}, "left_on"),
            ({"full_name": "   "}, "full_name"),
            ({"full_name": "Hoa\x07"}, "full_name"),
            ({"position": "x" * 201}, "position")):
        got = problem(roster.add(**overrides), 422)
        assert field in got["errors"], (overrides, got)
    assert problem(roster.add(site_id=str(roster.agency.id)), 422)["errors"] == {
        "site_id": ["not a kt1_provider site"]}
    assert roster.session.scalar(select(func.count()).select_from(StaffMember)) == before
    member_id = roster.added()
    for body, field in (({"full_name": None}, "full_name"), ({"joined_on": None}, "joined_on"),
                        ({"secrecy_commitment": None}, "secrecy_commitment"),
                        ({"site_id": str(roster.viettel_site.id)}, "site_id"),
                        ({"left_on": "2020-01-01"}, "left_on"),
                        ({"organization": VIETTEL}, "organization")):
        got = problem(roster.patch(member_id, body), 422)
        assert field in got["errors"], (body, got)
    problem(roster.client.patch(f"{API}/staff/{member_id}", data="{", headers={
        **roster.h("clerk"), "If-Match": '"1"', "Content-Type": "application/json"}), 400)
    assert roster.version(member_id) == 1
    for query in ("?vetting_status=bogus", "?include_left=maybe", "?site_id=x", "?page_size=501"):
        problem(roster.client.get(f"{API}/staff{query}", headers=roster.h("police")), 422)
    problem(roster.client.get(f"{API}/staff/not-a-uuid", headers=roster.h("police")), 404)


def test_the_list_filters_by_site_organization_status_and_departure_and_pages(roster):
    make = factories.StaffMemberFactory
    a = make(site=roster.site, full_name="An Văn A", vetting_status="vetted")
    b = make(site=roster.branch, full_name="Bùi Thị B", vetting_status="requested")
    c = make(site=roster.site, full_name="Cao Văn C", left_on=roster.today)
    d = make(site=roster.viettel_site, full_name="Đỗ Thị D")

    def ids(query, who="supervisor"):  # type: ignore[no-untyped-def]
        return roster.listed_ids(who, query)

    assert ids("") == [str(a.id), str(b.id), str(d.id)]  # organisation, then name
    assert ids(f"?site_id={roster.site.id}") == [str(a.id)]
    assert ids(f"?site_id={roster.site.id}&include_left=true") == [str(a.id), str(c.id)]
    assert ids(f"?organization={VIETTEL}") == [str(d.id)]
    assert ids("?vetting_status=requested") == [str(b.id)]
    assert ids(f"?organization={VIETTEL}", who="clerk") == []
    page = roster.listed("supervisor", "?page_size=2&page=2")
    assert [m["id"] for m in page.get_json()] == [str(d.id)]
    assert json.loads(page.headers["X-Pagination"])["total"] == 3


# --- The read audit --------------------------------------------------------------------------

def test_every_read_of_a_worker_is_audited_by_reader_and_id_and_the_chain_still_verifies(
        roster):
    make = factories.StaffMemberFactory
    ours = [make(site=roster.site, full_name=f"Hồ Thị Lan {n}") for n in (1, 2)]
    make(site=roster.viettel_site, full_name="Võ Văn Tám")
    for who in ("police", "supervisor", "clerk", "inspector", "viettel"):
        roster.h(who)  # logging in writes audited rows (the device) of its own
    start = roster.entry_count()

    listed = roster.listed_ids("police")
    reads = roster.entries(action="read")
    assert len(reads) == 3 and roster.entry_count() == start + 3
    assert sorted(e.entity_id for e in reads) == sorted(listed)
    assert {(e.entity, e.actor_id, e.province_code) for e in reads} == {
        ("staff_members", roster.users["police"].id, "92")}
    assert {json.dumps(e.after, sort_keys=True) for e in reads} == {
        json.dumps({"via": "list", "filters": {"include_left": False}}, sort_keys=True)}

    assert roster.get(ours[0].id, "supervisor").status_code == 200
    [read] = roster.entries(action="read", actor_id=roster.users["supervisor"].id)
    assert (read.entity_id, read.after, read.before) == (str(ours[0].id), {"via": "record"},
                                                         None)
    roster.listed_ids("clerk", f"?site_id={roster.site.id}")
    mine = roster.entries(action="read", actor_id=roster.users["clerk"].id)
    assert sorted(e.entity_id for e in mine) == sorted(str(m.id) for m in ours)
    assert mine[0].after["filters"] == {"site_id": str(roster.site.id), "include_left": False}
    for entry in roster.entries(action="read"):
        text = json.dumps([entry.before, entry.after], ensure_ascii=False)
        assert "Hồ Thị Lan" not in text and "Võ Văn Tám" not in text

    count = roster.entry_count()
    problem(roster.get(ours[0].id, "inspector"), 403)
    problem(roster.get(ours[0].id, "viettel"), 404)
    assert roster.listed_ids("police", "?vetting_status=vetted") == []
    assert roster.entry_count() == count  # nothing was read

    verified = roster.client.get(f"{API}/audit/verify", headers=roster.h("supervisor"))
    assert verified.status_code == 200
    assert verified.get_json() == {**verified.get_json(), "ok": True, "entries": count,
                                   "problems": []}
    history = roster.client.get(f"{API}/audit?entity=staff_members&id={ours[0].id}",
                                headers=roster.h("supervisor")).get_json()
    assert [(e["action"], e["actor_id"]) for e in history] == [
        ("create", None), ("read", str(roster.users["police"].id)),
        ("read", str(roster.users["supervisor"].id)), ("read", str(roster.users["clerk"].id))]


def test_the_audit_log_shows_the_roster_only_to_those_who_may_read_it(roster):
    secret = "Lê Thị Bảo Mật"
    member_id = roster.added(full_name=secret)
    assert roster.get(member_id, "supervisor").status_code == 200
    assert roster.patch(member_id, {"position": "Kiểm soát viên"}).status_code == 200
    query = f"?entity=staff_members&id={member_id}"
    seen = roster.client.get(f"{API}/audit{query}", headers=roster.h("supervisor")).get_json()
    assert [e["action"] for e in seen] == ["create", "read", "update"]
    assert seen[0]["after"]["full_name"] == secret
    for who in ("admin", "national"):
        resp = roster.client.get(f"{API}/audit{query}", headers=roster.h(who))
        assert resp.status_code == 200 and resp.get_json() == []
        newest = roster.client.get(f"{API}/audit?page_size=500", headers=roster.h(who))
        total = json.loads(newest.headers["X-Pagination"])["total"]
        last_page = -(-total // 500)
        tail = roster.client.get(f"{API}/audit?page_size=500&page={last_page}",
                                 headers=roster.h(who))
        assert tail.status_code == 200 and tail.get_json()
        assert "staff_members" not in tail.get_data(as_text=True)
        assert secret not in tail.get_data(as_text=True)
        assert roster.client.get(f"{API}/audit/verify",
                                 headers=roster.h(who)).get_json()["ok"] is True
    assert roster.client.get(f"{API}/audit{query}",
                             headers=roster.h("hp_supervisor")).get_json() == []
    problem(roster.client.get(f"{API}/audit", headers=roster.h("police")), 403)


def test_a_worker_selected_ahead_of_the_start_may_be_vetted_before_joining(roster):
    start = roster.today + timedelta(days=45)
    member_id = roster.added(joined_on=start.isoformat())
    assert roster.ask(member_id).status_code == 200
    assert roster.vet(member_id, roster.outcome()).status_code == 200
    assert roster.stored(member_id).vetting_status == "vetted"
    assert date.fromisoformat(roster.get(member_id, "police").get_json()["joined_on"]) == start


# --- A worker's history ----------------------------------------------------------------------

def test_a_workers_history_shows_each_step_with_who_did_it_oldest_first(roster):
    member_id = roster.added()
    assert roster.ask(member_id).status_code == 200
    assert roster.vet(member_id, roster.outcome()).status_code == 200
    resp = roster.client.get(f"{API}/staff/{member_id}/history", headers=roster.h("police"))
    assert resp.status_code == 200, resp.get_json()
    steps = resp.get_json()
    assert [s["action"] for s in steps] == ["create", "update", "update"]
    assert steps[1]["after"]["vetting_status"] == "requested"
    assert steps[1]["actor_name"] == roster.users["clerk"].full_name
    assert steps[2]["after"]["vetting_status"] == "vetted"
    assert steps[2]["after"]["vetting_reference"] == "123/ANCTNB-PC"
    assert (steps[2]["actor_name"], steps[2]["actor_agency"]) == (
        roster.users["police"].full_name, "police")
    assert json.loads(resp.headers["X-Pagination"])["total"] == 3
    clerk = roster.client.get(f"{API}/staff/{member_id}/history", headers=roster.h("clerk"))
    assert [s["id"] for s in clerk.get_json()] == [s["id"] for s in steps]
    reads = roster.entries(entity="staff_members", entity_id=member_id, action="read")
    assert [e.after for e in reads] == [{"via": "history"}, {"via": "history"}]


def test_a_workers_history_is_not_found_out_of_scope_and_forbidden_to_other_roles(roster):
    member_id = roster.added()
    for who in ("viettel", "hp_police", "hp_clerk"):
        problem(roster.client.get(f"{API}/staff/{member_id}/history", headers=roster.h(who)),
                404)
    for who in ("inspector", "admin"):
        problem(roster.client.get(f"{API}/staff/{member_id}/history", headers=roster.h(who)),
                403)
    problem(roster.client.get(f"{API}/staff/{uuid.uuid4()}/history", headers=roster.h("police")),
            404)
