"""/notices/{id}/verify: the page a printed notice's QR code opens, without a login."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime

import pytest

from inspection.config import Settings
from inspection.notices import VIETNAM
from media.blobstore import FileBlobStore
from tests.workers.test_notices import approved_with_photo, asked
from workers.notices import render_notice, verify_url


@pytest.fixture
def store(settings: Settings) -> FileBlobStore:
    return FileBlobStore(settings.instance_path / "media")  # the app's media folder


@pytest.fixture
def notice(session, store, settings, tmp_path):  # type: ignore[no-untyped-def]
    inspection = approved_with_photo(session, store, tmp_path)
    made, _ = asked(session, inspection)
    render_notice(session, store, made.id, settings=dataclasses.replace(settings))
    session.commit()
    return made, inspection.photos[0]


def verify(client, notice_id, accept="application/json"):  # type: ignore[no-untyped-def]
    return client.get(f"/notices/{notice_id}/verify", headers={"Accept": accept})


def test_an_intact_notice_shows_what_was_issued_and_that_its_evidence_matches(
        client, notice):
    made, photo = notice
    resp = verify(client, made.id)
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["number"], body["intact"], body["findings"]) == ("01/TB-SKHCN", True, ["A2"])
    assert body["evidence"] == [{"item_code": "A2", "sha256": photo.sha256, "state": "match"}]
    assert {d["kind"]: d["state"] for d in body["documents"]} == {"pdf": "match",
                                                                 "docx": "match"}
    page = verify(client, made.id, accept="text/html")
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "XÁC MINH THÔNG BÁO SỐ 01/TB-SKHCN" in html and photo.sha256 in html
    assert "khớp với mã SHA-256 đã ghi" in html


def test_evidence_changed_or_lost_in_the_store_is_reported(client, notice, store):
    made, photo = notice
    path = store.path_for(photo.sha256)
    path.write_bytes(b"someone replaced the photo")
    body = verify(client, made.id).get_json()
    assert body["intact"] is False
    assert body["evidence"][0]["state"] == "mismatch"
    path.unlink()
    assert verify(client, made.id).get_json()["evidence"][0]["state"] == "missing"
    html = verify(client, made.id, accept="text/html").get_data(as_text=True)
    assert "Cảnh báo" in html and "Không còn lưu trữ" in html


def test_a_notice_not_issued_or_unknown_is_not_found(client, session):
    resp = verify(client, uuid.uuid4())
    assert resp.status_code == 404
    assert resp.mimetype == "application/problem+json"
    page = verify(client, uuid.uuid4(), accept="text/html")  # a phone that scanned a code
    assert (page.status_code, page.mimetype) == (404, "text/html")
    html = page.get_data(as_text=True)
    assert "KHÔNG TÌM THẤY THÔNG BÁO" in html and "đối chiếu với cơ quan ban hành" in html
    assert "<style" not in html and "<script" not in html


def test_the_printed_link_follows_kt1_public_url_before_the_address_the_request_reached(
        settings):
    notice_id = uuid.uuid4()
    served = "http://10.0.0.5:8000"
    assert verify_url(settings, notice_id, served) == f"{served}/notices/{notice_id}/verify"
    public = dataclasses.replace(settings, public_url="https://kt1.cantho.gov.vn")
    assert verify_url(public, notice_id, served) == \
        f"https://kt1.cantho.gov.vn/notices/{notice_id}/verify"
    assert verify_url(settings, notice_id) == f"http://localhost:5000/notices/{notice_id}/verify"
    too_long = "http://" + "a" * 300  # would not fit a QR code that phones read
    assert verify_url(settings, notice_id, too_long).startswith("http://localhost:5000/")


def test_the_page_carries_the_security_headers_and_no_inline_style_or_script(client, notice):
    made, _ = notice
    page = verify(client, made.id, accept="text/html")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    html = page.get_data(as_text=True)
    assert "<style" not in html and "style=" not in html and "<script" not in html
    style = client.get("/notices/verify.css")
    assert style.status_code == 200 and style.mimetype == "text/css"
    assert ".verdict" in style.get_data(as_text=True)
    assert verify(client, made.id).headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_reports_the_pdfs_valid_signature_its_signer_certificate_and_time(
        client, notice):
    made, _ = notice
    signature = verify(client, made.id).get_json()["signature"]
    assert {k: signature[k] for k in ("present", "valid", "intact", "trusted",
                                       "modified_after_signing")} == {
        "present": True, "valid": True, "intact": True, "trusted": True,
        "modified_after_signing": False}
    assert signature["signer"] == signature["organisation"] == "Sở Khoa học và Công nghệ (demo)"
    certificate = signature["certificate"]
    assert certificate["subject"].startswith("CN=Sở Khoa học và Công nghệ (demo)")
    assert "KT1 Inspect Demo CA" in certificate["issuer"]
    assert certificate["not_before"] < signature["signed_at"] < certificate["not_after"]
    signed_at = datetime.fromisoformat(signature["signed_at"]).astimezone(VIETNAM)
    html = verify(client, made.id, accept="text/html").get_data(as_text=True)
    assert "Chữ ký số hợp lệ" in html and "không hợp lệ" not in html
    assert "Sở Khoa học và Công nghệ (demo)" in html and certificate["serial"] in html
    assert f"{signed_at:%d/%m/%Y %H:%M} (giờ Việt Nam)" in html


def test_one_changed_byte_in_the_stored_pdf_shows_a_mismatch_and_an_invalid_signature(
        client, notice, store, session):
    made, _ = notice
    path = store.path_for(made.pdf_sha256)
    pdf = bytearray(path.read_bytes())
    pdf[len(pdf) // 4] ^= 0x01  # inside the stretch the signature covers
    path.write_bytes(bytes(pdf))
    body = verify(client, made.id).get_json()
    assert body["intact"] is False
    assert {d["kind"]: d["state"] for d in body["documents"]}["pdf"] == "mismatch"
    assert (body["signature"]["present"], body["signature"]["valid"]) == (True, False)
    assert body["signature"]["modified_after_signing"] is not False
    html = verify(client, made.id, accept="text/html").get_data(as_text=True)
    assert "KHÔNG KHỚP" in html and "Chữ ký số không hợp lệ" in html
    assert "CÓ: nội dung khác với nội dung đã ký" in html
    assert "Không đánh giá được: chữ ký không còn nguyên vẹn" in html  # not "untrusted"
    assert "Chữ ký số hợp lệ" not in html


def test_an_unsigned_notice_says_it_has_no_signature_and_a_lost_pdf_that_it_cannot_be_checked(
        client, session, store, settings, tmp_path):
    inspection = approved_with_photo(session, store, tmp_path)
    made, _ = asked(session, inspection)
    render_notice(session, store, made.id, settings=dataclasses.replace(settings,
                                                                        signing_keys=()))
    session.commit()
    assert verify(client, made.id).get_json()["signature"] == {
        "present": False, "valid": False, "intact": False, "trusted": False, "signer": None,
        "organisation": None, "certificate": None, "signed_at": None,
        "modified_after_signing": None}
    html = verify(client, made.id, accept="text/html").get_data(as_text=True)
    assert "Văn bản PDF không có chữ ký số" in html
    store.path_for(made.pdf_sha256).unlink()
    assert verify(client, made.id).get_json()["signature"] is None
    html = verify(client, made.id, accept="text/html").get_data(as_text=True)
    assert "Không kiểm tra được chữ ký số: tệp PDF không còn lưu trữ" in html
