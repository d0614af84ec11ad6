"""Reads of the questionnaires and the campaigns, each page in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from cls_platform.access import scoped
from cls_platform.models import Access, Delivery, DeliveryStatus

from .models import Answer, Question, Questionnaire, Section, Survey, SurveyInvitation
from .services import KIND_SURVEY, KIND_SURVEY_REMINDER, survey_recipients
from .tokens import invitation_from_token

FAILURES_SHOWN = 50


def questionnaire_list(*, access: Access) -> QuerySet[Questionnaire]:
    return (
        scoped(Questionnaire.objects.all(), access)
        .annotate(
            question_count=Count("sections__questions", distinct=True),
            survey_count=Count("surveys", distinct=True),
        )
        .order_by("title", "id")
    )


def questionnaire_sections(questionnaire: Questionnaire) -> list[Section]:
    """Its sections, each with its questions and their choices, in order (three queries)."""
    return list(
        questionnaire.sections.prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.prefetch_related("choices").annotate(
                    answer_count=Count("answers")
                ),
            )
        )
    )


def sections_of(access: Access) -> QuerySet[Section]:
    return Section.objects.filter(questionnaire__territory=access.territory).select_related(
        "questionnaire"
    )


def questions_of(access: Access) -> QuerySet[Question]:
    return Question.objects.filter(
        section__questionnaire__territory=access.territory
    ).select_related("section__questionnaire")


def survey_list(*, access: Access) -> QuerySet[Survey]:
    return (
        scoped(Survey.objects.all(), access)
        .select_related("contract", "questionnaire")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count(
                "invitations", filter=Q(invitations__submitted_at__isnull=False), distinct=True
            ),
        )
        .order_by("-opens_on", "-id")
    )


@dataclass(frozen=True)
class SendingState:
    """The e-mails of a campaign, by state: what the coordination checks after sending."""

    sent: int
    waiting: int
    failed: int
    skipped: int


@dataclass(frozen=True)
class SurveyOverview:
    invited: int
    answered: int
    to_invite: int  # people the campaign targets who were not asked yet
    invitations: SendingState
    reminders: SendingState
    failures: list[tuple[str, str]]  # (address, why), for the coordination to correct

    @property
    def rate(self) -> float:
        return 100 * self.answered / self.invited if self.invited else 0.0

    @property
    def not_answered(self) -> int:
        return self.invited - self.answered


def _state(rows: dict[tuple[str, str], int], kind: str) -> SendingState:
    def n(*statuses: str) -> int:
        return sum(rows.get((kind, s), 0) for s in statuses)

    return SendingState(
        sent=n(DeliveryStatus.SENT),
        waiting=n(DeliveryStatus.QUEUED, DeliveryStatus.SENDING),
        failed=n(DeliveryStatus.FAILED),
        skipped=n(DeliveryStatus.SKIPPED),
    )


def survey_overview(*, survey: Survey) -> SurveyOverview:
    counts = survey.invitations.aggregate(
        invited=Count("id"), answered=Count("id", filter=Q(submitted_at__isnull=False))
    )
    to_invite = (
        survey_recipients(survey).exclude(pk__in=survey.invitations.values("contact_id")).count()
    )
    rows = {
        (r["kind"], r["status"]): r["n"]
        for r in Delivery.objects.filter(territory_id=survey.territory_id, topic=survey.topic)
        .values("kind", "status")
        .annotate(n=Count("id"))
        .order_by()
    }
    failures = list(
        Delivery.objects.filter(
            territory_id=survey.territory_id, topic=survey.topic, status=DeliveryStatus.FAILED
        )
        .order_by("to_email", "id")
        .values_list("to_email", "last_error")[:FAILURES_SHOWN]
    )
    return SurveyOverview(
        failures=failures,
        invited=counts["invited"],
        answered=counts["answered"],
        to_invite=to_invite,
        invitations=_state(rows, KIND_SURVEY),
        reminders=_state(rows, KIND_SURVEY_REMINDER),
    )


def survey_people(*, survey: Survey) -> QuerySet[SurveyInvitation]:
    """Who was asked and whether they answered (for the coordination's page, paginated)."""
    return survey.invitations.select_related("contact", "organization").order_by(
        "contact__last_name", "contact__first_name", "id"
    )


@dataclass(frozen=True)
class AnswerPage:
    invitation: SurveyInvitation
    survey: Survey
    sections: list[Section]
    questions: list[Question]
    answers: list[Answer]


def answer_page(*, token: str, territory_slug: str) -> AnswerPage | None:
    """What the signed link opens: the person's invitation, the questionnaire and their earlier
    answers; None for a forged link, another territory's, or a person erased since."""
    pk = invitation_from_token(token)
    if pk is None:
        return None
    invitation = (
        SurveyInvitation.objects.select_related(
            "survey__territory", "survey__questionnaire", "contact"
        )
        .filter(
            pk=pk,
            survey__territory__slug=territory_slug,
            contact__isnull=False,
            contact__anonymized_at__isnull=True,
        )
        .first()
    )
    if invitation is None:
        return None
    sections = questionnaire_sections(invitation.survey.questionnaire)
    return AnswerPage(
        invitation=invitation,
        survey=invitation.survey,
        sections=sections,
        questions=[q for s in sections for q in s.questions.all()],
        answers=list(invitation.answers.all()),
    )
