"""The directory's pages as a signatory (viewer) reads them: people and their structures, never
their mailing state (a refused address, an unsubscription), never the meetings they were invited
to with their answers and attendance; the coordination sees all of it."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups.models import Attendance, Invitation, Rsvp

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire"


def text(response) -> str:
    """The page's words, without its tags."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def people(territory):
    now = timezone.now()
    return {
        "bounced": ContactFactory(
            territory=territory, first_name="Hélène", last_name="Erreur", bounced_at=now
        ),
        "unsubscribed": ContactFactory(
            territory=territory, first_name="Laure", last_name="Partie", unsubscribed_at=now
        ),
        "plain": ContactFactory(territory=territory, first_name="Paul", last_name="Présent"),
    }


@pytest.fixture
def invited(territory, people):
    group = WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Nutrition")
    meeting = MeetingFactory(
        group=group,
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=3, hours=-2),
    )
    return Invitation.objects.create(
        meeting=meeting, contact=people["plain"], rsvp=Rsvp.YES, attendance=Attendance.PRESENT
    )


@pytest.mark.parametrize("state", ["bounced", "unsubscribed"])
def test_a_viewer_cannot_list_people_by_their_mailing_state(login_as, viewer, people, state):
    # A signatory reads no list of people at all, filtered or not.
    response = login_as(viewer).get(f"{BASE}/contacts/", {state: "oui"})

    assert response.status_code == 403
    assert "Adresse en erreur" not in text(response) and "Désinscrit" not in text(response)


@pytest.mark.parametrize("state", ["bounced", "unsubscribed"])
def test_the_coordination_lists_people_by_their_mailing_state(login_as, coordinator, people, state):
    page = text(login_as(coordinator).get(f"{BASE}/contacts/", {state: "oui"}))

    assert "1 contact" in page
    assert people[state].last_name in page
    assert ("adresse en erreur" if state == "bounced" else "désinscrit") in page


def test_a_viewer_sees_no_one_s_mailing_state_nor_meetings_on_their_page(
    login_as, viewer, people, invited
):
    client = login_as(viewer)

    # A person's page is refused to a signatory: no mailing state, no meetings, no answer.
    for contact in (people["bounced"], invited.contact):
        response = client.get(f"{BASE}/contacts/{contact.pk}/")
        assert response.status_code == 403
        for personal in ("adresse en erreur", "GT Nutrition", "Présent·e", "Hélène"):
            assert personal not in text(response), personal


def test_the_coordination_sees_a_person_s_meetings_with_answer_and_attendance(
    login_as, coordinator, people, invited
):
    client = login_as(coordinator)

    page = text(client.get(f"{BASE}/contacts/{invited.contact.pk}/"))
    never = text(client.get(f"{BASE}/contacts/{people['bounced'].pk}/"))

    assert "GT Nutrition" in page and "· Vient · Présent·e" in page
    assert "Jamais invité·e pour l'instant." in never
