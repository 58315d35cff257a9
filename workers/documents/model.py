"""What an official document needs to be written: plain frozen dataclasses, no behaviour
beyond a few derived labels. Datetimes must be timezone-aware; documents show them in
Vietnam time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from inspection.labels import LABELS

KT1_DECISION = (
    "Quyết định số 32/2025/QĐ-TTg ngày 08 tháng 9 năm 2025 của Thủ tướng Chính phủ "
    "về mạng bưu chính phục vụ cơ quan Đảng, Nhà nước"
)
"""The instrument every KT1 document cites (the KT1 postal network)."""
KT1_DECISION_SHORT = "Quyết định số 32/2025/QĐ-TTg"


class Agency(StrEnum):
    """The two agencies of a joint inspection."""

    DOST = "Sở KH&CN"
    POLICE = "Công an"


class TeamRole(StrEnum):
    LEADER = "Trưởng đoàn"
    DEPUTY = "Phó Trưởng đoàn"
    MEMBER = "Thành viên"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return _SEVERITY_LABELS[self]


_SEVERITY_LABELS = {s: LABELS["severity"][s.value] for s in Severity}


@dataclass(frozen=True)
class IssuingBody:
    """E.g. parent "UBND thành phố Cần Thơ", name "Sở Khoa học và Công nghệ" (as written in
    a sentence; the header capitalises both), abbreviation "SKHCN" (the tail of the symbol
    "12/TB-SKHCN"), place "Cần Thơ" (the date line)."""

    parent: str
    name: str
    abbreviation: str
    place: str


@dataclass(frozen=True)
class Site:
    name: str
    organisation: str
    address: str
    commune: str
    province: str

    @property
    def full_address(self) -> str:
        """The address, then the commune and province unless it names them already."""
        written = self.address.casefold()
        return ", ".join(p for p in (self.address, self.commune, self.province)
                         if p and (p is self.address or p.casefold() not in written))


@dataclass(frozen=True)
class TeamMember:
    """`organisation` is the member's unit as written, e.g. "Công an thành phố Cần Thơ"."""

    full_name: str
    position: str
    agency: Agency
    organisation: str
    role: TeamRole = TeamRole.MEMBER
    signature: bytes | None = None
    """PNG of the signature captured on the tablet, if any."""


@dataclass(frozen=True)
class Representative:
    """A person speaking for the inspected site."""

    full_name: str
    position: str
    signature: bytes | None = None
    refused_to_sign: bool = False


@dataclass(frozen=True)
class Inspection:
    """`grounds` are the "Căn cứ" lines besides Decision 32/2025/QĐ-TTg (the decision that
    formed the team, the city's directive), without the leading "Căn cứ"."""

    started_at: datetime
    ended_at: datetime
    team: tuple[TeamMember, ...]
    grounds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for moment in (self.started_at, self.ended_at):
            if moment.utcoffset() is None:
                raise ValueError("inspection times must be timezone-aware")
        if self.ended_at < self.started_at:
            raise ValueError("an inspection cannot end before it starts")

    @property
    def leader(self) -> TeamMember | None:
        return next((m for m in self.team if m.role is TeamRole.LEADER), None)


@dataclass(frozen=True)
class Finding:
    """A non-compliant item: `legal_basis` is the item's citation as stored, status included."""

    item_code: str
    section: str
    description: str
    legal_basis: str
    severity: Severity


@dataclass(frozen=True)
class Signer:
    """`authority` is the line above the title ("KT. GIÁM ĐỐC"), empty when the head signs."""

    title: str
    full_name: str
    authority: str = ""


@dataclass(frozen=True)
class PhotoEvidence:
    """`thumbnail` is a small JPEG derivative; the original is identified by `sha256`."""

    item_code: str
    sha256: str
    taken_at: datetime | None
    lon: float | None
    lat: float | None
    thumbnail: bytes | None = None


@dataclass(frozen=True)
class Notice:
    """A violation notice (thông báo). `number` None leaves the number blank (a draft).
    `recipients` are the "Nơi nhận" lines; the archive line "Lưu: ..." comes last."""

    body: IssuingBody
    number: int | None
    issued_on: date
    site: Site
    inspection: Inspection
    findings: tuple[Finding, ...]
    due_on: date
    recipients: tuple[str, ...]
    signer: Signer
    photos: tuple[PhotoEvidence, ...]
    verify_url: str
    archive: str = "VT"


@dataclass(frozen=True)
class Answer:
    """One answer as a person reads it ("Có", "Không", "Không áp dụng", "12", "05/11/2026").
    `compliant` is None where compliance does not apply (closing items, unanswered)."""

    section: str
    item_code: str
    question: str
    answer: str
    compliant: bool | None = None
    note: str = ""
    photos: int = 0
    """How many photos of evidence the item has."""


@dataclass(frozen=True)
class Replaced:
    """The record a re-issued record replaces: its number as printed ("01/BB-SKHCN") and
    the day it was drawn up."""

    label: str
    drawn_on: date


@dataclass(frozen=True)
class Record:
    """An inspection record (biên bản kiểm tra), drawn up on the day the inspection ends;
    `replaces` the record it re-issues after the inspection was submitted again."""

    body: IssuingBody
    number: int | None
    site: Site
    inspection: Inspection
    representatives: tuple[Representative, ...]
    answers: tuple[Answer, ...]
    copies: int = 2
    replaces: Replaced | None = None
