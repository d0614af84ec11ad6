"""Publishing a contract as open data, and withdrawing it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import READABLE_BY_VIEWERS, Contract


@transaction.atomic
def contract_open_data_publish(*, contract: Contract) -> bool:
    """Publish a signed or closed contract; False when it already was (its date is kept, so
    that a second click or a repeated script changes nothing). A draft is refused."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status not in READABLE_BY_VIEWERS:
        raise ValidationError(
            _(
                "« %(title)s » est encore en préparation : seul un contrat signé ou clos peut "
                "être publié en données ouvertes."
            )
            % {"title": contract.title},
            code="draft",
        )
    if contract.open_data_published_at is not None:
        return False
    contract.open_data_published_at = timezone.now()
    contract.save(update_fields=["open_data_published_at"])
    return True


@transaction.atomic
def contract_open_data_unpublish(*, contract: Contract) -> bool:
    """Withdraw a contract from the open data at once; False when it was not published."""
    return bool(
        Contract.objects.filter(pk=contract.pk, open_data_published_at__isnull=False).update(
            open_data_published_at=None
        )
    )
