""" "Clore le contrat" asks first: nothing on the pages reopens a closed contract, so a page
(no script needed) names the contract and only its second button closes it; the way back
closes nothing. Co-pilots, signatories and other territories never see the question."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import ContractEventKind, ContractStatus
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def signed(territory):
    return ContractFactory(territory=territory, title="CLS 2020-2022", status=ContractStatus.SIGNED)


def close_url(contract) -> str:
    return f"{BASE}/contrats/{contract.pk}/clore/"


def test_clore_asks_first_and_closes_nothing(login_as, coordinator, signed):
    client = login_as(coordinator)
    page = client.get(f"{BASE}/contrats/{signed.pk}/").content.decode()
    assert f'action="{close_url(signed)}"' in page

    response = client.post(close_url(signed))

    assert response.status_code == 200
    html = response.content.decode()
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1]
    assert text_of(h1) == "Clore « CLS 2020-2022 » ?"
    assert "Aucune page ne permet de rouvrir un contrat clos" in text_of(html)
    assert (
        '<button type="submit" name="confirm" value="1" class="button">'
        "Clore « CLS 2020-2022 »</button>"
    ) in html
    assert f'href="{BASE}/contrats/{signed.pk}/"' in html
    assert "Revenir au contrat sans le clore" in html
    signed.refresh_from_db()
    assert signed.status == ContractStatus.SIGNED and signed.closed_on is None
    assert not signed.events.filter(kind=ContractEventKind.CLOSED).exists()


def test_the_second_press_closes_the_contract_and_says_so(login_as, coordinator, signed):
    response = login_as(coordinator).post(close_url(signed), {"confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{BASE}/contrats/{signed.pk}/"
    assert "Le contrat est clos." in text_of(response.content.decode())
    signed.refresh_from_db()
    assert signed.status == ContractStatus.CLOSED and signed.closed_on is not None


def test_a_draft_is_refused_without_a_question(login_as, coordinator, territory):
    draft = ContractFactory(territory=territory, status=ContractStatus.DRAFT)
    response = login_as(coordinator).post(close_url(draft), follow=True)
    assert "Seul un contrat signé peut être clos." in text_of(response.content.decode())
    draft.refresh_from_db()
    assert draft.status == ContractStatus.DRAFT


def test_the_question_is_not_asked_to_whom_may_not_close(
    login_as, copilot, viewer, outsider, signed
):
    for who in (copilot, viewer, outsider):
        for data in ({}, {"confirm": "1"}):
            response = login_as(who).post(close_url(signed), data)
            assert response.status_code in (403, 404)
            assert "CLS 2020-2022" not in response.content.decode()
    signed.refresh_from_db()
    assert signed.status == ContractStatus.SIGNED


def test_the_question_costs_a_handful_of_queries(login_as, coordinator, signed):
    client = login_as(coordinator)
    client.post(close_url(signed))  # warms the session and content types
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(close_url(signed)).status_code == 200
    assert len(ctx) == 4, [q["sql"] for q in ctx]  # session, user, access, the contract
