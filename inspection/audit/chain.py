"""The audit chains: every flush of an audited model notes entries, chained when it commits.

Models opt in with `__audited__ = (attribute names)`. Each flush notes an entry per audited
change (`before_flush`), and the transaction's commit chains them (`chain_pending`, run by
`before_commit`): it locks the head row of each chain it appends to (`lock_chains`, one
statement, PostgreSQL row locks held to the commit), numbers and hashes the entries onto it,
writes them and the feed rows of synced records in bulk, and commits. So a change and its
entries commit or roll back together, a province's head is held for those few statements and
not for the whole request, and a chain's positions commit in order: a writer that numbers
after another in the same chain also commits after it. Entries noted in a savepoint that is
rolled back are dropped with it. Work that needs its entries before the commit (a check of
the chain inside one transaction) calls `chain_pending` itself; the heads are then held to
the end of the transaction, as before.

There is one chain per scope (`chain_of`): a province's writes, that province's reads of
personal data, and the national one for what belongs to no province; plus the frozen `legacy`
chain of everything written before the split (migration 0020), where every chain starts.
Writers in different provinces never wait for each other, and a reader of personal data never
waits for a writer. A national admin's write lands in the chain of the province the record
belongs to. Other events are noted through `note` (see `inspection.audit.events`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import Connection, Table, bindparam, inspect, select, update
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.util import identity_key

from inspection.db import as_sqlalchemy_error, dialect_insert, expire_held, insert_rows, utcnow
from inspection.models import AuditEntry, AuditHead

GENESIS = "0" * 64
LEGACY = "legacy"
NATIONAL = "VN"
_READS = ":read"


def chain_of(province_code: str | None, *, reads: bool = False) -> str:
    """The chain of a province's writes (of its reads of personal data with `reads`); the
    national one for what belongs to no province."""
    return (province_code or NATIONAL) + (_READS if reads else "")


def set_actor(session: Session, user_id: uuid.UUID | None, device_id: str | None) -> None:
    """Name who is writing through this session; entries carry it."""
    session.info["actor_id"] = user_id
    session.info["device_id"] = device_id


def _plain(value: Any) -> Any:
    if isinstance(value, WKBElement):
        return to_shape(value).wkt
    if isinstance(value, WKTElement):
        return str(value.data).split(";", 1)[-1]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str) and value.startswith("SRID="):
        return value.split(";", 1)[1]
    return value


def _fill_defaults(obj: Any) -> None:
    """Apply scalar Python-side column defaults now, so the entry shows the real values."""
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        col = attr.columns[0]
        default = getattr(col, "default", None)  # a computed column_property has none
        if attr.key in state.dict or default is None:
            continue
        if default.is_scalar:
            setattr(obj, attr.key, default.arg)
        elif default.is_callable:
            setattr(obj, attr.key, default.arg(None))


_NEW = "kt1_audit_new"
"""session.info: the flush's pending objects by (class, id), while `before_flush` runs."""


def get_in_flush(session: Session, model: type[Any], ident: Any) -> Any:
    """`session.get` that also finds an object added in the flush being written: a pending
    object is not in the identity map yet (a parent created with its children in one flush).
    Asks the database only for what the session does not hold."""
    found = session.identity_map.get(identity_key(model, ident))
    if found is not None:
        return found
    new = session.info.get(_NEW)
    if new is None:
        new = {(type(o), getattr(o, "id", None)): o for o in session.new}
    return new.get((model, ident)) or session.get(model, ident)


def province_of(session: Session, obj: Any) -> str | None:
    """The province a record belongs to: its own `province_code`, else its inspection's, else
    its site's (an assignment). None for a record of no province (a checklist)."""
    code = getattr(obj, "province_code", None)
    if code is not None:
        return code  # type: ignore[no-any-return]
    from inspection.models import Inspection, Site

    if getattr(obj, "inspection_id", None) is not None:
        parent = get_in_flush(session, Inspection, obj.inspection_id)
        return parent.province_code if parent else None
    if getattr(obj, "site_id", None) is not None:
        site = get_in_flush(session, Site, obj.site_id)
        return site.province_code if site else None
    return None


