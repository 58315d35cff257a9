"""/app: the tablet field app, a Progressive Web App served by the service itself.

Static files only: the app talks to the public API (/api/v1/auth, /sync/package, /sync/push,
/sync/pull, /uploads, /inspections/{id}/submit) like any native client would. Its service worker
(/app/sw.js, scope /app/) caches the app shell; data lives in the browser's IndexedDB. idb and
tus-js-client are vendored under static/vendor/ (see vendor.sh); nothing comes from a CDN.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, redirect, url_for

from api.pages import lock_down, serve_labels
from inspection import labels

bp = Blueprint("field", __name__, url_prefix="/app", static_folder="static",
               static_url_path="/static")

STATIC = Path(__file__).resolve().parent / "static"
# What the service worker caches: every file of the shell (the data is in IndexedDB).
SHELL_SUFFIXES = (".html", ".js", ".css", ".png", ".webmanifest")

# Photos and signatures are shown from blob: and data: URLs before they are uploaded.
lock_down(bp, "img-src 'self' blob: data:", "worker-src 'self'", "manifest-src 'self'")
serve_labels(bp)


@cache
def shell() -> tuple[str, tuple[str, ...]]:
    """(version, paths) of the app shell: the version is a digest of every shell file, so a
    deploy that changes any of them installs a new service worker and a fresh cache."""
    files = sorted(p for p in STATIC.rglob("*") if p.is_file() and p.suffix in SHELL_SUFFIXES
                   and p.name not in ("sw.js", "index.html", "manifest.webmanifest"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(STATIC).as_posix().encode())
        digest.update(path.read_bytes())
    for name in ("index.html", "manifest.webmanifest", "sw.js"):
        digest.update((STATIC / name).read_bytes())
    digest.update(labels.as_module().encode())
    paths = ("/app/", "/app/manifest.webmanifest", "/app/labels.js",
             *(f"/app/static/{p.relative_to(STATIC).as_posix()}" for p in files))
    return digest.hexdigest()[:16], paths


@bp.get("")
def bare() -> Response:
    return redirect(url_for("field.index"))  # type: ignore[return-value]


@bp.get("/")
def index() -> Response:
    """The app's single page (HTML); scripts and styles come from /app/static/."""
    return bp.send_static_file("index.html")


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest (installable: name, icons, start URL /app/, standalone)."""
    resp = bp.send_static_file("manifest.webmanifest")
    resp.mimetype = "application/manifest+json"
    return resp


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, at /app/ so that its scope is the app; the shell's version and file
    list are written into it here."""
    version, paths = shell()
    source = (STATIC / "sw.js").read_text(encoding="utf-8")
    source = source.replace("__SHELL_VERSION__", version).replace(
        '"__SHELL_FILES__"', ", ".join(f'"{p}"' for p in paths))
    return Response(source, mimetype="text/javascript")
