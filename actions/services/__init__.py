"""Writes to contracts, axes and fiches-actions, one module per entity. Each service validates,
then writes in one transaction; a signed contract's structure changes only with an amendment
(avenant). Callers import the package (`from actions import services`): every service is
named here."""

from .axes import axis_move, axis_save
from .contracts import (
    contract_close,
    contract_create,
    contract_document_set,
    contract_renew,
    contract_sign,
    contract_update,
)
from .fiches import (
    FundingRow,
    PartnerRow,
    fiche_number_problem,
    fiche_save,
    fiche_set_funding,
    fiche_set_partners,
    fiche_set_status,
    update_delete,
    update_edit,
    update_post,
)
from .indicators import (
    indicator_delete,
    indicator_save,
    indicator_value_add,
    indicator_value_delete,
    indicator_value_edit,
)
from .scale import collaboration_scale_save

__all__ = [
    "FundingRow",
    "PartnerRow",
    "axis_move",
    "axis_save",
    "collaboration_scale_save",
    "contract_close",
    "contract_create",
    "contract_document_set",
    "contract_renew",
    "contract_sign",
    "contract_update",
    "fiche_number_problem",
    "fiche_save",
    "fiche_set_funding",
    "fiche_set_partners",
    "fiche_set_status",
    "indicator_delete",
    "indicator_save",
    "indicator_value_add",
    "indicator_value_delete",
    "indicator_value_edit",
    "update_delete",
    "update_edit",
    "update_post",
]
