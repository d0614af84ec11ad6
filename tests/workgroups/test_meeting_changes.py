"""Changes that mail every invitee go through a confirmation that says how many: cancelling a
meeting, moving it. A move asks everyone again (earlier answers no longer count), and the group's
rule always applies to the invitation list: one more person is added to it, never instead of it."""

from __future__ import annotations

import datetime as dt
import html
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from cls_platform.mail import outbox
from cls_platform.models import Delivery, DeliveryStatus
from partners.models import Contact
from tests.factories import ContactFactory
from workgroups import services
from workgroups.forms import PARIS
from workgroups.models import (
    Invitation,
    InvitationPolicy,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipKind,
    Rsvp,
)
from workgroups.services import meetings as meeting_services

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def cancel_url(meeting: Meeting) -> str:
    return f"{BASE}/reunions/{meeting.pk}/annuler/"


@pytest.fixture
def invited(meeting, partners, send):
    """The five partners invited (the group's rule), their invitation sent; then one more added
    whose invitation is still waiting for a worker, and one who unsubscribed since."""
    send(services.invitations_send, meeting=meeting)
    Contact.objects.filter(pk=partners[0].pk).update(unsubscribed_at=timezone.now())
    mail.outbox.clear()
    return meeting


# --- cancelling --------------------------------------------------------------------------------


def test_cancelling_asks_first_and_says_how_many_will_be_told(
    login_as, coordinator, invited, territory, django_capture_on_commit_callbacks
):
    late = ContactFactory(territory=territory, email="tard@asso.fr")
    with django_capture_on_commit_callbacks(execute=False):  # not sent yet: no CANCEL for them
        services.invitation_add(meeting=invited, contact=late)

    page = text(login_as(coordinator).get(cancel_url(invited)))

    # The four who got the invitation and can still be mailed (not the unsubscribed, not the
    # one whose invitation has not gone): the very count the sending uses.
    assert services.cancellation_recipients(invited).count() == 4
    assert "4 personnes ont reçu l'invitation : elles recevront l'annulation" in page
    assert "Confirmer l'annulation et prévenir 4 personnes" in page
    assert 'name="change_note"' in page and "Message aux invités (facultatif)" in page
    assert "Ne pas annuler, revenir à la réunion" in page
    invited.refresh_from_db()
    assert invited.status == MeetingStatus.PLANNED, "opening the page changes nothing"
    assert not Delivery.objects.filter(kind="cancellation").exists()


def test_confirming_cancels_and_mails_the_message_to_those_counted(
    login_as, coordinator, invited, send
):
    client = login_as(coordinator)
    note = "Reportée à cause de la grève des transports : une nouvelle date suivra."

    response = send(client.post, path=cancel_url(invited), data={"change_note": note}, follow=True)

    invited.refresh_from_db()
    assert invited.status == MeetingStatus.CANCELLED
    assert invited.change_note == note
    rows = Delivery.objects.filter(topic=invited.topic, kind="cancellation")
    assert rows.count() == 4
    assert set(rows.values_list("revision", flat=True)) == {invited.sequence}
    assert "Réunion annulée : 4 personnes reçoivent l'annulation" in text(response)
    cancels = [m for m in mail.outbox if m.subject.startswith("[Annulé]")]
    assert sorted(m.to[0] for m in cancels) == [f"p{n}@asso.fr" for n in range(1, 5)]
    for message in cancels:
        assert note in " ".join(message.body.split())


def test_a_meeting_already_held_cannot_be_cancelled_and_the_page_says_why(
    login_as, coordinator, meeting
):
    meeting.starts_at = timezone.now() - dt.timedelta(days=2)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()
    client = login_as(coordinator)

    page = text(client.get(cancel_url(meeting)))
    assert "Cette réunion a déjà eu lieu : elle ne peut plus être annulée." in page
    assert "Confirmer l'annulation" not in page
    response = client.post(cancel_url(meeting), follow=True)
    assert "ne peut plus être annulée" in text(response)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_viewers_and_other_groups_copilots_cannot_open_the_cancellation(
    login_as, viewer, copilot, meeting
):
    assert login_as(viewer).get(cancel_url(meeting)).status_code == 403
    assert login_as(copilot).get(cancel_url(meeting)).status_code == 403
    assert login_as(copilot).post(cancel_url(meeting)).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def invitations_queued(meeting, send, capture) -> list[Delivery]:
    """The invitations written to the outbox, no worker having taken them yet."""
    with capture(execute=False):
        services.invitations_send(meeting=meeting)
    return list(Delivery.objects.filter(topic=meeting.topic, kind="invitation").order_by("pk"))


