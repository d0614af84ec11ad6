"""Bad input on contracts and fiches-actions: a clear French message next to the field, nothing
saved, never a database constraint's name nor a 500."""

from __future__ import annotations

import pytest

from actions.models import AxisKind, Contract, ContractStatus, FicheAction
from tests.factories import AxisFactory, ContractFactory, FicheActionFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"
PROGRESS = "L&#x27;avancement est un pourcentage entre 0 et 100."


@pytest.fixture
def contract(territory):
    contract = ContractFactory(territory=territory, status=ContractStatus.DRAFT, signed_on=None)
    AxisFactory(contract=contract, number=1)
    return contract


def fiche_form(contract, **extra) -> dict:
    data = {
        "number": "1.1",
        "title": "Médiation santé",
        "thematic_axis": contract.axes.get(kind=AxisKind.THEMATIC, number=1).pk,
        "status": "planned",
        "progress": 0,
        "territory_scope": "whole",
        "participation": "none",
        "partenaires-TOTAL_FORMS": 2,
        "partenaires-INITIAL_FORMS": 0,
        "financements-TOTAL_FORMS": 1,
        "financements-INITIAL_FORMS": 0,
        "financements-0-status": "requested",
    }
    data.update(extra)
    return data


def create(client, contract, **extra) -> str:
    response = client.post(
        f"{BASE}/contrats/{contract.pk}/fiches/nouvelle/", fiche_form(contract, **extra)
    )
    assert response.status_code in (200, 302)
    return response.content.decode()


def test_progress_over_100_is_explained(login_as, coordinator, contract):
    page = create(login_as(coordinator), contract, progress=150)
    assert PROGRESS in page
    assert "contrainte" not in page
    assert not FicheAction.objects.exists()


def test_progress_over_100_on_the_status_form_is_explained(login_as, coordinator, contract):
    fiche = FicheActionFactory(contract=contract, progress=20)
    response = login_as(coordinator).post(
        f"{BASE}/fiches/{fiche.pk}/etat/", {"status": "in_progress", "progress": 150}, follow=True
    )
    assert "l&#x27;avancement est un nombre entre 0 et 100" in response.content.decode()
    fiche.refresh_from_db()
    assert fiche.progress == 20


def test_a_partner_listed_twice_is_explained(login_as, coordinator, contract):
    cpts = OrganizationFactory(territory=coordinator.territory, name="CPTS")
    page = create(
        login_as(coordinator),
        contract,
        **{"partenaires-0-organization_id": cpts.pk, "partenaires-1-organization_id": cpts.pk},
    )
    assert "Une même structure est citée deux fois parmi les partenaires" in page
    assert "en double dans" not in page
    assert not FicheAction.objects.exists()


def test_negative_budget_and_funding_are_refused(login_as, coordinator, contract):
    page = create(
        login_as(coordinator),
        contract,
        budget_total="-500",
        **{"financements-0-funder": "ARS", "financements-0-amount": "-1000"},
    )
    assert "Le budget ne peut pas être négatif." in page
    assert "Un montant ne peut pas être négatif." in page
    assert not FicheAction.objects.exists()


def test_a_funding_year_out_of_range_is_refused(login_as, coordinator, contract):
    page = create(
        login_as(coordinator),
        contract,
        **{
            "financements-0-funder": "ARS",
            "financements-0-amount": "1000",
            "financements-0-year": "20266",
        },
    )
    assert "Indiquez une année entre 2000 et 2100." in page
    assert not FicheAction.objects.exists()


def test_a_done_action_is_at_100_percent(login_as, coordinator, contract):
    create(login_as(coordinator), contract, status="done", progress=10)
    fiche = FicheAction.objects.get()
    assert (fiche.status, fiche.progress) == ("done", 100)
    page = login_as(coordinator).get(f"{BASE}/fiches/{fiche.pk}/").content.decode()
    assert "avancement 100 %" in page


def test_a_done_action_edited_stays_at_100_percent(login_as, coordinator, contract):
    fiche = FicheActionFactory(contract=contract, number="1.1", status="in_progress", progress=40)
    login_as(coordinator).post(
        f"{BASE}/fiches/{fiche.pk}/modifier/",
        fiche_form(
            contract,
            status="done",
            progress=40,
            **{"financements-TOTAL_FORMS": 0, "partenaires-TOTAL_FORMS": 0},
        ),
    )
    fiche.refresh_from_db()
    assert (fiche.status, fiche.progress) == ("done", 100)
    assert fiche.status_changes.get().progress == 100


@pytest.mark.parametrize("year", ["99999", "1999", "2101"])
def test_a_contract_year_out_of_range_is_refused(login_as, coordinator, year):
    page = (
        login_as(coordinator)
        .post(
            f"{BASE}/contrats/nouveau/",
            {"kind": "cls", "title": "CLS", "start_year": year, "end_year": 2030},
        )
        .content.decode()
    )
    assert "Indiquez une année entre 2000 et 2100." in page
    assert not Contract.objects.exists()


def test_renewal_years_out_of_range_are_refused(login_as, coordinator):
    old = ContractFactory(territory=coordinator.territory)
    page = login_as(coordinator).post(
        f"{BASE}/contrats/{old.pk}/renouveler/",
        {"title": "Suivant", "start_year": 2029, "end_year": 99999},
    )
    assert "Indiquez une année entre 2000 et 2100." in page.content.decode()
    assert Contract.objects.count() == 1
