"""The register of legal references: reading it, and the changes admins make.

A reference is `(instrument, article)`; its id is derived from that pair (`reference_id`), so
the citations a checklist version stored before the register existed, `{instrument, article,
status}`, name the same row as one citing the id. The pair never changes: a different article
is a different reference (add it, and mark the old one superseded by it). A status change to
`verified` records who verified it and when; the record stays when the reference is later
superseded or repealed, which lets a violation committed while it was in force still cite it.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from inspection import errors
from inspection.db import utcnow
from inspection.models import LegalReference, Province, User
from inspection.models.legal import REFERENCE_STATUSES
from inspection.scope import require_role

NAMESPACE = uuid.UUID("6f1d3c4e-2b7a-5e0c-9a41-4b1f0d2c8e73")
EDITORS = ("admin",)
VERIFIED = "verified"
ENDED = ("superseded", "repealed")
EDITABLE = ("title", "issuing_body", "issued_on", "status", "valid_from", "valid_to",
            "superseded_by_id", "note")


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


def reference_id(instrument: str, article: str | None) -> uuid.UUID:
    """The id of reference `(instrument, article)` (NFC, surrounding blanks ignored)."""
    return uuid.uuid5(NAMESPACE, f"{_nfc(instrument)}\x1f{_nfc(article)}")


def id_of(citation: Mapping[str, Any]) -> uuid.UUID:
    """The register id a checklist citation names: its `id`, else its instrument and article."""
    if citation.get("id"):
        return uuid.UUID(str(citation["id"]))
    return reference_id(citation.get("instrument") or "", citation.get("article"))


# --- Reading ---------------------------------------------------------------------------------

def list_references(*, status: str | None = None, q: str | None = None
                    ) -> Select[Any]:
    """The register, by instrument then article; `q` matches instrument, article or title."""
    query = select(LegalReference).order_by(LegalReference.instrument, LegalReference.article)
    if status:
        query = query.where(LegalReference.status == status)
    if q:
        pattern = f"%{_nfc(q).lower()}%"
        matches: list[ColumnElement[bool]] = [
            func.lower(column).like(pattern) for column in
            (LegalReference.instrument, LegalReference.article, LegalReference.title)]
        query = query.where(or_(*matches))
    return query


def get_reference(session: Session, reference_id_: uuid.UUID) -> LegalReference:
    reference = session.get(LegalReference, reference_id_)
    if reference is None:
        raise errors.NotFound("Không có căn cứ pháp lý này trong danh mục.")
    return reference


# --- Changing --------------------------------------------------------------------------------

def create_reference(session: Session, actor: User, *, instrument: str, article: str | None,
                     status: str, province_code: str | None = None,
                     **fields: Any) -> LegalReference:
    """Add a reference (admins); `province_code` for a local instrument. One already
    registered under the pair is a conflict."""
    require_role(actor, *EDITORS)
    instrument, article_ = _nfc(instrument), _nfc(article)
    if not instrument:
        raise errors.ValidationFailed("Tên văn bản bắt buộc.",
                                      errors={"instrument": ["Tên văn bản bắt buộc."]})
    if province_code is not None and session.get(Province, province_code) is None:
        raise errors.ValidationFailed("Không có tỉnh, thành phố này.",
                                      errors={"province_code": ["Không có tỉnh, thành phố này."]})
    new_id = reference_id(instrument, article_)
    if session.get(LegalReference, new_id) is not None:
        raise errors.Conflict("Căn cứ này đã có trong danh mục.", existing_id=str(new_id))
    reference = LegalReference(id=new_id, instrument=instrument, article=article_,
                               status="unverified", province_code=province_code, version=1)
    session.add(reference)
    _apply(session, actor, reference, {"status": status, **fields})
    session.flush()
    return reference


def update_reference(session: Session, actor: User, reference_id_: uuid.UUID, *,
                     if_match: int | None, changes: Mapping[str, Any]) -> LegalReference:
    """Change a reference's status, period, successor or description (admins; `If-Match`)."""
    require_role(actor, *EDITORS)
    reference = get_reference(session, reference_id_)
    if if_match is None:
        raise errors.PreconditionRequired("Cần gửi If-Match với phiên bản hiện tại.")
    if if_match != reference.version:
        raise errors.VersionMismatch(
            "Căn cứ pháp lý đã được người khác sửa; hãy tải lại.", current=reference.version)
    _apply(session, actor, reference, changes)
    reference.version += 1
    session.flush()
    return reference


def _apply(session: Session, actor: User, reference: LegalReference,
           changes: Mapping[str, Any]) -> None:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise errors.ValidationFailed(
            "Không sửa được các trường này.",
            errors={k: ["Tên văn bản và điều, khoản không đổi được: hãy thêm căn cứ mới."]
                    for k in sorted(unknown)})
    problems: dict[str, list[str]] = {}
    for key, value in changes.items():
        if key in ("title", "issuing_body", "note"):
            setattr(reference, key, _nfc(value))
        elif key != "status":
            setattr(reference, key, value)
    status = changes.get("status", reference.status)
    if status not in REFERENCE_STATUSES:
        problems["status"] = [f"Một trong: {', '.join(REFERENCE_STATUSES)}."]
    elif status != reference.status or (status == VERIFIED and reference.verified_at is None):
        if status == VERIFIED:
            reference.verified_by, reference.verified_at = actor.id, utcnow()
        reference.status = status
    _check_period(reference, problems)
    with session.no_autoflush:  # an unknown successor must not reach the database first
        _check_successor(session, reference, problems)
    if problems:
        raise errors.ValidationFailed("Căn cứ pháp lý không hợp lệ.", errors=problems)


def _check_period(reference: LegalReference, problems: dict[str, list[str]]) -> None:
    start, end = reference.valid_from, reference.valid_to
    if start is not None and end is not None and end < start:
        problems["valid_to"] = ["Ngày hết hiệu lực phải sau ngày có hiệu lực."]


def _check_successor(session: Session, reference: LegalReference,
                     problems: dict[str, list[str]]) -> None:
    successor_id = reference.superseded_by_id
    if successor_id is None:
        if reference.status == "superseded":
            problems["superseded_by_id"] = ["Căn cứ đã được thay thế phải chỉ rõ căn cứ thay thế."]
        return
    seen = {reference.id}
    current: uuid.UUID | None = successor_id
    while current is not None:
        if current in seen:
            problems["superseded_by_id"] = ["Không được thay thế vòng tròn."]
            return
        seen.add(current)
        successor = session.get(LegalReference, current)
        if successor is None:
            problems["superseded_by_id"] = ["Không có căn cứ thay thế này trong danh mục."]
            return
        current = successor.superseded_by_id

