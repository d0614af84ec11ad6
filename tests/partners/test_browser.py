"""The directory and the partners' own pages in a real Chromium, checked with axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from partners.models import HandOver, Sector
from partners.tokens import contact_token
from tests.factories import ContactFactory, ContractFactory, OrganizationFactory, WorkGroupFactory
from tests.support.browser import assert_no_axe_violations, browser_login
from workgroups.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory(territory):
    org = OrganizationFactory(
        territory=territory,
        name="Centre communal d'action sociale",
        acronym="CCAS",
        is_internal=True,
    )
    org.sectors.add(Sector.objects.get_or_create(slug="social", defaults={"name": "Social"})[0])
    paul = ContactFactory(
        territory=territory,
        organization=org,
        first_name="Paul",
        last_name="Martin",
        email="paul@ccas.fr",
        phone="01 02 03 04 05",
    )
    ContactFactory(territory=territory, organization=org, first_name="Anne", last_name="Roux")
    # Nobody has heard of her for four years: the review list is not empty.
    ContactFactory(
        territory=territory,
        organization=org,
        first_name="Hélène",
        last_name="Ancienne",
        last_activity_at=timezone.now() - dt.timedelta(days=4 * 365),
    )
    # Known by address only, with a phone: what a viewer must not read.
    nameless = ContactFactory(
        territory=territory,
        organization=org,
        first_name="",
        last_name="",
        email="sans.nom@ccas.fr",
        phone="06 55 44 33 22",
    )
    group = WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Santé mentale")
    Membership.objects.create(group=group, contact=paul)
    Membership.objects.create(group=group, contact=nameless)
    HandOver.objects.create(contact=paul, successor_first_name="Léa", successor_email="lea@ccas.fr")
    return {"org": org, "paul": paul, "nameless": nameless, "group": group}


def visit(page: Page, url: str, heading: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_no_axe_violations(page)


def test_coordinator_directory_pages_have_no_violations(
    page: Page, live_server, coordinator, directory
):
    browser_login(page, live_server, coordinator)
    base = f"{live_server.url}/t/cergy/annuaire"
    page.get_by_role("link", name="Annuaire", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Structures partenaires")
    assert_no_axe_violations(page)

    # Filters are labelled fields a keyboard user can reach.
    page.get_by_label("Service de la collectivité").select_option("oui")
    page.get_by_role("button", name="Filtrer").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 structure")
    page.get_by_role("link", name="Centre communal d'action sociale").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Centre communal")
    expect(page.get_by_text("GT Santé mentale")).to_be_visible()
    assert_no_axe_violations(page)

    visit(page, f"{base}/contacts/", "Contacts")
    visit(page, f"{base}/contacts/{directory['paul'].pk}/", "Paul Martin")
    visit(page, f"{base}/contacts/a-revoir/", "Contacts à revoir")  # the old address
    assert page.url == f"{base}/contacts/revue/"
    expect(page.get_by_role("link", name="Hélène Ancienne")).to_be_visible()
    assert_no_axe_violations(page)
    visit(page, f"{base}/departs/", "Départs signalés")
    visit(page, f"{base}/structures/nouvelle/", "Nouvelle structure")
    paul = directory["paul"].pk
    visit(page, f"{base}/contacts/{paul}/depart/", "Départ de Paul Martin")
    visit(page, f"{base}/contacts/{paul}/modifier/", "Modifier « Paul Martin »")
    visit(page, f"{base}/contacts/{paul}/effacer/", "Effacer Paul Martin")
    visit(page, f"{base}/contacts/{directory['nameless'].pk}/", "sans.nom@ccas.fr")


def test_viewer_directory_pages_have_no_violations_and_no_addresses(
    page: Page, live_server, viewer, directory
):
    browser_login(page, live_server, viewer)
    base = f"{live_server.url}/t/cergy/annuaire"
    pages = [
        (f"{base}/structures/", "Structures partenaires"),
        (f"{base}/structures/{directory['org'].pk}/", "Centre communal"),
    ]
    # People's pages are refused to signatories; the structures' pages name no one.
    for url, heading in pages:
        visit(page, url, heading)
        text = page.content()
        assert "Paul Martin" not in text, url
        assert "@ccas.fr" not in text, url
        assert "06 55 44 33 22" not in text and "01 02 03 04 05" not in text, url


def test_a_duplicate_address_is_explained_and_accessible(
    page: Page, live_server, coordinator, directory
):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/annuaire/contacts/nouveau/")
    page.get_by_label("Prénom").fill("Paul")
    page.get_by_label(re.compile(r"^Nom")).fill("Martin")
    page.get_by_label("Adresse e-mail").fill("PAUL@ccas.fr")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(
        page.get_by_role("link", name="Paul Martin (Centre communal d'action sociale)")
    ).to_be_visible()
    expect(page.get_by_label("Prénom")).to_have_value("Paul")
    assert_no_axe_violations(page)


def test_import_preview_is_readable(page: Page, live_server, coordinator, tmp_path):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/annuaire/import/")
    assert_no_axe_violations(page)
    sheet = tmp_path / "annuaire.csv"
    sheet.write_text(
        "Nom;Prénom;Structure;Courriel\nRoux;Anne;CCAS;anne@ccas.fr\nX;Y;Z;pas-une-adresse\n",
        encoding="utf-8",
    )
    page.get_by_label("Fichier CSV ou Excel (.xlsx)").set_input_files(str(sheet))
    page.get_by_role("button", name="Prévisualiser l'import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aperçu de l'import")
    expect(
        page.get_by_role("cell", name="adresse e-mail invalide : « pas-une-adresse »")
    ).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import enregistré")
    assert_no_axe_violations(page)


def test_partner_pages_from_a_signed_link(page: Page, live_server, directory):
    paul = directory["paul"]
    base = f"{live_server.url}/partenaire/{contact_token(paul)}"
    visit(page, f"{base}/", "Bonjour Paul Martin")
    page.get_by_label("Fonction").fill("Directeur adjoint")
    page.get_by_role("button", name="Enregistrer mes coordonnées").click()
    expect(page.get_by_text("vos coordonnées sont à jour")).to_be_visible()
    assert_no_axe_violations(page)
    visit(page, f"{base}/depart/", "Vous avez quitté votre structure")
    visit(page, f"{base}/desinscription/", "Ne plus rien recevoir")
    page.get_by_role("button", name="Me désinscrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous êtes désinscrit·e")
    assert_no_axe_violations(page)
    visit(page, f"{live_server.url}/partenaire/faux-jeton/", "Ce lien a expiré")


def test_the_directory_fits_a_phone(page: Page, live_server, coordinator, directory, territory):
    """At 390 px the page never scrolls sideways: the filters stack, and the contacts' table
    scrolls within its own box (its rows' links keep it reachable by keyboard)."""
    for n in range(12):
        ContactFactory(
            territory=territory,
            organization=directory["org"],
            first_name="Marie-Christine",
            last_name=f"Longuenom-Delacroix{n:02d}",
            job_title="Coordinatrice du programme de réussite éducative",
        )
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, coordinator)
    base = f"{live_server.url}/t/cergy/annuaire"
    for url, heading in [
        (f"{base}/contacts/", "Contacts"),
        (f"{base}/structures/", "Structures partenaires"),
        (f"{base}/contacts/{directory['paul'].pk}/", "Paul Martin"),
        (f"{base}/contacts/revue/", "Contacts à revoir"),
    ]:
        visit(page, url, heading)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.goto(f"{base}/contacts/")
    table = page.get_by_role("table", name="Contacts de l'annuaire")
    assert table.evaluate("t => t.parentElement.scrollWidth > t.parentElement.clientWidth")
    last = page.get_by_role("link", name="Roux Anne")
    last.focus()
    expect(last).to_be_in_viewport()
