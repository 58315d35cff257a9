"""The officials who sign each province's notices and reports (`services`)."""

from inspection.signers.services import (
    choose,
    create_signer,
    deactivate_signer,
    get_signer,
    list_signers,
    only_active,
    update_signer,
)

__all__ = ["choose", "create_signer", "deactivate_signer", "get_signer", "list_signers",
           "only_active", "update_signer"]
