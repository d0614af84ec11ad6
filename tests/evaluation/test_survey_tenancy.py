"""The tenancy walk over the pages of the surveys and the interviews: each route is requested
as an anonymous visitor, as another territory's coordinator, with another territory's object,
as a viewer and a co-pilot who may change nothing; inside one's territory, no page shows another
territory, and a viewer reads no address or phone.

The project-wide walk (tests/cls_platform/test_tenancy.py) covers these routes once the makers
below are registered there; until then this module walks them with the same rules.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cls_platform.access import POLICY_PUBLIC, POLICY_TERRITORY
from evaluation.interviews.models import Interview
from evaluation.surveys import questionnaires
from evaluation.surveys.models import Question, Questionnaire, Section, Survey
from tests.conftest import login
from tests.evaluation.test_survey_data import campaign, question, respond, send
from tests.factories import ContactFactory, ContractFactory
from tests.support.urlwalk import Route, sample_value, walk, without_tokens

pytestmark = pytest.mark.django_db

SECRET_DOMAIN = "@partenaire.fr"
SECRET_PHONE = "06 12 34 56 78"
MARKER = "zqxmarqueur"
MINE = ("questionnaire", "section", "question", "survey", "interview")


def nameless(territory, **kwargs: Any):
    return ContactFactory(
        territory=territory, first_name="", last_name="", phone=SECRET_PHONE, **kwargs
    )


def answered_survey(t) -> Survey:
    survey = campaign(t)
    person = nameless(t)
    send(survey)
    respond(
        survey,
        person,
        {question(survey, "Connaissez-vous"): "Un peu", question(survey, "Commentaires"): "Bien"},
    )
    return survey


def first_section(t) -> Section:
    return questionnaires.questionnaire_create_default(territory=t).sections.first()


MAKERS: dict[type, Any] = {
    Questionnaire: lambda t: questionnaires.questionnaire_create_default(territory=t),
    Section: first_section,
    Question: lambda t: first_section(t).questions.first(),
    Survey: answered_survey,
    Interview: lambda t: Interview.objects.create(
        contract=ContractFactory(territory=t),
        held_on="2025-05-12",
        contact=nameless(t),
        needs="Un interprète",
    ),
}

ROUTES = [
    r
    for r in walk()
    if r.namespace == "evaluation" and any(r.name.startswith(f"{m}_") for m in MINE)
]
TERRITORY_ROUTES = [r for r in ROUTES if r.policy == POLICY_TERRITORY]
OBJECT_ROUTES = [r for r in TERRITORY_ROUTES if any(c == "int" for c, _n in r.kwargs)]


def route_id(route: Route) -> str:
    return f"{route.namespace}:{route.name}"


def url_for(route: Route, slug: str, object_territory) -> str:
    values: dict[str, Any] = {}
    for converter, name in route.kwargs:
        if name == "territory":
            values[name] = slug
        elif converter == "int":
            view = route.view_class
            model = getattr(view, "url_model", None) or getattr(view, "model", None)
            values[name] = MAKERS[model](object_territory).pk
        else:
            values[name] = sample_value(converter)
    return route.build(values)


def has_get(route: Route) -> bool:
    view = route.view_class
    return "get" in getattr(view, "http_method_names", []) and hasattr(view, "get")


def test_the_walk_finds_every_page_of_the_surveys_and_interviews():
    names = {route_id(r) for r in ROUTES}
    assert {
        "evaluation:survey_list",
        "evaluation:survey_results",
        "evaluation:survey_answer",
        "evaluation:questionnaire_detail",
        "evaluation:question_edit",
        "evaluation:interview_list",
        "evaluation:interview_export_xlsx",
    } <= names
    public = {route_id(r) for r in ROUTES if r.policy == POLICY_PUBLIC}
    assert public == {"evaluation:survey_answer"}
    assert all(r.policy in (POLICY_TERRITORY, POLICY_PUBLIC) for r in ROUTES)


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
def test_anonymous_visitor_is_sent_to_sign_in(route, territory):
    url = url_for(route, territory.slug, territory)
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
def test_another_territory_answers_not_found(route, territory, outsider):
    client = login(Client(), outsider)
    url = url_for(route, territory.slug, territory)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
def test_object_of_another_territory_answers_not_found(route, territory, coordinator, outsider):
    client = login(Client(), coordinator)
    url = url_for(route, territory.slug, outsider.territory)
    assert client.get(url).status_code in (404, 405)
    assert client.post(url).status_code in (404, 405)


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
@pytest.mark.parametrize("who", ["viewer", "copilot"])
def test_viewers_and_copilots_change_nothing(request, route, territory, who):
    client = login(Client(), request.getfixturevalue(who))
    url = url_for(route, territory.slug, territory)
    response = client.post(url, {"title": "modifié", "text": "modifié", "kind": "text"})
    view = route.view_class
    writes = hasattr(view, "post") or getattr(view, "coordinator_only", False)
    # A viewer is refused any POST; a co-pilot reads the campaigns (405 on a read-only page)
    # and writes nothing of them.
    expected = 403 if who == "viewer" or writes else 405
    assert response.status_code == expected, f"POST {url} → {response.status_code}"


@pytest.fixture
def other_territory_markers(outsider):
    t = outsider.territory
    survey = campaign(t, title=f"Campagne {MARKER}")
    person = ContactFactory(territory=t, last_name=f"Personne {MARKER}")
    send(survey)
    respond(survey, person, {question(survey, "Commentaires"): f"Texte {MARKER}"})
    Interview.objects.create(
        contract=survey.contract, held_on="2025-05-12", interviewee=f"Entretien {MARKER}"
    )


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
@pytest.mark.parametrize("who", ["coordinator", "copilot", "viewer"])
def test_every_page_of_ones_own_territory_answers_without_error(
    request, route, who, other_territory_markers
):
    access = request.getfixturevalue(who)
    client = login(Client(), access)
    url = url_for(route, access.territory.slug, access.territory)
    response = client.get(url)
    assert response.status_code in {200, 302, 403, 405}, (
        f"{route_id(route)} → {response.status_code}"
    )
    if who == "coordinator" and has_get(route):
        assert response.status_code == 200, route_id(route)
    page = without_tokens(response.content.decode(errors="replace").lower())
    assert MARKER not in page
    assert "vitry" not in page
    if who == "viewer" and response.status_code == 200:
        assert SECRET_DOMAIN not in page, route_id(route)
        assert SECRET_PHONE not in page, route_id(route)


def test_the_answer_page_of_a_forged_link_is_a_missing_page(territory):
    response = Client().get(f"/t/{territory.slug}/repondre/x/")
    assert response.status_code == 404
