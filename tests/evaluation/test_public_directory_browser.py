"""The public directory in a real Chromium, checked with axe-core: the public list, its search
used with the keyboard and without JavaScript, a structure's page, on a desktop and a phone; the
coordination's pages, a structure published with the keyboard, and a refused entry."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from evaluation.public_directory.models import PublicListing
from partners.models import Qpv
from tests.evaluation.test_public_directory import online, structure
from tests.factories import ContactFactory, OrganizationFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def offer(territory):
    online(territory, intro="Où se faire soigner, se faire dépister ou trouver une écoute à Cergy.")
    sebille = Qpv.objects.create(territory=territory, name="Sébille")
    structure(
        territory,
        "Centre de santé Denis Mukwege",
        sectors=("sante",),
        publics=("tout-public", "precarite"),
        address="Place de l'Horloge, 95000 Cergy",
        offer_description="Médecine générale et soins infirmiers, avec ou sans rendez-vous.",
    )
    paej = structure(
        territory,
        "Point d'accueil écoute jeunes",
        acronym="PAEJ",
        sectors=("jeunesse", "sante"),
        publics=("jeunes",),
        qpv=sebille,
        website="https://paej.example.fr",
        offer_description="Écoute gratuite et anonyme des 12-25 ans.",
    )
    listing = paej.public_listing
    listing.phone, listing.email = "01 99 00 10 10", "ecoute@paej.example.fr"
    listing.save()
    for n in range(22):
        structure(territory, f"Cabinet infirmier {n:02d}", publics=("tout-public",))
    ContactFactory(territory=territory, organization=paej, first_name="Nadia", last_name="Benali")
    return {"paej": paej, "sebille": sebille}


def test_the_public_pages_are_searched_with_the_keyboard_without_javascript(
    browser, live_server, offer
):
    context = browser.new_context(
        locale="fr-FR", java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/offre-de-sante/cergy/")
        expect(page.get_by_role("heading", level=1)).to_have_text("L'offre de santé à Cergy")
        expect(page.get_by_role("heading", level=2, name="24 structures")).to_be_visible()
        assert_no_axe_violations_without_js(page)

        search = page.get_by_role("search", name="Rechercher dans l’offre de santé")
        search.get_by_label("Public accueilli").select_option(label="Adolescents et jeunes adultes")
        words = search.get_by_label("Rechercher")
        words.fill("ecoute")
        words.press("Enter")  # the form is sent by the browser itself: no script
        expect(page).to_have_url(re.compile(r"\?q=ecoute&secteur=&public=jeunes&quartier="))
        expect(page.get_by_role("heading", level=2, name="1 structure")).to_be_visible()
        assert_no_axe_violations_without_js(page)

        page.get_by_role("link", name="Point d'accueil écoute jeunes").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Point d'accueil écoute jeunes"
        )
        expect(page.get_by_role("link", name="01 99 00 10 10")).to_have_attribute(
            "href", "tel:0199001010"
        )
        assert "Benali" not in page.content()
        assert_no_axe_violations_without_js(page)
    finally:
        context.close()


def assert_no_axe_violations_without_js(page: Page) -> None:
    """axe-core is a script: run it in a twin page with JavaScript, on the same address."""
    twin = page.context.browser.new_context(locale="fr-FR", viewport=page.viewport_size)
    try:
        checked = twin.new_page()
        checked.goto(page.url)
        assert_no_axe_violations(checked)
    finally:
        twin.close()


def test_the_public_pages_fit_a_phone(page: Page, live_server, offer):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/offre-de-sante/cergy/?page=2")
    expect(page.get_by_role("link", name="Page précédente")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/offre-de-sante/cergy/structures/{offer['paej'].pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)
    # Tab order starts with the skip link, which leads to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()


def test_the_coordination_publishes_with_the_keyboard(
    page: Page, live_server, coordinator, territory
):
    online(territory)
    cmp = OrganizationFactory(territory=territory, name="Centre médico-psychologique")
    OrganizationFactory(territory=territory, name="Protection maternelle et infantile")
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/offre-de-sante/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire public de l'offre de santé")
    assert_no_axe_violations(page)

    # Refused without the date of the agreement: said in French, the box still ticked.
    box = page.get_by_role("checkbox", name="Cocher Centre médico-psychologique")
    box.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Publier les structures cochées").click()
    expect(page.get_by_role("alert")).to_contain_text("Indiquez la date de l'accord")
    expect(box).to_be_checked()
    assert_no_axe_violations(page)

    page.get_by_label("Date de leur accord").fill("2026-02-02")
    page.get_by_role("button", name="Publier les structures cochées").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "1 structure ajoutée à l'annuaire public."
    )
    assert PublicListing.objects.get(organization=cmp).is_public

    page.get_by_role("link", name="Centre médico-psychologique").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fiche publique · Centre médico-psychologique"
    )
    assert_no_axe_violations(page)
    page.get_by_label("Adresse e-mail de la structure").fill("pas une adresse")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Adresse e-mail de la structure")).to_have_value("pas une adresse")
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/t/cergy/offre-de-sante/presentation/")
    assert_no_axe_violations(page)
    page.get_by_label("Texte de présentation").fill("Se soigner à Cergy.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire public de l'offre de santé")
    page.goto(f"{live_server.url}/offre-de-sante/cergy/")
    expect(page.get_by_text("Se soigner à Cergy.")).to_be_visible()
    expect(page.get_by_role("link", name="Centre médico-psychologique")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
