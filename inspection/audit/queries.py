"""The read side of the audit chain: the history a user may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection.models import AuditEntry, StaffMember, User
from inspection.models.staff import ROSTER_READERS

RESTRICTED_ENTITIES: dict[str, tuple[str, ...]] = {StaffMember.__tablename__: ROSTER_READERS}
"""entity -> the only roles that see its entries in `history` (its before/after values are
personal data); everyone else sees the chain without them, and `verify` still covers them."""


def history(session: Session, actor: User, *, entity: str | None = None,
            entity_id: str | None = None, newest_first: bool = False) -> Any:
    """A select of entries visible to the actor (its province; a restricted entity's only
    to the roles that may read that data), newest last (or first)."""
    from inspection.scope import province_clause

    stmt = select(AuditEntry).where(province_clause(actor, AuditEntry.province_code))
    hidden = [name for name, roles in RESTRICTED_ENTITIES.items() if actor.role not in roles]
    if hidden:
        stmt = stmt.where(AuditEntry.entity.not_in(hidden))
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    return stmt.order_by(AuditEntry.id.desc() if newest_first else AuditEntry.id)
