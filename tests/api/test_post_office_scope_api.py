"""What a post office's staff (`post`) read: only what concerns them after review.

The approved inspections of their organisation's sites (with their answers), the confirmed
findings (and those followed up since), the photo evidence of those findings and the photos
they sent themselves; nothing of a draft, submitted or returned inspection, no open or
dismissed finding, in listings, single reads, photos and sync pull alike.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime

import pytest

from inspection.inspections import findings, services
from inspection.models import Finding, Inspection, Photo
from media.blobstore import store_from_url
from tests import factories

STARTED = datetime(2026, 5, 5, 1, 30, tzinfo=UTC)
ORGANIZATION = "Bưu điện thành phố Cần Thơ"
VALUES = {"A1": "no", "A2": "yes", "C1": 6, "C2": 4, "C5": "2026-01-15", "H1": "thiếu"}


class World:
    """One post office's site with a draft, a submitted and an approved inspection; the
    approved one's findings: A1 confirmed, C2 dismissed, H1 still open; photos on each."""

    def __init__(self, api, session, store) -> None:  # type: ignore[no-untyped-def]
        self.session, self.store = session, store
        self.inspector, self.police = factories.joint_team()
        self.supervisor = factories.UserFactory(role="supervisor")
        self.checklist = factories.inspection_checklist()
        self.site = factories.SiteFactory(organization=ORGANIZATION)
        self.clerk = factories.UserFactory(role="post", agency="post", organization=ORGANIZATION)
        self.draft = self.inspection(status="draft")
        self.submitted = self.inspection(status="submitted")
        self.approved = self.inspection(status="approved")
        by_code = {f.item_code: f for f in session.query(Finding).filter(
            Finding.inspection_id == self.approved.id)}
        self.confirmed = self.move(by_code["A1"], "confirmed")
        self.dismissed = self.move(by_code["C2"], "dismissed", comment="Đã có giải trình.")
        self.open = by_code["H1"]
        self.photos = {
            "draft": self.photo(self.draft, "A1"),
            "submitted": self.photo(self.submitted, "A1"),
            "confirmed": self.photo(self.approved, "A1"),
            "dismissed": self.photo(self.approved, "C2"),
            "open": self.photo(self.approved, "H1"),
            "general": self.photo(self.approved, None),
            "remediation": self.photo(self.approved, "A1", by=self.clerk),
        }
        session.commit()  # the world as written: its entries and feed rows chained
        self.h = {name: api.login(getattr(self, name)) for name in ("clerk", "supervisor")}

    def inspection(self, *, status: str) -> Inspection:
        inspection, _ = services.create_inspection(
            self.session, self.inspector, inspection_id=uuid.uuid4(), site_id=self.site.id,
            checklist_id=self.checklist.id, started_at=STARTED,
            team=[self.inspector.id, self.police.id])
        for code, value in VALUES.items():
            services.put_answer(self.session, self.inspector, inspection_id=inspection.id,
                                item_code=code, value=value, answered_at=STARTED,
                                create_only=True)
        if status in ("submitted", "approved"):
            services.submit(self.session, self.inspector, inspection_id=inspection.id,
                            if_match=inspection.version)
        if status == "approved":
            services.review(self.session, self.supervisor, inspection_id=inspection.id,
                            decision="approve", comment=None, if_match=inspection.version)
        return inspection

    def move(self, finding: Finding, status: str, comment: str | None = None) -> Finding:
        return findings.transition(self.session, self.supervisor, finding_id=finding.id,
                                   status=status, comment=comment, due_on=date(2026, 12, 31),
                                   if_match=finding.version)

    def photo(self, inspection: Inspection, item_code: str | None, by=None) -> Photo:  # type: ignore[no-untyped-def]
        data = f"ảnh {uuid.uuid4()}".encode()
        sha256, size = self.store.put(io.BytesIO(data))
        photo = Photo(id=uuid.uuid4(), inspection_id=inspection.id, item_code=item_code,
                      sha256=sha256, size=size, status="ready", content_type="image/jpeg",
                      uploaded_by=(by or self.inspector).id, flags=[], version=1)
        self.session.add(photo)
        self.session.flush()
        return photo


