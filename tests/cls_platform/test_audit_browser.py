"""The journal in a real Chromium, checked with axe-core: filtered, unfolded and followed to one
object's history with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cls_platform.audit import AuditEvent, audit_event
from partners.models import Contact
from tests.factories import ContactFactory, ContractFactory, FicheActionFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def trail(coordinator):
    territory = coordinator.territory
    fiche = FicheActionFactory(contract=ContractFactory(territory=territory), title="Nutrition")
    fiche.copilots.add(ContactFactory(territory=territory, first_name="Awa", last_name="Diallo"))
    fiche.status = "in_progress"
    fiche.save()
    audit_event(AuditEvent.EXPORT, model=Contact, territory=territory, format="csv", rows=12)
    return fiche


def test_the_journal_is_filtered_and_read_with_the_keyboard(
    page: Page, live_server, coordinator, trail
):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/journal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal des modifications")
    assert_no_axe_violations(page)

    kind = page.get_by_label("Type d'objet")
    kind.focus()
    kind.select_option(label="Fiches-actions")
    page.keyboard.press("Tab")  # to the next filter; Enter in a field submits the form
    page.get_by_role("button", name="Filtrer").focus()
    page.keyboard.press("Enter")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Nutrition")
    expect(table).to_contain_text("Awa Diallo")
    expect(table).not_to_contain_text("Format CSV")

    creation = page.locator("summary").first
    creation.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details[open]")).to_have_count(1)
    assert_no_axe_violations(page)

    page.get_by_role("link", name=f"Son historique : {trail}").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Historique : {trail}")
    expect(table).to_contain_text("En cours")
    assert_no_axe_violations(page)


def test_a_wrong_date_range_is_said_in_french(page: Page, live_server, coordinator, trail):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/journal/?du=2026-05-10&au=2026-05-01")
    expect(page.get_by_role("main")).to_contain_text("La date de fin précède la date de début.")
    assert_no_axe_violations(page)
