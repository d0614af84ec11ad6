"""Removing a member of a group in a real Chromium, with the keyboard only, checked with
axe-core: "Retirer" opens the question, the way back removes nobody, the second press does."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ContactFactory, ContractFactory, WorkGroupFactory
from tests.support.browser import assert_no_axe_violations, browser_login
from workgroups.models import Membership, MembershipKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_is_removed_only_after_the_question_with_the_keyboard(
    page: Page, live_server, coordinator, territory
):
    group = WorkGroupFactory(
        contract=ContractFactory(territory=territory), name="GT Accès aux soins"
    )
    amina = ContactFactory(territory=territory, first_name="Amina", last_name="Benali")
    Membership.objects.create(group=group, contact=amina, kind=MembershipKind.MEMBER)
    browser_login(page, live_server, coordinator)
    group_url = f"{live_server.url}/t/cergy/groupes/{group.pk}/"
    page.goto(group_url)

    page.get_by_role("button", name="Retirer Amina Benali", exact=True).focus()
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Retirer Amina Benali du groupe « GT Accès aux soins » ?")
    assert_no_axe_violations(page)

    # The way back first: nobody removed.
    page.get_by_role("link", name="Revenir au groupe sans retirer personne").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(group_url)
    assert group.memberships.filter(contact=amina).exists()

    page.get_by_role("button", name="Retirer Amina Benali", exact=True).focus()
    page.keyboard.press("Enter")
    confirm = page.get_by_role("button", name="Retirer Amina Benali du groupe")
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Amina Benali ne fait plus partie du groupe.")
    expect(page.get_by_role("button", name="Retirer Amina Benali", exact=True)).to_have_count(0)
    assert not group.memberships.filter(contact=amina).exists()
