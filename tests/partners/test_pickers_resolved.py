"""A name typed in a picker and found by the server is shown as found when the form comes back
for another reason (an e-mail refused, a date missing): the structure's or the person's full
name in the field, its id beside it, so that the user sees what will be saved and nothing is
lost. The departure form's successor picker never suggests the person who leaves."""

from __future__ import annotations

import json
import re

import pytest

from partners.models import Contact
from tests.factories import ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire"
CONTACTS = f"{BASE}/recherche/contacts/"


@pytest.fixture
def ccas(territory):
    return OrganizationFactory(
        territory=territory, name="Centre communal d'action sociale", acronym="CCAS"
    )


@pytest.fixture
def leaving(territory, ccas):
    return ContactFactory(
        territory=territory,
        organization=ccas,
        first_name="Paul",
        last_name="Martin",
        email="paul.martin@ccas.fr",
    )


@pytest.fixture
def julie(territory, ccas):
    return ContactFactory(
        territory=territory,
        organization=ccas,
        first_name="Julie",
        last_name="Roux",
        email="julie.roux@ccas.fr",
    )


def picker_values(page: str, name: str) -> tuple[str, str]:
    """What the page's picker `name` holds: the text input's value and the hidden id's."""
    text = re.search(rf'<input type="text" name="{name}" value="([^"]*)"', page)
    hidden = re.search(rf'name="{name}_id" value="([^"]*)"', page)
    assert text and hidden, f"no picker {name} on the page"
    return text.group(1), hidden.group(1)


# --- the name found is shown, not the text typed ---------------------------------------------


def test_a_structure_typed_and_found_is_shown_by_its_name_when_the_form_comes_back(
    login_as, coordinator, ccas
):
    client = login_as(coordinator)
    url = f"{BASE}/contacts/nouveau/"
    response = client.post(
        url,
        {"first_name": "Hugo", "last_name": "Lambert", "email": "pas-une-adresse"}
        | {"organization": "ccas"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Saisissez une adresse de courriel valide" in page, "the form came back for the e-mail"
    assert picker_values(page, "organization") == (
        "Centre communal d&#x27;action sociale (CCAS)",
        str(ccas.pk),
    )
    assert not Contact.objects.filter(last_name="Lambert").exists()

    # Sent again as shown, with the address corrected: the structure found is saved.
    again = client.post(
        url,
        {
            "first_name": "Hugo",
            "last_name": "Lambert",
            "email": "hugo.lambert@ccas.fr",
            "organization": "Centre communal d'action sociale (CCAS)",
            "organization_id": str(ccas.pk),
        },
    )
    assert again.status_code == 302
    assert Contact.objects.get(email="hugo.lambert@ccas.fr").organization == ccas


def test_a_successor_typed_and_found_is_shown_with_their_structure_when_the_form_comes_back(
    login_as, coordinator, leaving, julie
):
    response = login_as(coordinator).post(
        f"{BASE}/contacts/{leaving.pk}/depart/", {"left_on": "", "successor": "julie"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert picker_values(page, "successor") == (
        "Julie Roux — Centre communal d&#x27;action sociale",
        str(julie.pk),
    )
    leaving.refresh_from_db()
    assert leaving.left_at is None


def test_a_name_that_finds_several_or_nobody_is_kept_as_typed(
    login_as, coordinator, leaving, julie, territory
):
    ContactFactory(territory=territory, first_name="Léa", last_name="Roux")
    client = login_as(coordinator)
    several = client.post(
        f"{BASE}/contacts/{leaving.pk}/depart/", {"left_on": "2026-10-01", "successor": "roux"}
    ).content.decode()
    assert picker_values(several, "successor") == ("roux", "")
    nobody = client.post(
        f"{BASE}/contacts/{leaving.pk}/depart/", {"left_on": "2026-10-01", "successor": "Inconnue"}
    ).content.decode()
    assert picker_values(nobody, "successor") == ("Inconnue", "")


# --- the departure's successor: the one who leaves is not suggested --------------------------


def test_the_departure_form_asks_the_search_to_leave_out_the_person_who_leaves(
    login_as, coordinator, leaving, julie
):
    client = login_as(coordinator)
    page = client.get(f"{BASE}/contacts/{leaving.pk}/depart/").content.decode()
    url = re.search(r'data-picker-url="([^"]*)"', page).group(1)
    assert url == f"{CONTACTS}?exclude={leaving.pk}"

    # What the combobox receives as one types "martin" or the structure's acronym.
    for typed in ("martin", "ccas"):
        response = client.get(f"{url}&q={typed}")
        assert response.status_code == 200
        labels = [r["label"] for r in json.loads(response.content)["results"]]
        assert not any(label.startswith("Paul Martin") for label in labels)
    ccas_people = json.loads(client.get(f"{url}&q=ccas").content)["results"]
    assert [r["id"] for r in ccas_people] == [julie.pk]

    # Elsewhere (no exclusion), the same search still finds them.
    everyone = json.loads(client.get(CONTACTS, {"q": "martin"}).content)["results"]
    assert [r["id"] for r in everyone] == [leaving.pk]


def test_an_exclusion_that_is_no_id_is_ignored(login_as, coordinator, leaving):
    client = login_as(coordinator)
    for odd in ("abc", "²", "9" * 30, ""):
        response = client.get(CONTACTS, {"q": "martin", "exclude": odd})
        assert response.status_code == 200
        assert [r["id"] for r in json.loads(response.content)["results"]] == [leaving.pk]


def test_a_forged_post_naming_the_leaver_as_successor_is_still_refused_in_french(
    login_as, coordinator, leaving
):
    response = login_as(coordinator).post(
        f"{BASE}/contacts/{leaving.pk}/depart/",
        {"left_on": "2026-10-01", "successor": "Paul Martin", "successor_id": leaving.pk},
    )
    assert response.status_code == 200
    assert "Cette personne ne peut pas succéder" in response.content.decode()
    leaving.refresh_from_db()
    assert leaving.left_at is None and leaving.successor is None
