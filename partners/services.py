"""Writes to the partner directory. Each service validates, writes, and queues its e-mails
only once the transaction has committed."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cls_platform.audit import AuditEvent, audit_event
from cls_platform.mail import outbox
from cls_platform.models import Access, Delivery, DeliveryStatus, Territory, User

from .emails import (
    KIND_DETAILS_CHECK,
    KIND_HAND_OVER,
    details_check_topic,
    hand_over_topic,
)
from .models import (
    Contact,
    ContactSource,
    HandOver,
    HandOverStatus,
    Organization,
    PartnerImport,
    Sector,
    SuppressedAddress,
    email_hash,
    normalize_email,
)
from .signals import contact_succeeded


def pending_import_days() -> int:
    """How long an upload waits for its confirmation before its content (personal data) is
    dropped (settings.PENDING_IMPORT_DAYS)."""
    return settings.PENDING_IMPORT_DAYS


def suppressed(*, territory: Territory, email: str) -> bool:
    return SuppressedAddress.objects.filter(
        territory=territory, email_sha256=email_hash(email)
    ).exists()


def suppressed_error() -> ValidationError:
    return ValidationError(
        {
            "email": _(
                "Cette personne a demandé l'effacement de ses données : elle ne peut pas être ajoutée à nouveau."
            )
        }
    )


def account_for(contact: Contact) -> User | None:
    """The account whose address is the contact's, if it has an access to the same territory."""
    email = normalize_email(contact.email)
    if not email:
        return None
    return (
        User.objects.filter(
            email__iexact=email, is_active=True, accesses__territory_id=contact.territory_id
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def contact_link_account(*, contact: Contact) -> bool:
    """Tie the contact to the account that has the same address (a co-pilot who signs in is
    then recognised as the pilot of their fiches-actions and groups). Returns True if set."""
    if contact.user_id is not None or contact.anonymized_at is not None:
        return False
    user = account_for(contact)
    if user is None:
        return False
    contact.user = user
    Contact.objects.filter(pk=contact.pk).update(user=user)
    return True


@transaction.atomic
def access_link_contacts(*, access: Access) -> int:
    """An account given access to a territory is tied to the contacts bearing its address."""
    email = normalize_email(access.user.email)
    if not email or not access.user.is_active:
        return 0
    return Contact.objects.filter(
        territory_id=access.territory_id,
        email__iexact=email,
        user__isnull=True,
        anonymized_at__isnull=True,
    ).update(user=access.user)


@transaction.atomic
def access_unlink_contacts(*, access: Access) -> int:
    """Without an access to the territory, the account pilots nothing there any more."""
    return Contact.objects.filter(territory_id=access.territory_id, user_id=access.user_id).update(
        user=None
    )


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
        raise suppressed_error()
    now = timezone.now()
    contact = Contact(
        territory=territory, source=source, source_detail=source_detail, last_activity_at=now
    )
    for key, value in data.items():
        setattr(contact, key, value)
    contact.email = email
    contact.save()
    contact_link_account(contact=contact)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, data: dict[str, Any], confirmed: bool = False) -> Contact:
    # From the database: a ModelForm has already copied what was typed onto the instance.
    stored = Contact.objects.filter(pk=contact.pk).values_list("email", flat=True).first()
    previous_email = normalize_email(stored if stored is not None else contact.email)
    email_changed = "email" in data and normalize_email(data["email"]) != previous_email
    if "email" in data:
        other = existing_contact(
            territory=contact.territory, email=data["email"], exclude=contact.pk
        )
        if other:
            raise ValidationError({"email": _("Cette adresse est déjà celle d'un autre contact.")})
    if email_changed and suppressed(territory=contact.territory, email=data["email"]):
        raise suppressed_error()
    if email_changed:
        contact.bounced_at = None  # a corrected address gets its chance again
        # An account tied through the old address no longer names this person.
        if contact.user_id and normalize_email(contact.user.email) == previous_email:
            contact.user = None
    for key, value in data.items():
        setattr(contact, key, value)
    if "email" in data:
        contact.email = normalize_email(contact.email)
    if confirmed:
        contact.confirmed_at = contact.last_activity_at = timezone.now()
    contact.save()
    contact_link_account(contact=contact)
    return contact


@transaction.atomic
def contact_record_departure(
    *,
    contact: Contact,
    left_on: dt.date,
    successor: Contact | None,
    new_successor: dict[str, Any] | None = None,
) -> Contact:
    """The person left their structure: they stop receiving mail but keep their history, and
    their successor takes their place in groups and report lists. The successor is a contact
    of the directory, or one typed in (`new_successor`: address, names, job title), found by
    their address or added to the structure the person left."""
    if successor is None and new_successor:
        successor = successor_find_or_create(former=contact, data=new_successor)
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
    """A partner, from their signed link, says they left and names a successor; each
    coordinator of the territory is told, through the outbox (queued in this transaction: a
    broker down after the commit loses nothing)."""
    hand_over = HandOver.objects.create(contact=contact, **data)
    outbox.enqueue(
        territory=contact.territory,
        kind=KIND_HAND_OVER,
        topic=hand_over_topic(hand_over.pk),
        recipients=[
            outbox.Recipient(email=user.email) for user in coordinators_of(contact.territory)
        ],
    )
    return hand_over


# A partner asks for a fresh link (from a mass e-mail's link, or an expired one): one per few
# minutes at most, so that a forwarded e-mail cannot flood the person's mailbox.
NEW_LINK_EVERY = dt.timedelta(minutes=5)


@transaction.atomic
def contact_request_confirmation(
    *, contact: Contact, at_most_every: dt.timedelta | None = None
) -> bool:
    """Send the person their link to check their details and choose what they receive.

    Each request is a new message (a new revision of the row "contact:<pk>"), so that a second
    request a month later goes; none is added while one still waits in the queue, nor, with
    `at_most_every`, when one was requested that recently. Returns whether one was queued."""
    if contact.anonymized_at or contact.left_at or contact.bounced_at or not contact.is_active:
        raise ValidationError(_("Cette personne ne peut plus être jointe à cette adresse."))
    if contact.unsubscribed_at:
        raise ValidationError(
            _("Cette personne s'est désinscrite : elle ne reçoit plus aucun e-mail du CLS.")
        )
    # One request at a time per person: the row lock orders two clicks, two coordinators.
    Contact.objects.select_for_update().filter(pk=contact.pk).first()
    earlier = Delivery.objects.filter(
        territory_id=contact.territory_id,
        kind=KIND_DETAILS_CHECK,
        topic=details_check_topic(contact.pk),
    )
    if earlier.filter(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]).exists():
        return False
    if at_most_every and earlier.filter(created_at__gte=timezone.now() - at_most_every).exists():
        return False
    last = earlier.aggregate(last=Max("revision"))["last"]
    queued = outbox.enqueue(
        territory=contact.territory,
        kind=KIND_DETAILS_CHECK,
        topic=details_check_topic(contact.pk),
        recipients=[outbox.Recipient(email=contact.email, contact_id=contact.pk)],
        revision=0 if last is None else last + 1,
    )
    return bool(queued.queued)


