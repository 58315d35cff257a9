"""Render the sample violation notice, inspection record and post office annual report into
docs/samples/ as PNG pages.

Builds the demo world on a temporary SQLite database, takes its approved inspection with
three confirmed findings, adds two photos of evidence and the three signatures drawn on the
tablet (the site's representative, the Sở KH&CN's and the Công an's members), issues the notice
and the record through the real jobs (in-process, signed with the demo certificate of `kt1
signing demo-ca`, whose signature is checked), and draws every PDF page with pypdfium2:

    .venv/bin/python docs/samples/render_samples.py
"""

from __future__ import annotations

import io
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

import pypdfium2
from geoalchemy2.shape import to_shape
from PIL import Image, ImageDraw
from sqlalchemy import select

from inspection import demo, migrate, notices, provision, records
from inspection.checklists import kt1_provider
from inspection.config import DEMO_SIGNING_PASSWORD, Settings
from inspection.db import make_engine, make_session_factory
from inspection.models import (
    Finding,
    Inspection,
    InspectionRecord,
    Notice,
    Photo,
    ProvisionReport,
    Signer,
    User,
)
from media.blobstore import FileBlobStore
from media.certificates import ensure_demo_ca, load_pem_certificates
from media.pdf_signatures import check_pdf_signature
from workers.documents.provision import render_provision_pdf
from workers.photos import process_photo
from workers.provision import provision_document
from workers.queue import enqueue

HERE = Path(__file__).resolve().parent
SCALE = 1.5
INSPECTION = demo._stable_id("inspection", "4")  # approved, three confirmed findings


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kt1-samples-") as tmp:
        root = Path(tmp)
        settings = Settings(env="development", instance_path=root,
                            database_url=f"sqlite:///{root / 'kt1.sqlite'}",
                            media_url=(root / "media").as_uri(), redis_url=None,
                            public_url="https://kt1.cantho.gov.vn")
        store = FileBlobStore(root / "media")
        ensure_demo_ca(*settings.demo_signing_files, password=DEMO_SIGNING_PASSWORD)
        trusted = load_pem_certificates(settings.signing_trust_path)
        engine = make_engine(settings.database_url)
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as session:
            demo.seed_demo(session)
            session.commit()
            _photos(session, store, root)
            visit = session.get_one(Inspection, INSPECTION)  # submitted on site, not today
            visit.submitted_at = visit.started_at + timedelta(hours=2, minutes=45)
            session.commit()
            supervisor = session.scalars(
                select(User).where(User.username == "giamsat.ct")).one()
            deputy = session.scalars(select(Signer).where(  # "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"
                Signer.province_code == "92", Signer.delegation.is_not(None))).first()
            assert deputy is not None
            notice, notice_job, _ = notices.request_notice(session, supervisor, INSPECTION,
                                                           signer_id=deputy.id)
            record, record_job, _ = records.request_record(session, supervisor, INSPECTION)
            session.commit()
            jobs = [(notices.NOTICE_JOB, notice_job.id, notice.id),
                    (records.RECORD_JOB, record_job.id, record.id)]
        for path, job_id, target in jobs:  # the real jobs, run here and now
            enqueue(settings, path, str(job_id), str(target))
        with factory() as session:
            issued_notice = session.get_one(Notice, notice.id)
            issued_record = session.get_one(InspectionRecord, record.id)
            for name, issued in (("notice", issued_notice), ("record", issued_record)):
                if issued.pdf_sha256 is None:
                    raise SystemExit(f"the {name} was not issued (status {issued.status})")
                with store.open(issued.pdf_sha256) as source:
                    pdf = source.read()
                if not check_pdf_signature(pdf, trusted).valid:
                    raise SystemExit(f"the {name}'s PDF does not carry a valid signature")
                _pages(pdf, name)
            # the post office's annual report sent and accepted in the demo
            sent = session.scalars(select(ProvisionReport).where(
                ProvisionReport.status == "accepted")).one()
            _pages(render_provision_pdf(provision_document(provision.facts(session, sent))),
                   "provision")
        engine.dispose()


