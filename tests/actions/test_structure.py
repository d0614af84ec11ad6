"""A contract's structure (kind, period, axes, numbering) once signed changes only by amendment,
and the fiches' numbers follow their axis."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from actions import services
from actions.models import Axis, AxisKind, Contract, ContractStatus, FicheAction
from tests.factories import AxisFactory, ContractFactory, FicheActionFactory

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def draft(territory, **kwargs) -> Contract:
    return ContractFactory(
        territory=territory, status=ContractStatus.DRAFT, signed_on=None, **kwargs
    )


def numbers(contract: Contract) -> dict[str, str]:
    """Fiche title → number, as the contract page lists them."""
    return dict(contract.fiches_actions.values_list("title", "number"))


def axis_form(axis: Axis, **extra) -> dict:
    data = {"kind": axis.kind, "number": axis.number, "title": axis.title}
    data.update(extra)
    return data


# --- kind of an axis -------------------------------------------------------------------------


def test_an_axis_carrying_fiches_keeps_its_kind(login_as, coordinator):
    contract = draft(coordinator.territory)
    thematic = AxisFactory(contract=contract, number=1, title="Accès aux soins")
    method = AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, number=1, title="Aller-vers")
    fiche = FicheActionFactory(contract=contract, thematic_axis=thematic, number="1.1")
    fiche.transversal_axes.add(method)
    client = login_as(coordinator)

    form = client.get(f"{BASE}/axes/{thematic.pk}/modifier/")
    assert form.context["form"].fields["kind"].disabled
    assert "son type ne peut plus changer" in form.content.decode()

    client.post(f"{BASE}/axes/{thematic.pk}/modifier/", axis_form(thematic, kind="transversal"))
    client.post(f"{BASE}/axes/{method.pk}/modifier/", axis_form(method, kind="thematic"))
    thematic.refresh_from_db()
    method.refresh_from_db()
    assert thematic.kind == AxisKind.THEMATIC
    assert method.kind == AxisKind.TRANSVERSAL
    fiche.refresh_from_db()
    assert fiche.thematic_axis.kind == AxisKind.THEMATIC


def test_the_service_refuses_a_kind_change_in_french_even_with_an_amendment(coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    axis = AxisFactory(contract=contract, number=1)
    FicheActionFactory.create_batch(5, contract=contract, thematic_axis=axis)
    axis.kind = AxisKind.TRANSVERSAL
    with pytest.raises(ValidationError) as refused:
        services.axis_save(axis=axis, amendment_note="Avenant n° 2", user=coordinator.user)
    assert "ne peut pas changer" in str(refused.value.message_dict["kind"])
    assert Axis.objects.get(pk=axis.pk).kind == AxisKind.THEMATIC
    assert not contract.amendments.exists()
    assert all(f.thematic_axis.kind == AxisKind.THEMATIC for f in FicheAction.objects.all())


def test_an_empty_axis_of_a_signed_contract_changes_kind_by_amendment(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, number=1)
    axis = AxisFactory(contract=contract, number=2, title="Coordination")
    client = login_as(coordinator)
    refused = client.post(f"{BASE}/axes/{axis.pk}/modifier/", axis_form(axis, kind="transversal"))
    assert "indiquez l&#x27;avenant" in refused.content.decode()
    client.post(
        f"{BASE}/axes/{axis.pk}/modifier/",
        axis_form(axis, kind="transversal", number="", amendment_note="Avenant du COPIL"),
    )
    axis.refresh_from_db()
    assert (axis.kind, axis.number) == (AxisKind.TRANSVERSAL, 2)
    assert "Axe transversal 2" in contract.amendments.get().changes


# --- kind and period of a signed contract ------------------------------------------------------


def contract_form(contract: Contract, **extra) -> dict:
    data = {
        "kind": contract.kind,
        "title": contract.title,
        "start_year": contract.start_year,
        "end_year": contract.end_year,
        "description": contract.description,
    }
    data.update(extra)
    return data


def test_a_signed_contracts_kind_and_period_change_only_by_amendment(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory, title="CLS de Cergy 2023-2028")
    client = login_as(coordinator)
    page = client.get(f"{BASE}/contrats/{contract.pk}/modifier/").content.decode()
    assert "changer son dispositif ou sa période demande un avenant" in page

    refused = client.post(
        f"{BASE}/contrats/{contract.pk}/modifier/",
        contract_form(contract, kind="asv", start_year=2019, end_year=2030),
    )
    assert "indiquez l&#x27;avenant" in refused.content.decode()
    contract.refresh_from_db()
    assert (contract.kind, contract.period) == ("cls", "2023-2028")

    client.post(
        f"{BASE}/contrats/{contract.pk}/modifier/",
        contract_form(
            contract,
            kind="asv",
            start_year=2019,
            end_year=2030,
            amendment_note="Avenant n° 1 : prolongation votée en COPIL",
        ),
    )
    contract.refresh_from_db()
    assert (contract.kind, contract.period) == ("asv", "2019-2030")
    changes = contract.amendments.get().changes
    assert "Atelier Santé Ville" in changes and "2023-2028 → 2019-2030" in changes
    detail = client.get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    assert "prolongation votée en COPIL" in detail


def test_a_signed_contracts_title_changes_freely(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    login_as(coordinator).post(
        f"{BASE}/contrats/{contract.pk}/modifier/",
        contract_form(contract, title="CLS de Cergy, troisième génération"),
    )
    contract.refresh_from_db()
    assert contract.title == "CLS de Cergy, troisième génération"
    assert not contract.amendments.exists()


def test_a_drafts_form_has_no_amendment_field(login_as, coordinator):
    contract = draft(coordinator.territory)
    form = login_as(coordinator).get(f"{BASE}/contrats/{contract.pk}/modifier/")
    assert "amendment_note" not in form.context["form"].fields


# --- reordering and renumbering ------------------------------------------------------------------


def three_axes(contract: Contract) -> tuple[Axis, Axis, Axis]:
    soins = AxisFactory(contract=contract, number=1, title="Accès aux soins")
    mentale = AxisFactory(contract=contract, number=2, title="Santé mentale")
    habitat = AxisFactory(contract=contract, number=3, title="Habitat")
    FicheActionFactory(contract=contract, thematic_axis=soins, number="1.1", title="Médiation")
    FicheActionFactory(contract=contract, thematic_axis=soins, number="1.2", title="Dépistage")
    FicheActionFactory(contract=contract, thematic_axis=mentale, number="2.1", title="PSSM")
    FicheActionFactory(contract=contract, thematic_axis=habitat, number="A3", title="Hors série")
    return soins, mentale, habitat


def test_moving_an_axis_renumbers_its_fiches(login_as, coordinator):
    contract = draft(coordinator.territory)
    soins, mentale, _habitat = three_axes(contract)
    login_as(coordinator).post(f"{BASE}/axes/{mentale.pk}/deplacer/", {"direction": "up"})
    soins.refresh_from_db()
    mentale.refresh_from_db()
    assert (mentale.number, soins.number) == (1, 2)
    assert numbers(contract) == {
        "PSSM": "1.1",
        "Médiation": "2.1",
        "Dépistage": "2.2",
        "Hors série": "A3",  # not numbered after its axis: left alone
    }
    page = login_as(coordinator).get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    assert page.index("1.1 PSSM") < page.index("2.1 Médiation")


def test_reordering_a_signed_contract_asks_for_an_amendment(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    _soins, mentale, _habitat = three_axes(contract)
    client = login_as(coordinator)
    page = client.get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    assert "Monter l'axe 2" in page, "reordering is offered on a signed contract"
    assert "Avenant autorisant le déplacement de l'axe 2" in page

    refused = client.post(
        f"{BASE}/axes/{mentale.pk}/deplacer/", {"direction": "up"}, follow=True
    ).content.decode()
    assert "indiquez l&#x27;avenant" in refused
    assert numbers(contract)["PSSM"] == "2.1"

    client.post(
        f"{BASE}/axes/{mentale.pk}/deplacer/",
        {"direction": "up", "amendment_note": "Avenant n° 1 : la santé mentale en tête"},
    )
    assert numbers(contract)["PSSM"] == "1.1"
    assert numbers(contract)["Médiation"] == "2.1"
    amendment = contract.amendments.get()
    assert amendment.note == "Avenant n° 1 : la santé mentale en tête"
    assert "2.1 → 1.1" in amendment.changes and "1.2 → 2.2" in amendment.changes


def test_renumbering_an_axis_carries_its_fiches_along(login_as, coordinator):
    contract = draft(coordinator.territory)
    soins, _mentale, _habitat = three_axes(contract)
    login_as(coordinator).post(f"{BASE}/axes/{soins.pk}/modifier/", axis_form(soins, number=4))
    assert numbers(contract)["Médiation"] == "4.1"
    assert numbers(contract)["Dépistage"] == "4.2"


def test_a_renumbering_that_would_clash_is_refused_in_french(login_as, coordinator):
    contract = draft(coordinator.territory)
    soins, _mentale, habitat = three_axes(contract)
    FicheActionFactory(contract=contract, thematic_axis=habitat, number="4.1", title="Intrus")
    page = login_as(coordinator).post(
        f"{BASE}/axes/{soins.pk}/modifier/", axis_form(soins, number=4)
    )
    assert "déjà celui d&#x27;une autre fiche-action" in page.content.decode()
    soins.refresh_from_db()
    assert soins.number == 1
    assert numbers(contract)["Médiation"] == "1.1"


def test_transversal_axes_are_reordered_too(login_as, coordinator):
    contract = draft(coordinator.territory)
    first = AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, number=1, title="Aller-vers")
    AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, number=2, title="Participation")
    client = login_as(coordinator)
    assert (
        "Descendre l'axe transversal 1"
        in client.get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    )
    client.post(f"{BASE}/axes/{first.pk}/deplacer/", {"direction": "down"})
    first.refresh_from_db()
    assert first.number == 2
