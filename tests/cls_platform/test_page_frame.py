"""The frame every signed-in page shares (base.html): the main navigation marks the section the
page belongs to, names the territory the page is about, and costs one query with the access
(whether the user reads other territories comes with it), the navigation itself being rendered
once per process for the same territory, section and reader of one or several territories."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cls_platform.models import Role
from tests.conftest import login
from tests.factories import AccessFactory, ContractFactory

pytestmark = pytest.mark.django_db


def navigation(response) -> str:
    found = re.search(r'<nav class="site-nav".*?</nav>', response.content.decode(), re.DOTALL)
    assert found, "pas de navigation principale"
    return found.group(0)


def marked(response) -> list[str]:
    """The words of the navigation's links that say "this page" (aria-current)."""
    return re.findall(r'aria-current="page"\s*>([^<]+)</a>', navigation(response))


def links(response) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', navigation(response))


@pytest.fixture
def delegation(coordinator, other_territory):
    """The coordinator of Cergy, who reads Vitry too."""
    AccessFactory(user=coordinator.user, territory=other_territory, role=Role.VIEWER)
    return coordinator


PAGES = [
    ("evaluation:dashboard", False, "Tableau de bord"),
    ("actions:contract_list", False, "Contrats"),
    ("actions:contract_detail", True, "Contrats"),
    # The progress page and the COPIL decisions belong to the contracts.
    ("evaluation:contract_progress", True, "Contrats"),
    ("evaluation:decision_create", True, "Contrats"),
    ("actions:fiche_list", False, "Fiches-actions"),
    ("workgroups:group_list", False, "Groupes"),
    ("partners:organization_list", False, "Annuaire"),
    ("partners:contact_list", False, "Annuaire"),
    ("evaluation:survey_list", False, "Évaluation"),
]


@pytest.mark.parametrize(("name", "of_contract", "section"), PAGES)
def test_the_navigation_marks_the_section_of_each_page(delegation, name, of_contract, section):
    contract = ContractFactory(territory=delegation.territory)
    client = login(Client(), delegation)
    args = [delegation.territory.slug, contract.pk] if of_contract else [delegation.territory.slug]
    for _ in range(2):  # rendered, then reused: the same marks
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        assert marked(response) == [section]


def test_the_pages_outside_a_territory_mark_theirs_and_an_error_page_none(delegation):
    client = login(Client(), delegation)
    assert marked(client.get(reverse("home"))) == ["Mes territoires"]
    assert marked(client.get(reverse("portfolio:table"))) == ["Tous mes contrats"]
    missing = client.get("/t/cergy/nulle-part/")
    assert missing.status_code == 404
    assert marked(missing) == []


def test_each_territory_s_pages_link_to_that_territory(delegation, other_territory):
    client = login(Client(), delegation)
    for slug, name in (
        ("cergy", "Cergy"),
        ("vitry-sur-seine", "Vitry-sur-Seine"),
        ("cergy", "Cergy"),
    ):
        response = client.get(f"/t/{slug}/")
        territory_links = [href for href in links(response) if href.startswith("/t/")]
        assert len(territory_links) == 6
        assert all(href.startswith(f"/t/{slug}/") for href in territory_links)
        assert f"<strong>{name}</strong>" in response.content.decode()


def test_the_directory_navigation_follows_the_role_and_the_page(coordinator, viewer):
    url = reverse("partners:organization_list", args=["cergy"])
    as_coordinator = login(Client(), coordinator).get(url).content.decode()
    as_viewer = login(Client(), viewer).get(url).content.decode()
    assert "Importer un tableau" in as_coordinator and "Importer un tableau" not in as_viewer
    assert re.search(r'href="/t/cergy/annuaire/structures/"\s+aria-current="page"', as_viewer)
    contacts = login(Client(), coordinator).get(reverse("partners:contact_list", args=["cergy"]))
    subnav = re.search(r'<nav class="subnav".*?</nav>', contacts.content.decode(), re.DOTALL)
    assert re.findall(r'aria-current="page"\s*>([^<]+)</a>', subnav.group(0)) == ["Contacts"]


def test_a_territory_page_reads_the_access_once_without_the_user_again(delegation):
    client = login(Client(), delegation)
    client.get("/t/cergy/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/t/cergy/")
    assert "Tous mes contrats" in navigation(response)
    accesses = [q["sql"] for q in ctx.captured_queries if "cls_platform_access" in q["sql"]]
    assert len(accesses) == 1, accesses
    assert '"cls_platform_user"' not in accesses[0]


def test_a_page_outside_a_territory_asks_about_other_territories_without_joins(coordinator):
    client = login(Client(), coordinator)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("security:account"))
    assert response.status_code == 200 and "Tous mes contrats" not in navigation(response)
    accesses = [q["sql"] for q in ctx.captured_queries if "cls_platform_access" in q["sql"]]
    assert len(accesses) == 1 and "JOIN" not in accesses[0], accesses
