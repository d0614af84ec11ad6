"""Who the directory mails, how often it tries, and the links it puts in those e-mails."""

from __future__ import annotations

import smtplib
import time

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.utils import timezone

from partners.models import Contact
from partners.tasks import send_details_check
from partners.tokens import contact_token, unsubscribe_token
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire"


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that answers every message with `error`, counting the attempts."""

    error: Exception = smtplib.SMTPServerDisconnected("connexion perdue")
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        raise type(self).error


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.attempts = 0
    return RefusingBackend


@pytest.fixture
def unsubscribed(territory):
    return ContactFactory(
        territory=territory,
        first_name="Zoé",
        last_name="Faure",
        email="zoe@asso.fr",
        unsubscribed_at=timezone.now(),
    )


# --- people who unsubscribed ------------------------------------------------------------------


def test_someone_who_unsubscribed_is_not_sent_the_details_check(
    login_as, coordinator, unsubscribed, django_capture_on_commit_callbacks
):
    client = login_as(coordinator)
    page = client.get(f"{BASE}/contacts/{unsubscribed.pk}/").content.decode()
    assert "Lui demander de vérifier ses coordonnées" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}/contacts/{unsubscribed.pk}/demander-confirmation/", follow=True
        )
    assert "s&#x27;est désinscrite" in response.content.decode()
    assert not mail.outbox


def test_the_task_itself_skips_someone_who_unsubscribed_meanwhile(unsubscribed):
    assert send_details_check.delay(unsubscribed.pk).get() == 0
    assert not mail.outbox


# --- permanent refusals are not retried ------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"zoe@asso.fr": (550, b"5.1.1 User unknown")}),
        smtplib.SMTPDataError(554, b"5.7.1 Message refused"),
        smtplib.SMTPSenderRefused(553, b"5.7.1 Sender refused", "cls@ville.fr"),
    ],
    ids=["recipient", "data", "sender"],
)
def test_a_permanent_refusal_is_tried_once(refusing, territory, error):
    person = ContactFactory(territory=territory, email="zoe@asso.fr")
    refusing.error = error
    assert send_details_check.delay(person.pk).get() == 0  # no Retry raised: done
    assert refusing.attempts == 1


def test_an_unknown_mailbox_is_flagged_as_bounced(refusing, territory):
    person = ContactFactory(territory=territory, email="zoe@asso.fr")
    refusing.error = smtplib.SMTPRecipientsRefused({"zoe@asso.fr": (550, b"5.1.1 User unknown")})
    send_details_check.delay(person.pk)
    person.refresh_from_db()
    assert person.bounced_at is not None
    assert not Contact.objects.mailable().filter(pk=person.pk).exists()


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("connexion perdue"),
        ConnectionRefusedError(111, "Connection refused"),
        smtplib.SMTPResponseException(421, b"4.3.2 Service not available, try later"),
        smtplib.SMTPRecipientsRefused({"zoe@asso.fr": (450, b"4.2.0 Greylisted")}),
    ],
    ids=["disconnected", "refused-connection", "421", "greylisted"],
)
def test_a_temporary_failure_is_retried(refusing, territory, error):
    person = ContactFactory(territory=territory, email="zoe@asso.fr")
    refusing.error = error
    with pytest.raises(Retry):  # eager: the retry Celery schedules surfaces here
        send_details_check.delay(person.pk)
    assert refusing.attempts == 1
    person.refresh_from_db()
    assert person.bounced_at is None


# --- unsubscribe links outlive the self-service link -----------------------------------------


def later(days: int):
    real = time.time
    return lambda: real() + days * 24 * 3600


def test_unsubscribing_from_a_two_year_old_email_still_works(territory, monkeypatch):
    person = ContactFactory(territory=territory, email="zoe@asso.fr")
    fresh_unsubscribe, old_self_service = unsubscribe_token(person), contact_token(person)
    monkeypatch.setattr(time, "time", later(730))
    client = Client(enforce_csrf_checks=True)
    # RFC 8058 one-click, from the List-Unsubscribe header of an old e-mail
    response = client.post(f"/partenaire/{fresh_unsubscribe}/desinscription/")
    assert response.status_code == 200
    assert "Vous êtes désinscrit·e" in response.content.decode()
    person.refresh_from_db()
    assert person.unsubscribed_at is not None
    # ...but the same old e-mail's self-service link has expired, and so has any link back.
    assert Client().get(f"/partenaire/{old_self_service}/").status_code == 404
    assert f'/partenaire/{old_self_service}/"' not in response.content.decode()


def test_emails_sent_before_the_unsubscribe_token_still_unsubscribe(territory, monkeypatch):
    """Meeting e-mails already in inboxes carry the self-service token in List-Unsubscribe."""
    person = ContactFactory(territory=territory, email="zoe@asso.fr")
    legacy = contact_token(person)
    monkeypatch.setattr(time, "time", later(400))
    assert Client().post(f"/partenaire/{legacy}/desinscription/").status_code == 200
    person.refresh_from_db()
    assert person.unsubscribed_at is not None


def test_an_unsubscribe_link_opens_nothing_else(territory):
    person = ContactFactory(territory=territory, email="zoe@asso.fr", job_title="Directrice")
    token = unsubscribe_token(person)
    for suffix in ("", "depart/"):
        response = Client().get(f"/partenaire/{token}/{suffix}")
        assert response.status_code == 404
        assert "Directrice" not in response.content.decode()
    # The link never expires and travels in forwarded e-mails: its page names no address.
    page = Client().get(f"/partenaire/{token}/desinscription/").content.decode()
    assert "Ne plus rien recevoir" in page
    assert "zoe@asso.fr" not in page


def test_the_details_check_carries_a_lasting_unsubscribe_link(
    login_as, coordinator, territory, django_capture_on_commit_callbacks
):
    person = ContactFactory(territory=territory, email="zoe@asso.fr")
    with django_capture_on_commit_callbacks(execute=True):
        login_as(coordinator).post(f"{BASE}/contacts/{person.pk}/demander-confirmation/")
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    path = header.strip("<>").split("127.0.0.1:8000", 1)[1]
    assert unsubscribe_token(person) in path
    time_now = time.time
    try:
        time.time = later(365)
        assert Client().post(path).status_code == 200
    finally:
        time.time = time_now
    person.refresh_from_db()
    assert person.unsubscribed_at is not None


def test_a_refused_hand_over_notice_is_not_retried(refusing, coordinator, territory):
    from partners.models import HandOver
    from partners.tasks import notify_coordinators_of_hand_over

    hand_over = HandOver.objects.create(contact=ContactFactory(territory=territory))
    refusing.error = smtplib.SMTPRecipientsRefused(
        {coordinator.user.email: (550, b"5.1.1 User unknown")}
    )
    assert notify_coordinators_of_hand_over.delay(hand_over.pk).get() == 0
    assert refusing.attempts == 1
