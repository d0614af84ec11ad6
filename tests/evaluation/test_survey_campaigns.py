"""A campaign's settings and sending, as the coordination uses them: whom it asks (every
partner, or the people of chosen groups), when it may be sent, and what its page says."""

from __future__ import annotations

import datetime as dt
import html as html_lib

import pytest
from django.core import mail
from django.utils import timezone

from evaluation.surveys.models import Survey
from tests.evaluation.test_survey_data import (
    campaign,
    invitation_of,
    partner,
    question,
    respond,
    send,
)
from tests.factories import ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups.models import Invitation, Membership

pytestmark = pytest.mark.django_db


def page_of(response) -> str:
    return html_lib.unescape(response.content.decode())


def settings_data(contract, questionnaire, **changes):
    today = timezone.localdate()
    data = {
        "title": "Bilan à mi-parcours 2025",
        "contract": contract.pk,
        "questionnaire": questionnaire.pk,
        "audience": "all_partners",
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=21)).isoformat(),
        "message": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def groups(territory):
    """Two groups of one contract, and who belongs to which."""
    contract = ContractFactory(territory=territory)
    access = WorkGroupFactory(contract=contract, name="GT Accès aux droits")
    mental = WorkGroupFactory(contract=contract, name="GT Santé mentale")
    pilot, member, came, elsewhere = (partner(territory) for _ in range(4))
    access.pilots.add(pilot)
    Membership.objects.create(group=access, contact=member)
    held = MeetingFactory(group=access, starts_at=timezone.now() - dt.timedelta(days=30))
    Invitation.objects.create(meeting=held, contact=came, attendance="present")
    Membership.objects.create(group=mental, contact=elsewhere)
    return {
        "contract": contract,
        "access": access,
        "mental": mental,
        "in_group": {pilot, member, came},
        "elsewhere": elsewhere,
    }


def test_a_campaign_for_chosen_groups_asks_their_people_only(
    login_as, coordinator, groups, django_capture_on_commit_callbacks
):
    client = login_as(coordinator)
    questionnaire = campaign(coordinator.territory, contract=groups["contract"]).questionnaire
    response = client.post(
        "/t/cergy/enquetes/nouvelle/",
        settings_data(
            groups["contract"],
            questionnaire,
            audience="groups",
            groups=[groups["access"].pk],
            title="Le GT accès aux droits",
        ),
    )
    survey = Survey.objects.get(title="Le GT accès aux droits")
    assert response["Location"] == f"/t/cergy/enquetes/{survey.pk}/"
    detail = page_of(client.get(response["Location"]))
    assert "Envoyer le questionnaire (destinataires : 3)" in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/t/cergy/enquetes/{survey.pk}/envoyer/")
    asked = {m.to[0] for m in mail.outbox}
    assert asked == {p.email for p in groups["in_group"]}
    # Their group is kept with their answer, for the breakdown by group.
    for person in groups["in_group"]:
        assert list(invitation_of(survey, person).groups.all()) == [groups["access"]]


def test_groups_must_be_chosen_and_belong_to_the_contract(login_as, coordinator, groups):
    client = login_as(coordinator)
    questionnaire = campaign(coordinator.territory).questionnaire
    page = client.post(
        "/t/cergy/enquetes/nouvelle/",
        settings_data(groups["contract"], questionnaire, audience="groups"),
    )
    assert "Choisissez au moins un groupe de travail." in page_of(page)
    other = WorkGroupFactory(contract=ContractFactory(territory=coordinator.territory))
    page = client.post(
        "/t/cergy/enquetes/nouvelle/",
        settings_data(groups["contract"], questionnaire, audience="groups", groups=[other.pk]),
    )
    assert "Choisissez des groupes de ce contrat." in page_of(page)
    today = timezone.localdate()
    page = client.post(
        "/t/cergy/enquetes/nouvelle/",
        settings_data(
            groups["contract"],
            questionnaire,
            closes_on=(today - dt.timedelta(days=1)).isoformat(),
        ),
    )
    assert "La clôture précède l'ouverture." in page_of(page)
    assert Survey.objects.count() == 1  # the one `campaign` made


def test_a_campaign_is_sent_once_open_and_reminded_once_sent(login_as, coordinator):
    partner(coordinator.territory)
    survey = campaign(coordinator.territory, opens=3, closes=20)
    client = login_as(coordinator)
    page = page_of(client.post(f"/t/cergy/enquetes/{survey.pk}/envoyer/", follow=True))
    assert "La campagne ouvre le" in page and "l'envoi sera possible à partir de cette date" in page
    assert not mail.outbox
    page = page_of(client.post(f"/t/cergy/enquetes/{survey.pk}/relancer/", follow=True))
    assert "La campagne n'est pas encore envoyée." in page


def test_the_coordination_sees_who_answered_and_others_see_figures(
    login_as, coordinator, copilot, territory
):
    lea = partner(territory, first_name="Léa", last_name="Roux")
    partner(territory, first_name="Paul", last_name="Nadal")
    survey = campaign(territory)
    send(survey)
    respond(survey, lea, {question(survey, "Connaissez-vous"): "Oui, bien"})
    page = page_of(login_as(coordinator).get(f"/t/cergy/enquetes/{survey.pk}/"))
    assert "Léa Roux" in page and "répondu le" in page and "pas encore" in page
    assert "<dt>Taux de réponse</dt><dd>50 %</dd>" in page
    assert "Relancer les personnes sans réponse (1)" in page
    page = page_of(login_as(copilot).get(f"/t/cergy/enquetes/{survey.pk}/"))
    assert "<dt>Taux de réponse</dt><dd>50 %</dd>" in page
    assert "Léa Roux" not in page and "Relancer" not in page


def test_a_refused_address_is_shown_to_the_coordination_only(
    login_as, coordinator, viewer, territory
):
    from cls_platform.models import Delivery, DeliveryStatus

    partner(territory, email="lea@asso.fr")
    survey = campaign(territory)
    send(survey)
    Delivery.objects.filter(topic=survey.topic).update(
        status=DeliveryStatus.FAILED, last_error="550 5.1.1 boîte inconnue"
    )
    page = page_of(login_as(coordinator).get(f"/t/cergy/enquetes/{survey.pk}/"))
    assert "Adresses refusées" in page and "lea@asso.fr (550 5.1.1 boîte inconnue)" in " ".join(
        page.replace('<span class="muted">', "").replace("</span>", "").split()
    )
    page = page_of(login_as(viewer).get(f"/t/cergy/enquetes/{survey.pk}/"))
    assert "lea@asso.fr" not in page


def test_once_sent_a_campaign_keeps_its_questionnaire_and_contract(login_as, coordinator):
    from evaluation.surveys import questionnaires

    partner(coordinator.territory)
    survey = campaign(coordinator.territory)
    send(survey)
    other = questionnaires.questionnaire_create_default(territory=coordinator.territory)
    client = login_as(coordinator)
    url = f"/t/cergy/enquetes/{survey.pk}/modifier/"
    page = page_of(client.post(url, settings_data(survey.contract, other)))
    assert "son questionnaire ne change plus" in page
    page = page_of(
        client.post(url, settings_data(ContractFactory(territory=coordinator.territory), other))
    )
    assert "son contrat ne change plus" in page
    response = client.post(
        url, settings_data(survey.contract, survey.questionnaire, title="Bilan, titre corrigé")
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Bilan, titre corrigé"
