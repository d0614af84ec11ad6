"""The journal page (/t/<territory>/journal/): the coordination's, its territory's entries only,
filtered by object, event, person and dates, paginated, the same queries at any size."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from django.utils.html import strip_tags

from cls_platform.audit import AuditEntry, AuditEvent, audit_event
from partners.models import Contact
from tests.factories import (
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
)
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

JOURNAL = "/t/cergy/journal/"


def page(client, query: str = "") -> str:
    response = client.get(f"{JOURNAL}{query}")
    assert response.status_code == 200
    return unescape(response.content.decode())


def text(html: str) -> str:
    return " ".join(strip_tags(html).split())


def shown_rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return body.count("<tr>")


def test_a_coordinator_reads_a_contacts_change_with_old_and_new_values(login_as, coordinator):
    """The issue's "done when": a contact changed by a coordinator, old and new values shown."""
    client = login_as(coordinator)
    person = ContactFactory(
        territory=coordinator.territory,
        first_name="Inès",
        last_name="Bernard",
        email="ines@asso.fr",
        phone="06 11 22 33 44",
        job_title="Infirmière",
    )
    client.post(
        f"/t/cergy/annuaire/contacts/{person.pk}/modifier/",
        {
            "first_name": "Inès",
            "last_name": "Bernard",
            "email": "ines@asso.fr",
            "phone": "07 00 00 00 00",
            "job_title": "Infirmière coordinatrice",
            "organization_id": person.organization_id,
            "receives_reports": "on",
        },
    )

    html = page(client)

    assert "Modification" in html and "Inès Bernard" in html
    assert "Fonction : Infirmière → devient Infirmière coordinatrice" in text(html)
    assert "Reçoit les invitations" in html and "oui" in html and "non" in html
    assert coordinator.user.full_name in html
    assert "06 11" not in html and "07 00" not in html and "ines@asso.fr" not in html


def test_values_read_as_a_person_reads_them(login_as, coordinator):
    """Choices by their label, related objects by their name, dates in French."""
    client = login_as(coordinator)
    contract = ContractFactory(territory=coordinator.territory)
    pilot = OrganizationFactory(territory=coordinator.territory, name="Maison de santé du Haut")
    fiche = FicheActionFactory(contract=contract, title="Dépistage")
    fiche.status = "in_progress"
    fiche.pilot_organization = pilot
    fiche.end_date = dt.date(2027, 6, 30)
    fiche.save()

    html = page(client, f"?objet=fiche&id={fiche.pk}")

    assert f"Historique : {fiche}" in html
    assert "Prévue" in html or "Prévu" in html
    assert "En cours" in html
    assert "Maison de santé du Haut" in html
    assert "30/06/2027" in html
    assert "in_progress" not in html


def test_another_territorys_coordinator_sees_none_of_it(login_as, coordinator, outsider):
    ContactFactory(territory=coordinator.territory, last_name="Cergyssoise")
    audit_event(AuditEvent.EXPORT, model=Contact, territory=coordinator.territory, format="csv")
    client = login_as(outsider)

    assert client.get(JOURNAL).status_code == 404
    html = unescape(client.get("/t/vitry-sur-seine/journal/").content.decode())
    assert "Cergyssoise" not in html and "Format CSV" not in html
    assert "Connexion" in html, "its own: the outsider's sign-in"


@pytest.mark.parametrize("who", ["copilot", "viewer"])
def test_copilots_and_signatories_are_refused(request, login_as, who):
    access = request.getfixturevalue(who)
    assert login_as(access).get(JOURNAL).status_code == 403


# --- filters ----------------------------------------------------------------------------------


@pytest.fixture
def trail(coordinator, copilot):
    """Entries of several kinds, by two people, on two days."""
    territory = coordinator.territory
    contract = ContractFactory(territory=territory, title="CLS de Cergy")
    fiche = FicheActionFactory(contract=contract, title="Nutrition")
    person = ContactFactory(territory=territory, last_name="Durand")
    meeting = MeetingFactory(group__contract=contract, title="GT Santé mentale")
    old_day = timezone.now() - dt.timedelta(days=10)
    AuditEntry.objects.update(timestamp=old_day, actor=copilot.user)
    audit_event(
        AuditEvent.EXPORT,
        model=Contact,
        territory=territory,
        actor=coordinator.user,
        format="xlsx",
        rows=3,
    )
    return {"fiche": fiche, "person": person, "meeting": meeting, "old_day": old_day}


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("?objet=fiche", "Nutrition", "Durand"),
        ("?objet=contact", "Durand", "Nutrition"),
        ("?objet=reunion", "GT Santé mentale", "Durand"),
        ("?evenement=export", "Format XLSX · 3 lignes", "Nutrition"),
        ("?evenement=create", "Nutrition", "Format XLSX"),
    ],
)
def test_each_filter_narrows_the_journal(login_as, coordinator, trail, query, expected, absent):
    html = page(login_as(coordinator), query)
    assert expected in html
    assert absent not in html.split("<tbody>")[-1]


