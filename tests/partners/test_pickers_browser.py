"""The directory forms' pickers in Chromium: the contact's structure and the departing person's
successor chosen by keyboard in the combobox, each page free of axe-core violations, as it opens,
with its list of matches open, and after a refusal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from partners.models import Contact
from tests.factories import ContactFactory, OrganizationFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory(territory):
    ccas = OrganizationFactory(
        territory=territory, name="Centre communal d'action sociale", acronym="CCAS"
    )
    for name in ("Maison de quartier Linandes", "Maison de quartier Touleuses"):
        OrganizationFactory(territory=territory, name=name)
    paul = ContactFactory(
        territory=territory,
        organization=ccas,
        first_name="Paul",
        last_name="Martin",
        email="paul.martin@ccas.fr",
    )
    julie = ContactFactory(
        territory=territory, organization=ccas, first_name="Julie", last_name="Roux"
    )
    return {"ccas": ccas, "paul": paul, "julie": julie}


def test_a_contact_s_structure_is_chosen_by_keyboard(
    page: Page, live_server, coordinator, directory
):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/annuaire/contacts/nouveau/")
    assert_no_axe_violations(page)
    page.get_by_label("Prénom").fill("Hugo")
    page.get_by_label(re.compile(r"^Nom")).fill("Lambert")
    page.get_by_label("Adresse e-mail").fill("hugo.lambert@mq.fr")
    structure = page.get_by_role("combobox", name="Structure")
    structure.focus()
    page.keyboard.type("quartier")
    expect(page.get_by_role("status").filter(has_text="résultats")).to_have_text(
        re.compile("^2 résultats")
    )
    expect(structure).to_have_attribute("aria-expanded", "true")
    assert_no_axe_violations(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("option", name="Maison de quartier Touleuses")).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("Enter")
    expect(structure).to_have_value("Maison de quartier Touleuses")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Hugo Lambert")
    hugo = Contact.objects.get(email="hugo.lambert@mq.fr")
    assert hugo.organization.name == "Maison de quartier Touleuses"


def test_a_successor_is_chosen_by_keyboard_and_a_wrong_name_explained(
    page: Page, live_server, coordinator, directory
):
    browser_login(page, live_server, coordinator)
    paul = directory["paul"]
    page.goto(f"{live_server.url}/t/cergy/annuaire/contacts/{paul.pk}/depart/")
    assert_no_axe_violations(page)

    # Without choosing, a name found nowhere: refused beside the field, the date kept.
    successor = page.get_by_role("combobox", name="Successeur déjà dans l'annuaire")
    successor.fill("Personne inconnue")
    expect(page.get_by_role("status").filter(has_text="Aucun")).to_have_text("Aucun résultat")
    page.get_by_role("button", name="Enregistrer le départ").click()
    expect(successor).to_have_attribute("aria-invalid", "true")
    expect(successor).to_have_accessible_description(
        re.compile("Aucune correspondance dans l'annuaire pour « Personne inconnue »")
    )
    expect(successor).to_have_value("Personne inconnue")
    assert_no_axe_violations(page)

    successor.fill("")
    successor.focus()
    page.keyboard.type("roux")
    expect(
        page.get_by_role("option", name="Julie Roux — Centre communal d'action sociale")
    ).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(successor).to_have_value("Julie Roux — Centre communal d'action sociale")
    page.get_by_role("button", name="Enregistrer le départ").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Paul Martin")
    paul.refresh_from_db()
    assert paul.successor == directory["julie"] and paul.left_at is not None
