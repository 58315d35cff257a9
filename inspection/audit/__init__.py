"""The audit log: a hash chain of every audited change and event (`chain`), the events that
are not row changes (`events`), the history users may read (`queries`), and checkpoints of
the chain's head signed and kept outside the database (`anchors`, `anchor_log`)."""

from inspection.audit.anchor_log import AnchorLog
from inspection.audit.anchors import (
    AnchoredReport,
    AnchorRefused,
    AnchorSummary,
    Checkpoint,
    anchor,
    anchor_key,
    check,
)
from inspection.audit.chain import (
    GENESIS,
    LEGACY,
    NATIONAL,
    ChainReport,
    ChainState,
    Draft,
    before_flush,
    chain_of,
    chain_pending,
    combined_head,
    entry_digest,
    get_in_flush,
    has_pending,
    install,
    lock_chain,
    lock_chains,
    note,
    province_of,
    set_actor,
    verify,
)
from inspection.audit.events import (
    EVENTS,
    JOB_FAILED,
    JOB_FINISHED,
    LOGIN,
    LOGIN_FAILED,
    LOGOUT,
    REPORT_REQUESTED,
    UPLOAD_COMPLETED,
    UPLOAD_CREATED,
    record_event,
    record_reads,
)
from inspection.audit.queries import RESTRICTED_ENTITIES, history

__all__ = ["EVENTS", "GENESIS", "JOB_FAILED", "JOB_FINISHED", "LEGACY", "LOGIN",
           "LOGIN_FAILED", "LOGOUT", "NATIONAL", "REPORT_REQUESTED",
           "RESTRICTED_ENTITIES", "UPLOAD_COMPLETED", "UPLOAD_CREATED", "AnchorLog",
           "AnchorRefused", "AnchorSummary", "AnchoredReport", "ChainReport",
           "ChainState", "Checkpoint", "Draft", "anchor", "anchor_key",
           "before_flush", "chain_of", "chain_pending", "check", "combined_head",
           "entry_digest", "get_in_flush", "has_pending", "history", "install", "lock_chain",
           "lock_chains", "note", "province_of", "record_event", "record_reads",
           "set_actor", "verify"]
