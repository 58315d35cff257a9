"""Photo evidence media: tus upload throughput, derivative cost and upload memory, each against
a baseline measured in the same run.

(a) MB/s of our tus endpoint (gunicorn, SQLite, jobs only enqueued on Redis) against the
reference Node server (@tus/server 2 + @tus/file-store, npm-installed into bench/.node/), both
fed the same files by tuspy with the same chunk size, and the CPU time each server spends per MB
(user + system, its threads included: steadier than MB/s when neighbours load the machine);
(b) ms per photo of
the photo job's image work (checking the original, its EXIF facts, thumbnail and preview)
against the one-decode floor (one Pillow decode, DCT-scaled for a JPEG to the smallest scale that
still serves the preview; resized to the preview, turned upright, the thumbnail made from the
preview, both encoded), ours over the floor per photo kind, on generated 12 MP / 3 MP JPEGs
(some EXIF-rotated) and
HEICs; (c) RSS high-water of our server's worker while it receives one large upload in chunks
and in a single PATCH (and of the Node server, for reference). Prints one JSON object on its
last line. Env: KT1_BENCH_REDIS_URL (a Redis database nobody else uses: flushed before and
after; default redis://127.0.0.1:6379/14; unreachable, jobs run inline), KT1_BENCH_ROUNDS
(upload rounds, default 5: their medians swing less on a shared machine), KT1_BENCH_FILES /
KT1_BENCH_FILE_MB (random files, default 8 x 10), KT1_BENCH_CHUNK_MB (tuspy chunk for (a),
default 4), KT1_BENCH_BIG_MB (upload for (c), default 200), KT1_BENCH_REPEATS (timings per
photo in (b), default 3), KT1_BENCH_PARTS (which of a, b, c to run, default "abc"; the others
are left out of the JSON).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests
from PIL import Image, ImageDraw, ImageFilter, ImageOps
from sqlalchemy import func, select
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError

from api.serving import gunicorn_command
from geo.points import point_wkt
from geo.units import packaged_units
from inspection import accounts, audit, migrate, reference
from inspection.checklists import builtin
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory
from inspection.inspections import services as inspections
from inspection.models import Checklist, Photo, Site
from media.images import ensure_heif, process_image

BENCH = Path(__file__).resolve().parent
NODE_PREFIX = BENCH / ".node"
NODE_PACKAGES = ("@tus/server@2", "@tus/file-store@2")
REFERENCE_SERVER = BENCH / "tus_reference_server.mjs"
REDIS_URL = os.environ.get("KT1_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ROUNDS = int(os.environ.get("KT1_BENCH_ROUNDS", "5"))
FILES = int(os.environ.get("KT1_BENCH_FILES", "8"))
FILE_MB = int(os.environ.get("KT1_BENCH_FILE_MB", "10"))
CHUNK_MB = int(os.environ.get("KT1_BENCH_CHUNK_MB", "4"))
BIG_MB = int(os.environ.get("KT1_BENCH_BIG_MB", "200"))
BIG_CHUNK_MB = 8
REPEATS = int(os.environ.get("KT1_BENCH_REPEATS", "3"))
PARTS = frozenset(os.environ.get("KT1_BENCH_PARTS", "abc").lower())
MB = 1024 * 1024
PASSWORD = "mat-khau-do-hieu-nang"
MAX_PIXELS = Settings().max_image_pixels
# (name, width, height, EXIF orientation, format): what phones send, portrait ones rotated.
PHOTOS = (("jpeg_12mp", 4000, 3000, 6, "JPEG"), ("jpeg_12mp", 4000, 3000, 1, "JPEG"),
          ("jpeg_12mp", 4032, 3024, 6, "JPEG"), ("jpeg_3mp", 2000, 1500, 1, "JPEG"),
          ("jpeg_3mp", 2048, 1536, 6, "JPEG"), ("jpeg_3mp", 2000, 1500, 1, "JPEG"),
          ("heic_12mp", 4032, 3024, 1, "HEIF"), ("heic_3mp", 2048, 1536, 1, "HEIF"))


def say(text: str) -> None:
    print(text, flush=True)


# -- inputs ---------------------------------------------------------------------------------

def random_files(folder: Path, count: int, size: int, stem: str) -> list[Path]:
    paths = []
    for n in range(count):
        path = folder / f"{stem}-{n}.bin"
        with path.open("wb") as out:
            for _ in range(size // MB):
                out.write(os.urandom(MB))
        paths.append(path)
    return paths


def textured(width: int, height: int, seed: int, grain: float) -> Image.Image:
    """Smooth shapes, edges and sensor grain: compresses like a photo, unlike flat colour."""
    rnd = random.Random(seed)
    small = (width // 8, height // 8)
    bands = []
    for _ in range(3):
        blobs = Image.effect_noise(small, 60).filter(ImageFilter.GaussianBlur(3))
        light = Image.linear_gradient("L").rotate(rnd.randrange(360)).resize(small)
        bands.append(Image.blend(blobs, light, 0.5))
    img = Image.merge("RGB", bands).resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(60):
        x, y = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(50, width // 4), rnd.randrange(50, height // 4)
        draw.rectangle((x, y, x + w, y + h), outline=tuple(rnd.randrange(256) for _ in range(3)),
                       width=rnd.randrange(2, 12))
    noise = Image.effect_noise((width, height), 12).convert("RGB")
    return Image.blend(img, noise, grain)


def make_photos(folder: Path) -> list[tuple[str, Path]]:
    """The photos of (b); HEICs only where pillow-heif can encode them."""
    try:
        ensure_heif()
    except ImportError:
        say("pillow-heif is missing: no HEIC photos")
    out = []
    for n, (kind, width, height, orientation, fmt) in enumerate(PHOTOS):
        if fmt == "HEIF" and "HEIF" not in Image.SAVE:
            continue
        exif = Image.Exif()
        exif[0x010F], exif[0x0110], exif[0x0112] = "Samsung", "SM-A556E", orientation
        exif.get_ifd(0x8769)[0x9003] = "2026:10:05 09:12:44"
        path = folder / f"photo-{n}.{'jpg' if fmt == 'JPEG' else 'heic'}"
        img = textured(width, height, n, 0.3 if fmt == "JPEG" else 0.1)
        if fmt == "JPEG":
            img.save(path, "JPEG", quality=92, exif=exif)
        else:  # x265's default preset takes ~40 s for 12 MP on two cores
            img.save(path, "HEIF", quality=70, exif=exif, enc_params={"preset": "ultrafast"})
        out.append((kind, path))
    return out


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(MB):
            digest.update(chunk)
    return digest.hexdigest()


# -- (b) derivatives ------------------------------------------------------------------------

THUMB, PREVIEW = 512, 1600


def ours(path: Path) -> None:
    """What the photo job does with an original's pixels."""
    process_image(path, thumb=THUMB, preview=PREVIEW, max_pixels=MAX_PIXELS)


