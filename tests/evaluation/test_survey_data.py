"""Builders of the survey tests (campaigns, respondents, answers), and the default
questionnaire's own tests: what the Cergy narrative asks, in its words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from evaluation.surveys import questionnaires, services
from evaluation.surveys.models import (
    Choice,
    Question,
    QuestionKind,
    Survey,
    SurveyAudience,
    SurveyInvitation,
)
from partners.models import Contact, Sector
from tests.factories import ContactFactory, ContractFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def sector(slug: str) -> Sector:
    return Sector.objects.get(slug=slug)


def partner(territory, *, sectors: tuple[str, ...] = ("sante",), internal: bool = False, **kw):
    """A reachable person at a structure of `sectors`."""
    organization = OrganizationFactory(territory=territory, is_internal=internal)
    organization.sectors.set([sector(s) for s in sectors])
    return ContactFactory(territory=territory, organization=organization, **kw)


def campaign(
    territory,
    *,
    contract=None,
    questionnaire=None,
    opens: int = -7,
    closes: int = 7,
    title: str = "Bilan à mi-parcours",
    audience: str = SurveyAudience.ALL_PARTNERS,
) -> Survey:
    """A campaign of the default questionnaire (or `questionnaire`), open from `opens` to
    `closes` days from today."""
    today = timezone.localdate()
    contract = contract or ContractFactory(territory=territory)
    questionnaire = questionnaire or questionnaires.questionnaire_create_default(
        territory=territory
    )
    return Survey.objects.create(
        contract=contract,
        questionnaire=questionnaire,
        title=title,
        audience=audience,
        opens_on=today + dt.timedelta(days=opens),
        closes_on=today + dt.timedelta(days=closes),
    )


def send(survey: Survey) -> services.Sent:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.survey_send(survey=survey)


def question(survey: Survey, start: str) -> Question:
    return Question.objects.get(section__questionnaire=survey.questionnaire, text__startswith=start)


def choice(q: Question, label: str) -> Choice:
    return q.choices.get(label=label)


def invitation_of(survey: Survey, contact: Contact) -> SurveyInvitation:
    return SurveyInvitation.objects.get(survey=survey, contact=contact)


def respond(
    survey: Survey,
    contact: Contact,
    answers: dict[Question, Any],
    *,
    today: dt.date | None = None,
) -> SurveyInvitation:
    """The person's answers, given by label (a choice), labels (multiple), a number (scale) or
    a text; `today` answers a campaign closed since, as on that day."""
    data: dict[int, Any] = {}
    for q, value in answers.items():
        if q.kind == QuestionKind.SINGLE:
            data[q.pk] = str(choice(q, value).pk)
        elif q.kind == QuestionKind.MULTIPLE:
            data[q.pk] = [str(choice(q, label).pk) for label in value]
        else:
            data[q.pk] = value
    return services.answer_submit(
        invitation=invitation_of(survey, contact),
        questionnaire=survey.questionnaire,
        data=data,
        today=today,
    )


# --- the default questionnaire ------------------------------------------------------------------


def test_the_default_questionnaire_asks_what_the_cergy_narrative_asks(territory):
    made = questionnaires.questionnaire_create_default(territory=territory)
    asked = list(
        Question.objects.filter(section__questionnaire=made)
        .order_by("section__position", "position")
        .values_list("text", "kind")
    )
    texts = [text for text, _kind in asked]
    assert texts[0] == "Connaissez-vous le CLS ?"
    for words in (
        "niveau d'implication",
        "Qu'attendez-vous des groupes de travail",
        "satisfaire vos attentes",
        "professionnels que vous ne connaissiez pas",
        "inscrire dans le prochain CLS",
        "Commentaires libres",
    ):
        assert any(words in text for text in texts), words
    kinds = {kind for _text, kind in asked}
    assert kinds == {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE, "text"}
    assert made.sections.count() == 3
    # Every choice question offers at least two answers.
    for q in Question.objects.filter(section__questionnaire=made, kind__in=["single", "multiple"]):
        assert q.choices.count() >= 2, q.text


def test_each_territory_gets_its_own_copy(territory, other_territory):
    ours = questionnaires.questionnaire_create_default(territory=territory)
    theirs = questionnaires.questionnaire_create_default(territory=other_territory)
    assert ours.pk != theirs.pk
    assert not Question.objects.filter(section__questionnaire=ours).filter(
        pk__in=Question.objects.filter(section__questionnaire=theirs)
    )
