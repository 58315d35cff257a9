"""/inspections/{id}/notices and /notices over HTTP: a supervisor asks for the violation notice
of an approved inspection, the job writes it in-process, and the notice, its documents and its
job read as the contract says, for whom they may."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

import workers.jobs
from inspection.models import Notice, NoticeCounter, Signer
from tests import factories
from tests.api.test_findings_api import World as FindingsWorld
from tests.workers.test_documents import NATIONAL_TITLE, docx_text, pdf_text

API = "/api/v1"


class World(FindingsWorld):
    """An approved inspection at Cần Thơ with A1 and C2 confirmed by the supervisor."""

    def __init__(self, api, client, *, approve=True, confirm=("A1", "C2")) -> None:  # type: ignore[no-untyped-def]
        super().__init__(api, client, approve=approve)
        self.signer = factories.the_signer("92")  # Cần Thơ's only one signs by default
        for code in confirm:
            resp = self.patch("supervisor", self.finding(code)["id"],
                              {"status": "confirmed"}, '"1"')
            assert resp.status_code == 200, resp.get_json()

    def post(self, who="supervisor", **body):  # type: ignore[no-untyped-def]
        return self.client.post(f"{API}/inspections/{self.inspection_id}/notices",
                                headers=self.h[who], **({"json": body} if body else {}))

    def get(self, notice_id, who="supervisor"):  # type: ignore[no-untyped-def]
        return self.client.get(f"{API}/notices/{notice_id}", headers=self.h[who])


@pytest.fixture
def world(api, client, session):  # type: ignore[no-untyped-def]
    return World(api, client)


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


def issued(world):  # type: ignore[no-untyped-def]
    resp = world.post()
    assert resp.status_code == 202, resp.get_json()
    return resp.get_json()


def test_a_notice_is_issued_numbered_first_of_the_year_with_both_documents(client, world):
    asked = issued(world)
    resp = world.get(asked["notice_id"])
    assert resp.status_code == 200, resp.get_json()
    notice = resp.get_json()
    assert resp.headers["ETag"] == f'"{notice["version"]}"'
    assert (notice["status"], notice["number"]) == ("issued", "01/TB-SKHCN")
    assert notice["issued_on"] and notice["due_on"] > notice["issued_on"]
    assert sorted(f["item_code"] for f in notice["findings"]) == ["A1", "C2"]
    job = client.get(f"{API}/jobs/{asked['job_id']}", headers=world.h["supervisor"]).get_json()
    assert (job["status"], job["result"]["number"]) == ("finished", "01/TB-SKHCN")
    texts = {}
    for kind, extract in (("pdf", pdf_text), ("docx", docx_text)):
        got = client.get(notice["files"][kind], headers=world.h["supervisor"])
        assert got.status_code == 200 and got.mimetype.startswith("application/")
        texts[kind] = extract(got.data)
    for text in texts.values():
        assert NATIONAL_TITLE in text
        assert "Số: 01/TB-SKHCN" in text
        assert world.site.name in text
        for legal_basis in ("Nghị định 174/2026/NĐ-CP 9(1)", "Quyết định 32/2025/QĐ-TTg"):
            assert legal_basis in text


def test_asking_again_answers_the_existing_notice_with_200(world):
    first = issued(world)
    again = world.post()
    assert again.status_code == 200
    assert again.get_json() == first


def test_the_job_run_twice_leaves_one_number_and_the_same_documents(session, world):
    asked = issued(world)
    before = world.get(asked["notice_id"]).get_json()
    workers.jobs.render_notice_job(asked["job_id"], asked["notice_id"])
    after = world.get(asked["notice_id"]).get_json()
    assert (after["number"], after["pdf_sha256"], after["docx_sha256"]) == (
        before["number"], before["pdf_sha256"], before["docx_sha256"])
    session.expire_all()
    assert session.scalar(select(NoticeCounter.last_number)) == 1
    assert session.scalar(select(func.count()).select_from(Notice)) == 1


def test_an_inspection_not_approved_or_without_confirmed_findings_is_refused(api, client):
    draft = World(api, client, approve=False, confirm=())
    got = problem(draft.post(), 409)
    assert "duyệt" in got["detail"]
    unconfirmed = World(api, client, confirm=())
    got = problem(unconfirmed.post(), 422)
    assert "xác nhận" in got["detail"]


def test_a_failing_job_shows_failed_and_its_error(session, client, world):
    asked = issued(world)
    notice = session.get(Notice, uuid.UUID(asked["notice_id"]))
    assert notice is not None
    notice.pdf_sha256 = notice.docx_sha256 = None  # as if never written
    notice.status = "pending"
    notice.inspection.status = "returned"  # and the inspection sent back since
    session.flush()
    workers.jobs.render_notice_job(asked["job_id"], asked["notice_id"])
    job = client.get(f"{API}/jobs/{asked['job_id']}", headers=world.h["supervisor"]).get_json()
    assert job["status"] == "failed" and "duyệt" in job["error"]
    assert world.get(asked["notice_id"]).get_json()["status"] == "failed"


def test_only_supervisors_ask_and_other_provinces_see_nothing(api, client, world):
    problem(world.post("inspector"), 403)
    problem(world.post("clerk"), 403)
    asked = issued(world)
    outsider = factories.UserFactory(role="supervisor", province_code="31")
    h = api.login(outsider)
    problem(client.post(f"{API}/inspections/{world.inspection_id}/notices", headers=h), 404)
    problem(client.get(f"{API}/notices/{asked['notice_id']}", headers=h), 404)
    problem(client.get(f"{API}/notices/{asked['notice_id']}/document.pdf", headers=h), 404)


def test_a_post_office_reads_the_notices_of_its_own_sites_only(api, client, world):
    asked = issued(world)
    resp = world.get(asked["notice_id"], who="clerk")
    assert resp.status_code == 200 and resp.get_json()["number"] == "01/TB-SKHCN"
    assert client.get(f"{API}/notices/{asked['notice_id']}/document.docx",
                      headers=world.h["clerk"]).status_code == 200
    other = factories.UserFactory(role="post", agency="post",
                                  organization="Bưu điện thành phố Hải Phòng")
    problem(client.get(f"{API}/notices/{asked['notice_id']}", headers=api.login(other)), 404)


def test_an_unknown_notice_answers_404_problem(client, world):
    problem(world.get(uuid.uuid4()), 404)


def test_the_qr_link_points_at_the_address_the_request_reached_when_no_public_url_is_set(
        client, world):
    """KT1_PUBLIC_URL unset (the tests' settings): the notice asked for on
    http://kt1.cantho.local:8080 prints that address, not localhost:5000."""
    resp = client.post(f"{API}/inspections/{world.inspection_id}/notices",
                       headers=world.h["supervisor"], base_url="http://kt1.cantho.local:8080")
    assert resp.status_code == 202, resp.get_json()
    notice_id = resp.get_json()["notice_id"]
    notice = world.get(notice_id).get_json()
    pdf = client.get(notice["files"]["pdf"], headers=world.h["supervisor"])
    text = "".join(pdf_text(pdf.data).split())  # the URL may wrap in its cell
    assert f"http://kt1.cantho.local:8080/notices/{notice_id}/verify" in text
    assert "localhost:5000" not in text


# --- the signer ---------------------------------------------------------------------------------

def test_the_chosen_signer_is_stored_and_printed_under_the_signature(client, world):
    chosen = factories.SignerFactory(full_name="Nguyễn Văn An", title="Giám đốc",
                                     delegation=None)
    resp = world.post(signer_id=str(chosen.id))
    assert resp.status_code == 202, resp.get_json()
    notice = world.get(resp.get_json()["notice_id"]).get_json()
    assert notice["signer_id"] == str(chosen.id)
    for kind, extract in (("pdf", pdf_text), ("docx", docx_text)):
        text = extract(client.get(notice["files"][kind], headers=world.h["supervisor"]).data)
        assert "GIÁM ĐỐC" in text and "Nguyễn Văn An" in text
        assert "KT. GIÁM ĐỐC" not in text


def test_without_a_choice_the_province_only_active_signer_signs(world, session):
    resp = world.post()
    assert resp.status_code == 202, resp.get_json()
    notice = session.get(Notice, uuid.UUID(resp.get_json()["notice_id"]))
    assert notice.signer_id == world.signer.id


def test_another_province_or_an_inactive_signer_is_a_422_and_no_notice_is_made(world, session):
    theirs = factories.SignerFactory(province_code="31")
    retired = factories.SignerFactory(active=False)
    for signer in (theirs, retired):
        body = problem(world.post(signer_id=str(signer.id)), 422)
        assert "signer_id" in body["errors"] and "Chọn người ký" in body["detail"]
    body = problem(world.post(signer_id="not-a-uuid"), 422)
    assert "signer_id" in body["errors"]
    assert session.scalar(select(func.count()).select_from(Notice)) == 0


def test_without_a_choice_several_or_no_active_signers_is_a_422_asking_to_choose(
        world, session):
    factories.SignerFactory()
    body = problem(world.post(), 422)
    assert body["detail"].startswith("Chọn người ký") and "signer_id" in body["errors"]
    for signer in session.scalars(select(Signer)):
        signer.active = False
    session.flush()
    body = problem(world.post(), 422)
    assert "chưa có người ký" in body["detail"]
    assert session.scalar(select(func.count()).select_from(Notice)) == 0
