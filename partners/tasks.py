"""Celery tasks of the directory: they take ids, re-fetch, and return quietly if gone."""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse

from cls_platform.emails import absolute_url, send_templated

from .models import Contact, HandOver
from .services import coordinators_of
from .tokens import contact_token


@shared_task(
    name="partners.tasks.notify_coordinators_of_hand_over",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
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
    return send_templated(template="hand_over_declared", to=recipients, context=context)


@shared_task(
    name="partners.tasks.send_details_check",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def send_details_check(contact_id: int) -> int:
    """The person's own link, to confirm or correct their details (GDPR: accuracy)."""
    contact = (
        Contact.objects.select_related("territory", "organization")
        .filter(
            pk=contact_id, anonymized_at__isnull=True, left_at__isnull=True, bounced_at__isnull=True
        )
        .first()
    )
    if contact is None:
        return 0
    token = contact_token(contact)
    context = {
        "territory_name": contact.territory.name,
        "contact_name": contact.full_name or contact.email,
        "organization_name": contact.organization.name if contact.organization else "",
        "job_title": contact.job_title,
        "email": contact.email,
        "phone": contact.phone,
        "link": absolute_url(reverse("partner_links:self_service", kwargs={"token": token})),
        "unsubscribe_link": absolute_url(
            reverse("partner_links:self_service_unsubscribe", kwargs={"token": token})
        ),
    }
    headers = {
        "List-Unsubscribe": f"<{context['unsubscribe_link']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return send_templated(
        template="details_check", to=[contact.email], context=context, headers=headers
    )
