"""Checklist versions: list, read, draft, edit a draft, publish, retire.

A version is `draft` (editable), `published` (immutable; inspections pin it) or `retired`
(kept for the inspections that used it, offered no more). A change is a new version of the
same code. Functions flush; the caller commits.
"""

from __future__ import annotations

import copy
import hashlib
import json
import unicodedata
import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from inspection import errors, identifiers, legal
from inspection.checklists import compliance
from inspection.db import new_id, utcnow
from inspection.models import Checklist, ChecklistItem, ChecklistSection, LegalReference
from inspection.models.checklists import (
    ANSWER_TYPES,
    REF_STATUSES,
    SEVERITIES,
    TARGET_KINDS,
)

REF_KEYS = {"id", "instrument", "article", "status", "effective_from", "effective_to", "note"}
ITEM_KEYS = {"code", "text", "answer_type", "required", "photo_required", "compliant_when",
             "severity", "legal_basis", "legal_refs", "choices"}


def list_checklists(*, target_kind: str | None = None, status: str | None = None,
                    code: str | None = None) -> Select[Checklist]:
    """A select of checklist versions, by code then version (run it with pagination)."""
    stmt = select(Checklist)
    if target_kind:
        stmt = stmt.where(Checklist.target_kind == target_kind)
    if status:
        stmt = stmt.where(Checklist.status == status)
    if code:
        stmt = stmt.where(Checklist.code == code)
    return stmt.order_by(Checklist.code, Checklist.version)


def get_checklist(session: Session, checklist_id: uuid.UUID) -> Checklist:
    """The version with its sections and items; raises NotFound."""
    checklist = session.scalar(
        select(Checklist).where(Checklist.id == checklist_id)
        .options(selectinload(Checklist.sections).selectinload(ChecklistSection.items)))
    if checklist is None:
        raise errors.NotFound(f"Không tìm thấy bảng kiểm tra {checklist_id}.")
    return checklist


def find_latest(session: Session, code: str) -> Checklist | None:
    return session.scalar(select(Checklist).where(Checklist.code == code)
                          .order_by(Checklist.version.desc()).limit(1))


def create_version(session: Session, *, code: str, title: str, target_kind: str,
                   sections: Sequence[Mapping[str, Any]]) -> Checklist:
    """A new `draft` of `code` with version = the highest existing version + 1.
    Raises ValidationFailed (errors keyed by field path) or Conflict on a concurrent draft."""
    problems: dict[str, list[str]] = {}
    if not isinstance(code, str) or identifiers.problem(code, identifiers.CHECKLIST_CODE):
        problems["code"] = ["Mã gồm chữ, số, '.', '_', '-' (tối đa 50 ký tự)."]
    sections = cite_register(session, sections, problems)
    clean = _validated_content(title, target_kind, sections, problems)
    if problems:
        raise errors.ValidationFailed("Nội dung bảng kiểm tra không hợp lệ.", errors=problems)
    latest = session.scalar(select(func.max(Checklist.version)).where(Checklist.code == code))
    checklist = Checklist(id=new_id(), code=code, version=(latest or 0) + 1, status="draft",
                          title=clean["title"], target_kind=target_kind)
    _fill(checklist, clean["sections"])
    session.add(checklist)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise errors.Conflict(f"Phiên bản {checklist.version} của {code} vừa được tạo; "
                              "hãy thử lại.") from exc
    return checklist


def update_draft(session: Session, checklist_id: uuid.UUID, *, title: str, target_kind: str,
                 sections: Sequence[Mapping[str, Any]],
                 if_match: Collection[str] | None = None) -> Checklist:
    """Replace a draft's title, target and content. A published or retired version is
    immutable (InvalidState). `if_match`: ETags the caller saw (VersionMismatch if stale)."""
    checklist = _get_for_write(session, checklist_id, if_match)
    _require_status(checklist, "draft", "Chỉ sửa được bản nháp; hãy tạo phiên bản mới.")
    problems: dict[str, list[str]] = {}
    sections = cite_register(session, sections, problems)
    clean = _validated_content(title, target_kind, sections, problems)
    if problems:
        raise errors.ValidationFailed("Nội dung bảng kiểm tra không hợp lệ.", errors=problems)
    checklist.title = clean["title"]
    checklist.target_kind = target_kind
    checklist.sections.clear()
    session.flush()  # delete the old rows before inserting codes that may repeat
    _fill(checklist, clean["sections"])
    session.flush()
    return checklist


