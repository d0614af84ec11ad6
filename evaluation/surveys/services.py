"""Writes of the campaigns: their settings, the sending and the reminder (through the outbox),
and a partner's answers.

Whom a campaign asks (`survey_recipients`): every active partner of the territory, or the
people of the chosen groups, that is their pilots, their members and whoever attended one of
their meetings (Cergy invites every partner to every group: there, the group's people are those
who came). Only people who may be mailed (not unsubscribed, departed, bounced nor erased).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cls_platform.audit import AuditEvent, audit_event
from cls_platform.mail import outbox
from cls_platform.models import Territory
from partners.models import Contact
from workgroups.models import Attendance, Invitation, Membership, MembershipKind, WorkGroup

from .models import (
    CHOICE_KINDS,
    Answer,
    Question,
    QuestionKind,
    Questionnaire,
    Survey,
    SurveyAudience,
    SurveyInvitation,
)

KIND_SURVEY = "survey_invitation"
KIND_SURVEY_REMINDER = "survey_reminder"


def _long(day: dt.date) -> str:
    return date_format(day, "j F Y")


def group_people(group_ids: list[int]) -> Q:
    """The condition on contacts that makes them people of one of the groups: pilots, members,
    or present at one of their meetings (one subquery each, no join that multiplies rows)."""
    pilots = WorkGroup.pilots.through.objects.filter(workgroup_id__in=group_ids)
    members = Membership.objects.filter(group_id__in=group_ids, kind=MembershipKind.MEMBER)
    present = Invitation.objects.filter(
        meeting__group_id__in=group_ids, attendance=Attendance.PRESENT
    )
    return (
        Q(pk__in=pilots.values("contact_id"))
        | Q(pk__in=members.values("contact_id"))
        | Q(pk__in=present.values("contact_id"))
    )


def survey_recipients(survey: Survey) -> QuerySet[Contact]:
    """Whom the campaign asks, among the people who may be mailed."""
    contacts = Contact.objects.mailable().filter(territory_id=survey.territory_id)
    if survey.audience == SurveyAudience.GROUPS:
        contacts = contacts.filter(group_people(list(survey.groups.values_list("pk", flat=True))))
    return contacts


@transaction.atomic
def survey_save(
    *, territory: Territory, data: dict[str, Any], survey: Survey | None = None
) -> Survey:
    """A campaign's settings. Once sent, its questionnaire stays the one its answers follow."""
    contract, questionnaire = data["contract"], data["questionnaire"]
    groups = list(data.get("groups") or [])
    errors: dict[str, str] = {}
    if contract.territory_id != territory.pk:
        errors["contract"] = _("Ce contrat n'appartient pas au territoire.")
    if questionnaire.territory_id != territory.pk:
        errors["questionnaire"] = _("Ce questionnaire n'appartient pas au territoire.")
    if survey and survey.sent_at and questionnaire.pk != survey.questionnaire_id:
        errors["questionnaire"] = _("La campagne est envoyée : son questionnaire ne change plus.")
    if survey and survey.sent_at and contract.pk != survey.contract_id:
        errors["contract"] = _("La campagne est envoyée : son contrat ne change plus.")
    if data["closes_on"] < data["opens_on"]:
        errors["closes_on"] = _("La clôture précède l'ouverture.")
    if data["audience"] == SurveyAudience.GROUPS:
        if not groups:
            errors["groups"] = _("Choisissez au moins un groupe de travail.")
        elif any(g.contract_id != contract.pk for g in groups):
            errors["groups"] = _("Choisissez des groupes de ce contrat.")
    if errors:
        raise ValidationError(errors)
    survey = survey or Survey(territory=territory)
    survey.contract, survey.questionnaire = contract, questionnaire
    survey.title = data["title"].strip()
    survey.message = data.get("message", "").strip()
    survey.audience = data["audience"]
    survey.opens_on, survey.closes_on = data["opens_on"], data["closes_on"]
    survey.save()
    survey.groups.set(groups if survey.audience == SurveyAudience.GROUPS else [])
    return survey


