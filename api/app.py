"""The application factory: settings in, a configured Flask app out."""

from __future__ import annotations

import logging

from flask import Flask, request
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.proxy_fix import ProxyFix

from api import database, json_body, pages, problems
from api.jobs import init_app as init_jobs
from api.openapi import KT1Api, ProblemJsonPlugin
from inspection import errors
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *,
               session_factory: sessionmaker[Session] | None = None) -> Flask:
    """Build the app. Tests pass `session_factory` bound to their own connection."""
    settings = settings or Settings.from_env()
    settings.check()
    app = Flask(__name__, instance_path=str(settings.instance_path))
    if settings.trusted_proxies:
        # Only then is X-Forwarded-For believed: the address the nearest trusted proxy saw.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE="KT1 Inspect",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",  # its docs page is ours (api/docs), not smorest's
        API_SPEC_OPTIONS={
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "info": {"description": "The field API of KT1 Inspect (see API.md)."},
        },
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    engine = None
    session_factory_given = session_factory is not None
    if session_factory is None:
        engine = make_engine(settings.database_url)
        session_factory = make_session_factory(engine)
    app.extensions["kt1"] = database.Runtime(settings, engine, session_factory)
    database.init_app(app)
    init_jobs(app, inline=session_factory_given)
    api = KT1Api(app, spec_kwargs={"extra_plugins": [ProblemJsonPlugin()]})
    problems.init_app(app)  # after flask-smorest, whose own HTTP error handler it replaces
    _register(app, api)
    pages.init_app(app)
    app.before_request(_refuse_nul_characters)
    json_body.init_app(app)
    logging.basicConfig(level=logging.INFO)
    return app


def _register(app: Flask, api: KT1Api) -> None:
    from api import console, docs, field
    from api.blueprints import (
        assignments,
        audit,
        auth,
        campaigns,
        checklists,
        communes,
        devices,
        findings,
        health,
        inspections,
        jobs,
        legal_references,
        maps,
        notices,
        photos,
        planning,
        provinces,
        provision_reports,
        records,
        reports,
        signers,
        sites,
        staff,
        sync_feed,
        sync_push,
        uploads,
        users,
        verify,
    )

    for module in (auth, users, devices, audit, sites, campaigns, assignments, provinces,
                   communes, inspections, photos, uploads, findings, checklists, sync_feed,
                   sync_push, jobs, notices, reports, records, maps, staff,
                   provision_reports, planning, legal_references, signers):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX + module.PREFIX)
    app.register_blueprint(health.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(field.bp)
    app.register_blueprint(docs.bp)


def _refuse_nul_characters() -> None:
    """PostgreSQL cannot store NUL in text: refuse it up front in paths and queries (in JSON
    bodies api/json_body.py refuses it, naming the field)."""
    if "\x00" in request.path or b"%00" in request.query_string:
        raise errors.ValidationFailed("Dữ liệu chứa ký tự NUL (\\u0000), không được chấp nhận.",
                                      errors={"_request": ["NUL character"]})