def publish(session: Session, checklist_id: uuid.UUID, *, retire_previous: bool = False,
            if_match: Collection[str] | None = None) -> Checklist:
    """Draft → published (immutable from now on); optionally retire the versions of the same
    code that were published before."""
    checklist = _get_for_write(session, checklist_id, if_match)
    _require_status(checklist, "draft", "Chỉ công bố được bản nháp.")
    if retire_previous:
        for older in session.scalars(select(Checklist).where(
                Checklist.code == checklist.code, Checklist.status == "published",
                Checklist.version < checklist.version)):
            older.status = "retired"
    checklist.status = "published"
    checklist.published_at = utcnow()
    session.flush()
    legal.sync_register(session)  # a citation new to the register is registered as authored
    return checklist


def retire(session: Session, checklist_id: uuid.UUID, *,
           if_match: Collection[str] | None = None) -> Checklist:
    """Published → retired: kept for the inspections that pinned it, offered no more."""
    checklist = _get_for_write(session, checklist_id, if_match)
    _require_status(checklist, "published", "Chỉ ngừng áp dụng được phiên bản đã công bố.")
    checklist.status = "retired"
    session.flush()
    return checklist


def content(checklist: Checklist) -> dict[str, Any]:
    """The version as plain data (the shape the API shows)."""
    return {
        "id": str(checklist.id), "code": checklist.code, "version": checklist.version,
        "title": checklist.title, "target_kind": checklist.target_kind,
        "status": checklist.status,
        "sections": [{"code": s.code, "title": s.title, "items": [
            {key: getattr(i, key) for key in sorted(ITEM_KEYS)} for i in s.items]}
            for s in checklist.sections],
    }


