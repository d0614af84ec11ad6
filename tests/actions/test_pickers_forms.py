"""The structures of the fiche-action form (pilot, partners) and of the signing page
(signatories) are searched as one types, not listed: chosen in the combobox (the id is
posted) or, without JavaScript, typed and resolved by the server, several matches offered as
radio buttons, none explained in French, nothing typed lost. The pages then weigh the same
whatever the size of the territory's directory."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import ActionPartner, AxisKind, ContractStatus, FicheAction
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


@pytest.fixture
def contract(territory):
    contract = ContractFactory(territory=territory, status=ContractStatus.DRAFT, signed_on=None)
    AxisFactory(contract=contract, number=1, title="Accès aux soins")
    return contract


@pytest.fixture
def structures(territory):
    return {
        name: OrganizationFactory(territory=territory, name=name)
        for name in (
            "CPTS de Cergy",
            "CCAS de Cergy",
            "Centre social des Touleuses",
            "Centre social de la Sébille",
        )
    }


def fiche_data(contract, **extra) -> dict:
    data = {
        "number": "1.1",
        "title": "Médiation santé dans les quartiers",
        "thematic_axis": contract.axes.get(kind=AxisKind.THEMATIC, number=1).pk,
        "status": "planned",
        "progress": 0,
        "territory_scope": "whole",
        "participation": "consultation",
        "partenaires-TOTAL_FORMS": 2,
        "partenaires-INITIAL_FORMS": 0,
        "financements-TOTAL_FORMS": 0,
        "financements-INITIAL_FORMS": 0,
    }
    data.update(extra)
    return data


def create_fiche(client: Client, contract, **extra):
    return client.post(
        f"{BASE}/contrats/{contract.pk}/fiches/nouvelle/", fiche_data(contract, **extra)
    )


def sign(client: Client, contract, **signatories):
    return client.post(
        f"{BASE}/contrats/{contract.pk}/signer/", {"signed_on": "2026-03-12", **signatories}
    )


def signatory_names(contract) -> list[str]:
    return [s.organization.name for s in contract.signatories.order_by("order")]


# --- The fiche-action form -----------------------------------------------------------------


def test_structures_chosen_in_the_combobox_are_saved(login_as, coordinator, contract, structures):
    response = create_fiche(
        login_as(coordinator),
        contract,
        pilot_organization="CPTS de Cergy",
        pilot_organization_id=structures["CPTS de Cergy"].pk,
        **{
            "partenaires-0-organization": "CCAS de Cergy",
            "partenaires-0-organization_id": structures["CCAS de Cergy"].pk,
            "partenaires-0-role": "Relais",
            "partenaires-1-organization_id": structures["Centre social des Touleuses"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    fiche = FicheAction.objects.get()
    assert fiche.pilot_organization.name == "CPTS de Cergy"
    assert sorted(fiche.partnerships.values_list("organization__name", "role")) == [
        ("CCAS de Cergy", "Relais"),
        ("Centre social des Touleuses", ""),
    ]


def test_without_script_the_structures_typed_are_found(login_as, coordinator, contract, structures):
    response = create_fiche(
        login_as(coordinator),
        contract,
        pilot_organization="cpts",
        **{"partenaires-0-organization": "touleuses", "partenaires-0-role": "Accueil"},
    )
    assert response.status_code == 302, response.content.decode()
    fiche = FicheAction.objects.get()
    assert fiche.pilot_organization.name == "CPTS de Cergy"
    assert [p.organization.name for p in fiche.partnerships.all()] == [
        "Centre social des Touleuses"
    ]


def test_several_matches_are_offered_and_what_was_typed_is_kept(
    login_as, coordinator, contract, structures
):
    client = login_as(coordinator)
    response = create_fiche(
        client,
        contract,
        pilot_organization="ccas",
        **{"partenaires-0-organization": "centre social", "partenaires-0-role": "Accueil"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Plusieurs correspondances pour « centre social »" in page
    assert 'name="partenaires-0-organization_choice"' in page
    for name in ("Centre social des Touleuses", "Centre social de la Sébille"):
        assert name in page
    # Nothing typed is lost: the title, the role, the names typed.
    assert 'value="Médiation santé dans les quartiers"' in page
    assert 'value="Accueil"' in page
    assert 'value="centre social"' in page
    # The pilot typed and found is shown as found, its id beside it (what will be saved).
    ccas = structures["CCAS de Cergy"]
    assert 'name="pilot_organization" value="CCAS de Cergy"' in page
    assert f'name="pilot_organization_id" value="{ccas.pk}"' in page
    assert not FicheAction.objects.exists()

    sebille = structures["Centre social de la Sébille"]
    response = create_fiche(
        client,
        contract,
        pilot_organization="ccas",
        **{
            "partenaires-0-organization": "centre social",
            "partenaires-0-organization_choice": sebille.pk,
            "partenaires-0-role": "Accueil",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert FicheAction.objects.get().partnerships.get().organization == sebille


def test_a_name_found_nowhere_is_explained(login_as, coordinator, contract, structures):
    page = create_fiche(
        login_as(coordinator),
        contract,
        pilot_organization="Mutuelle inconnue",
        **{"partenaires-0-organization": "Association fantôme"},
    ).content.decode()
    assert "Aucune correspondance dans l&#x27;annuaire pour « Mutuelle inconnue »" in page
    assert "Aucune correspondance dans l&#x27;annuaire pour « Association fantôme »" in page
    assert not FicheAction.objects.exists()


def test_a_partner_row_needs_its_structure(login_as, coordinator, contract, structures):
    page = create_fiche(
        login_as(coordinator), contract, **{"partenaires-0-role": "Animation"}
    ).content.decode()
    assert "Indiquez la structure partenaire." in page
    assert not FicheAction.objects.exists()


def test_another_territory_s_or_an_archived_structure_is_refused(
    login_as, coordinator, contract, structures, other_territory
):
    elsewhere = OrganizationFactory(territory=other_territory, name="CPTS de Vitry")
    archived = OrganizationFactory(territory=coordinator.territory, name="Ancienne MJC")
    archived.archived_at = timezone.now()
    archived.save()
    client = login_as(coordinator)
    page = create_fiche(
        client,
        contract,
        pilot_organization_id=elsewhere.pk,
        **{"partenaires-0-organization_id": archived.pk},
    ).content.decode()
    assert page.count("Ce choix n&#x27;est pas proposé ici") == 2
    page = create_fiche(client, contract, pilot_organization="Vitry").content.decode()
    assert "Aucune correspondance dans l&#x27;annuaire pour « Vitry »" in page
    assert not FicheAction.objects.exists()


def test_an_archived_partner_already_on_the_fiche_is_kept(
    login_as, coordinator, contract, structures
):
    archived = OrganizationFactory(territory=coordinator.territory, name="Ancienne MJC")
    fiche = FicheActionFactory(
        contract=contract,
        thematic_axis=contract.axes.get(number=1),
        number="1.1",
        pilot_organization=archived,
    )
    row = ActionPartner.objects.create(fiche=fiche, organization=archived, role="Accueil")
    archived.archived_at = timezone.now()
    archived.save()
    client = login_as(coordinator)
    page = client.get(f"{BASE}/fiches/{fiche.pk}/modifier/").content.decode()
    assert page.count('value="Ancienne MJC"') == 2  # the pilot and the partner, as they are
    response = client.post(
        f"{BASE}/fiches/{fiche.pk}/modifier/",
        fiche_data(
            contract,
            title="Médiation renouvelée",
            pilot_organization="Ancienne MJC",
            pilot_organization_id=archived.pk,
            **{
                "partenaires-TOTAL_FORMS": 1,
                "partenaires-INITIAL_FORMS": 1,
                "partenaires-0-id": row.pk,
                "partenaires-0-organization": "Ancienne MJC",
                "partenaires-0-organization_id": archived.pk,
                "partenaires-0-role": "Accueil",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()
    fiche.refresh_from_db()
    assert fiche.title == "Médiation renouvelée"
    assert fiche.pilot_organization == archived
    assert list(fiche.partnerships.values_list("organization__name", flat=True)) == ["Ancienne MJC"]


# --- The signing page ----------------------------------------------------------------------


def test_signatories_chosen_in_the_combobox_are_saved_in_order(
    login_as, coordinator, contract, structures
):
    response = sign(
        login_as(coordinator),
        contract,
        signatory_1="CCAS de Cergy",
        signatory_1_id=structures["CCAS de Cergy"].pk,
        signatory_2_id=structures["CPTS de Cergy"].pk,
    )
    assert response.status_code == 302, response.content.decode()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    assert signatory_names(contract) == ["CCAS de Cergy", "CPTS de Cergy"]


def test_without_script_the_signatories_typed_are_found_or_offered(
    login_as, coordinator, contract, structures
):
    client = login_as(coordinator)
    response = sign(client, contract, signatory_1="cpts", signatory_2="centre social")
    page = response.content.decode()
    assert "Plusieurs correspondances pour « centre social »" in page
    assert 'name="signatory_2_choice"' in page
    # The first, found, is shown as found, its id beside it (what will be saved).
    assert 'name="signatory_1" value="CPTS de Cergy"' in page
    assert f'name="signatory_1_id" value="{structures["CPTS de Cergy"].pk}"' in page
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT

    response = sign(
        client,
        contract,
        signatory_1="cpts",
        signatory_2="centre social",
        signatory_2_choice=structures["Centre social des Touleuses"].pk,
        signatory_3="sébille",
    )
    assert response.status_code == 302, response.content.decode()
    contract.refresh_from_db()
    assert signatory_names(contract) == [
        "CPTS de Cergy",
        "Centre social des Touleuses",
        "Centre social de la Sébille",
    ]


def test_signing_explains_a_missing_unknown_or_foreign_signatory(
    login_as, coordinator, contract, structures, other_territory
):
    client = login_as(coordinator)
    page = sign(client, contract).content.decode()
    assert "Indiquez au moins une structure signataire." in page
    page = sign(client, contract, signatory_1="Préfecture").content.decode()
    assert "Aucune correspondance dans l&#x27;annuaire pour « Préfecture »" in page
    elsewhere = OrganizationFactory(territory=other_territory, name="Préfecture du Val-de-Marne")
    page = sign(client, contract, signatory_1_id=elsewhere.pk).content.decode()
    assert "Ce choix n&#x27;est pas proposé ici" in page
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
    assert not contract.signatories.exists()


# --- The pages do not grow with the directory ----------------------------------------------


def measure(client: Client, url: str, data: dict | None = None) -> tuple[int, int]:
    """The queries and the bytes of a GET of the page, or of a POST of `data` sent back."""
    send = client.get if data is None else client.post
    send(url, data)  # warm the caches of the process
    with CaptureQueriesContext(connection) as ctx:
        response = send(url, data)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), len(response.content)


def test_the_form_pages_weigh_the_same_with_a_ten_times_directory(
    login_as, coordinator, contract, structures
):
    territory = coordinator.territory
    people = ContactFactory.create_batch(
        6, territory=territory, organization=structures["CCAS de Cergy"]
    )
    fiche = FicheActionFactory(
        contract=contract,
        thematic_axis=contract.axes.get(number=1),
        number="1.1",
        pilot_organization=structures["CPTS de Cergy"],
        pilot_contact=people[0],
    )
    fiche.copilots.add(people[1])
    for name in ("CCAS de Cergy", "Centre social des Touleuses"):
        fiche.partnerships.create(organization=structures[name], role="Relais")
    client = login_as(coordinator)
    create = f"{BASE}/contrats/{contract.pk}/fiches/nouvelle/"
    # Sent back (a progress past 100): a partner chosen, one typed, one among several.
    sent_back = fiche_data(
        contract,
        progress=150,
        pilot_organization="cpts",
        **{
            "partenaires-TOTAL_FORMS": 3,
            "partenaires-0-organization_id": structures["CCAS de Cergy"].pk,
            "partenaires-1-organization": "touleuses",
            "partenaires-2-organization": "centre social",
        },
    )
    pages = (
        (f"{BASE}/fiches/{fiche.pk}/modifier/", None),
        (create, None),
        (create, sent_back),
        (f"{BASE}/contrats/{contract.pk}/signer/", None),
        (f"{BASE}/contrats/{contract.pk}/signer/", {"signed_on": "", "signatory_1": "centre"}),
    )
    before = [measure(client, url, data) for url, data in pages]
    # Ten times the structures and the people.
    added = OrganizationFactory.create_batch(36, territory=territory)
    ContactFactory.create_batch(54, territory=territory, organization=added[0])
    for (url, data), (queries, size) in zip(pages, before, strict=True):
        now = measure(client, url, data)
        assert now[0] == queries, (url, data and "POST", queries, now[0])
        assert abs(now[1] - size) <= size // 100, (url, data and "POST", size, now[1])
    for url, _data in pages:
        page = client.get(url).content.decode()
        assert added[-1].name not in page  # no structure of the directory is listed
