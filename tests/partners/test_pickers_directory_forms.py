"""The contact form's structure and the departure form's successor are pickers: searched as one
types (static/js/picker.js sends the chosen id beside the name), or typed without JavaScript and
resolved by the server: one match is taken, several come back as radio buttons, none is refused
in French; nothing typed is lost, and only the territory's structures and people are taken."""

from __future__ import annotations

import pytest
from django.utils import timezone

from partners.models import Contact
from tests.factories import ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire"


@pytest.fixture
def structures(territory):
    return {
        "ccas": OrganizationFactory(
            territory=territory, name="Centre communal d'action sociale", acronym="CCAS"
        ),
        "mq_linandes": OrganizationFactory(territory=territory, name="Maison de quartier Linandes"),
        "mq_touleuses": OrganizationFactory(
            territory=territory, name="Maison de quartier Touleuses"
        ),
    }


def new_contact(**extra: str) -> dict[str, str]:
    return {
        "first_name": "Hugo",
        "last_name": "Lambert",
        "email": "hugo.lambert@ccas.fr",
        "receives_invitations": "on",
        **extra,
    }


# --- the contact form's structure ------------------------------------------------------------


def test_the_contact_form_lists_no_structure_and_names_the_one_chosen(
    login_as, coordinator, structures
):
    client = login_as(coordinator)
    blank = client.get(f"{BASE}/contacts/nouveau/").content.decode()
    assert "Maison de quartier" not in blank, "the structures are searched, not listed"
    assert 'data-picker-url="/t/cergy/annuaire/recherche/structures/"' in blank
    assert "js/picker.js" in blank

    ccas = structures["ccas"]
    chosen = client.get(f"{BASE}/contacts/nouveau/?structure={ccas.pk}").content.decode()
    assert 'value="Centre communal d&#x27;action sociale (CCAS)"' in chosen
    assert f'name="organization_id" value="{ccas.pk}"' in chosen

    paul = ContactFactory(territory=coordinator.territory, organization=structures["mq_linandes"])
    edit = client.get(f"{BASE}/contacts/{paul.pk}/modifier/").content.decode()
    assert 'name="organization" value="Maison de quartier Linandes"' in edit
    assert f'name="organization_id" value="{structures["mq_linandes"].pk}"' in edit
    assert "Touleuses" not in edit


def test_a_contact_is_saved_with_the_structure_chosen_in_the_picker(
    login_as, coordinator, structures
):
    ccas = structures["ccas"]
    response = login_as(coordinator).post(
        f"{BASE}/contacts/nouveau/",
        new_contact(
            organization="Centre communal d'action sociale (CCAS)", organization_id=ccas.pk
        ),
    )
    assert response.status_code == 302
    assert Contact.objects.get(email="hugo.lambert@ccas.fr").organization == ccas


def test_without_script_the_structure_typed_is_found_by_the_server(
    login_as, coordinator, structures
):
    response = login_as(coordinator).post(
        f"{BASE}/contacts/nouveau/", new_contact(organization="ccas")
    )
    assert response.status_code == 302
    assert Contact.objects.get(email="hugo.lambert@ccas.fr").organization == structures["ccas"]