def _photos(session, store: FileBlobStore, root: Path) -> None:  # type: ignore[no-untyped-def]
    """Two photos of the first two confirmed findings, taken at the site during the visit."""
    inspection = session.get_one(Inspection, INSPECTION)
    site = to_shape(inspection.site.location)
    taken = inspection.started_at + timedelta(minutes=40)
    codes = session.scalars(select(Finding.item_code).where(
        Finding.inspection_id == INSPECTION).order_by(Finding.item_code)).all()[:2]
    for n, code in enumerate(codes):
        path = root / f"{code}.jpg"
        _picture(n).save(path, "JPEG", quality=85, exif=_exif(
            site.x + 0.0002 * (n + 1), site.y - 0.0001,
            (taken + timedelta(minutes=7 * n, hours=7)).strftime("%Y:%m:%d %H:%M:%S")))
        sha256, size = store.put(path)
        photo = Photo(id=uuid.uuid4(), inspection_id=INSPECTION, item_code=code, sha256=sha256,
                      size=size, status="processing", content_type="image/jpeg",
                      filename=path.name, captured_at=taken,
                      uploaded_by=inspection.created_by)
        session.add(photo)
        session.flush()
        process_photo(session, store, photo.id, far_m=300)
    _signatures(session, store, root, inspection)


def _signatures(session, store: FileBlobStore, root: Path, inspection) -> None:  # type: ignore[no-untyped-def]
    """The closing items' signatures, each uploaded from its signer's tablet."""
    police = next(u.id for u in inspection.team if u.agency == "police")
    signers = ((kt1_provider.REPRESENTATIVE_SIGNATURE, inspection.created_by),
               (kt1_provider.MEMBER_SIGNATURES["skhcn"], inspection.created_by),
               (kt1_provider.MEMBER_SIGNATURES["police"], police))
    for n, (code, uploader) in enumerate(signers):
        path = root / f"{code}.png"
        _signature(n).save(path, "PNG")
        sha256, size = store.put(path)
        photo = Photo(id=uuid.uuid4(), inspection_id=INSPECTION, item_code=code, sha256=sha256,
                      size=size, status="processing", content_type="image/png",
                      filename=path.name, uploaded_by=uploader)
        session.add(photo)
        session.flush()
        process_photo(session, store, photo.id, far_m=300)


def _signature(n: int) -> Image.Image:
    """A stand-in for a signature drawn with a finger: a looping stroke, a flourish below."""
    img = Image.new("RGBA", (600, 240), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    points = [(40 + 26 * k, 120 + ((k * (37 + 9 * n) + 11 * n) % 90) - 45) for k in range(20)]
    draw.line(points, fill=(20, 40, 130, 255), width=6, joint="curve")
    draw.line([(60, 190), (300 + 60 * n, 170), (540, 185)], fill=(20, 40, 130, 255), width=5)
    return img


def _picture(n: int) -> Image.Image:
    """A stand-in for a counter photo: a parcel on a desk."""
    img = Image.new("RGB", (1200, 900), (196 - 20 * n, 186, 170))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 600, 1200, 900), fill=(120, 86, 60))
    draw.rectangle((380 + 40 * n, 330, 860, 680), fill=(205, 170, 110), outline=(90, 60, 30),
                   width=6)
    draw.rectangle((460, 420, 700, 500), fill=(250, 250, 245))
    draw.line((380 + 40 * n, 505, 860, 505), fill=(160, 120, 70), width=14)
    return img


def _exif(lon: float, lat: float, taken: str) -> Image.Exif:
    data = Image.Exif()
    data[0x010F], data[0x0110] = "samsung", "Galaxy Tab A9"
    data.get_ifd(0x8769)[0x9003] = taken
    gps = data.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", _dms(lat), "E", _dms(lon)
    return data


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return (float(degrees), float(minutes), round(((value - degrees) * 60 - minutes) * 60, 4))


def _pages(pdf: bytes, name: str) -> None:
    for old in HERE.glob(f"{name}-p*.png"):
        old.unlink()
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    for i in range(len(document)):
        image = document[i].render(scale=SCALE).to_pil().convert("RGB")
        quantised = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT,
                                   dither=Image.Dither.NONE)
        path = HERE / f"{name}-p{i + 1}.png"
        quantised.save(path, optimize=True)
        print(f"{path.relative_to(HERE.parent.parent)} ({path.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
