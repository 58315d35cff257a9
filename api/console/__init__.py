"""/console: the office console (one page, hash routes, the map among them), served by the app
itself.

Static files only: the page talks to /api/v1 with the same bearer tokens as the tablets.
Leaflet is vendored under static/vendor/ (see vendor.sh); nothing is loaded from a CDN.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for

from api.pages import lock_down, serve_labels

bp = Blueprint("console", __name__, url_prefix="/console", static_folder="static",
               static_url_path="/static")

# Leaflet positions its panes through the CSSOM (allowed by style-src 'self') and its CSS
# embeds no fonts; `data:` images are for its icons and the page's favicon, `blob:` ones for
# photos fetched with the token.
lock_down(bp, "img-src 'self' data: blob:")
serve_labels(bp)


@bp.get("")
def bare() -> Response:
    return redirect(url_for("console.index"))  # type: ignore[return-value]


@bp.get("/")
def index() -> Response:
    """The console's single page (HTML): one login, menus by role, hash routes; its modules
    and styles come from /console/static/."""
    return bp.send_static_file("index.html")


@bp.get("/map")
def map_page() -> Response:
    """The map, now a page of the console: a redirect to /console/#/map."""
    return redirect(url_for("console.index") + "#/map")  # type: ignore[return-value]
