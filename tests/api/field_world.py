"""The world the field app's browser tests run in: an inspector and a police officer on joint
teams assigned to Cần Thơ post offices (one per scenario), a checklist with every answer type,
and a WSGI recorder of what reaches the served app (tus appends, resumes, shell requests),
which can also slow each append down."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from inspection.models import ChecklistItem, ChecklistSection
from inspection.notices import today_in_vietnam
from tests import factories

SITES = {  # name -> (lon, lat)
    "happy": ("Bưu cục Ninh Kiều", (105.7800, 10.0330)),
    "upload": ("Bưu cục Cái Răng", (105.7840, 10.0000)),
    "conflict": ("Bưu cục Bình Thủy", (105.7420, 10.0710)),
    "submit": ("Bưu cục Ô Môn", (105.6250, 10.1130)),
    "restart": ("Bưu cục Thốt Nốt", (105.5360, 10.2690)),
    "refused": ("Bưu cục Phong Điền", (105.6680, 10.0010)),
    "damaged": ("Bưu cục Vĩnh Thạnh", (105.4010, 10.2320)),
}
INSPECTOR = "kiemtra.thietbi"
POLICE = "congan.thietbi"


@dataclass
class Seeded:
    checklist_id: str
    site_ids: dict[str, str]
    items: dict[str, dict[str, Any]]  # code -> answer_type, required, ...


def seed(session: Session) -> Seeded:
    """The users, sites, checklist (every answer type) and an open campaign with assignments."""
    checklist = factories.inspection_checklist()
    section = ChecklistSection(checklist=checklist, position=9, code="P",
                               title="Ảnh hiện trường và chữ ký")
    session.add(section)
    session.flush()
    session.add_all([
        ChecklistItem(checklist_id=checklist.id, section_id=section.id, position=1, code="P1",
                      text="Ảnh toàn cảnh khu vực khai thác KT1", answer_type="photo",
                      required=True, legal_basis="", legal_refs=[]),
        ChecklistItem(checklist_id=checklist.id, section_id=section.id, position=2, code="S1",
                      text="Chữ ký của người đại diện cơ sở", answer_type="signature",
                      required=True, legal_basis="", legal_refs=[]),
    ])
    session.flush()
    session.expire(checklist, ["sections"])
    inspector = factories.UserFactory(username=INSPECTOR, role="inspector", agency="skhcn",
                                      full_name="Nguyễn Thị Hồng Nhung")
    police = factories.UserFactory(username=POLICE, role="police", agency="police",
                                   full_name="Trần Quốc Bảo")
    today = today_in_vietnam()
    campaign = factories.CampaignFactory(
        checklist_id=checklist.id, name="Đợt kiểm tra KT1 cuối năm 2026",
        starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60))
    site_ids = {}
    for key, (name, (lon, lat)) in SITES.items():
        site: Any = factories.SiteFactory(name=name, location=factories.point(lon, lat),
                                     address=f"{name}, Cần Thơ")
        factories.AssignmentFactory(campaign=campaign, site_id=site.id, team=[inspector, police],
                                    due_on=today + timedelta(days=14))
        site_ids[key] = str(site.id)
    items = {i.code: {"answer_type": i.answer_type, "required": i.required,
                      "text": i.text, "choices": i.choices}
             for s in checklist.sections for i in s.items}
    return Seeded(checklist_id=str(checklist.id), site_ids=site_ids, items=items)


# --- tus appends, recorded ------------------------------------------------------------------

@dataclass
class Append:
    upload: str
    offset: int  # the request's Upload-Offset
    length: int  # the request's Content-Length
    status: int = 0
    new_offset: int | None = None  # the response's Upload-Offset
    acknowledged_before: int = 0  # the highest offset the server had acknowledged at arrival


@dataclass
class Recorder:
    """WSGI middleware: records every PATCH /api/v1/uploads/<id> (offset, length, status,
    new offset), every HEAD of an upload (a client resuming) and how many requests for the app
    shell reached the server, optionally sleeping `delay` seconds before each append, and
    damaging (one byte flipped on the way) the body of the next `damage` appends."""

    app: Callable[..., Iterable[bytes]] | None = None
    delay: float = 0.0
    damage: int = 0
    appends: list[Append] = field(default_factory=list)
    resumes: list[str] = field(default_factory=list)  # HEAD /api/v1/uploads/<id>: a resume
    requests: list[str] = field(default_factory=list)  # every request to /api/v1/uploads
    shell_requests: int = 0  # requests for the app shell (/app/..., but the service worker)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Recorder:
        """Record what reaches `app` (tests.live_server.serving's `wrap`)."""
        self.app = app
        return self

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        assert self.app is not None, "serve it with serving(..., wrap=recorder.wrap)"
        path = environ.get("PATH_INFO", "")
        if path.startswith("/app") and path != "/app/sw.js":
            with self.lock:
                self.shell_requests += 1
        if path.startswith("/api/v1/uploads"):
            with self.lock:
                self.requests.append(f"{environ['REQUEST_METHOD']} {path}")
                if environ["REQUEST_METHOD"] == "HEAD":
                    self.resumes.append(path.rsplit("/", 1)[-1])
        if environ["REQUEST_METHOD"] != "PATCH" or not path.startswith("/api/v1/uploads/"):
            return self.app(environ, start_response)
        upload = path.rsplit("/", 1)[-1]
        with self.lock:
            done = [a.new_offset for a in self.appends
                    if a.upload == upload and a.new_offset is not None]
        append = Append(upload=upload, offset=int(environ.get("HTTP_UPLOAD_OFFSET", "-1")),
                        length=int(environ.get("CONTENT_LENGTH") or 0),
                        acknowledged_before=max(done, default=0))
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            damaging, self.damage = self.damage > 0, max(self.damage - 1, 0)
        if damaging and append.length:
            body = bytearray(environ["wsgi.input"].read(append.length))
            body[-1] ^= 0xFF
            environ["wsgi.input"] = io.BytesIO(bytes(body))

        def recording_start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            append.status = int(status.split()[0])
            for name, value in headers:
                if name.lower() == "upload-offset" and append.status == 204:
                    append.new_offset = int(value)
            with self.lock:
                self.appends.append(append)
            return start_response(status, headers, *args)

        return self.app(environ, recording_start)

    def acknowledged(self) -> list[Append]:
        with self.lock:
            return [a for a in self.appends if a.status == 204]
