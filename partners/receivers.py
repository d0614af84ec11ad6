"""Reactions of the directory to the platform's signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from cls_platform.models import Delivery
from cls_platform.outbox import delivery_bounced

from .models import Contact


@receiver(delivery_bounced, dispatch_uid="partners.flag_bounced_contact")
def flag_bounced_contact(sender: Any, *, delivery: Delivery, **kwargs: Any) -> None:
    """A permanent refusal flags the address: it is never mailed again until corrected."""
    if delivery.contact_id:
        Contact.objects.filter(
            pk=delivery.contact_id, territory_id=delivery.territory_id, bounced_at__isnull=True
        ).update(bounced_at=timezone.now())
