"""Legal references: the register (`services`), its first content (`builtin`) and what a
finding may cite on its violation's date (`citing`)."""

from inspection.legal.builtin import sync_register
from inspection.legal.citing import Blocked, Citations, cite
from inspection.legal.services import (
    create_reference,
    get_reference,
    id_of,
    list_references,
    reference_id,
    update_reference,
)

__all__ = [
    "Blocked",
    "Citations",
    "cite",
    "create_reference",
    "get_reference",
    "id_of",
    "list_references",
    "reference_id",
    "sync_register",
    "update_reference",
]
