"""The outbox: queue e-mails as `Delivery` rows, send each exactly once, survive crashes.

- An app registers a composer per kind of message: `register("report", compose)`, where
  `compose(delivery) -> EmailMessage` builds the message from the row's ids (re-fetching what
  it needs), returns None when there is nothing to send any more (meeting deleted...), or
  raises `Skip(reason)` when the person may no longer be mailed (unsubscribed since the row was
  queued...): the row then ends "skipped" with that reason, whatever attempt it was at.
- `enqueue(...)` writes rows inside the caller's transaction and hands their ids to Celery only
  once it commits. Rows already there for the same message are skipped, so enqueuing twice
  sends nothing new; a row skipped earlier is queued again for a recipient the caller now
  passes (the person subscribed again).
- `deliver(id)` claims the row and reads it in one statement, sends it with a
  Message-ID derived from the row, and records the outcome: sent; failed for a permanent
  refusal (5xx; a refused address is reported through `delivery_bounced`); queued again with a
  later `next_attempt_at` for a temporary one (4xx, connection trouble), failed once
  OUTBOX_MAX_ATTEMPTS temporary refusals have used up the retry schedule. The workers do the
  same for a chunk of rows claimed in one statement (`batch.deliver_many`, one task a chunk).
- `dispatch(ids)` hands rows to the broker, a task per chunk; it never raises: a row it could
  not hand over (Redis down) stays queued for the sweep, and the request that decided to send
  does not fail.
- `sweep()` (Celery beat, every OUTBOX_SWEEP_SECONDS) hands rows over again when their task was
  lost, and resumes the rows a long SMTP outage failed once the server answers again.
- `retry_failed(...)` puts failed rows back in the queue, with what the caller says about each
  (the corrected address, or why not to retry).

A claim is a lease. `next_attempt_at` says when a row may be tried (again): for a queued row,
when it is due; for a row being sent, when its lease ends, which the sending process renews
from a thread of its own (every third of OUTBOX_LEASE_SECONDS) for as long as it works on the
row; for a row failed by a long outage, when the sweep may resume it. A worker that dies stops
renewing: within a lease its rows may be claimed again, and the sweep hands them over. Every
outcome is written only by the claim that holds the row (`claimed_at` is its token), so a worker
that lost its lease cannot undo what the next one recorded; "sent" is always recorded, since the
message did leave. A database that drops the connection after the SMTP server accepted a message
is waited for (OUTCOME_PATIENCE) before the outcome is given up: sending it again would double it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import smtplib
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import InterfaceError, OperationalError, connections, router, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from ..models import Delivery, DeliveryStatus, Territory
from .batch import chunked, claim_many, rows_in_queue
from .composers import Skip, composer_for, register  # noqa: F401 (register: re-exported)
from .messages import stamp
from .smtp_errors import address_is_bad, backoff, describe, is_permanent

log = logging.getLogger(__name__)


# Sent when an address is refused for good: kwargs `delivery` (the row, with contact_id).
delivery_bounced = Signal()

# The database answered with a broken connection (restart, failover, a cut network): worth
# waiting for, unlike an error in what we asked.
DATABASE_TROUBLE = (OperationalError, InterfaceError)
# How long a worker waits for the database to record what the SMTP server already accepted.
OUTCOME_PATIENCE = 120.0
SWEEP_LIMIT = 5000  # rows a sweep hands over at most; the next sweep takes the rest


def lease() -> dt.timedelta:
    """How long a claim holds without being renewed (settings.OUTBOX_LEASE_SECONDS)."""
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def max_attempts() -> int:
    """Temporary refusals before a row is failed (settings.OUTBOX_MAX_ATTEMPTS)."""
    return settings.OUTBOX_MAX_ATTEMPTS


@dataclass(frozen=True)
class Recipient:
    email: str
    contact_id: int | None = None


@dataclass(frozen=True)
class Enqueued:
    queued: list[int]
    skipped: int


def enqueue(
    *,
    territory: Territory,
    kind: str,
    topic: str,
    recipients: Iterable[Recipient],
    revision: int = 0,
) -> Enqueued:
    """Queue one row per recipient not already served for this message; send after commit.

    `queued` lists the rows this call created (or revived from "skipped"); rows of an earlier
    call still waiting for a worker are neither counted nor handed over again (the sweep looks
    after them), so that "1 queued" always means one new e-mail.
    """
    composer_for(kind)  # fail now, not in a worker, if nobody can compose this kind
    recipients = list({(r.contact_id or r.email.lower()): r for r in recipients}.values())
    existing = Delivery.objects.filter(kind=kind, topic=topic, revision=revision).values_list(
        "id", "contact_id", "to_email", "status"
    )
    by_contact: dict[int, tuple[int, str]] = {}
    by_email: dict[str, tuple[int, str]] = {}
    for pk, contact_id, email, status in existing:
        if contact_id is not None:
            by_contact[contact_id] = (pk, status)
        else:
            by_email[email.lower()] = (pk, status)
    new_rows: list[Delivery] = []
    revived: list[Delivery] = []
    now = timezone.now()
    for r in recipients:
        email = r.email.strip().lower()
        found = by_contact.get(r.contact_id) if r.contact_id else by_email.get(email)
        if found is None:
            new_rows.append(
                Delivery(
                    territory=territory,
                    kind=kind,
                    topic=topic,
                    revision=revision,
                    contact_id=r.contact_id,
                    to_email=email,
                    next_attempt_at=now,
                )
            )
        elif found[1] == DeliveryStatus.SKIPPED:
            revived.append(Delivery(pk=found[0], to_email=email))
    with transaction.atomic():
        Delivery.objects.bulk_create(new_rows, ignore_conflicts=True)
        for row in revived:
            Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.SKIPPED).update(
                status=DeliveryStatus.QUEUED,
                to_email=row.to_email,
                attempts=0,
                last_error="",
                next_attempt_at=now,
                claimed_at=None,
                dispatched_at=None,
            )
        # ignore_conflicts leaves the primary keys unset: read back the rows just written.
        ids = _queued_ids(kind, topic, revision, new_rows) + [row.pk for row in revived]
        transaction.on_commit(functools.partial(dispatch, ids), robust=True)
    return Enqueued(queued=ids, skipped=len(recipients) - len(ids))


def _queued_ids(kind: str, topic: str, revision: int, rows: list[Delivery]) -> list[int]:
    if not rows:
        return []
    contacts = [r.contact_id for r in rows if r.contact_id is not None]
    emails = [r.to_email for r in rows if r.contact_id is None]
    mine = Q(contact_id__in=contacts) | Q(contact_id__isnull=True, to_email__in=emails)
    return list(
        Delivery.objects.filter(
            mine, kind=kind, topic=topic, revision=revision, status=DeliveryStatus.QUEUED
        ).values_list("id", flat=True)
    )


def _eager() -> bool:
    from ..celery import app

    return bool(app.conf.task_always_eager)


def dispatch(ids: Iterable[int]) -> int:
    """Hand rows to the workers, by chunks of batch.BATCH_SIZE (one task each); returns how
    many rows were handed over.

    Runs after the commit of the request that decided to send: it must not fail that request.
    A chunk that cannot be handed over (broker unreachable) is logged and left queued; the sweep
    hands it over later. With a broker, the first such failure stops the hand-over (the next
    chunk would wait for the same timeout); with tasks run inline, each chunk is tried.
    """
    from ..tasks import send_deliveries

    ids = list(ids)
    # Only rows still waiting for a worker: one recorded as sent or cancelled before the
    # commit (the demo records its past campaigns so) costs no task.
    waiting = set(
        Delivery.objects.filter(
            id__in=ids, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
        ).values_list("id", flat=True)
    )
    ids = [delivery_id for delivery_id in ids if delivery_id in waiting]
    eager = _eager()
    handed: list[int] = []
    for chunk in chunked(ids):
        try:
            send_deliveries.delay(chunk)
        except Exception:
            log.exception("Envois %s non confiés aux workers : le balayage les reprendra", chunk)
            if not eager:
                break
            continue
        handed.extend(chunk)
    if handed and not eager:
        Delivery.objects.filter(
            id__in=handed, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
        ).update(dispatched_at=timezone.now())
    if len(handed) < len(ids):
        log.warning(
            "%s envoi(s) sur %s laissé(s) en file pour le balayage",
            len(ids) - len(handed),
            len(ids),
        )
    return len(handed)


Decision = str | Skip  # the address to send to now, or why the row stays as it is


@dataclass(frozen=True)
class Retried:
    queued: list[int]
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> how many rows

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())


def retry_failed(
    *,
    territory: Territory,
    topic: str,
    kind: str | None = None,
    decide: Callable[[list[Delivery]], dict[int, Decision]] | None = None,
) -> Retried:
    """Put failed rows back in the queue (the coordinator fixed an address, or waited).

    `decide(rows)` says, per row id, the address to send to now (the contact's corrected one)
    or `Skip(reason)` to leave the row failed; a row it does not mention goes again as it is.
    """
    rows = Delivery.objects.filter(territory=territory, topic=topic, status=DeliveryStatus.FAILED)
    if kind:
        rows = rows.filter(kind=kind)
    rows = list(rows.order_by("id"))
    decisions = decide(rows) if decide and rows else {}
    now = timezone.now()
    again: list[Delivery] = []
    skipped: Counter[str] = Counter()
    for row in rows:
        decision = decisions.get(row.pk, row.to_email)
        if isinstance(decision, Skip):
            skipped[decision.reason] += 1
            continue
        row.to_email = decision.strip().lower()
        again.append(row)
    ids: list[int] = []
    with transaction.atomic():
        for row in again:
            # Only if still failed: two retries at once (a double click, two coordinators)
            # must not put back in the queue a row the first one already had sent.
            if Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.FAILED).update(
                to_email=row.to_email,
                status=DeliveryStatus.QUEUED,
                attempts=0,
                last_error="",
                next_attempt_at=now,
                claimed_at=None,
                dispatched_at=None,
            ):
                ids.append(row.pk)
        transaction.on_commit(functools.partial(dispatch, ids), robust=True)
    return Retried(queued=ids, skipped=dict(skipped))


# --- sending ----------------------------------------------------------------------------------


class TemporaryFailure(Exception):
    """The message could not be sent now; try again later."""

    def __init__(self, delay: int) -> None:
        super().__init__(delay)
        self.delay = delay


def _write_connection():
    return connections[router.db_for_write(Delivery)]


def claim(delivery_id: int) -> Delivery | None:
    """queued (due) → sending, or a row whose lease ran out (its worker died) taken over: the
    row as this worker now holds it, read in the same statement, or None if it is not to be had.

    One UPDATE ... RETURNING (batch.claim_many): two workers never both win, and the winner
    needs no second read.
    """
    return next(iter(claim_many([delivery_id])), None)


class _LeaseKeeper:
    """Renews, from a thread of this process, the leases of the rows this process is sending.

    Only rows held for more than a third of a lease are renewed (most messages leave in a
    fraction of a second, and cost nothing here), and none beyond the task's time limit: a
    worker stuck for that long is killed by Celery, and its row must be free to go again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[int, tuple[dt.datetime, float]] = {}  # id -> (claim token, since)
        self._thread: threading.Thread | None = None
        self._pid = 0

    @contextlib.contextmanager
    def holding(self, delivery: Delivery) -> Iterator[None]:
        with self._lock:
            self._held[delivery.pk] = (delivery.claimed_at, time.monotonic())
            # A forked pool process inherits no thread: start one in each process.
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="outbox-leases", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._held.pop(delivery.pk, None)

    def _run(self) -> None:
        while True:
            period = settings.OUTBOX_LEASE_SECONDS / 3
            time.sleep(period)
            now = time.monotonic()
            limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or float("inf")
            with self._lock:
                due = {
                    pk: token
                    for pk, (token, since) in self._held.items()
                    if period <= now - since <= limit
                }
            if due:
                self.renew(due)

    @staticmethod
    def renew(held: dict[int, dt.datetime]) -> None:
        try:
            for pk, token in held.items():
                Delivery.objects.filter(
                    pk=pk, status=DeliveryStatus.SENDING, claimed_at=token
                ).update(next_attempt_at=timezone.now() + lease())
        except Exception:
            # The database is away: the send goes on; the lease is renewed once it is back.
            log.warning("Bail des envois %s non renouvelé", sorted(held), exc_info=True)
            with contextlib.suppress(Exception):
                _write_connection().close()


_keeper = _LeaseKeeper()


def _persist(write: Callable[[], int], *, what: str) -> int:
    """Runs an outcome's UPDATE; waits for a database that dropped the connection.

    A worker that learnt a message left must record it, or the row goes again: it retries for
    OUTCOME_PATIENCE seconds (its lease is renewed meanwhile, once the database is back).
    Inside a transaction (tests, inline tasks) nothing can be retried: the error propagates.
    """
    deadline = time.monotonic() + OUTCOME_PATIENCE
    pause = 0.1
    while True:
        try:
            return write()
        except DATABASE_TROUBLE:
            connection = _write_connection()
            if connection.in_atomic_block or time.monotonic() >= deadline:
                raise
            if pause == 0.1:
                log.warning("Base de données injoignable : %s attend d'être enregistré", what)
            with contextlib.suppress(Exception):
                connection.close()  # reopened by the next query
            time.sleep(pause)
            # Short waits: once the database is back, the outcome must be written before the
            # row's lease runs out (the lease cannot be renewed while the database is away).
            pause = min(pause * 2, 0.5)


def mark(delivery: Delivery, status: str, error: str, **fields: object) -> bool:
    """Records an outcome of this claim; False if the row is no longer this claim's (a worker
    that outlived its lease: the row went to another, whose outcome stands)."""
    if status == DeliveryStatus.FAILED and "attempts" not in fields:
        # A failed row with OUTBOX_MAX_ATTEMPTS attempts is one the sweep resumes: a permanent
        # refusal after a resumption must not look like one.
        fields["attempts"] = min(delivery.attempts, max_attempts() - 1)
    mine = Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at
    )
    recorded = _persist(
        lambda: mine.update(status=status, last_error=error, **fields),
        what=f"l'envoi {delivery.pk} ({status})",
    )
    if not recorded:
        log.warning(
            "Envoi %s repris par un autre worker : « %s » non enregistré", delivery.pk, status
        )
    return bool(recorded)


