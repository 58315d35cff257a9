"""Every word a user reads for a code the service speaks in: the one label table.

The documents (notices, records, reports), the supervisors' console and the tablet field app
all say the same thing for the same code: the Python code reads `LABELS` (or `label`), and the
browser pages import the same table as an ES module (`/console/labels.js`, `/app/labels.js`,
rendered from here by `api.pages.labels_module`). Vietnamese, NFC.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Final

LABELS: Final[dict[str, dict[str, str]]] = {
    "severity": {
        "critical": "Nghiêm trọng", "high": "Cao", "medium": "Trung bình", "low": "Thấp",
    },
    "inspection_status": {
        "draft": "Đang kiểm tra", "submitted": "Chờ duyệt", "returned": "Bị trả lại",
        "approved": "Đã duyệt",
    },
    "finding_status": {
        "open": "Chờ xác nhận", "confirmed": "Đã xác nhận", "dismissed": "Đã bác bỏ",
        "remediated": "Đã báo cáo khắc phục", "verified": "Đã xác minh khắc phục",
    },
    "notice_status": {
        "pending": "Đang lập", "issued": "Đã ban hành", "failed": "Lập không thành công",
        "closed": "Đã hoàn thành khắc phục",
    },
    "document_status": {
        "pending": "Đang lập", "issued": "Đã ban hành", "failed": "Lập không thành công",
        "replaced": "Đã được thay thế",
    },
    "report_status": {
        "pending": "Đang tổng hợp", "ready": "Đã xong", "failed": "Không thành công",
    },
    "legal_status": {
        "verified": "Đã xác minh", "verified-summary": "Xác minh qua bản tin tóm tắt",
        "unverified": "Chưa xác minh", "superseded": "Đã được thay thế",
        "repealed": "Đã bị bãi bỏ",
    },
    "report_kind": {"annual": "Báo cáo năm", "campaign": "Báo cáo đợt kiểm tra"},
    "job_status": {
        "queued": "Đang chờ xử lý", "started": "Đang xử lý", "finished": "Đã xong",
        "failed": "Không thành công",
    },
    "photo_status": {
        "processing": "Đang xử lý", "ready": "Sẵn sàng", "rejected": "Bị từ chối",
    },
    "photo_flag": {
        "no_exif_position": "Ảnh không có toạ độ chụp",
        "exif_far_from_site": "Ảnh chụp xa địa điểm kiểm tra",
        "no_exif_time": "Ảnh không có thời gian chụp",
        "exif_time_outside_visit": "Ảnh chụp ngoài thời gian kiểm tra",
    },
    "location_check": {
        "ok": "Đúng địa điểm", "far": "Xa địa điểm", "no_fix": "Không có định vị",
    },
    "role": {
        "admin": "Quản trị viên", "supervisor": "Giám sát viên", "inspector": "Cán bộ kiểm tra",
        "police": "Cán bộ Công an", "post": "Nhân viên bưu điện",
    },
    "agency": {
        "skhcn": "Sở KH&CN", "police": "Công an", "post": "Bưu điện",
        "agency": "Cơ quan sử dụng KT1",
    },
    "site_kind": {
        "kt1_provider": "Điểm cung cấp dịch vụ KT1", "kt1_user": "Cơ quan sử dụng dịch vụ KT1",
    },
    "checklist_status": {
        "draft": "Bản nháp", "published": "Đang áp dụng", "retired": "Ngừng áp dụng",
    },
    "legal_ref_status": {
        "verified": "Đã xác minh", "verified-summary": "Xác minh qua bản tin tóm tắt",
        "unverified": "Chưa xác minh", "superseded": "Đã được thay thế",
    },
    "vetting_status": {
        "not_requested": "Chưa đề nghị thẩm tra", "requested": "Chờ thẩm tra",
        "vetted": "Đã thẩm tra, đạt", "not_vetted": "Thẩm tra, không đạt",
    },
    "provision_status": {
        "none": "Chưa lập", "draft": "Đang soạn", "submitted": "Đã gửi, chờ tiếp nhận",
        "accepted": "Đã tiếp nhận", "returned": "Bị trả lại",
    },
    "assignment_status": {"open": "Chưa hoàn thành", "done": "Đã hoàn thành"},
    "conflict_resolution": {
        "keep_server": "Giữ dữ liệu máy chủ", "take_client": "Lấy dữ liệu máy tính bảng",
    },
    "review_decision": {"approve": "Duyệt", "return": "Trả lại"},
    "answer": {"yes": "Có", "no": "Không", "na": "Không áp dụng"},
    "notice_event": {
        "issued": "Ban hành thông báo", "reminded": "Nhắc quá hạn khắc phục",
        "reported": "Bưu điện báo cáo khắc phục", "remediated": "Báo cáo khắc phục phát hiện",
        "verified": "Xác minh đã khắc phục", "rejected": "Không chấp nhận khắc phục",
        "closed": "Hoàn thành khắc phục", "reopened": "Mở lại theo dõi khắc phục",
    },
    "remediation_review": {"verified": "Đã xác minh", "rejected": "Không chấp nhận"},
    "sync_entity": {
        "inspection": "Phiên kiểm tra", "answer": "Câu trả lời", "finding": "Phát hiện",
    },
    "compliance_aspect": {
        "service": "cung cấp dịch vụ", "quality": "chất lượng dịch vụ",
        "connection": "kết nối mạng bưu chính KT1", "security": "bảo đảm an ninh, an toàn",
        "archiving": "lưu trữ",
    },
    "provision_field": {
        "total_volume": "Tổng sản lượng bưu gửi KT1 trong năm",
        "local_volume": "Sản lượng trên địa bàn tỉnh, thành phố",
        "staff_involved": "Số người lao động trực tiếp tham gia",
        "revenue_vnd": "Doanh thu dịch vụ KT1 (đồng)",
        "compliance": "Việc chấp hành quy định",
        "incidents": "Sự cố, vi phạm và cách xử lý",
        "difficulties": "Khó khăn, vướng mắc và nguyên nhân",
        "proposals": "Đề xuất, kiến nghị",
        "signer_name": "Người ký báo cáo",
        "signer_title": "Chức vụ người ký",
    },
    "inspection_field": {
        "site_id": "địa điểm", "checklist_id": "bảng kiểm tra", "campaign_id": "đợt kiểm tra",
        "status": "trạng thái", "started_at": "thời điểm bắt đầu", "location": "vị trí định vị",
        "accuracy_m": "độ chính xác định vị", "version": "phiên bản",
        "submitted_at": "thời điểm nộp", "reviewed_by": "người duyệt",
        "review_comment": "nhận xét",
    },
    "answer_type": {
        "yes_no_na": "Có / Không / Không áp dụng", "number": "Số", "text": "Văn bản",
        "date": "Ngày", "choice": "Lựa chọn", "photo": "Ảnh", "signature": "Chữ ký",
    },
    "staff_field": {
        "full_name": "Họ tên", "position": "Chức danh", "site_id": "Điểm phục vụ",
        "organization": "Doanh nghiệp", "joined_on": "Ngày bắt đầu làm KT1",
        "trained_on": "Ngày tập huấn gần nhất", "secrecy_commitment": "Cam kết bảo vệ bí mật",
        "left_on": "Ngày thôi làm KT1",
    },
    "account_status": {"active": "Đang hoạt động", "inactive": "Đã khóa"},
    "device_status": {"active": "Đang dùng", "revoked": "Đã thu hồi"},
    "signer_status": {"active": "Đang ký", "inactive": "Ngừng ký"},
    "vetting_outcome": {"vetted": "Đạt", "not_vetted": "Không đạt"},
    "audit_chain": {
        "writes": "Ghi dữ liệu (tỉnh, thành phố mã {code})",
        "reads": "Xem dữ liệu cá nhân (tỉnh, thành phố mã {code})",
        "national": "Không thuộc tỉnh nào", "legacy": "Trước khi tách theo tỉnh",
    },
    "audit_action": {
        "create": "Tạo mới", "update": "Sửa đổi", "delete": "Xoá", "read": "Xem dữ liệu cá nhân",
        "login": "Đăng nhập", "logout": "Đăng xuất", "login-failed": "Đăng nhập sai",
        "upload-created": "Bắt đầu tải ảnh", "upload-completed": "Tải ảnh xong",
        "report-requested": "Yêu cầu báo cáo", "job-finished": "Tác vụ xong",
        "job-failed": "Tác vụ không thành công",
    },
    "audit_entity": {
        "users": "Người dùng", "devices": "Thiết bị", "sites": "Cơ sở",
        "inspections": "Phiên kiểm tra", "answers": "Câu trả lời", "photos": "Ảnh",
        "uploads": "Tệp tải lên", "findings": "Phát hiện", "notices": "Thông báo vi phạm",
        "notice_reminders": "Nhắc hạn thông báo", "inspection_records": "Biên bản kiểm tra",
        "checklists": "Bảng kiểm tra", "checklist_sections": "Phần bảng kiểm tra",
        "checklist_items": "Mục bảng kiểm tra", "staff_members": "Người lao động KT1",
        "provision_reports": "Báo cáo cung cấp dịch vụ KT1",
        "provision_reminders": "Nhắc hạn báo cáo", "campaigns": "Đợt kiểm tra",
        "assignments": "Phân công", "reports": "Báo cáo tổng hợp", "jobs": "Tác vụ nền",
        "sync_conflicts": "Xung đột đồng bộ", "reference_datasets": "Dữ liệu tham chiếu",
        "legal_references": "Căn cứ pháp lý",
    },
    "visit_state": {
        "not_started": "Chưa bắt đầu", "in_progress": "Đang kiểm tra",
        "submitted": "Đã nộp, chờ duyệt", "returned": "Bị trả lại", "approved": "Đã duyệt",
        "overdue": "Quá hạn",
    },
    "sync_result": {"merged": "Đã gộp vào phiên kiểm tra đang mở của đoàn"},
    "verdict": {"compliant": "Đạt", "noncompliant": "Không đạt"},
}
"""Kinds of code → code → Vietnamese label."""


def label(kind: str, code: str | None) -> str:
    """The label of `code` among `kind`'s, or the code itself when there is none."""
    if code is None:
        return ""
    return LABELS.get(kind, {}).get(code, code)


def as_module() -> str:
    """The table as an ES module: `export const LABELS = {...}` and `label(kind, code)`."""
    table = json.dumps(LABELS, ensure_ascii=False, indent=1, sort_keys=True)
    return ("// Generated from inspection/labels.py: the one label table of the service.\n"
            f"export const LABELS = Object.freeze({table});\n"
            "/** @param {string} kind @param {string | null | undefined} code\n"
            " *  @returns {string} */\n"
            "export function label(kind, code) {\n"
            "  if (code === null || code === undefined) return \"\";\n"
            "  const table = /** @type {Record<string, Record<string, string>>} */ (LABELS);\n"
            "  return (table[kind] && table[kind][code]) || code;\n"
            "}\n")


assert all(unicodedata.is_normalized("NFC", text)
           for table in LABELS.values() for text in table.values())
