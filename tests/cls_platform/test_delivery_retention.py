"""The outbox keeps its rows (address, state, error of each e-mail) DELIVERY_RETENTION_MONTHS
after sending, as the register of processing says: a daily task (Celery beat, or run_periodic
under `make run`) deletes the older ones, and keeps every row that still has to go."""

from __future__ import annotations

import re
from html import unescape

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cls_platform.models import Delivery, DeliveryStatus
from cls_platform.retention import DELIVERY_PURGE_TASK, deliveries_purge
from cls_platform.tasks import purge_old_deliveries
from tests.conftest import login

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def row(territory, label: str, status: str, *, created: relativedelta, sent=None) -> Delivery:
    """One outbox row, written `created` ago (and sent `sent` ago); `label` is its address."""
    delivery = Delivery.objects.create(
        territory=territory,
        kind="report",
        topic=f"meeting:{label}",
        to_email=f"{label}@asso.fr",
        status=status,
        attempts=1,
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        created_at=NOW - created, sent_at=None if sent is None else NOW - sent
    )
    return delivery


def left(territory) -> set[str]:
    return {
        email.split("@")[0]
        for email in Delivery.objects.filter(territory=territory).values_list("to_email", flat=True)
    }


@pytest.fixture
def outbox(territory):
    year = relativedelta(months=13)
    rows = [
        # Past the period: gone.
        ("sent-13-months-ago", DeliveryStatus.SENT, year, year),
        (
            "sent-12-months-and-a-day-ago",
            DeliveryStatus.SENT,
            year,
            relativedelta(months=12, days=1),
        ),
        ("skipped-13-months-ago", DeliveryStatus.SKIPPED, year, None),
        ("failed-13-months-ago", DeliveryStatus.FAILED, year, None),
        # Within the period: kept.
        ("sent-yesterday", DeliveryStatus.SENT, relativedelta(days=1), relativedelta(days=1)),
        ("sent-11-months-ago", DeliveryStatus.SENT, year, relativedelta(months=11)),
        ("failed-last-week", DeliveryStatus.FAILED, relativedelta(days=7), None),
        # Still to go, whatever their age: kept.
        ("queued-13-months-ago", DeliveryStatus.QUEUED, year, None),
        ("sending-13-months-ago", DeliveryStatus.SENDING, year, None),
    ]
    for label, status, created, sent in rows:
        row(territory, label, status, created=created, sent=sent)
    return rows


KEPT = {
    "sent-yesterday",
    "sent-11-months-ago",
    "failed-last-week",
    "queued-13-months-ago",
    "sending-13-months-ago",
}


def test_rows_past_the_period_go_and_rows_still_to_send_stay(territory, outbox, settings):
    settings.DELIVERY_RETENTION_MONTHS = 12
    assert deliveries_purge(now=NOW) == 4
    assert left(territory) == KEPT
    assert deliveries_purge(now=NOW) == 0, "run again, nothing more goes"


def test_the_daily_task_uses_the_configured_period(territory, outbox, settings):
    settings.DELIVERY_RETENTION_MONTHS = 6
    assert purge_old_deliveries.delay().get() == 5
    assert left(territory) == {
        "sent-yesterday",
        "failed-last-week",
        "queued-13-months-ago",
        "sending-13-months-ago",
    }


def test_a_failed_row_the_sweep_may_still_resume_is_kept(territory, settings):
    """Even with a period shorter than the sweep's resuming window (OUTBOX_RESUME_DAYS)."""
    settings.DELIVERY_RETENTION_MONTHS = 0
    settings.OUTBOX_RESUME_DAYS = 5
    row(territory, "failed-2-days-ago", DeliveryStatus.FAILED, created=relativedelta(days=2))
    row(territory, "failed-6-days-ago", DeliveryStatus.FAILED, created=relativedelta(days=6))
    assert deliveries_purge(now=NOW) == 1
    assert left(territory) == {"failed-2-days-ago"}


def test_the_purge_goes_in_batches_and_misses_none(territory, settings, monkeypatch):
    from cls_platform import retention

    monkeypatch.setattr(retention, "PURGE_BATCH", 3)
    settings.DELIVERY_RETENTION_MONTHS = 12
    for n in range(7):
        row(
            territory,
            f"old-{n}",
            DeliveryStatus.SENT,
            created=relativedelta(months=14),
            sent=relativedelta(months=14),
        )
    row(
        territory,
        "recent",
        DeliveryStatus.SENT,
        created=relativedelta(days=3),
        sent=relativedelta(days=3),
    )
    assert deliveries_purge(now=NOW) == 7
    assert left(territory) == {"recent"}


def test_make_run_s_periodic_loop_purges_too(territory, outbox, settings):
    settings.CELERY_BROKER_URL = ""
    settings.DELIVERY_RETENTION_MONTHS = 12
    assert any(e["task"] == DELIVERY_PURGE_TASK for e in settings.CELERY_BEAT_SCHEDULE.values())
    call_command("run_periodic", "--once")
    # (The sweep of the same tick takes up the rows still to go: those are its business.)
    remaining = left(territory)
    assert {"sent-yesterday", "sent-11-months-ago", "failed-last-week"} <= remaining
    assert not remaining & {
        "sent-13-months-ago",
        "sent-12-months-and-a-day-ago",
        "skipped-13-months-ago",
        "failed-13-months-ago",
    }


def deliveries_row(coordinator) -> str:
    html = login(Client(), coordinator).get(
        f"/t/{coordinator.territory.slug}/registre-des-traitements/"
    )
    found = re.search(r'<tr id="conservation-deliveries">(.*?)</tr>', html.content.decode(), re.S)
    assert found, "ligne des envois absente du registre"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found[1])).split())


def test_the_register_says_the_period_is_applied_every_day(coordinator, settings):
    text = deliveries_row(coordinator)
    assert "12 mois après l'envoi" in text
    assert "Envois plus anciens effacés" in text and "chaque jour (tâche périodique)" in text
    assert "Pas encore appliquée" not in text

    settings.CELERY_BEAT_SCHEDULE = {
        name: entry
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] != DELIVERY_PURGE_TASK
    }
    assert "Pas encore appliquée automatiquement" in deliveries_row(coordinator)
