"""What a batch of inspection writes reads (a tablet's push), loaded in a few queries.

`load_batch` reads and locks, once, everything the batch's answers and new inspections are checked
against: the inspections named (and which of them do not exist), their answers, the answer
ids in use, the checklists with their items, the sites of new inspections, the team members
they name and the open visits of their campaigns. `put_answer` and `create_inspection` given
the `Batch` apply the same rules as without it but read nothing more (only what a checklist
or inspection the batch did not foresee adds) and leave their writes to the batch's one flush.

The state stays current as the batch writes: the services note what they create; a caller
whose write ran outside the batch, or was rolled back, makes the batch `forget` that
inspection, whose next use reads it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, joinedload, selectinload, undefer

from inspection.models import Answer, Checklist, ChecklistItem, Inspection, Site, User

OPEN_STATUSES = ("draft", "submitted", "returned")
"""An inspection in these is the visit of its campaign and site: a second one is refused."""

Visit = tuple[uuid.UUID, uuid.UUID]
"""(campaign id, site id)."""


@dataclass
class Batch:
    """Valid only inside the transaction that loaded it, which holds the locks `load_batch` took:
    no other writer changes these inspections, answers or sites' visits meanwhile."""

    inspections: dict[uuid.UUID, Inspection] = field(default_factory=dict)
    """Loaded (team and site with them) or created by the batch."""
    absent: set[uuid.UUID] = field(default_factory=set)
    """Inspection ids looked for that do not exist (nor were created since)."""
    answers: dict[tuple[uuid.UUID, str], Answer] = field(default_factory=dict)
    """Every answer of the inspections in `inspections`, by (inspection, item)."""
    taken: set[uuid.UUID] = field(default_factory=set)
    """Answer ids in use among those the batch names (and those it creates)."""
    checklists: dict[uuid.UUID, Checklist] = field(default_factory=dict)
    items: dict[uuid.UUID, dict[str, ChecklistItem]] = field(default_factory=dict)
    """Per checklist looked up (an unknown one maps to nothing), its items by code."""
    sites: dict[uuid.UUID, Site] = field(default_factory=dict)
    """The sites new inspections name, locked (an unknown id is absent)."""
    users: dict[uuid.UUID, User] = field(default_factory=dict)
    """The users new inspections name as their team."""
    visits: dict[Visit, uuid.UUID | None] = field(default_factory=dict)
    """Per (campaign, site) of a new inspection: its open inspection, or None."""

    def knows(self, inspection_id: uuid.UUID) -> bool:
        """Whether the batch can say if the inspection exists without asking the database."""
        return inspection_id in self.inspections or inspection_id in self.absent

    def created(self, inspection: Inspection) -> None:
        """Note an inspection the batch created: it has no answers to load."""
        self.inspections[inspection.id] = inspection
        self.absent.discard(inspection.id)
        if inspection.campaign_id is not None:
            self.visits[inspection.campaign_id, inspection.site_id] = inspection.id

    def forget(self, inspection_id: uuid.UUID) -> None:
        """Drop what is known of an inspection whose rows were written outside the batch (a
        delete) or rolled back: its next use reads it again."""
        self.inspections.pop(inspection_id, None)
        self.absent.discard(inspection_id)
        for key in [k for k in self.answers if k[0] == inspection_id]:
            del self.answers[key]
        for visit in [v for v, open_id in self.visits.items() if open_id == inspection_id]:
            del self.visits[visit]


def lookup(session: Session, inspection_id: uuid.UUID, batch: Batch | None,
           ) -> Inspection | None:
    """The inspection of that id, if any: as the batch knows it, else from the session."""
    if batch is not None and batch.knows(inspection_id):
        return batch.inspections.get(inspection_id)
    return session.get(Inspection, inspection_id)


