"""A partner answers through the signed link of their e-mail, with no account: they can come
back and change their answers until the campaign closes, and are refused, with a clear page,
after it."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from evaluation.surveys.models import Answer
from evaluation.surveys.tokens import answer_token
from tests.evaluation.test_survey_data import (
    campaign,
    choice,
    invitation_of,
    partner,
    question,
    send,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(territory):
    """Léa Roux, asked in an open campaign: her e-mail's link, the campaign, her."""
    lea = partner(territory, first_name="Léa", last_name="Roux", email="lea.roux@asso.fr")
    survey = campaign(territory)
    send(survey)
    (message,) = [m for m in mail.outbox if m.to == ["lea.roux@asso.fr"]]
    link = re.search(r"http\S+/repondre/\S+/", message.body)[0]
    return {"survey": survey, "lea": lea, "path": urlsplit(link).path}


def form_data(survey, *, knows: str, expects: list[str], satisfied: int, comment: str = ""):
    knows_q = question(survey, "Connaissez-vous")
    expects_q = question(survey, "Qu'attendez-vous")
    satisfied_q = question(survey, "Le CLS a-t-il permis")
    comments_q = question(survey, "Commentaires libres")
    return {
        f"q{knows_q.pk}": str(choice(knows_q, knows).pk),
        f"q{expects_q.pk}": [str(choice(expects_q, label).pk) for label in expects],
        f"q{satisfied_q.pk}": str(satisfied),
        f"q{comments_q.pk}": comment,
    }


def answers_of(survey, contact) -> dict[str, list[str]]:
    """What the database holds of the person's answers, by question."""
    found: dict[str, list[str]] = {}
    for a in Answer.objects.filter(invitation=invitation_of(survey, contact)).select_related(
        "question", "choice"
    ):
        value = a.choice.label if a.choice else (str(a.value) if a.value is not None else a.text)
        found.setdefault(a.question.text, []).append(value)
    return {k: sorted(v) for k, v in found.items()}


