"""Writing the post office's annual KT1 report as an official document: the sent report turned
into the document model, rendered to PDF and DOCX, and stored in the blob store.

`render_provision_report` is the job's body, called directly by tests: idempotent (a report
that has its documents is returned unchanged) and committed by its caller.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from inspection import audit, provision
from inspection.models import ProvisionReport
from media.blobstore import BlobStore
from workers.documents import issuing, model
from workers.documents.provision import (
    SIGNER,
    Incident,
    render_provision_docx,
    render_provision_pdf,
)
from workers.documents.provision import ProvisionReport as Document


def render_provision_report(session: Session, store: BlobStore,
                            report_id: uuid.UUID | str) -> ProvisionReport:
    """Render and store the sent report's documents unless it has them; the caller commits.
    Raises InvalidState when the report is no longer sent (returned meanwhile)."""
    audit.set_actor(session, None, "worker")
    report = provision.lock_for_issue(session, report_id)
    if provision.is_issued(report):
        return report
    document = provision_document(provision.facts(session, report))
    files = issuing.store_files(store, {"pdf": render_provision_pdf(document),
                                        "docx": render_provision_docx(document)})
    return provision.mark_issued(session, report, files=files)


def provision_document(facts: provision.ProvisionFacts) -> Document:
    r = facts.report
    assert None not in (r.total_volume, r.local_volume, r.staff_involved, r.revenue_vnd)
    compliance = r.compliance or {}
    return Document(
        body=model.IssuingBody(facts.parent, r.organization, "", facts.place),
        year=r.year, issued_on=facts.sent_on, province=facts.province,
        total_volume=r.total_volume or 0, local_volume=r.local_volume or 0,
        staff_involved=r.staff_involved or 0, revenue_vnd=r.revenue_vnd or 0,
        compliance=tuple((label, str(compliance.get(aspect, "")))
                         for aspect, label in provision.ASPECT_LABELS.items()),
        incidents=tuple(Incident(date.fromisoformat(i["occurred_on"]), i["description"],
                                 i["handling"]) for i in r.incidents or ()),
        difficulties=r.difficulties or "", proposals=r.proposals or "",
        recipients=_recipients(facts.parent),
        signer=model.Signer(r.signer_title or SIGNER.title, r.signer_name or ""))


def _recipients(parent: str) -> tuple[str, ...]:
    above = (f"{parent} (để báo cáo)",) if parent else ()
    return ("Như trên", *above)
