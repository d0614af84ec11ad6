"""Reactions to the partner directory's signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from partners.models import Contact
from partners.signals import contact_succeeded

from .models import Membership


@receiver(contact_succeeded, dispatch_uid="workgroups.inherit_memberships")
def inherit_memberships(sender: Any, *, former: Contact, successor: Contact, **kwargs: Any) -> None:
    """The successor takes the former contact's place in every group, with the same choices.

    Piloting is not passed on: a co-pilot's seat stays vacant until the coordination fills it,
    and the group's page says so.
    """
    existing = set(successor.memberships.values_list("group_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(
                territory_id=m.territory_id,
                group_id=m.group_id,
                contact=successor,
                kind=m.kind,
                invitations=m.invitations,
                reports=m.reports,
            )
            for m in former.memberships.all()
            if m.group_id not in existing
        ]
    )
