"""Someone who opted out gets no more mail, whichever path the e-mail takes: the update of a moved
meeting, the cancellation, an invitation added after the sending, and rows queued or retrying
when the person unsubscribed (checked again at the last moment, and shown to the coordinator)."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core import mail
from django.utils import timezone

from cls_platform.mail import outbox
from cls_platform.models import Delivery, DeliveryStatus
from partners.models import Contact
from tests.factories import ContactFactory
from workgroups import services
from workgroups.models import Invitation, Meeting, Membership

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def invite(meeting, contact: Contact) -> Invitation:
    """An invitation on a list made by hand: the group's rule is not added on top of it."""
    Meeting.objects.filter(pk=meeting.pk).update(invitees_prepared_at=timezone.now())
    meeting.invitees_prepared_at = timezone.now()
    return Invitation.objects.create(meeting=meeting, contact=contact)


def started(meeting) -> None:
    """The meeting began three hours ago: its compte-rendu can be written."""
    meeting.starts_at = timezone.now() - dt.timedelta(hours=3)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()


def unsubscribe(contact: Contact) -> None:
    Contact.objects.filter(pk=contact.pk).update(unsubscribed_at=timezone.now())


def recipients() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


def move(meeting, days: int = 1) -> None:
    meeting.starts_at += dt.timedelta(days=days)
    meeting.ends_at += dt.timedelta(days=days)


def test_a_moved_meeting_is_not_resent_to_those_who_opted_out_since(meeting, partners, send):
    send(services.invitations_send, meeting=meeting)
    unsubscribe(partners[0])
    Contact.objects.filter(pk=partners[1].pk).update(bounced_at=timezone.now())
    Contact.objects.filter(pk=partners[2].pk).update(receives_invitations=False)
    Membership.objects.create(group=meeting.group, contact=partners[3], invitations=False)
    mail.outbox.clear()

    move(meeting)
    send(services.meeting_save, meeting=meeting)

    assert recipients() == ["p4@asso.fr"]
    assert mail.outbox[0].subject.startswith("[Modifié]")


def test_the_cancel_goes_only_to_those_whose_invitation_was_sent_and_who_still_take_mail(
    meeting, partners, send, django_capture_on_commit_callbacks
):
    for contact in partners[:3]:
        invite(meeting, contact)
    send(services.invitations_send, meeting=meeting)
    unsubscribe(partners[0])  # got the invitation, unsubscribed since
    late = partners[3]  # added later: their invitation is still waiting for a worker
    with django_capture_on_commit_callbacks(execute=False):
        services.invitation_add(meeting=meeting, contact=late)
    mail.outbox.clear()

    send(services.meeting_cancel, meeting=meeting)

    assert recipients() == ["p1@asso.fr", "p2@asso.fr"]
    assert all(m.subject.startswith("[Annulé]") for m in mail.outbox)
    # The invitation that never went will not go after the cancel either.
    pending = Delivery.objects.get(contact_id=late.pk, kind="invitation")
    assert outbox.deliver(pending.pk) == DeliveryStatus.SKIPPED
    pending.refresh_from_db()
    assert pending.last_error == "la réunion est annulée"
    assert recipients() == ["p1@asso.fr", "p2@asso.fr"]