def _changes(obj: Any, fields: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in fields:
        hist = state.attrs[name].load_history()
        if not hist.has_changes():
            continue
        before[name] = _plain(hist.deleted[0]) if hist.deleted else None
        after[name] = _plain(hist.added[0]) if hist.added else None
    return before, after


_HASHED = ("at", "actor_id", "device_id", "action", "entity", "entity_id", "province_code",
           "before", "after", "chain", "position")


def entry_digest(prev_hash: str, entry: AuditEntry | Mapping[str, Any]) -> str:
    """The hash of an entry (an `AuditEntry`, or its fields as a mapping) chained on
    `prev_hash`."""
    fields = entry if isinstance(entry, Mapping) else {k: getattr(entry, k) for k in _HASHED}
    payload: dict[str, Any] = {
        "prev": prev_hash,
        "at": fields["at"].isoformat(),
        "actor": str(fields["actor_id"]) if fields["actor_id"] else None,
        "device": fields["device_id"],
        "action": fields["action"],
        "entity": fields["entity"],
        "entity_id": fields["entity_id"],
        "province": fields["province_code"],
        "before": fields["before"],
        "after": fields["after"],
    }
    if fields["chain"] != LEGACY:  # the legacy chain was hashed before chains had names
        payload |= {"chain": fields["chain"], "position": fields["position"]}
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


Pending = list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None]]


def _pending(session: Session) -> Pending:
    out: Pending = []
    for obj in list(session.new):
        fields = getattr(obj, "__audited__", None)
        if fields:
            _fill_defaults(obj)
            after = {f: _plain(getattr(obj, f)) for f in fields}
            out.append(("create", obj, None, after))
    for obj in list(session.dirty):
        fields = getattr(obj, "__audited__", None)
        if fields and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj, fields)
            if after or before:
                out.append(("update", obj, before, after))
    for obj in list(session.deleted):
        fields = getattr(obj, "__audited__", None)
        if fields:
            out.append(("delete", obj, {f: _plain(getattr(obj, f)) for f in fields}, None))
    return out


@dataclass(frozen=True)
class Draft:
    """An entry noted but not yet chained: the `AuditEntry` fields but its hashes and place,
    the chain it goes to, and the feed row of a synced record (`feed.change`) or None."""

    chain: str
    fields: dict[str, Any]
    feed: dict[str, Any] | None = None


_PENDING = "kt1_audit_pending"
"""`session.info` key: the transaction's drafts, each with the (nested) transaction it was
noted in, in the order noted."""


def note(session: Session, drafts: list[Draft]) -> None:
    """Keep `drafts` for the transaction's commit (`chain_pending`), tied to the innermost
    transaction: a savepoint rolled back drops them."""
    where = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).extend((where, d) for d in drafts)


def has_pending(session: Session) -> bool:
    """Whether this transaction has noted entries not yet chained (so ending it without a
    commit would lose them)."""
    return bool(session.info.get(_PENDING))


def before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    with session.no_autoflush:
        pending = _pending(session)
        if not pending:
            return
        actor = session.info.get("actor_id")
        device = session.info.get("device_id")
        now = utcnow()
        session.info[_NEW] = {(type(o), getattr(o, "id", None)): o for o in session.new}
        try:
            drafts = [_draft(session, action, obj, before, after, actor=actor, device=device,
                             at=now) for action, obj, before, after in pending]
        finally:
            del session.info[_NEW]
        note(session, drafts)


