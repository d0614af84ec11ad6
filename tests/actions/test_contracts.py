"""Contract lifecycle, axes and renewal, as a coordinator lives them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.models import (
    ActionPartner,
    Axis,
    AxisKind,
    CollaborationLevel,
    Contract,
    ContractStatus,
    FicheAction,
    Indicator,
    IndicatorValue,
)
from tests.factories import AxisFactory, ContractFactory, FicheActionFactory, OrganizationFactory
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def draft(territory, **kwargs) -> Contract:
    return ContractFactory(
        territory=territory, status=ContractStatus.DRAFT, signed_on=None, **kwargs
    )


def test_coordinator_creates_signs_and_closes_a_contract(login_as, coordinator):
    client = login_as(coordinator)
    response = client.post(
        f"{BASE}/contrats/nouveau/",
        {"kind": "cls", "title": "CLS de Cergy 2026-2030", "start_year": 2026, "end_year": 2030},
    )
    contract = Contract.objects.get()
    assert response["Location"] == f"{BASE}/contrats/{contract.pk}/"
    assert contract.status == ContractStatus.DRAFT
    ars = OrganizationFactory(territory=coordinator.territory, name="ARS Île-de-France")
    prefecture = OrganizationFactory(
        territory=coordinator.territory, name="Préfecture du Val-d'Oise"
    )
    pdf = SimpleUploadedFile("signe.pdf", b"%PDF-1.4 contrat signe", content_type="application/pdf")
    client.post(
        f"{BASE}/contrats/{contract.pk}/signer/",
        {
            "signed_on": "2026-03-12",
            "signatory_1_id": prefecture.pk,
            "signatory_2_id": ars.pk,
            "document": pdf,
        },
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    assert [s.organization.name for s in contract.signatories.order_by("order")] == [
        "Préfecture du Val-d'Oise",
        "ARS Île-de-France",
    ]
    document = client.get(f"{BASE}/contrats/{contract.pk}/contrat-signe.pdf")
    assert b"".join(document.streaming_content).startswith(b"%PDF")
    client.post(f"{BASE}/contrats/{contract.pk}/clore/", {"confirm": "1"})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CLOSED
    assert contract.closed_on is not None


def test_signing_refuses_a_non_pdf_and_a_repeated_signatory(login_as, coordinator):
    contract = draft(coordinator.territory)
    ars = OrganizationFactory(territory=coordinator.territory)
    client = login_as(coordinator)
    page = client.post(
        f"{BASE}/contrats/{contract.pk}/signer/",
        {
            "signed_on": "2026-03-12",
            "signatory_1_id": ars.pk,
            "signatory_2_id": ars.pk,
            "document": SimpleUploadedFile("x.pdf", b"GIF89a"),
        },
    ).content.decode()
    assert "format PDF" in page
    assert "citée deux fois" in page
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT


def test_end_year_before_start_is_refused_in_french(login_as, coordinator):
    page = login_as(coordinator).post(
        f"{BASE}/contrats/nouveau/",
        {"kind": "cls", "title": "CLS", "start_year": 2026, "end_year": 2020},
    )
    assert "L&#x27;année de fin précède l&#x27;année de début." in page.content.decode()
    assert not Contract.objects.exists()


def test_axes_of_a_draft_are_added_and_reordered_freely(login_as, coordinator):
    contract = draft(coordinator.territory)
    client = login_as(coordinator)
    for title in ("Accès aux soins", "Santé mentale", "Habitat"):
        client.post(
            f"{BASE}/contrats/{contract.pk}/axes/nouveau/", {"kind": "thematic", "title": title}
        )
    habitat = Axis.objects.get(title="Habitat")
    assert habitat.number == 3
    client.post(f"{BASE}/axes/{habitat.pk}/deplacer/", {"direction": "up"})
    assert list(contract.axes.order_by("number").values_list("title", flat=True)) == [
        "Accès aux soins",
        "Habitat",
        "Santé mentale",
    ]
    assert not contract.amendments.exists()


def test_changing_a_signed_contracts_structure_needs_an_amendment(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    axis = AxisFactory(contract=contract, number=1, title="Accès aux soins")
    client = login_as(coordinator)
    refused = client.post(
        f"{BASE}/axes/{axis.pk}/modifier/",
        {"kind": "thematic", "number": 1, "title": "Accès aux droits et aux soins"},
    )
    assert "indiquez l&#x27;avenant" in refused.content.decode()
    axis.refresh_from_db()
    assert axis.title == "Accès aux soins"

    client.post(
        f"{BASE}/axes/{axis.pk}/modifier/",
        {
            "kind": "thematic",
            "number": 1,
            "title": "Accès aux droits et aux soins",
            "amendment_note": "Avenant voté en COPIL du 4 mars",
        },
    )
    axis.refresh_from_db()
    assert axis.title == "Accès aux droits et aux soins"
    (amendment,) = contract.amendments.all()
    assert amendment.number == 1
    assert "Accès aux soins" in amendment.changes
    assert "Avenant n° 1" in client.get(f"{BASE}/contrats/{contract.pk}/").content.decode()


def test_renewal_carries_chosen_axes_and_actions_with_their_history(login_as, coordinator):
    territory = coordinator.territory
    old = ContractFactory(
        territory=territory, title="CLS de Cergy 2020-2022", start_year=2020, end_year=2022
    )
    kept_axis = AxisFactory(contract=old, number=1, title="Santé mentale")
    dropped_axis = AxisFactory(contract=old, number=2, title="Habitat")
    method = AxisFactory(
        contract=old, kind=AxisKind.TRANSVERSAL, number=1, title="Coordination des acteurs"
    )
    kept = FicheActionFactory(
        contract=old,
        thematic_axis=kept_axis,
        number="1.1",
        title="Premiers secours en santé mentale",
        status="in_progress",
        progress=60,
    )
    kept.transversal_axes.add(method)
    partner = OrganizationFactory(territory=territory)
    ActionPartner.objects.create(
        fiche=kept,
        organization=partner,
        role="Formateur",
        level=CollaborationLevel.objects.get(rank=3),
    )
    indicator = Indicator.objects.create(
        fiche=kept, title="Professionnels formés", target=120, baseline=0
    )
    IndicatorValue.objects.create(indicator=indicator, measured_on="2022-06-30", value=85)
    FicheActionFactory(contract=old, thematic_axis=dropped_axis, number="2.1")

    client = login_as(coordinator)
    form = client.get(f"{BASE}/contrats/{old.pk}/renouveler/")
    assert form.context["form"].initial["title"] == "CLS de Cergy 2023-2025"
    client.post(
        f"{BASE}/contrats/{old.pk}/renouveler/",
        {
            "title": "CLS de Cergy 2023-2028",
            "start_year": 2023,
            "end_year": 2028,
            "axes": [kept_axis.pk, method.pk],
            "fiches": [kept.pk],
        },
    )
    new = Contract.objects.get(title="CLS de Cergy 2023-2028")
    assert new.previous == old
    assert new.status == ContractStatus.DRAFT
    assert set(new.axes.values_list("title", flat=True)) == {
        "Santé mentale",
        "Coordination des acteurs",
    }
    (carried,) = new.fiches_actions.all()
    assert carried.previous == kept
    assert carried.status == "planned" and carried.progress == 0
    assert [a.title for a in carried.transversal_axes.all()] == ["Coordination des acteurs"]
    assert carried.partnerships.get().level.rank == 3
    assert carried.indicators.get().baseline == 85, "last measurement becomes the new baseline"
    page = client.get(f"{BASE}/fiches/{carried.pk}/").content.decode()
    assert "Premiers secours en santé mentale" in page and "2020-2022" in page


def test_renewal_refuses_an_action_without_its_axis(login_as, coordinator):
    old = ContractFactory(territory=coordinator.territory)
    fiche = FicheActionFactory(contract=old)
    page = login_as(coordinator).post(
        f"{BASE}/contrats/{old.pk}/renouveler/",
        {"title": "Suivant", "start_year": 2029, "end_year": 2033, "fiches": [fiche.pk]},
    )
    assert "sans son axe thématique" in page.content.decode()
    assert Contract.objects.count() == 1


def test_copilot_and_viewer_cannot_touch_contracts(login_as, copilot, viewer):
    contract = draft(copilot.territory)
    signed = ContractFactory(territory=copilot.territory)
    for access in (copilot, viewer):
        client = login_as(access)
        assert client.get(f"{BASE}/contrats/nouveau/").status_code == 403
        assert client.post(f"{BASE}/contrats/{signed.pk}/clore/").status_code == 403
    # A viewer reads signed contracts only.
    client = login_as(viewer)
    assert client.get(f"{BASE}/contrats/{contract.pk}/").status_code == 404
    assert client.get(f"{BASE}/contrats/{signed.pk}/").status_code == 200


@pytest.mark.parametrize("path", ["/contrats/", "CONTRACT"])
def test_contract_pages_keep_a_constant_query_count(login_as, coordinator, path):
    contract = ContractFactory(territory=coordinator.territory)
    url = BASE + (f"/contrats/{contract.pk}/" if path == "CONTRACT" else path)

    def more() -> None:
        for _n in range(3):
            axis = AxisFactory(contract=contract)
            for _ in range(4):
                FicheActionFactory(
                    contract=contract,
                    thematic_axis=axis,
                    pilot_organization=OrganizationFactory(territory=coordinator.territory),
                )
        ContractFactory(territory=coordinator.territory)

    more()
    assert_constant_queries(login_as(coordinator), url, more, at_most=14)
    assert FicheAction.objects.count() > 20


def test_renewal_keeps_a_last_measurement_of_zero_as_the_new_baseline(login_as, coordinator):
    old = ContractFactory(territory=coordinator.territory, start_year=2020, end_year=2022)
    fiche = FicheActionFactory(contract=old, number="1.1")
    indicator = Indicator.objects.create(
        fiche=fiche, title="Passages aux urgences évitables", baseline=35, target=0
    )
    IndicatorValue.objects.create(indicator=indicator, measured_on="2021-06-30", value=12)
    IndicatorValue.objects.create(indicator=indicator, measured_on="2022-06-30", value=0)
    login_as(coordinator).post(
        f"{BASE}/contrats/{old.pk}/renouveler/",
        {
            "title": "CLS 2023-2028",
            "start_year": 2023,
            "end_year": 2028,
            "axes": [fiche.thematic_axis_id],
            "fiches": [fiche.pk],
        },
    )
    carried = Indicator.objects.get(fiche__contract__title="CLS 2023-2028")
    assert carried.baseline == 0, "the target was reached: the new contract starts from 0"


@pytest.mark.parametrize("start_year", [2022, 2025])
def test_renewal_refuses_a_period_overlapping_the_previous_one(login_as, coordinator, start_year):
    old = ContractFactory(territory=coordinator.territory, start_year=2020, end_year=2025)
    page = login_as(coordinator).post(
        f"{BASE}/contrats/{old.pk}/renouveler/",
        {"title": "Suivant", "start_year": start_year, "end_year": 2030},
    )
    text = page.content.decode()
    assert "commence après la fin du précédent (2025)" in text
    assert "indiquez 2026 ou une année suivante" in text
    assert Contract.objects.count() == 1


def test_a_draft_is_not_renewed(login_as, coordinator):
    contract = draft(coordinator.territory, start_year=2026, end_year=2030)
    client = login_as(coordinator)
    detail = client.get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    assert "Renouveler" not in detail
    response = client.get(f"{BASE}/contrats/{contract.pk}/renouveler/", follow=True)
    assert "Seul un contrat signé ou clos se renouvelle" in response.content.decode()
    client.post(
        f"{BASE}/contrats/{contract.pk}/renouveler/",
        {"title": "Suivant", "start_year": 2031, "end_year": 2035},
    )
    assert Contract.objects.count() == 1


def test_a_closed_contract_is_renewed(login_as, coordinator):
    old = ContractFactory(
        territory=coordinator.territory, status=ContractStatus.CLOSED, end_year=2028
    )
    login_as(coordinator).post(
        f"{BASE}/contrats/{old.pk}/renouveler/",
        {"title": "CLS 2029-2033", "start_year": 2029, "end_year": 2033},
    )
    assert Contract.objects.get(title="CLS 2029-2033").previous == old


def test_axis_objectives_show_on_the_contract_page(login_as, viewer):
    contract = ContractFactory(territory=viewer.territory)
    AxisFactory(
        contract=contract,
        number=1,
        objectives="Réduire le non-recours aux droits\nFaciliter l'accès à un médecin traitant",
    )
    AxisFactory(
        contract=contract,
        kind=AxisKind.TRANSVERSAL,
        number=1,
        objectives="Associer les habitants à chaque action",
    )
    page = login_as(viewer).get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    assert "<li>Réduire le non-recours aux droits</li>" in page
    assert "Faciliter l&#x27;accès à un médecin traitant" in page
    assert "Associer les habitants à chaque action" in page


def test_a_viewer_never_reaches_a_drafts_pages_or_pdfs(login_as, viewer):
    contract = draft(viewer.territory)
    contract.signed_document = SimpleUploadedFile("x.pdf", b"%PDF-1.4 brouillon")
    contract.save()
    fiche = FicheActionFactory(contract=contract, title="Action en préparation")
    signed = FicheActionFactory(
        contract=ContractFactory(territory=viewer.territory), title="Action signée"
    )
    client = login_as(viewer)
    for url in (
        f"/contrats/{contract.pk}/",
        f"/contrats/{contract.pk}/pdf/",
        f"/contrats/{contract.pk}/contrat-signe.pdf",
        f"/fiches/{fiche.pk}/",
        f"/fiches/{fiche.pk}/pdf/",
    ):
        assert client.get(BASE + url).status_code == 404, url
    listing = client.get(f"{BASE}/fiches/").content.decode()
    assert "Action signée" in listing and "Action en préparation" not in listing
    export = client.get(f"{BASE}/fiches/export.csv").content.decode("utf-8-sig")
    assert signed.title in export and "Action en préparation" not in export
    contracts = client.get(f"{BASE}/contrats/").content.decode()
    assert contract.title not in contracts


def test_contracts_are_listed_from_the_most_recent_to_the_oldest(login_as, coordinator):
    """The list says "du plus récent au plus ancien": the oldest contract, created first, comes
    last, and two contracts starting the same year list the longer-running one first."""
    territory = coordinator.territory
    for title, start, end in (
        ("CLS 2011-2016", 2011, 2016),
        ("CLS 2020-2022", 2020, 2022),
        ("ASV 2017-2019", 2017, 2019),
        ("CLSM 2020-2026", 2020, 2026),
    ):
        ContractFactory(territory=territory, title=title, start_year=start, end_year=end)
    client = login_as(coordinator)
    expected = ["CLSM 2020-2026", "CLS 2020-2022", "ASV 2017-2019", "CLS 2011-2016"]
    listed = [c.title for c in client.get(f"{BASE}/contrats/").context["contracts"]]
    assert listed == expected
    page = client.get(f"{BASE}/contrats/").content.decode()
    assert [page.index(title) for title in expected] == sorted(
        page.index(title) for title in expected
    )
    dashboard = client.get(f"{BASE}/").content.decode()
    assert [dashboard.index(title) for title in expected] == sorted(
        dashboard.index(title) for title in expected
    )


def test_counts_read_as_french_at_zero_one_and_more(login_as, coordinator):
    """French puts 0 in the singular ("0 fiche", better "aucune fiche"); without a catalog
    Django's plural falls back to English rules and wrote "(0 fiches)"."""
    contract = ContractFactory(territory=coordinator.territory, title="CLS 2023-2028")
    AxisFactory(contract=contract, number=1, title="Habitat")
    one = AxisFactory(contract=contract, number=2, title="Santé mentale")
    two = AxisFactory(contract=contract, number=3, title="Nutrition")
    AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, number=1, title="Aller-vers")
    FicheActionFactory(contract=contract, thematic_axis=one, number="2.1")
    FicheActionFactory(contract=contract, thematic_axis=two, number="3.1")
    FicheActionFactory(contract=contract, thematic_axis=two, number="3.2")
    client = login_as(coordinator)
    page = client.get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    assert 'Axe 1 : Habitat <span class="muted">(aucune fiche)</span>' in page
    assert 'Axe 2 : Santé mentale <span class="muted">(1 fiche)</span>' in page
    assert 'Axe 3 : Nutrition <span class="muted">(2 fiches)</span>' in page
    assert "(aucune fiche concernée)" in page
    assert "0 fiche" not in page
    listing = client.get(f"{BASE}/fiches/?q=introuvable").content.decode()
    assert "Aucune fiche-action</p>" in listing and "0 fiches" not in listing