@transaction.atomic
def contact_request_new_link(*, contact: Contact) -> bool:
    """From the page of a mass e-mail's link or of an expired one: a fresh link to the address
    on file, one per NEW_LINK_EVERY at most."""
    return contact_request_confirmation(contact=contact, at_most_every=NEW_LINK_EVERY)


@transaction.atomic
def hand_over_confirm(*, hand_over: HandOver) -> Contact | None:
    """The coordination confirms: the successor is found or created, then takes the seat."""
    if hand_over.status != HandOverStatus.PENDING:
        raise ValidationError(_("Ce départ a déjà été traité."))
    contact = hand_over.contact
    successor = None
    if hand_over.successor_email:
        successor = successor_find_or_create(
            former=contact,
            data={
                "email": hand_over.successor_email,
                "first_name": hand_over.successor_first_name,
                "last_name": hand_over.successor_last_name,
                "job_title": hand_over.successor_job_title,
            },
            source=ContactSource.SELF_SERVICE,
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


def successor_find_or_create(
    *, former: Contact, data: dict[str, Any], source: str = ContactSource.MANUAL
) -> Contact:
    """The successor named by address: the contact who has it, or a new one in the structure
    the former contact left, saying whom they succeeded."""
    found = existing_contact(territory=former.territory, email=data["email"])
    if found is not None:
        return found
    return contact_create(
        territory=former.territory,
        data={**data, "organization": former.organization},
        source=source,
        source_detail=successor_detail(former),
    )


def successor_detail(former: Contact) -> str:
    """Where a successor came from, as shown (to coordinators) on their page."""
    return successor_detail_for(former.full_name or former.email)


def successor_detail_for(name: str) -> str:
    return _("Successeur de %(name)s") % {"name": name}


ANONYMOUS_DOMAIN = "anonyme.invalid"


def anonymous_address(contact_id: int) -> str:
    return f"efface-{contact_id}@{ANONYMOUS_DOMAIN}"


def _any_address(field: str, addresses: set[str]) -> Q:
    """`field` is one of the addresses, whatever its case."""
    return functools.reduce(operator.or_, (Q(**{f"{field}__iexact": a}) for a in addresses))


def _addresses_pattern(addresses: set[str]) -> re.Pattern[str]:
    return re.compile(
        "|".join(re.escape(a) for a in sorted(addresses, key=len, reverse=True)), re.I
    )


def _scrub_deliveries(*, contact: Contact, addresses: set[str], placeholder: str) -> None:
    """The outbox keeps ids and plain values: the addresses and the SMTP answers quoting them."""
    rows = Delivery.objects.filter(territory_id=contact.territory_id).filter(
        Q(contact_id=contact.pk) | _any_address("to_email", addresses)
    )
    pattern = _addresses_pattern(addresses)
    for delivery in rows.only("pk", "last_error", "to_email"):
        Delivery.objects.filter(pk=delivery.pk).update(
            to_email=placeholder, last_error=pattern.sub(placeholder, delivery.last_error)
        )


def _scrub_import_reports(*, contact: Contact, addresses: set[str]) -> None:
    """Each import report keeps its lines: the erased person's lines lose their address. An
    upload still waiting for its confirmation holds the file itself, with the address: it goes
    (the coordinator uploads it again)."""
    pattern = _addresses_pattern(addresses)
    for partner_import in PartnerImport.objects.filter(territory_id=contact.territory_id).only(
        "pk", "report", "applied_at"
    ):
        report = partner_import.report or {}
        changed = False
        for line in report.get("lines", []):
            if normalize_email(line.get("email", "")) in addresses or pattern.search(
                line.get("detail", "")
            ):
                line["email"] = ""
                line["detail"] = _("personne effacée à sa demande (RGPD)")
                changed = True
        if changed and partner_import.applied_at is None:
            PartnerImport.objects.filter(pk=partner_import.pk).delete()
        elif changed:
            PartnerImport.objects.filter(pk=partner_import.pk).update(report=report)


@transaction.atomic
def contact_erase(*, contact: Contact) -> Contact:
    """GDPR erasure: the person disappears, the counts stay (invitations, attendance), and a
    hash of the address keeps any later import from mailing them again."""
    email = normalize_email(contact.email)
    names = {n for n in (contact.full_name, email, str(contact)) if n}
    placeholder = anonymous_address(contact.pk)
    # Every address the person was mailed at, not only the current one (a bounced address the
    # coordinator corrected since stays in the outbox and in old spreadsheets).
    addresses = {email} | {
        normalize_email(a)
        for a in Delivery.objects.filter(
            territory_id=contact.territory_id, contact_id=contact.pk
        ).values_list("to_email", flat=True)
        if a and not a.endswith(f"@{ANONYMOUS_DOMAIN}")
    }
    for address in sorted(addresses):
        SuppressedAddress.objects.get_or_create(
            territory=contact.territory, email_sha256=email_hash(address)
        )
    contact.hand_overs.all().delete()
    # Someone else's declared departure may name this person as their successor.
    HandOver.objects.filter(
        _any_address("successor_email", addresses), territory_id=contact.territory_id
    ).update(
        successor_first_name="",
        successor_last_name="",
        successor_email="",
        successor_job_title="",
    )
    # Successors keep where they came from, not whom they replaced.
    named_here = [successor_detail_for(name) for name in names] + [
        _("Successeur désigné par %(name)s") % {"name": name} for name in names
    ]
    Contact.objects.filter(territory_id=contact.territory_id).filter(
        Q(pk=contact.successor_id, source_detail__in=named_here) | Q(source_detail__icontains=email)
    ).exclude(pk=contact.pk).update(source_detail=_("Successeur d'une personne effacée"))
    _scrub_deliveries(contact=contact, addresses=addresses, placeholder=placeholder)
    _scrub_import_reports(contact=contact, addresses=addresses)
    # Group ties are present-tense choices, not history: they go; invitations stay, anonymous.
    contact.memberships.all().delete()
    contact.first_name = ""
    contact.last_name = _("Personne effacée")
    contact.email = placeholder
    contact.phone = ""
    contact.job_title = ""
    contact.user = None
    contact.is_active = False
    contact.receives_invitations = False
    contact.receives_reports = False
    contact.source_detail = ""
    contact.anonymized_at = timezone.now()
    contact.save()
    audit_event(AuditEvent.ERASURE, target=contact)
    return contact


@transaction.atomic
def partner_imports_purge(*, days: int | None = None) -> int:
    """Uploads never confirmed are dropped after `days` (settings.PENDING_IMPORT_DAYS): a file
    of people is not kept idle."""
    days = pending_import_days() if days is None else days
    limit = timezone.now() - dt.timedelta(days=days)
    deleted, _detail = PartnerImport.objects.filter(
        applied_at__isnull=True, created_at__lt=limit
    ).delete()
    return deleted


@transaction.atomic
def organization_save(
    *, organization: Organization, sectors: Iterable[Sector] | None = None
) -> Organization:
    """Save a structure (its form has validated it), and its sectors when they are given."""
    organization.save()
    if sectors is not None:
        organization.sectors.set(sectors)
    return organization


def coordinators_of(territory: Territory) -> list[User]:
    return list(
        User.objects.filter(
            accesses__territory=territory, accesses__role="coordinator", is_active=True
        ).order_by("email")
    )
