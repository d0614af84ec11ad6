"""Writes to the partner directory. Each service validates, writes, and queues its e-mails
only once the transaction has committed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cls_platform.models import Territory, User

from .models import (
    Contact,
    ContactSource,
    HandOver,
    HandOverStatus,
    Organization,
    SuppressedAddress,
    email_hash,
    normalize_email,
)
from .signals import contact_succeeded


def suppressed(*, territory: Territory, email: str) -> bool:
    return SuppressedAddress.objects.filter(
        territory=territory, email_sha256=email_hash(email)
    ).exists()


def existing_contact(
    *, territory: Territory, email: str, exclude: int | None = None
) -> Contact | None:
    qs = Contact.objects.filter(territory=territory).with_email(email)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.first()


@transaction.atomic
def contact_create(
    *,
    territory: Territory,
    data: dict[str, Any],
    source: str = ContactSource.MANUAL,
    source_detail: str = "",
) -> Contact:
    email = normalize_email(data["email"])
    if existing_contact(territory=territory, email=email):
        raise ValidationError({"email": _("Cette adresse est déjà celle d'un contact.")})
    if suppressed(territory=territory, email=email):
        raise ValidationError(
            {
                "email": _(
                    "Cette personne a demandé l'effacement de ses données : elle ne peut pas être ajoutée à nouveau."
                )
            }
        )
    now = timezone.now()
    contact = Contact(
        territory=territory, source=source, source_detail=source_detail, last_activity_at=now
    )
    for key, value in data.items():
        setattr(contact, key, value)
    contact.email = email
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, data: dict[str, Any], confirmed: bool = False) -> Contact:
    if "email" in data:
        other = existing_contact(
            territory=contact.territory, email=data["email"], exclude=contact.pk
        )
        if other:
            raise ValidationError({"email": _("Cette adresse est déjà celle d'un autre contact.")})
    if "email" in data and normalize_email(data["email"]) != contact.email:
        contact.bounced_at = None  # a corrected address gets its chance again
    for key, value in data.items():
        setattr(contact, key, value)
    if confirmed:
        contact.confirmed_at = contact.last_activity_at = timezone.now()
    contact.save()
    return contact


@transaction.atomic
def contact_record_departure(
    *, contact: Contact, left_on: dt.date, successor: Contact | None
) -> Contact:
    """The person left their structure: they stop receiving mail but keep their history, and
    their successor takes their place in groups and report lists."""
    if successor is not None:
        if successor.pk == contact.pk:
            raise ValidationError(
                {"successor": _("Une personne ne peut pas se succéder à elle-même.")}
            )
        if successor.territory_id != contact.territory_id:
            raise ValidationError(
                {"successor": _("Le successeur doit être un contact du même territoire.")}
            )
    contact.left_at = left_on
    contact.is_active = False
    contact.successor = successor
    contact.save(update_fields=["left_at", "is_active", "successor", "updated_at"])
    if successor is not None:
        contact_succeeded.send(sender=Contact, former=contact, successor=successor)
    return contact


@transaction.atomic
def contact_unsubscribe(*, contact: Contact) -> Contact:
    if contact.unsubscribed_at is None:
        contact.unsubscribed_at = timezone.now()
        contact.save(update_fields=["unsubscribed_at", "updated_at"])
    return contact


@transaction.atomic
def contact_set_preferences(
    *, contact: Contact, invitations: bool, reports: bool, groups: dict[int, tuple[bool, bool]]
) -> Contact:
    """What the person wants to receive, overall and group by group (`{group_id: (inv, rep)}`)."""
    contact.receives_invitations = invitations
    contact.receives_reports = reports
    if invitations or reports:
        contact.unsubscribed_at = None
    contact.confirmed_at = contact.last_activity_at = timezone.now()
    contact.save()
    for membership in contact.memberships.all():
        if membership.group_id in groups:
            membership.invitations, membership.reports = groups[membership.group_id]
            membership.save(update_fields=["invitations", "reports"])
    return contact


@transaction.atomic
def hand_over_declare(*, contact: Contact, data: dict[str, Any]) -> HandOver:
    """A partner, from their signed link, says they left and names a successor."""
    hand_over = HandOver.objects.create(contact=contact, **data)
    transaction.on_commit(lambda: _notify_hand_over(hand_over.pk))
    return hand_over


def _notify_hand_over(hand_over_id: int) -> None:
    from .tasks import notify_coordinators_of_hand_over

    notify_coordinators_of_hand_over.delay(hand_over_id)


def contact_request_confirmation(*, contact: Contact) -> None:
    """Send the person their link to check their details and choose what they receive."""
    if contact.anonymized_at or contact.left_at or contact.bounced_at:
        raise ValidationError(_("Cette personne ne peut plus être jointe à cette adresse."))
    transaction.on_commit(lambda: _send_confirmation(contact.pk))


def _send_confirmation(contact_id: int) -> None:
    from .tasks import send_details_check

    send_details_check.delay(contact_id)


@transaction.atomic
def hand_over_confirm(*, hand_over: HandOver) -> Contact | None:
    """The coordination confirms: the successor is found or created, then takes the seat."""
    if hand_over.status != HandOverStatus.PENDING:
        raise ValidationError(_("Ce départ a déjà été traité."))
    contact = hand_over.contact
    successor = None
    if hand_over.successor_email:
        successor = existing_contact(territory=contact.territory, email=hand_over.successor_email)
        if successor is None:
            successor = contact_create(
                territory=contact.territory,
                data={
                    "email": hand_over.successor_email,
                    "first_name": hand_over.successor_first_name,
                    "last_name": hand_over.successor_last_name,
                    "job_title": hand_over.successor_job_title,
                    "organization": contact.organization,
                },
                source=ContactSource.SELF_SERVICE,
                source_detail=_("Successeur désigné par %(name)s")
                % {"name": contact.full_name or contact.email},
            )
    contact_record_departure(
        contact=contact, left_on=hand_over.left_on or timezone.localdate(), successor=successor
    )
    hand_over.status = HandOverStatus.CONFIRMED
    hand_over.decided_at = timezone.now()
    hand_over.save(update_fields=["status", "decided_at"])
    return successor


@transaction.atomic
def hand_over_reject(*, hand_over: HandOver) -> None:
    hand_over.status = HandOverStatus.REJECTED
    hand_over.decided_at = timezone.now()
    hand_over.save(update_fields=["status", "decided_at"])


@transaction.atomic
def contact_erase(*, contact: Contact) -> Contact:
    """GDPR erasure: the person disappears, the counts stay (invitations, attendance), and a
    hash of the address keeps any later import from mailing them again."""
    SuppressedAddress.objects.get_or_create(
        territory=contact.territory, email_sha256=email_hash(contact.email)
    )
    contact.hand_overs.all().delete()
    # Group ties are present-tense choices, not history: they go; invitations stay, anonymous.
    contact.memberships.all().delete()
    contact.first_name = ""
    contact.last_name = _("Personne effacée")
    contact.email = f"efface-{contact.pk}@anonyme.invalid"
    contact.phone = ""
    contact.job_title = ""
    contact.user = None
    contact.is_active = False
    contact.receives_invitations = False
    contact.receives_reports = False
    contact.source_detail = ""
    contact.anonymized_at = timezone.now()
    contact.save()
    return contact


@transaction.atomic
def organization_save(*, organization: Organization) -> Organization:
    organization.save()
    return organization


def coordinators_of(territory: Territory) -> list[User]:
    return list(
        User.objects.filter(
            accesses__territory=territory, accesses__role="coordinator", is_active=True
        ).order_by("email")
    )
