"""/inspections/{id}/record and /records over HTTP: a submitted inspection with answers of every
type and a signature drawn on the tablet becomes a numbered record whose PDF and DOCX state
the team, the site and every answer, once however often it is asked for, for whom it may."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

import workers.jobs
from inspection.db import utcnow
from inspection.models import (
    ChecklistItem,
    ChecklistSection,
    Inspection,
    InspectionRecord,
    NoticeCounter,
)
from inspection.records import lineage as record_lineage
from media.blobstore import FileBlobStore
from tests import factories
from tests.api.tus import Tus
from tests.workers.test_documents import (
    NATIONAL_TITLE,
    docx_text,
    images_in_docx,
    pdf_text,
    signature_png,
)

API = "/api/v1"
LON, LAT = factories.CAN_THO
ANSWERS = {"A1": ("no", "Không"), "A2": ("yes", "Có"), "C1": (6, "6"), "C2": (4, "4"),
           "C5": ("2026-01-15", "15/01/2026"), "H1": ("thiếu", "thiếu"),
           "K1": ("Đơn vị cam kết khắc phục", "Đơn vị cam kết khắc phục")}
SIGNATURE_ITEM = "K9"


class World:
    """A joint inspection at Cần Thơ answered on every item type, with the leader's signature
    uploaded (tus) and processed, then submitted."""

    def __init__(self, api, client, session, *, submit=True) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.inspector, self.police = factories.joint_team()
        self.inspector.full_name, self.police.full_name = "Nguyễn Thị Hồng Nhung", "Lê Hoàng Nam"
        self.supervisor = factories.UserFactory(role="supervisor")
        self.colleague = factories.UserFactory(role="inspector")
        self.site = factories.SiteFactory()
        checklist = factories.inspection_checklist()
        section_k = session.scalar(select(ChecklistSection).where(
            ChecklistSection.checklist_id == checklist.id, ChecklistSection.code == "K"))
        session.add(ChecklistItem(
            checklist_id=checklist.id, section_id=section_k.id, position=9, code=SIGNATURE_ITEM,
            text="Chữ ký của Trưởng đoàn kiểm tra", answer_type="signature", required=False,
            legal_basis="", legal_refs=[]))
        session.flush()
        session.expire(checklist, ["sections"])
        self.h = {name: api.login(getattr(self, name))
                  for name in ("inspector", "police", "supervisor", "colleague")}
        self.inspection_id = str(uuid.uuid4())
        self._ok(client.post(f"{API}/inspections", headers=self.h["inspector"], json={
            "id": self.inspection_id, "site_id": str(self.site.id),
            "checklist_id": str(checklist.id), "started_at": "2026-05-05T08:30:00+07:00",
            "location": {"lon": LON, "lat": LAT, "accuracy_m": 10},
            "team": [str(self.inspector.id), str(self.police.id)]}))
        self.signature = signature_png(3)
        self.signature_id = str(uuid.uuid4())
        values = {code: value for code, (value, _) in ANSWERS.items()}
        for code, value in {**values, SIGNATURE_ITEM: self.signature_id}.items():
            body = {"value": value, "answered_at": "2026-05-05T09:00:00+07:00"}
            if code == "A1":
                body["note"] = "Thiếu dấu giờ trên 3 bưu gửi"
            self._ok(client.put(f"{API}/inspections/{self.inspection_id}/answers/{code}",
                                json=body, headers={**self.h["inspector"], "If-None-Match": "*"}))
        tus = Tus(client, self.h["inspector"])
        created = tus.create(self.signature, inspection_id=self.inspection_id,
                             item_code=SIGNATURE_ITEM, filename="chu-ky.png",
                             filetype="image/png", photo_id=self.signature_id)
        assert created.status_code == 201, created.get_json()
        assert tus.send(created.headers["Location"], self.signature).status_code == 204
        photo = client.get(f"{API}/photos/{self.signature_id}", headers=self.h["inspector"])
        assert photo.get_json()["status"] == "ready", photo.get_json()
        if submit:
            self._ok(client.post(f"{API}/inspections/{self.inspection_id}/submit",
                                 headers={**self.h["inspector"], "If-Match": '"1"'}))

    @staticmethod
    def _ok(resp):  # type: ignore[no-untyped-def]
        assert resp.status_code in (200, 201), resp.get_json()
        return resp

    def post(self, who="inspector", headers=None):  # type: ignore[no-untyped-def]
        return self.client.post(f"{API}/inspections/{self.inspection_id}/record",
                                headers=headers or self.h[who])

    def get(self, record_id, who="inspector"):  # type: ignore[no-untyped-def]
        return self.client.get(f"{API}/records/{record_id}", headers=self.h[who])


@pytest.fixture
def world(api, client, session):  # type: ignore[no-untyped-def]
    return World(api, client, session)


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


def test_a_submitted_inspection_gets_a_numbered_record_stating_team_site_and_every_answer(
        client, world):
    resp = world.post()
    assert resp.status_code == 202, resp.get_json()
    asked = resp.get_json()
    got = world.get(asked["record_id"])
    assert got.status_code == 200 and got.headers["ETag"] == f'"{got.get_json()["version"]}"'
    record = got.get_json()
    assert (record["status"], record["number"]) == ("issued", "01/BB-SKHCN")
    assert record["drawn_on"] >= "2026-05-05"  # the day it was submitted
    job = client.get(f"{API}/jobs/{asked['job_id']}", headers=world.h["inspector"]).get_json()
    assert (job["status"], job["result"]["number"]) == ("finished", "01/BB-SKHCN")
    for kind, extract in (("pdf", pdf_text), ("docx", docx_text)):
        document = client.get(record["files"][kind], headers=world.h["inspector"])
        assert document.status_code == 200, document.get_json()
        if kind == "docx":
            assert world.signature in images_in_docx(document.data)
        text = extract(document.data)
        for expected in (NATIONAL_TITLE, "BIÊN BẢN", "Số: 01/BB-SKHCN", world.site.name,
                         "Nguyễn Thị Hồng Nhung", "Lê Hoàng Nam", "Trưởng đoàn",
                         "Sở Khoa học và Công nghệ", "Công an", "Thiếu dấu giờ trên 3 bưu gửi"):
            assert expected in text, (kind, expected)
        for _, shown in ANSWERS.values():
            assert shown in text, (kind, shown)


def test_asking_again_answers_the_same_record_and_a_rerun_job_changes_nothing(
        session, world):
    first = world.post().get_json()
    before = world.get(first["record_id"]).get_json()
    again = world.post(who="supervisor")
    assert again.status_code == 200 and again.get_json() == first
    workers.jobs.render_record_job(first["job_id"], first["record_id"])
    after = world.get(first["record_id"]).get_json()
    assert (after["number"], after["pdf_sha256"], after["docx_sha256"]) == (
        before["number"], before["pdf_sha256"], before["docx_sha256"])
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(InspectionRecord)) == 1
    assert session.scalar(select(NoticeCounter.last_number)
                          .where(NoticeCounter.issuer == "BB-SKHCN")) == 1


def test_only_the_team_and_the_provinces_overseers_may_ask_and_others_see_nothing(
        api, client, world):
    problem(world.post(who="colleague"), 403)
    hai_phong = factories.UserFactory(role="supervisor", province_code="31")
    problem(world.post(headers=api.login(hai_phong)), 404)
    asked = world.post(who="police")
    assert asked.status_code == 202, asked.get_json()
    record_id = asked.get_json()["record_id"]
    assert world.get(record_id, who="supervisor").status_code == 200
    problem(client.get(f"{API}/records/{record_id}", headers=api.login(hai_phong)), 404)
    problem(client.get(f"{API}/records/{record_id}/document.pdf",
                       headers=api.login(hai_phong)), 404)
    problem(client.get(f"{API}/records/{uuid.uuid4()}", headers=world.h["supervisor"]), 404)


def test_a_draft_inspection_has_no_record_yet(api, client, session):
    draft = World(api, client, session, submit=False)
    got = problem(draft.post(), 409)
    assert "đã nộp" in got["detail"]


def test_the_largest_text_note_and_number_the_api_accepts_still_make_a_record(
        api, client, session):
    """A 10,000-character note and text answer (the schemas' maximum) failed the record job
    with ReportLab's LayoutError: a table row taller than a page."""
    world = World(api, client, session, submit=False)
    note = " ".join(["Đơn vị giải trình rất chi tiết"] * 400)[:10_000]
    for code, value in (("K1", note), ("C2", 2**53 - 1)):
        world._ok(client.put(
            f"{API}/inspections/{world.inspection_id}/answers/{code}",
            json={"value": value, "note": note, "answered_at": "2026-05-05T09:30:00+07:00"},
            headers={**world.h["inspector"], "If-Match": '"1"'}))
    world._ok(client.post(f"{API}/inspections/{world.inspection_id}/submit",
                          headers={**world.h["inspector"], "If-Match": '"1"'}))
    asked = world.post().get_json()
    job = client.get(f"{API}/jobs/{asked['job_id']}", headers=world.h["inspector"]).get_json()
    assert job["status"] == "finished", job
    record = world.get(asked["record_id"]).get_json()
    for kind, extract in (("pdf", pdf_text), ("docx", docx_text)):
        document = client.get(record["files"][kind], headers=world.h["inspector"])
        assert document.status_code == 200, document.get_json()
        text = "".join(extract(document.data).split())
        assert "9.007.199.254.740.991" in text
        assert text.count("Đ") >= 3 * note.count("Đ")  # K1's answer and note, C2's note


# --- re-issue after a return and a resubmission ----------------------------------------------

def inspection_etag(world):  # type: ignore[no-untyped-def]
    got = world.client.get(f"{API}/inspections/{world.inspection_id}", headers=world.h["inspector"])
    return got.headers["ETag"]


def returned(world):  # type: ignore[no-untyped-def]
    """The supervisor returns the inspection for changes."""
    world._ok(world.client.post(
        f"{API}/inspections/{world.inspection_id}/review",
        json={"decision": "return", "comment": "Bổ sung ghi chú mục A1"},
        headers={**world.h["supervisor"], "If-Match": inspection_etag(world)}))


def resubmitted(world):  # type: ignore[no-untyped-def]
    returned(world)
    world._ok(world.client.post(f"{API}/inspections/{world.inspection_id}/submit",
                                headers={**world.h["inspector"],
                                         "If-Match": inspection_etag(world)}))


def issued_first(world):  # type: ignore[no-untyped-def]
    asked = world.post().get_json()
    first = world.get(asked["record_id"]).get_json()
    assert (first["status"], first["number"]) == ("issued", "01/BB-SKHCN")
    return first


def test_a_resubmitted_inspection_gets_the_next_number_and_the_old_record_reads_replaced(
        client, session, world):
    first = issued_first(world)
    old_pdf = client.get(first["files"]["pdf"], headers=world.h["inspector"]).data
    resubmitted(world)  # the submit asks for the new record; its job runs after the commit
    asked = world.post(who="supervisor")
    assert asked.status_code == 200, asked.get_json()
    new_id = asked.get_json()["record_id"]
    assert new_id != first["id"]
    new = world.get(new_id).get_json()
    assert (new["status"], new["number"], new["replaces"], new["replaced_by"]) == (
        "issued", "02/BB-SKHCN", first["id"], None)
    old = world.get(first["id"]).get_json()
    assert (old["status"], old["number"], old["replaced_by"]) == (
        "replaced", "01/BB-SKHCN", new_id)
    assert (old["pdf_sha256"], old["docx_sha256"]) == (first["pdf_sha256"], first["docx_sha256"])
    kept = client.get(f"{API}/records/{first['id']}/document.pdf", headers=world.h["inspector"])
    assert kept.status_code == 200 and kept.data == old_pdf
    assert client.get(old["files"]["docx"], headers=world.h["inspector"]).status_code == 200
    for kind, extract in (("pdf", pdf_text), ("docx", docx_text)):
        text = " ".join(extract(client.get(new["files"][kind],
                                           headers=world.h["inspector"]).data).split())
        assert "Số: 02/BB-SKHCN" in text, kind
        assert "thay thế Biên bản kiểm tra số 01/BB-SKHCN" in text, kind
    assert "thay thế" not in " ".join(pdf_text(old_pdf).split())
    session.expire_all()
    assert session.scalar(select(NoticeCounter.last_number)
                          .where(NoticeCounter.issuer == "BB-SKHCN")) == 2


def test_asking_twice_after_a_resubmission_answers_one_new_record(client, session, world):
    first = issued_first(world)
    resubmitted(world)
    answers = [world.post(who=who) for who in ("inspector", "police", "supervisor")]
    assert {a.status_code for a in answers} == {200}
    assert len({a.get_json()["record_id"] for a in answers}) == 1
    assert answers[0].get_json()["record_id"] != first["id"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(InspectionRecord)) == 2


def test_a_returned_inspection_keeps_its_record_current_and_cannot_ask_for_another(
        client, world):
    first = issued_first(world)
    returned(world)
    got = problem(world.post(who="supervisor"), 409)
    assert "đã nộp" in got["detail"]
    still = world.get(first["id"]).get_json()
    assert (still["status"], still["replaced_by"]) == ("issued", None)
    assert client.get(still["files"]["pdf"], headers=world.h["inspector"]).status_code == 200


def test_a_tablets_resubmission_through_sync_push_re_issues_the_record(
        api, client, session, world):
    first = issued_first(world)
    returned(world)
    version = int(inspection_etag(world).strip('"'))
    tablet = api.login(world.inspector, device_id="tablet-A")
    pushed = client.post(f"{API}/sync/push", headers=tablet, json={
        "device_id": "tablet-A", "mutations": [{
            "mutation_id": str(uuid.uuid4()), "entity": "inspection", "op": "upsert",
            "id": world.inspection_id, "base_version": version,
            "data": {"status": "submitted"}}]})
    assert pushed.status_code == 200, pushed.get_json()
    assert pushed.get_json()["results"][0]["status"] == "applied", pushed.get_json()
    old = world.get(first["id"]).get_json()
    assert old["status"] == "replaced"
    new = world.get(old["replaced_by"]).get_json()
    assert (new["status"], new["number"], new["replaces"]) == (
        "issued", "02/BB-SKHCN", first["id"])
    assert world.post().get_json()["record_id"] == new["id"]


def test_a_re_issue_not_written_yet_has_no_documents_and_asking_answers_and_delivers_it(
        client, session, world):
    first = issued_first(world)
    inspection = session.get_one(Inspection, uuid.UUID(world.inspection_id))
    inspection.submitted_at = utcnow()  # submitted again since the record was drawn
    session.flush()
    pending, job, _ = record_lineage.ask(session, world.supervisor, inspection,
                                         symbol="BB-SKHCN")  # its job not run yet
    got = world.get(pending.id).get_json()
    assert (got["status"], got["number"], got["replaces"], got["files"]) == (
        "pending", None, first["id"], {"pdf": None, "docx": None})
    problem(client.get(f"{API}/records/{pending.id}/document.pdf",
                       headers=world.h["inspector"]), 409)
    assert world.get(first["id"]).get_json()["status"] == "issued"
    again = world.post()  # hands over the job still queued (lost, say), which runs now
    assert again.status_code == 200
    assert again.get_json() == {"record_id": str(pending.id), "job_id": str(job.id)}
    assert world.get(pending.id).get_json()["number"] == "02/BB-SKHCN"
    assert world.get(first["id"]).get_json()["replaced_by"] == str(pending.id)


def test_the_record_reports_its_pdfs_signature_and_one_changed_byte_invalidates_it(
        world, settings):
    record_id = world.post().get_json()["record_id"]
    record = world.get(record_id).get_json()
    signature = record["signature"]
    assert (signature["present"], signature["valid"], signature["trusted"],
            signature["modified_after_signing"]) == (True, True, True, False)
    assert signature["signer"] == "Sở Khoa học và Công nghệ (demo)"
    path = FileBlobStore(settings.instance_path / "media").path_for(record["pdf_sha256"])
    pdf = bytearray(path.read_bytes())
    pdf[len(pdf) // 4] ^= 0x01
    path.write_bytes(bytes(pdf))
    signature = world.get(record_id).get_json()["signature"]
    assert (signature["present"], signature["valid"], signature["intact"]) == (True, False, False)
