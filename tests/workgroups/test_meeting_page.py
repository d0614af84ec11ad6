"""The meeting page at Cergy's scale (200 invited, 45 present): section links, a filter of the
invitees that works without JavaScript, attendance of the rows shown only, "mark those who said
yes" in one action, nothing of the report or attendance before the meeting starts, counts only
for signatories, plural forms, and a number of queries that does not grow with the list."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from partners.models import Sector
from tests.factories import (
    ContactFactory,
    ContractFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries
from workgroups import services
from workgroups.models import Attendance, Invitation, Meeting, MeetingStatus, Rsvp

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def page_url(meeting: Meeting, query: str = "") -> str:
    return f"{BASE}/reunions/{meeting.pk}/" + (f"?q={query}" if query else "")


def started(meeting: Meeting) -> Meeting:
    meeting.starts_at = timezone.now() - dt.timedelta(hours=3)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()
    return meeting


def crowd(meeting: Meeting, territory, n: int, *, said_yes: int = 0) -> list[Invitation]:
    """`n` invitees in structures of their own, the first `said_yes` having answered yes."""
    made = []
    start = meeting.invitations.count()
    for i in range(start, start + n):
        organization = OrganizationFactory(territory=territory, name=f"Association {i:03d}")
        contact = ContactFactory(
            territory=territory,
            first_name="Prénom",
            last_name=f"Nom{i:03d}",
            organization=organization,
        )
        made.append(
            Invitation.objects.create(
                meeting=meeting,
                contact=contact,
                rsvp=Rsvp.YES if i - start < said_yes else Rsvp.PENDING,
            )
        )
    return made


# --- layout --------------------------------------------------------------------------------


def test_section_links_lead_to_each_section_heading(login_as, coordinator, meeting, partners, send):
    send(services.invitations_send, meeting=meeting)
    page = login_as(coordinator).get(page_url(meeting)).content.decode()

    nav = re.search(
        r'<nav class="section-nav" aria-label="Sections de la réunion">(.*?)</nav>', page, re.S
    )
    assert nav, "the section links are a labelled navigation landmark"
    targets = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', nav[1])
    assert [label for _id, label in targets] == [
        "Invités",
        "Présences",
        "Compte-rendu",
        "Documents",
        "Envois",
    ]
    for anchor, _label in targets:
        assert re.search(rf'<h2 id="{anchor}"', page), f"#{anchor} is a section heading"


def test_the_envois_link_is_not_offered_when_nothing_was_sent(login_as, coordinator, meeting):
    page = login_as(coordinator).get(page_url(meeting)).content.decode()
    assert 'href="#envois"' not in page and 'id="envois"' not in page


# --- the filter ----------------------------------------------------------------------------


def test_the_filter_narrows_the_rows_and_keeps_the_counts_global(
    login_as, coordinator, meeting, territory
):
    crowd(meeting, territory, 30, said_yes=10)
    ccas = OrganizationFactory(
        territory=territory, name="Centre communal d'action sociale", acronym="CCAS"
    )
    for first, last in (("Élodie", "Marchand"), ("Bruno", "Faure")):
        Invitation.objects.create(
            meeting=meeting,
            contact=ContactFactory(
                territory=territory, first_name=first, last_name=last, organization=ccas
            ),
        )
    client = login_as(coordinator)

    by_acronym = client.get(page_url(meeting, "ccas"))
    page = text(by_acronym)
    assert "2 invités sur 32 correspondent" in page
    assert "32 invités · 10 viennent" in page, "the counts are the whole list's"
    assert [row.name for row in by_acronym.context["rows"]] == ["Bruno Faure", "Élodie Marchand"]
    assert 'label for="q">Filtrer les invités' in by_acronym.content.decode()

    # Case and accents ignored; several words must all match.
    accents = client.get(page_url(meeting, "ELODIE+centre"))
    assert [row.name for row in accents.context["rows"]] == ["Élodie Marchand"]
    assert "1 invité sur 32 correspond" in text(accents)

    none = text(client.get(page_url(meeting, "zzz")))
    assert "Aucun invité ne correspond à « zzz »." in none


def test_the_attendance_form_changes_only_the_rows_shown(login_as, coordinator, meeting, territory):
    invitations = crowd(meeting, territory, 6)
    Invitation.objects.filter(pk=invitations[1].pk).update(attendance=Attendance.EXCUSED)
    started(meeting)
    client = login_as(coordinator)
    shown = client.get(page_url(meeting, "Nom004"))
    raw = shown.content.decode()
    assert re.findall(r'name="(presence-\d+)"', raw) == [f"presence-{invitations[4].pk}"]
    assert '<input type="hidden" name="q" value="Nom004">' in raw

    response = client.post(
        f"{BASE}/reunions/{meeting.pk}/presences/",
        {f"presence-{invitations[4].pk}": Attendance.PRESENT, "q": "Nom004"},
    )

    # Back to the same filtered list, for the next person.
    assert response["Location"] == f"{page_url(meeting)}?q=Nom004#filtre-invites"
    states = dict(meeting.invitations.values_list("pk", "attendance"))
    assert states[invitations[4].pk] == Attendance.PRESENT
    assert states[invitations[1].pk] == Attendance.EXCUSED, "a row not shown keeps its state"
    assert sum(1 for s in states.values() if s == Attendance.UNKNOWN) == 4


# --- "mark those who said yes" ------------------------------------------------------------


def test_marking_those_who_said_yes_in_one_action(login_as, coordinator, meeting, territory):
    invitations = crowd(meeting, territory, 30, said_yes=24)
    # Said yes but ticked absent by hand: that stays.
    Invitation.objects.filter(pk=invitations[0].pk).update(attendance=Attendance.ABSENT)
    started(meeting)
    client = login_as(coordinator)
    assert "Marquer présents tous ceux qui ont dit venir" in text(client.get(page_url(meeting)))

    response = client.post(
        f"{BASE}/reunions/{meeting.pk}/presences/ceux-qui-ont-dit-venir/", follow=True
    )

    assert "23 personnes marquées présentes" in text(response)
    assert meeting.invitations.filter(attendance=Attendance.PRESENT).count() == 23
    assert meeting.invitations.get(pk=invitations[0].pk).attendance == Attendance.ABSENT
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    again = client.post(
        f"{BASE}/reunions/{meeting.pk}/presences/ceux-qui-ont-dit-venir/", follow=True
    )
    assert "Personne à marquer" in text(again)


# --- nothing recorded before the meeting starts ----------------------------------------


@pytest.fixture
def march_meeting(group):
    """Thursday 11 March 2027 at 14:00, Paris time."""
    start = dt.datetime(2027, 3, 11, 14, 0, tzinfo=PARIS)
    return MeetingFactory(group=group, starts_at=start, ends_at=start + dt.timedelta(hours=2))


NOT_STARTED = (
    "La réunion n'a pas encore commencé (jeudi 11 mars 2027 à 14 h) : le compte-rendu et les "
    "présences se saisissent une fois la réunion commencée."
)


def test_report_and_attendance_are_refused_before_the_start(march_meeting, partners):
    invitation = Invitation.objects.create(
        meeting=march_meeting, contact=partners[0], rsvp=Rsvp.YES
    )
    attempts = [
        lambda: services.report_save(meeting=march_meeting, html="Compte-rendu écrit trop tôt."),
        lambda: services.report_send(meeting=march_meeting),
        lambda: services.attendance_record(
            meeting=march_meeting, marks={invitation.pk: Attendance.PRESENT}
        ),
        lambda: services.attendance_mark_said_yes(meeting=march_meeting),
        lambda: services.walk_in_add(
            meeting=march_meeting, data={"last_name": "Tôt", "email": "tot@asso.fr"}
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.messages == [NOT_STARTED]
    march_meeting.refresh_from_db()
    assert (march_meeting.report, march_meeting.status) == ("", MeetingStatus.PLANNED)
    invitation.refresh_from_db()
    assert invitation.attendance == Attendance.UNKNOWN
    assert not march_meeting.invitations.filter(contact__email="tot@asso.fr").exists()


def test_the_page_offers_no_report_nor_attendance_before_the_start(
    login_as, coordinator, march_meeting, partners
):
    Invitation.objects.create(meeting=march_meeting, contact=partners[0], rsvp=Rsvp.YES)
    client = login_as(coordinator)
    response = client.get(page_url(march_meeting))
    page, raw = text(response), response.content.decode()

    assert 'name="presence-' not in raw
    assert "Rédiger le compte-rendu" not in page
    assert "Marquer présents" not in page
    assert "Une personne présente n'est pas dans la liste" not in page
    assert "à partir du jeudi 11 mars 2027 à 14 h" in page
    editor = text(client.get(f"{BASE}/reunions/{march_meeting.pk}/compte-rendu/"))
    assert NOT_STARTED in editor and "Enregistrer le compte-rendu" not in editor
    sending = text(client.get(f"{BASE}/reunions/{march_meeting.pk}/compte-rendu/envoyer/"))
    assert NOT_STARTED in sending and "Envoyer le compte-rendu</button>" not in sending
    response = client.post(
        f"{BASE}/reunions/{march_meeting.pk}/presences/ceux-qui-ont-dit-venir/", follow=True
    )
    assert NOT_STARTED in text(response)
    assert not march_meeting.invitations.filter(attendance=Attendance.PRESENT).exists()


# --- signatories --------------------------------------------------------------------------


def test_a_signatory_sees_counts_and_no_one_s_answer_or_attendance(
    login_as, viewer, meeting, territory, send
):
    health = Sector.objects.order_by("pk").first() or Sector.objects.create(
        name="Santé", slug="sante"
    )
    invitations = crowd(meeting, territory, 6, said_yes=3)
    Invitation.objects.filter(pk=invitations[5].pk).update(rsvp=Rsvp.NO)
    send(services.invitations_send, meeting=meeting)
    started(meeting)
    services.attendance_record(
        meeting=meeting, marks={i.pk: Attendance.PRESENT for i in invitations[:2]}
    )
    invitations[0].contact.organization.sectors.add(health)

    response = login_as(viewer).get(page_url(meeting, "Nom001"))

    page = text(response)
    for invitation in invitations:
        assert invitation.contact.last_name not in page
        assert invitation.contact.organization.name not in page
    assert "Prénom" not in page
    assert "6 invités · 3 viennent · 1 ne vient pas" in page
    assert "2 présents · 2 structures représentées · 1 secteur représenté" in page
    for personal in ("Liste des invités", "Vient", "Envoyé", "Filtrer les invités", "Envois", "@"):
        assert personal not in page, personal
    assert response.context["rows"] == []


# --- French ---------------------------------------------------------------------------------


def test_counts_use_plural_forms(login_as, coordinator, meeting, partners):
    Invitation.objects.create(meeting=meeting, contact=partners[0], rsvp=Rsvp.YES)
    page = text(login_as(coordinator).get(page_url(meeting)))
    assert "1 invité · 1 vient" in page
    assert "1 viennent" not in page and "(s)" not in page


def test_the_group_chart_names_the_month_in_full(login_as, coordinator, group, territory):
    for month in (6, 7):
        start = dt.datetime(2025, month, 12, 14, 0, tzinfo=PARIS)
        held = MeetingFactory(
            group=group,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            status=MeetingStatus.HELD,
        )
        Invitation.objects.create(
            meeting=held, contact=ContactFactory(territory=territory), attendance=Attendance.PRESENT
        )
    page = text(login_as(coordinator).get(f"{BASE}/groupes/{group.pk}/"))
    assert "juin 2025" in page and "juillet 2025" in page
    assert "Jui 2025" not in page


# --- queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
@pytest.mark.parametrize("query", ["", "Nom00"])
def test_the_page_keeps_a_constant_query_count_as_the_list_grows(
    request, who, query, meeting, territory, send
):
    access = request.getfixturevalue(who)
    crowd(meeting, territory, 5, said_yes=2)
    send(services.invitations_send, meeting=meeting)
    started(meeting)
    services.report_save(meeting=meeting, html="Compte-rendu.")
    client = Client()
    client.force_login(access.user)

    def more() -> None:
        new = crowd(meeting, territory, 40, said_yes=15)
        services.attendance_record(
            meeting=meeting, marks={i.pk: Attendance.PRESENT for i in new[:20]}
        )

    assert_constant_queries(client, page_url(meeting, query), more, at_most=20)


# --- the page's empty forms, written once per process ---------------------------------------


def test_each_territory_s_meeting_forms_search_its_own_directory(
    coordinator, outsider, meeting, other_territory
):
    """The empty forms of the page are the same for every meeting of a territory and written
    once: still, each territory's pickers search its own directory, and a refused form comes
    back with what was typed and why."""
    vitry = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=other_territory))
    )
    for access, shown, slug in (
        (coordinator, meeting, "cergy"),
        (outsider, vitry, "vitry-sur-seine"),
    ):
        client = Client()
        client.force_login(access.user)
        for _ in range(2):  # written, then read again
            page = client.get(f"/t/{slug}/reunions/{shown.pk}/").content.decode()
            assert f'data-picker-url="/t/{slug}/annuaire/' in page
            assert 'id="inviter_contact"' in page
    client = Client()
    client.force_login(coordinator.user)
    refused = client.post(
        f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/", {"contact": "Personne Inconnue"}
    )
    assert "Personne Inconnue" in text(refused)
    assert "Aucune correspondance dans l'annuaire" in text(refused)
    again = text(client.get(page_url(meeting)))
    assert "Aucune correspondance" not in again and "Personne Inconnue" not in again
