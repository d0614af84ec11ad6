"""Who may no longer be mailed at all: one rule for the directory's e-mails and the meetings'.

A person erased, unsubscribed, whose address bounced or who left their structure gets neither
the details check nor a meeting's e-mail, and the coordinator reads the same reason next to the
address on both pages (partners.emails.mailing_obstacle, which the meetings' rules start with).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from cls_platform.mail import outbox
from cls_platform.models import Delivery, DeliveryStatus
from partners.emails import KIND_DETAILS_CHECK, details_check_topic
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups.models import KIND_CANCELLATION, KIND_INVITATION, KIND_REPORT, Invitation

pytestmark = pytest.mark.django_db

NOW = timezone.now()
STATES = {
    "erased": ({"anonymized_at": NOW}, "la personne a été effacée de l'annuaire"),
    "unsubscribed": ({"unsubscribed_at": NOW}, "la personne s'est désinscrite"),
    "bounced": ({"bounced_at": NOW}, "l'adresse est en erreur"),
    "left": ({"left_at": NOW.date()}, "la personne a quitté sa structure"),
    "inactive": ({"is_active": False}, "la personne a quitté sa structure"),
}


def deliver(territory, contact, *, kind: str, topic: str, revision: int = 0) -> Delivery:
    """Queued while the person could still be mailed, sent after their state changed."""
    (pk,) = outbox.enqueue(
        territory=territory,
        kind=kind,
        topic=topic,
        recipients=[outbox.Recipient(email=contact.email, contact_id=contact.pk)],
        revision=revision,
    ).queued
    return Delivery.objects.get(pk=pk)


@pytest.mark.parametrize("state", list(STATES))
def test_the_same_person_is_refused_every_e_mail_for_the_same_reason(territory, state):
    fields, reason = STATES[state]
    zoe = ContactFactory(territory=territory, first_name="Zoé", email="zoe@asso.fr")
    group = WorkGroupFactory(contract=ContractFactory(territory=territory))
    start = timezone.now() + dt.timedelta(days=10)
    upcoming = MeetingFactory(group=group, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    Invitation.objects.create(meeting=upcoming, contact=zoe)
    upcoming.report_pdf.save("cr.pdf", ContentFile(b"%PDF-1.4 compte-rendu"), save=True)
    rows = [
        deliver(territory, zoe, kind=KIND_DETAILS_CHECK, topic=details_check_topic(zoe.pk)),
        deliver(territory, zoe, kind=KIND_INVITATION, topic=upcoming.topic),
        deliver(territory, zoe, kind=KIND_CANCELLATION, topic=upcoming.topic),
        deliver(territory, zoe, kind=KIND_REPORT, topic=upcoming.topic),
    ]
    type(zoe).objects.filter(pk=zoe.pk).update(**fields)

    for row in rows:
        assert outbox.deliver(row.pk) == DeliveryStatus.SKIPPED
        row.refresh_from_db()
        assert (row.kind, row.status, row.last_error) == (row.kind, "skipped", reason)
    assert mail.outbox == []
