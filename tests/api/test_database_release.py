"""`database.release()` ends a request's transaction before a long wait; it is not a commit,
so it refuses once the request has written or noted an audit entry (that would lose it)."""

from __future__ import annotations

import pytest

from api import database
from inspection import audit


def test_release_refuses_once_an_audit_entry_is_noted_and_keeps_it(app, session):  # type: ignore[no-untyped-def]
    with app.test_request_context("/api/v1/uploads", method="PATCH"):
        request_session = database.session()
        database.release()  # nothing written yet: fine
        audit.record_event(request_session, audit.UPLOAD_CREATED, entity="uploads",
                           entity_id="u-1", province_code="92", detail={"length": 1})
        with pytest.raises(RuntimeError, match="release"):
            database.release()
        assert audit.has_pending(request_session)  # the entry is still there to commit
        request_session.close()
