"""The HTTP layer: app factory, blueprints, schemas, auth and problem+json errors."""
