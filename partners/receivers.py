"""Reactions of the directory to the platform's signals."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from cls_platform.mail.outbox import delivery_bounced
from cls_platform.models import Access, Delivery

from .models import Contact
from .services import access_link_contacts, access_unlink_contacts


@receiver(delivery_bounced, dispatch_uid="partners.flag_bounced_contact")
def flag_bounced_contact(sender: Any, *, delivery: Delivery, **kwargs: Any) -> None:
    """A permanent refusal flags the address: it is never mailed again until corrected."""
    if delivery.contact_id:
        Contact.objects.filter(
            pk=delivery.contact_id, territory_id=delivery.territory_id, bounced_at__isnull=True
        ).update(bounced_at=timezone.now())


@receiver(post_save, sender=Access, dispatch_uid="partners.link_contacts_of_new_access")
def link_contacts_of_new_access(
    sender: Any, *, instance: Access, raw: bool = False, **kwargs: Any
) -> None:
    """An account given access to a territory is recognised as the contact with its address:
    a co-pilot then edits the fiches-actions and groups that name them as pilot."""
    if raw:  # loading fixtures: the rows come as they were
        return
    access_link_contacts(access=instance)


@receiver(post_delete, sender=Access, dispatch_uid="partners.unlink_contacts_of_lost_access")
def unlink_contacts_of_lost_access(sender: Any, *, instance: Access, **kwargs: Any) -> None:
    access_unlink_contacts(access=instance)