@pytest.fixture
def world(api, app, session):  # type: ignore[no-untyped-def]
    store = store_from_url(app.extensions["kt1"].settings.media_url)
    return World(api, session, store)


def ids(resp) -> set[str]:  # type: ignore[no-untyped-def]
    assert resp.status_code == 200, resp.get_json()
    return {row["id"] for row in resp.get_json()}


def test_a_post_user_lists_only_the_approved_inspections_of_its_organisation(client, world):
    assert ids(client.get("/api/v1/inspections", headers=world.h["clerk"])) == {
        str(world.approved.id)}
    assert ids(client.get("/api/v1/inspections", headers=world.h["supervisor"])) == {
        str(i.id) for i in (world.draft, world.submitted, world.approved)}


def test_a_post_user_reads_an_approved_inspection_and_nothing_before_review(client, world):
    for hidden in (world.draft, world.submitted):
        resp = client.get(f"/api/v1/inspections/{hidden.id}", headers=world.h["clerk"])
        assert resp.status_code == 404, hidden.status
        resp = client.get(f"/api/v1/inspections/{hidden.id}/photos", headers=world.h["clerk"])
        assert resp.status_code == 404, hidden.status
    resp = client.get(f"/api/v1/inspections/{world.approved.id}", headers=world.h["clerk"])
    assert resp.status_code == 200
    assert {a["item_code"] for a in resp.get_json()["answers"]} == set(VALUES)


def test_a_post_user_sees_confirmed_findings_only(client, world):
    listed = ids(client.get("/api/v1/findings", headers=world.h["clerk"]))
    assert listed == {str(world.confirmed.id)}
    for hidden in (world.dismissed, world.open):
        resp = client.get(f"/api/v1/findings/{hidden.id}", headers=world.h["clerk"])
        assert resp.status_code == 404, hidden.status
    submitted = world.session.query(Finding).filter(
        Finding.inspection_id == world.submitted.id).first()
    assert client.get(f"/api/v1/findings/{submitted.id}",
                      headers=world.h["clerk"]).status_code == 404
    assert client.get(f"/api/v1/findings/{world.confirmed.id}",
                      headers=world.h["clerk"]).status_code == 200
    assert len(ids(client.get("/api/v1/findings", headers=world.h["supervisor"]))) > 3


def test_a_post_user_sees_the_photos_of_confirmed_findings_and_its_own(client, world):
    listed = ids(client.get(f"/api/v1/inspections/{world.approved.id}/photos",
                            headers=world.h["clerk"]))
    assert listed == {str(world.photos[k].id) for k in ("confirmed", "remediation")}
    for name, photo in world.photos.items():
        record = client.get(f"/api/v1/photos/{photo.id}", headers=world.h["clerk"])
        original = client.get(f"/api/v1/photos/{photo.id}/original", headers=world.h["clerk"])
        expected = 200 if name in ("confirmed", "remediation") else 404
        assert (record.status_code, original.status_code) == (expected, expected), name
    supervisor = ids(client.get(f"/api/v1/inspections/{world.approved.id}/photos",
                                headers=world.h["supervisor"]))
    assert len(supervisor) == 5


def test_a_post_users_pull_holds_only_what_it_may_read(client, world):
    resp = client.get("/api/v1/sync/pull", query_string={"limit": 500},
                      headers=world.h["clerk"])
    assert resp.status_code == 200, resp.get_json()
    got = {(c["entity"], c["id"]) for c in resp.get_json()["changes"]}
    answers = {("answer", str(a.id)) for a in world.approved.answers}
    assert got == {("site", str(world.site.id)), ("inspection", str(world.approved.id)),
                   ("finding", str(world.confirmed.id)), *answers,
                   *(("photo", str(world.photos[k].id)) for k in ("confirmed", "remediation"))}
