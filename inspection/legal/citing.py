"""What a finding may cite: the references in force on the violation's date, and verified.

A finding carries its checklist item's citations. For a notice each citation is resolved to
the reference that applied on the day of the violation (the inspection's visit, in Vietnam):
a reference not yet in force then gives way to the one it superseded (Decree 174/2026 from
1 July 2026; an earlier violation cites the decree it replaced), one that had ended by then to
its successor. The resolved reference is citable when it is `verified`, or when it was verified
and has since been superseded or repealed with a known last day that the violation precedes.
Anything else blocks the notice, with what supersedes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection.legal.services import ENDED, VERIFIED, id_of
from inspection.models import LegalReference

_HOPS = 10  # a chain of successors longer than this is not followed further


@dataclass(frozen=True)
class Blocked:
    """One citation that keeps a finding from a notice, and why (Vietnamese)."""

    item_code: str
    cited: LegalReference | None
    cited_label: str
    applies: LegalReference | None
    successor: LegalReference | None
    reason: str

    def as_problem(self) -> dict[str, Any]:
        return {
            "item_code": self.item_code,
            "reference": _brief(self.cited) if self.cited else {"label": self.cited_label},
            "applies": _brief(self.applies) if self.applies else None,
            "superseded_by": _brief(self.successor) if self.successor else None,
            "reason": self.reason,
        }

    def line(self) -> str:
        """"Mục A1: Nghị định 26/2020/NĐ-CP Đ.4(3) – đã được thay thế …; thay thế bởi …"."""
        what = self.applies.label if self.applies is not None else self.cited_label
        text = f"Mục {self.item_code}: {what} – {self.reason}" if what else (
            f"Mục {self.item_code} – {self.reason}")
        return f"{text}; thay thế bởi {self.successor.label}" if self.successor else text


def _brief(reference: LegalReference) -> dict[str, Any]:
    return {"id": str(reference.id), "label": reference.label, "status": reference.status}


@dataclass(frozen=True)
class Citations:
    """The printed legal basis of each finding (by item code), or the citations blocking."""

    basis: dict[str, str]
    blocked: tuple[Blocked, ...]


class Register:
    """The register rows a set of citations needs, loaded in a few queries."""

    def __init__(self, session: Session, ids: Iterable[uuid.UUID]):
        self.session = session
        self.rows: dict[uuid.UUID, LegalReference] = {}
        self._load(set(ids))

    def _load(self, ids: set[uuid.UUID]) -> None:
        """The rows of `ids`, their successors and their predecessors, hop by hop."""
        asked: set[uuid.UUID] = set()
        frontier = ids
        for _ in range(_HOPS):
            if not frontier:
                return
            asked |= frontier
            found = self.session.scalars(select(LegalReference).where(
                LegalReference.id.in_(frontier)
                | LegalReference.superseded_by_id.in_(frontier))).all()
            new = [r for r in found if r.id not in self.rows]
            self.rows.update((r.id, r) for r in new)
            frontier = ({r.id for r in new}
                        | {r.superseded_by_id for r in new if r.superseded_by_id}) - asked

    def get(self, reference_id: uuid.UUID) -> LegalReference | None:
        return self.rows.get(reference_id)

    def predecessors(self, reference: LegalReference) -> list[LegalReference]:
        return [r for r in self.rows.values() if r.superseded_by_id == reference.id]


def applicable(register: Register, reference: LegalReference, on: date) -> LegalReference:
    """The reference that applied on `on` in `reference`'s line of succession."""
    current = reference
    for _ in range(_HOPS):
        if current.valid_from is not None and on < current.valid_from:
            earlier = [p for p in register.predecessors(current)
                       if p.valid_from is None or p.valid_from <= on]
            if len(earlier) != 1:  # none, or several articles: which one is not known
                return current
            current = earlier[0]
        elif (current.valid_to is not None and on > current.valid_to
              and current.superseded_by_id is not None
              and register.get(current.superseded_by_id) is not None):
            current = register.rows[current.superseded_by_id]
        else:
            return current
    return current


def why_not(reference: LegalReference, on: date) -> str | None:
    """None when `reference` may be cited for a violation on `on`, else the reason."""
    day = on.strftime("%d/%m/%Y")
    if reference.valid_from is not None and on < reference.valid_from:
        return f"chưa có hiệu lực vào ngày vi phạm {day}"
    if reference.status == VERIFIED:
        if reference.valid_to is not None and on > reference.valid_to:
            return f"đã hết hiệu lực trước ngày vi phạm {day}"
        return None
    if reference.status in ENDED:
        if (reference.verified_at is not None and reference.valid_to is not None
                and on <= reference.valid_to):
            return None
        return ("đã được thay thế" if reference.status == "superseded"
                else "đã bị bãi bỏ") + " (không còn áp dụng cho vi phạm này)"
    if reference.status == "verified-summary":
        return "mới xác minh qua bản tin tóm tắt, chưa xác minh điều, khoản"
    return "chưa xác minh"


def cite(session: Session, findings: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], *,
         on: date, province_code: str | None = None) -> Citations:
    """Resolve the citations of `findings` (item code, its `legal_refs`) for a violation on
    `on` in `province_code`: the printed basis of each, and every citation that may not be
    printed. Another province's local instruments are left out; a citation not in force on
    `on` is left out too when the finding also cites, in force, the reference it replaced or
    was replaced by (an item citing the old law and the new one)."""
    register = Register(session, (id_of(c) for _, refs in findings for c in refs))
    basis: dict[str, str] = {}
    blocked: list[Blocked] = []
    for code, refs in findings:
        resolved: list[tuple[LegalReference, LegalReference]] = []
        for citation in refs:
            cited = register.get(id_of(citation))
            if cited is None:
                label = " ".join(filter(None, (citation.get("instrument"),
                                               citation.get("article"))))
                blocked.append(Blocked(code, None, label, None, None,
                                       "không có trong danh mục căn cứ pháp lý"))
            elif cited.province_code in (None, province_code) or province_code is None:
                resolved.append((cited, applicable(register, cited, on)))
        in_force = {a.id for _, a in resolved if a.in_force_on(on)}
        labels: list[str] = []
        seen: set[uuid.UUID] = set()
        for cited, applies in resolved:
            if applies.id in seen or (not applies.in_force_on(on) and _replaced_within(
                    register, applies, in_force)):
                continue
            seen.add(applies.id)
            reason = why_not(applies, on)
            if reason is None:
                labels.append(applies.label)
                continue
            successor = (register.get(applies.superseded_by_id)
                         if applies.superseded_by_id else None)
            blocked.append(Blocked(code, cited, cited.label, applies, successor, reason))
        if not refs or (not labels and not any(b.item_code == code for b in blocked)):
            blocked.append(Blocked(code, None, "", None, None,
                                   "mục kiểm tra không có căn cứ pháp lý áp dụng"))
        basis[code] = "; ".join(labels)
    return Citations(basis, tuple(blocked))


def _replaced_within(register: Register, reference: LegalReference,
                     in_force: set[uuid.UUID]) -> bool:
    """Whether a reference in `in_force` replaced `reference` or was replaced by it."""
    if reference.superseded_by_id in in_force:
        return True
    return any(p.id in in_force for p in register.predecessors(reference))
