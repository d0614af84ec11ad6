"""Odd input on the meeting pages answers like any mistake, never with a 500: a forged id in a
button's value, a field name that is almost a number, a NUL byte typed into a picker (PostgreSQL
refuses NUL in a query), a filter of 300 characters."""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import ContactFactory, OrganizationFactory
from workgroups import services
from workgroups.models import Attendance, Invitation, Meeting, Membership, MembershipKind, Rsvp

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"
NUL_REFUSED = "Le caractère nul n’est pas autorisé."


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def started(meeting: Meeting) -> Meeting:
    meeting.starts_at = timezone.now() - dt.timedelta(hours=1)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()
    return meeting


@pytest.mark.parametrize("forged", ["abc", "²", "-1", "", "99999999999999999999"])
def test_removing_an_invitee_with_a_forged_id_is_not_found(
    login_as, coordinator, meeting, partners, forged
):
    services.invitations_prepare(meeting=meeting)

    response = login_as(coordinator).post(
        f"{BASE}/invitations/{meeting.pk}/retirer/", {"invitation": forged}
    )

    assert response.status_code == 404
    assert meeting.invitations.count() == len(partners)


@pytest.mark.parametrize("forged", ["abc", "²", "99999999999999999999"])
def test_removing_a_member_with_a_forged_id_is_not_found(
    login_as, coordinator, group, partners, forged
):
    Membership.objects.create(group=group, contact=partners[0], kind=MembershipKind.MEMBER)

    response = login_as(coordinator).post(f"{BASE}/groupes/{group.pk}/membres/", {"remove": forged})

    assert response.status_code == 404
    assert group.memberships.filter(contact=partners[0]).exists()


def test_attendance_fields_that_are_not_plain_numbers_are_ignored(
    login_as, coordinator, meeting, partners
):
    started(meeting)
    invitation = Invitation.objects.create(meeting=meeting, contact=partners[0], rsvp=Rsvp.YES)

    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/presences/",
        {
            "presence-²": Attendance.PRESENT,
            "presence-99999999999999999999": Attendance.PRESENT,
            f"presence-{invitation.pk}": Attendance.PRESENT,
            "q": "x" * 5000,
        },
    )

    assert response.status_code == 302
    # Back to the filtered list, with the filter cut to what the page reads.
    assert response["Location"].endswith("?q=" + "x" * 100 + "#filtre-invites")
    invitation.refresh_from_db()
    assert invitation.attendance == Attendance.PRESENT


def test_a_nul_byte_typed_in_the_invite_picker_is_refused_in_french(
    login_as, coordinator, meeting, partners
):
    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/", {"contact": "P1\x00"}
    )

    assert response.status_code == 200
    assert NUL_REFUSED in text(response)
    assert not meeting.invitations.exists()


def test_a_nul_byte_typed_in_the_walk_in_structure_is_refused_in_french(
    login_as, coordinator, meeting, territory
):
    started(meeting)
    OrganizationFactory(territory=territory, name="PMI de Cergy")

    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/presences/nouvelle-personne/",
        {"last_name": "Henry", "email": "g.henry@pmi.fr", "organization": "PMI\x00"},
    )

    assert response.status_code == 200
    page = text(response)
    assert NUL_REFUSED in page
    assert 'value="Henry"' in html.unescape(response.content.decode()), "nothing typed is lost"
    assert not meeting.invitations.exists()


def test_a_pasted_page_of_text_in_the_invite_picker_is_refused_in_french_and_kept(
    login_as, coordinator, meeting, partners
):
    pasted = "Bruno Faure " * 500

    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/", {"contact": pasted}
    )

    assert response.status_code == 200
    assert "Tapez au plus 200 caractères : un nom ou une structure." in text(response)
    assert pasted.strip() in html.unescape(response.content.decode()), "nothing typed is lost"
    assert not meeting.invitations.exists()


@pytest.mark.parametrize("forged", ["foreign", "99999999999999999999", "²"])
def test_a_picker_id_of_another_territory_or_forged_is_not_taken(
    login_as, coordinator, meeting, other_territory, territory, forged
):
    foreign = ContactFactory(territory=other_territory, first_name="Zoé", last_name="Ailleurs")

    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/",
        {"contact": "", "contact_id": str(foreign.pk) if forged == "foreign" else forged},
    )

    assert response.status_code == 200
    assert "Ce choix n'est pas proposé ici : tapez le nom pour chercher à nouveau." in text(
        response
    )
    assert not meeting.invitations.exists()


