"""Publishing and withdrawing a contract's open data: the coordination's page lists every
contract with its publication and the public addresses; a coordinator publishes a signed or
closed contract and withdraws it; a draft is refused with a French message; co-pilots and
signatories are refused (403); another territory's coordinator gets 404."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import ContractStatus
from evaluation.opendata.services import contract_open_data_publish
from tests.conftest import login
from tests.evaluation.test_opendata import build_contract, grow_fiche
from tests.factories import ContractFactory
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def manage_url(slug: str = "cergy") -> str:
    return reverse("evaluation:opendata_manage", kwargs={"territory": slug})


def action_url(name: str, contract) -> str:
    return reverse(
        f"evaluation:{name}", kwargs={"territory": contract.territory.slug, "pk": contract.pk}
    )


def public_titles(slug: str = "cergy") -> list[str] | None:
    response = Client().get(reverse("opendata:document", kwargs={"territory": slug}))
    if response.status_code == 404:
        return None
    return [c["titre"] for c in json.loads(response.content)["contrats"]]


@pytest.fixture
def contract(territory):
    return build_contract(territory)


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_coordinator_publishes_then_withdraws_a_signed_contract(coordinator, contract):
    client = login(Client(), coordinator)
    assert public_titles() is None  # nothing published yet: the public address is missing

    response = client.post(action_url("opendata_publish", contract), follow=True)

    assert response.redirect_chain[-1][0] == manage_url()
    assert page_messages(response) == [f"« {contract.title} » est publié en données ouvertes."]
    contract.refresh_from_db()
    assert contract.open_data_published_at is not None
    assert public_titles() == [contract.title]
    page = response.content.decode()
    assert "Publié le" in page
    assert "/donnees-ouvertes/cergy/contrats.json" in page

    response = client.post(
        action_url("opendata_unpublish", contract), {"confirm": "1"}, follow=True
    )

    assert page_messages(response) == [f"« {contract.title} » est retiré des données ouvertes."]
    contract.refresh_from_db()
    assert contract.open_data_published_at is None
    assert public_titles() is None


def test_publishing_twice_keeps_the_first_date(coordinator, contract):
    client = login(Client(), coordinator)
    client.post(action_url("opendata_publish", contract), follow=True)
    contract.refresh_from_db()
    first = contract.open_data_published_at

    response = client.post(action_url("opendata_publish", contract), follow=True)

    assert page_messages(response) == [
        f"« {contract.title} » était déjà publié en données ouvertes."
    ]
    contract.refresh_from_db()
    assert contract.open_data_published_at == first
    assert contract_open_data_publish(contract=contract) is False


def test_a_closed_contract_may_be_published(coordinator, territory):
    closed = ContractFactory(
        territory=territory, title="CLS 2011-2016", status=ContractStatus.CLOSED
    )
    login(Client(), coordinator).post(action_url("opendata_publish", closed))
    assert public_titles() == ["CLS 2011-2016"]


def test_a_draft_cannot_be_published(coordinator, territory):
    draft = ContractFactory(territory=territory, title="CLS 2027-2032", status=ContractStatus.DRAFT)
    client = login(Client(), coordinator)

    response = client.post(action_url("opendata_publish", draft), follow=True)

    assert page_messages(response) == [
        "« CLS 2027-2032 » est encore en préparation : seul un contrat signé ou clos peut être "
        "publié en données ouvertes."
    ]
    draft.refresh_from_db()
    assert draft.open_data_published_at is None
    assert public_titles() is None
    page = response.content.decode()
    assert "Publiable une fois signé" in page
    assert action_url("opendata_publish", draft) not in page  # no button for a draft


@pytest.mark.parametrize("who", ["copilot", "viewer"])
def test_only_the_coordination_publishes_or_withdraws(request, who, contract):
    access = request.getfixturevalue(who)
    client = login(Client(), access)
    assert client.get(manage_url()).status_code == 403
    assert client.post(action_url("opendata_publish", contract)).status_code == 403
    contract.refresh_from_db()
    assert contract.open_data_published_at is None

    contract_open_data_publish(contract=contract)
    for data in ({}, {"confirm": "1"}):  # neither the question nor the answer
        assert client.post(action_url("opendata_unpublish", contract), data).status_code == 403
    assert public_titles() == [contract.title]


def test_another_territorys_coordinator_reaches_nothing(outsider, contract):
    client = login(Client(), outsider)
    assert client.get(manage_url()).status_code == 404
    # Their own territory in the URL, this contract's id: still missing.
    foreign = reverse(
        "evaluation:opendata_publish",
        kwargs={"territory": outsider.territory.slug, "pk": contract.pk},
    )
    assert client.post(foreign).status_code == 404
    contract.refresh_from_db()
    assert contract.open_data_published_at is None


def test_the_buttons_answer_only_a_post(coordinator, contract):
    client = login(Client(), coordinator)
    assert client.get(action_url("opendata_publish", contract)).status_code == 405
    assert client.get(action_url("opendata_unpublish", contract)).status_code == 405


def test_the_coordination_page_lists_every_contract_and_the_public_addresses(
    coordinator, contract, territory
):
    draft = ContractFactory(territory=territory, title="CLS suivant", status=ContractStatus.DRAFT)
    contract_open_data_publish(contract=contract)
    page = login(Client(), coordinator).get(manage_url()).content.decode()
    assert contract.title in page and draft.title in page
    assert action_url("opendata_unpublish", contract) in page
    for name in ("contrats", "axes", "fiches-actions", "indicateurs", "mesures", "signataires"):
        assert f"/donnees-ouvertes/cergy/{name}.csv" in page
    assert "/donnees-ouvertes/schema.json" in page
    assert "1 contrat publié." in page


def test_the_coordination_page_keeps_a_fixed_number_of_queries(coordinator, contract, territory):
    contract_open_data_publish(contract=contract)
    axis = contract.axes.first()
    counter = iter(range(100, 200))

    def grow():
        for n in range(3):
            other = ContractFactory(territory=territory, title=f"Contrat {n}")
            contract_open_data_publish(contract=other)
            grow_fiche(contract, axis, next(counter))

    assert_constant_queries(login(Client(), coordinator), manage_url(), grow)


def test_retirer_asks_first_and_withdraws_nothing(coordinator, contract):
    contract_open_data_publish(contract=contract)
    client = login(Client(), coordinator)

    response = client.post(action_url("opendata_unpublish", contract))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>Retirer « {contract.title} » des données ouvertes ?</h1>" in page
    assert "disparaîtra aussitôt de la page publique" in page
    assert (
        f'<button type="submit" name="confirm" value="1" class="button">Retirer « {contract.title}'
        " » des données ouvertes</button>"
    ) in page
    assert f'href="{manage_url()}"' in page
    assert "Revenir aux données ouvertes sans rien retirer" in page
    contract.refresh_from_db()
    assert contract.open_data_published_at is not None
    assert public_titles() == [contract.title]


def test_the_question_costs_a_handful_of_queries(coordinator, contract):
    contract_open_data_publish(contract=contract)
    client = login(Client(), coordinator)
    url = action_url("opendata_unpublish", contract)
    client.post(url)  # warms the session and content types
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(url).status_code == 200
    assert len(ctx) == 4, [q["sql"] for q in ctx]  # session, user, access, the contract
