"""The survey e-mails pass the checks of the meeting e-mails: no calendar part, a text part
that reads as text, a reply that reaches a person, the headers of automatic mail and a one-click
unsubscribe; the reminder goes to those who have not answered, and nothing goes once the
campaign is closed or to someone who may no longer be mailed."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import resolve
from django.utils import timezone

from cls_platform.mail import outbox
from cls_platform.models import Delivery, DeliveryStatus
from evaluation.surveys import services
from evaluation.surveys.tokens import invitation_from_token
from partners.models import Contact
from tests.evaluation.test_survey_data import (
    campaign,
    invitation_of,
    partner,
    question,
    respond,
    send,
)
from tests.factories import AccessFactory

pytestmark = pytest.mark.django_db

ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)
# HTML tags (the names typed here hold "<Co>" and "<Fils>", which must come back as typed).
TAG = re.compile(
    r"</?(?:p|br|strong|em|b|i|u|ul|ol|li|h[1-6]|a|div|span|table|tr|td|th|hr|html|body|head"
    r"|title|meta)\b[^>]*>",
    re.IGNORECASE,
)
LINK = re.compile(r"https?://[^\s<>\"')]+")
TITLE = "Bilan « mi-parcours » d'Éragny & <Co>"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.lang = ""

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "html":
            self.lang = attrs.get("lang") or ""


@pytest.fixture
def mailed(territory):
    """A campaign sent to two partners; Zoé answers, then a reminder goes."""
    AccessFactory(territory=territory, role="coordinator", user__email="coordinatrice@cergy.fr")
    zoe = partner(territory, first_name="Zoé", last_name="D'Arc & <Fils>", email="zoe@asso.fr")
    paul = partner(territory, first_name="Paul", last_name="L'Hôte", email="paul@asso.fr")
    survey = campaign(territory, title=TITLE)
    survey.message = "Merci d'y consacrer 5 minutes « avant l'été » & <vite>."
    survey.save()
    send(survey)
    invitations = list(mail.outbox)
    respond(survey, zoe, {question(survey, "Connaissez-vous"): "Un peu"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        reminded = services.survey_remind(survey=survey)
    return {
        "survey": survey,
        "zoe": zoe,
        "paul": paul,
        "invitations": invitations,
        "reminders": mail.outbox[len(invitations) :],
        "reminded": reminded,
    }


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def all_messages(mailed):
    return [("invitation", m) for m in mailed["invitations"]] + [
        ("reminder", m) for m in mailed["reminders"]
    ]


def test_each_partner_gets_one_invitation_and_only_the_silent_one_a_reminder(mailed):
    assert sorted(m.to[0] for m in mailed["invitations"]) == ["paul@asso.fr", "zoe@asso.fr"]
    assert [m.to for m in mailed["reminders"]] == [["paul@asso.fr"]]
    assert mailed["reminded"] == 1


def test_no_calendar_part_and_a_french_html_document(mailed):
    for _kind, message in all_messages(mailed):
        whole = parsed(message)
        types = {part.get_content_type() for part in whole.walk()}
        assert "text/calendar" not in types
        assert not [p for p in whole.walk() if p.get_content_disposition() == "attachment"]
        html = whole.get_body(preferencelist=("html",)).get_content()
        links = _Links()
        links.feed(html)
        assert html.lstrip().lower().startswith("<!doctype html>")
        assert links.lang == "fr"
        # Every link of the HTML part is in the text part too.
        text = text_of(whole)
        assert links.hrefs
        for href in links.hrefs:
            assert href in text, href


def test_the_text_part_and_the_subject_read_as_typed(mailed):
    for kind, message in all_messages(mailed):
        whole = parsed(message)
        text = text_of(whole)
        subject = str(whole["Subject"]).strip()
        assert not ENTITY.search(text), ENTITY.search(text)
        assert not TAG.search(text), TAG.search(text)
        assert not ENTITY.search(subject)
        assert "\n\n\n" not in text
        assert TITLE in text and TITLE in subject
        assert "-- " in text.splitlines()
        name = "Zoé D'Arc & <Fils>" if message.to == ["zoe@asso.fr"] else "Paul L'Hôte"
        assert text.splitlines()[0] == f"Bonjour {name},"
        if kind == "invitation":
            assert "Merci d'y consacrer 5 minutes « avant l'été » & <vite>." in text
            assert subject.startswith("[CLS Cergy] Questionnaire : ")
        else:
            assert subject.startswith("Rappel : ")


def test_a_reply_reaches_the_coordination_and_the_headers_are_those_of_automatic_mail(
    mailed, settings
):
    for _kind, message in all_messages(mailed):
        whole = parsed(message)
        assert str(whole["Reply-To"]) == "coordinatrice@cergy.fr"
        name, address = email.utils.parseaddr(str(whole["From"]))
        assert name == "Coordination du CLS de Cergy"
        assert address == email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        assert whole["Auto-Submitted"] == "auto-generated"
        assert whole["Content-Language"] == "fr"
        assert "Une question ? Répondez à ce message : il parviendra à" in text_of(whole)


def test_the_unsubscribe_is_one_click_and_names_the_recipient(mailed, settings):
    for _kind, message in all_messages(mailed):
        whole = parsed(message)
        assert whole["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        header = str(whole["List-Unsubscribe"]).strip()
        assert header.startswith(f"<{settings.SITE_URL}/partenaire/")
        assert header.endswith("/desinscription/>")
    (paul_message,) = mailed["reminders"]
    url = str(parsed(paul_message)["List-Unsubscribe"]).strip()[1:-1]
    response = Client().post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code in (200, 302)
    assert Contact.objects.get(pk=mailed["paul"].pk).unsubscribed_at is not None


def test_the_answer_link_of_each_message_is_made_for_its_recipient(mailed):
    survey = mailed["survey"]
    for _kind, message in all_messages(mailed):
        links = [u for u in LINK.findall(text_of(parsed(message))) if "/repondre/" in u]
        assert len(links) == 1
        match = resolve(urlsplit(links[0]).path)
        assert match.view_name == "evaluation:survey_answer"
        contact = Contact.objects.get(email=message.to[0])
        assert invitation_from_token(match.kwargs["token"]) == invitation_of(survey, contact).pk


def test_sending_twice_mails_only_the_newcomers(territory, mailed):
    survey = mailed["survey"]
    before = len(mail.outbox)
    partner(territory, email="nouvelle@asso.fr")
    sent = send(survey)
    assert sent.queued == 1
    assert [m.to for m in mail.outbox[before:]] == [["nouvelle@asso.fr"]]


def test_a_reminder_queued_before_an_answer_is_not_sent_after_it(territory):
    lea = partner(territory, email="lea@asso.fr")
    survey = campaign(territory)
    send(survey)
    with TestCase.captureOnCommitCallbacks(execute=False):
        services.survey_remind(survey=survey)
    respond(survey, lea, {question(survey, "Connaissez-vous"): "Oui, bien"})
    (row,) = Delivery.objects.filter(kind=services.KIND_SURVEY_REMINDER)
    assert outbox.deliver(row.pk) == DeliveryStatus.SKIPPED
    row.refresh_from_db()
    assert row.last_error == "la personne a déjà répondu"


def test_nothing_goes_once_the_campaign_is_closed(territory):
    lea = partner(territory, email="lea@asso.fr")
    survey = campaign(territory)
    with TestCase.captureOnCommitCallbacks(execute=False):
        services.survey_send(survey=survey)
    survey.closes_on = timezone.localdate() - dt.timedelta(days=1)
    survey.opens_on = survey.closes_on - dt.timedelta(days=10)
    survey.save()
    (row,) = Delivery.objects.filter(kind=services.KIND_SURVEY, contact_id=lea.pk)
    assert outbox.deliver(row.pk) == DeliveryStatus.SKIPPED
    with pytest.raises(Exception, match="close"):
        services.survey_send(survey=survey)


def test_unsubscribed_and_departed_partners_are_not_asked(territory):
    partner(territory, email="reste@asso.fr")
    partner(territory, email="parti@asso.fr", left_at=dt.date(2025, 1, 1))
    partner(territory, email="desinscrit@asso.fr", unsubscribed_at=timezone.now())
    survey = campaign(territory)
    send(survey)
    assert [m.to for m in mail.outbox] == [["reste@asso.fr"]]
    assert survey.invitations.count() == 1