def _draft(session: Session, action: str, obj: Any, before: dict[str, Any] | None,
           after: dict[str, Any] | None, *, actor: Any, device: Any, at: datetime) -> Draft:
    from inspection.sync import feed

    province = province_of(session, obj)
    ident = inspect(obj).identity or tuple(
        getattr(obj, c.key) for c in inspect(obj).mapper.primary_key)
    if any(part is None for part in ident):
        raise TypeError(f"audited {obj.__tablename__} needs a client-side primary key")
    change = (feed.change(session, obj, deleted=action == "delete", province=province, at=at)
              if getattr(obj, "__synced__", None) else None)
    return Draft(chain_of(province), {
        "at": at, "actor_id": actor, "device_id": device, "action": action,
        "entity": obj.__tablename__, "entity_id": ":".join(str(i) for i in ident),
        "province_code": province, "before": before, "after": after}, change)


def chain_pending(session: Session, *, committing: bool = False) -> int:
    """Chain what this transaction has noted so far (flushing what is pending first): lock
    the heads it appends to (`lock_chains`, held to the end of the transaction), number and
    hash the entries, and write them, their feed rows and the heads in bulk. Runs at every
    commit; call it before to read this transaction's entries. Returns the number of entries
    written. Heads, entries and feed rows go through Core, not the ORM (every audited request
    runs this); an `AuditHead` the session holds is expired, so it is read again."""
    session.flush()
    drafts = [d for _, d in session.info.pop(_PENDING, [])]
    if not drafts:
        return 0
    heads = lock_chains(session, {d.chain for d in drafts})
    rows: list[dict[str, Any]] = []
    feed_rows: list[dict[str, Any]] = []
    for draft in drafts:
        head = heads[draft.chain]
        row = draft.fields | {"chain": head.chain, "position": head.position + 1,
                              "prev_hash": head.hash}
        row["hash"] = head.hash = entry_digest(head.hash, row)
        head.entries += 1
        rows.append(row)
        if draft.feed is not None:
            feed_rows.append(draft.feed | {"seq": row["position"]})
    with sent_with_commit(session) if committing else nullcontext():
        insert_rows(session, _ENTRIES, rows)
        if feed_rows:
            from inspection.sync import feed

            feed.record(session, feed_rows)
        session.execute(_MOVE_HEAD, [{"b_chain": h.chain, "b_entries": h.entries,
                                      "b_hash": h.hash} for h in heads.values()])
    expire_held(session, AuditHead, heads)
    return len(rows)


@contextmanager
def sent_with_commit(session: Session) -> Iterator[None]:
    """Send the statements run in the block and the transaction's COMMIT together, waiting for
    the server once (a psycopg pipeline), when the session's commit is the database's: the
    heads `chain_pending` locked are then held for one round trip and the commit's WAL flush,
    not for a round trip per statement with the request's Python between them. SQLAlchemy's
    own commit that follows finds the transaction over and sends nothing. A database error
    surfaces here as SQLAlchemy raises it from a statement (`sqlalchemy.exc.IntegrityError`,
    …), with the transaction rolled back and a dropped connection invalidated. Anywhere else
    (SQLite, a session joined to a caller's transaction, no transaction open) the block runs
    as it is and the commit comes after."""
    conn = session.connection()
    if (conn.dialect.driver != "psycopg" or isinstance(session.bind, Connection)
            or session.in_nested_transaction()):
        yield
        return
    import psycopg

    raw = cast(psycopg.Connection[Any], conn.connection.driver_connection)
    if raw.info.transaction_status != psycopg.pq.TransactionStatus.INTRANS:
        yield
        return
    try:
        with raw.pipeline():
            yield
            raw.execute("COMMIT")
    except psycopg.Error as err:
        raise as_sqlalchemy_error(conn, err, "COMMIT (with the audit chain's writes, "
                                             "pipelined)") from err


def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's release keeps its drafts
        chain_pending(session, committing=True)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    """Drop the drafts of `previous` (rolled back) and of the savepoints inside it."""
    pending = session.info.get(_PENDING)
    if not pending:
        return

    def inside(where: SessionTransaction | None) -> bool:
        while where is not None:
            if where is previous:
                return True
            where = where.parent
        return False

    session.info[_PENDING] = [(w, d) for w, d in pending if not inside(w)]


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the transaction is over: nothing noted outlives it
        session.info.pop(_PENDING, None)


