"""The audit log: a hash chain of every audited change and event (`chain`), the events that
are not row changes (`events`), and the history users may read (`queries`)."""

from inspection.audit.chain import (
    GENESIS,
    ChainReport,
    append,
    before_flush,
    entry_digest,
    get_in_flush,
    install,
    lock_head,
    set_actor,
    verify,
)
from inspection.audit.events import record_reads
from inspection.audit.queries import RESTRICTED_ENTITIES, history

__all__ = ["GENESIS", "RESTRICTED_ENTITIES", "ChainReport", "append", "before_flush",
           "entry_digest", "get_in_flush", "history", "install", "lock_head", "record_reads",
           "set_actor", "verify"]
