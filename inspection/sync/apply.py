"""One sync mutation applied through the same use cases as the REST API.

`apply` raises the services' DomainErrors unchanged; `is_conflict` says which of them mean
"the tablet worked on a stale base" (kept as a conflict record) rather than "invalid" (a
rejected mutation). The policy per entity and op is documented in `inspection.sync.push`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection import errors
from inspection.inspections import findings, services
from inspection.inspections.batch import Batch, lookup
from inspection.models import Answer, Finding, Inspection, User
from inspection.versions import expect_version

ENTITIES = ("inspection", "answer", "finding")
OPS = ("upsert", "delete")
# Stale-base errors: always a version mismatch; for inspections and answers also the
# inspection having left draft/returned (submitted or approved elsewhere meanwhile).
_STATE_CONFLICTS = ("inspection", "answer")


@dataclass(frozen=True)
class Mutation:
    """One validated mutation. `data` holds the service's keyword arguments (validated by the
    API layer); `raw` is the client's `data` as sent, kept whole in a conflict record."""

    mutation_id: str
    entity: str
    op: str
    entity_id: uuid.UUID
    base_version: int | None
    data: dict[str, Any]
    raw: dict[str, Any] | None = None
    client_time: datetime | None = None


@dataclass(frozen=True)
class Target:
    """The server's record a mutation is about; `entity_id` None when there is none."""

    entity_id: uuid.UUID | None = None
    version: int | None = None
    province_code: str | None = None


def apply(session: Session, actor: User, m: Mutation, batch: Batch | None = None) -> Target:
    """Apply `m` as `actor`; the record afterwards (an empty Target after a delete). With a
    `batch`, what it reads comes from the batch's loaded state where it can; one that
    `checked_whole` is left for the batch to flush."""
    handler = _HANDLERS.get((m.entity, m.op))
    if handler is None:
        raise errors.ValidationFailed(
            f"Không hỗ trợ thao tác '{m.op}' trên '{m.entity}'.",
            errors={"entity": [f"one of {', '.join(ENTITIES)}"],
                    "op": [f"one of {', '.join(OPS)}"]})
    return handler(session, actor, m, batch)


def checked_whole(m: Mutation, batch: Batch) -> bool:
    """Whether `apply` with `batch` checks `m` whole before changing anything, and writes
    nothing itself (the batch flushes), so it needs no savepoint: an answer's upsert, and the
    creation of an inspection the batch knows is new, not submitted in the same mutation."""
    if (m.entity, m.op) == ("answer", "upsert"):
        return True
    return ((m.entity, m.op) == ("inspection", "upsert") and m.data.get("body") is not None
            and m.data.get("status") != "submitted" and m.entity_id in batch.absent)


def touched(m: Mutation) -> uuid.UUID | None:
    """The inspection `m` writes to (its own, or its answer's), if known from `m` alone."""
    if m.entity == "inspection":
        return m.entity_id
    if m.entity == "answer" and "inspection_id" in m.data:
        return uuid.UUID(str(m.data["inspection_id"]))
    return None


def is_conflict(m: Mutation, exc: errors.DomainError) -> bool:
    return isinstance(exc, errors.VersionMismatch) or (
        isinstance(exc, errors.InvalidState) and m.entity in _STATE_CONFLICTS)


def current(session: Session, m: Mutation) -> Target:
    """The server's current record for `m` (an answer is found by inspection and item)."""
    if m.entity == "inspection":
        return _target(session.get(Inspection, m.entity_id))
    if m.entity == "finding":
        return _target(session.get(Finding, m.entity_id))
    answer = _find_answer(session, m)
    if answer is not None:
        return Target(answer.id, answer.version, answer.inspection.province_code)
    parent = session.get(Inspection, m.data["inspection_id"]) if "inspection_id" in m.data \
        else None
    return Target(province_code=parent.province_code if parent else None)


def _target(record: Inspection | Finding | None) -> Target:
    if record is None:
        return Target()
    return Target(record.id, record.version, record.province_code)


def _find_answer(session: Session, m: Mutation) -> Answer | None:
    if "inspection_id" in m.data and "item_code" in m.data:
        return session.scalar(select(Answer).where(
            Answer.inspection_id == m.data["inspection_id"],
            Answer.item_code == m.data["item_code"]))
    return session.get(Answer, m.entity_id)


# --- inspections ----------------------------------------------------------------------------

