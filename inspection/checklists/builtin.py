"""The two built-in checklists (KT1 providers, KT1 user agencies), published as version 1.

The content is data in `kt1_provider` and `kt1_user`; it goes through the same validation as
a version an administrator drafts.
"""

from __future__ import annotations

from types import ModuleType

from sqlalchemy.orm import Session

from inspection.checklists import kt1_provider, kt1_user, services
from inspection.models import Checklist

BUILTIN: tuple[ModuleType, ...] = (kt1_provider, kt1_user)


def seed_builtin(session: Session) -> list[Checklist]:
    """Publish version 1 of each built-in checklist whose code has no version yet.
    Idempotent: a code that has any version (published, draft or retired) is left alone.
    Returns the versions created now."""
    created = []
    for module in BUILTIN:
        if services.find_latest(session, module.CODE) is not None:
            continue
        draft = services.create_version(session, code=module.CODE, title=module.TITLE,
                                        target_kind=module.TARGET_KIND, sections=module.SECTIONS)
        created.append(services.publish(session, draft.id))
    return created
