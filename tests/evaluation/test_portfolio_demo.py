"""The demo as an ARS officer sees it: `ars-idf@ars.demo`, signatory of Cergy and of Vitry,
finds both CLS side by side with their INSEE codes, departments and populations."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from demo.territories_figures import seed_territory_figures
from tests.evaluation.test_portfolio import records

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        seed_territory_figures()  # until seed_demo calls it; running it twice changes nothing
        yield
        transaction.set_rollback(True)


@pytest.fixture
def ars_idf(seeded, db, settings):
    settings.DEBUG = True  # demo accounts are refused otherwise
    client = Client()
    assert client.login(username="ars-idf@ars.demo", password="demo-cls-2026")
    return client


def test_the_regional_officer_sees_both_cls_side_by_side(ars_idf):
    rows = records(ars_idf.get("/contrats/", {"status": "signed"}))
    by_contract = {row["Contrat"].split(" Contrat local de santé (CLS)")[0]: row for row in rows}
    cergy = by_contract["Contrat local de santé de Cergy 2020-2022"]
    vitry = by_contract["Contrat local de santé de Vitry-sur-Seine 2023-2028"]
    assert (cergy["Territoire"], cergy["Code INSEE"], cergy["Département"]) == (
        "Cergy",
        "95127",
        "95 · Val-d'Oise",
    )
    assert (vitry["Territoire"], vitry["Code INSEE"], vitry["Département"]) == (
        "Vitry-sur-Seine",
        "94081",
        "94 · Val-de-Marne",
    )
    assert cergy["Population"] == "69 965 en 2022"
    assert vitry["Population"] == "95 282 en 2022"
    # Vitry's narrative: four groups of seven healthy, the others stalled.
    assert (vitry["Groupes actifs"], vitry["Groupes à l'arrêt"]) == ("4", "3")
    assert cergy["Dernier COPIL"] != "aucun"
    assert {row["Territoire"] for row in rows} == {"Cergy", "Vitry-sur-Seine"}


def test_running_the_figures_twice_changes_nothing(seeded, db):
    from cls_platform.models import Territory

    before = list(Territory.objects.values_list("slug", "population", "insee_code"))
    seed_territory_figures()
    assert list(Territory.objects.values_list("slug", "population", "insee_code")) == before
