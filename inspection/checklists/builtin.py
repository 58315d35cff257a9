"""The two built-in checklists (KT1 providers, KT1 user agencies). Content: TODO (in progress)."""

from sqlalchemy.orm import Session


def seed_builtin(session: Session) -> None:
    """Publish the built-in checklists once (idempotent)."""
