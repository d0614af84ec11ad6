"""Writes of the groups: the group itself (pilots, rule of invitation) and its members."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cls_platform.models import Access
from partners.models import Contact

from ..models import Membership, WorkGroup

# What only a coordinator decides about a group: who pilots it, its contract, its state and whom
# its meetings invite. A co-pilot runs the group's life (meetings, members, reports).
COORDINATOR_GROUP_FIELDS = ("contract_id", "status", "invitation_policy")


@transaction.atomic
def group_save(
    *,
    group: WorkGroup,
    pilots: Iterable[Contact] | None = None,
    access: Access | None = None,
) -> WorkGroup:
    """Create or edit a group. `access` is who acts (None: a script); a co-pilot may not
    change the pilots, the contract, the state nor the invitation rule, whatever was posted."""
    if access is not None and not access.is_coordinator:
        if group.pk is None:
            raise ValidationError(_("Seule la coordination crée un groupe."))
        stored = WorkGroup.objects.select_for_update().get(pk=group.pk)
        changed = [f for f in COORDINATOR_GROUP_FIELDS if getattr(stored, f) != getattr(group, f)]
        if pilots is not None and {p.pk for p in pilots} != set(
            stored.pilots.values_list("pk", flat=True)
        ):
            changed.append("pilots")
        if changed:
            raise ValidationError(
                _(
                    "Seule la coordination change les pilotes d'un groupe, son contrat, son état "
                    "ou la règle d'invitation de ses réunions."
                )
            )
    group.save()
    if pilots is not None:
        group.pilots.set(pilots)
    return group


@transaction.atomic
def membership_set(*, group: WorkGroup, contact: Contact, kind: str | None) -> None:
    """Make a contact a member or a report subscriber of a group, or remove them (kind None)."""
    if contact.territory_id != group.territory_id:
        raise ValidationError(_("Ce contact n'appartient pas au territoire du groupe."))
    if kind is None:
        group.memberships.filter(contact=contact).delete()
        return
    Membership.objects.update_or_create(group=group, contact=contact, defaults={"kind": kind})
