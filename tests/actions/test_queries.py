"""SQL queries per page do not grow with the data: measured at two sizes (tests/support/queries)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from actions.models import CollaborationLevel, ContractStatus, Indicator, IndicatorValue, Public
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    OrganizationFactory,
)
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def test_fiche_edit_page_with_more_partners_and_funders(login_as, coordinator):
    territory = coordinator.territory
    fiche = FicheActionFactory(contract=ContractFactory(territory=territory))
    url = f"{BASE}/fiches/{fiche.pk}/modifier/"

    def more() -> None:
        for n in range(4):
            fiche.partnerships.create(
                organization=OrganizationFactory(territory=territory),
                level=CollaborationLevel.objects.get(rank=n + 1),
            )
            fiche.funding_lines.create(funder=f"Financeur {n}", amount=1000)
            fiche.copilots.add(ContactFactory(territory=territory))
            AxisFactory(contract=fiche.contract)

    assert_constant_queries(login_as(coordinator), url, more, at_most=22)
    assert fiche.partnerships.count() == 4


def test_sign_page_lists_no_structure(login_as, coordinator):
    """Its twelve signatories are searched as one types: no structure is read nor listed."""
    territory = coordinator.territory
    contract = ContractFactory(territory=territory, status=ContractStatus.DRAFT, signed_on=None)
    OrganizationFactory.create_batch(3, territory=territory)
    url = f"{BASE}/contrats/{contract.pk}/signer/"

    def more() -> None:
        OrganizationFactory.create_batch(30, territory=territory)

    assert_constant_queries(login_as(coordinator), url, more, at_most=6)
    page = login_as(coordinator).get(url).content.decode()
    assert "<option" not in page
    assert page.count('role="combobox"') == 0  # set by the script, in the browser
    assert page.count("data-picker-url=") == 12


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_keep_a_constant_query_count(login_as, coordinator, extension):
    territory = coordinator.territory
    contract = ContractFactory(territory=territory)
    axis = AxisFactory(contract=contract)
    transversal = AxisFactory(contract=contract, kind="transversal")

    def more() -> None:
        for _n in range(6):
            fiche = FicheActionFactory(
                contract=contract,
                thematic_axis=axis,
                pilot_organization=OrganizationFactory(territory=territory),
            )
            fiche.transversal_axes.add(transversal)
            fiche.publics.add(Public.objects.first())
            fiche.partnerships.create(organization=OrganizationFactory(territory=territory))

    more()
    assert_constant_queries(
        login_as(coordinator), f"{BASE}/fiches/export.{extension}", more, at_most=16
    )


def test_correction_pages_keep_a_constant_query_count(login_as, coordinator):
    fiche = FicheActionFactory(contract=ContractFactory(territory=coordinator.territory))
    indicator = Indicator.objects.create(fiche=fiche, title="Personnes reçues")
    client = login_as(coordinator)

    def more() -> None:
        for n in range(5):
            fiche.updates.create(happened_on=timezone.localdate(), text=f"Nouvelle {n}")
            IndicatorValue.objects.create(
                indicator=indicator, measured_on=timezone.localdate(), value=n
            )

    more()
    for url in (
        f"{BASE}/fiches/{fiche.pk}/actualites/corriger/",
        f"{BASE}/indicateurs/{indicator.pk}/mesures/corriger/",
        f"{BASE}/indicateurs/{indicator.pk}/modifier/",
    ):
        assert_constant_queries(client, url, more, at_most=12)


def test_the_fiche_list_lists_no_structure_and_reads_the_axes_once(login_as, coordinator):
    """Its pilot and partner filters search the structures as one types (none is listed, none
    read); the thematic and the transversal selects list the axes read once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actions.models import AxisKind

    territory = coordinator.territory
    contract = ContractFactory(territory=territory)
    AxisFactory(contract=contract, title="Santé mentale")
    AxisFactory(contract=contract, title="Participation", kind=AxisKind.TRANSVERSAL)
    for n in range(3):
        OrganizationFactory(territory=territory, name=f"Structure {n}")
    client = login_as(coordinator)
    client.get(f"{BASE}/fiches/")
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(f"{BASE}/fiches/").content.decode()
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [q for q in sql if 'FROM "partners_organization"' in q], sql
    assert len([q for q in sql if 'FROM "actions_axis"' in q]) == 1, sql
    assert "Structure 0" not in page
    assert page.count('role="combobox"') == 0, "the script makes the combobox, not the page"
    assert page.count("data-picker-url=") == 2  # pilot and partner
    assert page.count("Santé mentale</option>") == 1
    assert page.count("Participation</option>") == 1
