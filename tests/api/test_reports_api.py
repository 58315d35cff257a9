"""/reports over HTTP: a supervisor asks for the annual report of the province, the job writes
it in-process, and the report, its PDF and XLSX and its job read as the contract says, for
whom they may."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

import workers.jobs
from api.cli import main
from inspection import notices, reports
from inspection.models import Job, Report
from tests import factories
from tests.factories import CAN_THO_POST, PROVISION_CONTENT
from tests.inspection.test_reports import (
    SECTION,
    build_world,
    counted,
    done,
    expected,
)
from tests.workers.test_documents import NATIONAL_TITLE, pdf_text

API = "/api/v1"
SUBJECT = "Kết quả kiểm tra việc cung cấp, sử dụng dịch vụ bưu chính KT1 năm 2026"


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    return build_world(session, notices.today_in_vietnam())


@pytest.fixture
def h(api):  # type: ignore[no-untyped-def]
    return {
        "supervisor": api.login(factories.UserFactory(role="supervisor")),
        "inspector": api.login(factories.UserFactory(role="inspector")),
        "outsider": api.login(factories.UserFactory(role="supervisor", province_code="31")),
    }


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


def asked(client, h, body, who="supervisor"):  # type: ignore[no-untyped-def]
    return client.post(f"{API}/reports", json=body, headers=h[who])


ANNUAL = {"kind": "annual", "province_code": "92", "year": 2026}


def test_the_annual_report_is_written_with_its_figures_in_pdf_and_xlsx(client, h, world):
    resp = asked(client, h, ANNUAL)
    assert resp.status_code == 202, resp.get_json()
    ids = resp.get_json()
    report = client.get(f"{API}/reports/{ids['report_id']}", headers=h["supervisor"]).get_json()
    assert {k: report[k] for k in ("kind", "province_code", "year", "campaign_id", "status")} == {
        **ANNUAL, "campaign_id": None, "status": "ready"}
    job = client.get(f"{API}/jobs/{ids['job_id']}", headers=h["supervisor"]).get_json()
    assert (job["status"], job["progress"], job["result"]["report_id"]) == (
        "finished", 100, ids["report_id"])
    want = expected(done(2026))

    pdf = client.get(report["files"]["pdf"], headers=h["supervisor"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    for phrase in (NATIONAL_TITLE, "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ".replace("ỦY BAN NHÂN DÂN",
                                                                            "UBND"),
                   "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "BÁO CÁO", SUBJECT, "/BC-SKHCN",
                   "trên địa bàn Thành phố Cần Thơ",
                   f"thực hiện {want['inspections']} cuộc kiểm tra",
                   f"phát hiện {want['findings']} nội dung",
                   f"{want['remediated']} phát hiện đã được khắc phục",
                   "SO SÁNH VỚI NĂM 2025", "Phường Ninh Kiều", "Phường Cái Khế"):
        assert phrase in text, phrase

    xlsx = client.get(report["files"]["xlsx"], headers=h["supervisor"])
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Phạm vi kiểm tra", "Theo nhóm nội dung", "Theo mức độ",
                               "Theo xã, phường", "Khắc phục", "Quá hạn",
                               "Báo cáo của đơn vị", "Số liệu cung cấp KT1", "So sánh"]
    sections = {row[0]: row[1] for row in book["Theo nhóm nội dung"].iter_rows(
        min_row=4, values_only=True)}
    assert sections == want["by_section"]
    assert [c.value for c in book["Theo mức độ"][3]] == ["Mức độ", "Số phát hiện", "Tỷ lệ"]
    severities = [row for row in book["Theo mức độ"].iter_rows(min_row=4, values_only=True)]
    assert [r[1] for r in severities] == list(want["by_severity"].values())  # type: ignore[attr-defined]
    assert all(isinstance(r[1], int) and isinstance(r[2], int | float) for r in severities)
    remediation = next(book["Khắc phục"].iter_rows(min_row=4, values_only=True))
    assert remediation[0] == want["confirmed"]
    assert remediation[3] == pytest.approx(want["remediated"] / want["confirmed"])  # type: ignore[operator]
    overdue = list(book["Quá hạn"].iter_rows(min_row=4, values_only=True))
    assert len(overdue) == len(want["overdue"])  # type: ignore[arg-type]
    compared = {row[0]: row[1:] for row in book["So sánh"].iter_rows(min_row=4,
                                                                      values_only=True)}
    before = len(done(2025))
    assert compared["Số cuộc kiểm tra đã thực hiện"] == (
        before, want["inspections"], want["inspections"] - before)  # type: ignore[operator]
    assert compared["Số phát hiện"][1] == len(counted(done(2026)))
    assert set(want["by_section"]) <= set(SECTION.values())  # type: ignore[arg-type]


def test_the_annual_report_states_each_post_offices_own_report_and_the_totals(
        client, h, world):
    viettel = "Chi nhánh Bưu chính Viettel Cần Thơ"
    factories.SiteFactory(organization=viettel)
    sent_on = date(2026, 11, 20)
    factories.ProvisionReportFactory(complete=True, status="accepted",
                                     first_submitted_on=sent_on, received_on=sent_on)
    factories.ProvisionReportFactory(organization=viettel, status="returned", complete=True,
                                     first_submitted_on=sent_on, total_volume=999)
    ids = asked(client, h, ANNUAL).get_json()
    report = client.get(f"{API}/reports/{ids['report_id']}", headers=h["supervisor"]).get_json()
    text = pdf_text(client.get(report["files"]["pdf"], headers=h["supervisor"]).data)
    content = PROVISION_CONTENT
    for phrase in ("IV. TÌNH HÌNH CUNG CẤP DỊCH VỤ BƯU CHÍNH KT1 THEO BÁO CÁO CỦA CÁC ĐƠN VỊ",
                   "V. SO SÁNH VỚI NĂM 2025", "Trên địa bàn có 2 đơn vị cung cấp",
                   "2 đơn vị đã gửi báo cáo năm 2026", "trong đó 2 đơn vị gửi đúng hạn",
                   "Sở đã tiếp nhận 1 báo cáo, trả lại 1 báo cáo",
                   "tổng sản lượng bưu gửi KT1 là 1.234.567 bưu gửi",
                   "doanh thu 12.345.678.900 đồng", "Đã tiếp nhận", "Bị trả lại",
                   "20/11/2026", "Đúng hạn", CAN_THO_POST, viettel):
        assert phrase in text, phrase
    assert "999" not in text  # a returned report's figures are not the Sở's to sum

    book = load_workbook(io.BytesIO(client.get(report["files"]["xlsx"],
                                               headers=h["supervisor"]).data))
    senders = list(book["Báo cáo của đơn vị"].iter_rows(min_row=4, values_only=True))
    assert [row[1:] for row in senders] == [
        (CAN_THO_POST, "Đã tiếp nhận", datetime(2026, 11, 20), datetime(2026, 11, 20),
         "Đúng hạn"),
        (viettel, "Bị trả lại", datetime(2026, 11, 20), None, "Đúng hạn")]
    figures = list(book["Số liệu cung cấp KT1"].iter_rows(min_row=4, values_only=True))
    want = (*(content[k] for k in ("total_volume", "local_volume", "staff_involved",
                                   "revenue_vnd")), 1)  # one incident
    assert figures == [(CAN_THO_POST, *want), (viettel, None, None, None, None, None),
                       ("Tổng cộng", *want)]


def test_running_the_job_again_writes_no_second_document(client, h, world, session, settings,
                                                         monkeypatch):
    ids = asked(client, h, ANNUAL).get_json()
    report = session.get(Report, uuid.UUID(ids["report_id"]))
    session.refresh(report)
    first = (report.pdf_sha256, report.xlsx_sha256)
    monkeypatch.setattr(workers.jobs, "job_settings", lambda: settings)
    again = workers.jobs.render_report_job(ids["job_id"], ids["report_id"])
    assert (again["pdf_sha256"], again["xlsx_sha256"]) == first


def test_requests_are_checked_and_scoped_to_the_province(client, h, world):
    assert problem(asked(client, h, {"kind": "annual", "province_code": "92"}),
                   422)["errors"].keys() >= {"year"}
    assert "campaign_id" in problem(asked(client, h, {"kind": "campaign",
                                                      "province_code": "92"}), 422)["errors"]
    problem(asked(client, h, {"kind": "weekly", "province_code": "92"}), 422)
    problem(asked(client, h, ANNUAL, who="inspector"), 403)
    problem(asked(client, h, ANNUAL, who="outsider"), 404)
    ids = asked(client, h, ANNUAL).get_json()
    problem(client.get(f"{API}/reports/{ids['report_id']}", headers=h["outsider"]), 404)
    problem(client.get(f"{API}/reports/{ids['report_id']}/document.pdf",
                       headers=h["outsider"]), 404)
    problem(client.get(f"{API}/reports/{ids['report_id']}", headers=h["inspector"]), 403)
    problem(client.get(f"{API}/reports/{uuid.uuid4()}", headers=h["supervisor"]), 404)


def test_a_campaign_report_covers_the_campaign(client, h, world):
    resp = asked(client, h, {"kind": "campaign", "province_code": "92",
                             "campaign_id": str(world.campaign.id)})
    assert resp.status_code == 202, resp.get_json()
    report = client.get(f"{API}/reports/{resp.get_json()['report_id']}",
                        headers=h["supervisor"]).get_json()
    assert (report["status"], report["year"]) == ("ready", None)
    text = pdf_text(client.get(report["files"]["pdf"], headers=h["supervisor"]).data)
    want = expected(done(campaign=True))
    assert world.campaign.name in text
    assert f"thực hiện {want['inspections']} cuộc kiểm tra" in text
    assert "SO SÁNH" not in text and "THEO BÁO CÁO CỦA CÁC ĐƠN VỊ" not in text


def test_a_report_whose_campaign_moved_away_fails_with_its_error_on_the_job(
        client, h, world, session, settings, monkeypatch):
    """The job re-checks the campaign: moved to another province, the report fails for good."""
    supervisor = factories.UserFactory(role="supervisor")
    report, job = reports.request_report(session, supervisor, kind="campaign",
                                         province_code="92", campaign_id=world.campaign.id)
    assert job is not None
    world.campaign.province_code = "31"
    session.commit()
    monkeypatch.setattr(workers.jobs, "job_settings", lambda: settings)
    result = workers.jobs.render_report_job(str(job.id), str(report.id))
    assert "đợt kiểm tra" in result["error"]
    shown = client.get(f"{API}/jobs/{job.id}", headers=h["supervisor"]).get_json()
    assert shown["status"] == "failed" and "đợt kiểm tra" in shown["error"]
    session.expire_all()
    assert session.get(Report, report.id).status == "failed"  # type: ignore[union-attr]
    assert session.get(Job, job.id).status == "failed"  # type: ignore[union-attr]
    got = client.get(f"{API}/reports/{report.id}", headers=h["supervisor"]).get_json()
    assert (got["status"], got["files"]) == ("failed", {"pdf": None, "xlsx": None})
    problem(client.get(f"{API}/reports/{report.id}/document.xlsx", headers=h["supervisor"]),
            409)


# --- number and signer ----------------------------------------------------------------------

def test_reports_are_numbered_in_turn_and_print_the_chosen_signer(client, h, world, session):
    chosen = factories.SignerFactory(full_name="Nguyễn Văn An", title="Giám đốc",
                                     delegation=None)
    first = asked(client, h, {**ANNUAL, "signer_id": str(chosen.id)}).get_json()
    report = client.get(f"{API}/reports/{first['report_id']}", headers=h["supervisor"]).get_json()
    assert (report["number"], report["signer_id"]) == ("01/BC-SKHCN", str(chosen.id))
    text = pdf_text(client.get(report["files"]["pdf"], headers=h["supervisor"]).data)
    assert "Số: 01/BC-SKHCN" in text and "Nguyễn Văn An" in text
    second = asked(client, h, {**ANNUAL, "signer_id": str(chosen.id)}).get_json()
    again = client.get(f"{API}/reports/{second['report_id']}", headers=h["supervisor"])
    assert again.get_json()["number"] == "02/BC-SKHCN"


def test_a_report_signer_of_another_province_or_inactive_or_not_chosen_is_a_422(
        client, h, world, session):
    theirs = factories.SignerFactory(province_code="31")
    retired = factories.SignerFactory(active=False)
    before = session.query(Report).count()
    for signer in (theirs, retired):
        body = problem(asked(client, h, {**ANNUAL, "signer_id": str(signer.id)}), 422)
        assert "signer_id" in body["errors"]
    factories.SignerFactory()  # two active now: one must be chosen
    body = problem(asked(client, h, ANNUAL), 422)
    assert body["detail"].startswith("Chọn người ký")
    assert session.query(Report).count() == before


def test_kt1_report_signs_with_the_named_or_the_only_signer_and_refuses_another_province(
        app, world, session, tmp_path):
    def kt1(*args: str):  # type: ignore[no-untyped-def]
        return app.test_cli_runner().invoke(main, ["report", "annual", "--province", "92",
                                                   "--year", "2026", "--out", str(tmp_path),
                                                   *args])

    done_by_default = kt1()
    assert done_by_default.exit_code == 0, done_by_default.output
    pdf = pdf_text((tmp_path / "bao-cao-92-2026.pdf").read_bytes())
    only = factories.the_signer("92")
    assert only.full_name in pdf and "Số: 01/BC-SKHCN" in pdf
    chosen = factories.SignerFactory(full_name="Nguyễn Văn An", title="Giám đốc",
                                     delegation=None)
    named = kt1("--signer", str(chosen.id))
    assert named.exit_code == 0, named.output
    pdf = pdf_text((tmp_path / "bao-cao-92-2026.pdf").read_bytes())
    assert "Nguyễn Văn An" in pdf and "Số: 02/BC-SKHCN" in pdf
    theirs = factories.SignerFactory(province_code="31")
    refused = kt1("--signer", str(theirs.id))
    assert refused.exit_code != 0 and "Chọn người ký" in refused.output
