"""The record of an inspection on the built-in checklist's version 2: the closing items (the
site representative's name and title, the representative's and each agency's member's
signature drawn on the tablet) printed in place of the dotted lines; without them, the
dotted lines as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection import records
from inspection.checklists import kt1_provider
from inspection.db import utcnow
from inspection.models import Answer, Checklist, Inspection, User
from media.blobstore import FileBlobStore
from tests import factories
from tests.workers.evidence import STARTED, inspection_at_can_tho, uploaded_photo
from tests.workers.test_documents import images_in_docx, images_in_pdf, pdf_text, signature_png
from tests.workers.test_photos import FAR_M
from workers.photos import process_photo
from workers.records import BLANK_NAME, render_record

REPRESENTATIVE = ("Huỳnh Thị Kim Ngân", "Trưởng bưu cục")


@pytest.fixture
def store(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "media")


def _inspection(session: Session) -> tuple[Inspection, User, User]:
    """A draft joint inspection on the current built-in provider checklist (version 2)."""
    checklist = session.scalar(select(Checklist).where(Checklist.code == kt1_provider.CODE,
                                                       Checklist.status == "published"))
    assert checklist is not None and checklist.version == 2
    inspection = inspection_at_can_tho(session, checklist)
    inspector, police = inspection.team
    inspector.full_name, police.full_name = "Nguyễn Văn An", "Lê Hoàng Nam"
    return inspection, inspector, police


def _submitted(session: Session, inspection: Inspection) -> None:
    inspection.status, inspection.submitted_at = "submitted", utcnow()
    session.flush()
    session.expire(inspection)


def _render(session: Session, store: FileBlobStore, inspection: Inspection) -> tuple[str, list,
                                                                                     bytes]:
    record, _, _ = records.request_record(session, factories.UserFactory(role="supervisor"),
                                          inspection.id)
    render_record(session, store, record.id)
    assert record.pdf_sha256 is not None and record.docx_sha256 is not None
    pdf = store.open(record.pdf_sha256).read()
    return pdf_text(pdf), images_in_pdf(pdf), store.open(record.docx_sha256).read()


def test_the_record_prints_the_representative_and_the_three_signatures(
        session, store, tmp_path):  # type: ignore[no-untyped-def]
    inspection, inspector, police = _inspection(session)
    for code, value in ((kt1_provider.REPRESENTATIVE_NAME, REPRESENTATIVE[0]),
                        (kt1_provider.REPRESENTATIVE_TITLE, REPRESENTATIVE[1]),
                        ("A1", "yes")):
        session.add(Answer(inspection_id=inspection.id, item_code=code, value=value,
                           answered_at=STARTED, answered_by=inspector.id))
    # The police member's signature uploaded from the inspector's tablet still goes to
    # the police member: the item names the agency.
    signers = ((kt1_provider.REPRESENTATIVE_SIGNATURE, inspector, 1),
               (kt1_provider.MEMBER_SIGNATURES["police"], inspector, 2),
               (kt1_provider.MEMBER_SIGNATURES["skhcn"], police, 3))
    pngs = {}
    for code, uploader, seed in signers:
        png = signature_png(seed)
        (tmp_path / f"{code}.png").write_bytes(png)
        photo = uploaded_photo(session, store, inspection, tmp_path / f"{code}.png")
        photo.item_code, photo.uploaded_by = code, uploader.id
        session.flush()
        assert process_photo(session, store, photo.id, far_m=FAR_M).status == "ready"  # type: ignore[union-attr]
        pngs[code] = png
    _submitted(session, inspection)

    record, _, _ = records.request_record(session, factories.UserFactory(role="supervisor"),
                                          inspection.id)
    facts = records.facts(session, record)
    assert facts.representative == REPRESENTATIVE
    by_signer = {signer: photo.item_code for signer, photo in facts.signatures.items()}
    assert by_signer == {None: "L3", police.id: "L5", inspector.id: "L4"}

    text, images, docx = _render(session, store, inspection)
    assert f"{REPRESENTATIVE[0]}, {REPRESENTATIVE[1]}" in text  # the participants
    assert text.count(REPRESENTATIVE[0]) >= 2  # and under the signature
    assert BLANK_NAME not in text and "……" not in text
    # printed among the participants and in the signature block, not in the answers table
    assert "Họ và tên người đại diện" not in text and "Đã ký" not in text
    assert "kiểm tra 58 nội dung" in text
    assert "Nguyễn Văn An" in text and "Lê Hoàng Nam" in text
    assert len(images) == 3
    assert sorted(images_in_docx(docx)) == sorted(pngs.values())


def test_a_record_without_the_closing_items_answered_prints_the_dotted_lines(
        session, store):  # type: ignore[no-untyped-def]
    inspection, inspector, _ = _inspection(session)
    session.add(Answer(inspection_id=inspection.id, item_code="A1", value="no",
                       answered_at=STARTED, answered_by=inspector.id))
    _submitted(session, inspection)
    text, images, docx = _render(session, store, inspection)
    assert BLANK_NAME in text and "Chức vụ: ……" in text
    assert "Không đạt" in text and "Chưa có chữ ký" not in text
    assert images == [] and images_in_docx(docx) == []
