"""The pickers' search (partners/search.py): a territory's people and structures by name,
structure or acronym, ignoring case and accents; never an address or a phone; nothing of another
territory; nothing for a signatory."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

CONTACTS = "/t/cergy/annuaire/recherche/contacts/"
STRUCTURES = "/t/cergy/annuaire/recherche/structures/"


@pytest.fixture
def people(territory, other_territory):
    ccas = OrganizationFactory(
        territory=territory, name="Centre communal d'action sociale", acronym="CCAS"
    )
    cpts = OrganizationFactory(territory=territory, name="CPTS de Cergy")
    made = {
        "ccas": ContactFactory(
            territory=territory,
            first_name="Bruno",
            last_name="Faure",
            email="b.faure@ccas.fr",
            phone="06 11 22 33 44",
            organization=ccas,
        ),
        "cpts": ContactFactory(
            territory=territory,
            first_name="Bruno",
            last_name="Faure",
            email="bruno@cpts.fr",
            organization=cpts,
        ),
        "elodie": ContactFactory(
            territory=territory, first_name="Élodie", last_name="Marchand", organization=ccas
        ),
        "gone": ContactFactory(
            territory=territory,
            first_name="Bruno",
            last_name="Parti",
            unsubscribed_at=timezone.now(),
        ),
        "vitry": ContactFactory(territory=other_territory, first_name="Bruno", last_name="Faure"),
    }
    return made


def found(client: Client, url: str, q: str) -> dict:
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_two_people_of_the_same_name_are_told_apart_by_their_structure(
    login_as, coordinator, people
):
    data = found(login_as(coordinator), CONTACTS, "bruno faure")
    assert [(r["id"], r["label"]) for r in data["results"]] == [
        (people["ccas"].pk, "Bruno Faure — Centre communal d'action sociale"),
        (people["cpts"].pk, "Bruno Faure — CPTS de Cergy"),
    ]


def test_no_address_nor_phone_is_ever_returned(login_as, coordinator, people):
    response = login_as(coordinator).get(CONTACTS, {"q": "faure"})
    body = response.content.decode()
    assert "@" not in body and "06 11" not in body
    assert all(set(r) == {"id", "label"} for r in json.loads(body)["results"])


def test_names_structures_and_acronyms_match_ignoring_case_and_accents(
    login_as, coordinator, people
):
    client = login_as(coordinator)
    assert [r["id"] for r in found(client, CONTACTS, "ELODIE")["results"]] == [people["elodie"].pk]
    assert [r["id"] for r in found(client, CONTACTS, "élodie ccas")["results"]] == [
        people["elodie"].pk
    ]
    by_acronym = {r["id"] for r in found(client, CONTACTS, "ccas")["results"]}
    assert by_acronym == {people["ccas"].pk, people["elodie"].pk}
    by_structure = {r["id"] for r in found(client, CONTACTS, "communal")["results"]}
    assert by_structure == by_acronym
    assert found(client, CONTACTS, "")["results"] == []


def test_only_reachable_people_of_one_s_own_territory(login_as, coordinator, people):
    ids = {r["id"] for r in found(login_as(coordinator), CONTACTS, "bruno")["results"]}
    assert people["vitry"].pk not in ids
    assert people["gone"].pk not in ids


def test_results_are_limited_and_say_there_are_more(login_as, coordinator, territory):
    for n in range(25):
        ContactFactory(territory=territory, first_name="Camille", last_name=f"Durand{n:02d}")
    data = found(login_as(coordinator), CONTACTS, "camille")
    assert len(data["results"]) == 20 and data["more"] is True


def test_structures_are_searched_by_name_or_acronym(login_as, coordinator, people, territory):
    OrganizationFactory(
        territory=territory, name="Ancienne structure CCAS", archived_at=timezone.now()
    )
    client = login_as(coordinator)
    assert [r["label"] for r in found(client, STRUCTURES, "ccas")["results"]] == [
        "Centre communal d'action sociale (CCAS)"
    ]
    assert [r["label"] for r in found(client, STRUCTURES, "cergy")["results"]] == ["CPTS de Cergy"]


def test_a_signatory_gets_nothing_and_a_stranger_is_sent_to_sign_in(
    login_as, viewer, copilot, outsider, people
):
    for url in (CONTACTS, STRUCTURES):
        assert login_as(viewer).get(url, {"q": "bruno"}).status_code == 403
        assert Client().get(url, {"q": "bruno"}).status_code == 302
        assert login_as(outsider).get(url, {"q": "bruno"}).status_code == 404
        assert login_as(copilot).get(url, {"q": "bruno"}).status_code == 200