def floor(path: Path) -> None:
    """The least correct work: one decode (DCT-scaled to the preview for a JPEG), Pillow's
    default resampling, upright, the thumbnail from the preview, both encoded."""
    with Image.open(path) as img:
        if img.format == "JPEG":
            scale = max(img.size) / PREVIEW
            if scale > 1:
                img.draft("RGB", (int(img.width / scale), int(img.height / scale)))
        img.thumbnail((PREVIEW, PREVIEW))
        preview = ImageOps.exif_transpose(img)
    thumb = preview.copy()
    thumb.thumbnail((THUMB, THUMB))
    for small in (preview, thumb):
        small.save(io.BytesIO(), "JPEG", quality=85)


METHODS: dict[str, Callable[[Path], None]] = {"ours": ours, "floor": floor}


def medians_ms(path: Path) -> dict[str, float]:
    """Each method's median of REPEATS timings on one photo; the methods take turns, so that
    a busy machine slows them alike."""
    runs: dict[str, list[float]] = {name: [] for name in METHODS}
    for _ in range(REPEATS):
        for name, fn in METHODS.items():
            start = time.perf_counter()
            fn(path)
            runs[name].append(1000 * (time.perf_counter() - start))
    return {name: statistics.median(values) for name, values in runs.items()}


def compared(rows: list[dict[str, float]]) -> dict[str, float]:
    """Mean ms per photo of each method over `rows`, and ours over the floor."""
    mean = {name: statistics.fmean(ms[name] for ms in rows) for name in METHODS}
    return {**{name: round(ms, 1) for name, ms in mean.items()},
            "ours_over_floor_ratio": round(mean["ours"] / mean["floor"], 3)}


