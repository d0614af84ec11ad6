"""The groups' health in a real Chromium, as a coordinator sees it with a fragile group and a
partner who stopped coming: the group list, the group's page at phone width and the dashboard,
axe-core clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import assert_no_axe_violations, browser_login
from tests.workgroups.test_health_pages import contract, drifting, silent  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_health_pages_are_accessible(
    page: Page,
    live_server,
    coordinator,
    silent,  # noqa: F811
    drifting,  # noqa: F811
) -> None:
    browser_login(page, live_server, coordinator)
    assert_no_axe_violations(page)  # the dashboard, with its evaluation section
    expect(page.get_by_role("heading", name="Évaluation du partenariat")).to_be_visible()
    page.goto(f"{live_server.url}/t/cergy/groupes/")
    expect(page.get_by_text("Fragile").first).to_be_visible()
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/t/cergy/groupes/{drifting.pk}/")
    expect(page.get_by_role("heading", name="Partenaires qui ne viennent plus")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)
