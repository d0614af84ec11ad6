"""The outbox's rows sent by chunks: one Celery task (`cls_platform.tasks.send_deliveries`)
carries up to BATCH_SIZE rows over the worker's one SMTP connection; `outbox.dispatch` hands rows
over so. A task per row cost more in Celery's round trips than the message itself.

What a chunk keeps of the single row's guarantees (see `outbox`):

- its rows are claimed in one statement (UPDATE ... RETURNING), as one claim: the same
  `claimed_at` token for all; a row another worker holds, or not due yet, is left out;
- each row is composed, sent and its outcome recorded one after the other, as `outbox.deliver`
  does (a row is "sent" once the server accepted it: a crash before that is recorded sends it
  again, with the same Message-ID); the keeper thread renews the lease of the row in flight;
- the rows not started yet have their lease renewed by the chunk itself, one fenced UPDATE once a
  third of a lease has passed: a row whose lease ran out meanwhile (a message that took long, the
  database away) may be another worker's now, and is left to it;
- a temporary failure puts that row back in the queue with its back-off and the chunk goes on:
  the task hands it over again for its next attempt (`send_later`);
- the database away: the rows not done are given back (`Interrupted`), the task retries them;
- a worker killed: the rows it claimed and did not send go again once their lease runs out (the
  sweep hands them over); only the message in flight can reach a recipient twice;
- a chunk that has used half of the task's time gives its other rows back, to a new task.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, router
from django.db.models import QuerySet
from django.utils import timezone

from ..models import Delivery, DeliveryStatus
from .composers import reading

log = logging.getLogger(__name__)

BATCH_SIZE = 25  # rows per task: 8 tasks for a compte-rendu to 200 partners
SEND_ONE = "cls_platform.tasks.send_delivery"
SEND_MANY = "cls_platform.tasks.send_deliveries"


def chunked(ids: Sequence[int], size: int = BATCH_SIZE) -> list[list[int]]:
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


def claim_many(ids: Sequence[int]) -> list[Delivery]:
    """`outbox.claim` for a chunk: every row of `ids` that is due, or whose lease ran out, goes
    to "sending" in one statement, read in the same; in the order of `ids`."""
    from .outbox import lease

    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    now = timezone.now()
    db = router.db_for_write(Delivery)
    connection = connections[db]
    qn = connection.ops.quote_name
    table, pk = qn(Delivery._meta.db_table), qn("id")
    columns = ", ".join(qn(f.column) for f in Delivery._meta.concrete_fields)
    status, claimed_at, due = qn("status"), qn("claimed_at"), qn("next_attempt_at")
    marks = ", ".join(["%s"] * len(ids))
    claimable = f"({status} = %s AND {due} <= %s OR {status} = %s AND {due} < %s)"
    claimable_params = [DeliveryStatus.QUEUED, now, DeliveryStatus.SENDING, now]
    if connection.features.has_select_for_update:
        # Locked in the order of their ids: two workers claiming overlapping chunks (a row the
        # sweep handed over again) wait for one another instead of deadlocking.
        rows = (
            f"{pk} IN (SELECT {pk} FROM {table} WHERE {pk} IN ({marks}) AND {claimable} "
            f"ORDER BY {pk} FOR UPDATE)"
        )
        rows_params = [*ids, *claimable_params]
    else:
        rows, rows_params = f"{pk} IN ({marks})", list(ids)
    sql = (
        f"UPDATE {table} SET {status} = %s, {claimed_at} = %s, {due} = %s "
        f"WHERE {rows} AND {claimable} RETURNING {columns}"
    )
    params = [DeliveryStatus.SENDING, now, now + lease(), *rows_params, *claimable_params]
    claimed = {row.pk: row for row in Delivery.objects.db_manager(db).raw(sql, params)}
    return [claimed[pk] for pk in ids if pk in claimed]


def _held(rows: Sequence[Delivery]) -> QuerySet[Delivery]:
    token = rows[0].claimed_at  # one claim for the whole chunk
    return Delivery.objects.filter(
        pk__in=[row.pk for row in rows], status=DeliveryStatus.SENDING, claimed_at=token
    )


def renew(rows: Sequence[Delivery]) -> set[int]:
    """Renews the lease of the rows this claim still holds; returns their ids."""
    from .outbox import lease

    if not rows:
        return set()
    if _held(rows).update(next_attempt_at=timezone.now() + lease()) == len(rows):
        return {row.pk for row in rows}
    return set(_held(rows).values_list("pk", flat=True))


def release(rows: Sequence[Delivery]) -> None:
    """Gives rows this claim holds back to the queue at once; if even that fails (the database
    away), their lease runs out and the sweep hands them over."""
    from .outbox import DATABASE_TROUBLE

    if rows:
        with contextlib.suppress(*DATABASE_TROUBLE):
            _held(rows).update(status=DeliveryStatus.QUEUED, next_attempt_at=timezone.now())


class Interrupted(Exception):
    """The database failed the chunk: `remaining` are the rows not done, given back if it could
    be; the task tries them again in a moment (the cause is the exception's __cause__)."""

    def __init__(self, remaining: list[int]) -> None:
        super().__init__(remaining)
        self.remaining = remaining


@dataclass
class Outcome:
    states: Counter[str] = field(default_factory=Counter)  # what each row came to
    later: dict[int, list[int]] = field(default_factory=dict)  # back-off (s) -> rows queued
    again: list[int] = field(default_factory=list)  # rows given back, to hand over now


def deliver_many(
    ids: Sequence[int],
    *,
    connection: Callable[[], object] | None = None,
    budget: float | None = None,
) -> Outcome:
    """Sends the rows of `ids` that are to be had, one after the other; the SMTP connection of
    each comes from `connection()`. Past `budget` seconds, the rows not started are given back
    (`Outcome.again`). Raises Interrupted when the database fails."""
    from .outbox import DATABASE_TROUBLE

    outcome = Outcome()
    started = time.monotonic()
    try:
        rows = claim_many(ids)
    except DATABASE_TROUBLE as exc:
        raise Interrupted(list(dict.fromkeys(ids))) from exc
    if len(set(ids)) > len(rows):  # not to be had: "skipped", as deliver says
        outcome.states["skipped"] += len(set(ids)) - len(rows)
    with contextlib.ExitStack() as stack:
        try:
            # What the messages read for each person, read for all of them in one go.
            stack.enter_context(reading(rows))
            stack.enter_context(commits_without_waiting())
        except DATABASE_TROUBLE as exc:
            release(rows)
            raise Interrupted([row.pk for row in rows]) from exc
        _send_each(rows, outcome, connection, started, budget)
    return outcome


@contextlib.contextmanager
def commits_without_waiting() -> Iterator[None]:
    """PostgreSQL's asynchronous commit on this process's connection while a chunk is sent.

    Each outcome is seen at once by the sweep and the other workers, but does not wait for the
    disk: on these machines a commit waits 6 ms for it, more than sending the message. Only a
    crash of PostgreSQL itself (not a restart, not a worker's) can lose the last fraction of a
    second of outcomes: those rows go again, with the same Message-ID, as when a worker dies
    between the server's answer and its record. Claims keep waiting for the disk.
    """
    from .outbox import DATABASE_TROUBLE, _write_connection

    connection = _write_connection()
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with contextlib.suppress(*DATABASE_TROUBLE), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _send_each(
    rows: list[Delivery],
    outcome: Outcome,
    connection: Callable[[], object] | None,
    started: float,
    budget: float | None,
) -> None:
    from .outbox import DATABASE_TROUBLE, TemporaryFailure, _keeper, _send, lease

    confirmed = started
    lost: set[int] = set()
    for n, delivery in enumerate(rows):
        rest = [row for row in rows[n:] if row.pk not in lost]
        if delivery.pk in lost:
            outcome.states["skipped"] += 1
            continue
        now = time.monotonic()
        if budget is not None and now - started > budget:
            release(rest)
            outcome.again = [row.pk for row in rest]
            break
        if now - confirmed > lease().total_seconds() / 3:
            try:
                mine = renew(rest)
            except DATABASE_TROUBLE as exc:
                release(rest)
                raise Interrupted([row.pk for row in rest]) from exc
            confirmed = now
            lost.update(row.pk for row in rest if row.pk not in mine)
            if delivery.pk in lost:
                outcome.states["skipped"] += 1
                continue
        try:
            with _keeper.holding(delivery):
                state = _send(delivery, connection() if connection else None)
        except TemporaryFailure as exc:
            outcome.later.setdefault(exc.delay, []).append(delivery.pk)
            state = DeliveryStatus.QUEUED
        except DATABASE_TROUBLE as exc:
            release(rest)
            raise Interrupted([row.pk for row in rest]) from exc
        except Exception:
            # Not this chunk's other rows' fault (a bounce handler that failed, a time limit):
            # this row, if still "sending", goes again once its lease runs out.
            log.exception("Envoi %s interrompu", delivery.pk)
            state = "error"
        outcome.states[state] += 1


def send_later(later: dict[int, list[int]]) -> None:
    """Hands over, for their next attempt, the rows a temporary failure put back in the queue;
    a row that cannot be handed over (broker away) is left to the sweep."""
    from ..tasks import send_deliveries

    for delay, ids in sorted(later.items()):
        for chunk in chunked(ids):
            try:
                send_deliveries.apply_async((chunk,), countdown=delay)
            except Exception:
                log.exception("Envois %s non confiés de nouveau : le balayage les reprendra", chunk)
                return
            # A new hand-over: the sweep leaves these rows to it.
            Delivery.objects.filter(pk__in=chunk, status=DeliveryStatus.QUEUED).update(
                dispatched_at=timezone.now()
            )


def time_budget() -> float | None:
    """Seconds a chunk may take before it gives its other rows back: half the task's soft time
    limit, so that a slow SMTP server never has a task killed with its rows in hand."""
    limit = getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None) or getattr(
        settings, "CELERY_TASK_TIME_LIMIT", None
    )
    return limit / 2 if limit else None


# --- what the broker still holds ----------------------------------------------------------------


def rows_in_queue(channel, queue: str) -> int:
    """How many outbox rows the sending tasks waiting in `queue` carry. Read from Redis's lists
    (one per priority); a broker that cannot be read so counts each task as a full chunk."""
    client, list_for = getattr(channel, "client", None), getattr(channel, "_q_for_pri", None)
    steps = getattr(channel, "priority_steps", None)
    if client is None or list_for is None or not steps:
        return channel.queue_declare(queue=queue, passive=True).message_count * BATCH_SIZE
    return sum(
        _rows_of(raw) for step in steps for raw in client.lrange(list_for(queue, step), 0, -1)
    )


def _rows_of(raw: bytes) -> int:
    try:
        message = json.loads(raw)
        task = (message.get("headers") or {}).get("task")
        if task == SEND_ONE:
            return 1
        if task != SEND_MANY:
            return 0
        body = message["body"]
        if (message.get("properties") or {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        return len(args[0])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return BATCH_SIZE  # unreadable: counted as a full chunk, so that nothing is doubled
