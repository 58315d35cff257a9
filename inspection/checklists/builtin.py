"""The two built-in checklists (KT1 providers, KT1 user agencies), published version by
version.

The content is data in `kt1_provider` and `kt1_user`: a module's `VERSIONS` (when it has more
than one) lists every published version's content, oldest first; `SECTIONS` is the current
one. Each goes through the same validation as a version an administrator drafts.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspection import legal
from inspection.checklists import kt1_provider, kt1_user, services
from inspection.models import Campaign, Checklist
from inspection.notices import today_in_vietnam

BUILTIN: tuple[ModuleType, ...] = (kt1_provider, kt1_user)


def versions(module: ModuleType) -> tuple[list[dict[str, Any]], ...]:
    """The module's content of version 1, 2, … (the current content last)."""
    return tuple(getattr(module, "VERSIONS", (module.SECTIONS,)))


def seed_builtin(session: Session) -> list[Checklist]:
    """Publish each built-in version a code does not have yet: version n of the module when
    the code has fewer than n versions (published, draft or retired). A new version retires
    the published versions before it (inspections keep the version they pinned; campaigns
    created from now on are offered the new one), except one that a campaign not yet ended
    pins: its tablets still start inspections on it (an admin retires it later). Idempotent:
    a database that has them all is left alone. Every citation is then in the register of legal
references (`legal.sync_register`). Returns the versions created now."""
    created = []
    for module in BUILTIN:
        have = session.scalar(select(func.count()).select_from(Checklist)
                              .where(Checklist.code == module.CODE)) or 0
        for sections in versions(module)[have:]:
            draft = services.create_version(session, code=module.CODE, title=module.TITLE,
                                            target_kind=module.TARGET_KIND, sections=sections)
            created.append(services.publish(session, draft.id))
            _retire_unused(session, created[-1])
    legal.sync_register(session)
    return created


def _retire_unused(session: Session, newest: Checklist) -> None:
    """Retire the published versions of `newest`'s code before it that no running or coming
    campaign pins."""
    in_use = select(Campaign.checklist_id).where(Campaign.ends_on >= today_in_vietnam())
    for older in session.scalars(select(Checklist).where(
            Checklist.code == newest.code, Checklist.status == "published",
            Checklist.version < newest.version, Checklist.id.not_in(in_use))):
        older.status = "retired"
    session.flush()