@dataclass
class Head:
    """A chain's head as locked (`lock_chains`): its entries and newest hash, moved on as
    `chain_pending` appends."""

    chain: str
    entries: int
    hash: str
    base_position: int

    @property
    def position(self) -> int:
        """The position of the chain's newest entry (its base if it has none)."""
        return self.base_position + self.entries


_HEADS = cast(Table, AuditHead.__table__)
_LOCK_HEADS = (select(_HEADS.c.chain, _HEADS.c.entries, _HEADS.c.hash, _HEADS.c.base_position)
               .where(_HEADS.c.chain.in_(bindparam("names", expanding=True)))
               .order_by(_HEADS.c.chain).with_for_update())
_MOVE_HEAD = (update(_HEADS).where(_HEADS.c.chain == bindparam("b_chain"))
              .values(entries=bindparam("b_entries"), hash=bindparam("b_hash")))
"""Built once: each audited commit runs them, and a statement built anew costs its
construction and cache key every time."""
_ENTRIES = cast(Table, AuditEntry.__table__)


def lock_chain(session: Session, chain: str) -> Head:
    """Lock `chain`'s head for the rest of the transaction (see `lock_chains`)."""
    return lock_chains(session, [chain])[chain]


def lock_chains(session: Session, chains: Collection[str]) -> dict[str, Head]:
    """Lock the heads of `chains` for the rest of the transaction, in name order, in one
    statement: from here on this transaction is the only writer of those chains (and of their
    provinces' feed positions, which follow them). A chain's first writer creates its head,
    starting where the legacy chain ends. The rows are always read anew (Core, never a
    session's copy): a session that outlived an earlier commit must not chain onto the heads
    it saw then."""
    names = sorted(set(chains))

    def read() -> dict[str, Head]:
        return {row.chain: Head(*row) for row in session.execute(_LOCK_HEADS, {"names": names})}

    heads = read()
    missing = [name for name in names if name not in heads]
    if missing:
        _start(session, missing)
        heads = read()
    return heads


def _start(session: Session, chains: list[str]) -> None:
    """Create the heads of `chains` unless a concurrent writer just did."""
    legacy = session.get(AuditHead, LEGACY)
    base = (legacy.position, legacy.hash) if legacy is not None else (0, GENESIS)
    values = [{"chain": chain, "entries": 0, "hash": base[1], "base_position": base[0],
               "base_hash": base[1]} for chain in chains]
    session.execute(dialect_insert(session, AuditHead).values(values).on_conflict_do_nothing())


