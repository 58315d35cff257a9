"""The application factory: settings in, a configured Flask app out."""

from __future__ import annotations

import logging

from flask import Flask, send_from_directory
from flask_smorest import Api
from sqlalchemy.orm import Session, sessionmaker

from api import database, problems
from api.schemas import ProblemSchema
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory

API_PREFIX = "/api/v1"


class KT1Api(Api):
    ERROR_SCHEMA = ProblemSchema


def create_app(settings: Settings | None = None, *,
               session_factory: sessionmaker[Session] | None = None) -> Flask:
    """Build the app. Tests pass `session_factory` bound to their own connection."""
    settings = settings or Settings.from_env()
    settings.check()
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
        API_TITLE="KT1 Inspect",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=f"{API_PREFIX}/docs/assets/",
        API_SPEC_OPTIONS={
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "info": {"description": "The field API of KT1 Inspect (see API.md)."},
        },
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    engine = None
    if session_factory is None:
        engine = make_engine(settings.database_url)
        session_factory = make_session_factory(engine)
    app.extensions["kt1"] = database.Runtime(settings, engine, session_factory)
    database.init_app(app)
    api = KT1Api(app)
    problems.init_app(app)  # after flask-smorest, whose own HTTP error handler it replaces
    _register(app, api)
    _vendor_swagger_ui(app)
    logging.basicConfig(level=logging.INFO)
    return app


def _register(app: Flask, api: Api) -> None:
    from api.blueprints import audit, auth, devices, health

    for module in (auth, devices, audit):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX + module.PREFIX)
    app.register_blueprint(health.bp)


def _vendor_swagger_ui(app: Flask) -> None:
    """Serve Swagger UI's files from the installed swagger-ui-bundle package (no CDN)."""
    import swagger_ui_bundle

    @app.get(f"{API_PREFIX}/docs/assets/<path:filename>")
    def swagger_ui_asset(filename: str):  # type: ignore[no-untyped-def]
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)
