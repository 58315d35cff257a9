"""Every table of KT1 Inspect, one module per aggregate, on one metadata."""

from inspection.models.audit import AuditEntry, AuditHead
from inspection.models.campaigns import Assignment, Campaign, assignment_members
from inspection.models.checklists import Checklist, ChecklistItem, ChecklistSection
from inspection.models.inspections import (
    Answer,
    Finding,
    Inspection,
    Photo,
    Upload,
    inspection_members,
)
from inspection.models.jobs import Job
from inspection.models.legal import LegalReference
from inspection.models.notices import Notice, NoticeCounter, NoticeReminder
from inspection.models.provision import ProvisionReminder, ProvisionReport
from inspection.models.records import InspectionRecord
from inspection.models.reference import Commune, Province, ReferenceDataset
from inspection.models.reports import Report
from inspection.models.signers import Signer
from inspection.models.sites import Site
from inspection.models.staff import StaffMember
from inspection.models.sync import SyncConflict, SyncFeed, SyncMutation
from inspection.models.users import AuthToken, Device, LoginFailure, User

__all__ = [
    "Answer",
    "Assignment",
    "AuditEntry",
    "AuditHead",
    "AuthToken",
    "Campaign",
    "Checklist",
    "ChecklistItem",
    "ChecklistSection",
    "Commune",
    "Device",
    "Finding",
    "Inspection",
    "InspectionRecord",
    "Job",
    "LegalReference",
    "LoginFailure",
    "Notice",
    "NoticeCounter",
    "NoticeReminder",
    "Photo",
    "Province",
    "ProvisionReminder",
    "ProvisionReport",
    "ReferenceDataset",
    "Report",
    "Signer",
    "Site",
    "StaffMember",
    "SyncConflict",
    "SyncFeed",
    "SyncMutation",
    "Upload",
    "User",
    "assignment_members",
    "inspection_members",
]
