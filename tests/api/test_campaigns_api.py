"""/campaigns and /assignments through HTTP: roles, scope, joint teams and validation problems."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from inspection.models import Assignment, Campaign
from tests import factories

URL = "/api/v1/campaigns"
PROBLEM = "application/problem+json"


def _supervisor(api, province: str = "92"):  # type: ignore[no-untyped-def]
    return api.login(factories.UserFactory(role="supervisor", province_code=province))


def _campaign_body(**overrides):  # type: ignore[no-untyped-def]
    return {"name": "Kiểm tra bưu cục KT1 quý II/2026", "starts_on": "2026-04-01",
            "ends_on": "2026-06-30", "checklist_id": str(factories.ChecklistFactory().id),
            **overrides}


def _team(*agencies: str, province: str = "92") -> list:  # type: ignore[type-arg]
    roles = {"skhcn": "inspector", "police": "police"}
    return [factories.UserFactory(agency=a, role=roles[a], province_code=province)
            for a in agencies]


def _assign(client, headers, campaign, site, team, due_on="2026-04-15"):  # type: ignore[no-untyped-def]
    return client.post(f"{URL}/{campaign.id}/assignments", headers=headers, json={
        "site_id": str(site.id), "team": [str(u.id) for u in team], "due_on": due_on})


def _assignments(session) -> list[Assignment]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(Assignment)))


def test_a_supervisor_opens_a_campaign_and_reads_it_back(api, client, session):
    headers = _supervisor(api)
    body = _campaign_body()
    resp = client.post(URL, json=body, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert created == {**body, "id": created["id"], "province_code": "92", "version": 1}
    assert resp.headers["ETag"] == '"1"'
    got = client.get(f"{URL}/{created['id']}", headers=headers)
    assert got.status_code == 200 and got.get_json() == created
    listed = client.get(URL, headers=api.login(factories.UserFactory(role="police",
                                                                      agency="police")))
    assert [c["id"] for c in listed.get_json()] == [created["id"]]
    session.expire_all()
    stored = session.get(Campaign, uuid.UUID(created["id"]))
    assert (stored.name, str(stored.starts_on), stored.version) == (body["name"], "2026-04-01", 1)


def test_an_inspector_cannot_open_a_campaign(api, client, session):
    resp = client.post(URL, json=_campaign_body(),
                       headers=api.login(factories.UserFactory(role="inspector")))
    assert resp.status_code == 403 and resp.mimetype == PROBLEM
    assert session.scalars(select(Campaign)).all() == []


def test_a_post_user_sees_no_campaigns_or_assignments(api, client, session):
    campaign = factories.CampaignFactory()
    headers = api.login(factories.UserFactory(role="post", agency="post"))
    for path in (URL, f"{URL}/{campaign.id}", f"{URL}/{campaign.id}/assignments",
                 "/api/v1/assignments"):
        resp = client.get(path, headers=headers)
        assert resp.status_code == 403 and resp.mimetype == PROBLEM, path


def test_a_draft_checklist_is_refused_with_422(api, client, session):
    draft = factories.ChecklistFactory(status="draft", published_at=None)
    resp = client.post(URL, json=_campaign_body(checklist_id=str(draft.id)),
                       headers=_supervisor(api))
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    assert "checklist_id" in resp.get_json()["errors"]
    assert session.scalars(select(Campaign)).all() == []


def test_a_campaign_ending_before_it_starts_is_refused_with_422(api, client, session):
    resp = client.post(URL, json=_campaign_body(starts_on="2026-07-01", ends_on="2026-06-01"),
                       headers=_supervisor(api))
    assert resp.status_code == 422 and "ends_on" in resp.get_json()["errors"]


def test_a_supervisor_cannot_open_a_campaign_for_another_province(api, client, session):
    resp = client.post(URL, json=_campaign_body(province_code="31"), headers=_supervisor(api))
    assert resp.status_code == 403 and resp.mimetype == PROBLEM


def test_another_provinces_campaign_answers_404_everywhere(api, client, session):
    campaign = factories.CampaignFactory(province_code="31")
    headers = _supervisor(api, "92")
    site = factories.SiteFactory()
    for resp in (client.get(f"{URL}/{campaign.id}", headers=headers),
                 client.get(f"{URL}/{campaign.id}/assignments", headers=headers),
                 _assign(client, headers, campaign, site, _team("skhcn", "police")),
                 client.get(f"{URL}/not-a-uuid", headers=headers)):
        assert resp.status_code == 404 and resp.mimetype == PROBLEM
    assert _assignments(session) == []
    hai_phong = _supervisor(api, "31")
    assert client.get(f"{URL}/{campaign.id}", headers=hai_phong).status_code == 200


def test_a_provider_is_assigned_to_a_team_of_skhcn_and_police(api, client, session):
    campaign = factories.CampaignFactory()
    site = factories.SiteFactory(kind="kt1_provider")
    team = _team("skhcn", "police")
    headers = _supervisor(api)
    resp = _assign(client, headers, campaign, site, team)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert {k: v for k, v in body.items() if k not in ("id", "team", "team_members")} == {
        "campaign_id": str(campaign.id), "site_id": str(site.id), "due_on": "2026-04-15",
        "status": "open", "version": 1}
    assert sorted(body["team"]) == sorted(str(u.id) for u in team)
    assert {(m["agency"], m["role"]) for m in body["team_members"]} == {
        ("skhcn", "inspector"), ("police", "police")}
    assert resp.headers["ETag"] == '"1"'
    stored = _assignments(session)
    assert [a.id for a in stored] == [uuid.UUID(body["id"])]
    assert {u.id for u in stored[0].team} == {u.id for u in team}
    listed = client.get(f"{URL}/{campaign.id}/assignments", headers=headers)
    assert [a["id"] for a in listed.get_json()] == [body["id"]]


def test_a_provider_team_without_police_is_refused_naming_the_agency(api, client, session):
    campaign = factories.CampaignFactory()
    resp = _assign(client, _supervisor(api), campaign, factories.SiteFactory(), _team("skhcn"))
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    problem = resp.get_json()
    assert problem["errors"] == {"team": ["missing agency: police"]}
    assert "Công an" in problem["detail"]
    assert _assignments(session) == []


def test_a_user_agency_site_needs_no_police_member(api, client, session):
    campaign = factories.CampaignFactory(
        checklist_id=factories.ChecklistFactory(target_kind="kt1_user").id)
    site = factories.SiteFactory(kind="kt1_user", name="Văn phòng Thành ủy Cần Thơ")
    resp = _assign(client, _supervisor(api), campaign, site, _team("skhcn"))
    assert resp.status_code == 201, resp.get_json()
    assert len(_assignments(session)) == 1


def test_a_member_of_another_province_or_a_post_user_is_refused(api, client, session):
    campaign = factories.CampaignFactory()
    headers = _supervisor(api)
    outsider = factories.UserFactory(role="police", agency="police", province_code="31")
    post_user = factories.UserFactory(role="post", agency="post")
    for intruder in (outsider, post_user):
        resp = _assign(client, headers, campaign, factories.SiteFactory(),
                       [*_team("skhcn", "police"), intruder])
        assert resp.status_code == 422 and resp.mimetype == PROBLEM
        assert resp.get_json()["errors"] == {"team": [str(intruder.id)]}
    assert _assignments(session) == []


def test_a_site_whose_kind_differs_from_the_checklist_is_refused(api, client, session):
    campaign = factories.CampaignFactory()  # a kt1_provider checklist
    resp = _assign(client, _supervisor(api), campaign, factories.SiteFactory(kind="kt1_user"),
                   _team("skhcn", "police"))
    assert resp.status_code == 422 and "site_id" in resp.get_json()["errors"]


def test_a_site_of_another_province_or_a_due_date_outside_the_period_is_refused(
        api, client, session):
    campaign = factories.CampaignFactory()  # 2026-03-01 .. 2026-06-30
    headers = _supervisor(api)
    resp = _assign(client, headers, campaign, factories.SiteFactory(province_code="31"),
                   _team("skhcn", "police"))
    assert resp.status_code == 422 and "site_id" in resp.get_json()["errors"]
    resp = _assign(client, headers, campaign, factories.SiteFactory(),
                   _team("skhcn", "police"), due_on="2026-07-01")
    assert resp.status_code == 422 and "due_on" in resp.get_json()["errors"]
    assert _assignments(session) == []


def test_an_inspector_cannot_assign(api, client, session):
    campaign = factories.CampaignFactory()
    resp = _assign(client, api.login(factories.UserFactory()), campaign,
                   factories.SiteFactory(), _team("skhcn", "police"))
    assert resp.status_code == 403 and resp.mimetype == PROBLEM


def test_field_staff_list_their_own_assignments_and_supervisors_the_provinces(
        api, client, session):
    alice, bob = _team("skhcn", "police")
    mine = factories.AssignmentFactory(team=[alice, bob])
    other = factories.AssignmentFactory(team=[bob])
    factories.AssignmentFactory(campaign=factories.CampaignFactory(province_code="31"),
                                site_id=factories.SiteFactory(province_code="31").id)

    def ids(headers, query: str = "") -> set[str]:  # type: ignore[no-untyped-def]
        resp = client.get(f"/api/v1/assignments{query}", headers=headers)
        assert resp.status_code == 200, resp.get_json()
        return {a["id"] for a in resp.get_json()}

    assert ids(api.login(alice), "?mine=true") == {str(mine.id)}
    assert ids(api.login(alice)) == {str(mine.id)}
    assert ids(api.login(bob)) == {str(mine.id), str(other.id)}
    supervisor = _supervisor(api)
    assert ids(supervisor) == {str(mine.id), str(other.id)}
    assert ids(supervisor, "?mine=true") == set()
    got = client.get(f"/api/v1/assignments/{mine.id}", headers=api.login(alice))
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    assert sorted(got.get_json()["team"]) == sorted([str(alice.id), str(bob.id)])


def test_malformed_json_answers_400_problem(api, client, session):
    campaign = factories.CampaignFactory()
    headers = _supervisor(api)
    for path in (URL, f"{URL}/{campaign.id}/assignments"):
        resp = client.post(path, data="{not json", content_type="application/json",
                           headers=headers)
        assert resp.status_code == 400 and resp.mimetype == PROBLEM


def test_wrong_types_and_unknown_fields_answer_422_by_field(api, client, session):
    headers = _supervisor(api)
    resp = client.post(URL, headers=headers, json={
        "name": ["x"], "starts_on": "1/4/2026", "ends_on": 20260630,
        "checklist_id": "abc", "budget": 1})
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    assert {"name", "starts_on", "ends_on", "checklist_id", "budget"} <= set(
        resp.get_json()["errors"])
    campaign = factories.CampaignFactory()
    resp = client.post(f"{URL}/{campaign.id}/assignments", headers=headers, json={
        "site_id": 5, "team": "everyone", "due_on": "2026-02-30"})
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    assert {"site_id", "team", "due_on"} <= set(resp.get_json()["errors"])
    resp = client.post(f"{URL}/{campaign.id}/assignments", headers=headers, json={
        "site_id": str(factories.SiteFactory().id), "team": [], "due_on": "2026-04-15"})
    assert resp.status_code == 422 and "team" in resp.get_json()["errors"]
    resp = client.get("/api/v1/assignments?status=lost", headers=headers)
    assert resp.status_code == 422 and "status" in resp.get_json()["errors"]
    assert _assignments(session) == []
