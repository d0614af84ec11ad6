"""Celery tasks of the directory: they take ids, re-fetch, and return quietly if gone."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from cls_platform.emails import absolute_url, send_templated
from cls_platform.outbox import address_is_bad, is_permanent

from .models import Contact, HandOver
from .services import coordinators_of, partner_imports_purge
from .tokens import contact_token, unsubscribe_token

log = logging.getLogger(__name__)


class PermanentRefusal(Exception):
    """The SMTP server refused for good (5xx): sending again would be refused again."""


def send_once_or_retry(**kwargs: Any) -> int:
    """Send a templated e-mail; a permanent refusal is reported, not retried.

    smtplib's errors are OSErrors, which the tasks retry: a connection failure or a 4xx answer
    deserves that, a 5xx refusal does not.
    """
    try:
        return send_templated(**kwargs)
    except smtplib.SMTPException as exc:
        if is_permanent(exc):
            raise PermanentRefusal(str(exc)) from exc
        raise


RETRIES = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="partners.tasks.notify_coordinators_of_hand_over", **RETRIES)
def notify_coordinators_of_hand_over(hand_over_id: int) -> int:
    hand_over = (
        HandOver.objects.select_related("contact__organization", "territory")
        .filter(pk=hand_over_id)
        .first()
    )
    if hand_over is None:
        return 0
    recipients = [u.email for u in coordinators_of(hand_over.territory)]
    if not recipients:
        return 0
    contact = hand_over.contact
    context = {
        "territory_name": hand_over.territory.name,
        "contact_name": contact.full_name or contact.email,
        "organization_name": contact.organization.name if contact.organization else "",
        "successor_name": f"{hand_over.successor_first_name} {hand_over.successor_last_name}".strip(),
        "successor_email": hand_over.successor_email,
        "message": hand_over.message,
        "review_url": absolute_url(
            reverse("partners:handover_list", kwargs={"territory": hand_over.territory.slug})
        ),
    }
    try:
        return send_once_or_retry(template="hand_over_declared", to=recipients, context=context)
    except PermanentRefusal as exc:
        log.warning("Départ %s : avis refusé par le serveur SMTP (%s)", hand_over_id, exc)
        return 0


@shared_task(name="partners.tasks.send_details_check", **RETRIES)
def send_details_check(contact_id: int) -> int:
    """The person's own link, to confirm or correct their details (GDPR: accuracy)."""
    contact = (
        Contact.objects.select_related("territory", "organization")
        .filter(
            pk=contact_id,
            anonymized_at__isnull=True,
            left_at__isnull=True,
            bounced_at__isnull=True,
            unsubscribed_at__isnull=True,
        )
        .first()
    )
    if contact is None:
        return 0
    context = {
        "territory_name": contact.territory.name,
        "contact_name": contact.full_name or contact.email,
        "organization_name": contact.organization.name if contact.organization else "",
        "job_title": contact.job_title,
        "email": contact.email,
        "phone": contact.phone,
        "link": absolute_url(
            reverse("partner_links:self_service", kwargs={"token": contact_token(contact)})
        ),
        "unsubscribe_link": absolute_url(
            reverse(
                "partner_links:self_service_unsubscribe",
                kwargs={"token": unsubscribe_token(contact)},
            )
        ),
    }
    headers = {
        "List-Unsubscribe": f"<{context['unsubscribe_link']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    try:
        return send_once_or_retry(
            template="details_check", to=[contact.email], context=context, headers=headers
        )
    except PermanentRefusal as exc:
        cause = exc.__cause__
        if isinstance(cause, smtplib.SMTPRecipientsRefused) and address_is_bad(cause):
            # The mailbox does not exist: flagged like any bounce, never mailed again.
            Contact.objects.filter(pk=contact.pk, bounced_at__isnull=True).update(
                bounced_at=timezone.now()
            )
        log.warning("Contact %s : lien refusé par le serveur SMTP (%s)", contact_id, exc)
        return 0


@shared_task(name="partners.tasks.purge_pending_imports")
def purge_pending_imports() -> int:
    """Celery beat, daily: uploads never confirmed do not keep their file of people."""
    return partner_imports_purge()
