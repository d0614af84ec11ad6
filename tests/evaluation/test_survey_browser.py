"""The survey pages in a real Chromium, checked with axe-core: the partner's questionnaire on a
desktop and on a phone (390 px), answered with the keyboard; the results with their charts and
tables; the campaign's page and the questionnaire's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from evaluation.surveys.models import Answer
from evaluation.surveys.tokens import answer_token
from tests.evaluation.test_survey_data import (
    campaign,
    invitation_of,
    partner,
    question,
    respond,
    send,
)
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def asked(territory):
    people = [partner(territory, sectors=(s,)) for s in ("sante", "sante", "social", "sport")]
    lea = partner(territory, first_name="Léa", last_name="Roux")
    earlier = campaign(territory, title="Bilan 2024", opens=-30, closes=0)
    send(earlier)
    respond(earlier, people[0], {question(earlier, "Connaissez-vous"): "Non"})
    respond(earlier, people[1], {question(earlier, "Le CLS a-t-il permis"): 1})
    earlier.refresh_from_db()
    earlier.closes_on = earlier.opens_on
    earlier.save()
    survey = campaign(territory, title="Bilan 2025", questionnaire=earlier.questionnaire)
    send(survey)
    for n, person in enumerate(people):
        respond(
            survey,
            person,
            {
                question(survey, "Connaissez-vous"): ["Oui, bien", "Un peu", "Non"][n % 3],
                question(survey, "Qu'attendez-vous"): ["Partager des expériences"],
                question(survey, "Le CLS a-t-il permis"): 2 + n,
                question(survey, "Commentaires"): f"Une remarque « {n} »",
            },
        )
    return {"survey": survey, "lea": lea}


def answer_url(live_server, survey, person) -> str:
    return f"{live_server.url}/t/cergy/repondre/{answer_token(invitation_of(survey, person).pk)}/"


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["bureau", "telephone"])
def test_a_partner_answers_with_the_keyboard_on_any_screen(
    page: Page, live_server, asked, viewport
):
    survey, lea = asked["survey"], asked["lea"]
    if viewport:
        page.set_viewport_size(viewport)
    page.goto(answer_url(live_server, survey, lea))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan 2025")
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    # Sent without the required answer: the summary names the question and leads to it.
    page.get_by_role("button", name="Envoyer mes réponses").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Connaissez-vous le CLS ?")
    assert_no_axe_violations(page)
    alert.get_by_role("link").click()
    knows = page.get_by_role("group", name="Connaissez-vous le CLS ? (obligatoire)")
    expect(knows.get_by_role("radio").first).to_be_focused()

    # Arrows move within the radio group, space ticks a box, as a keyboard user does.
    page.keyboard.press("ArrowDown")
    expect(knows.get_by_role("radio", name="Un peu")).to_be_checked()
    expects = page.get_by_role("group", name="Qu'attendez-vous des groupes de travail ?")
    expects.get_by_role("checkbox", name="Construire des projets communs").focus()
    page.keyboard.press("Space")
    page.get_by_role("group", name=re.compile("^Le CLS a-t-il permis")).get_by_role(
        "radio", name="5 : Tout à fait"
    ).check()
    page.get_by_label("Commentaires libres").fill("Merci pour les comptes-rendus.")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_role("status")).to_contain_text("Merci, vos réponses sont enregistrées.")
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    mine = Answer.objects.filter(invitation=invitation_of(survey, lea))
    assert {a.choice.label for a in mine if a.choice} == {
        "Un peu",
        "Construire des projets communs",
    }
    assert {a.value for a in mine if a.value} == {5}


def test_the_closed_and_the_invalid_link_pages_are_clear(page: Page, live_server, asked):
    survey, lea = asked["survey"], asked["lea"]
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/t/cergy/repondre/faux/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ce lien de questionnaire n'est pas valide"
    )
    assert_no_axe_violations(page)
    survey.closes_on = survey.opens_on
    survey.save()
    page.goto(answer_url(live_server, survey, lea))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce questionnaire est clos")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("by", ["", "secteur", "groupe"])
def test_the_results_page_has_no_violations(page: Page, live_server, coordinator, asked, by):
    survey = asked["survey"]
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/enquetes/{survey.pk}/resultats/?par={by}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultats · Bilan 2025")
    chart = page.get_by_role("img", name=re.compile("^Graphique : Connaissez-vous le CLS"))
    expect(chart).to_be_visible()
    assert page.locator("main script, main svg script").count() == 0
    expect(
        page.get_by_role("table", name="Répartition des réponses : Connaissez-vous le CLS ?")
    ).to_be_visible()
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = chart.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390


def test_a_viewer_reads_the_results_without_violations(page: Page, live_server, viewer, asked):
    browser_login(page, live_server, viewer)
    page.goto(f"{live_server.url}/t/cergy/enquetes/{asked['survey'].pk}/resultats/?par=secteur")
    expect(page.get_by_text("Résultats d'ensemble")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_campaign_and_questionnaire_pages_have_no_violations(
    page: Page, live_server, coordinator, asked
):
    survey = asked["survey"]
    browser_login(page, live_server, coordinator)
    for path, heading in (
        ("/t/cergy/enquetes/", "Campagnes de questionnaire"),
        (f"/t/cergy/enquetes/{survey.pk}/", "Bilan 2025"),
        (f"/t/cergy/enquetes/{survey.pk}/modifier/", "Modifier « Bilan 2025 »"),
        ("/t/cergy/enquetes/nouvelle/", "Nouvelle campagne"),
        ("/t/cergy/questionnaires/", "Questionnaires"),
        (f"/t/cergy/questionnaires/{survey.questionnaire_id}/", survey.questionnaire.title),
        (
            f"/t/cergy/questionnaires/questions/{question(survey, 'Le CLS a-t-il').pk}/",
            "Modifier la question",
        ),
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_no_axe_violations(page)
