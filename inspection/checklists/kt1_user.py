"""Built-in checklist KT1-USER: inspecting an agency that sends through the KT1 service.

J1-J3 and the closing items of kt1-checklists.md (shared with KT1-PROVIDER) plus the duties
the directives put on user agencies (U1-U4). J1 carries the duty that every state-secret item
sent by post goes by KT1 (Cần Thơ 1b, Hải Phòng 4), so that duty is not asked twice.
"""

from __future__ import annotations

from typing import Any

from inspection.checklists.authoring import yes_no
from inspection.checklists.citations import can_tho, hai_phong
from inspection.checklists.kt1_provider import SECTION_J, SECTION_K

CODE = "KT1-USER"
TITLE = "Kiểm tra việc sử dụng dịch vụ bưu chính KT1"
TARGET_KIND = "kt1_user"

SECTION_U = {"code": "U", "title": "Trách nhiệm của cơ quan sử dụng dịch vụ KT1", "items": [
    yes_no("U1", "Quyết định số 32/2025/QĐ-TTg được quán triệt, triển khai thực hiện nghiêm túc "
           "tại cơ quan, đơn vị", severity="medium", refs=[can_tho("Mục 1 điểm a")]),
    yes_no("U2", "Cán bộ văn thư xác định đúng loại tài liệu, vật mang bí mật nhà nước phải gửi "
           "qua dịch vụ bưu chính KT1", severity="high",
           refs=[can_tho("Phần mở đầu"), can_tho("Mục 1 điểm b")]),
    yes_no("U3", "Hằng năm xây dựng Kế hoạch và dự toán kinh phí sử dụng dịch vụ bưu chính KT1 "
           "gửi Sở Tài chính thẩm định để bố trí ngân sách", severity="low",
           refs=[hai_phong("Mục 4")]),
    yes_no("U4", "Thanh toán đủ giá dịch vụ bưu chính KT1 theo quy định", severity="medium",
           refs=[hai_phong("Mục 4")]),
]}

SECTIONS: list[dict[str, Any]] = [SECTION_U, SECTION_J, SECTION_K]
