"""A group's health where people read it: the state and its reasons on the group list, the
figures on the group's page, the partners who stopped coming for coordinators only; both pages
in the same number of queries whatever the number of groups and meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Sector
from tests.factories import ContactFactory, ContractFactory, WorkGroupFactory
from tests.support.queries import assert_constant_queries
from tests.workgroups.test_health import meet as held
from tests.workgroups.test_health import people, structure

pytestmark = pytest.mark.django_db


def meet(group, months_ago, present=(), absent=()):
    """A meeting held `months_ago` months before today, the compte-rendu sent to all."""
    return held(
        group, timezone.localdate() - dt.timedelta(days=round(months_ago * 30.44)), present, absent
    )


@pytest.fixture
def contract(territory):
    return ContractFactory(territory=territory)


def new_group(contract, name, per_year=4):
    group = WorkGroupFactory(contract=contract, name=name, target_meetings_per_year=per_year)
    group.pilots.set([ContactFactory(territory=contract.territory)])
    return group


@pytest.fixture
def silent(contract):
    """A group meeting four times a year that has not met for five months."""
    group = new_group(contract, "GT Nutrition")
    people = [ContactFactory(territory=contract.territory) for _ in range(3)]
    for months in (14, 11, 8, 5):
        meet(group, months, people)
    return group


@pytest.fixture
def drifting(contract):
    """A lively group that a partner stopped coming to, who still gets the compte-rendus."""
    group = new_group(contract, "GT Santé mentale")
    gone = ContactFactory(territory=contract.territory, first_name="Inès", last_name="Partie")
    regulars = [ContactFactory(territory=contract.territory) for _ in range(3)]
    meet(group, 7, [*regulars, gone])
    meet(group, 4, regulars, [gone])
    meet(group, 1, regulars, [gone])
    return group


def test_the_list_shows_each_groups_state_and_reasons(login_as, viewer, silent, drifting):
    page = login_as(viewer).get(reverse("workgroups:group_list", args=[viewer.territory.slug]))
    text = page.content.decode()
    assert "Fragile" in text and "Actif" in text
    assert "Pas de réunion depuis " in text
    assert "alors que le groupe se réunit en principe tous les 3 mois" in text
    assert "RAS" not in text


def test_the_group_page_gives_the_figures_and_names_drifters_to_coordinators_only(
    login_as, coordinator, viewer, drifting
):
    url = reverse("workgroups:group_detail", args=[coordinator.territory.slug, drifting.pk])
    text = login_as(coordinator).get(url).content.decode()
    assert "Vitalité du groupe" in text
    assert "3 pour 4 visées" in text
    assert "Partenaires qui ne viennent plus" in text and "Inès Partie" in text
    assert "1 partenaire ne vient plus aux réunions" in text
    text = login_as(viewer).get(url).content.decode()
    assert "1 partenaire ne vient plus aux réunions" in text, "viewers read the count"
    assert "Inès Partie" not in text


def test_the_silent_groups_page_says_why_it_is_fragile(login_as, viewer, silent):
    url = reverse("workgroups:group_detail", args=[viewer.territory.slug, silent.pk])
    text = login_as(viewer).get(url).content.decode()
    assert "Fragile" in text
    assert "alors que le groupe se réunit en principe tous les 3 mois" in text


def test_the_group_page_names_the_structures_that_came_most_then_the_sectors(
    login_as, viewer, contract
):
    group = new_group(contract, "GT Jeunesse")
    territory = contract.territory
    youth = people(territory, structure(territory, "Service Jeunesse", "jeunesse", "education"), 2)
    boxing = people(territory, structure(territory, "Club de boxe", "sport"), 1)
    loner = ContactFactory(territory=territory, organization=None)
    meet(group, 3, [*youth, *boxing, loner])
    meet(group, 2, youth[:1], [*youth[1:], *boxing])
    meet(group, 1, youth, boxing)
    page = login_as(viewer).get(reverse("workgroups:group_detail", args=[territory.slug, group.pk]))
    names = [(s["contact__organization__name"], s["times"]) for s in page.context["structures"]]
    assert names == [("Service Jeunesse", 3), ("Club de boxe", 1)]
    sectors = [
        (s["contact__organization__sectors__name"], s["people"]) for s in page.context["sectors"]
    ]
    named = dict(Sector.objects.values_list("slug", "name"))
    # Most people first; the two sectors of "Service Jeunesse" tie.
    assert sorted(sectors[:2]) == sorted([(named["education"], 2), (named["jeunesse"], 2)])
    assert sectors[2:] == [(named["sport"], 1)]


def test_the_list_and_a_group_page_keep_a_constant_query_count(login_as, coordinator, contract):
    client = login_as(coordinator)
    group = new_group(contract, "GT Accès aux droits")
    people = [ContactFactory(territory=contract.territory) for _ in range(2)]
    meet(group, 3, people)

    def grow():
        for k in range(3):
            other = new_group(contract, f"GT {k}")
            crowd = [ContactFactory(territory=contract.territory) for _ in range(3)]
            meet(other, 9, crowd)
            meet(other, 2, crowd[:1], crowd[1:])
        meet(group, 6, people[:1], people[1:])
        meet(group, 1, [*people, ContactFactory(territory=contract.territory)])

    slug = coordinator.territory.slug
    assert_constant_queries(client, reverse("workgroups:group_list", args=[slug]), grow)
    assert_constant_queries(client, reverse("workgroups:group_detail", args=[slug, group.pk]), grow)