def _invite(survey: Survey, contacts: QuerySet[Contact]) -> None:
    """One invitation per person not yet asked, with their structure and groups of now."""
    already = SurveyInvitation.objects.filter(survey=survey).values("contact_id")
    new = list(contacts.exclude(pk__in=already).values_list("pk", "organization_id"))
    if not new:
        return
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(
                survey=survey,
                territory_id=survey.territory_id,
                contact_id=pk,
                organization_id=organization_id,
            )
            for pk, organization_id in new
        ],
        ignore_conflicts=True,
    )
    invitations = dict(
        SurveyInvitation.objects.filter(
            survey=survey, contact_id__in=[pk for pk, _org in new]
        ).values_list("contact_id", "pk")
    )
    groups = survey.contract.work_groups.all()
    if survey.audience == SurveyAudience.GROUPS:
        groups = survey.groups.all()
    group_ids = list(groups.values_list("pk", flat=True))
    contact_ids = list(invitations)
    links = set(
        WorkGroup.pilots.through.objects.filter(
            contact_id__in=contact_ids, workgroup_id__in=group_ids
        ).values_list("contact_id", "workgroup_id")
    )
    links |= set(
        Membership.objects.filter(
            contact_id__in=contact_ids, group_id__in=group_ids, kind=MembershipKind.MEMBER
        ).values_list("contact_id", "group_id")
    )
    links |= set(
        Invitation.objects.filter(
            contact_id__in=contact_ids,
            meeting__group_id__in=group_ids,
            attendance=Attendance.PRESENT,
        ).values_list("contact_id", "meeting__group_id")
    )
    through = SurveyInvitation.groups.through
    through.objects.bulk_create(
        [
            through(surveyinvitation_id=invitations[contact_id], workgroup_id=group_id)
            for contact_id, group_id in links
        ],
        ignore_conflicts=True,
    )


def _recipients(invitations: QuerySet[SurveyInvitation]) -> list[outbox.Recipient]:
    contacts = Contact.objects.mailable().filter(pk__in=invitations.values("contact_id"))
    return [
        outbox.Recipient(email=e, contact_id=pk) for pk, e in contacts.values_list("pk", "email")
    ]


@dataclass(frozen=True)
class Sent:
    queued: int  # new e-mails
    already: int  # people who had theirs


@transaction.atomic
def survey_send(*, survey: Survey, today: dt.date | None = None) -> Sent:
    """Ask everyone the campaign targets: those asked before are not mailed again, newcomers
    (a partner added to a group since) are."""
    survey = (
        Survey.objects.select_for_update().select_related("contract", "territory").get(pk=survey.pk)
    )
    today = today or timezone.localdate()
    if survey.is_upcoming(today):
        raise ValidationError(
            _("La campagne ouvre le %(day)s : l'envoi sera possible à partir de cette date.")
            % {"day": _long(survey.opens_on)}
        )
    if survey.is_closed(today):
        raise ValidationError(_("La campagne est close : plus rien ne peut être envoyé."))
    if not survey.questionnaire.sections.filter(questions__isnull=False).exists():
        raise ValidationError(_("Le questionnaire n'a encore aucune question."))
    _invite(survey, survey_recipients(survey))
    result = outbox.enqueue(
        territory=survey.territory,
        kind=KIND_SURVEY,
        topic=survey.topic,
        recipients=_recipients(survey.invitations.all()),
    )
    if survey.sent_at is None:
        survey.sent_at = timezone.now()
        survey.save(update_fields=["sent_at"])
    audit_event(
        AuditEvent.SEND,
        target=survey,
        message="survey",
        queued=len(result.queued),
        skipped=result.skipped,
    )
    return Sent(queued=len(result.queued), already=result.skipped)