def fingerprint(checklist: Checklist) -> str:
    """A strong validator (ETag value) of the version's content and status."""
    raw = json.dumps(content(checklist), sort_keys=True, ensure_ascii=False,
                     separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _get_for_write(session: Session, checklist_id: uuid.UUID,
                   if_match: Collection[str] | None) -> Checklist:
    checklist = get_checklist(session, checklist_id)
    if if_match is not None and fingerprint(checklist) not in if_match:
        raise errors.VersionMismatch("Bảng kiểm tra đã thay đổi; hãy tải lại (ETag đã cũ).")
    return checklist


def _require_status(checklist: Checklist, status: str, message: str) -> None:
    if checklist.status != status:
        raise errors.InvalidState(f"{message} ({checklist.code} v{checklist.version}: "
                                  f"{checklist.status}).", current_status=checklist.status)


def _fill(checklist: Checklist, sections: list[dict[str, Any]]) -> None:
    for s_pos, section in enumerate(sections, start=1):
        row = ChecklistSection(position=s_pos, code=section["code"], title=section["title"])
        for i_pos, item in enumerate(section["items"], start=1):
            row.items.append(ChecklistItem(checklist_id=checklist.id, position=i_pos, **item))
        checklist.sections.append(row)


# --- validation of a version's content --------------------------------------------------


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def cite_register(session: Session, sections: Any,
                  problems: dict[str, list[str]]) -> Any:
    """`sections` (a copy) with each citation tied to the register of legal references by
    id: a citation naming an `id` takes the reference's instrument, article and status; one
    naming its instrument and article gets the id they derive (registered at publication).
    An unknown id is a problem of its path."""
    if not isinstance(sections, list):
        return sections
    sections = copy.deepcopy(sections)
    done: set[int] = set()  # a citation shared by several items is one object in the copy
    for n, section in enumerate(sections):
        items = section.get("items") if isinstance(section, Mapping) else None
        for m, item in enumerate(items if isinstance(items, list) else []):
            refs = item.get("legal_refs") if isinstance(item, dict) else None
            for k, ref in enumerate(refs if isinstance(refs, list) else []):
                if isinstance(ref, dict) and id(ref) not in done:
                    done.add(id(ref))
                    _cite(session, ref, f"sections.{n}.items.{m}.legal_refs.{k}", problems)
    return sections


def _cite(session: Session, ref: dict[str, Any], path: str,
          problems: dict[str, list[str]]) -> None:
    if ref.get("id") in (None, ""):
        if isinstance(ref.get("instrument"), str) and ref["instrument"].strip():
            ref["id"] = str(legal.reference_id(ref["instrument"], ref.get("article")))
        return
    try:
        row = session.get(LegalReference, uuid.UUID(str(ref["id"])))
    except ValueError:
        row = None
    if row is None:
        problems[f"{path}.id"] = ["Không có căn cứ này trong danh mục căn cứ pháp lý."]
        return
    ref.update(id=str(row.id), instrument=row.instrument, article=row.article or None,
               status=row.status)


def _validated_content(title: Any, target_kind: Any, sections: Any,
                       problems: dict[str, list[str]]) -> dict[str, Any]:
    """Check everything, collecting every problem by field path; return a normalised copy."""
    if not isinstance(title, str) or not title.strip() or len(title) > 300:
        problems["title"] = ["Tiêu đề bắt buộc, tối đa 300 ký tự."]
    if target_kind not in TARGET_KINDS:
        problems["target_kind"] = [f"Một trong: {', '.join(TARGET_KINDS)}."]
    if not isinstance(sections, Sequence) or isinstance(sections, str) or not sections:
        problems["sections"] = ["Cần ít nhất một phần."]
        return {"title": _nfc(title), "sections": []}
    for path in _paths_with_nul({"title": title, "sections": sections}, ""):
        problems[path] = ["Không được chứa ký tự NUL."]
    clean = [_clean_section(s, f"sections.{n}", problems) for n, s in enumerate(sections)]
    _check_codes(clean, problems)
    item_types = {i["code"]: i["answer_type"] for s in clean for i in s["items"]
                  if isinstance(i["code"], str)}
    for n, section in enumerate(clean):
        for m, item in enumerate(section["items"]):
            _check_item(item, item_types, f"sections.{n}.items.{m}", problems)
    return {"title": _nfc(title), "sections": clean}


def _paths_with_nul(value: Any, path: str) -> list[str]:
    """Field paths of strings holding NUL (PostgreSQL text cannot store it)."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, Mapping):
        return [p for k, v in value.items()
                for p in _paths_with_nul(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list | tuple):
        return [p for n, v in enumerate(value) for p in _paths_with_nul(v, f"{path}.{n}")]
    return []


def _clean_section(section: Any, path: str, problems: dict[str, list[str]]) -> dict[str, Any]:
    if not isinstance(section, Mapping) or set(section) - {"code", "title", "items"}:
        problems[path] = ["Một phần gồm code, title, items."]
        return {"code": "", "title": "", "items": []}
    code, title, items = section.get("code"), section.get("title"), section.get("items")
    if not isinstance(code, str) or identifiers.problem(code, identifiers.ITEM_CODE):
        problems[f"{path}.code"] = ["Mã phần bắt buộc: chữ, số, '.', '_', '-' (tối đa 20 ký "
                                    "tự)."]
    if not isinstance(title, str) or not title.strip() or len(title) > 300:
        problems[f"{path}.title"] = ["Tên phần bắt buộc, tối đa 300 ký tự."]
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        problems[f"{path}.items"] = ["Cần ít nhất một mục."]
        items = []
    clean_items = []
    for m, item in enumerate(items):
        if not isinstance(item, Mapping) or set(item) - ITEM_KEYS:
            problems[f"{path}.items.{m}"] = [f"Một mục chỉ gồm: {', '.join(sorted(ITEM_KEYS))}."]
            continue
        clean_items.append(_clean_item(item))
    return {"code": code, "title": _nfc(title), "items": clean_items}


def _clean_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults filled, text NFC, JSON values deep-copied (never shared with the caller)."""
    refs = copy.deepcopy(item.get("legal_refs") or [])
    if isinstance(refs, list):
        refs = [{k: _nfc(v) for k, v in r.items()} if isinstance(r, Mapping) else r
                for r in refs]
    choices = copy.deepcopy(item.get("choices"))
    return {
        "code": item.get("code"), "text": _nfc(item.get("text")),
        "answer_type": item.get("answer_type"), "required": item.get("required", True),
        "photo_required": item.get("photo_required", False),
        "compliant_when": copy.deepcopy(item.get("compliant_when")),
        "severity": item.get("severity"), "legal_basis": _nfc(item.get("legal_basis") or ""),
        "legal_refs": refs,
        "choices": [_nfc(c) for c in choices] if isinstance(choices, list) else choices,
    }


def _check_codes(sections: list[dict[str, Any]], problems: dict[str, list[str]]) -> None:
    seen_sections: set[str] = set()
    seen_items: set[Any] = set()
    for n, section in enumerate(sections):
        if section["code"] in seen_sections:
            problems[f"sections.{n}.code"] = [f"Mã phần trùng: {section['code']}."]
        seen_sections.add(section["code"])
        for m, item in enumerate(section["items"]):
            code = item["code"]
            if not isinstance(code, str) or identifiers.problem(code, identifiers.ITEM_CODE):
                problems[f"sections.{n}.items.{m}.code"] = [
                    "Mã mục bắt buộc: chữ, số, '.', '_', '-' (tối đa 20 ký tự)."]
            elif code in seen_items:
                problems[f"sections.{n}.items.{m}.code"] = [f"Mã mục trùng: {code}."]
            seen_items.add(code if isinstance(code, str) else None)


def _check_item(item: dict[str, Any], item_types: Mapping[str, Any], path: str,
                problems: dict[str, list[str]]) -> None:
    def bad(field: str, message: str) -> None:
        problems.setdefault(f"{path}.{field}", []).append(message)

    kind = item["answer_type"]
    if not isinstance(item["text"], str) or not item["text"].strip():
        bad("text", "Nội dung mục bắt buộc.")
    if kind not in ANSWER_TYPES:
        bad("answer_type", f"Một trong: {', '.join(ANSWER_TYPES)}.")
    for flag in ("required", "photo_required"):
        if not isinstance(item[flag], bool):
            bad(flag, "Phải là true hoặc false.")
    if not isinstance(item["legal_basis"], str):
        bad("legal_basis", "Phải là chuỗi.")
    choices = item["choices"]
    if kind == "choice":
        if (not isinstance(choices, list) or not choices
                or not all(isinstance(c, str) and c for c in choices)
                or len(set(choices)) != len(choices)):
            bad("choices", "Mục kiểu choice cần danh sách lựa chọn không rỗng, không trùng.")
    elif choices is not None:
        bad("choices", "Chỉ mục kiểu choice mới có choices.")
    severity, rule = item["severity"], item["compliant_when"]
    if severity is not None and severity not in SEVERITIES:
        bad("severity", f"Một trong: {', '.join(SEVERITIES)} hoặc null.")
    if (severity is None) != (rule is None):
        bad("severity", "Mục có compliant_when thì phải có severity và ngược lại.")
    try:
        compliance.validate_rule(rule, item_types, answer_type=kind, code=item["code"],
                                 choices=choices if isinstance(choices, list) else None)
    except errors.ValidationFailed as exc:
        bad("compliant_when", exc.detail)
    _check_refs(item["legal_refs"], f"{path}.legal_refs", problems)


def _check_refs(refs: Any, path: str, problems: dict[str, list[str]]) -> None:
    if not isinstance(refs, list):
        problems[path] = ["Phải là danh sách."]
        return
    for n, ref in enumerate(refs):
        where = f"{path}.{n}"
        if f"{where}.id" in problems:  # an unknown reference: nothing more to say of it
            continue
        if not isinstance(ref, Mapping) or set(ref) - REF_KEYS:
            problems[where] = [f"Một căn cứ chỉ gồm: {', '.join(sorted(REF_KEYS))}."]
            continue
        if not isinstance(ref.get("instrument"), str) or not ref["instrument"].strip():
            problems[f"{where}.instrument"] = ["Tên văn bản bắt buộc."]
        if ref.get("article") is not None and not isinstance(ref["article"], str):
            problems[f"{where}.article"] = ["Phải là chuỗi hoặc null."]
        if ref.get("status") not in REF_STATUSES:
            problems[f"{where}.status"] = [f"Một trong: {', '.join(REF_STATUSES)}."]
        for key in ("effective_from", "effective_to"):
            value = ref.get(key)
            if value is not None and not (isinstance(value, str)
                                          and compliance.is_iso_date(value)):
                problems[f"{where}.{key}"] = ["Ngày dạng YYYY-MM-DD."]
        if ref.get("note") is not None and not isinstance(ref["note"], str):
            problems[f"{where}.note"] = ["Phải là chuỗi hoặc null."]
