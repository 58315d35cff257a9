"""The tests' register of legal references: every citation verified and in force.

Tests about inspections, notices and documents are not about which law is verified: in their
world the legal officer has checked every reference, so their notices issue. The built-in
checklists' real statuses (the demo's) are tested in tests/inspection/test_legal*.py, which
set the rows they need back to what they test, inside their own rolled-back transaction.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from inspection.db import utcnow
from inspection.legal import reference_id
from inspection.models import LegalReference

FACTORY_CITATIONS = (("Nghị định 174/2026/NĐ-CP", "9(1)"), ("Quyết định 32/2025/QĐ-TTg", None))
"""The citations of the test checklists (tests/factories.py), registered up front."""
VERIFIED_174 = {"instrument": "Nghị định 174/2026/NĐ-CP", "article": "9(1)",
                "status": "verified"}


def verify_every_citation(session: Session) -> None:
    for instrument, article in FACTORY_CITATIONS:
        key = reference_id(instrument, article)
        if session.get(LegalReference, key) is None:
            session.add(LegalReference(id=key, instrument=instrument, article=article or "",
                                       status="verified", version=1))
    session.flush()
    session.execute(update(LegalReference).values(
        status="verified", valid_from=None, valid_to=None, superseded_by_id=None,
        province_code=None, verified_at=utcnow()))
    session.flush()


def real_register(session: Session) -> None:
    """The register as the domain material has it (the demo's and a new database's): the
    test world's rows dropped and registered afresh from the checklists' citations."""
    from sqlalchemy import delete

    from inspection.legal import sync_register

    session.execute(update(LegalReference).values(superseded_by_id=None))
    session.execute(delete(LegalReference))
    session.flush()
    sync_register(session)