def _upsert_inspection(session: Session, actor: User, m: Mutation,
                       batch: Batch | None) -> Target:
    body, status = m.data.get("body"), m.data.get("status")
    if lookup(session, m.entity_id, batch) is None:
        return _create_inspection(session, actor, m, body, status, batch)
    inspection = services.get_inspection(session, actor, m.entity_id)
    if m.data.get("location") is not None:  # a retried GPS fix, based on the version seen
        return _target(services.relocate(session, actor, inspection_id=inspection.id,
                                         location=m.data["location"], if_match=m.base_version))
    base = m.base_version or 1  # a creation sent again is based on the first version
    differs = body is not None and services.request_hash(
        inspection_id=inspection.id, **body) != inspection.request_hash
    submit = status == "submitted" and not (
        inspection.status == "submitted" and base == inspection.version)
    if not differs and not submit:
        return _target(inspection)  # nothing to change: idempotent
    expect_version(inspection.version, base, what="phiên kiểm tra")
    if inspection.status not in services.ANSWERABLE:
        raise errors.InvalidState(
            f"Phiên kiểm tra đang ở trạng thái '{inspection.status}'; máy tính bảng không thể "
            "sửa. Lãnh đạo cần trả lại phiên kiểm tra trước.", current_status=inspection.status)
    if differs:
        raise errors.Conflict(
            "Thông tin chung của phiên kiểm tra (cơ sở, bảng kiểm, đoàn, thời điểm, vị trí) "
            "không sửa được sau khi tạo.", errors={"data": ["differs from the stored inspection"]})
    return _target(services.submit(session, actor, inspection_id=inspection.id, if_match=base))


def _create_inspection(session: Session, actor: User, m: Mutation,
                       body: dict[str, Any] | None, status: str | None,
                       batch: Batch | None) -> Target:
    if m.base_version:
        raise errors.VersionMismatch("Phiên kiểm tra không còn trên máy chủ (đã bị xoá).",
                                     current_version=None)
    if body is None:
        raise errors.ValidationFailed(
            "Tạo phiên kiểm tra cần đủ các trường như POST /inspections.",
            errors={"data": {f: ["Thiếu trường bắt buộc."]
                             for f in ("site_id", "checklist_id", "started_at", "team")}})
    inspection, _ = services.create_inspection(session, actor, inspection_id=m.entity_id,
                                               batch=batch, **body)
    if status == "submitted":
        session.flush()  # a batch's new inspection is pending: submit finds it in the session
        inspection = services.submit(session, actor, inspection_id=inspection.id,
                                     if_match=inspection.version)
    return _target(inspection)


def _delete_inspection(session: Session, actor: User, m: Mutation,
                       batch: Batch | None) -> Target:
    if lookup(session, m.entity_id, batch) is not None:
        services.delete_inspection(session, actor, inspection_id=m.entity_id,
                                   if_match=m.base_version)
        if batch is not None:
            batch.forget(m.entity_id)
    return Target()  # already gone: nothing to do


# --- answers --------------------------------------------------------------------------------

def _upsert_answer(session: Session, actor: User, m: Mutation,
                   batch: Batch | None) -> Target:
    precondition: dict[str, Any] = (
        {"if_match": m.base_version} if m.base_version else {"create_only": True})
    answer, _ = services.put_answer(session, actor, answer_id=m.entity_id, **m.data,
                                    batch=batch, **precondition)
    return Target(answer.id, answer.version)


def _delete_answer(session: Session, actor: User, m: Mutation,
                   batch: Batch | None) -> Target:
    answer = _find_answer(session, m)
    key = (m.data["inspection_id"], m.data["item_code"]) if "item_code" in m.data else (
        (answer.inspection_id, answer.item_code) if answer is not None else None)
    if key is not None:
        services.delete_answer(session, actor, inspection_id=key[0], item_code=key[1],
                               if_match=m.base_version)
        if batch is not None:
            batch.forget(key[0])
    return Target()


# --- findings -------------------------------------------------------------------------------

def _upsert_finding(session: Session, actor: User, m: Mutation,
                    _batch: Batch | None) -> Target:
    if not m.base_version:
        raise errors.RuleViolation(
            "Phát hiện do máy chủ lập khi nộp phiên kiểm tra; máy tính bảng không tạo phát hiện.",
            errors={"base_version": ["findings are derived by the server: send the version"]})
    return _target(findings.transition(session, actor, finding_id=m.entity_id,
                                       if_match=m.base_version, **m.data))


def _delete_finding(session: Session, actor: User, m: Mutation,
                    _batch: Batch | None) -> Target:
    raise errors.RuleViolation(
        "Không xoá phát hiện; hãy bác bỏ (dismissed) kèm lý do.",
        errors={"op": ["findings are never deleted"]})


_HANDLERS: dict[tuple[str, str], Callable[
    [Session, User, Mutation, Batch | None], Target]] = {
    ("inspection", "upsert"): _upsert_inspection,
    ("inspection", "delete"): _delete_inspection,
    ("answer", "upsert"): _upsert_answer,
    ("answer", "delete"): _delete_answer,
    ("finding", "upsert"): _upsert_finding,
    ("finding", "delete"): _delete_finding,
}
