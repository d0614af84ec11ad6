""" "Confirmer le départ" asks first: the person stops receiving every mail of the CLS and a
successor (added to the directory if need be) takes their groups, which no page undoes. A page
(no script needed) says exactly that and only its second button confirms; the way back changes
nothing. "Écarter" changes nothing in the directory (the declaration stays readable, a departure
can still be recorded from the person's page): it stays one click. Co-pilots, signatories and
other territories never see the question."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Contact, HandOver, HandOverStatus
from tests.factories import (
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from workgroups.models import Membership

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire"


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def h1_of(html: str) -> str:
    return text_of(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1])


@pytest.fixture
def partner(territory):
    org = OrganizationFactory(territory=territory, name="Mission locale")
    return ContactFactory(
        territory=territory,
        organization=org,
        first_name="Paul",
        last_name="Martin",
        email="paul.martin@ml.fr",
    )


def member_of(partner, *names: str) -> list:
    contract = ContractFactory(territory=partner.territory)
    groups = [WorkGroupFactory(contract=contract, name=name) for name in names]
    for group in groups:
        Membership.objects.create(group=group, contact=partner)
    return groups


@pytest.fixture
def declared(partner):
    member_of(partner, "GT Santé mentale", "GT Habitat")
    return HandOver.objects.create(
        contact=partner,
        left_on=dt.date(2026, 11, 2),
        successor_first_name="Léa",
        successor_last_name="Bonnet",
        successor_email="lea.bonnet@ml.fr",
    )


def decide_url(hand_over) -> str:
    return f"{BASE}/departs/{hand_over.pk}/"


def test_confirmer_asks_first_and_changes_nothing(login_as, coordinator, partner, declared):
    client = login_as(coordinator)
    listing = client.get(f"{BASE}/departs/").content.decode()
    assert f'action="{decide_url(declared)}"' in listing

    response = client.post(decide_url(declared), {"decision": "confirm"})

    assert response.status_code == 200
    html = response.content.decode()
    assert h1_of(html) == "Confirmer le départ de Paul Martin ?"
    text = text_of(html)
    assert (
        "À compter du 2 novembre 2026, Paul Martin ne recevra plus aucun envoi du CLS "
        "(invitations, comptes-rendus). Son historique est conservé."
    ) in text
    assert (
        "Léa Bonnet reprend sa place dans ses 2 groupes (GT Habitat, GT Santé mentale), "
        "avec les mêmes choix d'envois."
    ) in text
    assert (
        "Cette personne (lea.bonnet@ml.fr) n'est pas encore dans l'annuaire : elle y sera "
        "ajoutée, dans la structure Mission locale."
    ) in text
    assert "Aucune page n'annule un départ confirmé." in text
    assert '<input type="hidden" name="decision" value="confirm">' in html
    assert (
        '<button type="submit" name="confirm" value="1" class="button">'
        "Confirmer le départ de Paul Martin</button>"
    ) in html
    assert f'<a href="{BASE}/departs/">Revenir aux départs signalés sans rien changer</a>' in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]

    declared.refresh_from_db()
    partner.refresh_from_db()
    assert declared.status == HandOverStatus.PENDING
    assert partner.left_at is None and partner.is_active and partner.successor is None
    assert not Contact.objects.filter(email="lea.bonnet@ml.fr").exists()
    # The way back: the declaration still waits, with its two buttons.
    listing = client.get(f"{BASE}/departs/").content.decode()
    assert "Confirmer le départ" in listing and "Écarter" in listing


def test_the_second_press_confirms_and_says_so(login_as, coordinator, partner, declared):
    response = login_as(coordinator).post(
        decide_url(declared), {"decision": "confirm", "confirm": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{BASE}/departs/"
    assert "Départ confirmé. Léa Bonnet reprend ses groupes et ses envois." in text_of(
        response.content.decode()
    )
    partner.refresh_from_db()
    successor = Contact.objects.get(email="lea.bonnet@ml.fr")
    assert partner.left_at == dt.date(2026, 11, 2) and partner.successor == successor
    assert successor.memberships.count() == 2


def test_the_question_names_a_known_successor_and_the_seats_left_vacant(
    login_as, coordinator, territory, partner
):
    (mental,) = member_of(partner, "GT Santé mentale")
    mental.pilots.add(partner)
    FicheActionFactory(contract=mental.contract, pilot_contact=partner)
    ContactFactory(
        territory=territory, first_name="Léa", last_name="Bonnet", email="Lea.Bonnet@ml.fr"
    )
    hand_over = HandOver.objects.create(contact=partner, successor_email="lea.bonnet@ml.fr")

    text = text_of(
        login_as(coordinator).post(decide_url(hand_over), {"decision": "confirm"}).content.decode()
    )

    assert "Léa Bonnet reprend sa place dans son groupe (GT Santé mentale)" in text
    assert "Cette personne est déjà dans l'annuaire." in text
    assert (
        "Ses sièges de pilote ou co-pilote (GT Santé mentale) ne passent pas à son successeur"
    ) in text
    assert "Paul Martin pilote ou co-pilote une fiche-action : ce rôle ne passe pas" in text
    assert Contact.objects.filter(email__iexact="lea.bonnet@ml.fr").count() == 1


def test_without_a_successor_the_question_says_nobody_takes_over(login_as, coordinator, partner):
    member_of(partner, "GT Habitat")
    hand_over = HandOver.objects.create(contact=partner)
    text = text_of(
        login_as(coordinator).post(decide_url(hand_over), {"decision": "confirm"}).content.decode()
    )
    assert (
        "Aucun successeur n'est proposé : personne ne reprend sa place dans son groupe "
        "(GT Habitat)."
    ) in text


def test_ecarter_stays_one_click_and_changes_no_one(login_as, coordinator, partner, declared):
    response = login_as(coordinator).post(decide_url(declared), {"decision": "reject"}, follow=True)
    assert "Départ écarté : l'annuaire reste inchangé." in text_of(response.content.decode())
    declared.refresh_from_db()
    partner.refresh_from_db()
    assert declared.status == HandOverStatus.REJECTED
    assert partner.left_at is None and partner.is_active
    assert not Contact.objects.filter(email="lea.bonnet@ml.fr").exists()


def test_the_question_is_not_asked_to_whom_may_not_decide(
    login_as, copilot, viewer, outsider, partner, declared
):
    for who in (copilot, viewer, outsider):
        for data in ({"decision": "confirm"}, {"decision": "confirm", "confirm": "1"}):
            response = login_as(who).post(decide_url(declared), data)
            assert response.status_code in (403, 404)
            assert "Paul Martin" not in response.content.decode()
    declared.refresh_from_db()
    partner.refresh_from_db()
    assert declared.status == HandOverStatus.PENDING and partner.left_at is None


def test_a_declaration_already_decided_gets_no_question(login_as, coordinator, declared):
    declared.status = HandOverStatus.REJECTED
    declared.save()
    response = login_as(coordinator).post(decide_url(declared), {"decision": "confirm"})
    assert response.status_code == 404


@pytest.mark.parametrize("groups", [2, 12])
def test_the_question_costs_the_same_whatever_the_groups(login_as, coordinator, partner, groups):
    contract_groups = member_of(partner, *[f"GT {i:02d}" for i in range(groups)])
    for group in contract_groups[: groups // 2]:
        group.pilots.add(partner)
    hand_over = HandOver.objects.create(contact=partner, successor_email="lea.bonnet@ml.fr")
    client = login_as(coordinator)
    client.post(decide_url(hand_over), {"decision": "confirm"})  # warms the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(decide_url(hand_over), {"decision": "confirm"})
    assert response.status_code == 200
    assert f"ses {groups} groupes" in text_of(response.content.decode())
    # session, user, access, the declaration with the person and structure, the successor by
    # address, the groups, the seats, the fiches piloted, the fiches co-piloted
    assert len(ctx) == 9, [q["sql"] for q in ctx]
