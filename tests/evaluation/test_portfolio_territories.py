"""What the table of all one's contracts reads on each territory: department names from the code
(all 101 departments), population, and an administration that refuses a wrong code in French
and keeps what was typed."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cls_platform.departments import (
    DEPARTMENTS,
    codes_matching,
    department_label,
    department_name,
    sort_key,
)
from cls_platform.models import Territory, TerritoryKind
from tests.factories import TerritoryFactory, UserFactory


def test_the_101_departments_in_insees_order():
    codes = list(DEPARTMENTS)
    assert len(codes) == 101
    assert codes[:3] == ["01", "02", "03"]
    assert codes[18:22] == ["19", "2A", "2B", "21"]
    assert codes[-5:] == ["971", "972", "973", "974", "976"]
    assert department_name("95") == "Val-d'Oise"
    assert department_label("2a") == "2A · Corse-du-Sud"
    assert department_label("20") == "20"  # unknown: shown as it is
    assert department_name("") == ""
    assert sorted(["21", "2B", "974", "20", "19"], key=sort_key) == ["19", "2B", "21", "974", "20"]
    assert {d.region for d in DEPARTMENTS.values() if d.code in ("94", "95", "75")} == {
        "Île-de-France"
    }


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("94", ["94"]),
        ("2b", ["2B"]),
        ("Val-d'Oise", ["95"]),
        ("val d’oise", ["95"]),
        ("marne", ["51", "52", "77", "94"]),
        ("REUNION", ["974"]),
        ("  ", []),
    ],
)
def test_departments_are_found_by_code_or_name_whatever_the_accents(text, codes):
    assert codes_matching(text) == codes


@pytest.mark.django_db
def test_a_territory_refuses_codes_that_do_not_exist_or_disagree():
    territory = TerritoryFactory.build(
        name="Cergy", slug="cergy-test", insee_code="94081", department_code="95"
    )
    with pytest.raises(ValidationError) as refused:
        territory.full_clean()
    assert "ne correspond pas au département 95" in str(refused.value.message_dict["insee_code"])
    territory.insee_code, territory.department_code = "9512", "96"
    with pytest.raises(ValidationError) as refused:
        territory.full_clean()
    assert "n'est pas un code INSEE" in refused.value.message_dict["insee_code"][0]
    assert "n'est pas un code de département" in refused.value.message_dict["department_code"][0]
    territory.insee_code, territory.department_code = "2a004", "2a"
    territory.population, territory.population_year = 71_000, 2022
    territory.full_clean()
    assert (territory.insee_code, territory.department_code) == ("2A004", "2A")
    epci = TerritoryFactory.build(
        name="Agglomération", slug="agglo", kind=TerritoryKind.EPCI, insee_code="95127"
    )
    epci.department_code = "78"  # an intercommunality may straddle two departments
    epci.full_clean()


@pytest.mark.django_db
def test_the_administration_shows_the_population_and_says_what_is_wrong():
    admin = UserFactory(email="admin@trame.fr", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    territory = TerritoryFactory(name="Cergy", slug="cergy", department_code="95")
    url = f"/admin/cls_platform/territory/{territory.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="population"' in page and 'name="population_year"' in page
    data = {
        "name": "Cergy",
        "slug": "cergy",
        "kind": "commune",
        "insee_code": "94081",
        "department_code": "95",
        "region": "Île-de-France",
        "population": "69965",
        "population_year": "2022",
        "health_service_name": "",
        "coordination_email": "",
        "accesses-TOTAL_FORMS": "0",
        "accesses-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Le code INSEE 94081 ne correspond pas au département 95" in page
    assert 'value="69965"' in page  # nothing typed is lost
    response = client.post(url, {**data, "insee_code": "95127"})
    assert response.status_code == 302
    territory.refresh_from_db()
    assert (territory.insee_code, territory.population, territory.population_year) == (
        "95127",
        69965,
        2022,
    )
    listing = client.get("/admin/cls_platform/territory/").content.decode()
    assert "69965" in listing or "69 965" in listing or "69\xa0965" in listing
    assert Territory.objects.get(pk=territory.pk).department_label == "95 · Val-d'Oise"