def test_several_structures_for_the_name_typed_are_offered_and_nothing_is_lost(
    login_as, coordinator, structures
):
    client = login_as(coordinator)
    response = client.post(
        f"{BASE}/contacts/nouveau/", new_contact(organization="maison de quartier")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Plusieurs correspondances pour « maison de quartier »" in page
    touleuses = structures["mq_touleuses"]
    assert f'name="organization_choice" value="{touleuses.pk}"' in page
    assert f'name="organization_choice" value="{structures["mq_linandes"].pk}"' in page
    assert 'value="Hugo"' in page and 'value="hugo.lambert@ccas.fr"' in page, "nothing lost"
    assert not Contact.objects.filter(email="hugo.lambert@ccas.fr").exists()

    again = client.post(
        f"{BASE}/contacts/nouveau/",
        new_contact(organization="maison de quartier", organization_choice=touleuses.pk),
    )
    assert again.status_code == 302
    assert Contact.objects.get(email="hugo.lambert@ccas.fr").organization == touleuses


def test_a_structure_name_found_nowhere_is_refused_in_french(login_as, coordinator, structures):
    response = login_as(coordinator).post(
        f"{BASE}/contacts/nouveau/", new_contact(organization="Clinique imaginaire")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aucune correspondance dans l&#x27;annuaire pour « Clinique imaginaire »" in page
    assert 'value="Clinique imaginaire"' in page and 'value="Lambert"' in page
    assert not Contact.objects.filter(email="hugo.lambert@ccas.fr").exists()


def test_an_archived_or_another_territory_s_structure_is_not_taken(
    login_as, coordinator, structures, other_territory
):
    client = login_as(coordinator)
    elsewhere = OrganizationFactory(territory=other_territory, name="CCAS de Vitry")
    archived = OrganizationFactory(
        territory=coordinator.territory, name="Ancienne MJC", archived_at=timezone.now()
    )
    for forged in (elsewhere, archived):
        response = client.post(f"{BASE}/contacts/nouveau/", new_contact(organization_id=forged.pk))
        assert response.status_code == 200
        assert "Ce choix n&#x27;est pas proposé ici" in response.content.decode()
    typed = client.post(f"{BASE}/contacts/nouveau/", new_contact(organization="Vitry"))
    assert "Aucune correspondance" in typed.content.decode()
    assert not Contact.objects.filter(email="hugo.lambert@ccas.fr").exists()


def test_an_edit_sent_untouched_keeps_the_structure_and_emptying_it_removes_it(
    login_as, coordinator, structures
):
    client = login_as(coordinator)
    linandes = structures["mq_linandes"]
    paul = ContactFactory(
        territory=coordinator.territory, organization=linandes, email="paul@mq.fr"
    )
    url = f"{BASE}/contacts/{paul.pk}/modifier/"
    fields = {"first_name": "Paul", "last_name": "Martin", "email": "paul@mq.fr"}
    # As the page sends it back: the name in the text input, the id beside it.
    sent = client.post(
        url,
        {**fields, "organization": "Maison de quartier Linandes", "organization_id": linandes.pk},
    )
    assert sent.status_code == 302
    paul.refresh_from_db()
    assert paul.organization == linandes

    client.post(url, {**fields, "organization": "", "organization_id": ""})
    paul.refresh_from_db()
    assert paul.organization is None


# --- the departure form's successor ----------------------------------------------------------


@pytest.fixture
def leaving(territory, structures):
    return ContactFactory(
        territory=territory,
        organization=structures["ccas"],
        first_name="Paul",
        last_name="Martin",
        email="paul.martin@ccas.fr",
    )


def departure(leaving: Contact) -> str:
    return f"{BASE}/contacts/{leaving.pk}/depart/"


def test_the_departure_form_lists_nobody(login_as, coordinator, leaving, structures):
    ContactFactory(territory=coordinator.territory, first_name="Julie", last_name="Roux")
    page = login_as(coordinator).get(departure(leaving)).content.decode()
    assert "Roux" not in page, "the people are searched, not listed"
    assert f'data-picker-url="/t/cergy/annuaire/recherche/contacts/?exclude={leaving.pk}"' in page
    assert 'name="successor_id" value=""' in page


def test_the_successor_chosen_in_the_picker_is_recorded(login_as, coordinator, leaving):
    julie = ContactFactory(territory=coordinator.territory, first_name="Julie", last_name="Roux")
    response = login_as(coordinator).post(
        departure(leaving),
        {"left_on": "2026-10-01", "successor": "Julie Roux", "successor_id": julie.pk},
    )
    assert response.status_code == 302
    leaving.refresh_from_db()
    assert leaving.successor == julie and leaving.left_at is not None


def test_without_script_the_successor_typed_is_found_and_the_leaver_is_not(
    login_as, coordinator, leaving
):
    julie = ContactFactory(
        territory=coordinator.territory, first_name="Julie", last_name="Martin", email="j@m.fr"
    )
    # "Martin" finds Paul Martin too, but Paul is the one who leaves: Julie is the only match.
    response = login_as(coordinator).post(
        departure(leaving), {"left_on": "2026-10-01", "successor": "martin"}
    )
    assert response.status_code == 302
    leaving.refresh_from_db()
    assert leaving.successor == julie


def test_several_successors_for_the_name_typed_are_offered(login_as, coordinator, leaving):
    client = login_as(coordinator)
    roux = [
        ContactFactory(territory=coordinator.territory, first_name=first, last_name="Roux")
        for first in ("Julie", "Léa")
    ]
    response = client.post(departure(leaving), {"left_on": "2026-10-01", "successor": "roux"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Plusieurs correspondances pour « roux »" in page
    for person in roux:
        assert f'name="successor_choice" value="{person.pk}"' in page
    assert 'value="2026-10-01"' in page, "the date typed is kept"
    leaving.refresh_from_db()
    assert leaving.left_at is None

    client.post(
        departure(leaving),
        {"left_on": "2026-10-01", "successor": "roux", "successor_choice": roux[1].pk},
    )
    leaving.refresh_from_db()
    assert leaving.successor == roux[1]


def test_the_leaver_or_another_territory_s_person_cannot_succeed(
    login_as, coordinator, leaving, other_territory
):
    client = login_as(coordinator)
    elsewhere = ContactFactory(territory=other_territory, first_name="Julie", last_name="Roux")
    for forged in (leaving, elsewhere):
        response = client.post(
            departure(leaving), {"left_on": "2026-10-01", "successor_id": forged.pk}
        )
        assert response.status_code == 200
        assert "Cette personne ne peut pas succéder" in response.content.decode()
    typed = client.post(departure(leaving), {"left_on": "2026-10-01", "successor": "Inconnue"})
    assert "Aucune correspondance dans l&#x27;annuaire pour « Inconnue »" in typed.content.decode()
    leaving.refresh_from_db()
    assert leaving.left_at is None and leaving.successor is None