def _mark_sent(delivery: Delivery) -> None:
    # Not fenced by the claim: the message left, whoever holds the row now.
    row = Delivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENT)
    _persist(
        lambda: row.update(status=DeliveryStatus.SENT, last_error="", sent_at=timezone.now()),
        what=f"l'envoi {delivery.pk} (sent)",
    )


def _release(delivery: Delivery) -> None:
    """Gives a claimed row back to the queue at once (the database failed us before sending);
    if even that fails, its lease runs out and the sweep hands it over."""
    with contextlib.suppress(*DATABASE_TROUBLE):
        Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at
        ).update(status=DeliveryStatus.QUEUED, next_attempt_at=timezone.now())


def deliver(delivery_id: int, *, connection=None) -> str:
    """Send one row. Returns its final state for this attempt; raises TemporaryFailure."""
    delivery = claim(delivery_id)
    if delivery is None:
        return "skipped"
    with _keeper.holding(delivery):
        return _send(delivery, connection)


def _send(delivery: Delivery, connection) -> str:
    try:
        message = composer_for(delivery.kind)(delivery)
    except Skip as skip:
        mark(delivery, DeliveryStatus.SKIPPED, skip.reason[:500])
        return DeliveryStatus.SKIPPED
    except DATABASE_TROUBLE:
        # Not the message's fault: it goes again once the database answers.
        _release(delivery)
        raise
    except Exception as exc:  # a composer bug must not leave the row "sending" forever
        log.exception("Composition impossible de l'envoi %s", delivery.pk)
        mark(delivery, DeliveryStatus.FAILED, f"Composition impossible : {exc}"[:500])
        return DeliveryStatus.FAILED
    if message is None:
        mark(delivery, DeliveryStatus.FAILED, "Plus rien à envoyer (objet supprimé).")
        return DeliveryStatus.FAILED
    message.to = [delivery.to_email]
    # Auto-Submitted, Content-Language and a Message-ID of the row, on the sender's domain: a
    # re-send after a crash carries the same one.
    stamp(message, message_id=delivery.message_id)
    try:
        message.connection = connection or get_connection()
        message.send(fail_silently=False)
    except Exception as exc:
        _connection_served(connection, ok=False)
        if is_permanent(exc):
            mark(delivery, DeliveryStatus.FAILED, describe(exc))
            # Only a refused recipient says the address is bad; a refused sender, login or
            # content (5xx at MAIL FROM, AUTH, DATA) is about us, not the partner, and so is a
            # relay or policy refusal (5.7.x, "relay denied").
            if isinstance(exc, smtplib.SMTPRecipientsRefused) and address_is_bad(exc):
                delivery_bounced.send(sender=Delivery, delivery=delivery)
            return DeliveryStatus.FAILED
        if isinstance(exc, ValueError):
            # A header Django refuses (BadHeaderError), an address it cannot encode: trying
            # again would fail the same way, and the row must not stay "sending" forever.
            log.exception("Envoi %s impossible à former", delivery.pk)
            mark(delivery, DeliveryStatus.FAILED, describe(exc))
            return DeliveryStatus.FAILED
        if not isinstance(exc, smtplib.SMTPException | socket.error | OSError):
            # Anything else (a time limit, a library's error): counted as an attempt, so that
            # the row ends "failed" after OUTBOX_MAX_ATTEMPTS instead of going round for ever.
            log.exception("Envoi %s interrompu", delivery.pk)
        attempts = delivery.attempts + 1
        now = timezone.now()
        if attempts >= max_attempts():
            # The retry schedule is used up: failed, as the coordinator sees it; the sweep
            # resumes it once the server answers again (after a capped back-off when the
            # server answers but refuses this message again).
            resume_in = backoff(attempts - max_attempts())
            mark(
                delivery,
                DeliveryStatus.FAILED,
                describe(exc),
                attempts=attempts,
                next_attempt_at=now + dt.timedelta(seconds=resume_in),
            )
            return DeliveryStatus.FAILED
        delay = backoff(attempts)
        mark(
            delivery,
            DeliveryStatus.QUEUED,
            describe(exc),
            attempts=attempts,
            next_attempt_at=now + dt.timedelta(seconds=delay),
        )
        raise TemporaryFailure(delay) from exc
    _connection_served(connection, ok=True)
    _mark_sent(delivery)
    return DeliveryStatus.SENT


