"""The register's first content: every reference the checklists cite, with what is known of
each instrument (issuing body, dates, what replaced it) from the domain material
(/work/shared/domain/kt1-checklists.md).

`sync_register` adds what is missing and never changes a row an admin may have edited: run
after the built-in checklists are seeded (and after a migration that brought published
checklists from before the register), it registers each citation under the id derived from
its instrument and article, so those citations and the register name the same row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection.checklists import citations
from inspection.db import utcnow
from inspection.legal.services import reference_id
from inspection.models import ChecklistItem, LegalReference

QD32 = "Quyết định 32/2025/QĐ-TTg"
QD37 = "Quyết định 37/2021/QĐ-TTg"
QD55 = "Quyết định 55/2016/QĐ-TTg"
TT15 = "Thông tư 15/2022/TT-BTTTT"
TT16 = "Thông tư 16/2017/TT-BTTTT"
ND174 = "Nghị định 174/2026/NĐ-CP"
ND15 = "Nghị định 15/2020/NĐ-CP"
LUAT29 = "Luật Bảo vệ bí mật nhà nước 29/2018/QH14"
LUAT117 = "Luật 117/2025/QH15"
ND26 = "Nghị định 26/2020/NĐ-CP"
ND63 = "Nghị định 63/2026/NĐ-CP"


@dataclass(frozen=True)
class Instrument:
    """What is known of an instrument. `successor`: the instrument that replaced it (cited
    whole, its article unknown); `text_verified`: its cited articles were checked against the
    official text before it was replaced, so a violation from its time may cite them."""

    issuing_body: str
    issued_on: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    successor: str | None = None
    text_verified: bool = False
    title: str = ""
    province_code: str | None = None


INSTRUMENTS: dict[str, Instrument] = {
    QD32: Instrument("Thủ tướng Chính phủ", date(2025, 9, 8), valid_from=date(2025, 11, 1),
                     title="Về mạng bưu chính phục vụ cơ quan Đảng, Nhà nước"),
    QD37: Instrument("Thủ tướng Chính phủ", valid_to=date(2025, 10, 31), successor=QD32),
    QD55: Instrument("Thủ tướng Chính phủ", successor=QD37),
    TT16: Instrument("Bộ Thông tin và Truyền thông", successor=TT15),
    TT15: Instrument("Bộ Thông tin và Truyền thông"),
    ND174: Instrument("Chính phủ", valid_from=date(2026, 7, 1),
                      title="Xử phạt vi phạm hành chính trong lĩnh vực bưu chính"),
    ND15: Instrument("Chính phủ", valid_to=date(2026, 6, 30)),
    LUAT29: Instrument("Quốc hội", valid_to=date(2026, 2, 28), successor=LUAT117,
                       text_verified=True),
    LUAT117: Instrument("Quốc hội", valid_from=date(2026, 3, 1),
                        title="Luật Bảo vệ bí mật nhà nước"),
    ND26: Instrument("Chính phủ", successor=ND63, text_verified=True),
    ND63: Instrument("Chính phủ"),
    "Luật Bưu chính 2010": Instrument("Quốc hội"),
    "Luật Xử lý vi phạm hành chính": Instrument("Quốc hội"),
    "Thông tư 24/2020/TT-BCA": Instrument("Bộ Công an"),
    citations.CAN_THO: Instrument("Chủ tịch UBND thành phố Cần Thơ", province_code="92"),
    citations.HAI_PHONG: Instrument("UBND thành phố Hải Phòng", province_code="31"),
}

ND15_NOTE = ("Áp dụng cho vi phạm kết thúc trước 01/7/2026: Nghị định 15/2020/NĐ-CP (sửa đổi "
             "bởi Nghị định 14/2022/NĐ-CP và 211/2025/NĐ-CP); điều, khoản tương ứng chưa xác "
             "minh")
SEEDED = "Trạng thái theo tài liệu nghiệp vụ khi lập danh mục."


def _body(instrument: str) -> str:
    """The issuing body an instrument's name implies, when the table does not say."""
    known = INSTRUMENTS.get(instrument)
    if known is not None:
        return known.issuing_body
    for word, body in (("Luật", "Quốc hội"), ("Nghị định", "Chính phủ"),
                       ("QĐ-TTg", "Thủ tướng Chính phủ"), ("TT-BTTTT",
                                                          "Bộ Thông tin và Truyền thông"),
                       ("TT-BCA", "Bộ Công an"), ("Cần Thơ", "UBND thành phố Cần Thơ"),
                       ("Hải Phòng", "UBND thành phố Hải Phòng")):
        if word in instrument:
            return body
    return ""


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


class _Sync:
    def __init__(self, session: Session):
        self.session = session
        self.rows = {r.id: r for r in session.scalars(select(LegalReference))}
        self.now = utcnow()
        self.added = 0

    def ensure(self, instrument: str, article: str | None, status: str, *,
               note: str = "", valid_from: date | None = None, valid_to: date | None = None,
               superseded_by: uuid.UUID | None = None) -> LegalReference:
        key = reference_id(instrument, article)
        row = self.rows.get(key)
        if row is not None:
            return row
        known = INSTRUMENTS.get(instrument, Instrument(_body(instrument)))
        verified = status == "verified" or (status == "superseded" and known.text_verified)
        row = LegalReference(
            id=key, instrument=instrument, article=article or "", title=known.title,
            issuing_body=known.issuing_body or _body(instrument), issued_on=known.issued_on,
            status=status, valid_from=valid_from or known.valid_from,
            valid_to=valid_to or known.valid_to, superseded_by_id=superseded_by,
            province_code=known.province_code,
            verified_at=self.now if verified else None,
            note=" ".join(filter(None, (note, SEEDED))), version=1)
        self.session.add(row)
        self.session.flush()
        self.rows[key] = row
        self.added += 1
        return row

    def successor_of(self, instrument: str) -> uuid.UUID | None:
        """The (whole) instrument that replaced `instrument`, registered on the way."""
        known = INSTRUMENTS.get(instrument)
        if known is None or known.successor is None:
            return None
        after = self.successor_of(known.successor)
        successor = INSTRUMENTS.get(known.successor)
        status = "superseded" if after is not None else "unverified"
        return self.ensure(known.successor, None, status, superseded_by=after,
                           valid_from=successor.valid_from if successor else None).id

    def citation(self, ref: dict[str, Any]) -> None:
        instrument, article = ref.get("instrument") or "", ref.get("article")
        if not instrument:
            return
        status = ref.get("status") or "unverified"
        successor = self.successor_of(instrument)
        if status == "superseded" and successor is None:
            status = "unverified"  # a replacement nobody has named yet is still to check
        row = self.ensure(instrument, article, status, note=ref.get("note") or "",
                          valid_from=_day(ref.get("effective_from")),
                          valid_to=_day(ref.get("effective_to")),
                          superseded_by=successor if status == "superseded" else None)
        if instrument == ND174 and article:
            self.ensure(ND15, f"điều tương ứng với {ND174} {article}", "unverified",
                        note=ND15_NOTE, superseded_by=row.id)


def sync_register(session: Session) -> int:
    """Register every citation of every checklist version not registered yet (with the
    reference that superseded it, and for each article of Decree 174/2026 the Decree 15/2020
    provision earlier violations cite); returns how many rows were added."""
    sync = _Sync(session)
    for refs in session.scalars(select(ChecklistItem.legal_refs)):
        for ref in refs or []:
            if isinstance(ref, dict):
                sync.citation(ref)
    return sync.added
