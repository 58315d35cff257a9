"""The legal instruments cited by the built-in checklists, with their verification status.

Source: /work/shared/domain/kt1-checklists.md ([V] verified, [V-news] verified via summary,
[U] or "article U" unverified; 55/2016, TT16/2017, Law 29/2018 after 01/3/2026 and Decree
26/2020 superseded) and the two directives held as source documents (verified).
Correct a reference here and publish a new checklist version; never edit a published one.
"""

from __future__ import annotations

from inspection.checklists.authoring import (
    SUMMARY,
    SUPERSEDED,
    UNVERIFIED,
    VERIFIED,
    Ref,
    ref,
)

QD32 = "Quyết định 32/2025/QĐ-TTg"
QD32_FROM = "2025-11-01"
TT15 = "Thông tư 15/2022/TT-BTTTT"
ND174 = "Nghị định 174/2026/NĐ-CP"
CAN_THO = "Chỉ thị của Chủ tịch UBND thành phố Cần Thơ về KT1 (tháng 5/2026)"
HAI_PHONG = "Văn bản của UBND thành phố Hải Phòng triển khai Quyết định 32/2025/QĐ-TTg"

_ORIGIN = "Văn bản gốc của yêu cầu; quy định hiện hành tương ứng chưa xác minh"


def qd32(*, article: str | None = None, note: str | None = None) -> Ref:
    """Decision 32/2025 where the article (or the requirement) is not verified."""
    return ref(QD32, article, UNVERIFIED, note=note or "Chưa xác minh điều, khoản",
               effective_from=QD32_FROM)


def qd32_summary(note: str | None = None) -> Ref:
    """Decision 32/2025 where the requirement is confirmed by public summaries [V-news]."""
    return ref(QD32, None, SUMMARY, note=note, effective_from=QD32_FROM)


def qd32_summary_article_unverified(note: str) -> Ref:
    """[V-news; article U]: the article is unverified, so the reference is too."""
    return ref(QD32, None, UNVERIFIED, note=note, effective_from=QD32_FROM)


def luat29(article: str) -> Ref:
    return ref("Luật Bảo vệ bí mật nhà nước 29/2018/QH14", article, SUPERSEDED,
               effective_to="2026-02-28",
               note="Thay bằng Luật 117/2025/QH15 từ 01/3/2026")


LUAT117 = ref("Luật 117/2025/QH15", None, UNVERIFIED, effective_from="2026-03-01",
              note="Điều, khoản tương ứng chưa xác minh")


def nd26(article: str) -> Ref:
    return ref("Nghị định 26/2020/NĐ-CP", article, SUPERSEDED,
               note="Có thể đã được thay thế bởi Nghị định 63/2026/NĐ-CP (chưa xác minh)")


ND63 = ref("Nghị định 63/2026/NĐ-CP", None, UNVERIFIED,
           note="Cần đối chiếu quy định tương ứng của Nghị định 26/2020/NĐ-CP")
ND63_SUMMARY = ref("Nghị định 63/2026/NĐ-CP", None, SUMMARY)


def nd174(article: str) -> Ref:
    return ref(ND174, article, VERIFIED, effective_from="2026-07-01",
               note="Vi phạm kết thúc trước 01/7/2026 áp dụng Nghị định 15/2020/NĐ-CP")


def qd55(article: str) -> Ref:
    return ref("Quyết định 55/2016/QĐ-TTg", article, SUPERSEDED, note=_ORIGIN)


def tt16(article: str | None, note: str | None = None) -> Ref:
    return ref("Thông tư 16/2017/TT-BTTTT", article, SUPERSEDED,
               note=f"{_ORIGIN}. {note}" if note else _ORIGIN)


def tt15() -> Ref:
    return ref(TT15, None, UNVERIFIED, note="Chưa xác minh điều, khoản")


def luat_buu_chinh(article: str) -> Ref:
    return ref("Luật Bưu chính 2010", article, VERIFIED)


def can_tho(article: str) -> Ref:
    return ref(CAN_THO, article, VERIFIED, note="Bản lưu chưa ghi số, ngày ký")


def hai_phong(article: str) -> Ref:
    return ref(HAI_PHONG, article, VERIFIED, note="Bản lưu không ghi số, ngày ban hành")