# --- sweeping -----------------------------------------------------------------------------------


def sweep() -> int:
    """Hands over again what lost its task; resumes what a long SMTP outage failed.

    - rows being sent whose lease ran out: their worker died;
    - queued rows due for a lease or more, handed over a lease ago or more, when the broker's
      tasks carry fewer rows than there are such rows: their tasks were lost (Redis restarted, a
      worker died holding them, the database refused them). A backlog that the broker still
      holds is never doubled;
    - failed rows whose retry schedule ran out (OUTBOX_MAX_ATTEMPTS temporary refusals), queued
      for less than OUTBOX_RESUME_DAYS, once due: resumed when the SMTP server takes mail again.

    Returns how many rows it handed over.
    """
    now = timezone.now()
    grace = now - lease()
    handed_long_ago = Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=grace)
    orphans = list(
        Delivery.objects.filter(status=DeliveryStatus.SENDING, next_attempt_at__lt=now)
        .filter(handed_long_ago)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:SWEEP_LIMIT]
    )
    waiting = list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=grace)
        .filter(handed_long_ago)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:SWEEP_LIMIT]
    )
    if waiting and broker_backlog() >= len(waiting):
        waiting = []  # their tasks may all still be in the broker, behind others
    ids = orphans + waiting + resume_failed(now=now)
    dispatch(ids)
    return len(ids)