def bench_derivatives(photos: list[tuple[str, Path]]) -> dict:
    for fn in METHODS.values():  # warm-up: codecs, the HEIF plugin, the sRGB profile
        fn(photos[0][1])
    rows = [(kind, medians_ms(path)) for kind, path in photos]
    by_kind = {kind: compared([ms for k, ms in rows if k == kind])
               for kind in dict.fromkeys(kind for kind, _ in rows)}
    for kind, row in by_kind.items():
        say(f"derivatives {kind}: {row}")
    jpeg = compared([ms for kind, ms in rows if kind.startswith("jpeg")])
    return {"photos": len(photos), "repeats": REPEATS,
            "jpeg_ours_over_floor_ratio": jpeg["ours_over_floor_ratio"],
            "jpeg_ms_per_photo": jpeg, "all_ms_per_photo": compared([ms for _, ms in rows]),
            "by_kind_ms": by_kind}


# -- processes ------------------------------------------------------------------------------

def install_reference() -> str:
    """@tus/server and @tus/file-store in bench/.node/ (npm, once); their versions."""
    modules = NODE_PREFIX / "node_modules" / "@tus"
    if not all((modules / name / "package.json").exists() for name in ("server", "file-store")):
        say(f"npm install {' '.join(NODE_PACKAGES)} into {NODE_PREFIX}")
        subprocess.run([shutil.which("npm") or "npm", "install", "--prefix", str(NODE_PREFIX),
                        "--no-audit", "--no-fund", "--loglevel=error", *NODE_PACKAGES],
                       check=True, stdout=subprocess.DEVNULL)
    versions = []
    for name in ("server", "file-store"):
        manifest = json.loads((modules / name / "package.json").read_text())
        versions.append(f"@tus/{name} {manifest['version']}")
    return ", ".join(versions)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(cmd: list[str], *, log: Path, env: dict[str, str] | None = None,
            ) -> Iterator[subprocess.Popen[bytes]]:
    """A server in its own process group, stopped (the whole group) however the block ends."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=BENCH.parent, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with suppress(subprocess.TimeoutExpired):
                proc.wait(10)
                break


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited {proc.returncode}:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        with suppress(requests.ConnectionError, requests.Timeout):
            if requests.options(url, timeout=2).status_code < 500:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within 60 s")


@contextmanager
def scratch_redis() -> Iterator[bool]:
    """Whether jobs can be queued on KT1_BENCH_REDIS_URL; its database is flushed around."""
    from redis import Redis
    from redis.exceptions import RedisError

    conn = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        conn.flushdb()
    except RedisError as exc:
        say(f"no Redis at {REDIS_URL} ({exc}): photo jobs run inline, after each upload")
        yield False
        return
    try:
        yield True
    finally:
        conn.flushdb()
        conn.close()


def proc_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def gunicorn_worker(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


# -- our side: data and the server ------------------------------------------------------------

class World:
    """The scratch database: an inspector and a police officer on a site's team."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        migrate.upgrade(self.engine)
        self.factory = make_session_factory(self.engine)
        with self.factory() as session:
            audit.set_actor(session, None, "bench")
            reference.load_units(session, packaged_units())
            builtin.seed_builtin(session)
            self.inspector = accounts.create_user(
                session, username="bench.skhcn", password=PASSWORD, role="inspector",
                agency="skhcn", province_code="92")
            self.police = accounts.create_user(
                session, username="bench.police", password=PASSWORD, role="police",
                agency="police", province_code="92")
            site = Site(name="Bưu cục đo hiệu năng", kind="kt1_provider", province_code="92",
                        organization="Bưu điện thành phố Cần Thơ",
                        location=point_wkt(105.7469, 10.0452))
            session.add(site)
            self.checklist_id = session.scalars(select(Checklist.id).where(
                Checklist.target_kind == "kt1_provider",
                Checklist.status == "published")).first()
            session.commit()
            self.site_id = site.id

    def new_inspection(self) -> str:
        """A fresh draft: the same bytes sent twice to one inspection are one photo."""
        with self.factory() as session:
            audit.set_actor(session, self.inspector.id, "bench")
            inspection, _ = inspections.create_inspection(
                session, session.merge(self.inspector), inspection_id=uuid.uuid4(),
                site_id=self.site_id, checklist_id=self.checklist_id,
                started_at=datetime.now(UTC), team=[self.inspector.id, self.police.id])
            session.commit()
            return str(inspection.id)

    def photos_in(self, inspection_ids: list[str]) -> int:
        with self.factory() as session:
            return session.scalar(select(func.count()).select_from(Photo).where(
                Photo.inspection_id.in_([uuid.UUID(i) for i in inspection_ids]))) or 0


