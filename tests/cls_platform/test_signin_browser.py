"""Setting up the second factor in a real Chromium, checked with axe-core and done with the
keyboard alone: sign in, land on enrolment, type the application's code, note the codes."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from cls_platform.security.otp import secret_of
from tests.factories import PASSWORD
from tests.support.browser import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.DEBUG = False
    settings.TRAME_OTP_REQUIRED = True


def test_a_coordinator_sets_up_the_second_factor_with_the_keyboard(
    page: Page, live_server, coordinator
):
    page.goto(f"{live_server.url}/connexion/?next=/t/cergy/")
    page.locator('input[name="username"]').fill(coordinator.user.email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la double authentification")
    expect(page.get_by_role("img", name="Scannez ce code QR avec l'application :")).to_be_visible()
    device = TOTPDevice.objects.get(user=coordinator.user, confirmed=False)
    expect(page.locator("#otp-secret")).to_have_text(secret_of(device))
    assert_no_axe_violations(page)

    # A wrong code first: the refusal is said next to the field, in French.
    code = page.get_by_role("textbox", name="Code")
    code.focus()
    page.keyboard.type("000000")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Ce code ne correspond pas.")).to_be_visible()
    assert_no_axe_violations(page)

    page.wait_for_timeout(1100)  # django-otp's wait after a wrong code: 1 s, then doubled
    page.get_by_role("textbox", name="Code").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{totp(device.bin_key):06d}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    expect(page.get_by_role("list", name="Codes de secours").get_by_role("listitem")).to_have_count(
        10
    )
    assert_no_axe_violations(page)

    page.get_by_role("link", name="J'ai noté mes codes, continuer").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/t/cergy/")


def test_the_code_page_and_the_account_pages_are_used_with_the_keyboard(
    page: Page, live_server, copilot
):
    device = TOTPDevice.objects.create(user=copilot.user, name="Téléphone", confirmed=True)
    page.goto(f"{live_server.url}/connexion/?next=/t/cergy/")
    page.locator('input[name="username"]').fill(copilot.user.email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Code de connexion")
    assert_no_axe_violations(page)
    page.get_by_role("textbox", name="Code").focus()
    page.keyboard.type(f"{totp(device.bin_key):06d}")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/t/cergy/")

    page.get_by_role("link", name="Sécurité du compte").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sécurité du compte")
    expect(page.get_by_text("Il vous reste 0 code de secours.")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Changer de mot de passe").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer de mot de passe")
    page.get_by_label("Ancien mot de passe").focus()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type("court")
    page.keyboard.press("Tab")
    page.keyboard.type("court")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Il doit contenir au minimum 12 caractères")).to_be_visible()
    assert_no_axe_violations(page)
