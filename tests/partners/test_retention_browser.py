"""The review of contacts kept too long, in a real Chromium: axe-core finds nothing, and a
keyboard user ticks a person, keeps them, then erases another through the confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from partners.models import Contact
from partners.retention import months_before
from tests.factories import ContactFactory, OrganizationFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def idle_people(territory):
    org = OrganizationFactory(territory=territory, name="Centre social des Touleuses")
    old = months_before(timezone.now(), 36) - dt.timedelta(days=40)
    people = {
        name: ContactFactory(
            territory=territory,
            organization=org,
            first_name=first,
            last_name=name,
            last_activity_at=old,
            **extra,
        )
        for first, name, extra in (
            ("Hélène", "Ancienne", {}),
            ("Marc", "Oublié", {"unsubscribed_at": timezone.now()}),
            ("Nadia", "Lointaine", {}),
        )
    }
    ContactFactory(territory=territory, organization=org, last_name="Active")
    return people


def test_a_keyboard_user_keeps_one_person_and_erases_another(
    page: Page, live_server, coordinator, idle_people
):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/annuaire/contacts/revue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts à revoir")
    expect(page.get_by_role("status").first).to_contain_text("3 contacts à revoir")
    page.get_by_text("Ce qui compte comme une interaction").click()
    assert_no_axe_violations(page)

    # Tick Hélène with the keyboard, then "Garder" with Enter.
    page.get_by_label("Cocher Hélène Ancienne").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Cocher Hélène Ancienne")).to_be_checked()
    page.get_by_role("button", name="Garder", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 personne est gardée")).to_be_visible()
    expect(page.get_by_role("link", name="Hélène Ancienne")).to_have_count(0)
    assert_no_axe_violations(page)

    # The unsubscribed person cannot be asked; erase her through the confirmation page.
    expect(page.get_by_role("button", name="Demander à Marc Oublié")).to_have_count(0)
    page.get_by_role("button", name="Effacer… Marc Oublié").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Effacer des contacts à revoir")
    expect(page.get_by_text("Cette personne sera effacée")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Effacer définitivement cette personne").press("Enter")
    expect(page.get_by_text("1 personne a été effacée")).to_be_visible()
    expect(page.get_by_role("status").last).to_contain_text("1 contact à revoir")

    marc = Contact.objects.get(pk=idle_people["Oublié"].pk)
    assert marc.anonymized_at is not None
    helene = Contact.objects.get(pk=idle_people["Ancienne"].pk)
    assert timezone.now() - helene.last_activity_at < dt.timedelta(minutes=5)


def test_the_review_reads_at_phone_width(page: Page, live_server, coordinator, idle_people):
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/annuaire/contacts/revue/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)