def install(factory: Any) -> None:
    """Attach the chain to a sessionmaker (or Session class)."""
    from sqlalchemy import event

    event.listen(factory, "before_flush", before_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_soft_rollback", _after_soft_rollback)
    event.listen(factory, "after_transaction_end", _after_transaction_end)


@dataclass(frozen=True)
class ChainReport:
    """What `verify` found: over every chain walked (`entries` in all; `head` a digest of their
    heads, `combined_head`), and per chain in `chains`. Each problem names its `chain`."""

    ok: bool
    entries: int
    head: str
    problems: list[dict[str, Any]]
    at: dict[tuple[str, int], tuple[int, str]] = field(default_factory=dict)
    """(entry id, hash) at each place asked for in `verify(watch=...)`, by (chain, n): the
    chain's n-th entry, 1 its oldest."""
    chains: dict[str, ChainState] = field(default_factory=dict)


@dataclass(frozen=True)
class ChainState:
    ok: bool
    entries: int
    head: str


CATCH_UP_ROUNDS = 3


def combined_head(heads: Mapping[str, tuple[int, str]]) -> str:
    """One digest of several chains' heads, `{chain: (entries, hash)}`: what the whole log is
    summed up by (GENESIS when there is no chain)."""
    if not heads:
        return GENESIS
    raw = json.dumps({c: [n, h] for c, (n, h) in heads.items()}, sort_keys=True,
                     separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def verify(session: Session, *, chains: Collection[str] | None = None,
           limit_problems: int = 50,
           watch: Mapping[str, Collection[int]] | None = None) -> ChainReport:
    """Walk each chain (all of them, or `chains`) in position order, recompute every hash and
    compare with the chain's stored head. An edited row breaks its own hash; a deleted row
    breaks the next link or the head; entries whose head row is gone break the head; a chain
    that does not start where the legacy chain ends breaks its base. Entries others commit
    during the walk are walked too (the head is read after the walk, which then goes on up to
    it), so a busy chain is not reported broken. An edit that recomputes every later hash and
    the head, or the newest entries deleted with the head rewound, pass here: only checkpoints
    kept outside the database catch them (`anchors`)."""
    heads = {h.chain: h for h in session.scalars(
        select(AuditHead).execution_options(populate_existing=True))}
    if chains is None:
        chains = sorted(set(heads) | set(session.scalars(select(AuditEntry.chain).distinct())))
    legacy = heads.get(LEGACY)
    origin = (legacy.position, legacy.hash) if legacy is not None else (0, GENESIS)
    problems: list[dict[str, Any]] = []
    at: dict[tuple[str, int], tuple[int, str]] = {}
    states: dict[str, ChainState] = {}
    for chain in chains:
        found = _verify_chain(session, chain, heads.get(chain), origin,
                              (watch or {}).get(chain, ()), at, limit_problems - len(problems))
        problems += found[2]
        states[chain] = ChainState(ok=not found[2], entries=found[0], head=found[1])
        if len(problems) >= limit_problems:
            break
    walked = {c: (s.entries, s.head) for c, s in states.items()}
    whole = next(iter(walked.values()))[1] if len(chains) == 1 and walked \
        else combined_head(walked)
    return ChainReport(ok=not problems, entries=sum(s.entries for s in states.values()),
                       head=whole, problems=problems, at=at, chains=states)


def _verify_chain(session: Session, chain: str, head: AuditHead | None,
                  origin: tuple[int, str], watch: Collection[int],
                  at: dict[tuple[str, int], tuple[int, str]],
                  limit: int) -> tuple[int, str, list[dict[str, Any]]]:
    """One chain: (entries walked, hash of the newest, problems)."""
    problems: list[dict[str, Any]] = []
    expected_base = (0, GENESIS) if chain == LEGACY else origin
    base = (head.base_position, head.base_hash) if head is not None else expected_base
    if base != expected_base:
        problems.append({"chain": chain, "id": None, "problem": "base-mismatch"})
    prev, count, last = base[1], 0, base[0]
    for _ in range(CATCH_UP_ROUNDS):
        result = session.scalars(
            select(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.position > last)
            .order_by(AuditEntry.position).execution_options(yield_per=1000))
        try:
            for entry in result:
                count, last = count + 1, entry.position
                if entry.prev_hash != prev or entry.position != base[0] + count:
                    problems.append({"chain": chain, "id": entry.id, "problem": "broken-link"})
                if entry_digest(entry.prev_hash, entry) != entry.hash:
                    problems.append({"chain": chain, "id": entry.id, "problem": "hash-mismatch"})
                if count in watch:
                    at[(chain, count)] = (entry.id, entry.hash)
                prev = entry.hash
                if len(problems) >= limit:
                    break
        finally:
            result.close()
        head = session.scalar(select(AuditHead).where(AuditHead.chain == chain)
                              .execution_options(populate_existing=True))
        if len(problems) >= limit or head is None or head.entries <= count:
            break
    stored = (head.hash, head.entries) if head is not None else (prev, 0)
    if stored != (prev, count):
        problems.append({"chain": chain, "id": None, "problem": "head-mismatch"})
    return count, prev, problems
