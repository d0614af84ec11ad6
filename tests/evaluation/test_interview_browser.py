"""The interview pages in a real Chromium, checked with axe-core: the list by axis and by
group, an interview, and its form with the directory's picker, used with the keyboard."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from evaluation.interviews.models import Interview
from tests.evaluation.test_survey_data import partner
from tests.factories import AxisFactory, ContractFactory, WorkGroupFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCESS = "Accès aux droits, aux soins et à la prévention"


@pytest.fixture
def review(territory):
    contract = ContractFactory(territory=territory, title="CLS 2023-2028")
    axis = AxisFactory(contract=contract, number=1, title=ACCESS)
    group = WorkGroupFactory(contract=contract, axis=axis, name="GT Accès aux droits")
    nadia = partner(territory, first_name="Nadia", last_name="Benali")
    for n in range(3):
        Interview.objects.create(
            contract=contract,
            held_on=dt.date(2025, 5, 10 + n),
            interviewee=f"Partenaire {n}",
            group=group if n else None,
            axis=None if n else axis,
            needs="Un interprète ; des créneaux de PMI.",
            follow_up="Inviter au GT de juin.",
        )
    return {"contract": contract, "axis": axis, "group": group, "nadia": nadia}


def test_the_interview_pages_have_no_violations(page: Page, live_server, coordinator, review):
    browser_login(page, live_server, coordinator)
    base = f"{live_server.url}/t/cergy/entretiens/"
    page.goto(base)
    expect(page.get_by_role("heading", level=2, name=f"Axe 1 : {ACCESS}")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"{base}?par=groupe")
    expect(page.get_by_role("heading", level=2, name="GT Accès aux droits")).to_be_visible()
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Partenaire 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entretien avec Partenaire 1")
    assert_no_axe_violations(page)


def test_an_interview_is_recorded_with_the_keyboard(page: Page, live_server, coordinator, review):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/entretiens/nouveau/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvel entretien")
    assert_no_axe_violations(page)
    page.locator("select[name=contract]").select_option(label="CLS 2023-2028")
    person = page.get_by_role("combobox", name="Personne rencontrée (annuaire)")
    person.fill("benali")
    option = page.get_by_role("option", name="Nadia Benali", exact=False)
    expect(option).to_be_visible()
    person.press("ArrowDown")
    person.press("Enter")
    page.locator("select[name=group]").select_option(label="GT Accès aux droits (2023-2028)")
    page.get_by_label("Besoins").fill("Un lieu pour les permanences.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entretien avec Nadia Benali")
    assert_no_axe_violations(page)
    made = Interview.objects.get(contact=review["nadia"])
    assert made.group == review["group"] and made.needs == "Un lieu pour les permanences."