def test_an_invitation_being_sent_when_the_meeting_is_cancelled_gets_the_cancel(
    meeting, partners, send, django_capture_on_commit_callbacks
):
    """A worker was sending p0's invitation at the moment of the cancellation: it arrives
    a moment later, and so must the CANCEL, or the meeting stays in p0's calendar."""
    rows = invitations_queued(meeting, send, django_capture_on_commit_callbacks)
    in_flight = rows[0]
    assert outbox.claim(in_flight.pk)  # "sending": the worker has it
    for row in rows[1:]:
        outbox.deliver(row.pk)  # the four others reached their calendars
    mail.outbox.clear()

    send(services.meeting_cancel, meeting=meeting)
    # The worker finishes: the invitation went, composed before the cancellation.
    Delivery.objects.filter(pk=in_flight.pk).update(status=DeliveryStatus.SENT)

    cancels = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("[Annulé]"))
    assert cancels == [f"p{n}@asso.fr" for n in range(5)]
    assert in_flight.to_email in cancels


def test_an_invitation_still_queued_at_the_cancellation_is_not_sent_nor_cancelled(
    meeting, partners, send, django_capture_on_commit_callbacks
):
    rows = invitations_queued(meeting, send, django_capture_on_commit_callbacks)
    waiting = rows[0]
    for row in rows[1:]:
        outbox.deliver(row.pk)
    mail.outbox.clear()

    send(services.meeting_cancel, meeting=meeting)
    assert outbox.deliver(waiting.pk) == DeliveryStatus.SKIPPED  # its worker comes after

    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.SKIPPED
    assert "annulée" in waiting.last_error
    received = sorted(m.to[0] for m in mail.outbox)
    assert waiting.to_email not in received, "neither the invitation nor a CANCEL"
    assert received == [f"p{n}@asso.fr" for n in range(1, 5)]
    assert all(m.subject.startswith("[Annulé]") for m in mail.outbox)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_cannot_send_an_invitation_while_the_meeting_is_being_cancelled(
    meeting, partners, send, django_capture_on_commit_callbacks, monkeypatch
):
    """Two transactions on PostgreSQL. The cancellation has read who got the invitation (p0's
    row was still queued: not them) and is writing the CANCELs; a worker takes p0's row just
    then. It waits for the cancellation, then finds the meeting cancelled and sends nothing:
    p0 never has the meeting in their calendar, rather than keeping it for ever."""
    monkeypatch.setattr(outbox, "dispatch", lambda ids: 0)  # no broker: rows sent by hand
    rows = invitations_queued(meeting, send, django_capture_on_commit_callbacks)
    waiting = rows[0]
    for row in rows[1:]:
        outbox.deliver(row.pk)
    mail.outbox.clear()
    writing, release = threading.Event(), threading.Event()
    enqueue = meeting_services.enqueue
    outcome: dict[str, object] = {}

    def slow_enqueue(*args, **kwargs):
        result = enqueue(*args, **kwargs)
        writing.set()
        release.wait(10)
        return result

    monkeypatch.setattr(meeting_services, "enqueue", slow_enqueue)

    def cancelling() -> None:
        try:
            services.meeting_cancel(meeting=meeting)
        finally:
            connection.close()

    def worker() -> None:
        try:
            outcome["state"] = outbox.deliver(waiting.pk)
        finally:
            connection.close()

    canceller = threading.Thread(target=cancelling)
    canceller.start()
    assert writing.wait(10)
    sender = threading.Thread(target=worker)
    sender.start()
    sender.join(1.0)
    assert sender.is_alive(), "the worker waits for the cancellation"
    release.set()
    canceller.join(10)
    sender.join(10)

    assert outcome["state"] == DeliveryStatus.SKIPPED
    assert waiting.to_email not in [m.to[0] for m in mail.outbox]
    cancelled = Delivery.objects.filter(topic=meeting.topic, kind="cancellation")
    assert sorted(cancelled.values_list("to_email", flat=True)) == [
        f"p{n}@asso.fr" for n in range(1, 5)
    ]


def test_the_meeting_page_links_to_the_confirmation_not_a_button_that_cancels(
    login_as, coordinator, meeting
):
    page = login_as(coordinator).get(f"{BASE}/reunions/{meeting.pk}/").content.decode()
    assert f'href="{cancel_url(meeting)}"' in page
    assert f'action="{cancel_url(meeting)}"' not in page


# --- moving ------------------------------------------------------------------------------------


def opened_form(client, meeting: Meeting) -> dict[str, str]:
    """What the edit form posts when nothing is changed, initial values included."""
    form = client.get(f"{BASE}/reunions/{meeting.pk}/modifier/").context["form"]
    data = {"odj-TOTAL_FORMS": "0", "odj-INITIAL_FORMS": "0"}
    for field in form:
        value = field.value()
        data[field.html_name] = data[field.html_initial_name] = "" if value is None else value
    data["day"] = data["initial-day"] = form["day"].value().isoformat()
    for name in ("start", "end"):
        data[name] = data[f"initial-{name}"] = form[name].value().strftime("%H:%M")
    return data


