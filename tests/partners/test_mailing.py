"""Who the directory mails, how it goes (through the outbox, like every e-mail), and the links it
puts in those e-mails."""

from __future__ import annotations

import datetime as dt
import html
import smtplib
import time

import pytest
from django.core import mail, signing
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.utils import timezone

from cls_platform.mail import outbox
from cls_platform.models import Delivery, DeliveryStatus
from partners import services
from partners.models import Contact, HandOver
from partners.tokens import SALT, contact_token, unsubscribe_token
from tests.factories import AccessFactory, ContactFactory
from tests.support.services import CeleryWorker, wait_until
from tests.support.smtp import SmtpServer, smtp_server  # noqa: F401  (fixture)

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


@pytest.fixture
def zoe(territory):
    return ContactFactory(
        territory=territory, first_name="Zoé", last_name="Faure", email="zoe@asso.fr"
    )


def request_check(send, contact: Contact, **kwargs) -> bool:
    return send(services.contact_request_confirmation, contact=contact, **kwargs)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def _send(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return _send


def checks(contact: Contact):
    return Delivery.objects.filter(kind="details_check", topic=f"contact:{contact.pk}")


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
    assert "s'est désinscrite" in html.unescape(response.content.decode())
    assert not mail.outbox
    assert not checks(unsubscribed).exists()


def test_the_composer_skips_someone_who_unsubscribed_after_the_request(
    zoe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.contact_request_confirmation(contact=zoe)
    services.contact_unsubscribe(contact=zoe)
    for callback in callbacks:
        callback()
    row = checks(zoe).get()
    assert row.status == DeliveryStatus.SKIPPED
    assert row.last_error == "la personne s'est désinscrite"
    assert not mail.outbox


# --- one path: the outbox ---------------------------------------------------------------------


def test_the_details_check_is_an_outbox_row_written_with_the_request(
    zoe, django_capture_on_commit_callbacks
):
    """Queued in the request's transaction: whatever happens after the commit (the broker
    down), the row is there for the sweep."""
    with django_capture_on_commit_callbacks(execute=False):
        assert services.contact_request_confirmation(contact=zoe)
    row = checks(zoe).get()
    assert (row.status, row.contact_id, row.to_email, row.revision) == (
        DeliveryStatus.QUEUED,
        zoe.pk,
        "zoe@asso.fr",
        0,
    )
    assert not mail.outbox


def test_a_second_request_later_is_a_new_message_but_not_while_one_waits(
    zoe, send, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        assert services.contact_request_confirmation(contact=zoe)
        assert not services.contact_request_confirmation(contact=zoe)  # still queued
    assert checks(zoe).count() == 1
    checks(zoe).update(status=DeliveryStatus.SENT, created_at=timezone.now() - dt.timedelta(30))

    assert request_check(send, zoe)

    assert sorted(checks(zoe).values_list("revision", flat=True)) == [0, 1]
    (message,) = mail.outbox
    assert message.to == ["zoe@asso.fr"]
    assert message.subject == "[CLS Cergy] Vos coordonnées sont-elles à jour ?"
    assert checks(zoe).get(revision=1).status == DeliveryStatus.SENT


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
def test_a_permanent_refusal_is_tried_once(refusing, zoe, send, error):
    refusing.error = error
    request_check(send, zoe)
    row = checks(zoe).get()
    assert row.status == DeliveryStatus.FAILED
    assert row.last_error.startswith(("550", "554", "553"))
    assert refusing.attempts == 1


def test_an_unknown_mailbox_is_flagged_as_bounced(refusing, zoe, send):
    refusing.error = smtplib.SMTPRecipientsRefused({"zoe@asso.fr": (550, b"5.1.1 User unknown")})
    request_check(send, zoe)
    zoe.refresh_from_db()
    assert zoe.bounced_at is not None
    assert not Contact.objects.mailable().filter(pk=zoe.pk).exists()


def test_a_policy_refusal_does_not_flag_the_address(refusing, zoe, send):
    refusing.error = smtplib.SMTPDataError(554, b"5.7.1 Message refused")
    request_check(send, zoe)
    zoe.refresh_from_db()
    assert zoe.bounced_at is None


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
def test_a_temporary_failure_waits_in_the_queue_for_a_later_try(refusing, zoe, send, error):
    refusing.error = error
    request_check(send, zoe)
    assert refusing.attempts == 1
    row = checks(zoe).get()
    assert row.status == DeliveryStatus.QUEUED
    assert row.attempts == 1 and row.next_attempt_at > timezone.now()
    zoe.refresh_from_db()
    assert zoe.bounced_at is None


# --- the contact's page says how it went ------------------------------------------------------


def test_the_contact_page_shows_the_state_of_the_details_check(
    login_as, coordinator, zoe, send, refusing
):
    client = login_as(coordinator)
    refusing.error = smtplib.SMTPRecipientsRefused({"zoe@asso.fr": (550, b"5.1.1 User unknown")})
    with_failure = send(client.post, path=f"{BASE}/contacts/{zoe.pk}/demander-confirmation/")
    assert with_failure.status_code == 302
    page = html.unescape(client.get(f"{BASE}/contacts/{zoe.pk}/").content.decode())
    assert "Lien de vérification envoyé le" in page
    assert "Échec (550 5.1.1 User unknown)" in page

    checks(zoe).delete()
    Contact.objects.filter(pk=zoe.pk).update(bounced_at=None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("cls_platform.mail.outbox.dispatch", lambda ids: 0)  # the broker is down
        send(client.post, path=f"{BASE}/contacts/{zoe.pk}/demander-confirmation/")
    page = html.unescape(client.get(f"{BASE}/contacts/{zoe.pk}/").content.decode())
    assert ": En file" in page


def test_a_signatory_never_sees_the_details_check(login_as, viewer, zoe, send):
    request_check(send, zoe)
    response = login_as(viewer).get(f"{BASE}/contacts/{zoe.pk}/")
    assert "Lien de vérification" not in response.content.decode()


# --- the hand-over notice ----------------------------------------------------------------------


def test_the_hand_over_notice_goes_to_each_coordinator_with_the_partner_as_reply_to(
    territory, coordinator, zoe, send
):
    AccessFactory(territory=territory, role="coordinator", user__email="seconde@cergy.fr")
    AccessFactory(territory=territory, role="copilot", user__email="copilote@cergy.fr")
    hand_over = send(
        services.hand_over_declare,
        contact=zoe,
        data={"successor_email": "lea@asso.fr", "message": "Je pars « vite » & loin."},
    )
    rows = Delivery.objects.filter(kind="hand_over", topic=f"handover:{hand_over.pk}")
    assert sorted(rows.values_list("to_email", flat=True)) == [
        "coordinatrice@cergy.fr",
        "seconde@cergy.fr",
    ]
    assert set(rows.values_list("contact_id", flat=True)) == {None}
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinatrice@cergy.fr", "seconde@cergy.fr"]
    for message in mail.outbox:
        assert message.reply_to == ["zoe@asso.fr"]
        assert "Je pars « vite » & loin." in message.body


def test_a_refused_hand_over_notice_is_not_retried(refusing, coordinator, zoe, send):
    refusing.error = smtplib.SMTPRecipientsRefused(
        {coordinator.user.email: (550, b"5.1.1 User unknown")}
    )
    hand_over = send(services.hand_over_declare, contact=zoe, data={})
    row = Delivery.objects.get(kind="hand_over", topic=f"handover:{hand_over.pk}")
    assert row.status == DeliveryStatus.FAILED
    assert refusing.attempts == 1
    zoe.refresh_from_db()
    assert zoe.bounced_at is None  # the refused address was the coordinator's, not hers


def test_the_notice_skips_someone_who_no_longer_coordinates(
    coordinator, zoe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.hand_over_declare(contact=zoe, data={})
    coordinator.delete()
    for callback in callbacks:
        callback()
    row = Delivery.objects.get(kind="hand_over")
    assert row.status == DeliveryStatus.SKIPPED
    assert not mail.outbox
    assert HandOver.objects.count() == 1


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
        assert "M'envoyer un nouveau lien" not in response.content.decode()
    # The link never expires and travels in forwarded e-mails: its page names no address.
    page = Client().get(f"/partenaire/{token}/desinscription/").content.decode()
    assert "Ne plus rien recevoir" in page
    assert "zoe@asso.fr" not in page


def test_the_details_check_carries_a_lasting_unsubscribe_link(
    login_as, coordinator, territory, django_capture_on_commit_callbacks, settings
):
    person = ContactFactory(territory=territory, email="zoe@asso.fr")
    with django_capture_on_commit_callbacks(execute=True):
        login_as(coordinator).post(f"{BASE}/contacts/{person.pk}/demander-confirmation/")
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = header.strip("<>").removeprefix(settings.SITE_URL)
    assert unsubscribe_token(person) in path
    time_now = time.time
    try:
        time.time = later(365)
        assert Client().post(path).status_code == 200
    finally:
        time.time = time_now
    person.refresh_from_db()
    assert person.unsubscribed_at is not None


# --- an expired link offers a new one ----------------------------------------------------------


def expired_token(contact: Contact) -> str:
    """A self-service token signed 200 days ago (links last 120)."""
    real = time.time
    try:
        time.time = lambda: real() - 200 * 24 * 3600
        return signing.dumps({"c": contact.pk, "t": contact.territory_id}, salt=SALT, compress=True)
    finally:
        time.time = real


def test_an_expired_link_names_the_coordination_and_sends_a_new_link_every_few_minutes(
    territory, coordinator, zoe, django_capture_on_commit_callbacks
):
    territory.coordination_email = "sante@ville-cergy.fr"
    territory.save()
    token = expired_token(zoe)
    page = Client().get(f"/partenaire/{token}/")
    text = html.unescape(page.content.decode())
    assert page.status_code == 404
    assert "Ce lien a expiré" in text
    assert "Une question ? Écrivez à la coordination" in text
    assert 'href="mailto:sante@ville-cergy.fr"' in text
    assert "zoe@asso.fr" not in text

    client = Client(enforce_csrf_checks=False)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/partenaire/{token}/", {"action": "new_link"})
        second = client.post(f"/partenaire/{token}/depart/", {"action": "new_link"})
    assert first.status_code == 200
    assert "Un nouveau lien vient de partir" in html.unescape(first.content.decode())
    assert (
        "déjà été envoyé à l'adresse enregistrée (z***@asso.fr) il y a moins de 5 minutes"
        in html.unescape(second.content.decode())
    )
    (message,) = mail.outbox
    assert message.to == ["zoe@asso.fr"]
    assert message.reply_to == ["sante@ville-cergy.fr"]
    new_link = next(line for line in message.body.splitlines() if "/partenaire/" in line)
    fresh = Client().get(new_link.strip().removeprefix("http://127.0.0.1:8000"))
    assert fresh.status_code == 200
    assert "Bonjour Zoé Faure" in fresh.content.decode()

    # Five minutes later, one more (the fresh link lasts 30 minutes: a day would be too long).
    checks(zoe).update(created_at=timezone.now() - dt.timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/partenaire/{token}/", {"action": "new_link"})
    assert len(mail.outbox) == 2


def test_a_forged_link_gets_the_generic_page(zoe):
    token = expired_token(zoe)[:-4] + "abcd"
    response = Client().get(f"/partenaire/{token}/")
    assert response.status_code == 404
    assert "Ce lien a expiré ou n'est pas valide" in html.unescape(response.content.decode())
    assert "M'envoyer un nouveau lien" not in html.unescape(response.content.decode())
    assert Client().post(f"/partenaire/{token}/", {"action": "new_link"}).status_code == 404
    assert not Delivery.objects.exists()


def test_an_expired_link_of_someone_unsubscribed_sends_nothing(unsubscribed):
    response = Client().post(f"/partenaire/{expired_token(unsubscribed)}/", {"action": "new_link"})
    assert "Aucun lien ne peut être envoyé" in html.unescape(response.content.decode())
    assert not Delivery.objects.exists()


def test_the_self_service_page_names_the_coordination(territory, coordinator, zoe):
    page = html.unescape(Client().get(f"/partenaire/{contact_token(zoe)}/").content.decode())
    # No coordination address set: the first coordinator's.
    assert "Écrivez à la coordination :" in page
    assert "mailto:coordinatrice@cergy.fr" in page


# --- tasks queued under their old names before the outbox --------------------------------------


def run_old_task(send, name: str, *args: int) -> int:
    """A message that waited in Redis, under the name the previous release gave its task, run
    as a worker of this release runs it (after the deployment)."""
    import partners.tasks  # noqa: F401  (registers the directory's tasks)
    from cls_platform.celery import app

    return send(lambda: app.tasks[name].apply(args=args).get())


def test_a_details_check_queued_before_the_outbox_reaches_the_partner_once(zoe, send):
    assert run_old_task(send, "partners.tasks.send_details_check", zoe.pk) == 1
    # Delivered twice by the broker (a worker lost after running it): nothing more is sent.
    assert run_old_task(send, "partners.tasks.send_details_check", zoe.pk) == 0

    row = checks(zoe).get()
    assert (row.status, row.to_email) == (DeliveryStatus.SENT, "zoe@asso.fr")
    (message,) = mail.outbox
    assert message.to == ["zoe@asso.fr"]
    assert message.subject == "[CLS Cergy] Vos coordonnées sont-elles à jour ?"


def test_an_old_details_check_task_mails_nobody_who_may_not_be_mailed(
    unsubscribed, send, territory
):
    gone = ContactFactory(territory=territory, email="parti@asso.fr")
    gone_pk = gone.pk
    gone.delete()
    assert run_old_task(send, "partners.tasks.send_details_check", unsubscribed.pk) == 0
    assert run_old_task(send, "partners.tasks.send_details_check", gone_pk) == 0
    assert not Delivery.objects.exists()
    assert not mail.outbox


def test_a_hand_over_notice_queued_before_the_outbox_reaches_each_coordinator_once(
    territory, coordinator, zoe, send
):
    AccessFactory(territory=territory, role="coordinator", user__email="seconde@cergy.fr")
    # Declared under the previous release: no outbox row, only the task in Redis.
    hand_over = HandOver.objects.create(contact=zoe, successor_email="lea@asso.fr")
    assert not Delivery.objects.exists()

    name = "partners.tasks.notify_coordinators_of_hand_over"
    assert run_old_task(send, name, hand_over.pk) == 2
    assert run_old_task(send, name, hand_over.pk) == 0
    assert run_old_task(send, name, hand_over.pk + 1000) == 0  # withdrawn since: nothing

    rows = Delivery.objects.filter(kind="hand_over", topic=f"handover:{hand_over.pk}")
    assert sorted(rows.values_list("to_email", "status")) == [
        ("coordinatrice@cergy.fr", DeliveryStatus.SENT),
        ("seconde@cergy.fr", DeliveryStatus.SENT),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinatrice@cergy.fr", "seconde@cergy.fr"]
    assert all("lea@asso.fr" in m.body for m in mail.outbox)


@pytest.fixture
def celery_worker_options(smtp_server: SmtpServer) -> dict:  # noqa: F811
    return {"env": smtp_server.env}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_of_this_release_takes_the_old_tasks_waiting_in_redis(
    territory,
    coordinator,
    zoe,
    smtp_server: SmtpServer,  # noqa: F811
    celery_worker_process: CeleryWorker,
):
    from cls_platform.celery import app

    hand_over = HandOver.objects.create(contact=zoe)
    # As the previous release queued them: by name, JSON arguments.
    app.send_task("partners.tasks.send_details_check", args=[zoe.pk])
    app.send_task("partners.tasks.notify_coordinators_of_hand_over", args=[hand_over.pk])
    try:
        wait_until(lambda: Delivery.objects.count() == 2, timeout=30)
        # The rows go to this test's worker (the worker handed them to the default queue,
        # which no worker of the test reads).
        outbox.dispatch(Delivery.objects.values_list("pk", flat=True))
        smtp_server.wait_for(2, timeout=30)
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge("celery")
    copies = smtp_server.by_recipient()
    assert sorted(copies) == ["coordinatrice@cergy.fr", "zoe@asso.fr"]
    assert copies["zoe@asso.fr"][0].subject == "[CLS Cergy] Vos coordonnées sont-elles à jour ?"
    assert "unregistered task" not in celery_worker_process.log_text()
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
