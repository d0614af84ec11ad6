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


# --- a fiche's number follows its axis --------------------------------------------------------------


def fiche_form(axis: Axis, **extra) -> dict:
    data = {
        "number": "1.1",
        "title": "Médiation santé",
        "thematic_axis": axis.pk,
        "status": "planned",
        "progress": 0,
        "territory_scope": "whole",
        "participation": "none",
        "partenaires-TOTAL_FORMS": 0,
        "partenaires-INITIAL_FORMS": 0,
        "financements-TOTAL_FORMS": 0,
        "financements-INITIAL_FORMS": 0,
    }
    data.update(extra)
    return data


NOT_ITS_AXIS = "Une fiche de l&#x27;axe 3 est numérotée 3.1, 3.2…"


def test_a_new_fiche_is_numbered_after_its_axis(login_as, coordinator):
    contract = draft(coordinator.territory)
    _soins, _mentale, habitat = three_axes(contract)
    client = login_as(coordinator)
    url = f"{BASE}/contrats/{contract.pk}/fiches/nouvelle/"
    response = client.post(url, fiche_form(habitat, number="4.1", title="Punaises de lit"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "« 4.1 » ne suit pas le numéro de son axe" in errors["number"][0]
    assert "Indiquez par exemple 3.1" in errors["number"][0], "A3 is not numbered after axis 3"
    assert NOT_ITS_AXIS in response.content.decode()
    assert 'value="Punaises de lit"' in response.content.decode(), "nothing typed is lost"
    assert "Punaises de lit" not in numbers(contract)

    client.post(url, fiche_form(habitat, number="3.1", title="Punaises de lit"))
    assert numbers(contract)["Punaises de lit"] == "3.1"


def test_renumbering_a_fiche_out_of_its_axis_is_refused(login_as, coordinator):
    contract = draft(coordinator.territory)
    soins, _mentale, _habitat = three_axes(contract)
    fiche = contract.fiches_actions.get(number="1.2")
    response = login_as(coordinator).post(
        f"{BASE}/fiches/{fiche.pk}/modifier/", fiche_form(soins, number="2.5", title="Dépistage")
    )
    assert (
        "« 2.5 » ne suit pas le numéro de son axe" in response.context["form"].errors["number"][0]
    )
    fiche.refresh_from_db()
    assert fiche.number == "1.2"


def test_the_service_refuses_a_number_of_another_axis(coordinator):
    """Whoever calls it (a form, a script, an import): the rule lives in the service."""
    contract = draft(coordinator.territory)
    _soins, _mentale, habitat = three_axes(contract)
    with pytest.raises(ValidationError) as refused:
        services.fiche_save(
            fiche=FicheAction(contract=contract, thematic_axis=habitat, number="4.1")
        )
    assert "ne suit pas le numéro de son axe" in refused.value.message_dict["number"][0]
    fiche = contract.fiches_actions.get(number="2.1")
    fiche.number = "1.9"
    with pytest.raises(ValidationError):
        services.fiche_save(fiche=fiche)
    for number in ("3.1", "3.12", "3.1.2", "3.2 bis", "3.4a"):
        assert services.fiche_number_problem(number, habitat) is None, number
    for number in ("4.1", "3", "3.", "A3", "13.1", "3.x"):
        assert services.fiche_number_problem(number, habitat), number


def test_a_fiche_moved_to_another_axis_takes_its_next_number(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)  # signed: an amendment
    _soins, _mentale, habitat = three_axes(contract)
    FicheActionFactory(contract=contract, thematic_axis=habitat, number="3.4", title="Air")
    fiche = contract.fiches_actions.get(number="1.2")
    login_as(coordinator).post(
        f"{BASE}/fiches/{fiche.pk}/modifier/",
        fiche_form(
            habitat, number="1.2", title="Dépistage", amendment_note="Avenant n° 2 : habitat"
        ),
    )
    fiche.refresh_from_db()
    assert (fiche.thematic_axis, fiche.number) == (habitat, "3.5")
    assert numbers(contract)["Médiation"] == "1.1", "the fiches left behind keep their numbers"
    assert "3.5 Dépistage" in contract.amendments.get().changes


def test_an_old_number_off_its_axis_does_not_block_other_edits(login_as, coordinator):
    """Fiches numbered before the rule ("A3", or 4.1 under axis 3) stay editable as they are."""
    contract = draft(coordinator.territory)
    _soins, _mentale, habitat = three_axes(contract)
    fiche = FicheActionFactory(contract=contract, thematic_axis=habitat, number="4.1")
    response = login_as(coordinator).post(
        f"{BASE}/fiches/{fiche.pk}/modifier/",
        fiche_form(habitat, number="4.1", title="Nouveau titre", status="in_progress"),
    )
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert (fiche.number, fiche.title, fiche.status) == ("4.1", "Nouveau titre", "in_progress")


def test_after_an_axis_moves_its_fiches_and_new_ones_follow_its_new_number(login_as, coordinator):
    contract = draft(coordinator.territory)
    soins, _mentale, _habitat = three_axes(contract)
    client = login_as(coordinator)
    client.post(f"{BASE}/axes/{soins.pk}/modifier/", axis_form(soins, number=4))
    url = f"{BASE}/contrats/{contract.pk}/fiches/nouvelle/"
    refused = client.post(url, fiche_form(soins, number="1.3", title="Vaccination"))
    assert "« 1.3 » ne suit pas le numéro de son axe" in refused.context["form"].errors["number"][0]
    assert "Indiquez par exemple 4.3" in refused.context["form"].errors["number"][0]
    client.post(url, fiche_form(soins, number="4.3", title="Vaccination"))
    assert numbers(contract) == {
        "Médiation": "4.1",
        "Dépistage": "4.2",
        "Vaccination": "4.3",
        "PSSM": "2.1",
        "Hors série": "A3",
    }


# --- the axis is named once -----------------------------------------------------------------------


def test_adding_an_axis_to_a_signed_contract_names_it_once(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    AxisFactory(contract=contract, number=6, title="Santé mentale")
    client = login_as(coordinator)
    client.post(
        f"{BASE}/contrats/{contract.pk}/axes/nouveau/",
        {
            "kind": "thematic",
            "number": 7,
            "title": "Santé environnementale",
            "amendment_note": "Avenant n° 1",
        },
    )
    assert contract.amendments.get().changes == "Ajout de l'axe 7 : Santé environnementale"
    page = client.get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    assert "Ajout de l&#x27;axe 7 : Santé environnementale" in page
    assert "axe Axe" not in page


def test_a_title_that_repeats_the_axis_number_is_not_doubled(login_as, coordinator):
    contract = draft(coordinator.territory)
    axis = AxisFactory(contract=contract, number=7, title="Axe 7 - Santé environnementale")
    FicheActionFactory(contract=contract, thematic_axis=axis, number="7.1", title="Punaises")
    assert str(axis) == "Axe 7 : Santé environnementale"
    other = AxisFactory(contract=contract, number=2, title="Axe 7 - ancien numéro")
    assert str(other) == "Axe 2 : Axe 7 - ancien numéro", "a different number is part of the title"
    client = login_as(coordinator)
    for url in (
        f"{BASE}/contrats/{contract.pk}/",
        f"{BASE}/fiches/{axis.fiches_actions.get().pk}/",
    ):
        page = client.get(url).content.decode()
        assert "Axe 7 : Santé environnementale" in page, url
        assert "Axe 7 : Axe 7" not in page, url