def test_moving_an_invited_meeting_shows_how_many_first_and_keeps_what_was_typed(
    login_as, coordinator, invited, partners
):
    services.rsvp_record(invitation=invited.invitations.get(contact=partners[1]), answer=Rsvp.NO)
    client = login_as(coordinator)
    data = opened_form(client, invited)
    later = (invited.starts_at + dt.timedelta(days=7)).astimezone(PARIS).date().isoformat()
    data.update(day=later, place="Salle des fêtes", title="Printemps (reportée)")

    response = client.post(f"{BASE}/reunions/{invited.pk}/modifier/", data)

    page = text(response)
    assert response.status_code == 200
    assert (
        "4 personnes recevront l'invitation mise à jour ; leurs réponses seront remises à zéro"
        in page
    )
    assert "Déplacer la réunion et prévenir 4 personnes" in page
    raw = response.content.decode()
    # Everything typed travels again, the values the form was opened with as they were posted.
    assert f'name="day" value="{later}"' in raw
    assert f'name="initial-day" value="{data["initial-day"]}"' in raw
    assert 'name="place" value="Salle des fêtes"' in raw
    assert 'name="initial-place" value="Maison de quartier"' in raw
    invited.refresh_from_db()
    assert invited.place == "Maison de quartier" and invited.sequence == 0, "nothing saved yet"
    assert not Delivery.objects.filter(revision=1).exists()
    assert invited.invitations.get(contact=partners[1]).rsvp == Rsvp.NO


def test_confirming_the_move_sends_the_update_with_its_message_and_resets_the_answers(
    login_as, coordinator, invited, partners, send
):
    for n, answer in ((1, Rsvp.NO), (2, Rsvp.YES)):
        services.rsvp_record(invitation=invited.invitations.get(contact=partners[n]), answer=answer)
    client = login_as(coordinator)
    data = opened_form(client, invited)
    data.update(place="Salle des fêtes")
    confirmation = client.post(f"{BASE}/reunions/{invited.pk}/modifier/", data)
    # The confirmation page's form, as the browser sends it back.
    carried = dict(
        re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirmation.content.decode()
        )
    )
    carried = {k: html.unescape(v) for k, v in carried.items() if k != "csrfmiddlewaretoken"}
    carried.update(confirm="1", change_note="La salle a changé : salle des fêtes, 1er étage.")

    response = send(
        client.post, path=f"{BASE}/reunions/{invited.pk}/modifier/", data=carried, follow=True
    )

    assert "Réunion déplacée : 4 personnes reçoivent l'invitation mise à jour." in text(response)
    invited.refresh_from_db()
    assert (invited.place, invited.sequence) == ("Salle des fêtes", 1)
    assert invited.change_note == "La salle a changé : salle des fêtes, 1er étage."
    answers = set(invited.invitations.values_list("rsvp", "rsvp_at"))
    assert answers == {(Rsvp.PENDING, None)}, "answers to the former date no longer count"
    updates = [m for m in mail.outbox if m.subject.startswith("[Modifié]")]
    # Those who had declined get it too: the new date may suit them.
    assert sorted(m.to[0] for m in updates) == [f"p{n}@asso.fr" for n in range(1, 5)]
    assert all("La salle a changé" in " ".join(m.body.split()) for m in updates)
    assert Delivery.objects.filter(kind="invitation", revision=1).count() == 4


def test_a_move_without_a_message_clears_the_previous_one(meeting, partners, send):
    send(services.invitations_send, meeting=meeting)
    meeting.place = "Salle des fêtes"
    send(services.meeting_save, meeting=meeting, note="La salle a changé.")
    meeting.refresh_from_db()
    assert meeting.change_note == "La salle a changé."
    meeting.starts_at += dt.timedelta(days=1)
    meeting.ends_at += dt.timedelta(days=1)
    send(services.meeting_save, meeting=meeting)
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.change_note) == (2, "")


def test_a_change_that_does_not_move_the_meeting_saves_at_once_without_mail(
    login_as, coordinator, invited, partners, send
):
    services.rsvp_record(invitation=invited.invitations.get(contact=partners[2]), answer=Rsvp.YES)
    client = login_as(coordinator)
    data = opened_form(client, invited)
    data.update(title="Printemps : santé mentale des jeunes", description="Venez nombreux.")

    response = send(
        client.post, path=f"{BASE}/reunions/{invited.pk}/modifier/", data=data, follow=True
    )

    assert "Réunion enregistrée." in text(response)
    invited.refresh_from_db()
    assert (invited.title, invited.sequence) == ("Printemps : santé mentale des jeunes", 0)
    assert mail.outbox == []
    assert invited.invitations.get(contact=partners[2]).rsvp == Rsvp.YES