@transaction.atomic
def survey_remind(*, survey: Survey, today: dt.date | None = None) -> int:
    """A reminder to those who have not answered yet; returns how many were queued."""
    survey = Survey.objects.select_for_update().select_related("territory").get(pk=survey.pk)
    if survey.sent_at is None:
        raise ValidationError(_("La campagne n'est pas encore envoyée."))
    if not survey.is_open(today):
        raise ValidationError(_("La campagne est close : plus rien ne peut être envoyé."))
    recipients = _recipients(survey.invitations.filter(submitted_at__isnull=True))
    if not recipients:
        raise ValidationError(_("Personne à relancer : toutes les personnes jointes ont répondu."))
    result = outbox.enqueue(
        territory=survey.territory,
        kind=KIND_SURVEY_REMINDER,
        topic=survey.topic,
        recipients=recipients,
        revision=survey.reminder_count + 1,
    )
    survey.reminder_count += 1
    survey.last_reminder_at = timezone.now()
    survey.save(update_fields=["reminder_count", "last_reminder_at"])
    audit_event(
        AuditEvent.SEND, target=survey, message="survey_reminder", queued=len(result.queued)
    )
    return len(result.queued)


def answer_refusal(invitation: SurveyInvitation, today: dt.date | None = None) -> str:
    """Why this person may not answer now ("" when they may), as the answer page says it."""
    survey = invitation.survey
    if survey.is_closed(today):
        return _(
            "Ce questionnaire est clos depuis le %(day)s : les réponses ne sont plus modifiables."
        ) % {"day": _long(survey.closes_on + dt.timedelta(days=1))}
    if survey.is_upcoming(today):
        return _("Ce questionnaire ouvre le %(day)s.") % {"day": _long(survey.opens_on)}
    return ""


def _offered(question: Question, value: Any) -> bool:
    """Whether `value` is among the answers the question offers (an empty one always is)."""
    values = value if isinstance(value, list | tuple) else [value]
    values = [str(v) for v in values if v not in (None, "")]
    if question.kind in CHOICE_KINDS:
        return set(values) <= {str(c.pk) for c in question.choices.all()}
    if question.kind == QuestionKind.SCALE:
        return set(values) <= {str(v) for v in question.scale_values()}
    return True


def _rows(invitation: SurveyInvitation, question: Question, value: Any) -> list[Answer]:
    if value in (None, "", []):
        return []
    if question.kind == QuestionKind.TEXT:
        return [Answer(invitation=invitation, question=question, text=value.strip())]
    if question.kind == QuestionKind.SCALE:
        return [Answer(invitation=invitation, question=question, value=int(value))]
    chosen = value if isinstance(value, list | tuple) else [value]
    return [Answer(invitation=invitation, question=question, choice_id=int(pk)) for pk in chosen]


@transaction.atomic
def answer_submit(
    *,
    invitation: SurveyInvitation,
    questionnaire: Questionnaire,
    data: dict[int, Any],
    today: dt.date | None = None,
) -> SurveyInvitation:
    """Record a person's answers (`data`: question id -> the form's cleaned value), replacing
    those they gave before; refused once the campaign is closed."""
    invitation = (
        SurveyInvitation.objects.select_for_update().select_related("survey").get(pk=invitation.pk)
    )
    refusal = answer_refusal(invitation, today)
    if refusal:
        raise ValidationError(refusal)
    questions = Question.objects.filter(section__questionnaire=questionnaire).prefetch_related(
        "choices"
    )
    rows: list[Answer] = []
    for question in questions:
        value = data.get(question.pk)
        if not _offered(question, value):
            raise ValidationError(_("Une réponse ne fait pas partie de celles proposées."))
        rows += _rows(invitation, question, value)
    invitation.answers.all().delete()
    Answer.objects.bulk_create(rows)
    now = timezone.now()
    if invitation.submitted_at is None:
        invitation.submitted_at = now
    invitation.updated_at = now
    invitation.save(update_fields=["submitted_at", "updated_at"])
    return invitation