def load_batch(session: Session, *, province_code: str | None,
               inspection_ids: Collection[uuid.UUID], answer_ids: Collection[uuid.UUID],
               checklist_ids: Collection[uuid.UUID] = (), site_ids: Collection[uuid.UUID] = (),
               user_ids: Collection[uuid.UUID] = (), visits: Collection[Visit] = ()) -> Batch:
    """Read and lock what a batch touches, in the order every writer takes these locks: the
    sites of new inspections (id order, as a single creation locks its site before it checks
    for an open visit), then the inspections (id order) and their answers, as `submit` does.
    Only rows of `province_code` (the writer's; None: a national writer's, every province)
    are loaded and locked: another province's site or inspection is left to the services,
    which answer it as not found, as without a batch."""
    batch = Batch()
    if site_ids:
        sites = select(Site).where(Site.id.in_(site_ids))
        if province_code is not None:
            sites = sites.where(Site.province_code == province_code)
        for site in session.scalars(sites.order_by(Site.id).options(
                undefer(Site.commune_name)).with_for_update(of=Site)):
            batch.sites[site.id] = site
    if inspection_ids:
        inspections = select(Inspection).where(Inspection.id.in_(inspection_ids))
        if province_code is not None:
            inspections = inspections.where(Inspection.province_code == province_code)
        for inspection in session.scalars(inspections.order_by(Inspection.id).options(
                selectinload(Inspection.team), joinedload(Inspection.site))
                .with_for_update(of=Inspection).execution_options(populate_existing=True)):
            batch.inspections[inspection.id] = inspection
        missing = set(inspection_ids) - set(batch.inspections)
        if missing:  # new ones, or another province's (which exist: not absent)
            batch.absent = missing - set(session.scalars(select(Inspection.id).where(
                Inspection.id.in_(missing))))
    if batch.inspections:
        for answer in session.scalars(select(Answer).where(
                Answer.inspection_id.in_(batch.inspections)).with_for_update()
                .execution_options(populate_existing=True)):
            batch.answers[answer.inspection_id, answer.item_code] = answer
    if answer_ids:
        batch.taken = set(session.scalars(select(Answer.id).where(Answer.id.in_(answer_ids))))
    batch.taken |= {a.id for a in batch.answers.values()}
    if user_ids:
        batch.users = {u.id: u for u in session.scalars(select(User).where(
            User.id.in_(user_ids)))}
    _load_visits(session, batch, [v for v in visits if v[1] in batch.sites])
    load_checklists(session, batch, {*checklist_ids, *(
        i.checklist_id for i in batch.inspections.values())})
    return batch


def _load_visits(session: Session, batch: Batch, visits: Collection[Visit]) -> None:
    """The open inspection of each (campaign, site), the earliest as a single creation names
    it; read after the sites are locked, so none opens meanwhile."""
    if not visits:
        return
    batch.visits = dict.fromkeys(visits)
    for campaign_id, site_id, inspection_id in session.execute(
            select(Inspection.campaign_id, Inspection.site_id, Inspection.id).where(
                tuple_(Inspection.campaign_id, Inspection.site_id).in_(list(visits)),
                Inspection.status.in_(OPEN_STATUSES))
            .order_by(Inspection.started_at.desc(), Inspection.id.desc())):
        if campaign_id is not None:  # always: selected by campaign
            batch.visits[campaign_id, site_id] = inspection_id  # the earliest comes last


def load_checklists(session: Session, batch: Batch, checklist_ids: Collection[uuid.UUID]) -> None:
    """Hold the checklists (their items load with them): a new inspection's checks and its
    answers then find them in the batch."""
    wanted = [c for c in checklist_ids if c not in batch.items]
    if not wanted:
        return
    for checklist in session.scalars(select(Checklist).where(Checklist.id.in_(wanted))):
        batch.checklists[checklist.id] = checklist
        batch.items[checklist.id] = {item.code: item for item in checklist.items()}
    for checklist_id in wanted:
        batch.items.setdefault(checklist_id, {})
