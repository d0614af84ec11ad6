"""Reads of the directory, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cls_platform.access import scoped
from cls_platform.models import Access, Delivery

from .models import Contact, Organization


def organization_list(*, access: Access) -> QuerySet[Organization]:
    return (
        scoped(Organization.objects.all(), access)
        .select_related("qpv")
        .prefetch_related("sectors")
        .annotate(
            contact_count=Count(
                "contacts",
                filter=Q(contacts__is_active=True, contacts__left_at__isnull=True),
                distinct=True,
            )
        )
        .order_by("name")
    )


def contact_list(*, access: Access) -> QuerySet[Contact]:
    qs = scoped(Contact.objects.all(), access).select_related("organization")
    if access.is_viewer:
        qs = qs.filter(anonymized_at__isnull=True)
    return qs.order_by("last_name", "first_name", "pk")


def organization_detail(*, access: Access, organization: Organization) -> dict[str, Any]:
    """A structure's page: people (current and former), groups, actions, signatures.

    Everything that hangs on a contract (groups, actions, meetings, signatures) is read
    through `scoped()`, so that a viewer sees what signed contracts hold and no draft.
    """
    territory = access.territory
    contacts = list(
        organization.contacts.filter(anonymized_at__isnull=True)
        .select_related("successor")
        .order_by("last_name", "first_name")
    )
    # Groups and actions are owned by apps that stand on this one: reached through the
    # reverse relations they declare on the territory, never by importing them.
    groups = list(
        scoped(territory.work_groups.all(), access)
        .filter(
            Q(memberships__contact__organization=organization)
            | Q(pilots__organization=organization)
        )
        .distinct()
        .order_by("name")
    )
    fiches = scoped(territory.fiches_actions.all(), access)
    piloted = list(
        fiches.filter(
            Q(pilot_organization=organization)
            | Q(pilot_contact__organization=organization)
            | Q(copilots__organization=organization)
        )
        .distinct()
        .select_related("contract", "pilot_contact")
        .order_by("contract", "number")
    )
    for action in piloted:
        action.structure_pilots = action.pilot_organization_id == organization.pk or bool(
            action.pilot_contact and action.pilot_contact.organization_id == organization.pk
        )
    partnerships = list(
        organization.action_partnerships.filter(fiche__in=fiches)
        .select_related("fiche__contract", "level")
        .order_by("fiche__contract", "fiche__number")
    )
    signatures = list(
        organization.signatures.filter(contract__in=scoped(territory.contracts.all(), access))
        .select_related("contract")
        .order_by("-contract__start_year")
    )
    present_here = Q(
        invitations__contact__organization=organization, invitations__attendance="present"
    )
    meetings = list(
        scoped(territory.meetings.all(), access)
        .filter(present_here)
        .annotate(people=Count("invitations", filter=present_here))
        .select_related("group")
        .order_by("-starts_at")[:20]
    )
    return {
        "meetings": meetings,
        "current_contacts": [c for c in contacts if c.is_active and not c.left_at],
        "former_contacts": [c for c in contacts if not (c.is_active and not c.left_at)],
        "groups": groups,
        "actions": piloted,
        "partnerships": partnerships,
        "signatures": signatures,
    }


def contact_detail(*, access: Access, contact: Contact) -> dict[str, Any]:
    """A person's page: groups, meetings and seats, read through `scoped()` like the rest."""
    territory = access.territory
    groups = scoped(territory.work_groups.all(), access)
    memberships = list(
        contact.memberships.filter(group__in=groups).select_related("group").order_by("group__name")
    )
    invitations = list(
        contact.invitations.filter(meeting__in=scoped(territory.meetings.all(), access))
        .select_related("meeting__group")
        .order_by("-meeting__starts_at")[:30]
    )
    return {
        "invitations": invitations,
        "memberships": memberships,
        "piloted_groups": list(scoped(contact.piloted_groups.all(), access).order_by("name")),
        "predecessors": list(contact.predecessors.order_by("last_name")),
        "hand_overs": list(contact.hand_overs.order_by("-created_at"))
        if not access.is_viewer
        else [],
    }


def contacts_to_review(*, access: Access, months: int | None = None) -> QuerySet[Contact]:
    """Contacts with no interaction for `months` (settings.CONTACT_REVIEW_MONTHS by default)."""
    months = months or settings.CONTACT_REVIEW_MONTHS
    limit = timezone.now() - dt.timedelta(days=round(months * 30.44))
    return (
        contact_list(access=access)
        .filter(anonymized_at__isnull=True)
        .filter(
            Q(last_activity_at__lt=limit) | Q(last_activity_at__isnull=True, created_at__lt=limit)
        )
        .order_by("last_activity_at", "last_name")
    )


PERSONAL_FIELDS_SKIPPED = {"territory", "user"}


def plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return None
    if hasattr(value, "pk"):
        return str(value)
    return value


def row_of(obj: Any) -> dict[str, Any]:
    """A row as a person would read it: related records by name, not by id."""
    return {
        field.name: plain(getattr(obj, field.name))
        for field in obj._meta.concrete_fields
        if field.name not in PERSONAL_FIELDS_SKIPPED
    }


def contact_personal_data(*, contact: Contact) -> dict[str, Any]:
    """Everything held about one person (GDPR art. 15), whatever app holds it.

    Walks every relation pointing at the contact, so rows added by later features are exported
    without this function knowing them.
    """
    person = row_of(contact)
    person["source"] = contact.get_source_display()
    related: dict[str, list[dict[str, Any]]] = {}
    for relation in Contact._meta.related_objects:
        accessor = relation.get_accessor_name()
        if not accessor:
            continue
        manager = getattr(contact, accessor, None)
        if manager is None or not hasattr(manager, "all"):
            continue
        rows = [{"objet": str(obj), **row_of(obj)} for obj in manager.all()]
        if rows:
            label = str(relation.related_model._meta.verbose_name_plural)
            related[label] = rows
    deliveries = [
        row_of(d)
        for d in Delivery.objects.filter(
            territory_id=contact.territory_id, contact_id=contact.pk
        ).order_by("created_at", "pk")
    ]
    if deliveries:
        related[str(Delivery._meta.verbose_name_plural)] = deliveries
    return {
        "territoire": contact.territory.name,
        "exporté le": timezone.now().isoformat(),
        "personne": person,
        "données liées": related,
    }
