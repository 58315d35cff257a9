"""factory_boy factories bound to the test's session."""

from __future__ import annotations

import uuid
from datetime import date

import factory
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from geo.points import point_wkt
from inspection import audit
from inspection.db import utcnow
from inspection.models import (
    Assignment,
    Campaign,
    Checklist,
    ChecklistItem,
    ChecklistSection,
    ProvisionReport,
    Signer,
    Site,
    StaffMember,
    User,
)

PASSWORD = "mat-khau-thu-nghiem"
# argon2id at its cheapest cost (1 pass over 8 KiB, one lane). Verifying reads the cost from the
# hash itself, so a factory user's login runs the real check in about a millisecond, where the
# production cost (64 MiB, 3 passes, 4 lanes) took ~0.2 s of CPU per login, most of the API tests.
_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)

# Cần Thơ's centre (Ninh Kiều); a point inside the city.
CAN_THO = (105.7469, 10.0452)


def bind(session: Session) -> None:
    for f in _ALL:
        f._meta.sqlalchemy_session = session


point = point_wkt


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Flushed and chained at once: a test's world reads as written before the test
        (the code under test chains its own writes when it commits, as in production)."""
        obj = super()._create(model_class, *args, **kwargs)
        audit.chain_pending(cls._meta.sqlalchemy_session)
        return obj


class UserFactory(_Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password_hash = _HASH
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    role = "inspector"
    agency = "skhcn"
    province_code = "92"


class SiteFactory(_Base):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Bưu cục KT1 số {n}")
    kind = "kt1_provider"
    organization = "Bưu điện thành phố Cần Thơ"
    address = "Ninh Kiều, Cần Thơ"
    location = factory.LazyFunction(lambda: point(*CAN_THO))
    province_code = "92"


_ALL: list[type[_Base]] = [UserFactory, SiteFactory]


# --- Checklists, campaigns and assignments -------------------------------------------------

class ChecklistFactory(_Base):
    """A small published checklist (one section, one item), independent of built-in content."""

    class Meta:
        model = Checklist

    code = factory.Sequence(lambda n: f"TEST-{n}")
    version = 1
    title = factory.Sequence(lambda n: f"Bảng kiểm tra thử nghiệm {n}")
    target_kind = "kt1_provider"
    status = "published"
    published_at = factory.LazyFunction(utcnow)

    @factory.post_generation
    def with_item(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create or extracted is False:
            return
        session = ChecklistFactory._meta.sqlalchemy_session
        section = ChecklistSection(checklist=obj, position=1, code="A",
                                   title="Điều kiện cung cấp dịch vụ")
        session.add(section)
        session.flush()
        session.add(ChecklistItem(
            checklist_id=obj.id, section_id=section.id, position=1, code="A1",
            text="Có bố trí nơi giao nhận bưu gửi KT1 riêng biệt", answer_type="yes_no_na",
            required=True, compliant_when={"in": ["yes", "na"]}, severity="high",
            legal_basis="Quyết định 32/2025/QĐ-TTg",
            legal_refs=[{"instrument": "Quyết định 32/2025/QĐ-TTg", "article": None,
                         "status": "verified-summary"}]))
        session.flush()


class CampaignFactory(_Base):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Đợt kiểm tra KT1 năm 2026 số {n}")
    province_code = "92"
    starts_on = date(2026, 3, 1)
    ends_on = date(2026, 6, 30)
    checklist_id = factory.LazyFunction(lambda: ChecklistFactory().id)
    created_by = factory.LazyFunction(lambda: UserFactory(role="supervisor").id)
    version = 1


class AssignmentFactory(_Base):
    class Meta:
        model = Assignment

    campaign = factory.SubFactory(CampaignFactory)
    site_id = factory.LazyFunction(lambda: SiteFactory().id)
    due_on = date(2026, 4, 15)
    status = "open"
    version = 1
    team = factory.LazyFunction(list)


_ALL.extend([ChecklistFactory, CampaignFactory, AssignmentFactory])


# --- Inspections: a checklist with every kind of rule the inspection flow must handle ------

def inspection_checklist(*, target_kind: str = "kt1_provider") -> Checklist:
    """A published checklist: A1 yes/no (high), A2 yes/no with a required photo (critical),
    C1 staff and C2 vetted staff (`gte_item` C1, critical), C5 a date, H1 an optional choice
    (low), K1 optional text. Required: A1, A2, C1, C2, C5."""
    from inspection.models import ChecklistItem as Item
    from inspection.models import ChecklistSection as Section

    checklist = ChecklistFactory(with_item=False, target_kind=target_kind)
    session = ChecklistFactory._meta.sqlalchemy_session
    ref_174 = {"instrument": "Nghị định 174/2026/NĐ-CP", "article": "9(1)", "status": "verified"}
    ref_32 = {"instrument": "Quyết định 32/2025/QĐ-TTg", "article": None,
              "status": "verified-summary"}
    layout = {
        ("A", "Chấp nhận bưu gửi KT1"): [
            dict(code="A1", text="Dấu ngày, thời gian chấp nhận thể hiện đúng trên bưu gửi",
                 answer_type="yes_no_na", compliant_when={"in": ["yes", "na"]},
                 severity="high", legal_basis="NĐ 174/2026/NĐ-CP Đ.9(1)", legal_refs=[ref_174]),
            dict(code="A2", text="Bưu gửi KT1 được đóng dấu KT1, gắn mã vạch và định vị",
                 answer_type="yes_no_na", photo_required=True,
                 compliant_when={"in": ["yes", "na"]}, severity="critical",
                 legal_basis="QĐ 32/2025/QĐ-TTg", legal_refs=[ref_32]),
        ],
        ("C", "Nhân sự"): [
            dict(code="C1", text="Số người lao động trực tiếp tham gia cung cấp dịch vụ KT1",
                 answer_type="number"),
            dict(code="C2", text="Số người đã được thẩm tra tiêu chuẩn chính trị",
                 answer_type="number", compliant_when={"gte_item": "C1"}, severity="critical",
                 legal_basis="QĐ 32/2025/QĐ-TTg", legal_refs=[ref_32]),
            dict(code="C5", text="Ngày tập huấn nghiệp vụ gần nhất", answer_type="date"),
        ],
        ("H", "Giá cước"): [
            dict(code="H1", text="Niêm yết giá cước dịch vụ KT1", answer_type="choice",
                 required=False, choices=["đầy đủ", "thiếu", "không niêm yết"],
                 compliant_when={"in": ["đầy đủ"]}, severity="low",
                 legal_basis="NĐ 174/2026/NĐ-CP Đ.15(3)", legal_refs=[ref_174]),
        ],
        ("K", "Kết luận"): [
            dict(code="K1", text="Ý kiến giải trình của đơn vị được kiểm tra",
                 answer_type="text", required=False),
        ],
    }
    for position, ((code, title), items) in enumerate(layout.items(), start=1):
        section = Section(checklist=checklist, position=position, code=code, title=title)
        session.add(section)
        session.flush()
        for n, item in enumerate(items, start=1):
            item.setdefault("legal_basis", "")
            item.setdefault("legal_refs", [])
            session.add(Item(checklist_id=checklist.id, section_id=section.id, position=n,
                             **item))
    session.flush()
    session.expire(checklist, ["sections"])
    return checklist


def joint_team(province_code: str = "92") -> tuple[User, User]:
    """An inspector of the Sở KH&CN and an officer of the Công an, enough for a provider."""
    return (UserFactory(role="inspector", agency="skhcn", province_code=province_code),
            UserFactory(role="police", agency="police", province_code=province_code))


# --- The KT1 staff roster --------------------------------------------------------------------

class StaffMemberFactory(_Base):
    """A current worker of a Cần Thơ provider site (its organisation and province), vetting
    not requested; pass `site=` to put them elsewhere."""

    class Meta:
        model = StaffMember
        exclude = ("site",)

    site = factory.SubFactory(SiteFactory)
    site_id = factory.SelfAttribute("site.id")
    organization = factory.SelfAttribute("site.organization")
    province_code = factory.SelfAttribute("site.province_code")
    full_name = factory.Sequence(lambda n: f"Trần Thị Thu {n}")
    position = "Nhân viên khai thác bưu gửi KT1"
    joined_on = date(2024, 3, 1)
    trained_on = None
    secrecy_commitment = False
    left_on = None
    vetting_status = "not_requested"
    created_by = factory.LazyAttribute(lambda o: UserFactory(
        role="post", agency="post", organization=o.organization,
        province_code=o.province_code).id)
    version = 1


_ALL.append(StaffMemberFactory)


# --- The post office's annual KT1 report ------------------------------------------------------

CAN_THO_POST = "Bưu điện thành phố Cần Thơ"
PROVISION_CONTENT = {
    "total_volume": 1_234_567,
    "local_volume": 234_567,
    "staff_involved": 45,
    "revenue_vnd": 12_345_678_900,
    "compliance": {
        "service": "Chấp nhận, vận chuyển và phát bưu gửi KT1 đúng quy trình nghiệp vụ.",
        "quality": "Thời gian toàn trình bảo đảm chỉ tiêu chất lượng đã công bố.",
        "connection": "Kết nối đầy đủ với các điểm phục vụ KT1 cấp xã, phường.",
        "security": "Bố trí khu vực khai thác riêng, có camera giám sát.",
        "archiving": "Lưu trữ sổ sách, chứng từ KT1 đủ thời hạn quy định.",
    },
    "incidents": [{"occurred_on": "2026-03-14",
                   "description": "Chậm phát 02 bưu gửi KT1 do xe vận chuyển hỏng giữa đường",
                   "handling": "Điều xe dự phòng, phát xong trong ngày; nhắc nhở tổ vận chuyển"}],
    "difficulties": "Địa bàn rộng, nhiều xã cù lao đi lại khó khăn.",
    "proposals": "Đề nghị các cơ quan sử dụng dịch vụ KT1 đúng quy định.",
}
"""A complete report's content: figures, each compliance aspect, one incident, texts."""


