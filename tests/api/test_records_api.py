"""/inspections/{id}/record and /records over HTTP: a submitted inspection with answers of every
type and a signature drawn on the tablet becomes a numbered record whose PDF and DOCX state
the team, the site and every answer, once however often it is asked for, for whom it may."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

import workers.jobs
from inspection.models import ChecklistItem, ChecklistSection, InspectionRecord, NoticeCounter
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
