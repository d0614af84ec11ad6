"""How the directory's e-mails are composed from their outbox row (see cls_platform.mail.outbox).

- "details_check" (topic "contact:<pk>", a new revision per request): the person's own link to
  check their details and choose what they receive, short-lived (partners/tokens.py), sent only
  to the address on file: at the coordination's request, or the person's from the page of a mass
  e-mail's link;
- "hand_over" (topic "handover:<pk>", one row per coordinator's address, no contact): a partner
  declared they left, and maybe named a successor.

Composers re-fetch from ids at sending time: the person who unsubscribed, left, was erased or
whose address bounced since the request is not mailed (`Skip`, with the reason the coordinator
reads on the contact's page).
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cls_platform.mail.composers import Skip, register
from cls_platform.mail.messages import absolute_url, build_message, coordination_sender
from cls_platform.models import Delivery, Role, User

from .models import Contact, HandOver
from .tokens import contact_token, link_minutes, unsubscribe_token

KIND_DETAILS_CHECK = "details_check"
KIND_HAND_OVER = "hand_over"


def details_check_topic(contact_id: int) -> str:
    return f"contact:{contact_id}"


def hand_over_topic(hand_over_id: int) -> str:
    return f"handover:{hand_over_id}"


def _pk(topic: str) -> int | None:
    _prefix, _sep, pk = topic.partition(":")
    return int(pk) if pk.isdigit() else None


def mailing_obstacle(contact: Contact | None) -> str:
    """Why this person may not be mailed at all ("" when they may), as the coordinator reads it."""
    if contact is None or contact.anonymized_at:
        return _("la personne a été effacée de l'annuaire")
    if contact.unsubscribed_at:
        return _("la personne s'est désinscrite")
    if contact.bounced_at:
        return _("l'adresse est en erreur")
    if contact.left_at or not contact.is_active:
        return _("la personne a quitté sa structure")
    return ""


def details_check_latest(contact: Contact) -> Delivery | None:
    """The latest request of the person's details check, with its sending state (shown on the
    contact's page)."""
    return (
        Delivery.objects.filter(
            territory_id=contact.territory_id,
            kind=KIND_DETAILS_CHECK,
            topic=details_check_topic(contact.pk),
        )
        .order_by("-created_at", "-id")
        .first()
    )


def compose_details_check(delivery: Delivery) -> EmailMessage | None:
    contact = (
        Contact.objects.select_related("territory", "organization")
        .filter(pk=delivery.contact_id, territory_id=delivery.territory_id)
        .first()
    )
    reason = mailing_obstacle(contact)
    if reason:
        raise Skip(reason)
    unsubscribe = absolute_url(
        reverse(
            "partner_links:self_service_unsubscribe",
            kwargs={"token": unsubscribe_token(contact)},
        )
    )
    reply_name, reply_email = coordination_sender(contact.territory)
    context = {
        "territory_name": contact.territory.name,
        "contact_name": contact.full_name or contact.email,
        "reply_name": reply_name,
        "reply_email": reply_email,
        "organization_name": contact.organization.name if contact.organization else "",
        "job_title": contact.job_title,
        "email": contact.email,
        "phone": contact.phone,
        "link": absolute_url(
            reverse("partner_links:self_service", kwargs={"token": contact_token(contact)})
        ),
        "unsubscribe_link": unsubscribe,
        # The link is made now, when the message goes: its minutes run from the sending.
        "link_validity": ngettext("%(n)s minute", "%(n)s minutes", link_minutes())
        % {"n": link_minutes()},
    }
    return build_message(
        template="details_check",
        to=[delivery.to_email],
        context=context,
        reply_to=[reply_email],
        unsubscribe_url=unsubscribe,
        sender_name=_("Coordination du CLS de %(territory)s")
        % {"territory": contact.territory.name},
    )


def compose_hand_over(delivery: Delivery) -> EmailMessage | None:
    hand_over = (
        HandOver.objects.select_related("contact__organization", "territory")
        .filter(pk=_pk(delivery.topic), territory_id=delivery.territory_id)
        .first()
    )
    if hand_over is None:
        return None
    # The notice goes to the coordination: someone who no longer coordinates is not told.
    still_coordinates = User.objects.filter(
        email__iexact=delivery.to_email,
        is_active=True,
        accesses__territory_id=delivery.territory_id,
        accesses__role=Role.COORDINATOR,
    ).exists()
    if not still_coordinates:
        raise Skip(_("la personne ne coordonne plus ce territoire"))
    contact = hand_over.contact
    context = {
        "territory_name": hand_over.territory.name,
        "contact_name": contact.full_name or contact.email,
        "organization_name": contact.organization.name if contact.organization else "",
        "successor_name": (
            f"{hand_over.successor_first_name} {hand_over.successor_last_name}".strip()
        ),
        "successor_email": hand_over.successor_email,
        "message": hand_over.message,
        "review_url": absolute_url(
            reverse("partners:handover_list", kwargs={"territory": hand_over.territory.slug})
        ),
    }
    # A reply reaches the partner who declared it (unless erased since).
    reply_to = [] if contact.anonymized_at else [contact.email]
    context["reply_email"] = "".join(reply_to)
    return build_message(
        template="hand_over_declared", to=[delivery.to_email], context=context, reply_to=reply_to
    )


def register_composers() -> None:
    register(KIND_DETAILS_CHECK, compose_details_check)
    register(KIND_HAND_OVER, compose_hand_over)