def test_someone_added_after_the_sending_who_takes_no_invitation_gets_none(
    login_as, coordinator, meeting, partners, send, territory
):
    invite(meeting, partners[0])
    send(services.invitations_send, meeting=meeting)
    mail.outbox.clear()
    unsubscribed = ContactFactory(territory=territory, unsubscribed_at=timezone.now())
    no_invitations = ContactFactory(
        territory=territory, last_name="Sansinvit", receives_invitations=False
    )

    added = send(services.invitation_add, meeting=meeting, contact=unsubscribed)
    assert added.mailed is False
    client = login_as(coordinator)
    with_callbacks = send(
        client.post,
        path=f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/",
        data={"contact_id": no_invitations.pk},
        follow=True,
    )

    assert "ajouté·e à la liste, sans e-mail" in html.unescape(with_callbacks.content.decode())
    assert mail.outbox == []
    assert not Delivery.objects.filter(contact_id__in=[unsubscribed.pk, no_invitations.pk])
    assert meeting.invitations.filter(contact=no_invitations).exists()  # for the attendance

    # Someone who takes invitations, added the same way, gets theirs at once.
    response = send(
        client.post,
        path=f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/",
        data={"contact_id": partners[1].pk},
        follow=True,
    )
    assert "l'invitation part par e-mail" in html.unescape(response.content.decode())
    assert recipients() == ["p1@asso.fr"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"unsubscribed_at": timezone.now()}, "la personne s'est désinscrite"),
        ({"bounced_at": timezone.now()}, "l'adresse est en erreur"),
        ({"left_at": dt.date(2026, 1, 5), "is_active": False}, "la personne a quitté sa structure"),
        (
            {"receives_reports": False},
            "la personne ne souhaite plus recevoir les comptes-rendus",
        ),
    ],
    ids=["unsubscribed", "bounced", "left", "no-reports"],
)
def test_a_queued_report_is_not_sent_to_someone_who_opted_out_in_the_meantime(
    meeting, partners, django_capture_on_commit_callbacks, change, reason
):
    invite(meeting, partners[0])
    started(meeting)
    services.report_save(meeting=meeting, html="Compte-rendu.")
    with django_capture_on_commit_callbacks(execute=False):  # the worker is busy elsewhere
        services.report_send(meeting=meeting)
    Contact.objects.filter(pk=partners[0].pk).update(**change)
    delivery = Delivery.objects.get(kind="report")

    assert outbox.deliver(delivery.pk) == DeliveryStatus.SKIPPED

    assert mail.outbox == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.SKIPPED, reason)


def test_a_retrying_invitation_stops_when_the_person_unsubscribes(
    meeting, partners, django_capture_on_commit_callbacks, login_as, coordinator
):
    invite(meeting, partners[0])
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_send(meeting=meeting)
    delivery = Delivery.objects.get(kind="invitation")
    # A 451 earlier: the row waits for its next attempt.
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=2, last_error="451 4.7.1 Greylisted", next_attempt_at=timezone.now()
    )
    Membership.objects.create(group=meeting.group, contact=partners[0], invitations=False)

    assert outbox.deliver(delivery.pk) == DeliveryStatus.SKIPPED

    assert mail.outbox == []
    page = html.unescape(
        login_as(coordinator).get(f"{BASE}/reunions/{meeting.pk}/").content.decode()
    )
    assert "Non envoyé" in page
    assert "La personne ne souhaite plus recevoir les invitations de ce groupe" in page
    assert "Invitations non envoyées : 1" in page


def test_a_reminder_is_not_sent_to_someone_who_declined_after_it_was_queued(
    meeting, partners, send, django_capture_on_commit_callbacks
):
    invite(meeting, partners[0])
    send(services.invitations_send, meeting=meeting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False):
        assert services.reminders_send(meeting=meeting).queued == 1
    services.rsvp_record(invitation=meeting.invitations.get(), answer="no")

    delivery = Delivery.objects.get(kind="reminder")
    assert outbox.deliver(delivery.pk) == DeliveryStatus.SKIPPED
    assert mail.outbox == []


def test_someone_who_subscribes_again_gets_the_message_skipped_earlier(
    meeting, partners, send, django_capture_on_commit_callbacks
):
    invite(meeting, partners[0])
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_send(meeting=meeting)
    unsubscribe(partners[0])
    outbox.deliver(Delivery.objects.get().pk)
    Contact.objects.filter(pk=partners[0].pk).update(unsubscribed_at=None)

    again = send(services.invitations_send, meeting=meeting)

    assert (again.queued, again.skipped) == (1, 0)
    assert recipients() == ["p0@asso.fr"]
    assert Delivery.objects.get().status == DeliveryStatus.SENT
