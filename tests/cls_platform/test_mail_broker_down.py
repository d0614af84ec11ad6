"""The details check goes through the outbox: pressed while Redis is unreachable, the page still
answers and the message is not lost; once the broker is back, the sweep hands it to a real
worker, which sends it to a real SMTP server. PostgreSQL, Redis, a Celery worker, aiosmtpd."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import timezone

from cls_platform.mail import outbox
from cls_platform.models import Delivery, DeliveryStatus
from tests.conftest import login
from tests.factories import ContactFactory
from tests.support.services import CeleryWorker, wait_until
from tests.support.smtp import SmtpServer, smtp_server  # noqa: F401  (fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1
# Celery copies broker_url into the other two when it reads its configuration.
URL_KEYS = ("broker_url", "broker_write_url", "broker_read_url")


@pytest.fixture
def celery_worker_options(smtp_server: SmtpServer) -> dict:  # noqa: F811
    return {"env": smtp_server.env}


def forget_connections(app) -> None:
    """Drop the producer pools made for the previous broker address (what Celery does after a
    fork): the next `.delay()` connects to `broker_url` as it is now."""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def broker_down() -> Iterator[None]:
    """The web process's Celery app points at a closed port, and gives up at once."""
    from cls_platform.celery import app

    saved = {
        key: app.conf[key] for key in (*URL_KEYS, "broker_connection_timeout", "task_publish_retry")
    }
    app.conf.update(dict.fromkeys(URL_KEYS, UNREACHABLE))
    app.conf.broker_connection_timeout = 1
    app.conf.task_publish_retry = False
    forget_connections(app)  # the producer pool was made for the real broker
    try:
        yield
    finally:
        app.conf.update(saved)
        forget_connections(app)


def test_a_details_check_asked_while_the_broker_is_down_is_sent_once_it_is_back(
    territory,
    coordinator,
    smtp_server: SmtpServer,  # noqa: F811
    celery_worker_process: CeleryWorker,
    request,
):
    person = ContactFactory(
        territory=territory, first_name="Inès", last_name="Morel", email="ines@asso.fr"
    )
    client = login(Client(), coordinator)
    url = f"/t/cergy/annuaire/contacts/{person.pk}/demander-confirmation/"

    request.getfixturevalue("broker_down")
    response = client.post(url)
    assert response.status_code == 302
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Inès Morel va recevoir un lien pour vérifier ses coordonnées." in page
    row = Delivery.objects.get(kind="details_check", contact_id=person.pk)
    assert row.status == DeliveryStatus.QUEUED and row.dispatched_at is None
    assert "En file" in page
    assert smtp_server.count == 0

    # Redis is back; a minute later, beat's sweep finds the row and the worker sends it.
    from cls_platform.celery import app

    app.conf.update(dict.fromkeys(URL_KEYS, celery_worker_process.env["CELERY_BROKER_URL"]))
    forget_connections(app)
    Delivery.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=31)
    )
    assert outbox.sweep() == 1
    (received,) = smtp_server.wait_for(1, timeout=30)
    wait_until(
        lambda: Delivery.objects.get(pk=row.pk).status == DeliveryStatus.SENT,
        timeout=10,
        message="la ligne n'est pas marquée envoyée",
    )
    assert received.rcpt_tos == ("ines@asso.fr",)
    assert received.message_id == Delivery.objects.get(pk=row.pk).message_id
    body = received.message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/partenaire/[^/\s]+/)\s", body).group(1)
    own_page = Client().get(link)
    assert own_page.status_code == 200
    assert "Bonjour Inès Morel" in own_page.content.decode()

    # Exactly one message: nothing more comes from the first, failed hand-over.
    outbox.sweep()
    assert smtp_server.count == 1
