"""Lock, check, mark and serve an issued document, whatever its kind.

A job issuing a document locks its row for the transaction (`lock_for_issue`), returns it
unchanged if it is issued already (`is_issued`), numbers it (`numbering.take_number`), stores
its files and marks it issued (`mark_issued`) in that one transaction, so a number is only
ever committed with its documents; a job that failed marks it failed (`mark_failed`). What
differs between the kinds is described once per kind (`DocumentKind`, `inspection.documents
.kinds`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from inspection import errors
from inspection.db import utcnow


@dataclass(frozen=True)
class DocumentKind[D]:
    """One kind of issued document: its table, the statuses in which its documents are final,
    the files it stores, the statuses it takes when issued and when writing it failed (each
    kind's own words, as the API shows them), and the words of its errors."""

    model: type[D]
    final: tuple[str, ...]
    """Statuses in which the stored documents are final (served, never written again)."""
    files: tuple[str, ...]
    """The stored files ("pdf", "docx", "xlsx"), each kept in the column `<file>_sha256`."""
    issued_status: str | None
    """The status a document takes when its files are stored (None: unchanged)."""
    failed_status: str | None
    """The status a document takes when writing it failed (None: unchanged)."""
    not_found: str
    not_issued: str
    versioned: bool = True
    """Marking bumps the row's `version` (the If-Match of what the API shows)."""
    finished_at: bool = False
    """Marking stamps `finished_at`."""

    def lock_for_issue(self, session: Session, document_id: uuid.UUID | str) -> D:
        """The document, its row locked for this transaction and re-read from the database;
        NotFound if there is none. On SQLite the first statement writes, so the transaction
        holds the write lock from its start (a reader that later writes could not wait for
        another writer: it would fail at once)."""
        document = self._locked(session, document_id)
        if document is None:
            raise errors.NotFound(self.not_found)
        return document

    def _locked(self, session: Session, document_id: uuid.UUID | str) -> D | None:
        key = uuid.UUID(str(document_id))
        model: Any = self.model
        if session.get_bind().dialect.name == "sqlite":
            session.execute(update(model).where(model.id == key).values(status=model.status)
                            .execution_options(synchronize_session=False))
        return session.get(self.model, key, with_for_update=True, populate_existing=True)

    def is_issued(self, document: D) -> bool:
        """Its documents are final: a final status and every file stored."""
        row: Any = document
        return row.status in self.final and all(
            getattr(row, _column(f)) is not None for f in self.files)

    def document_sha256(self, document: D, file: str) -> str:
        """The stored file's key (`file` one of the kind's: pdf, docx or xlsx); InvalidState
        (409) before the document is issued."""
        row: Any = document
        sha256 = getattr(row, _column(file)) if file in self.files else None
        if row.status not in self.final or sha256 is None:
            raise errors.InvalidState(self.not_issued)
        return str(sha256)

    def mark_issued(self, session: Session, document: D, *, files: Mapping[str, str]) -> D:
        """Record the stored files (`files`: the key of each of the kind's files) and the
        kind's issued status."""
        for file in self.files:
            setattr(document, _column(file), files[file])
        self._move(document, self.issued_status)
        session.flush()
        return document

    def mark_failed(self, session: Session, document_id: uuid.UUID | str) -> None:
        """Record that writing the document failed (a new request queues another attempt),
        unless it is issued (a late duplicate failed) or the kind's status is not the job's
        to move."""
        if self.failed_status is None:
            return
        document = self._locked(session, document_id)
        if document is not None and not self.is_issued(document):
            self._move(document, self.failed_status)
            session.flush()

    def _move(self, document: D, status: str | None) -> None:
        row: Any = document
        if status is not None:
            row.status = status
        if self.versioned:
            row.version += 1
        if self.finished_at:
            row.finished_at = utcnow()


def _column(file: str) -> str:
    return f"{file}_sha256"