class ProvisionReportFactory(_Base):
    """A draft of Cần Thơ's post office for 2026; `complete=True` states all the content."""

    class Meta:
        model = ProvisionReport

    id = factory.LazyFunction(uuid.uuid4)
    province_code = "92"
    organization = CAN_THO_POST
    year = 2026
    status = "draft"
    created_by = factory.LazyAttribute(lambda o: UserFactory(
        role="post", agency="post", organization=o.organization,
        province_code=o.province_code).id)
    version = 1

    class Params:
        complete = factory.Trait(**PROVISION_CONTENT)


_ALL.append(ProvisionReportFactory)


# --- The register of signing officials ---------------------------------------------------------

class SignerFactory(_Base):
    """An active deputy director of Cần Thơ's Sở signing on the director's behalf."""

    class Meta:
        model = Signer

    id = factory.LazyFunction(uuid.uuid4)
    province_code = "92"
    full_name = factory.Sequence(lambda n: f"Lê Văn Ký {n}")
    title = "Phó Giám đốc"
    delegation = "KT. GIÁM ĐỐC"
    active = True
    version = 1


_ALL.append(SignerFactory)


def the_signer(province_code: str = "92") -> Signer:
    """The province's only active signer, added if it has none: what a world that issues
    notices or reports needs (asked for without `signer_id`, they are signed by it)."""
    from sqlalchemy import select

    session = SignerFactory._meta.sqlalchemy_session
    active = session.scalars(select(Signer).where(Signer.province_code == province_code,
                                                  Signer.active.is_(True))).all()
    return active[0] if len(active) == 1 else SignerFactory(province_code=province_code)
