""" "Relancer les envois en échec" from the meeting page: each failed e-mail goes to the person's
current address, unless they still cannot be mailed or the message no longer makes sense."""

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
from workgroups.models import Invitation, Meeting, Rsvp

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


def failed(meeting, contact: Contact, kind: str, email: str | None = None) -> Delivery:
    return Delivery.objects.create(
        territory=meeting.territory,
        kind=kind,
        topic=meeting.topic,
        contact_id=contact.pk,
        to_email=email or contact.email,
        status=DeliveryStatus.FAILED,
        last_error="550 5.1.1 Mailbox unavailable",
    )


def retry(client, meeting, send):
    return send(client.post, path=f"{BASE}/reunions/{meeting.pk}/envois/relancer/", follow=True)


def test_a_corrected_address_gets_the_retry_and_the_others_are_explained(
    login_as, coordinator, meeting, partners, territory, send
):
    invite(meeting, partners[0])
    started(meeting)
    services.report_save(meeting=meeting, html="Compte-rendu.")
    send(services.report_send, meeting=meeting)
    mail.outbox.clear()
    corrected = ContactFactory(territory=territory, email="camille@nouvelle-adresse.fr")
    still_bad = ContactFactory(
        territory=territory, email="parti@asso.fr", bounced_at=timezone.now()
    )
    gone = ContactFactory(territory=territory, email="ex@asso.fr", unsubscribed_at=timezone.now())
    for contact in (corrected, still_bad, gone):
        invite(meeting, contact)
    # The coordinator corrected Camille's address after the 550 (which clears bounced_at).
    row = failed(meeting, corrected, "report", email="camille@ancienne-adresse.fr")
    failed(meeting, still_bad, "report")
    failed(meeting, gone, "report")

    response = retry(login_as(coordinator), meeting, send)

    page = html.unescape(response.content.decode())
    assert "1 envoi relancé, à l'adresse actuelle de la personne." in page
    assert "2 laissés en échec" in page
    assert "l'adresse est en erreur (1)" in page
    assert "la personne s'est désinscrite (1)" in page
    assert [m.to for m in mail.outbox] == [["camille@nouvelle-adresse.fr"]]
    row.refresh_from_db()
    assert (row.status, row.to_email) == (DeliveryStatus.SENT, "camille@nouvelle-adresse.fr")
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 2
    still_bad.refresh_from_db()
    assert still_bad.bounced_at is not None


def test_invitations_of_a_meeting_that_is_over_are_not_retried(
    login_as, coordinator, meeting, partners, send
):
    invite(meeting, partners[0])
    failed(meeting, partners[0], "invitation")
    invite(meeting, partners[1])
    failed(meeting, partners[1], "reminder")
    yesterday = timezone.now() - dt.timedelta(days=1)
    meeting.starts_at, meeting.ends_at = yesterday, yesterday + dt.timedelta(hours=2)
    meeting.save()

    page = html.unescape(retry(login_as(coordinator), meeting, send).content.decode())

    assert "Aucun envoi relancé." in page
    assert "2 laissés en échec : la réunion est passée (2)." in page
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}


def test_retrying_with_nothing_failed_says_so(login_as, coordinator, meeting, send):
    page = html.unescape(retry(login_as(coordinator), meeting, send).content.decode())
    assert "Aucun envoi en échec à relancer." in page


def test_only_those_who_edit_the_meeting_may_retry(login_as, viewer, meeting, partners):
    failed(meeting, partners[0], "invitation")
    assert (
        login_as(viewer).post(f"{BASE}/reunions/{meeting.pk}/envois/relancer/").status_code == 403
    )
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_a_row_another_retry_already_put_back_is_not_queued_twice(meeting, partners, send):
    """Two retries at once (a double click, two coordinators): the second finds the row no
    longer failed when it writes, and hands nothing over; the message goes once."""
    invite(meeting, partners[0])
    row = failed(meeting, partners[0], "invitation")

    def other_retry_was_faster(rows):
        # Between this retry's read and its write, the other one re-queued and sent the row.
        Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.SENT, last_error="")
        return {}

    result = send(
        outbox.retry_failed,
        territory=meeting.territory,
        topic=meeting.topic,
        decide=other_retry_was_faster,
    )

    assert result.queued == []
    assert mail.outbox == []
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT


def test_an_invitation_superseded_by_a_move_is_not_retried(
    login_as, coordinator, meeting, partners, send
):
    invite(meeting, partners[0])
    send(services.invitations_send, meeting=meeting)
    first = Delivery.objects.get(kind="invitation")
    Delivery.objects.filter(pk=first.pk).update(status=DeliveryStatus.FAILED, last_error="451")
    meeting.starts_at += dt.timedelta(days=1)
    meeting.ends_at += dt.timedelta(days=1)
    send(services.meeting_save, meeting=meeting)  # the update went with SEQUENCE 1
    mail.outbox.clear()

    page = html.unescape(retry(login_as(coordinator), meeting, send).content.decode())

    assert "une version plus récente de l'invitation a été envoyée (1)" in page
    assert mail.outbox == []


def test_inviting_again_after_a_move_spares_only_those_who_declined_the_new_date(
    meeting, partners, send
):
    for contact in partners[:2]:
        invite(meeting, contact)
    send(services.invitations_send, meeting=meeting)
    services.rsvp_record(invitation=meeting.invitations.get(contact=partners[1]), answer=Rsvp.NO)
    meeting.starts_at += dt.timedelta(days=1)
    meeting.ends_at += dt.timedelta(days=1)
    send(services.meeting_save, meeting=meeting)
    # The update went to both: the "no" was given to the former date.
    assert sorted(m.to[0] for m in mail.outbox if m.subject.startswith("[Modifié]")) == [
        "p0@asso.fr",
        "p1@asso.fr",
    ]
    services.rsvp_record(invitation=meeting.invitations.get(contact=partners[1]), answer=Rsvp.NO)
    mail.outbox.clear()
    invite(meeting, partners[2])

    result = send(services.invitations_send, meeting=meeting)  # the button, after the move

    assert sorted(m.to[0] for m in mail.outbox) == ["p2@asso.fr"]
    assert result.queued == 1
    assert not Delivery.objects.filter(contact_id=partners[1].pk, revision=2).exists()
