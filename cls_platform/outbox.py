"""The outbox: queue e-mails as `Delivery` rows, send each exactly once, survive crashes.

- An app registers a composer per kind of message: `register("report", compose)`, where
  `compose(delivery) -> EmailMessage` builds the message from the row's ids (re-fetching what
  it needs), or returns None when there is nothing to send any more (meeting deleted...).
- `enqueue(...)` writes rows inside the caller's transaction and hands their ids to Celery only
  once it commits. Rows already there for the same message are skipped, so enqueuing twice
  sends nothing new.
- `deliver(id)` (run by the task) claims the row with a conditional UPDATE, sends it with a
  Message-ID derived from the row, and records the outcome: sent; failed for a permanent
  refusal (5xx; a refused address is reported through `delivery_bounced`); queued again with a
  later `next_attempt_at` for a temporary one (4xx, connection trouble).
- `sweep()` (Celery beat, every minute) re-enqueues rows whose task was lost: queued and due,
  or left "sending" by a worker that died.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from .models import Delivery, DeliveryStatus, Territory

log = logging.getLogger(__name__)

Composer = Callable[[Delivery], EmailMessage | None]
_composers: dict[str, Composer] = {}

# Sent when an address is refused for good: kwargs `delivery` (the row, with contact_id).
delivery_bounced = Signal()

MAX_ATTEMPTS = 8


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_STALE_SECONDS)


def register(kind: str, composer: Composer) -> None:
    _composers[kind] = composer


def composer_for(kind: str) -> Composer:
    try:
        return _composers[kind]
    except KeyError:
        raise LookupError(f"Aucun modèle d'e-mail enregistré pour « {kind} ».") from None


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
    """Queue one row per recipient not already served for this message; send after commit."""
    composer_for(kind)  # fail now, not in a worker, if nobody can compose this kind
    recipients = list({(r.contact_id or r.email.lower()): r for r in recipients}.values())
    existing = Delivery.objects.filter(kind=kind, topic=topic, revision=revision).values_list(
        "contact_id", "to_email"
    )
    served_contacts = {c for c, _ in existing if c is not None}
    served_emails = {e.lower() for c, e in existing if c is None}
    new_rows = [
        Delivery(
            territory=territory,
            kind=kind,
            topic=topic,
            revision=revision,
            contact_id=r.contact_id,
            to_email=r.email.strip().lower(),
        )
        for r in recipients
        if (
            r.contact_id not in served_contacts
            if r.contact_id
            else r.email.lower() not in served_emails
        )
    ]
    with transaction.atomic():
        Delivery.objects.bulk_create(new_rows, ignore_conflicts=True)
        # Every row of this message still waiting, new or left over: handing one twice to the
        # workers is harmless, since only one of them can claim it.
        ids = list(
            Delivery.objects.filter(
                kind=kind, topic=topic, revision=revision, status=DeliveryStatus.QUEUED
            ).values_list("id", flat=True)
        )
        transaction.on_commit(lambda: dispatch(ids))
    return Enqueued(queued=ids, skipped=len(recipients) - len(new_rows))


def dispatch(ids: Iterable[int]) -> None:
    from .tasks import send_delivery

    for delivery_id in ids:
        send_delivery.delay(delivery_id)


def retry_failed(*, territory: Territory, topic: str, kind: str | None = None) -> list[int]:
    """Put failed rows back in the queue (the coordinator fixed an address, or waited)."""
    rows = Delivery.objects.filter(territory=territory, topic=topic, status=DeliveryStatus.FAILED)
    if kind:
        rows = rows.filter(kind=kind)
    ids = list(rows.values_list("id", flat=True))
    with transaction.atomic():
        Delivery.objects.filter(id__in=ids).update(
            status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error=""
        )
        transaction.on_commit(lambda: dispatch(ids))
    return ids


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
    except Exception as exc:  # a composer bug must not leave the row "sending" forever
        log.exception("Composition impossible de l'envoi %s", delivery_id)
        mark(delivery, DeliveryStatus.FAILED, f"Composition impossible : {exc}"[:500])
        return DeliveryStatus.FAILED
    if message is None:
        mark(delivery, DeliveryStatus.FAILED, "Plus rien à envoyer (objet supprimé).")
        return DeliveryStatus.FAILED
    message.to = [delivery.to_email]
    message.extra_headers["Message-ID"] = delivery.message_id
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
        if not isinstance(exc, smtplib.SMTPException | socket.error | OSError):
            raise
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
    """Re-enqueue what lost its task: due queued rows and "sending" rows of a dead worker."""
    now = timezone.now()
    ids = list(
        Delivery.objects.filter(
            Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now - dt.timedelta(seconds=30))
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - stale_after())
        ).values_list("id", flat=True)[:5000]
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