def test_back_to_the_form_from_the_confirmation_keeps_the_values_typed(
    login_as, coordinator, invited
):
    client = login_as(coordinator)
    data = opened_form(client, invited)
    data.update(place="Salle des fêtes", back="1")

    response = client.post(f"{BASE}/reunions/{invited.pk}/modifier/", data)

    assert response.status_code == 200
    assert response.context["form"]["place"].value() == "Salle des fêtes"
    invited.refresh_from_db()
    assert invited.place == "Maison de quartier"


# --- the invitation list: the group's rule, plus one more ----------------------------------


def test_one_more_invitee_is_added_to_the_rule_never_instead_of_it(
    login_as, coordinator, meeting, partners, territory, send
):
    """Cergy's mistake: "Inviter une personne de plus" before preparing the list made a list
    of one, and the invitations went to 2 people instead of 198."""
    group = meeting.group
    group.invitation_policy = InvitationPolicy.MEMBERS
    group.save()
    for contact in partners[:3]:
        Membership.objects.create(group=group, contact=contact, kind=MembershipKind.MEMBER)
    client = login_as(coordinator)
    page = text(client.get(f"{BASE}/reunions/{meeting.pk}/"))
    assert "Préparer la liste : 3 personnes selon la règle du groupe" in page

    client.post(
        f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/", {"contact_id": partners[4].pk}
    )
    confirmation = text(client.get(f"{BASE}/reunions/{meeting.pk}/invitations/envoyer/"))
    result = send(services.invitations_send, meeting=meeting)

    assert "4 personnes recevront l'invitation" in confirmation
    assert result.queued == 1 + 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "p0@asso.fr",
        "p1@asso.fr",
        "p2@asso.fr",
        "p4@asso.fr",
    ]
    meeting.refresh_from_db()
    assert meeting.invitees_prepared_at is not None


def test_the_list_shown_after_adding_one_person_holds_the_rule_s_people_too(
    login_as, coordinator, meeting, partners
):
    """Before any sending: the coordinator adds one person to a list never prepared, and reads
    the list to check it. It is the group's rule plus that person, not a list of one."""
    group = meeting.group
    group.invitation_policy = InvitationPolicy.MEMBERS
    group.save()
    for contact in partners[:3]:
        Membership.objects.create(group=group, contact=contact, kind=MembershipKind.MEMBER)
    client = login_as(coordinator)

    client.post(
        f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/", {"contact_id": partners[4].pk}
    )
    response = client.get(f"{BASE}/reunions/{meeting.pk}/")

    assert "4 invités" in text(response)
    assert sorted(row.name for row in response.context["rows"]) == [
        f"P{n} {partners[n].last_name}" for n in (0, 1, 2, 4)
    ]
    assert "Préparer la liste" not in text(response)
    meeting.refresh_from_db()
    assert meeting.invitees_prepared_at is not None
    assert meeting.invitations_sent_at is None
    assert not Delivery.objects.filter(topic=meeting.topic).exists()


def test_sending_prepares_the_list_first_even_when_rows_exist(meeting, partners, send):
    """A walk-in or a hand-made row is no prepared list: the rule still applies."""
    Invitation.objects.create(meeting=meeting, contact=partners[0])
    result = send(services.invitations_send, meeting=meeting)
    assert result.queued == 5
    assert meeting.invitations.count() == 5


def test_the_prepare_button_shows_whenever_the_list_was_not_prepared(
    login_as, coordinator, meeting, partners
):
    Invitation.objects.create(meeting=meeting, contact=partners[0])
    client = login_as(coordinator)
    page = text(client.get(f"{BASE}/reunions/{meeting.pk}/"))
    # The rule's people not on the list yet.
    assert "Préparer la liste : 4 personnes selon la règle du groupe" in page

    response = client.post(f"{BASE}/reunions/{meeting.pk}/invitations/preparer/", follow=True)

    page = text(response)
    assert "4 personnes ajoutées à la liste des invités, selon la règle du groupe." in page
    assert "Préparer la liste" not in page
    assert meeting.invitations.count() == 5


def test_those_who_declined_the_current_date_are_not_invited_again(meeting, partners, send):
    send(services.invitations_send, meeting=meeting)
    services.rsvp_record(invitation=meeting.invitations.get(contact=partners[0]), answer=Rsvp.NO)
    Delivery.objects.filter(contact_id=partners[0].pk).update(status=DeliveryStatus.SKIPPED)
    mail.outbox.clear()

    again = send(services.invitations_send, meeting=meeting)

    assert again.queued == 0
    assert mail.outbox == []
