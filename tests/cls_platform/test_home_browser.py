"""The chooser of a user with many territories in a real Chromium, checked with axe-core: searched
and paged with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cls_platform.models import Role
from tests.factories import AccessFactory, TerritoryFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def delegation(viewer):
    cergy = viewer.territory
    cergy.insee_code, cergy.department_code = "95127", "95"
    cergy.save()
    for index in range(60):
        territory = TerritoryFactory(
            name=f"Commune {index:02d}", slug=f"commune-{index:02d}", department_code="94"
        )
        AccessFactory(user=viewer.user, territory=territory, role=Role.VIEWER)
    return viewer


def test_the_chooser_is_searched_and_paged_with_the_keyboard(page: Page, live_server, delegation):
    browser_login(page, live_server, delegation)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_have_text("61 territoires")
    cards = page.get_by_role("main").get_by_role("heading", level=2)
    expect(cards).to_have_count(50)
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Page suivante").focus()
    page.keyboard.press("Enter")
    expect(cards).to_have_count(11)
    expect(page.get_by_role("navigation", name="Pagination")).to_contain_text("Page 2 sur 2")

    search = page.get_by_role("searchbox", name="Rechercher un territoire")
    search.focus()
    page.keyboard.type("val d'oise")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("1 territoire correspond à « val d'oise »")
    expect(cards).to_have_count(1)
    expect(cards.first).to_have_text("Cergy")
    expect(search).to_have_value("val d'oise")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Tous mes territoires").focus()
    page.keyboard.press("Enter")
    expect(cards).to_have_count(50)
    page.get_by_role("main").get_by_role("link", name="Tous mes contrats").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tous mes contrats")
