"""The table of all one's contracts in a real Chromium, checked with axe-core: reached from the
chooser, sorted and filtered with the keyboard alone, scrolled sideways in its own box on a
phone."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from actions.models import ActionStatus, ContractStatus
from cls_platform.models import Role
from tests.factories import (
    AccessFactory,
    ContractFactory,
    FicheActionFactory,
    TerritoryFactory,
    WorkGroupFactory,
)
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def delegation(viewer):
    """The Cergy viewer of the fixtures also signs Vitry's and Meaux's contracts."""
    cergy = viewer.territory
    cergy.insee_code, cergy.department_code, cergy.population = "95127", "95", 69965
    cergy.save()
    for name, slug, insee, department, population in (
        ("Vitry-sur-Seine", "vitry-sur-seine", "94081", "94", 95282),
        ("Meaux", "meaux", "77284", "77", 56000),
    ):
        territory = TerritoryFactory(
            name=name,
            slug=slug,
            insee_code=insee,
            department_code=department,
            population=population,
            population_year=2022,
        )
        AccessFactory(user=viewer.user, territory=territory, role=Role.VIEWER)
    for territory in (cergy, *[a.territory for a in viewer.user.accesses.exclude(pk=viewer.pk)]):
        contract = ContractFactory(territory=territory, title=f"CLS de {territory.name}")
        FicheActionFactory(contract=contract, status=ActionStatus.DONE)
        FicheActionFactory(
            contract=contract,
            status=ActionStatus.IN_PROGRESS,
            end_date=dt.date.today() - dt.timedelta(days=40),
        )
        WorkGroupFactory(contract=contract)
    ContractFactory(territory=cergy, title="Contrat brouillon", status=ContractStatus.DRAFT)
    return viewer


def row_names(page: Page) -> list[str]:
    return page.locator("tbody th[scope=row]").all_inner_texts()


def tab_to(page: Page, name: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element's accessible text starts with `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement.innerText || ''")
        if text.strip().startswith(name):
            return
    raise AssertionError(f"« {name} » n'est pas atteint au clavier")


def test_the_table_reached_from_the_chooser_has_no_violations(page: Page, live_server, delegation):
    browser_login(page, live_server, delegation)
    page.get_by_role("link", name="Mes territoires").click()
    # The chooser loaded before axe reads it (axe once ran on the document being replaced).
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes territoires")
    assert_no_axe_violations(page)
    page.get_by_role("main").get_by_role("link", name="Tous mes contrats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tous mes contrats")
    expect(page.locator("tbody tr")).to_have_count(3)
    assert row_names(page) == ["Cergy", "Meaux", "Vitry-sur-Seine"]
    expect(page.get_by_role("main")).not_to_contain_text("brouillon")
    assert_no_axe_violations(page)

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    region = page.get_by_role("region", name="Contrats de vos territoires")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # the table scrolls, not the page
    assert_no_axe_violations(page)


def test_sorted_and_filtered_with_the_keyboard_alone(page: Page, live_server, delegation):
    browser_login(page, live_server, delegation)
    page.goto(f"{live_server.url}/t/cergy/")
    tab_to(page, "Tous mes contrats")  # in the main navigation, from any page
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/contrats/")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    expect(navigation.get_by_role("link", name="Tous mes contrats")).to_have_attribute(
        "aria-current", "page"
    )

    tab_to(page, "Population")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/contrats/?order=population")
    header = page.get_by_role("columnheader", name="Population")
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert row_names(page) == ["Meaux", "Cergy", "Vitry-sur-Seine"]

    tab_to(page, "Population")  # the same header, now offering the other way
    page.keyboard.press("Enter")
    expect(page.get_by_role("columnheader", name="Population")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert row_names(page) == ["Vitry-sur-Seine", "Cergy", "Meaux"]
    assert_no_axe_violations(page)

    page.get_by_label("Département").focus()
    page.keyboard.press("ArrowDown")  # the first department of the list: 77 · Seine-et-Marne
    expect(page.get_by_label("Département")).to_have_value("77")
    tab_to(page, "Filtrer")
    page.keyboard.press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)
    assert row_names(page) == ["Meaux"]
    assert "order=-population" in page.url  # the sort survives the filter
    expect(page.get_by_role("status").first).to_contain_text("1 contrat")
    assert_no_axe_violations(page)
