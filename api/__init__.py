"""The HTTP layer: app factory, blueprints, schemas, auth and problem+json errors."""

from flask_smorest import Blueprint

from api.json_body import BodyParser

# flask-smorest binds its parser when a view is decorated, so it is set here, before any
# blueprint module is imported: every @blp.arguments reads the body api/json_body.py parsed.
Blueprint.ARGUMENTS_PARSER = BodyParser()
