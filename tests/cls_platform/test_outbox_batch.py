"""Rows sent by chunks (cls_platform.mail.batch): one task a chunk, claimed in one statement,
each row sent and recorded in turn; a row that fails for a moment goes again later without
holding up the others; a row another worker took is left to it; the database away or the time
up gives the rows not done back. Without a worker: Django's in-memory backend, tasks inline.
"""

from __future__ import annotations

import datetime as dt
import types

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cls_platform import tasks
from cls_platform.mail import batch, composers, outbox
from cls_platform.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db

KIND = "note-batch"  # a kind of message registered for these tests only


@pytest.fixture(autouse=True)
def composer(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Registers KIND; `behaviour["on"]` maps a row's address to what its composition does."""
    behaviour: dict[str, object] = {"on": {}, "read": []}

    def compose(delivery: Delivery) -> EmailMessage:
        action = behaviour["on"].get(delivery.to_email)  # type: ignore[union-attr]
        if action is not None:
            action(delivery)
        found, reading = composers.read_ahead(delivery)
        behaviour["read"].append((delivery.to_email, found, reading))  # type: ignore[union-attr]
        return EmailMessage(subject="Note", body=f"Bonjour {delivery.to_email}.")

    def read_many(rows):
        return {row.pk: f"lu:{row.to_email}" for row in rows}

    monkeypatch.setitem(composers._composers, KIND, compose)
    monkeypatch.setitem(composers._read_many, KIND, read_many)
    return behaviour


def rows(territory, count: int, *, start: int = 0) -> list[Delivery]:
    return [
        Delivery.objects.create(
            territory=territory, kind=KIND, topic="note:1", to_email=f"p{n}@asso.fr"
        )
        for n in range(start, start + count)
    ]


def states(deliveries: list[Delivery]) -> list[str]:
    return [Delivery.objects.get(pk=d.pk).status for d in deliveries]


def claims(queries) -> int:
    return sum(
        1 for q in queries if q["sql"].startswith("UPDATE") and "RETURNING" in q["sql"].upper()
    )


def test_a_chunk_is_claimed_in_one_statement_and_costs_one_query_a_message(territory):
    few, many = rows(territory, 3), rows(territory, 12, start=3)

    with CaptureQueriesContext(connection) as small:
        outcome = batch.deliver_many([d.pk for d in few])
    with CaptureQueriesContext(connection) as large:
        batch.deliver_many([d.pk for d in many])

    assert outcome.states == {DeliveryStatus.SENT: 3}
    assert states(few + many) == [DeliveryStatus.SENT] * 15
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.to_email for d in few + many)
    assert claims(small) == claims(large) == 1
    # Per message, recording it sent; the claim and the reading are the chunk's.
    assert len(large) - len(small) == 9


def test_the_readings_made_for_the_chunk_reach_each_composer_once_while_fresh(
    territory, composer, monkeypatch
):
    chunk = rows(territory, 2)
    batch.deliver_many([d.pk for d in chunk])
    assert composer["read"] == [(d.to_email, True, f"lu:{d.to_email}") for d in chunk]

    # Read too long ago (a slow SMTP server): each composer reads for itself.
    composer["read"].clear()
    monkeypatch.setattr(composers, "READ_AHEAD_SECONDS", -1.0)
    batch.deliver_many([d.pk for d in rows(territory, 2, start=2)])
    assert [found for _email, found, _reading in composer["read"]] == [False, False]


def test_rows_another_worker_holds_or_not_due_are_left_out(territory):
    mine, held, later = rows(territory, 3)
    other = timezone.now()
    Delivery.objects.filter(pk=held.pk).update(
        status=DeliveryStatus.SENDING,
        claimed_at=other,
        next_attempt_at=other + dt.timedelta(seconds=60),
    )
    Delivery.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
    )

    outcome = batch.deliver_many([mine.pk, held.pk, later.pk])

    assert outcome.states == {DeliveryStatus.SENT: 1, "skipped": 2}
    assert [m.to[0] for m in mail.outbox] == [mine.to_email]
    held.refresh_from_db()
    assert (held.status, held.claimed_at) == (DeliveryStatus.SENDING, other)
    assert states([later]) == [DeliveryStatus.QUEUED]


def test_a_row_refused_for_now_goes_again_later_and_the_others_go_on(territory, monkeypatch):
    first, refused, last = rows(territory, 3)
    real_send = EmailMessage.send

    def send(message, fail_silently=False):
        if message.to == [refused.to_email]:
            raise OSError("Connection reset by peer")
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send)

    outcome = batch.deliver_many([first.pk, refused.pk, last.pk])

    assert sorted(m.to[0] for m in mail.outbox) == [first.to_email, last.to_email]
    assert states([first, refused, last]) == [
        DeliveryStatus.SENT,
        DeliveryStatus.QUEUED,
        DeliveryStatus.SENT,
    ]
    refused.refresh_from_db()
    assert refused.attempts == 1
    assert refused.next_attempt_at > timezone.now()
    (delay,) = outcome.later
    assert outcome.later[delay] == [refused.pk]

    # With a broker, the task hands it over again for its next attempt.
    handed: list[tuple[list[int], int]] = []
    monkeypatch.setattr(
        tasks.send_deliveries,
        "apply_async",
        lambda args, countdown: handed.append((args[0], countdown)),
    )
    batch.send_later(outcome.later)
    assert handed == [([refused.pk], delay)]
    refused.refresh_from_db()
    assert refused.dispatched_at is not None