@pytest.mark.parametrize("query", ["é" * 300, "P1\x00", "\x00", "a " * 150])
def test_the_contact_search_answers_odd_text_with_json(login_as, coordinator, partners, query):
    response = login_as(coordinator).get(f"{BASE}/annuaire/recherche/contacts/", {"q": query})

    assert response.status_code == 200
    results = json.loads(response.content)["results"]
    assert all(set(result) == {"id", "label"} for result in results)


@pytest.mark.parametrize("query", ["é" * 300, "a\x00b", "a " * 150])
def test_the_invitee_filter_takes_odd_text(login_as, coordinator, meeting, partners, query):
    services.invitations_prepare(meeting=meeting)

    response = login_as(coordinator).get(f"{BASE}/reunions/{meeting.pk}/", {"q": query})

    assert response.status_code == 200
    assert "5 invités" in text(response)


@pytest.mark.parametrize("path", ["reunions", "groupes"])
def test_an_id_beyond_any_integer_in_the_address_is_not_found(login_as, coordinator, path):
    response = login_as(coordinator).get(f"{BASE}/{path}/99999999999999999999/")

    assert response.status_code == 404


# --- a form posted from a page opened before a change -------------------------------------------


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("contact", ["valid", "unknown"])
def test_inviting_from_a_page_opened_before_the_cancellation_says_why_it_is_refused(
    login_as, coordinator, meeting, partners, contact
):
    """The page was opened, the meeting cancelled from another session, then "Inviter aussi"
    pressed: the refusal is said, not a page without the form nor a word (a name that matches
    no one included: the form would come back into a page that no longer shows it)."""
    client = login_as(coordinator)
    client.get(f"{BASE}/reunions/{meeting.pk}/")
    services.meeting_cancel(meeting=meeting)
    data = (
        {"contact": "", "contact_id": partners[0].pk}
        if contact == "valid"
        else {"contact": "Personne inconnue"}
    )

    response = client.post(f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/", data)

    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/reunions/{meeting.pk}/"
    page = client.get(response["Location"])
    assert messages_of(page) == ["Cette réunion est annulée : on ne peut plus y inviter."]
    assert 'class="message message--error"' in page.content.decode()
    assert not meeting.invitations.exists()


def test_a_walk_in_posted_before_the_meeting_starts_says_why_it_is_refused(
    login_as, coordinator, meeting
):
    """The meeting was moved later from another session after the page was opened."""
    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/presences/nouvelle-personne/",
        {"first_name": "Gaëlle", "last_name": "Henry", "email": "gaelle@pmi.fr"},
        follow=True,
    )

    (refusal,) = messages_of(response)
    assert refusal.startswith("La réunion n'a pas encore commencé (")
    assert not meeting.invitations.exists()


def test_a_service_refusal_that_names_no_field_is_said_at_the_top(
    login_as, coordinator, meeting, partners, monkeypatch
):
    """The meeting could still take invitees when the page checked, not when the service did
    (a cancellation committed in between): its refusal is said, the page from its top."""

    def refused(**kwargs):
        raise ValidationError("Cette réunion est annulée : on ne peut plus y inviter.")

    monkeypatch.setattr(services, "invitation_add", refused)

    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/", {"contact_id": partners[0].pk}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/reunions/{meeting.pk}/"
    page = login_as(coordinator).get(response["Location"])
    assert messages_of(page) == ["Cette réunion est annulée : on ne peut plus y inviter."]


def test_a_held_meeting_under_way_offers_no_invitation_and_refuses_one(
    login_as, coordinator, meeting, partners
):
    started(meeting)
    services.invitations_prepare(meeting=meeting)
    services.attendance_record(  # attendance recorded: the meeting is "held"
        meeting=meeting, marks={meeting.invitations.first().pk: Attendance.PRESENT}
    )
    meeting.refresh_from_db()
    assert meeting.status == "held"
    client = login_as(coordinator)
    assert 'id="inviter-titre"' not in client.get(f"{BASE}/reunions/{meeting.pk}/").content.decode()

    response = client.post(
        f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/",
        {"contact_id": ContactFactory(territory=meeting.territory).pk},
        follow=True,
    )

    assert messages_of(response) == ["Cette réunion est déjà tenue : on ne peut plus y inviter."]
    assert meeting.invitations.count() == len(partners)
