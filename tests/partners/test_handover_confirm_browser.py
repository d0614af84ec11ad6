"""Confirming a declared departure in a real Chromium, with the keyboard only, checked with
axe-core: "Confirmer le départ" opens the question, the way back changes nobody, the second press
confirms."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from partners.models import HandOver, HandOverStatus
from tests.factories import ContactFactory, OrganizationFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_departure_is_confirmed_only_after_the_question_with_the_keyboard(
    page: Page, live_server, coordinator, territory
):
    paul = ContactFactory(
        territory=territory,
        organization=OrganizationFactory(territory=territory, name="Mission locale"),
        first_name="Paul",
        last_name="Martin",
    )
    hand_over = HandOver.objects.create(
        contact=paul,
        left_on=dt.date(2026, 11, 2),
        successor_first_name="Léa",
        successor_last_name="Bonnet",
        successor_email="lea.bonnet@ml.fr",
    )
    browser_login(page, live_server, coordinator)
    list_url = f"{live_server.url}/t/cergy/annuaire/departs/"
    page.goto(list_url)

    page.get_by_role("button", name="Confirmer le départ", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confirmer le départ de Paul Martin ?"
    )
    assert_no_axe_violations(page)

    # The way back first: nothing changes.
    page.get_by_role("link", name="Revenir aux départs signalés sans rien changer").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(list_url)
    hand_over.refresh_from_db()
    assert hand_over.status == HandOverStatus.PENDING

    page.get_by_role("button", name="Confirmer le départ", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Confirmer le départ de Paul Martin").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Départ confirmé.")
    hand_over.refresh_from_db()
    paul.refresh_from_db()
    assert hand_over.status == HandOverStatus.CONFIRMED
    assert paul.left_at == dt.date(2026, 11, 2)
