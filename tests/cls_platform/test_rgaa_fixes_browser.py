"""The RGAA fixes in a real Chromium, checked with axe-core and used with the keyboard: the
network's figure named by its caption (1.9), the site map (12.1), an interview's deletion
confirmed (11.12), the warning before an idle session ends and its button (13.1).
The answer page of an invitation (7.4) is walked in tests/workgroups/test_browser.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from evaluation.interviews.models import Interview
from tests.evaluation.test_network import (
    network_url,
    partnership,  # noqa: F401 (a fixture)
)
from tests.factories import ContractFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAPTION_START = "Chaque disque est une structure"


def test_the_network_drawing_is_a_figure_named_by_its_caption(
    page: Page,
    live_server,
    coordinator,
    partnership,  # noqa: F811
):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}{network_url(coordinator.territory)}")
    figure = page.get_by_role("figure")
    expect(figure).to_have_count(1)
    caption = " ".join(page.locator("figcaption").inner_text().split())
    name = figure.evaluate("f => f.getAttribute('aria-labelledby')")
    assert page.locator(f"#{name}").evaluate("c => c.tagName") == "FIGCAPTION"
    # The name Chromium computes is the caption's text: what a screen reader announces.
    expect(page.get_by_role("figure", name=caption, exact=True)).to_have_count(1)
    assert caption.startswith(CAPTION_START)
    expect(figure.get_by_role("img", name="Réseau partenarial")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_site_map_is_reached_and_used_with_the_keyboard(page: Page, live_server, coordinator):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/")
    footer_link = page.get_by_role("contentinfo").get_by_role("link", name="Plan du site")
    footer_link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan du site")
    expect(page.get_by_role("heading", level=2, name="Cergy · Coordination")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("main").get_by_role("link", name="Réseau partenarial").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Réseau partenarial")
    # Signed out, the map lists the pages anyone may read, without a violation either.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/plan-du-site/")
    expect(page.get_by_role("main").get_by_role("link", name="Connexion")).to_be_visible()
    assert_no_axe_violations(page)


def test_deleting_an_interview_goes_through_a_confirmation(page: Page, live_server, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    interview = Interview.objects.create(
        contract=contract, held_on=dt.date(2025, 5, 12), interviewee="Nadia Benali"
    )
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/entretiens/{interview.pk}/")
    page.get_by_role("link", name="Supprimer cet entretien…").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer cet entretien ?")
    assert Interview.objects.filter(pk=interview.pk).exists()
    assert_no_axe_violations(page)
    # Changing one's mind: back to the interview, still there.
    page.get_by_role("link", name="Ne pas supprimer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entretien avec Nadia Benali")
    page.get_by_role("link", name="Supprimer cet entretien…").click()
    page.get_by_role("button", name="Supprimer l'entretien").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("L'entretien est supprimé.")
    assert not Interview.objects.filter(pk=interview.pk).exists()


def session_end(page: Page):
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    return Session.objects.get(pk=key).expire_date


def test_the_session_s_end_is_announced_and_pushed_back(
    page: Page, live_server, coordinator, settings
):
    """A session of 362 seconds: taken a minute early, the warning shows five minutes before
    its end, two seconds after the page loads."""
    settings.SESSION_COOKIE_AGE = 362
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/")
    notice = page.get_by_role("alertdialog")
    expect(notice).to_be_visible(timeout=10_000)
    expect(notice).to_contain_text("votre session se terminera à")
    stay = notice.get_by_role("button", name="Prolonger la session")
    expect(stay).to_be_focused()  # the keyboard is right there
    assert_no_axe_violations(page)
    before = session_end(page)
    page.wait_for_timeout(1100)  # so that the saved end is a second later at least
    page.keyboard.press("Enter")
    expect(notice).to_be_hidden()
    assert session_end(page) > before
    # Still signed in: the page reloads as the coordinator's.
    page.reload()
    expect(page.get_by_role("navigation", name="Navigation principale")).to_be_visible()


def test_an_ended_session_says_so_and_leads_to_sign_in(
    page: Page, live_server, coordinator, settings
):
    settings.SESSION_COOKIE_AGE = 62  # ends, for the page, two seconds after it loads
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/")
    notice = page.get_by_role("alertdialog")
    expect(notice).to_contain_text("Votre session a pris fin", timeout=10_000)
    link = notice.get_by_role("link", name="Se reconnecter")
    expect(link).to_be_focused()
    assert_no_axe_violations(page)
    # By now the server has ended it too (the page counts a minute early: here, at once).
    Session.objects.all().delete()
    link.click()
    expect(page).to_have_url(f"{live_server.url}/connexion/?next=/t/cergy/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