def test_a_partner_answers_through_their_link_without_an_account(asked):
    survey, lea = asked["survey"], asked["lea"]
    client = Client()  # nobody signed in
    page = client.get(asked["path"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Connaissez-vous le CLS ? (obligatoire)" in html
    assert "Envoyer mes réponses" in html
    assert not Answer.objects.exists()  # opening the link records nothing

    data = form_data(
        survey,
        knows="Un peu",
        expects=["Partager des expériences", "Construire des projets communs"],
        satisfied=4,
        comment="Plus de réunions en soirée, s'il vous plaît.",
    )
    response = client.post(asked["path"], data)
    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    assert "Merci, vos réponses sont enregistrées." in thanks
    assert answers_of(survey, lea) == {
        "Connaissez-vous le CLS ?": ["Un peu"],
        "Qu'attendez-vous des groupes de travail ?": [
            "Construire des projets communs",
            "Partager des expériences",
        ],
        "Le CLS a-t-il permis de satisfaire vos attentes ?": ["4"],
        "Commentaires libres": ["Plus de réunions en soirée, s'il vous plaît."],
    }
    assert invitation_of(survey, lea).submitted_at is not None


def test_the_answers_can_be_changed_until_the_close_and_stay_one_per_person(asked):
    survey, lea = asked["survey"], asked["lea"]
    client = Client()
    client.post(asked["path"], form_data(survey, knows="Un peu", expects=[], satisfied=2))
    first = invitation_of(survey, lea).submitted_at
    # She comes back: the page shows what she answered, ready to change.
    html = client.get(asked["path"]).content.decode()
    knows_q = question(survey, "Connaissez-vous")
    assert re.search(rf'value="{choice(knows_q, "Un peu").pk}"[^>]*checked', html)
    assert "Vous avez répondu le" in html
    client.post(
        asked["path"],
        form_data(
            survey,
            knows="Oui, bien",
            expects=["Suivre l'avancement des actions du CLS"],
            satisfied=5,
        ),
    )
    answers = answers_of(survey, lea)
    assert answers["Connaissez-vous le CLS ?"] == ["Oui, bien"]
    assert answers["Le CLS a-t-il permis de satisfaire vos attentes ?"] == ["5"]
    assert "Commentaires libres" not in answers  # emptied: no row left
    invitation = invitation_of(survey, lea)
    assert invitation.submitted_at == first  # the first answer's date stays
    assert invitation.updated_at is not None
    assert survey.invitations.filter(submitted_at__isnull=False).count() == 1


def test_after_the_close_the_link_says_so_and_changes_nothing(asked):
    survey, lea = asked["survey"], asked["lea"]
    client = Client()
    client.post(asked["path"], form_data(survey, knows="Un peu", expects=[], satisfied=3))
    survey.closes_on = timezone.localdate() - dt.timedelta(days=1)
    survey.save()
    page = client.get(asked["path"])
    assert page.status_code == 410
    html = page.content.decode()
    assert "Ce questionnaire est clos" in html
    assert "les réponses ne sont plus modifiables" in html
    assert "ont bien été prises en compte" in html
    refused = client.post(asked["path"], form_data(survey, knows="Non", expects=[], satisfied=1))
    assert refused.status_code == 410
    assert answers_of(survey, lea)["Connaissez-vous le CLS ?"] == ["Un peu"]


def test_before_the_opening_the_link_says_when(asked):
    survey = asked["survey"]
    survey.opens_on = timezone.localdate() + dt.timedelta(days=3)
    survey.closes_on = survey.opens_on + dt.timedelta(days=10)
    survey.save()
    page = Client().get(asked["path"])
    assert page.status_code == 403
    assert "pas encore ouvert" in page.content.decode()


def test_a_required_question_left_empty_is_named_and_nothing_is_recorded(asked):
    survey = asked["survey"]
    data = form_data(survey, knows="Un peu", expects=[], satisfied=3)
    del data[f"q{question(survey, 'Connaissez-vous').pk}"]
    page = Client().post(asked["path"], data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Une réponse manque ou ne convient pas" in html
    assert f'href="#id_q{question(survey, "Connaissez-vous").pk}_0"' in html
    assert 'aria-invalid="true"' in html
    assert not Answer.objects.exists()


@pytest.mark.parametrize("tamper", ["forged", "other_territory", "erased"])
def test_a_bad_link_opens_a_clear_page_and_nothing_else(asked, outsider, tamper):
    lea = asked["lea"]
    path = asked["path"]
    if tamper == "forged":
        path = path.replace("/repondre/", "/repondre/x")
    elif tamper == "other_territory":
        path = path.replace("/t/cergy/", f"/t/{outsider.territory.slug}/")
    else:
        lea.anonymized_at = timezone.now()
        lea.save()
    page = Client().get(path)
    assert page.status_code == 404
    assert "Ce lien de questionnaire n'est pas valide" in page.content.decode()
    assert Client().post(path, {}).status_code == 404


def test_an_answer_that_is_not_offered_is_refused(asked):
    survey = asked["survey"]
    data = form_data(survey, knows="Un peu", expects=[], satisfied=3)
    data[f"q{question(survey, 'Connaissez-vous').pk}"] = "999999"
    page = Client().post(asked["path"], data)
    assert page.status_code == 200
    assert not Answer.objects.exists()


def test_the_link_of_one_person_opens_their_answers_only(territory, asked):
    survey = asked["survey"]
    other = partner(territory, email="autre@asso.fr")
    send(survey)
    mine = invitation_of(survey, asked["lea"])
    theirs = invitation_of(survey, other)
    Client().post(asked["path"], form_data(survey, knows="Non", expects=[], satisfied=1))
    assert mine.answers.exists() and not theirs.answers.exists()
    html = Client().get(f"/t/cergy/repondre/{answer_token(theirs.pk)}/").content.decode()
    assert "Connaissez-vous le CLS ?" in html
    assert "Vous avez répondu" not in html


def test_the_service_refuses_a_point_off_the_scale(asked):
    from django.core.exceptions import ValidationError

    from evaluation.surveys import services

    survey = asked["survey"]
    with pytest.raises(ValidationError, match="ne fait pas partie"):
        services.answer_submit(
            invitation=invitation_of(survey, asked["lea"]),
            questionnaire=survey.questionnaire,
            data={question(survey, "Le CLS a-t-il permis").pk: 42},
        )
    assert not Answer.objects.exists()
