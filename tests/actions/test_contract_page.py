"""The contract's page: what it lists below its title (fiches by axis, signatories, amendments and
steps) in a fixed number of queries, whatever the contract holds."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from actions.models import (
    AxisKind,
    ContractAmendment,
    ContractEvent,
    ContractEventKind,
    Signatory,
)
from tests.factories import AxisFactory, ContractFactory, FicheActionFactory, OrganizationFactory
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"
numbers = itertools.count(1)


def test_the_page_lists_signatories_amendments_and_steps_in_their_order(login_as, coordinator):
    territory = coordinator.territory
    contract = ContractFactory(territory=territory, title="CLS 2023-2028")
    for order, name in ((2, "Ville de Cergy"), (1, "ARS Île-de-France"), (3, "CPAM du Val-d'Oise")):
        organization = OrganizationFactory(territory=territory, name=name)
        Signatory.objects.create(contract=contract, organization=organization, order=order)
    for number, note in ((2, "Nouvel axe nutrition"), (1, "Axe 3 déplacé")):
        ContractAmendment.objects.create(
            contract=contract,
            number=number,
            adopted_on=dt.date(2024, number, 15),
            note=note,
            changes="Modifié" if number == 1 else "",
        )
    moment = timezone.make_aware(dt.datetime(2023, 6, 1, 12, 0))  # in Paris
    ContractEvent.objects.create(
        contract=contract, kind=ContractEventKind.CLOSED, created_at=moment + dt.timedelta(days=400)
    )
    ContractEvent.objects.create(
        contract=contract, kind=ContractEventKind.SIGNED, detail="en mairie", created_at=moment
    )
    page = login_as(coordinator).get(f"{BASE}/contrats/{contract.pk}/").content.decode()

    names = ["ARS Île-de-France", "Ville de Cergy", "CPAM du Val-d&#x27;Oise"]
    assert [page.index(f"<li>{name}</li>") for name in names] == sorted(
        page.index(f"<li>{name}</li>") for name in names
    )
    first = "Avenant n° 1 du 15 janvier 2024 : Axe 3 déplacé"
    second = "Avenant n° 2 du 15 février 2024 : Nouvel axe nutrition"
    assert page.index(first) < page.index(second)
    assert '<span class="muted">Modifié</span>' in page
    signed = '<time datetime="2023-06-01T12:00:00+02:00">1 juin 2023</time> · Signature enregistrée'
    assert signed in page
    assert "(en mairie)" in page
    assert page.index("Signature enregistrée") < page.index("Contrat clos")


def test_axes_count_their_fiches_thematic_and_transversal(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    habitat = AxisFactory(contract=contract, number=1, title="Habitat")
    AxisFactory(contract=contract, number=2, title="Nutrition")
    outreach = AxisFactory(
        contract=contract, kind=AxisKind.TRANSVERSAL, number=1, title="Aller-vers"
    )
    AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, number=2, title="Participation")
    for number in ("1.2", "1.1", "1.10"):
        fiche = FicheActionFactory(contract=contract, thematic_axis=habitat, number=number)
        fiche.transversal_axes.add(outreach)
    page = login_as(coordinator).get(f"{BASE}/contrats/{contract.pk}/").content.decode()

    assert 'Axe 1 : Habitat <span class="muted">(3 fiches)</span>' in page
    assert 'Axe 2 : Nutrition <span class="muted">(aucune fiche)</span>' in page
    assert '<strong>1. Aller-vers</strong> <span class="muted">(3 fiches concernées)</span>' in page
    assert '<strong>2. Participation</strong> <span class="muted">(aucune fiche concernée)' in page
    # The fiches in the order of their numbers as written ("1.10" before "1.2").
    assert page.index(">1.1 ") < page.index(">1.10 ") < page.index(">1.2 ")
    assert "Axe 2 : Nutrition" in page[page.index(">1.2 ") :]


def test_the_page_s_queries_do_not_grow_with_the_contract(login_as, coordinator):
    territory = coordinator.territory
    contract = ContractFactory(territory=territory)
    AxisFactory(contract=contract, number=1)
    client = login_as(coordinator)

    def grow() -> None:
        for _ in range(3):
            n = next(numbers)
            axis = AxisFactory(contract=contract, number=n + 1)
            transversal = AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, number=n)
            for k in range(3):
                fiche = FicheActionFactory(contract=contract, thematic_axis=axis, number=f"{n}.{k}")
                fiche.transversal_axes.add(transversal)
            organization = OrganizationFactory(territory=territory)
            Signatory.objects.create(contract=contract, organization=organization, order=n)
            ContractAmendment.objects.create(
                contract=contract, number=n, adopted_on=dt.date(2024, 1, 1), note="Avenant"
            )
            ContractEvent.objects.create(contract=contract, kind=ContractEventKind.SIGNED)

    assert_constant_queries(client, f"{BASE}/contrats/{contract.pk}/", grow)


@pytest.mark.parametrize("kind", [AxisKind.THEMATIC, AxisKind.TRANSVERSAL])
def test_what_was_typed_in_an_axis_is_shown_as_typed_never_as_markup(login_as, coordinator, kind):
    """The axis blocks are written in Python (actions/views/contracts.py): every typed value
    escaped, as the template escaped it."""
    contract = ContractFactory(territory=coordinator.territory)
    AxisFactory(
        contract=contract,
        kind=kind,
        number=1,
        title="Santé <b>mentale</b>",
        description="Écouter & <i>orienter</i>",
        objectives="<script>alert(1)</script>\nRéduire les délais",
    )
    page = login_as(coordinator).get(f"{BASE}/contrats/{contract.pk}/").content.decode()

    assert "<b>mentale</b>" not in page and "Santé &lt;b&gt;mentale&lt;/b&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Réduire les délais" in page
    if kind == AxisKind.THEMATIC:
        assert "<i>orienter</i>" not in page and "&lt;i&gt;orienter&lt;/i&gt;" in page
