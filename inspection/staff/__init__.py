"""The KT1 staff roster: the workers, their vetting and the roster's figures (`services`), and
a worker's history read from the audit chain (`history`)."""

from inspection.staff.services import (
    CHECKLIST_ITEMS,
    OUTCOMES,
    READERS,
    VETTERS,
    WRITERS,
    Edited,
    StaffFigures,
    add_member,
    current_clause,
    edit_member,
    figures_for_site,
    figures_of,
    figures_of_sites,
    get_member,
    read_member,
    read_page,
    record_vetting,
    request_vetting,
    today,
)

__all__ = ["CHECKLIST_ITEMS", "OUTCOMES", "READERS", "VETTERS", "WRITERS", "Edited",
           "StaffFigures", "add_member", "current_clause", "edit_member", "figures_for_site",
           "figures_of", "figures_of_sites", "get_member", "read_member", "read_page",
           "record_vetting", "request_vetting", "today"]
