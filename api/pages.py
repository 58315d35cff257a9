"""Security headers. Pages the service serves itself to browsers (the supervisors' console,
the tablet field app, the API docs): static files, revalidated on each use so that a deploy is
seen at once, and locked down by a content security policy that allows only this origin. Every
other response gets `nosniff`, and any other HTML (the notices' verification page) the base
policy, no framing and no referrer beyond this origin."""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from inspection import labels

BASE_POLICY = ("default-src 'self'", "script-src 'self'", "style-src 'self'",
               "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
               "form-action 'self'", "frame-ancestors 'none'")
HTML = ("text/html", "application/xhtml+xml")


def policy(*directives: str) -> str:
    """The base policy with `directives` added (e.g. "img-src 'self' data:")."""
    return "; ".join((*BASE_POLICY, *directives))


def secure(resp: Response, csp: str) -> Response:
    """The headers every response gets, and an HTML response's page headers with `csp`
    (unless a page gave its own)."""
    resp.headers["X-Content-Type-Options"] = "nosniff"
    if resp.mimetype in HTML:
        resp.headers.setdefault("Content-Security-Policy", csp)
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp


def lock_down(bp: Blueprint, *directives: str) -> None:
    """Give every response of `bp` the page headers; HTML gets the base policy plus
    `directives` (e.g. "img-src 'self' data:")."""
    csp = policy(*directives)

    @bp.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["Cache-Control"] = "no-cache"
        resp.headers["Referrer-Policy"] = "same-origin"
        return secure(resp, csp)


def init_app(app: Flask) -> None:
    """`nosniff` on every response (JSON and problems too); the base page headers on any HTML
    response that a locked-down blueprint has not already given its own."""
    base = policy()

    @app.after_request
    def _headers(resp: Response) -> Response:
        return secure(resp, base)


def serve_labels(bp: Blueprint) -> None:
    """`<prefix>/labels.js`: the one label table (inspection/labels.py) as an ES module, so a
    page says what the documents say."""

    @bp.get("/labels.js")
    def labels_module() -> Response:
        return Response(labels.as_module(), mimetype="text/javascript")