def server_env(work: Path, url: str, queue: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KT1_")}
    env.update(KT1_ENV="development", KT1_INSTANCE_PATH=str(work / "instance"),
               KT1_DATABASE_URL=url, KT1_MAX_UPLOAD_BYTES=str((BIG_MB + 1) * MB),
               KT1_MAX_PHOTOS_PER_INSPECTION="10000")
    if queue:
        env["KT1_REDIS_URL"] = REDIS_URL
    return env


def gunicorn_cmd(port: int) -> list[str]:
    # Production's settings and hooks (`api.serving`), one worker: the reference is one process.
    return gunicorn_command("api.wsgi:app", "-c", "python:api.serving", "-w", "1",
                            "--threads", "4", "--timeout", "300", "-b", f"127.0.0.1:{port}")


def login(base: str) -> dict[str, str]:
    resp = requests.post(f"{base}/api/v1/auth/login", timeout=30, json={
        "username": "bench.skhcn", "password": PASSWORD, "device_id": "bench-tablet"})
    resp.raise_for_status()
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


# -- (a) and (c): uploads -----------------------------------------------------------------------

class Target:
    """A tus endpoint and what every upload to it carries."""

    def __init__(self, endpoint: str, headers: dict[str, str] | None = None) -> None:
        self.endpoint = endpoint
        self.headers = headers or {}

    def upload(self, path: Path, meta: dict[str, str], chunk: int) -> None:
        client = TusClient(self.endpoint, headers=self.headers)
        uploader = client.uploader(file_path=str(path), chunk_size=chunk, metadata=meta)
        try:
            uploader.upload()
        except TusCommunicationError as exc:  # its message leaves out the server's answer
            body = exc.response_content or b""
            raise RuntimeError(f"upload of {path.name} to {self.endpoint} failed: {exc} "
                               f"{exc.status_code} {body[:500]!r}") from exc

    def upload_all(self, files: dict[Path, dict[str, str]], inspection_id: str,
                   chunk: int) -> float:
        """Seconds to send every file, creation to last byte."""
        start = time.perf_counter()
        for path, meta in files.items():
            self.upload(path, {**meta, "inspection_id": inspection_id}, chunk)
        return time.perf_counter() - start


def describe(paths: list[Path]) -> dict[Path, dict[str, str]]:
    return {p: {"sha256": sha256_of(p), "filename": p.name,
                "filetype": "image/jpeg" if p.suffix == ".jpg" else "application/octet-stream"}
            for p in paths}


def cpu_seconds(pids: list[int]) -> float:
    """User and system time the processes have used so far, their threads included."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def bench_throughput(world: World, targets: dict[str, Target],
                     files: dict[Path, dict[str, str]], pids: dict[str, list[int]]) -> dict:
    """MB/s of each server (median of the rounds) and the CPU time it spent per MB sent: on a
    busy machine the rates swing with the neighbours' load, the CPU cost much less."""
    total_mb = sum(p.stat().st_size for p in files) / MB
    chunk = CHUNK_MB * MB
    warm = world.new_inspection()
    for target in targets.values():
        target.upload_all(dict(list(files.items())[-1:]), warm, chunk)
    rates: dict[str, list[float]] = {name: [] for name in targets}
    cpu: dict[str, list[float]] = {name: [] for name in targets}
    sent_to: list[str] = []
    for n in range(ROUNDS):
        inspection_id = world.new_inspection()
        sent_to.append(inspection_id)
        for name in sorted(targets, reverse=n % 2 == 1):  # alternate who goes first
            used = cpu_seconds(pids[name])
            seconds = targets[name].upload_all(files, inspection_id, chunk)
            rates[name].append(total_mb / seconds)
            cpu[name].append(1000 * (cpu_seconds(pids[name]) - used) / total_mb)
            say(f"round {n + 1}: {name} {total_mb / seconds:.1f} MB/s, "
                f"{cpu[name][-1]:.2f} CPU ms/MB")
    photos = world.photos_in(sent_to)
    if photos != ROUNDS * len(files):
        raise RuntimeError(f"{photos} photos recorded, {ROUNDS * len(files)} sent")
    ours_rate, ref_rate = (statistics.median(rates[n]) for n in ("ours", "reference"))
    ours_cpu, ref_cpu = (statistics.median(cpu[n]) for n in ("ours", "reference"))
    return {"files": len(files), "mb_per_round": round(total_mb, 1), "rounds": ROUNDS,
            "chunk_mb": CHUNK_MB, "ours_mb_per_s": round(ours_rate, 1),
            "reference_mb_per_s": round(ref_rate, 1),
            "ours_over_reference_ratio": round(ours_rate / ref_rate, 3),
            "per_round_mb_per_s": {k: [round(r, 1) for r in v] for k, v in rates.items()},
            "ours_cpu_ms_per_mb": round(ours_cpu, 2), "reference_cpu_ms_per_mb": round(ref_cpu, 2),
            "ours_over_reference_cpu_ratio": round(ours_cpu / ref_cpu, 3)}


def peak_while(pid: int, action: Callable[[], object], mb: float) -> dict:
    """RSS before, high-water during `action` (VmHWM after resetting it), in MB; and MB/s."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = proc_kb(pid, "VmRSS") / 1024
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    peak = proc_kb(pid, "VmHWM") / 1024
    return {"rss_before_mb": round(before, 1), "peak_mb": round(peak, 1),
            "delta_mb": round(peak - before, 1), "mb_per_s": round(mb / seconds, 1)}


def bench_memory(world: World, targets: dict[str, Target], pids: dict[str, int],
                 big: dict[Path, dict[str, str]]) -> dict:
    size = next(iter(big)).stat().st_size
    out: dict = {"upload_mb": round(size / MB), "chunk_mb": BIG_CHUNK_MB}
    for name, target in targets.items():
        for label, chunk in ((f"{BIG_CHUNK_MB}mb_chunks", BIG_CHUNK_MB * MB),
                             ("single_patch", size)):
            inspection_id = world.new_inspection()
            out.setdefault(name, {})[label] = peak_while(
                pids[name], lambda t=target, c=chunk, i=inspection_id: t.upload_all(big, i, c),
                size / MB)
            say(f"memory {name} {label}: {out[name][label]}")
    return out


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the clean-ups


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    began = time.perf_counter()
    out: dict = {"bench": "media"}
    with ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="kt1-bench-media-"))
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        say("making photos and random files")
        photos = make_photos(work)
        if "b" in PARTS:
            out["derivatives"] = bench_derivatives(photos)
        if PARTS & {"a", "c"}:
            out.update(bench_uploads(stack, work, photos))
    print(json.dumps({**out, "seconds": round(time.perf_counter() - began, 1)},
                     ensure_ascii=False))


def bench_uploads(stack: ExitStack, work: Path, photos: list[tuple[str, Path]]) -> dict:
    """(a) and (c), as PARTS asks: both servers started, fed, and stopped with `stack`."""
    out: dict = {"reference_server": install_reference()}
    files = describe(random_files(work, FILES, FILE_MB * MB, "random")
                     + [p for _, p in photos if p.suffix == ".jpg"])
    queued = stack.enter_context(scratch_redis())
    out["photo_jobs"] = "queued" if queued else "inline"
    world = World(f"sqlite:///{work / 'kt1.sqlite'}")
    stack.callback(world.engine.dispose)
    ports = {"ours": free_port(), "reference": free_port()}
    logs = {"ours": work / "gunicorn.log", "reference": work / "node.log"}
    (work / "tus").mkdir()
    ours = stack.enter_context(running(
        gunicorn_cmd(ports["ours"]), log=logs["ours"],
        env=server_env(work, world.url, queued)))
    node = stack.enter_context(running(
        [shutil.which("node") or "node", str(REFERENCE_SERVER), str(ports["reference"]),
         str(work / "tus"), str(NODE_PREFIX)], log=logs["reference"]))
    base = f"http://127.0.0.1:{ports['ours']}"
    targets = {"ours": Target(f"{base}/api/v1/uploads"),
               "reference": Target(f"http://127.0.0.1:{ports['reference']}/files")}
    wait_ready(targets["ours"].endpoint, ours, logs["ours"])
    wait_ready(targets["reference"].endpoint, node, logs["reference"])
    targets["ours"].headers = login(base)
    if "a" in PARTS:
        out["upload_throughput"] = bench_throughput(world, targets, files, {
            "ours": [ours.pid, gunicorn_worker(ours.pid)], "reference": [node.pid]})
    if "c" in PARTS:
        big = describe(random_files(work, 1, BIG_MB * MB, "big"))
        out["upload_memory"] = bench_memory(
            world, targets, {"ours": gunicorn_worker(ours.pid), "reference": node.pid}, big)
    return out


if __name__ == "__main__":
    main()
