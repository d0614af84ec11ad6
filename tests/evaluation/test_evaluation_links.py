"""The evaluation pages reached from the pages that existed before them: a structure's page in
the directory lists the structures it works with (a section evaluation registers, partners
importing nothing of it), a contract's page links to its Ottawa matrix, the navigation has an
"Évaluation" entry."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.evaluation.test_network import (  # noqa: F401 (partnership is a fixture)
    CITY,
    CPTS,
    JOBS,
    SOCIAL,
    grow_network,
    partnership,
)
from tests.factories import ContractFactory
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_a_structures_page_lists_the_structures_it_works_with(
    login_as,
    coordinator,
    partnership,  # noqa: F811
):
    city = partnership["orgs"][CITY]
    url = reverse("partners:organization_detail", args=[coordinator.territory.slug, city.pk])
    text = text_of(login_as(coordinator).get(url))
    section = text.partition("Structures avec lesquelles elle travaille")[2]
    assert section, "the section is on the page"
    for name in (SOCIAL, CPTS, JOBS):
        assert name in section
    assert "Voir tout le réseau partenarial" in section


def test_the_structures_page_keeps_a_constant_query_count(
    login_as,
    coordinator,
    partnership,  # noqa: F811
):
    territory, city = coordinator.territory, partnership["orgs"][CITY]
    url = reverse("partners:organization_detail", args=[territory.slug, city.pk])
    assert_constant_queries(
        login_as(coordinator), url, lambda: grow_network(territory, partnership["contract"])
    )


def test_a_contracts_page_links_to_its_ottawa_matrix(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    slug = coordinator.territory.slug
    page = login_as(coordinator).get(reverse("actions:contract_detail", args=[slug, contract.pk]))
    matrix = reverse("evaluation:ottawa_matrix", args=[slug, contract.pk])
    assert f'href="{matrix}"' in page.content.decode()
    assert "Matrice de la charte d'Ottawa" in text_of(page).replace("&#x27;", "'")


@pytest.mark.parametrize("who", ["coordinator", "copilot", "viewer"])
def test_the_navigation_has_an_evaluation_entry(request, login_as, who):
    access = request.getfixturevalue(who)
    client = login_as(access)
    surveys = reverse("evaluation:survey_list", args=[access.territory.slug])
    nav = client.get("/t/cergy/").content.decode().partition("site-nav")[2].partition("</nav>")[0]
    assert f'href="{surveys}"' in nav and "Évaluation" in nav
    nav = client.get(surveys).content.decode().partition("site-nav")[2].partition("</nav>")[0]
    assert re.search(r'href="' + re.escape(surveys) + r'"\s+aria-current="page"', nav)


@pytest.mark.parametrize("who", ["coordinator", "copilot", "viewer"])
def test_the_evaluation_entry_opens_for_everyone_who_sees_it(request, login_as, who):
    access = request.getfixturevalue(who)
    surveys = reverse("evaluation:survey_list", args=[access.territory.slug])
    assert login_as(access).get(surveys).status_code == 200
