"""The RGAA non-conformities of the audit grid, fixed (cls_platform/rgaa/grid.py): what a person
notices on each page. Browser checks (axe-core, keyboard) are in test_rgaa_fixes_browser.py."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from cls_platform.models import Access, Role
from evaluation.interviews.models import Interview
from evaluation.surveys.models import Question, Section
from partners.tokens import contact_token
from tests.evaluation.test_survey_data import campaign, partner, question, respond, send
from tests.evaluation.test_survey_results import answered  # noqa: F401 (a fixture)
from tests.factories import ContactFactory, ContractFactory, TerritoryFactory
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's text as read: tags out, entities decoded, runs of white space as one."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html_lib.unescape(body).split())


class Attributes(HTMLParser):
    """Every tag's attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(response) -> list[tuple[str, dict[str, str | None]]]:
    parser = Attributes()
    parser.feed(response.content.decode())
    return parser.tags


# --- 8.2: the results page is valid: no id twice, no empty action ------------------------------


@pytest.mark.parametrize("by", ["", "secteur"])
def test_the_results_page_holds_no_id_twice_and_no_empty_action(
    login_as,
    coordinator,
    answered,  # noqa: F811
    by,
):
    client = login_as(coordinator)
    url = reverse(
        "evaluation:survey_results", kwargs={"territory": "cergy", "pk": answered["survey"].pk}
    )
    response = client.get(url + (f"?par={by}" if by else ""))
    assert response.status_code == 200
    tags = tags_of(response)
    charts = [a for tag, a in tags if tag == "svg" and "pygal-chart" in (a.get("class") or "")]
    assert len(charts) >= 3  # several charts, each with a legend: the case that repeated ids
    ids = Counter(a["id"] for _tag, a in tags if a.get("id"))
    assert [i for i, n in ids.items() if n > 1] == []
    assert all(a.get("action") != "" for tag, a in tags if tag == "form")
    # Each chart's <style> names its own chart: the colours still apply to the right one.
    page = response.content.decode()
    for chart in charts:
        assert f"#{chart['id']} " in page or f"#{chart['id']}{{" in page


# --- 11.10: required fields said so before sending --------------------------------------------


def labels(response) -> dict[str, str]:
    """Each <label>'s text, by the id of the field it names."""
    found = re.findall(r'<label for="([^"]+)"[^>]*>(.*?)</label>', response.content.decode(), re.S)
    return {
        for_: " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", text)).split())
        for for_, text in found
    }


def test_required_fields_are_marked_in_the_contact_form(login_as, coordinator):
    shown = labels(login_as(coordinator).get("/t/cergy/annuaire/contacts/nouveau/"))
    assert shown["id_email"].startswith("Adresse e-mail (obligatoire)")
    assert "obligatoire" not in shown["id_phone"]
    assert "obligatoire" not in shown["id_first_name"]


def test_required_fields_are_marked_in_the_work_group_form(login_as, coordinator):
    shown = labels(
        login_as(coordinator).get(reverse("workgroups:group_create", kwargs={"territory": "cergy"}))
    )
    required = [text for text in shown.values() if "(obligatoire)" in text]
    optional = [text for text in shown.values() if "(obligatoire)" not in text]
    assert any(text.startswith("Nom") for text in required)
    assert optional  # the optional ones are not marked


