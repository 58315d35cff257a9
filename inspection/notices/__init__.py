"""Violation notices: asking for, numbering and issuing them (`services`, on the lifecycle every
issued document shares: `inspection.documents`), their follow-up, overdue rule and reminders
(`followup`), and their timeline (`timeline`)."""

from inspection.notices.services import (
    DOST,
    NOTICE_JOB,
    NOTICE_KIND,
    NOTICED_FINDINGS,
    VIETNAM,
    IssuingBody,
    NoticeFacts,
    assign_number,
    document_sha256,
    facts,
    get_notice,
    is_issued,
    issuing_body,
    lock_for_issue,
    mark_failed,
    mark_issued,
    request_notice,
    today_in_vietnam,
)

__all__ = ["DOST", "NOTICED_FINDINGS", "NOTICE_JOB", "NOTICE_KIND", "VIETNAM", "IssuingBody",
           "NoticeFacts", "assign_number", "document_sha256", "facts", "get_notice",
           "is_issued", "issuing_body", "lock_for_issue", "mark_failed", "mark_issued",
           "request_notice", "today_in_vietnam"]