def test_the_person_filter_keeps_what_they_did(login_as, coordinator, copilot, trail):
    client = login_as(coordinator)
    by_copilot = page(client, f"?personne={copilot.user.pk}")
    by_coordinator = page(client, f"?personne={coordinator.user.pk}")

    assert "Nutrition" in by_copilot and "Format XLSX" not in by_copilot
    assert (
        "Format XLSX" in by_coordinator and "Nutrition" not in by_coordinator.split("<tbody>")[-1]
    )


def test_the_dates_filter_by_local_days(login_as, coordinator, trail):
    client = login_as(coordinator)
    old = timezone.localtime(trail["old_day"]).date()
    today = timezone.localdate()

    on_old_day = page(client, f"?du={old:%Y-%m-%d}&au={old:%Y-%m-%d}")
    since_yesterday = page(client, f"?du={today - dt.timedelta(days=1):%Y-%m-%d}")
    until_before = page(client, f"?au={old - dt.timedelta(days=1):%Y-%m-%d}")

    assert "Nutrition" in on_old_day and "Format XLSX" not in on_old_day
    assert (
        "Format XLSX" in since_yesterday and "Nutrition" not in since_yesterday.split("<tbody>")[-1]
    )
    assert "Aucune entrée" in until_before


def test_an_objects_history_lists_that_object_only(login_as, coordinator, trail):
    fiche = trail["fiche"]
    html = page(login_as(coordinator), f"?objet=fiche&id={fiche.pk}")

    assert f"Historique : {fiche}" in html
    assert "Tout le journal du territoire" in html
    assert (
        shown_rows(html)
        == AuditEntry.objects.filter(content_type__model="ficheaction", object_id=fiche.pk).count()
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?du=2026-13-45", "Saisissez une date valide."),
        ("?du=2026-05-10&au=2026-05-01", "La date de fin précède la date de début."),
        ("?personne=999999", "Sélectionnez un choix valide."),
        ("?objet=inconnu", "Sélectionnez un choix valide."),
        ("?id=abc&objet=fiche", "Saisissez un nombre."),
        ("?id=1.5&objet=fiche", "Assurez-vous qu'il n'y a pas plus de 0 chiffre après la virgule."),
        ("?du=0001-01-01", "Indiquez une date entre 2000 et 2100."),
        ("?au=9999-12-31", "Indiquez une date entre 2000 et 2100."),
    ],
)
def test_bad_filters_get_a_french_message_and_the_page_still_answers(
    login_as, coordinator, trail, query, message
):
    html = page(login_as(coordinator), query)
    assert message in html


def test_the_journal_paginates(login_as, coordinator):
    for n in range(55):
        audit_event(AuditEvent.EXPORT, model=Contact, territory=coordinator.territory, rows=n)
    client = login_as(coordinator)

    first, second = page(client, "?evenement=export"), page(client, "?evenement=export&page=2")

    assert "55 entrées" in first and shown_rows(first) == 50
    assert shown_rows(second) == 5 and "Page 2 sur 2" in second


def test_the_journal_keeps_a_constant_query_count(login_as, coordinator, copilot):
    territory = coordinator.territory
    contract = ContractFactory(territory=territory)

    def grow() -> None:
        for n in range(12):
            fiche = FicheActionFactory(
                contract=contract,
                pilot_organization=OrganizationFactory(territory=territory),
                pilot_contact=ContactFactory(territory=territory),
            )
            fiche.copilots.add(ContactFactory(territory=territory))
            fiche.title = f"Action renommée {n}"
            fiche.save()
        audit_event(AuditEvent.EXPORT, model=Contact, territory=territory, rows=3)

    grow()
    assert_constant_queries(login_as(coordinator), JOURNAL, grow, at_most=12)


# --- the link from an object's page -------------------------------------------------------------


def test_the_history_link_is_for_the_coordination(coordinator, copilot):
    fiche = FicheActionFactory(contract=ContractFactory(territory=coordinator.territory))
    request = RequestFactory().get("/")

    as_coordinator = render_to_string(
        "includes/history_link.html", {"object": fiche, "access": coordinator}, request
    )
    as_copilot = render_to_string(
        "includes/history_link.html", {"object": fiche, "access": copilot}, request
    )
    for_a_territory = render_to_string(
        "includes/history_link.html", {"object": coordinator.territory, "access": coordinator}
    )

    assert f'href="{JOURNAL}?objet=fiche&amp;id={fiche.pk}"' in as_coordinator
    assert "Historique des modifications" in as_coordinator
    assert as_copilot.strip() == "" and for_a_territory.strip() == ""
