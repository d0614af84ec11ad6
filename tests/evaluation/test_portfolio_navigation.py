"""The main navigation leads whoever reads several territories to the table of all their
contracts (`/contrats/`), from any page; the others, and anonymous visitors, see no such link and
pay no query for it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from cls_platform.context_processors import several_territories
from cls_platform.models import Role
from tests.conftest import login
from tests.factories import AccessFactory

pytestmark = pytest.mark.django_db

LINK = "Tous mes contrats"


def navigation(response) -> str:
    page = response.content.decode()
    found = re.search(r'<nav class="site-nav".*?</nav>', page, re.DOTALL)
    assert found, "pas de navigation principale"
    return found.group(0)


def table_link(nav: str) -> str | None:
    """The navigation's link to the table, as written (with aria-current if it says so)."""
    found = re.search(r'<a href="/contrats/"[^>]*>\s*' + LINK + r"\s*</a>", nav)
    return found.group(0) if found else None


@pytest.fixture
def delegation(viewer, other_territory):
    """The signatory of Cergy, who reads Vitry too: an ARS delegation."""
    AccessFactory(user=viewer.user, territory=other_territory, role=Role.VIEWER)
    return viewer


def test_a_reader_of_several_territories_finds_the_table_from_every_page(delegation):
    client = login(Client(), delegation)
    for url in ("/t/cergy/", "/t/cergy/contrats/", "/t/vitry-sur-seine/", "/"):
        link = table_link(navigation(client.get(url)))
        assert link and "aria-current" not in link, url
    table = client.get("/contrats/")
    assert table.status_code == 200
    assert 'aria-current="page"' in table_link(navigation(table))


def test_a_reader_of_one_territory_gets_no_link_to_the_table(coordinator):
    client = login(Client(), coordinator)
    assert LINK not in navigation(client.get("/t/cergy/"))
    assert LINK not in client.get("/t/cergy/contrats/").content.decode()


def test_the_link_appears_once_a_second_territory_is_granted(coordinator, other_territory):
    client = login(Client(), coordinator)
    assert table_link(navigation(client.get("/t/cergy/"))) is None
    AccessFactory(user=coordinator.user, territory=other_territory, role=Role.VIEWER)
    assert table_link(navigation(client.get("/t/cergy/")))


def test_the_question_costs_one_query_a_request_and_none_when_anonymous(delegation):
    request = RequestFactory().get("/t/cergy/")
    request.user = delegation.user
    several = several_territories(request)["several_territories"]
    with CaptureQueriesContext(connection) as asked:
        assert several() and several() and several()
    assert len(asked.captured_queries) == 1
    anonymous = RequestFactory().get("/connexion/")
    anonymous.user = AnonymousUser()
    with CaptureQueriesContext(connection) as asked:
        assert not several_territories(anonymous)["several_territories"]()
    assert asked.captured_queries == []


def test_an_anonymous_page_runs_no_query_for_the_navigation():
    """The sign-in page, seen without a session: no query at all (no access asked)."""
    client = Client()
    client.get("/connexion/")
    with CaptureQueriesContext(connection) as asked:
        response = client.get("/connexion/")
    assert response.status_code == 200 and LINK not in response.content.decode()
    assert not [q for q in asked.captured_queries if "cls_platform_access" in q["sql"]]
