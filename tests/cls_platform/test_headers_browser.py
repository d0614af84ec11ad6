"""The Content-Security-Policy in a real Chromium: what it blocks is reported and logged, and the
pages whose inline styles it now refuses look and work as before, with no violation.

Every test here also runs under tests.support.csp_watch.py: a violation in the console or
a report logged by the server fails it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.evaluation.test_survey_results import answered  # noqa: F401 (fixture)
from tests.evaluation.test_survey_results import url as results_url
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from tests.support.browser import assert_no_axe_violations, browser_login
from workgroups.models import Attendance, Invitation, MeetingStatus, Rsvp
from workgroups.tokens import invitation_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRAND = "rgb(29, 63, 143)"  # #1d3f8f, the bars of the charts and of the attendance


def test_an_injected_handler_does_not_run_and_is_reported(browser, live_server, caplog):
    """The control: markup slipped into a page (as an XSS would) runs nothing, and the browser's
    report reaches the log. Its own context: the other tests fail on any violation."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        with caplog.at_level(logging.WARNING, logger="trame.csp"):
            response = page.goto(f"{live_server.url}{reverse('login')}")
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.evaluate(
                """() => document.body.insertAdjacentHTML('beforeend',
                    '<img src="/introuvable.png" onerror="document.title=\\'piraté\\'">'
                    + '<p style="color: red">rouge</p>')"""
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and len(csp_logged(caplog)) < 2:
                page.wait_for_timeout(100)
        assert page.title() != "piraté"
        assert page.locator("p", has_text="rouge").evaluate("p => getComputedStyle(p).color") != (
            "rgb(255, 0, 0)"
        )
        logged = " | ".join(csp_logged(caplog))
        assert "script-src-attr" in logged and "style-src-attr" in logged, logged
        assert "login" in logged
        assert any("Content Security Policy" in text for text in console)
    finally:
        context.close()


def csp_logged(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "trame.csp"]


def test_survey_charts_keep_their_colours(page: Page, live_server, coordinator, answered):  # noqa: F811
    """pygal's <style> passes with the page's nonce: its bars are the brand's blue, not black."""
    browser_login(page, live_server, coordinator)
    response = page.goto(f"{live_server.url}{results_url(answered['survey'])}")
    assert "'nonce-" in response.headers["content-security-policy"]
    bar = page.locator(".result__chart svg .series.serie-0 rect").first
    expect(bar).to_be_attached()
    assert bar.evaluate("r => getComputedStyle(r).fill") == BRAND
    assert_no_axe_violations(page)


def test_the_attendance_bars_keep_their_lengths(page: Page, live_server, coordinator):
    """Drawn as SVG now (a width in a style attribute is refused): 10 present is twice 5."""
    group = WorkGroupFactory(contract=ContractFactory(territory=coordinator.territory))
    for days, present in ((60, 5), (30, 10)):
        start = timezone.now() - dt.timedelta(days=days)
        meeting = MeetingFactory(
            group=group,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            status=MeetingStatus.HELD,
        )
        for _ in range(present):
            Invitation.objects.create(
                meeting=meeting,
                contact=ContactFactory(territory=coordinator.territory),
                attendance=Attendance.PRESENT,
            )
    browser_login(page, live_server, coordinator)
    page.goto(
        live_server.url
        + reverse(
            "workgroups:group_detail",
            kwargs={"territory": coordinator.territory.slug, "pk": group.pk},
        )
    )
    bars = page.locator(".bars__bar rect")
    expect(bars).to_have_count(2)
    widths = [bars.nth(i).evaluate("r => r.getBoundingClientRect().width") for i in range(2)]
    assert widths[1] > 100
    assert abs(widths[1] - 2 * widths[0]) < 2, widths
    assert bars.first.evaluate("r => getComputedStyle(r).fill") == BRAND
    assert_no_axe_violations(page)


def test_the_rsvp_page_sends_on_its_button_and_changes_by_keyboard(
    page: Page, live_server, territory
):
    """static/js/rsvp.js runs under the policy; the answer goes on the button (RGAA 7.4: nothing
    is sent on load); the change of mind is reached with Tab."""
    meeting = MeetingFactory(group=WorkGroupFactory(contract=ContractFactory(territory=territory)))
    invitation = Invitation.objects.create(
        meeting=meeting, contact=ContactFactory(territory=territory)
    )
    address = reverse("meeting_links:rsvp", args=[invitation_token(invitation.pk), "oui"])
    response = page.goto(f"{live_server.url}{address}")
    assert response.headers["cache-control"] == "no-store"
    page.get_by_role("button", name="Envoyer : je viens").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, vous êtes inscrit·e")
    invitation.refresh_from_db()
    assert invitation.rsvp == Rsvp.YES
    change = page.get_by_role("button", name="Finalement, je ne viens pas")
    for _ in range(30):
        page.keyboard.press("Tab")
        if change.evaluate("b => b === document.activeElement"):
            break
    expect(change).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("C'est noté, vous ne venez pas")
    )
    invitation.refresh_from_db()
    assert invitation.rsvp == Rsvp.NO
    assert_no_axe_violations(page)
