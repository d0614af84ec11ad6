"""The progress page, the COPIL decisions' form and the COPIL meeting's page in a real
Chromium, checked with axe-core as the coordination and as a signatory; a decision recorded
with the keyboard only."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from evaluation.progress.models import CopilDecision
from tests.evaluation.test_progress_page import cls  # noqa: F401 (fixture)
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def progress(live_server, contract) -> str:
    return f"{live_server.url}/t/cergy/contrats/{contract.pk}/avancement/"


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_the_progress_page_has_no_violations(request, page: Page, live_server, cls, who):  # noqa: F811
    access = request.getfixturevalue(who)
    browser_login(page, live_server, access)
    if who == "viewer":
        # The dashboard leads there.
        expect(page.get_by_role("heading", level=2).first).to_have_text(
            "Avancement des contrats signés"
        )
        assert_no_axe_violations(page)
        page.get_by_role("link", name="Avancement · CLS de Cergy").click()
    else:
        page.goto(progress(live_server, cls["contract"]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Avancement · CLS de Cergy")
    expect(page.get_by_role("table", name="Fiches-actions par axe thématique")).to_be_visible()
    assert_no_axe_violations(page)
    # The sections are one keypress away.
    page.get_by_role("link", name="Décisions du COPIL").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#decisions")).to_be_focused()
    # On a phone, the wide tables scroll in their own box, not the page.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_the_copil_meeting_page_with_its_decisions_has_no_violations(
    request,
    page: Page,
    live_server,
    cls,  # noqa: F811
    who,
):
    access = request.getfixturevalue(who)
    meeting = cls["decisions"][0].meeting
    browser_login(page, live_server, access)
    page.goto(f"{live_server.url}/t/cergy/reunions/{meeting.pk}/")
    section = page.get_by_role("region", name="Décisions et recommandations de ce comité")
    expect(section).to_contain_text("Publier un annuaire de l'offre de santé")
    assert_no_axe_violations(page)


def test_a_decision_is_recorded_with_the_keyboard(page: Page, live_server, coordinator, cls):  # noqa: F811
    contract = cls["contract"]
    browser_login(page, live_server, coordinator)
    page.goto(progress(live_server, contract))
    page.get_by_role("link", name="Ajouter une décision ou une recommandation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle décision du COPIL")
    assert_no_axe_violations(page)
    # Sent empty: the errors are said, beside their fields, and pass axe too.
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Rien de ce que vous avez saisi")
    assert_no_axe_violations(page)
    page.get_by_label("Décision ou recommandation").fill("Ouvrir une permanence CPAM au centre")
    structure = page.get_by_role("combobox", name="Structure qui la porte")
    structure.fill("ars")
    expect(page.get_by_role("option", name="ARS 95")).to_be_visible()
    structure.press("ArrowDown")
    structure.press("Enter")
    page.get_by_label("Échéance").fill("2031-06-30")
    page.get_by_label("Échéance").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Avancement · CLS de Cergy")
    decision = CopilDecision.objects.get(what="Ouvrir une permanence CPAM au centre")
    assert decision.organization.name == "ARS 95" and str(decision.due_on) == "2031-06-30"
    expect(page.get_by_role("table", name="Décisions et recommandations")).to_contain_text(
        "Ouvrir une permanence CPAM au centre"
    )
    page.get_by_role("link", name="Modifier : Ouvrir une permanence CPAM au centre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier une décision du COPIL")
    assert_no_axe_violations(page)


def test_a_decision_is_deleted_after_a_confirmation_with_the_keyboard(
    page: Page,
    live_server,
    coordinator,
    cls,  # noqa: F811
):
    decision = CopilDecision.objects.create(
        contract=cls["contract"], what="Décision saisie deux fois", who_label="CLS"
    )
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/decisions/{decision.pk}/modifier/")
    page.get_by_role("link", name="Supprimer la décision…").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer cette décision ?")
    expect(page.get_by_role("main")).to_contain_text("Décision saisie deux fois")
    assert CopilDecision.objects.filter(pk=decision.pk).exists()  # looking deletes nothing
    assert_no_axe_violations(page)
    # Changing one's mind leads back to the decision, still there.
    page.get_by_role("link", name="Ne pas supprimer").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier une décision du COPIL")
    page.get_by_role("link", name="Supprimer la décision…").click()
    page.get_by_role("button", name="Supprimer la décision").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Avancement · CLS de Cergy")
    expect(page.get_by_role("status")).to_contain_text("La décision est supprimée.")
    assert not CopilDecision.objects.filter(pk=decision.pk).exists()
