"""Meetings as coordinators run them: invite, answer, attend, report, send (tasks eager, mail in
memory; the real worker and SMTP server are exercised in test_delivery.py)."""

from __future__ import annotations

import datetime as dt
import email
import html
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from icalendar import Calendar

from cls_platform.models import Delivery, DeliveryStatus
from partners.models import Contact, ContactSource
from tests.factories import (
    ContactFactory,
    FicheActionFactory,
    MeetingFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries
from workgroups import services
from workgroups.forms import PARIS
from workgroups.models import (
    Attendance,
    Invitation,
    InvitationPolicy,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipKind,
    Rsvp,
)

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def started(meeting: Meeting, hours: int = 3) -> Meeting:
    """The meeting began `hours` ago: its compte-rendu and attendance can be recorded."""
    meeting.starts_at = timezone.now() - dt.timedelta(hours=hours)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()
    return meeting


def test_all_partners_policy_invites_every_reachable_partner(meeting, partners, territory):
    left = ContactFactory(territory=territory, left_at=timezone.localdate(), is_active=False)
    bounced = ContactFactory(territory=territory, bounced_at=timezone.now())
    unsubscribed = ContactFactory(territory=territory, unsubscribed_at=timezone.now())
    no_invites = ContactFactory(territory=territory, receives_invitations=False)
    opted_out_here = ContactFactory(territory=territory)
    Membership.objects.create(group=meeting.group, contact=opted_out_here, invitations=False)
    ContactFactory()  # another territory
    invited = set(services.default_invitees(meeting))
    assert invited == set(partners)
    assert not invited & {left, bounced, unsubscribed, no_invites, opted_out_here}


def test_members_policy_invites_members_and_pilots_only(meeting, partners):
    group = meeting.group
    group.invitation_policy = InvitationPolicy.MEMBERS
    group.save()
    Membership.objects.create(group=group, contact=partners[0])
    Membership.objects.create(group=group, contact=partners[1], kind=MembershipKind.SUBSCRIBER)
    group.pilots.add(partners[2])
    assert set(services.default_invitees(meeting)) == {partners[0], partners[2]}


def test_invitation_email_is_a_calendar_invitation_with_answer_links(
    meeting, partners, send, coordinator
):
    result = send(services.invitations_send, meeting=meeting)
    assert result.queued == 5
    assert len(mail.outbox) == 5
    message = next(m for m in mail.outbox if m.to == ["p0@asso.fr"])
    assert message.subject.startswith("Invitation : GT Santé mentale")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"].startswith("<delivery-")
    parsed = email.message_from_bytes(message.message().as_bytes())
    types = [part.get_content_type() for part in parsed.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(types)
    # The invitation is also a file, for the clients that only offer to open attachments.
    assert "invitation.ics" in [part.get_filename() for part in parsed.walk()]
    calendar_part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    event = Calendar.from_ical(calendar_part.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(meeting.calendar_uid) in str(event["UID"])
    assert str(event["ORGANIZER"]) == f"mailto:{coordinator.user.email}", "replies reach a person"
    assert str(event["ATTENDEE"]) == "mailto:p0@asso.fr"
    assert "/reunion/" in message.body and "/oui/" in message.body and "/non/" in message.body
    assert (
        Delivery.objects.filter(
            topic=meeting.topic, kind="invitation", status=DeliveryStatus.SENT
        ).count()
        == 5
    )
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is not None


def test_sending_twice_sends_nothing_new_and_the_command_says_so(meeting, partners, send):
    send(services.invitations_send, meeting=meeting)
    out = io.StringIO()
    call_command("send_invitations", meeting.pk, stdout=out)
    assert "0 envoi(s) mis en file, 5 déjà servi(s) ignoré(s)" in out.getvalue()
    assert len(mail.outbox) == 5


def test_inviting_to_a_meeting_that_is_over_is_refused(meeting, partners, login_as, coordinator):
    meeting.starts_at = timezone.now() - dt.timedelta(days=2)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()
    with pytest.raises(CommandError, match="terminée"):
        call_command("send_invitations", meeting.pk, stdout=io.StringIO())
    page = (
        login_as(coordinator)
        .get(f"{BASE}/reunions/{meeting.pk}/invitations/envoyer/")
        .content.decode()
    )
    assert "Cette réunion est terminée" in page
    assert not mail.outbox


def test_rescheduling_resends_with_the_same_uid_and_a_higher_sequence(meeting, partners, send):
    send(services.invitations_send, meeting=meeting)
    invitation = meeting.invitations.get(contact=partners[4])
    services.rsvp_record(invitation=invitation, answer=Rsvp.NO)
    mail.outbox.clear()
    meeting.starts_at += dt.timedelta(days=1)
    meeting.ends_at += dt.timedelta(days=1)
    send(services.meeting_save, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert len(mail.outbox) == 5, "those who declined the former date are asked again"
    invitation.refresh_from_db()
    assert (invitation.rsvp, invitation.rsvp_at) == (Rsvp.PENDING, None)
    message = mail.outbox[0]
    assert message.subject.startswith("[Modifié]")
    ics = next(
        content
        for content, mimetype in message.alternatives
        if mimetype.startswith("text/calendar")
    )
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1 and str(meeting.calendar_uid) in str(event["UID"])


def test_cancelling_sends_a_cancel_to_every_invitee(meeting, partners, send):
    send(services.invitations_send, meeting=meeting)
    mail.outbox.clear()
    send(services.meeting_cancel, meeting=meeting)
    assert len(mail.outbox) == 5
    assert mail.outbox[0].subject.startswith("[Annulé]")
    ics = next(
        content for content, mimetype in mail.outbox[0].alternatives if "calendar" in mimetype
    )
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics


def test_reminders_go_once_to_those_who_did_not_decline(meeting, partners, send):
    meeting.starts_at = timezone.now() + dt.timedelta(days=2)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()
    send(services.invitations_send, meeting=meeting)
    services.rsvp_record(invitation=meeting.invitations.get(contact=partners[0]), answer=Rsvp.NO)
    mail.outbox.clear()
    from workgroups.tasks import send_due_reminders

    with_callbacks = send(lambda: send_due_reminders())
    assert with_callbacks == 4
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@asso.fr" for n in range(1, 5)]
    assert all(m.subject.startswith("Rappel") for m in mail.outbox)
    assert send(lambda: send_due_reminders()) == 0


def test_attendance_and_walk_in_grow_the_directory(login_as, coordinator, meeting, partners):
    for contact in partners[:3]:
        Invitation.objects.create(meeting=meeting, contact=contact)
    meeting.starts_at = timezone.now() - dt.timedelta(hours=3)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()
    invitations = list(meeting.invitations.order_by("contact__email"))
    client = login_as(coordinator)
    client.post(
        f"{BASE}/reunions/{meeting.pk}/presences/",
        {f"presence-{invitations[0].pk}": "present", f"presence-{invitations[1].pk}": "excused"},
    )
    client.post(
        f"{BASE}/reunions/{meeting.pk}/presences/nouvelle-personne/",
        {"first_name": "Léa", "last_name": "Nouvelle", "email": "Lea@Nouvelle.fr"},
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    walk_in = Contact.objects.get(email="lea@nouvelle.fr")
    assert walk_in.source == ContactSource.WALK_IN
    assert "GT Santé mentale" in walk_in.source_detail
    statuses = dict(meeting.invitations.values_list("contact__email", "attendance"))
    assert statuses == {
        "p0@asso.fr": "present",
        "p1@asso.fr": "excused",
        "p2@asso.fr": "unknown",
        "lea@nouvelle.fr": "present",
    }
    page = client.get(f"{BASE}/reunions/{meeting.pk}/").content.decode()
    assert "2 présents" in page


def test_report_is_sanitised_and_updates_the_fiches_discussed(login_as, coordinator, meeting):
    started(meeting)
    fiche = FicheActionFactory(
        contract=meeting.group.contract, title="Premiers secours en santé mentale"
    )
    login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/compte-rendu/",
        {
            "report": '<p onclick="vol()" style="color:red">Tour de table</p><script>alert(1)</script><a href="javascript:x()">lien</a>',
            "fiches": [fiche.pk],
        },
    )
    meeting.refresh_from_db()
    assert "Tour de table" in meeting.report
    for bad in ("onclick", "style", "<script", "javascript:", "alert"):
        assert bad not in meeting.report
    assert fiche.updates.get().text.startswith("Discutée en réunion : GT Santé mentale")
    assert fiche.meeting_links.get().meeting == meeting


def test_plain_text_report_becomes_paragraphs_and_lists(meeting):
    started(meeting)
    services.report_save(
        meeting=meeting,
        html="## Tour de table\n\nPrésentation du CMP.\n\n- Former les animateurs\n- Relancer la CPAM",
    )
    assert (
        meeting.report
        == "<h3>Tour de table</h3>\n<p>Présentation du CMP.</p>\n<ul><li>Former les animateurs</li><li>Relancer la CPAM</li></ul>"
    )


def test_report_reaches_invitees_and_subscribers_once_with_its_pdf(
    meeting, partners, territory, send
):
    started(meeting)
    for contact in partners[:3]:
        Invitation.objects.create(meeting=meeting, contact=contact)
    subscriber = ContactFactory(territory=territory, email="abonne@cpam.fr")
    Membership.objects.create(
        group=meeting.group, contact=subscriber, kind=MembershipKind.SUBSCRIBER
    )
    Membership.objects.create(
        group=meeting.group, contact=partners[0], kind=MembershipKind.SUBSCRIBER
    )  # twice: once
    Membership.objects.create(
        group=meeting.group, contact=partners[1], reports=False
    )  # opted out here
    Invitation.objects.create(
        meeting=meeting, contact=ContactFactory(territory=territory, unsubscribed_at=timezone.now())
    )
    services.report_save(meeting=meeting, html="Compte-rendu du groupe.")
    result = send(services.report_send, meeting=meeting)
    assert result.queued == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["abonne@cpam.fr", "p0@asso.fr", "p2@asso.fr"]
    message = mail.outbox[0]
    assert message.subject.startswith("Compte-rendu : GT Santé mentale")
    name, content, _mimetype = next(a for a in message.attachments if a[2] == "application/pdf")
    assert content.startswith(b"%PDF") and name.startswith("compte-rendu-")
    assert "Compte-rendu du groupe." in message.body
    out = io.StringIO()
    call_command("send_report", meeting.pk, stdout=out)
    assert "0 envoi(s) mis en file, 3 déjà servi(s)" in out.getvalue()
    assert len(mail.outbox) == 3


def test_report_cannot_be_sent_empty_nor_edited_once_sent(meeting, login_as, coordinator, send):
    started(meeting)
    with pytest.raises(Exception, match="Écrivez le compte-rendu"):
        services.report_send(meeting=meeting)
    services.report_save(meeting=meeting, html="Texte.")
    send(services.report_send, meeting=meeting)
    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/compte-rendu/", {"report": "Autre"}
    )
    assert "déjà envoyé" in response.content.decode()


def test_shared_documents_are_checked_and_travel_with_the_report(
    login_as, coordinator, meeting, partners, send
):
    client = login_as(coordinator)
    response = client.post(
        f"{BASE}/reunions/{meeting.pk}/documents/",
        {"file": SimpleUploadedFile("virus.exe", b"MZ")},
        follow=True,
    )
    assert "Type de fichier refusé" in response.content.decode()
    response = client.post(
        f"{BASE}/reunions/{meeting.pk}/documents/",
        {"file": SimpleUploadedFile("faux.pdf", b"GIF89a")},
        follow=True,
    )
    assert "ne ressemble pas à un PDF" in response.content.decode()
    client.post(
        f"{BASE}/reunions/{meeting.pk}/documents/",
        {"title": "Présentation du CMP", "file": SimpleUploadedFile("cmp.pdf", b"%PDF-1.4 diapos")},
    )
    Invitation.objects.create(meeting=meeting, contact=partners[0])
    started(meeting)
    services.report_save(meeting=meeting, html="Texte.")
    send(services.report_send, meeting=meeting)
    (message,) = mail.outbox
    names = [a[0] for a in message.attachments]
    assert "cmp.pdf" in names
    assert "Présentation du CMP" in message.body and "/reunion/document/" in message.body


def test_copilot_runs_their_group_only_and_viewer_changes_nothing(
    login_as, copilot, viewer, meeting, territory
):
    person = ContactFactory(territory=territory, user=copilot.user)
    meeting.group.pilots.add(person)
    other = MeetingFactory(group=WorkGroupFactory(contract=meeting.group.contract))
    client = login_as(copilot)
    assert client.post(f"{BASE}/reunions/{meeting.pk}/invitations/preparer/").status_code == 302
    assert client.post(f"{BASE}/reunions/{other.pk}/invitations/preparer/").status_code == 403
    assert client.get(f"{BASE}/groupes/nouveau/").status_code == 403
    viewer_client = login_as(viewer)
    assert viewer_client.post(f"{BASE}/reunions/{meeting.pk}/annuler/").status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_group_page_warns_when_a_copilot_left_or_the_group_is_behind(
    login_as, coordinator, group, territory
):
    gone = ContactFactory(
        territory=territory,
        first_name="Paul",
        last_name="Parti",
        left_at=timezone.localdate(),
        is_active=False,
    )
    group.pilots.add(gone)
    group.target_meetings_per_year = 3
    group.save()
    MeetingFactory(
        group=group, starts_at=timezone.now() - dt.timedelta(days=40), status=MeetingStatus.HELD
    )
    page = html.unescape(login_as(coordinator).get(f"{BASE}/groupes/{group.pk}/").content.decode())
    assert "Poste de pilote vacant : Paul Parti" in page
    assert "personne ne lui a succédé." in page
    # Plural forms, not "(s)": one meeting held is "1 réunion tenue".
    assert "1 réunion tenue sur les douze derniers mois, pour 3 visées." in page
    assert "(s)" not in page
    listed = html.unescape(login_as(coordinator).get(f"{BASE}/groupes/").content.decode())
    assert "Poste de pilote vacant : Paul Parti" in listed


@pytest.mark.parametrize("page", ["LIST", "GROUP", "MEETING"])
def test_group_and_meeting_pages_keep_a_constant_query_count(
    login_as, coordinator, group, meeting, territory, page, send
):
    url = {
        "LIST": f"{BASE}/groupes/",
        "GROUP": f"{BASE}/groupes/{group.pk}/",
        "MEETING": f"{BASE}/reunions/{meeting.pk}/",
    }[page]

    def more() -> None:
        for _ in range(6):
            contact = ContactFactory(territory=territory)
            Invitation.objects.create(
                meeting=meeting, contact=contact, attendance=Attendance.PRESENT
            )
            Membership.objects.create(group=group, contact=contact)
            group.pilots.add(contact)
            past = MeetingFactory(
                group=group,
                starts_at=timezone.now() - dt.timedelta(days=30),
                status=MeetingStatus.HELD,
            )
            Invitation.objects.create(meeting=past, contact=contact, attendance=Attendance.PRESENT)
            WorkGroupFactory(contract=group.contract)
        send(services.invitations_send, meeting=meeting)

    more()
    assert_constant_queries(login_as(coordinator), url, more, at_most=25)


def test_group_list_counts_meetings_held_not_members_times_meetings(
    login_as, coordinator, group, territory
):
    group.target_meetings_per_year = 2
    group.save()
    for _ in range(3):
        Membership.objects.create(group=group, contact=ContactFactory(territory=territory))
    MeetingFactory(
        group=group, starts_at=timezone.now() - dt.timedelta(days=40), status=MeetingStatus.HELD
    )
    response = login_as(coordinator).get(f"{BASE}/groupes/")
    (listed,) = response.context["groups"]
    assert listed.health.held_last_year == 1
    assert "1 / 2" in response.content.decode()


def test_the_invitation_says_the_answer_counts_through_its_links(meeting, partners, send):
    send(services.invitations_send, meeting=meeting)
    message = mail.outbox[0]
    html_part = dict((m, c) for c, m in message.alternatives)["text/html"]
    for text in (message.body, html_part):
        assert "Votre réponse compte quand vous passez par" in " ".join(text.split())
        assert "envoie seulement un e-mail à la coordination" in " ".join(text.split())


def test_the_organizer_is_fixed_at_the_first_sending(
    meeting, partners, send, coordinator, territory
):
    """Calendars match an update or a cancel to its event by UID and organizer: the coordinator
    who sent first stays the organizer, even once another one comes first in the list."""
    send(services.invitations_send, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.organizer_email == coordinator.user.email
    from tests.factories import AccessFactory

    AccessFactory(territory=territory, role="coordinator", user__email="nouvelle@cergy.fr")
    coordinator.user.is_active = False
    coordinator.user.save()
    mail.outbox.clear()

    meeting.starts_at += dt.timedelta(days=1)
    meeting.ends_at += dt.timedelta(days=1)
    send(services.meeting_save, meeting=meeting)
    send(services.meeting_cancel, meeting=meeting)

    for message in mail.outbox:
        ics = next(c for c, m in message.alternatives if m.startswith("text/calendar"))
        event = Calendar.from_ical(ics).walk("VEVENT")[0]
        assert str(event["ORGANIZER"]) == "mailto:coordinatrice@cergy.fr"
    assert {m.subject[:9] for m in mail.outbox} == {"[Modifié]", "[Annulé] "}


def test_the_person_who_sends_the_invitations_organises_the_meeting(
    login_as, copilot, meeting, partners, territory, send
):
    person = ContactFactory(territory=territory, user=copilot.user)
    meeting.group.pilots.add(person)
    send(
        login_as(copilot).post,
        path=f"{BASE}/reunions/{meeting.pk}/invitations/envoyer/",
    )
    meeting.refresh_from_db()
    assert meeting.organizer_email == "copilote@cergy.fr"


def test_saving_a_stale_copy_of_the_meeting_keeps_what_happened_since(meeting, partners, send):
    """The edit page was opened before the invitations went: saving it must not erase that
    they went, and moving the meeting must still re-send."""
    stale = Meeting.objects.get(pk=meeting.pk)
    send(services.invitations_send, meeting=meeting)
    mail.outbox.clear()

    stale.title = "Printemps (salle changée)"
    stale.place = "Salle des fêtes"
    send(services.meeting_save, meeting=stale)

    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is not None
    assert (meeting.title, meeting.place, meeting.sequence) == (
        "Printemps (salle changée)",
        "Salle des fêtes",
        1,
    )
    assert len(mail.outbox) == 5 and all(m.subject.startswith("[Modifié]") for m in mail.outbox)


def test_two_moves_of_the_same_meeting_get_two_sequences(meeting, partners, send):
    send(services.invitations_send, meeting=meeting)
    first, second = Meeting.objects.get(pk=meeting.pk), Meeting.objects.get(pk=meeting.pk)
    first.starts_at += dt.timedelta(days=1)
    first.ends_at += dt.timedelta(days=1)
    second.place = "Salle des fêtes"

    # What each form changed (MeetingForm.changed_fields), saved one after the other.
    send(services.meeting_save, meeting=first, fields=["starts_at", "ends_at"])
    send(services.meeting_save, meeting=second, fields=["place"])

    meeting.refresh_from_db()
    assert meeting.sequence == 2
    assert meeting.place == "Salle des fêtes"
    assert meeting.starts_at == first.starts_at  # the second save did not undo the first move
    revisions = Delivery.objects.filter(kind="invitation").values_list("revision", flat=True)
    assert sorted(set(revisions)) == [0, 1, 2]


def test_the_confirmation_page_counts_what_the_sending_will_queue(
    login_as, coordinator, meeting, partners, territory, send
):
    for contact in partners[:3]:
        Invitation.objects.create(meeting=meeting, contact=contact)
    no_invitations = ContactFactory(territory=territory, receives_invitations=False)
    Invitation.objects.create(meeting=meeting, contact=no_invitations)
    Meeting.objects.filter(pk=meeting.pk).update(invitees_prepared_at=timezone.now())  # by hand
    client = login_as(coordinator)
    url = f"{BASE}/reunions/{meeting.pk}/invitations/envoyer/"

    assert "3 personnes recevront l'invitation" in html.unescape(client.get(url).content.decode())
    result = send(services.invitations_send, meeting=meeting)
    assert (result.queued, result.skipped) == (3, 0)

    Invitation.objects.create(meeting=meeting, contact=partners[3])
    page = html.unescape(client.get(url).content.decode())
    assert "1 personne recevra l'invitation" in page
    assert "3 personnes l'ont déjà reçue" in page
    response = send(client.post, path=url, follow=True)
    assert "1 invitation en cours d'envoi ; 3 déjà envoyées avant." in html.unescape(
        response.content.decode()
    )


def test_two_coordinators_editing_the_same_meeting_keep_each_other_s_change(
    login_as, coordinator, meeting, partners, send
):
    """Both opened the form; one moves the meeting, then the other fixes the place: the
    meeting is moved and in its new place, and each change sent its own update."""
    send(services.invitations_send, meeting=meeting)
    client = login_as(coordinator)
    url = f"{BASE}/reunions/{meeting.pk}/modifier/"
    page = client.get(url)
    form = page.context["form"]
    opened = {}
    for field in form:
        value = field.value()
        value = "" if value is None else value
        opened[field.html_name] = value
        opened[field.html_initial_name] = value
    opened.update({"odj-TOTAL_FORMS": "0", "odj-INITIAL_FORMS": "0"})
    opened["day"] = opened["initial-day"] = form["day"].value().isoformat()
    for name in ("start", "end"):
        opened[name] = opened[f"initial-{name}"] = form[name].value().strftime("%H:%M")

    later = (meeting.starts_at + dt.timedelta(days=7)).astimezone(PARIS).date().isoformat()
    # Both are moves of an invited meeting: each confirmed on its confirmation page.
    send(client.post, path=url, data={**opened, "day": later, "confirm": "1"})
    send(client.post, path=url, data={**opened, "place": "Salle des fêtes", "confirm": "1"})

    meeting.refresh_from_db()
    assert meeting.starts_at.astimezone(PARIS).date().isoformat() == later
    assert meeting.place == "Salle des fêtes"
    assert meeting.sequence == 2
