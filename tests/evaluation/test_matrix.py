"""The Ottawa matrix of a contract: counts equal to the database's, links to the filtered list,
read by every role of the territory, a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from actions.models import ContractStatus, FicheAction, OttawaArea, Public
from tests.evaluation.html_tables import table_by_headers
from tests.factories import ContractFactory, FicheActionFactory
from tests.support.browser import assert_no_axe_violations, browser_login
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

CORNER = "Axe de la Charte d'Ottawa"


def matrix_url(contract) -> str:
    return reverse(
        "evaluation:ottawa_matrix", kwargs={"territory": contract.territory.slug, "pk": contract.pk}
    )


def area(slug: str) -> OttawaArea:
    return OttawaArea.objects.get(slug=slug)


def public(slug: str) -> Public:
    return Public.objects.get(slug=slug)


def fiche(contract, title: str, areas=(), publics=()) -> FicheAction:
    made = FicheActionFactory(contract=contract, title=title)
    made.ottawa_areas.set([area(s) for s in areas])
    made.publics.set([public(s) for s in publics])
    return made


@pytest.fixture
def contract(territory):
    contract = ContractFactory(territory=territory, title="CLS de Cergy 2023-2028")
    fiche(
        contract, "Médiation santé", ["services", "communautaire"], ["precarite", "habitants-qpv"]
    )
    fiche(contract, "Ateliers nutrition", ["aptitudes"], ["enfants", "familles"])
    fiche(contract, "Jardins partagés", ["milieux", "communautaire"], ["habitants-qpv"])
    fiche(contract, "Repérage de la souffrance psychique", ["services"], ["jeunes"])
    fiche(contract, "Fiche sans public", ["politiques"], [])
    fiche(contract, "Fiche sans axe", [], ["enfants"])
    # Another contract of the territory: none of its fiches counts here.
    other = ContractFactory(territory=territory, title="ASV 2015-2020")
    fiche(other, "Ancienne action", ["services"], ["precarite"])
    return contract


def number(text: str) -> int:
    match = re.match(r"\d+", text)
    assert match, f"pas de nombre dans « {text} »"
    return int(match.group())


def test_every_cell_and_total_equals_the_database(login_as, coordinator, contract):
    page = login_as(coordinator).get(matrix_url(contract)).content.decode()
    table = table_by_headers(page, CORNER)
    fiches = FicheAction.objects.filter(contract=contract)
    areas, publics = list(OttawaArea.objects.all()), list(Public.objects.all())
    assert [row for row in table if row != "Total"] == [a.name for a in areas] + [
        "Axe non renseigné"
    ]
    for a in areas:
        for p in publics:
            expected = fiches.filter(ottawa_areas=a).filter(publics=p).count()
            assert number(table[a.name][p.name]) == expected, (a.name, p.name)
        expected_row = fiches.filter(ottawa_areas=a).distinct().count()
        assert number(table[a.name]["Total"]) == expected_row, a.name
    for p in publics:
        assert number(table["Total"][p.name]) == fiches.filter(publics=p).distinct().count()
    assert number(table["Total"]["Total"]) == fiches.count() == 6
    assert number(table["Axe non renseigné"]["Enfants"]) == 1
    assert number(table["Élaborer une politique publique saine"]["Public non renseigné"]) == 1


def test_a_fiche_counts_once_in_each_total(login_as, coordinator, contract):
    """« Médiation santé » is in two areas and two publics: four cells, but once per total."""
    page = login_as(coordinator).get(matrix_url(contract)).content.decode()
    table = table_by_headers(page, CORNER)
    services = "Réorienter les services de santé"
    assert number(table[services]["Personnes en situation de précarité"]) == 1
    assert number(table[services]["Total"]) == 2  # Médiation santé and Repérage
    assert number(table["Total"]["Habitants des quartiers prioritaires"]) == 2


def test_a_cell_opens_the_list_of_its_fiches(login_as, coordinator, contract):
    client = login_as(coordinator)
    page = client.get(matrix_url(contract)).content.decode()
    community, qpv = area("communautaire"), public("habitants-qpv")
    href = re.search(
        rf'href="([^"]*\?contract={contract.pk}&amp;ottawa={community.pk}&amp;public={qpv.pk})"',
        page,
    )
    assert href, "la case « action communautaire × habitants des QPV » n'a pas de lien"
    listed = client.get(href.group(1).replace("&amp;", "&")).content.decode()
    assert "Médiation santé" in listed
    assert "Jardins partagés" in listed
    assert "Ateliers nutrition" not in listed
    assert "Ancienne action" not in listed


def test_a_row_total_opens_the_list_of_its_area(login_as, coordinator, contract):
    client = login_as(coordinator)
    page = client.get(matrix_url(contract)).content.decode()
    services = area("services")
    href = re.search(rf'href="([^"]*\?contract={contract.pk}&amp;ottawa={services.pk})"', page)
    assert href
    listed = client.get(href.group(1).replace("&amp;", "&")).content.decode()
    assert "Médiation santé" in listed
    assert "Repérage de la souffrance psychique" in listed
    assert "Ancienne action" not in listed


def test_fiches_naming_no_area_or_no_public_are_told(login_as, coordinator, contract):
    page = login_as(coordinator).get(matrix_url(contract)).content.decode()
    assert "ne renseigne aucun axe de la Charte d'Ottawa" in page
    assert "ne renseigne aucun public visé" in page


def test_a_contract_without_fiches_says_so(login_as, coordinator, territory):
    empty = ContractFactory(territory=territory, title="CLSM 2024")
    page = login_as(coordinator).get(matrix_url(empty)).content.decode()
    assert "Ce contrat n'a pas encore de fiche-action." in page


def test_viewer_reads_the_matrix_of_a_signed_contract(login_as, viewer, contract):
    response = login_as(viewer).get(matrix_url(contract))
    assert response.status_code == 200
    assert "Matrice de la Charte d'Ottawa · CLS de Cergy 2023-2028" in response.content.decode()


def test_viewer_does_not_reach_a_draft_contract(login_as, viewer, territory):
    draft = ContractFactory(territory=territory, status=ContractStatus.DRAFT, signed_on=None)
    fiche(draft, "Action en préparation", ["services"], ["jeunes"])
    assert login_as(viewer).get(matrix_url(draft)).status_code == 404


def test_another_territory_answers_not_found(login_as, outsider, contract):
    assert login_as(outsider).get(matrix_url(contract)).status_code == 404


def test_queries_do_not_grow_with_fiches(login_as, coordinator, contract):
    def grow() -> None:
        for i in range(8):
            fiche(contract, f"Action {i}", ["milieux", "services"], ["aidants", "femmes", "jeunes"])

    assert_constant_queries(login_as(coordinator), matrix_url(contract), grow)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_matrix_has_no_accessibility_violations(page: Page, live_server, viewer, contract):
    browser_login(page, live_server, viewer)
    page.goto(f"{live_server.url}{matrix_url(contract)}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matrice de la Charte d'Ottawa")
    assert_no_axe_violations(page)
    page.get_by_role("link", name=re.compile(r"^2 fiches-actions « Renforcer")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiches-actions")
    expect(page.get_by_role("link", name=re.compile("Médiation santé"))).to_be_visible()
