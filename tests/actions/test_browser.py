"""Contracts and fiches-actions in a real Chromium, checked with axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from actions.models import AxisKind, CollaborationLevel, Indicator, IndicatorValue
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    OrganizationFactory,
)
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fiche(territory):
    contract = ContractFactory(
        territory=territory, title="CLS de Cergy 2023-2028", status="draft", signed_on=None
    )
    axis = AxisFactory(contract=contract, number=1, title="Accès aux droits et aux soins")
    AxisFactory(contract=contract, number=2, title="Santé mentale")
    AxisFactory(
        contract=contract, kind=AxisKind.TRANSVERSAL, number=1, title="Mobilisation des habitants"
    )
    cpts = OrganizationFactory(territory=territory, name="CPTS de Cergy")
    fiche = FicheActionFactory(
        contract=contract,
        thematic_axis=axis,
        number="1.1",
        title="Médiation santé",
        pilot_organization=cpts,
        end_date=timezone.localdate() - dt.timedelta(days=5),
        status="in_progress",
        progress=40,
        operational_objectives="Former 10 médiateurs\nTenir 40 permanences",
    )
    level, _ = CollaborationLevel.objects.get_or_create(rank=3, defaults={"label": "Coopération"})
    fiche.partnerships.create(organization=cpts, role="Co-animation", level=level)
    fiche.funding_lines.create(funder="ARS Île-de-France", amount=15000, status="secured")
    indicator = Indicator.objects.create(
        fiche=fiche, title="Permanences tenues", unit="permanences", baseline=0, target=40
    )
    for days, value in ((300, 5), (150, 14), (10, 22)):
        IndicatorValue.objects.create(
            indicator=indicator,
            measured_on=timezone.localdate() - dt.timedelta(days=days),
            value=value,
        )
    fiche.updates.create(happened_on=timezone.localdate(), text="Deux médiatrices recrutées.")
    ContactFactory(territory=territory, organization=cpts)
    return fiche


def test_contract_and_fiche_pages_have_no_violations(page: Page, live_server, coordinator, fiche):
    browser_login(page, live_server, coordinator)
    page.get_by_role("link", name="Contrats", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contrats du territoire")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="CLS de Cergy 2023-2028").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CLS de Cergy 2023-2028")
    assert_no_axe_violations(page)

    # Reorder the axes of the draft with the keyboard: the fiche's number follows its axis.
    page.get_by_role("button", name="Descendre l'axe 1").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".axis h3").first).to_contain_text("Santé mentale")

    page.get_by_role("link", name="2.1 Médiation santé").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2.1 Médiation santé")
    expect(page.get_by_role("img", name="Évolution sur 3 mesures")).to_be_visible()
    assert_no_axe_violations(page)

    # Post an update and a measurement from the fiche page.
    page.get_by_label("Actualité").fill("Permanence ouverte à Sébille.")
    page.get_by_role("button", name="Publier l'actualité").click()
    expect(page.get_by_text("Permanence ouverte à Sébille.")).to_be_visible()
    page.get_by_label("Valeur").fill("25")
    page.get_by_role("button", name="Ajouter la mesure de « Permanences tenues »").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "Mesure enregistrée"
    )
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Modifier la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Modifier la fiche 2.1")
    assert_no_axe_violations(page)


def test_fiche_list_filters_and_forms_have_no_violations(
    page: Page, live_server, coordinator, fiche
):
    browser_login(page, live_server, coordinator)
    base = f"{live_server.url}/t/cergy"
    page.goto(f"{base}/fiches/")
    page.get_by_label("En retard").select_option("oui")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator(".result-count")).to_contain_text("1 fiche-action")
    assert_no_axe_violations(page)
    for url, heading in (
        (f"{base}/contrats/nouveau/", "Nouveau contrat"),
        (f"{base}/contrats/{fiche.contract.pk}/signer/", "Signature"),
        (f"{base}/contrats/{fiche.contract.pk}/axes/nouveau/", "Nouvel axe"),
        (f"{base}/contrats/{fiche.contract.pk}/fiches/nouvelle/", "Nouvelle fiche-action"),
        (f"{base}/fiches/{fiche.pk}/indicateurs/nouveau/", "Nouvel indicateur"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_no_axe_violations(page)


def test_the_pilot_filter_searches_the_structures_by_keyboard(
    page: Page, live_server, coordinator, fiche
):
    """The pilot filter lists no structure: one types, the matches come from the server, the
    arrows and Enter take one, a second Enter sends the form."""
    FicheActionFactory(
        contract=fiche.contract,
        thematic_axis=fiche.thematic_axis,
        number="1.2",
        title="Dépistage",
        pilot_organization=OrganizationFactory(territory=fiche.territory, name="CCAS de Cergy"),
    )
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/fiches/")
    expect(page.locator(".result-count")).to_contain_text("2 fiches-actions")
    pilot = page.get_by_role("combobox", name="Structure pilote")
    picker = page.locator(".picker").filter(has=pilot)
    pilot.focus()
    page.keyboard.type("cpts")
    expect(picker.get_by_role("status")).to_have_text(re.compile("^1 résultat"))
    page.keyboard.press("ArrowDown")
    expect(picker.get_by_role("option", name="CPTS de Cergy")).to_have_attribute(
        "aria-selected", "true"
    )
    assert_no_axe_violations(page)
    page.keyboard.press("Enter")
    expect(pilot).to_have_value("CPTS de Cergy")
    expect(pilot).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page.locator(".result-count")).to_contain_text("1 fiche-action")
    expect(page.get_by_role("link", name="1.1 Médiation santé")).to_be_visible()
    expect(page.get_by_role("combobox", name="Structure pilote")).to_have_value("CPTS de Cergy")
    assert_no_axe_violations(page)


def test_viewer_reads_a_signed_fiche_without_violations(page: Page, live_server, viewer, fiche):
    contract = fiche.contract
    contract.status, contract.signed_on = "signed", timezone.localdate()
    contract.save()
    browser_login(page, live_server, viewer)
    page.goto(f"{live_server.url}/t/cergy/fiches/{fiche.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("1.1 Médiation santé")
    expect(page.get_by_role("button", name="Publier l'actualité")).to_have_count(0)
    assert_no_axe_violations(page)


def test_signed_contract_amendments_and_corrections_have_no_violations(
    page: Page, live_server, coordinator, fiche
):
    """A signed contract: its amendments and history, reordering with an amendment note, the
    forms that ask for one, the signed PDF upload, the collaboration scale, the corrections."""
    contract = fiche.contract
    contract.status, contract.signed_on = "signed", timezone.localdate()
    contract.save()
    axis = fiche.thematic_axis
    axis.objectives = "Réduire le non-recours aux droits\nFaciliter l'accès aux soins"
    axis.save()
    contract.amendments.create(
        number=1,
        adopted_on=timezone.localdate(),
        note="Avenant voté en COPIL",
        changes="Ajout de l'axe 2",
        created_by=coordinator.user,
    )
    contract.events.create(kind="signed", detail="Signé par 2 signataires.")
    indicator = fiche.indicators.get()
    update = fiche.updates.get()
    base = f"{live_server.url}/t/cergy"
    browser_login(page, live_server, coordinator)

    page.goto(f"{base}/contrats/{contract.pk}/")
    expect(page.get_by_role("heading", name="Historique du contrat")).to_be_visible()
    expect(page.get_by_text("Avenant voté en COPIL")).to_be_visible()
    expect(page.get_by_text("Réduire le non-recours aux droits")).to_be_visible()
    assert_no_axe_violations(page)

    # Reorder with the keyboard: the amendment note first, then the button.
    page.get_by_label("Avenant autorisant le déplacement de l'axe 1").fill("Avenant n° 2")
    page.get_by_role("button", name="Descendre l'axe 1").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".axis h3").first).to_contain_text("Santé mentale")
    expect(page.get_by_role("link", name="2.1 Médiation santé")).to_be_visible()
    assert_no_axe_violations(page)

    for url, heading in (
        (f"{base}/contrats/{contract.pk}/modifier/", "Modifier"),
        (f"{base}/contrats/{contract.pk}/renouveler/", "Renouveler"),
        (f"{base}/axes/{axis.pk}/modifier/", "Modifier"),
        (f"{base}/contrats/{contract.pk}/contrat-signe/deposer/", "Contrat signé (PDF)"),
        (f"{base}/contrats/echelle-de-collaboration/", "Échelle de collaboration"),
        (f"{base}/indicateurs/{indicator.pk}/modifier/", "Modifier l'indicateur"),
        (f"{base}/indicateurs/{indicator.pk}/mesures/corriger/", "Corriger les mesures"),
        (f"{base}/fiches/{fiche.pk}/actualites/corriger/", "Corriger les actualités"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_no_axe_violations(page)

    # The axis form asks for the amendment; a refused save keeps the entry and explains.
    page.goto(f"{base}/axes/{axis.pk}/modifier/")
    expect(page.get_by_label("Avenant autorisant la modification")).to_be_visible()
    page.get_by_label("Intitulé").fill("Accès aux droits, aux soins et à la prévention")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_no_axe_violations(page)

    # Correct an update from the timeline.
    page.goto(f"{base}/fiches/{fiche.pk}/")
    page.get_by_role("link", name=f"Corriger l'actualité du {update.happened_on:%-d}").first.click()
    page.get_by_label("Actualité").fill("Deux médiatrices recrutées en mars.")
    page.get_by_role("button", name="Enregistrer l'actualité").click()
    expect(page.get_by_text("Deux médiatrices recrutées en mars.")).to_be_visible()
    expect(page.get_by_text("(corrigée)")).to_be_visible()
    assert_no_axe_violations(page)


def test_a_measurement_is_deleted_after_a_confirmation_with_the_keyboard(
    page: Page, live_server, coordinator, fiche
):
    indicator = fiche.indicators.get()
    oldest = indicator.values.order_by("measured_on").first()
    corrections = f"{live_server.url}/t/cergy/indicateurs/{indicator.pk}/mesures/corriger/"
    browser_login(page, live_server, coordinator)
    page.goto(corrections)
    date = f"{oldest.measured_on.day} "
    delete = page.locator(f"#mesure-{oldest.pk}").get_by_role("button", name="Supprimer")
    expect(delete).to_contain_text("…")  # another step follows
    delete.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer cette mesure ?")
    expect(page.get_by_role("main")).to_contain_text(f"Mesure du {date}")
    expect(page.get_by_role("main")).to_contain_text("« Permanences tenues » : 5 permanences.")
    assert indicator.values.count() == 3  # asking deletes nothing
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Supprimer la mesure").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Corriger les mesures")
    expect(page.get_by_role("status")).to_contain_text("Mesure supprimée.")
    assert indicator.values.count() == 2
    assert not indicator.values.filter(pk=oldest.pk).exists()