def test_a_row_whose_lease_another_worker_took_meanwhile_is_not_sent_twice(
    territory, composer, monkeypatch, settings
):
    """The chunk took long (a slow message): before the next row, it renews its leases; a row
    whose lease had run out and that another worker claimed is that worker's now."""
    settings.OUTBOX_LEASE_SECONDS = 3
    first, taken, last = rows(territory, 3)
    clock = {"now": 1000.0}

    def tick() -> float:
        clock["now"] += 2.0  # more than a third of a lease between two rows
        return clock["now"]

    monkeypatch.setattr(batch, "time", types.SimpleNamespace(monotonic=tick))

    def taken_elsewhere(_delivery: Delivery) -> None:
        Delivery.objects.filter(pk=taken.pk).update(claimed_at=timezone.now())

    composer["on"] = {first.to_email: taken_elsewhere}

    outcome = batch.deliver_many([first.pk, taken.pk, last.pk])

    assert sorted(m.to[0] for m in mail.outbox) == [first.to_email, last.to_email]
    assert outcome.states == {DeliveryStatus.SENT: 2, "skipped": 1}
    assert states([taken]) == [DeliveryStatus.SENDING]  # the other worker's outcome stands


def test_the_database_lost_mid_chunk_gives_the_rows_not_done_back(territory, composer):
    first, broken, last = rows(territory, 3)

    def unreachable(_delivery: Delivery) -> None:
        raise OperationalError("terminating connection due to administrator command")

    composer["on"] = {broken.to_email: unreachable}

    with pytest.raises(batch.Interrupted) as interrupted:
        batch.deliver_many([first.pk, broken.pk, last.pk])

    assert interrupted.value.remaining == [broken.pk, last.pk]
    assert [m.to[0] for m in mail.outbox] == [first.to_email]
    # Back in the queue at once, for the task's retry: nothing was wrong with them.
    assert states([first, broken, last]) == [
        DeliveryStatus.SENT,
        DeliveryStatus.QUEUED,
        DeliveryStatus.QUEUED,
    ]
    assert outbox.claim(last.pk) is not None


def test_inline_the_task_raises_what_the_database_said(territory, composer):
    (only,) = rows(territory, 1)

    def unreachable(_delivery: Delivery) -> None:
        raise OperationalError("the database system is starting up")

    composer["on"] = {only.to_email: unreachable}

    with pytest.raises(OperationalError):
        tasks.send_deliveries.apply(args=([only.pk],), throw=True)
    assert states([only]) == [DeliveryStatus.QUEUED]


def test_a_chunk_out_of_time_gives_its_rows_back_to_a_new_task(territory):
    chunk = rows(territory, 3)

    outcome = batch.deliver_many([d.pk for d in chunk], budget=-1.0)

    assert mail.outbox == []
    assert outcome.again == [d.pk for d in chunk]
    assert states(chunk) == [DeliveryStatus.QUEUED] * 3
    assert all(outbox.claim(d.pk) is not None for d in chunk)  # due now, to be had


def test_dispatch_hands_rows_over_a_task_a_chunk(territory, monkeypatch):
    handed: list[list[int]] = []
    monkeypatch.setattr(outbox, "_eager", lambda: False)
    monkeypatch.setattr(tasks.send_deliveries, "delay", handed.append)
    waiting = rows(territory, batch.BATCH_SIZE + 2)

    assert outbox.dispatch([d.pk for d in waiting]) == batch.BATCH_SIZE + 2

    assert [len(chunk) for chunk in handed] == [batch.BATCH_SIZE, 2]
    assert [pk for chunk in handed for pk in chunk] == [d.pk for d in waiting]


def test_inline_every_row_of_every_chunk_is_sent(territory):
    waiting = rows(territory, batch.BATCH_SIZE + 2)

    assert outbox.dispatch([d.pk for d in waiting]) == batch.BATCH_SIZE + 2

    assert len(mail.outbox) == batch.BATCH_SIZE + 2
    assert set(states(waiting)) == {DeliveryStatus.SENT}


def test_the_broker_backlog_counts_the_rows_its_tasks_carry():
    def message(task: str, args: list) -> bytes:
        import base64
        import json

        body = base64.b64encode(json.dumps([args, {}, {}]).encode()).decode()
        return json.dumps(
            {"body": body, "headers": {"task": task}, "properties": {"body_encoding": "base64"}}
        ).encode()

    queue = [
        message(batch.SEND_MANY, [[1, 2, 3]]),
        message(batch.SEND_ONE, [4]),
        message("cls_platform.tasks.sweep_outbox", []),
        b"not json",
    ]
    channel = types.SimpleNamespace(
        client=types.SimpleNamespace(lrange=lambda name, _a, _b: queue if name == "q" else []),
        _q_for_pri=lambda name, step: name if step == 0 else f"{name}-{step}",
        priority_steps=[0, 3],
    )

    # An unreadable task counts as a full chunk: a backlog is never doubled.
    assert batch.rows_in_queue(channel, "q") == 3 + 1 + 0 + batch.BATCH_SIZE


@pytest.mark.django_db(transaction=True)
def test_a_chunk_records_without_waiting_for_the_disk_and_puts_the_setting_back(territory):
    if connection.vendor != "postgresql":
        pytest.skip("la validation asynchrone est celle de PostgreSQL")
    seen: list[str] = []

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    chunk = rows(territory, 2)
    with batch.commits_without_waiting():
        seen.append(setting())
    batch.deliver_many([d.pk for d in chunk])

    assert seen == ["off"]
    assert setting() == "on"
    assert states(chunk) == [DeliveryStatus.SENT] * 2
