"""Pages the service serves itself to browsers (the supervisors' console, the tablet field
app): static files, revalidated on each use so that a deploy is seen at once, and locked down
by a content security policy that allows only this origin."""

from __future__ import annotations

from flask import Blueprint, Response

BASE_POLICY = ("default-src 'self'", "script-src 'self'", "style-src 'self'",
               "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
               "form-action 'self'", "frame-ancestors 'none'")


def lock_down(bp: Blueprint, *directives: str) -> None:
    """Give every response of `bp` the page headers; HTML gets the base policy plus
    `directives` (e.g. "img-src 'self' data:")."""
    policy = "; ".join((*BASE_POLICY, *directives))

    @bp.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["Cache-Control"] = "no-cache"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        if resp.mimetype == "text/html":
            resp.headers["Content-Security-Policy"] = policy
            resp.headers["X-Frame-Options"] = "DENY"
        return resp
