"""/notices/{id}/verify (outside /api/v1): the page a printed notice's QR code opens.

No login: whoever holds the paper checks that the notice was issued as printed, that the
stored documents and photo evidence still hash to the sha256 it states, and that the PDF's
digital signature is valid. HTML in Vietnamese for a browser; JSON when the client asks for
`application/json`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, render_template_string, request

from api import database
from api.schemas import SignatureSchema
from api.stored import blob_store
from inspection import errors
from inspection.notices import VIETNAM
from inspection.verification import Verification, trust_roots, verify_notice
from media.pdf_signatures import SignatureCheck

bp = Blueprint("verify", __name__)

INTACT = ("Thông báo đã được ban hành; văn bản và toàn bộ ảnh chứng cứ đang lưu trữ khớp với mã "
          "SHA-256 đã ghi.")
ALTERED = ("Cảnh báo: có văn bản hoặc ảnh chứng cứ đang lưu trữ không còn khớp với mã SHA-256 "
           "đã ghi khi ban hành.")
STATE_TEXT = {"match": "Khớp", "mismatch": "KHÔNG KHỚP", "missing": "Không còn lưu trữ"}
SIGNATURE_VERDICT = {
    "valid": "Chữ ký số hợp lệ: văn bản PDF đang lưu trữ mang chữ ký số của cơ quan ban hành, "
             "chứng thư số do tổ chức được tin cậy cấp, nội dung không bị thay đổi sau khi ký.",
    "invalid": "Chữ ký số không hợp lệ",
    "unsigned": "Văn bản PDF không có chữ ký số.",
    "unknown": "Không kiểm tra được chữ ký số: tệp PDF không còn lưu trữ.",
}

# The page's styles, served as a file of this origin: its content security policy (the base
# one, api/pages.py) allows no inline style.
STYLE = """body{font-family:"Liberation Serif","Times New Roman",serif;max-width:46rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.35rem;text-align:center}.verdict{padding:.8rem 1rem;border-radius:.4rem;
font-weight:bold;margin:1rem 0}.ok{background:#e3f4e1;color:#1d5a1a}.bad{background:#fbe3e1;
color:#8a1c12}table{border-collapse:collapse;width:100%;margin:.6rem 0 1.2rem}
td,th{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
code{font-size:.8rem;word-break:break-all}.mismatch,.missing{color:#8a1c12;font-weight:bold}
.neutral{background:#eef0f3;color:#333}
"""

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Xác minh Thông báo số {{ v.number }}</title>
<link rel="stylesheet" href="/notices/verify.css">
</head><body>
<h1>XÁC MINH THÔNG BÁO SỐ {{ v.number }}</h1>
<div class="verdict {{ 'ok' if v.intact else 'bad' }}">
{{ verdict }}
</div>
<table>
<tr><th>Cơ quan ban hành</th><td>{{ v.issuer }} ({{ v.place }})</td></tr>
<tr><th>Ngày ban hành</th><td>{{ dmy(v.issued_on) }}</td></tr>
<tr><th>Hạn khắc phục</th><td>{{ dmy(v.due_on) }}</td></tr>
<tr><th>Cơ sở được kiểm tra</th><td>{{ v.site }}</td></tr>
<tr><th>Nội dung vi phạm (mục)</th><td>{{ v.findings | join(', ') }}</td></tr>
</table>
<h2>Văn bản</h2>
<table><tr><th>Tệp</th><th>Mã SHA-256</th><th>Kết quả</th></tr>
{% for c in v.documents %}<tr><td>{{ c.what | upper }}</td><td><code>{{ c.sha256 }}</code></td>
<td class="{{ c.state }}">{{ states[c.state] }}</td></tr>{% endfor %}</table>
<h2>Ảnh chứng cứ</h2>
<table><tr><th>STT</th><th>Mục</th><th>Mã SHA-256 của ảnh gốc</th><th>Kết quả</th></tr>
{% for c in v.evidence %}<tr><td>{{ loop.index }}</td><td>{{ c.what }}</td>
<td><code>{{ c.sha256 }}</code></td><td class="{{ c.state }}">{{ states[c.state] }}</td></tr>
{% else %}<tr><td colspan="4">Thông báo không kèm ảnh chứng cứ.</td></tr>{% endfor %}</table>
<h2>Chữ ký số</h2>
<div class="verdict {{ signature_class }}">{{ signature_verdict }}</div>
{% if s and s.present %}<table>
<tr><th>Người ký</th><td>{{ s.signer or '' }}</td></tr>
<tr><th>Tổ chức</th><td>{{ s.organisation or '' }}</td></tr>
{% if s.certificate %}
<tr><th>Chứng thư số</th><td>{{ s.certificate.subject }}</td></tr>
<tr><th>Tổ chức cấp chứng thư</th><td>{{ s.certificate.issuer }}</td></tr>
<tr><th>Số hiệu chứng thư</th><td><code>{{ s.certificate.serial }}</code></td></tr>
<tr><th>Thời hạn chứng thư</th><td>từ {{ dmy(s.certificate.not_before) }} đến
{{ dmy(s.certificate.not_after) }}</td></tr>{% endif %}
<tr><th>Thời điểm ký</th><td>{{ when(s.signed_at) }}</td></tr>
<tr><th>Chứng thư số được tin cậy</th>
{% if s.trusted %}<td>Có (do tổ chức được tin cậy cấp)</td>
{% elif s.intact %}<td class="mismatch">KHÔNG (không do tổ chức được tin cậy cấp)</td>
{% else %}<td>Không đánh giá được: chữ ký không còn nguyên vẹn</td>{% endif %}</tr>
<tr><th>Văn bản bị thay đổi sau khi ký</th>
<td{% if s.modified_after_signing is not sameas false %} class="mismatch"{% endif %}>
{{ changed }}</td></tr>
</table>{% endif %}
</body></html>"""


UNKNOWN = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Không tìm thấy thông báo</title>
<link rel="stylesheet" href="/notices/verify.css">
</head><body>
<h1>KHÔNG TÌM THẤY THÔNG BÁO</h1>
<div class="verdict bad">
Không có thông báo vi phạm đã ban hành nào mang mã này. Văn bản có mã QR dẫn tới trang này
không được hệ thống KT1 ghi nhận là đã ban hành: hãy đối chiếu với cơ quan ban hành.
</div>
</body></html>"""


@bp.get("/notices/verify.css")
def style() -> Response:
    """The verification page's stylesheet."""
    return Response(STYLE, mimetype="text/css", headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/notices/<uuid:notice_id>/verify")
def verify(notice_id: uuid.UUID) -> Response | str | tuple[str, int]:
    wants_json = request.accept_mimetypes.best_match(
        ["text/html", "application/json"]) == "application/json"
    try:
        checked = verify_notice(database.session(), blob_store(), notice_id,
                                trust_roots=trust_roots(database.settings()))
    except errors.NotFound:
        if wants_json:
            raise  # problem+json for a program
        return render_template_string(UNKNOWN), 404  # whoever scanned the code reads this
    if wants_json:
        return jsonify(_as_json(checked))
    return render_template_string(PAGE, v=checked, states=STATE_TEXT, dmy=_dmy, when=_when,
                                  verdict=INTACT if checked.intact else ALTERED,
                                  s=checked.signature, **_signature_text(checked.signature))


def _signature_text(s: SignatureCheck | None) -> dict[str, str]:
    kind = ("unknown" if s is None else "unsigned" if not s.present
            else "valid" if s.valid else "invalid")
    verdict = SIGNATURE_VERDICT[kind]
    if kind == "invalid":
        verdict += ": " + (
            "nội dung văn bản đã bị thay đổi sau khi ký." if s and s.modified_after_signing
            is not False else "chứng thư số không được tin cậy." if s and not s.trusted
            else "chữ ký không kiểm tra được.")
    changed = ("Không xác định được" if s is None or s.modified_after_signing is None
               else "CÓ: nội dung khác với nội dung đã ký" if s.modified_after_signing
               else "Không")
    return {"signature_verdict": verdict, "changed": changed,
            "signature_class": {"valid": "ok", "unsigned": "neutral"}.get(kind, "bad")}


def _dmy(day: date | datetime | None) -> str:
    if isinstance(day, datetime):
        day = day.astimezone(VIETNAM)
    return day.strftime("%d/%m/%Y") if day else ""


def _when(moment: datetime | None) -> str:
    """Vietnam time, dd/mm/yyyy HH:MM."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") + " (giờ Việt Nam)" if (
        moment) else "Không rõ"


def _as_json(v: Verification) -> dict[str, Any]:
    return {"number": v.number, "issuer": v.issuer, "place": v.place,
            "issued_on": v.issued_on.isoformat() if v.issued_on else None,
            "due_on": v.due_on.isoformat() if v.due_on else None, "site": v.site,
            "findings": list(v.findings), "intact": v.intact,
            "documents": [{"kind": c.what, "sha256": c.sha256, "state": c.state}
                          for c in v.documents],
            "evidence": [{"item_code": c.what, "sha256": c.sha256, "state": c.state}
                         for c in v.evidence],
            "signature": SignatureSchema().dump(v.signature) if v.signature else None}

