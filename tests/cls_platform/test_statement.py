"""The accessibility statement (/accessibilite/): the RGAA 4.1 model, figures from the grid.

The page's percentage, status and non-conformities are read back from the HTML and compared
with cls_platform/rgaa.py, so that the page and the grid cannot disagree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from cls_platform import rgaa
from cls_platform.statement import accessibility
from tests.support.browser import assert_no_axe_violations, browser_login

URL = "/accessibilite/"
# The RGAA 4.1's 106 criteria, by theme (Images, Cadres, Couleurs, Multimédia...).
CRITERIA_PER_THEME = {1: 9, 2: 2, 3: 3, 4: 13, 5: 8, 6: 2, 7: 5, 8: 10, 9: 4, 10: 14, 11: 13}
CRITERIA_PER_THEME |= {12: 11, 13: 12}


def page_text(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- The grid ---------------------------------------------------------------------------------


def test_the_grid_lists_each_of_the_106_criteria_once():
    numbers = [criterion.number for criterion in rgaa.GRID]
    assert len(numbers) == 106 == len(set(numbers))
    expected = [
        f"{theme}.{n}" for theme, count in CRITERIA_PER_THEME.items() for n in range(1, count + 1)
    ]
    assert numbers == expected


def test_every_criterion_has_a_state_and_says_why():
    for criterion in rgaa.GRID:
        assert criterion.state in {rgaa.C, rgaa.NC, rgaa.NA}
        assert criterion.title.endswith("?"), criterion.number
        assert len(criterion.note) > 10, f"{criterion.number} : constat manquant"


def test_the_rate_is_conform_over_applicable_rounded_down():
    counts = rgaa.results(today=rgaa.AUDITED_ON)
    conform = sum(1 for c in rgaa.GRID if c.state == rgaa.C)
    non_conform = sum(1 for c in rgaa.GRID if c.state == rgaa.NC)
    assert (counts.conform, counts.non_conform) == (conform, non_conform)
    exact = Decimal(100 * conform) / Decimal(conform + non_conform)
    assert counts.rate <= exact < counts.rate + Decimal("0.1")


def grid_of(conform: int, non_conform: int, not_applicable: int = 0) -> tuple:
    row = rgaa.GRID[0]
    states = [rgaa.C] * conform + [rgaa.NC] * non_conform + [rgaa.NA] * not_applicable
    return tuple(dataclasses.replace(row, state=state) for state in states)


@pytest.mark.parametrize(
    ("conform", "non_conform", "status"),
    [
        (70, 0, "totalement conforme"),
        (35, 35, "partiellement conforme"),
        (36, 34, "partiellement conforme"),
        (34, 36, "non conforme"),
        (0, 0, "non conforme"),  # nothing applicable: no measure of anything
    ],
)
def test_the_status_follows_the_rgaa_thresholds(conform, non_conform, status):
    grid = grid_of(conform, non_conform, not_applicable=106 - conform - non_conform)
    assert rgaa.results(grid, today=rgaa.AUDITED_ON).status == status


def test_an_audit_older_than_three_years_counts_as_none():
    day_after = rgaa.results(today=rgaa.AUDITED_ON).valid_until + dt.timedelta(days=1)
    assert rgaa.results(today=rgaa.AUDITED_ON).status == "partiellement conforme"
    assert rgaa.results(today=day_after).status == "non conforme"


@pytest.mark.django_db
def test_the_session_criterion_agrees_with_the_session_length(settings, login_as, coordinator):
    """13.1: a session limited to less than twenty hours is conform only if a signed-in page
    warns before its end and lets the person extend it (static/js/session-timeout.js)."""
    (session,) = [c for c in rgaa.GRID if c.number == "13.1"]
    if settings.SESSION_COOKIE_AGE >= 20 * 3600:  # pragma: no cover
        pytest.fail("Les sessions durent au moins 20 heures : réévaluez le critère 13.1.")
    client = login_as(coordinator)
    page = client.get(reverse("home"), follow=True).content.decode()
    warns = "js/session-timeout.js" in page and 'data-stay-label="Prolonger la session"' in page
    extends = client.post(reverse("session_keep_alive")).status_code == 200
    assert session.state == (rgaa.C if warns and extends else rgaa.NC)


# --- The page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_the_grid_s_percentage_and_status(client: Client):
    response = client.get(URL)
    assert response.status_code == 200
    results = rgaa.results()
    shown = re.search(r"data-rate>([\d\s,]+) %<", response.content.decode())
    assert shown, "pourcentage introuvable"
    assert Decimal(shown[1].replace(",", ".")) == results.rate
    text = page_text(response)
    assert "Trame est en conformité partielle avec le référentiel général" in text
    assert f"Critères conformes : {results.conform}" in text
    assert f"Critères non conformes : {results.non_conform}" in text
    assert f"Critères non applicables : {results.not_applicable}" in text


@pytest.mark.django_db
def test_the_page_lists_every_non_conformity_with_its_reason(client: Client):
    text = page_text(client.get(URL))
    for criterion in rgaa.non_conformities():
        assert f"Critère {criterion.number} ({criterion.theme_title})" in text
        assert criterion.note in text.replace("&#x27;", "'").replace("&quot;", '"')


@pytest.mark.django_db
def test_the_detailed_grid_on_the_page_matches_the_module(client: Client):
    html = client.get(URL).content.decode()
    rows = re.findall(r'<tr id="critere-([\d.]+)">.*?data-state="(\w+)"', html)
    assert rows == [(c.number, str(c.state)) for c in rgaa.GRID]


@pytest.mark.django_db
def test_the_page_follows_the_rgaa_model(client: Client):
    text = page_text(client.get(URL))
    for heading in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Non-conformités",
        "Dérogations pour charge disproportionnée",
        "Contenus non soumis à l'obligation d'accessibilité",
        "Établissement de cette déclaration d'accessibilité",
        "Pages du site ayant fait l'objet de la vérification de conformité",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert heading in text.replace("&#x27;", "'"), heading
    assert "Cette déclaration a été établie le 3 décembre 2026." in text
    assert "sans lecteur d'écran" in text.replace("&#x27;", "'")


@pytest.mark.django_db
def test_the_defender_of_rights_can_be_reached_three_ways(client: Client):
    response = client.get(URL)
    html = response.content.decode()
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in html
    assert 'href="https://www.defenseurdesdroits.fr/saisir/delegues"' in html
    assert "Défenseur des droits<br>Libre réponse 71120<br>75342 Paris CEDEX 07" in html


@pytest.mark.django_db
@override_settings(ACCESSIBILITY_CONTACT_EMAIL="accessibilite@exploitant.fr")
def test_the_contact_is_the_instance_s_accessibility_address(client: Client):
    html = client.get(URL).content.decode()
    assert 'href="mailto:accessibilite@exploitant.fr"' in html


@pytest.mark.django_db
@override_settings(DEFAULT_FROM_EMAIL="Trame CLS <contact@exploitant.fr>")
def test_without_an_accessibility_address_the_sender_address_is_given(client: Client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = ""
    html = client.get(URL).content.decode()
    assert 'href="mailto:contact@exploitant.fr"' in html


@pytest.mark.django_db
def test_anyone_reads_it_without_signing_in(client: Client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Se déconnecter" not in response.content.decode()


@pytest.mark.django_db
def test_the_sign_in_page_links_to_the_statement(client: Client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{URL}"' in html
    assert "Déclaration d&#x27;accessibilité" in html or "Déclaration d'accessibilité" in html


def test_the_footer_words_come_from_the_grid(rf):
    assert accessibility(rf.get("/")) == {"accessibility_status": "partiellement conforme"}


@pytest.mark.django_db
def test_every_page_s_footer_says_the_status_and_links_the_statement(client: Client):
    html = client.get(reverse("login")).content.decode()
    footer = html[html.index("<footer") :]
    status = rgaa.results().status
    assert re.search(rf'<a href="{URL}">Accessibilité : {status}</a>', footer), footer


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_signed_in_or_not(client: Client, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as anonymous:
        client.get(URL)
    assert len(anonymous) == 0
    client.force_login(coordinator.user)
    client.get(URL)
    with CaptureQueriesContext(connection) as signed_in:
        client.get(URL)
    # The session, its user, and whether they read several territories (the navigation's link
    # to all their contracts).
    assert len(signed_in) <= 3


# --- In Chromium ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_statement_passes_axe_and_reads_by_keyboard(page: Page, live_server):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_role("link", name="Déclaration d'accessibilité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    assert_no_axe_violations(page)

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The link to the detailed grid, then the grid's scrolling box, are reached by keyboard.
    link = page.get_by_role(
        "link", name="La grille détaillée, critère par critère, est en fin de page."
    )
    for _ in range(10):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name=re.compile("Grille d'évaluation détaillée"))
    ).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("region", name=re.compile("Les 106 critères"))).to_be_focused()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_statement_passes_axe_when_signed_in(page: Page, live_server, coordinator):
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}{URL}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    assert_no_axe_violations(page)
