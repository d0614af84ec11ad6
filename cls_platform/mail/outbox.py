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
- `deliver(id)` (run by the task) claims the row with a conditional UPDATE, sends it with a
  Message-ID derived from the row, and records the outcome: sent; failed for a permanent
  refusal (5xx; a refused address is reported through `delivery_bounced`); queued again with a
  later `next_attempt_at` for a temporary one (4xx, connection trouble).
- `dispatch(ids)` hands rows to the broker; it never raises: a row it could not hand over (Redis
  down) stays queued for the sweep, and the request that decided to send does not fail.
- `sweep()` (Celery beat, every minute) re-enqueues rows whose task was lost: queued and due,
  or left "sending" by a worker that died, and not handed over recently (`dispatched_at`).
- `retry_failed(...)` puts failed rows back in the queue, with what the caller says about each
  (the corrected address, or why not to retry).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import smtplib
import socket
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from ..models import Delivery, DeliveryStatus, Territory
from .composers import Skip, composer_for, register  # noqa: F401 (register: re-exported)
from .messages import stamp

log = logging.getLogger(__name__)


# Sent when an address is refused for good: kwargs `delivery` (the row, with contact_id).
delivery_bounced = Signal()

MAX_ATTEMPTS = 8


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_STALE_SECONDS)


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
    """Hand rows to the workers; returns how many were handed over.

    Runs after the commit of the request that decided to send: it must not fail that request.
    A row that cannot be handed over (broker unreachable) is logged and left queued; the sweep
    hands it over later. With a broker, the first such failure stops the batch (the next row
    would wait for the same timeout); with tasks run inline, each row is tried.
    """
    from ..tasks import send_delivery

    ids = list(ids)
    eager = _eager()
    handed: list[int] = []
    for delivery_id in ids:
        try:
            send_delivery.delay(delivery_id)
        except Exception:
            log.exception("Envoi %s non confié aux workers : le balayage le reprendra", delivery_id)
            if not eager:
                break
            continue
        handed.append(delivery_id)
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


def claim(delivery_id: int) -> bool:
    """queued (due) → sending, or a stale "sending" taken over; True if this worker won it."""
    now = timezone.now()
    return bool(
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - stale_after())
        )
        .update(status=DeliveryStatus.SENDING, claimed_at=now)
    )


def backoff(attempt: int) -> int:
    """Seconds before the next try: 30 s, 1 min, 2 min... capped at one hour.

    The first wait is settings.OUTBOX_RETRY_BASE_SECONDS (30 s unless configured)."""
    base = getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 30)
    return min(base * 2 ** max(attempt - 1, 0), 3600)


def is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def address_is_bad(exc: smtplib.SMTPRecipientsRefused) -> bool:
    """The server says the mailbox is wrong (5.1.x, or a bare 550/551/553), not its policy."""
    for code, msg in exc.recipients.values():
        text = msg.decode(errors="replace") if isinstance(msg, bytes) else str(msg)
        enhanced = text.strip()[:6]
        if enhanced.startswith("5.1.") or (
            code in (550, 551, 553) and not enhanced.startswith("5.")
        ):
            return True
    return False


def describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values()
        )[:500]
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return f"{exc.smtp_code} {msg}"[:500]
    return f"{exc.__class__.__name__}: {exc}"[:500]


def deliver(delivery_id: int, *, connection=None) -> str:
    """Send one row. Returns its final state for this attempt; raises TemporaryFailure."""
    if not claim(delivery_id):
        return "skipped"
    delivery = Delivery.objects.get(pk=delivery_id)
    try:
        message = composer_for(delivery.kind)(delivery)
    except Skip as skip:
        mark(delivery, DeliveryStatus.SKIPPED, skip.reason[:500])
        return DeliveryStatus.SKIPPED
    except Exception as exc:  # a composer bug must not leave the row "sending" forever
        log.exception("Composition impossible de l'envoi %s", delivery_id)
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
            log.exception("Envoi %s impossible à former", delivery_id)
            mark(delivery, DeliveryStatus.FAILED, describe(exc))
            return DeliveryStatus.FAILED
        if not isinstance(exc, smtplib.SMTPException | socket.error | OSError):
            # Anything else (a time limit, a library's error): counted as an attempt, so that
            # the row ends "failed" after MAX_ATTEMPTS instead of going round for ever.
            log.exception("Envoi %s interrompu", delivery_id)
        attempts = delivery.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            mark(delivery, DeliveryStatus.FAILED, describe(exc), attempts=attempts)
            return DeliveryStatus.FAILED
        delay = backoff(attempts)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.QUEUED,
            attempts=attempts,
            last_error=describe(exc),
            next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
        )
        raise TemporaryFailure(delay) from exc
    mark(delivery, DeliveryStatus.SENT, "", sent_at=timezone.now())
    return DeliveryStatus.SENT


def mark(delivery: Delivery, status: str, error: str, **fields: object) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=status, last_error=error, **fields)


def sweep() -> int:
    """Re-enqueue what lost its task: due queued rows and "sending" rows of a dead worker.

    Only rows not handed over in the last OUTBOX_STALE_SECONDS: a task still waiting in Redis
    behind a backlog is not doubled every minute. Returns how many rows it found.
    """
    now = timezone.now()
    long_ago = now - stale_after()
    ids = list(
        Delivery.objects.filter(
            Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now - dt.timedelta(seconds=30))
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=long_ago)
        )
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=long_ago))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:5000]
    )
    dispatch(ids)
    return len(ids)


_connection = None
_connection_key: tuple[object, ...] | None = None


def smtp_connection():
    """One SMTP connection per worker process, reopened when the server closed it (or when
    the mail settings changed, as tests do)."""
    global _connection, _connection_key
    key = (
        settings.EMAIL_BACKEND,
        getattr(settings, "EMAIL_HOST", ""),
        getattr(settings, "EMAIL_PORT", None),
        str(getattr(settings, "EMAIL_FILE_PATH", "")),  # the file backends write there
    )
    if _connection is None or key != _connection_key:
        _connection, _connection_key = get_connection(), key
    conn = getattr(_connection, "connection", None)
    if conn is None:
        # Opened here, the connection stays open across messages (a backend closes only the
        # connections it opened itself); a failure to connect shows up when sending.
        with contextlib.suppress(Exception):
            _connection.open()
        return _connection
    if conn is not None:
        try:
            status = conn.noop()[0]
        except (smtplib.SMTPException, OSError):
            status = -1
        if status != 250:
            with contextlib.suppress(Exception):  # the socket is already gone
                _connection.close()
            _connection.connection = None
    return _connection
