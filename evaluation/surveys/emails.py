"""How the survey e-mails are composed from their outbox row (see cls_platform.mail.outbox).

- "survey_invitation" (topic "survey:<pk>"): the person's signed link to the questionnaire;
- "survey_reminder" (same topic, revision n for the n-th reminder): the same link, to those who
  have not answered.

Composers re-fetch from ids at sending time and raise `Skip` when the message no longer makes
sense: the person may not be mailed any more (the directory's rules), the campaign closed, or
(a reminder) they answered since it was queued. No calendar part: a questionnaire is no event.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cls_platform.mail.composers import Skip, register
from cls_platform.mail.messages import absolute_url, build_message, coordination_sender
from cls_platform.models import Delivery
from partners.emails import mailing_obstacle
from partners.tokens import mailing_token, unsubscribe_token

from .models import SurveyInvitation
from .services import KIND_SURVEY, KIND_SURVEY_REMINDER
from .tokens import answer_token


def _invitation(delivery: Delivery) -> SurveyInvitation | None:
    _prefix, _sep, pk = delivery.topic.partition(":")
    if not pk.isdigit():
        return None
    return (
        SurveyInvitation.objects.select_related(
            "survey__territory", "survey__questionnaire", "contact__organization"
        )
        .filter(
            survey_id=int(pk),
            contact_id=delivery.contact_id,
            territory_id=delivery.territory_id,
        )
        .first()
    )


def _compose(delivery: Delivery, *, reminder: bool) -> EmailMessage | None:
    invitation = _invitation(delivery)
    if invitation is None:
        return None
    contact, survey = invitation.contact, invitation.survey
    reason = mailing_obstacle(contact)
    if reason:
        raise Skip(reason)
    if survey.is_closed():
        raise Skip(_("la campagne est close"))
    if reminder and invitation.submitted_at:
        raise Skip(_("la personne a déjà répondu"))
    territory = survey.territory
    unsubscribe = absolute_url(
        reverse(
            "partner_links:self_service_unsubscribe",
            kwargs={"token": unsubscribe_token(contact)},
        )
    )
    reply_name, reply_email = coordination_sender(territory)
    if reply_name.lower() == reply_email.lower():
        reply_name = ""
    context = {
        "territory_name": territory.name,
        "contact_name": contact.full_name or contact.email,
        "survey_title": survey.title,
        "message": survey.message,
        "closes_on": date_format(survey.closes_on, "l j F Y"),
        "closes_short": survey.closes_on.strftime("%d/%m"),
        "answer_url": absolute_url(
            reverse(
                "evaluation:survey_answer",
                kwargs={"territory": territory.slug, "token": answer_token(invitation.pk)},
            )
        ),
        "self_service_url": absolute_url(
            reverse("partner_links:self_service_request", kwargs={"token": mailing_token(contact)})
        ),
        "unsubscribe_url": unsubscribe,
        "reply_name": reply_name,
        "reply_email": reply_email,
    }
    return build_message(
        template="survey_reminder" if reminder else "survey_invitation",
        to=[delivery.to_email],
        context=context,
        reply_to=[reply_email],
        unsubscribe_url=unsubscribe,
        sender_name=_("Coordination du CLS de %(territory)s") % {"territory": territory.name},
    )


def compose_survey_invitation(delivery: Delivery) -> EmailMessage | None:
    return _compose(delivery, reminder=False)


def compose_survey_reminder(delivery: Delivery) -> EmailMessage | None:
    return _compose(delivery, reminder=True)


def register_composers() -> None:
    register(KIND_SURVEY, compose_survey_invitation)
    register(KIND_SURVEY_REMINDER, compose_survey_reminder)
