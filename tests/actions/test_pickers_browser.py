"""In Chromium: the structures of the fiche-action form and the signatories of the signing page
are chosen with the keyboard in comboboxes that ask the server as one types; checked with
axe-core, list open."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from actions.models import ContractStatus
from tests.factories import AxisFactory, ContractFactory, FicheActionFactory, OrganizationFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/t/cergy"


@pytest.fixture
def contract(territory):
    contract = ContractFactory(
        territory=territory, title="CLS de Cergy", status=ContractStatus.DRAFT, signed_on=None
    )
    AxisFactory(contract=contract, number=1, title="Accès aux droits")
    for name in (
        "CPTS de Cergy",
        "CCAS de Cergy",
        "Centre social des Touleuses",
        "Centre social de la Sébille",
    ):
        OrganizationFactory(territory=territory, name=name)
    return contract


def pick(page: Page, field, typed: str, count: int, position: int) -> None:
    """Type in the combobox, wait for `count` matches, take the `position`-th with the arrows."""
    field.focus()
    page.keyboard.type(typed)
    listbox = page.locator(f"#{field.get_attribute('aria-controls')}")
    expect(listbox.get_by_role("option")).to_have_count(count)
    for _ in range(position):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def test_the_fiche_s_structures_are_chosen_with_the_keyboard(
    page: Page, live_server, coordinator, contract
):
    fiche = FicheActionFactory(
        contract=contract, thematic_axis=contract.axes.get(), number="1.1", title="Médiation"
    )
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}{BASE}/fiches/{fiche.pk}/modifier/")
    expect(page.locator("select option", has_text="CPTS de Cergy")).to_have_count(0)

    pilot = page.get_by_role("combobox", name=re.compile("^Structure pilote"))
    pilot.focus()
    page.keyboard.type("cpts")
    expect(page.get_by_role("option", name="CPTS de Cergy")).to_be_visible()
    page.keyboard.press("ArrowDown")
    assert_no_axe_violations(page)  # the list open, an option active
    page.keyboard.press("Enter")
    expect(pilot).to_have_value("CPTS de Cergy")

    partners = page.get_by_role("group", name="Structures partenaires")
    first = partners.get_by_role("combobox", name="Structure").first
    pick(page, first, "centre social", 2, 2)
    expect(first).to_have_value("Centre social des Touleuses")
    partners.get_by_label("Rôle").first.fill("Accueil")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Enregistrer la fiche-action").click()

    expect(page.locator(".messages")).to_contain_text("enregistrée")
    fiche.refresh_from_db()
    assert fiche.pilot_organization.name == "CPTS de Cergy"
    assert list(fiche.partnerships.values_list("organization__name", "role")) == [
        ("Centre social des Touleuses", "Accueil")
    ]


def test_the_signatories_are_chosen_with_the_keyboard(
    page: Page, live_server, coordinator, contract
):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}{BASE}/contrats/{contract.pk}/signer/")
    expect(page.get_by_role("combobox")).to_have_count(12)
    assert_no_axe_violations(page)
    first = page.get_by_role("combobox", name=re.compile(r"^Signataire n° 1\b"))
    pick(page, first, "ccas", 1, 1)
    expect(first).to_have_value("CCAS de Cergy")
    second = page.get_by_role("combobox", name=re.compile(r"^Signataire n° 2\b"))
    pick(page, second, "sébille", 1, 1)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Enregistrer la signature").click()

    expect(page.locator(".messages")).to_contain_text("Le contrat est signé")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    assert [s.organization.name for s in contract.signatories.order_by("order")] == [
        "CCAS de Cergy",
        "Centre social de la Sébille",
    ]