def test_required_fields_are_marked_in_the_fiche_action_form(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    url = reverse("actions:fiche_create", kwargs={"territory": "cergy", "pk": contract.pk})
    shown = labels(login_as(coordinator).get(url))
    assert any(text.startswith("Intitulé (obligatoire)") for text in shown.values()), shown
    assert any("obligatoire" not in text for text in shown.values())


def test_the_partner_s_details_form_marks_only_what_it_requires(territory):
    zoe = ContactFactory(territory=territory, first_name="Zoé", last_name="Martin")
    page = Client().get(reverse("partner_links:self_service", kwargs={"token": contact_token(zoe)}))
    shown = labels(page)
    # Name or first name: neither is required alone, so neither is marked.
    assert not any("obligatoire" in text for text in shown.values())


# --- 11.12: deleting asks to confirm ----------------------------------------------------------


@pytest.fixture
def interview(territory):
    contract = ContractFactory(territory=territory)
    return Interview.objects.create(
        contract=contract, held_on=dt.date(2025, 5, 12), interviewee="Nadia Benali"
    )


def test_deleting_an_interview_asks_first(login_as, coordinator, interview):
    client = login_as(coordinator)
    detail = client.get(f"/t/cergy/entretiens/{interview.pk}/")
    delete_url = f"/t/cergy/entretiens/{interview.pk}/supprimer/"
    # The detail page links to a confirmation; no form there posts the deletion.
    assert f'href="{delete_url}"' in detail.content.decode()
    assert f'action="{delete_url}"' not in detail.content.decode()
    page = client.get(delete_url)
    assert page.status_code == 200
    text = text_of(page)
    assert "Supprimer cet entretien ?" in text and "Nadia Benali · 12/05/2025" in text
    assert "La suppression est définitive" in text
    assert f'href="/t/cergy/entretiens/{interview.pk}/">Ne pas supprimer' in page.content.decode()
    assert Interview.objects.filter(pk=interview.pk).exists()  # looking deletes nothing
    response = client.post(delete_url)
    assert response["Location"] == "/t/cergy/entretiens/"
    assert not Interview.objects.filter(pk=interview.pk).exists()


def test_deleting_a_section_or_a_question_asks_first(login_as, coordinator, territory):
    survey = campaign(territory)
    knows = question(survey, "Connaissez-vous")
    section = knows.section
    count = section.questions.count()
    client = login_as(coordinator)
    listing = client.get(f"/t/cergy/questionnaires/{section.questionnaire_id}/").content.decode()
    assert f'href="/t/cergy/questionnaires/parties/{section.pk}/supprimer/"' in listing
    assert f'href="/t/cergy/questionnaires/questions/{knows.pk}/supprimer/"' in listing
    assert not re.search(r'action="[^"]*/supprimer/"', listing)  # no one-click deletion left

    page = text_of(client.get(f"/t/cergy/questionnaires/parties/{section.pk}/supprimer/"))
    assert "Supprimer cette partie ?" in page and f"« {section.title} »" in page
    assert (f"Ses {count} questions seront supprimées" if count > 1 else "Sa question") in page
    page = text_of(client.get(f"/t/cergy/questionnaires/questions/{knows.pk}/supprimer/"))
    assert "Supprimer cette question ?" in page and knows.text in page
    assert Section.objects.filter(pk=section.pk).exists()
    assert Question.objects.filter(pk=knows.pk).exists()

    client.post(f"/t/cergy/questionnaires/questions/{knows.pk}/supprimer/")
    assert not Question.objects.filter(pk=knows.pk).exists()


def test_what_cannot_be_deleted_is_said_on_the_confirmation_page(login_as, coordinator, territory):
    lea = partner(territory)
    survey = campaign(territory)
    send(survey)
    knows = question(survey, "Connaissez-vous")
    respond(survey, lea, {knows: "Un peu"})
    client = login_as(coordinator)
    response = client.get(f"/t/cergy/questionnaires/questions/{knows.pk}/supprimer/")
    assert "elle ne peut plus être supprimée" in text_of(response)
    assert "Supprimer la question" not in text_of(response)  # no button to press in vain
    response = client.get(f"/t/cergy/questionnaires/parties/{knows.section_id}/supprimer/")
    assert "elle ne peut plus être supprimée" in text_of(response)


@pytest.mark.parametrize("who", ["copilot", "viewer"])
def test_only_the_coordination_reaches_the_confirmations(request, login_as, interview, who):
    client = login_as(request.getfixturevalue(who))
    assert client.get(f"/t/cergy/entretiens/{interview.pk}/supprimer/").status_code == 403


# --- 11.13: the person's own details can be filled in by the browser -------------------------


def autocomplete_of(response) -> dict[str, str | None]:
    return {a.get("name"): a.get("autocomplete") for tag, a in tags_of(response) if tag == "input"}


def test_the_partner_s_details_fields_say_what_they_hold(territory):
    zoe = ContactFactory(territory=territory)
    page = Client().get(reverse("partner_links:self_service", kwargs={"token": contact_token(zoe)}))
    fields = autocomplete_of(page)
    assert fields["details-first_name"] == "given-name"
    assert fields["details-last_name"] == "family-name"
    assert fields["details-job_title"] == "organization-title"
    assert fields["details-phone"] == "tel"
    assert 'type="tel" name="details-phone"' in page.content.decode()


def test_the_account_forms_say_what_they_hold(login_as, coordinator):
    assert autocomplete_of(Client().get("/connexion/"))["password"] == "current-password"
    assert "email" in autocomplete_of(Client().get("/connexion/")).values()
    fields = autocomplete_of(login_as(coordinator).get(reverse("security:password_change")))
    assert fields["old_password"] == "current-password"
    assert fields["new_password1"] == fields["new_password2"] == "new-password"


# --- 12.1: a site map beside the menu ----------------------------------------------------------


def map_links(response) -> list[str]:
    main = response.content.decode().split('<main id="contenu"', 1)[1].split("</main>", 1)[0]
    return re.findall(r'<a href="([^"#]+)"', main)


def test_every_page_links_to_the_site_map(client, login_as, coordinator):
    assert 'href="/plan-du-site/">Plan du site</a>' in client.get("/connexion/").content.decode()
    signed_in = login_as(coordinator).get("/t/cergy/", follow=True).content.decode()
    assert 'href="/plan-du-site/">Plan du site</a>' in signed_in


def test_signed_out_the_map_lists_the_public_pages_only(client):
    response = client.get("/plan-du-site/")
    assert response.status_code == 200
    assert set(map_links(response)) == {
        "/connexion/",
        "/accessibilite/",
        "/plan-du-site/",
        "/healthz",
    }


@pytest.mark.parametrize("who", ["coordinator", "copilot", "viewer"])
def test_every_link_of_the_map_opens_for_the_role(request, login_as, who):
    access = request.getfixturevalue(who)
    client = login_as(access)
    response = client.get("/plan-du-site/")
    text = text_of(response)
    assert f"{access.territory.name} · {access.get_role_display()}" in text
    links = map_links(response)
    assert "/t/cergy/fiches/" in links and "/t/cergy/reseau-partenarial/" in links
    for url in links:
        assert client.get(url, follow=True).status_code == 200, url
    coordination_only = {"/t/cergy/journal/", "/t/cergy/entretiens/", "/t/cergy/questionnaires/"}
    assert (coordination_only <= set(links)) == (who == "coordinator")
    assert ("/t/cergy/annuaire/contacts/" in links) == (who != "viewer")


def test_the_map_shows_only_one_s_own_territories_in_constant_queries(login_as, coordinator):
    other = TerritoryFactory(name="Vitry-sur-Seine", slug="vitry")
    client = login_as(coordinator)
    assert "/t/vitry/" not in client.get("/plan-du-site/").content.decode()

    def grant(numbers: range) -> None:
        for n in numbers:
            Access.objects.create(
                user=coordinator.user,
                territory=TerritoryFactory(name=f"Commune {n:02d}", slug=f"commune-{n:02d}"),
                role=Role.VIEWER,
            )

    grant(range(2))  # 3 territories with Cergy, then 30
    assert_constant_queries(client, "/plan-du-site/", lambda: grant(range(2, 29)), at_most=8)
    first = text_of(client.get("/plan-du-site/"))
    assert "Commune 00 · Signataire (lecture seule)" in first and "Tous mes contrats" in first
    assert "30 territoires" in first and "Page 1 sur 2" in first
    assert "Cergy ·" in first and "Commune 18 ·" in first, "20 territories a page, by name"
    assert "Commune 19 ·" not in first
    second = text_of(client.get("/plan-du-site/?page=2"))
    assert "Commune 19 ·" in second and "Commune 28 ·" in second and "Cergy ·" not in second
    assert other.name not in first + second


def test_the_map_finds_a_territory_among_many(login_as, coordinator):
    for n in range(25):
        Access.objects.create(
            user=coordinator.user,
            territory=TerritoryFactory(name=f"Commune {n:02d}", slug=f"commune-{n:02d}"),
            role=Role.VIEWER,
        )
    page = text_of(login_as(coordinator).get("/plan-du-site/?q=cergy"))
    assert "1 territoire correspond à « cergy »" in page
    assert "Cergy · Coordination" in page and "Commune 00" not in page
    assert "Tous mes contrats" in page


@pytest.mark.parametrize("url", ["/", "/plan-du-site/"])
def test_a_nul_typed_in_the_territory_search_is_dropped_not_a_server_error(
    login_as, coordinator, url
):
    # PostgreSQL refuses a NUL in a query: the search reads "cergy" and answers.
    Access.objects.create(
        user=coordinator.user,
        territory=TerritoryFactory(name="Commune 00", slug="commune-00"),
        role=Role.VIEWER,
    )
    response = login_as(coordinator).get(url + "?q=cer%00gy")
    assert response.status_code == 200
    assert "1 territoire correspond à « cergy »" in text_of(response)


# --- 13.1: an idle session's end, announced and pushed back ------------------------------------


def test_a_signed_in_page_carries_the_warning_and_its_settings(login_as, coordinator, settings):
    page = login_as(coordinator).get("/t/cergy/", follow=True).content.decode()
    tag = re.search(r"<script src=\"/static/js/session-timeout\.js\"[^>]*>", page)[0]
    assert f'data-seconds-left="{settings.SESSION_COOKIE_AGE}"' in tag
    assert 'data-url="/session/prolonger/"' in tag and "data-csrf=" in tag
    assert "Prolonger la session" in tag
    assert "session-timeout.js" not in Client().get("/connexion/").content.decode()


def test_staying_signed_in_pushes_the_session_s_end_back(login_as, coordinator):
    client = login_as(coordinator)
    client.get("/t/cergy/")
    key = client.session.session_key
    Session.objects.filter(pk=key).update(
        expire_date=Session.objects.get(pk=key).expire_date - dt.timedelta(minutes=50)
    )
    before = Session.objects.get(pk=key).expire_date
    response = client.post("/session/prolonger/")
    assert response.status_code == 200
    assert response.json()["seconds_left"] > 50 * 60
    assert Session.objects.get(pk=key).expire_date >= before + dt.timedelta(minutes=49)
    assert client.get("/session/prolonger/").status_code == 405


def test_an_ended_session_is_not_revived(client):
    response = client.post("/session/prolonger/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
