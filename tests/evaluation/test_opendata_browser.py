"""The open-data pages in a real Chromium, checked with axe-core: the coordination publishes a
contract with the keyboard, then anyone reads the public page and follows its links."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.evaluation.test_opendata import build_contract
from tests.factories import ContractFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contract_is_published_with_the_keyboard_and_read_by_anyone(
    page: Page, live_server, coordinator, territory, browser
):
    contract = build_contract(territory)
    ContractFactory(territory=territory, title="CLS suivant", status="draft")
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/donnees-ouvertes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Données ouvertes des contrats")
    expect(page.get_by_text("Publiable une fois signé")).to_be_visible()
    assert_no_axe_violations(page)

    publish = page.get_by_role("button", name=f"Publier « {contract.title} » en données ouvertes")
    publish.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        f"« {contract.title} » est publié en données ouvertes."
    )
    expect(
        page.get_by_role("button", name=f"Retirer « {contract.title} » des données ouvertes")
    ).to_be_visible()
    assert_no_axe_violations(page)

    # Anyone, without an account, from the address the coordination hands out.
    visitor = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    try:
        public = visitor.new_page()
        public.goto(f"{live_server.url}/donnees-ouvertes/cergy/")
        expect(public.get_by_role("heading", level=1)).to_have_text(
            "Données ouvertes du Contrat local de santé · Cergy"
        )
        expect(public.get_by_role("listitem").filter(has_text=contract.title)).to_be_visible()
        expect(public.get_by_text("Dernière mise à jour :")).to_be_visible()
        assert_no_axe_violations(public)
        public.set_viewport_size({"width": 390, "height": 844})
        assert public.evaluate("document.documentElement.scrollWidth") <= 390
        link = public.get_by_role("link", name="Document complet")
        document = public.request.get(link.get_attribute("href"))
        assert document.ok
        assert [c["titre"] for c in json.loads(document.text())["contrats"]] == [contract.title]
        csv_link = public.get_by_role("link", name="Fiches-actions", exact=True)
        assert public.request.get(csv_link.get_attribute("href")).text().startswith("contratId,")
    finally:
        visitor.close()