def broker_backlog() -> int:
    """How many rows the sending tasks waiting in the broker's queue carry (0 with tasks
    inline, or when the broker cannot say)."""
    if _eager():
        return 0
    from ..celery import app
    from ..tasks import send_deliveries

    queue = app.amqp.router.route({}, send_deliveries.name)["queue"].name
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1)
            return rows_in_queue(conn.default_channel, queue)
    except Exception:  # no such queue (Redis drops an empty list), or no broker: nothing held
        return 0


def resume_failed(*, now: dt.datetime) -> list[int]:
    """Failed rows of a long outage, back in the queue if the SMTP server takes mail again."""
    resumable = Delivery.objects.filter(
        status=DeliveryStatus.FAILED,
        attempts__gte=max_attempts(),
        next_attempt_at__lte=now,
        created_at__gte=now - dt.timedelta(days=settings.OUTBOX_RESUME_DAYS),
    )
    ids = list(
        resumable.order_by("next_attempt_at", "id").values_list("id", flat=True)[:SWEEP_LIMIT]
    )
    if not ids or not smtp_answers():
        return []
    # Only if still failed: a coordinator's "relancer" may have been faster.
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.QUEUED, next_attempt_at=now, dispatched_at=None
    )
    return ids


def smtp_answers() -> bool:
    """Whether the SMTP server takes mail from us now: it greets, and accepts our MAIL FROM
    (then RSET). Always true for the backends that do not speak SMTP (files, tests)."""
    backend = get_connection()
    if not isinstance(backend, SmtpBackend):
        return True
    backend.timeout = min(backend.timeout or 10, 10)
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    try:
        backend.open()
        backend.connection.ehlo_or_helo_if_needed()
        code, _msg = backend.connection.mail(sender)
        if code != 250:
            return False
        backend.connection.rset()
        return True
    except (smtplib.SMTPException, OSError):
        return False
    finally:
        with contextlib.suppress(Exception):
            backend.close()


