"""/api/v1/docs: the API's documentation page, Swagger UI over /api/v1/openapi.json.

Served here rather than by flask-smorest, whose page starts Swagger UI with an inline script:
this page loads only files of this origin (Swagger UI vendored under static/vendor/ by
vendor.sh, and its starter static/docs.js), so its content security policy allows no inline
script and nothing from a CDN.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for

from api.pages import lock_down

bp = Blueprint("docs", __name__, url_prefix="/api/v1/docs", static_folder="static",
               static_url_path="/static")

# Swagger UI's stylesheet draws its icons as `data:` SVG images; it fetches the OpenAPI
# document (and "Try it out" requests) from this origin.
lock_down(bp, "img-src 'self' data:")


@bp.get("")
def page() -> Response:
    """The documentation page (HTML)."""
    return bp.send_static_file("docs.html")


@bp.get("/")
def slash() -> Response:
    return redirect(url_for("docs.page"))  # type: ignore[return-value]
