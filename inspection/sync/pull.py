"""Pull: the feed's changes after a cursor that the caller may see, in position order.

A page is read from one snapshot (`feed.begin_snapshot`), with the records the caller sends
along, so a change's version and its record agree and the next cursor misses nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Uuid, and_, cast, false, func, or_, select
from sqlalchemy.orm import Session

from inspection import errors
from inspection.audit import NATIONAL
from inspection.inspections.queries import photos_clause, post_findings_clause, reviewed_clause
from inspection.models import Answer, Finding, Inspection, Photo, Site, SyncFeed, User
from inspection.models import assignment_members as members
from inspection.models.users import FIELD_ROLES
from inspection.scope import province_clause
from inspection.sync import feed

# What a post office's staff may read: its own sites, and of them what the REST API shows it
# (inspections/queries.py): approved inspections with their answers, findings confirmed or
# followed up since, and the photos behind those findings or sent by its organisation.
POST_ENTITIES = ("site", "inspection", "answer", "finding", "photo")


@dataclass(frozen=True)
class Page:
    changes: list[SyncFeed]
    cursor: feed.Cursor
    has_more: bool


def changes_after(session: Session, actor: User, *, cursor: feed.Cursor, limit: int,
                  entities: Collection[str] | None = None) -> Page:
    """Up to `limit` changes after `cursor` that the actor may see (of `entities` only, when
    given), oldest first in each province, province after province. The next cursor is at the
    last change sent while `has_more`; on the last page it is at the feed's positions in this
    snapshot (never behind `cursor`), so positions the actor may not see are not scanned
    again. Never goes back. Call it before anything else reads in the session's
    transaction."""
    if limit < 1:
        raise errors.ValidationFailed("Giới hạn phải từ 1.", errors={"limit": ["invalid"]})
    feed.begin_snapshot(session)
    upto = feed.positions(session, actor)
    key = feed.key_column()
    unseen = [(p, cursor.of(p), n) for p, n in sorted(upto.items()) if n > cursor.of(p)]
    if not unseen:
        return Page([], feed.position(session, actor, cursor), False)
    stmt = (select(SyncFeed)
            .where(or_(*(and_(key == p, SyncFeed.seq > after, SyncFeed.seq <= n)
                         for p, after, n in unseen)), visible(session, actor))
            .order_by(key, SyncFeed.seq).limit(limit + 1))
    if entities is not None:
        stmt = stmt.where(SyncFeed.entity.in_(entities))
    rows = list(session.scalars(stmt))
    done = {p: max(n, cursor.of(p)) for p, n in upto.items()}
    if len(rows) <= limit:
        return Page(rows, _cursor(actor, cursor, done), False)
    last = rows[limit - 1]
    last_key = last.province_code or NATIONAL
    reached = {p: n for p, n in done.items() if p < last_key} | {last_key: last.seq}
    return Page(rows[:limit], _cursor(actor, cursor, reached), True)


def _cursor(actor: User, before: feed.Cursor, reached: dict[str, int]) -> feed.Cursor:
    if not actor.is_national:
        return feed.Cursor(reached.get(actor.province_code or NATIONAL, before.default))
    return feed.Cursor(before.default, {**before.at, **reached})


def visible(session: Session, actor: User) -> ColumnElement[bool]:
    """Feed rows the actor may see: their province's (every one for a national admin); a
    post user only its organisation's sites and, of them, what it may read now (`_for_post`);
    inspectors and police only the assignments they are on (and every tombstone)."""
    clause = province_clause(actor, SyncFeed.province_code)
    if actor.role == "post":
        if not actor.organization:
            return false()
        return clause & SyncFeed.entity.in_(POST_ENTITIES) & SyncFeed.site_id.in_(
            select(Site.id).where(Site.organization == actor.organization)) & _for_post(
            session, actor)
    if actor.role in FIELD_ROLES:
        mine = [str(i) for i in session.scalars(
            select(members.c.assignment_id).where(members.c.user_id == actor.id))]
        clause = clause & or_(SyncFeed.entity != "assignment", SyncFeed.op == "delete",
                              SyncFeed.entity_id.in_(mine))
    return clause


def _for_post(session: Session, actor: User) -> ColumnElement[bool]:
    """The rows of a post user's sites whose record it may read as it stands: the sites, and
    the inspections, answers, findings and photos that the REST API shows it. A record that
    enters its scope later (an inspection approved, a finding confirmed) reaches it when that
    record's own change is numbered after the reader's cursor: answers and photos of an
    inspection approved after the cursor passed them are read from the REST API."""
    key = _feed_key(session)
    reviewed = reviewed_clause(actor)
    records: dict[str, Any] = {
        "inspection": select(Inspection.id).where(key(Inspection.id), reviewed),
        "answer": select(Answer.id).join(Inspection, Inspection.id == Answer.inspection_id)
        .where(key(Answer.id), reviewed),
        "finding": select(Finding.id).join(Inspection, Inspection.id == Finding.inspection_id)
        .where(key(Finding.id), reviewed, post_findings_clause(actor)),
        "photo": select(Photo.id).join(Inspection, Inspection.id == Photo.inspection_id)
        .where(key(Photo.id), reviewed, photos_clause(actor)),
    }
    return or_(SyncFeed.entity == "site",
               *(and_(SyncFeed.entity == entity, stmt.exists())
                 for entity, stmt in records.items()))


def _feed_key(session: Session) -> Any:
    """`key(column)`: the clause matching a record's UUID `column` to the feed row's
    `entity_id` (its canonical text), as each backend stores UUIDs (PostgreSQL natively,
    SQLite as 32 hex digits), with the conversion on the feed's side so the record's primary
    key index serves the lookup."""
    if session.get_bind().dialect.name == "postgresql":
        return lambda column: column == cast(SyncFeed.entity_id, Uuid)
    return lambda column: column == func.replace(SyncFeed.entity_id, "-", "")