_connection = None
_connection_key: tuple[object, ...] | None = None
# When this process's connection last carried a message to the end (time.monotonic()); 0 after
# a failure. Within FRESH_SECONDS of a success, the next message goes without a NOOP first: in a
# sending of 200, that is one round trip fewer per message.
_connection_ok_at = 0.0
FRESH_SECONDS = 5.0


def smtp_connection():
    """One SMTP connection per worker process, reopened when the server closed it (or when
    the mail settings changed, as tests do). A connection that has not just carried a message
    is asked first (NOOP) whether the server still holds it."""
    global _connection, _connection_key, _connection_ok_at
    key = (
        settings.EMAIL_BACKEND,
        getattr(settings, "EMAIL_HOST", ""),
        getattr(settings, "EMAIL_PORT", None),
        str(getattr(settings, "EMAIL_FILE_PATH", "")),  # the file backends write there
    )
    if _connection is None or key != _connection_key:
        _connection, _connection_key, _connection_ok_at = get_connection(), key, 0.0
    conn = getattr(_connection, "connection", None)
    if conn is None:
        # Opened here, the connection stays open across messages (a backend closes only the
        # connections it opened itself); a failure to connect shows up when sending.
        _connection_ok_at = 0.0
        with contextlib.suppress(Exception):
            _connection.open()
        return _connection
    if time.monotonic() - _connection_ok_at < FRESH_SECONDS:
        return _connection
    try:
        status = conn.noop()[0]
    except (smtplib.SMTPException, OSError):
        status = -1
    if status != 250:
        with contextlib.suppress(Exception):  # the socket is already gone
            _connection.close()
        _connection.connection = None
    return _connection


def _connection_served(connection, ok: bool) -> None:
    """Notes how the last message on `connection` went (see smtp_connection)."""
    global _connection_ok_at
    if connection is not None and connection is _connection:
        _connection_ok_at = time.monotonic() if ok else 0.0
