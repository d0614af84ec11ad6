"""Platform housekeeping run by Celery beat."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from celery.signals import worker_init
from django.contrib.sessions.models import Session
from django.utils import timezone

log = logging.getLogger(__name__)


@worker_init.connect
def ready_what_every_message_needs(**_kwargs) -> None:
    """Before the worker forks its processes: the URLs every e-mail links to. The first
    reverse() of a process imports every view (and WeasyPrint with them): a second or more,
    which the first message of each process would otherwise wait for."""
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 (read for its side effect: the URLs loaded)


@shared_task(name="cls_platform.tasks.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Drop expired sign-in sessions; returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(name="cls_platform.tasks.purge_old_deliveries")
def purge_old_deliveries() -> int:
    """Celery beat, daily: the outbox keeps its rows DELIVERY_RETENTION_MONTHS, as the
    register of processing says (rows still to go are kept)."""
    from .retention import deliveries_purge

    return deliveries_purge()


@shared_task(
    name="cls_platform.tasks.send_delivery",
    bind=True,
    max_retries=None,  # the outbox counts attempts itself (settings.OUTBOX_MAX_ATTEMPTS)
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_delivery(self, delivery_id: int) -> str:
    """Send one outbox row; a temporary SMTP failure comes back later with back-off.

    Run inline (no broker), a temporary failure ends here: the row stays queued with its next
    attempt time for the sweep. Retrying inline would raise celery's Retry into the request that
    decided to send (after its commit) and stop the rest of the batch.

    A database that does not answer (restarting) sends the task back in a few seconds instead
    of failing it: the row goes as soon as the database is back, not a sweep later.
    """
    from .mail.outbox import DATABASE_TROUBLE, TemporaryFailure, deliver, smtp_connection
    from .models import Delivery

    try:
        return deliver(delivery_id, connection=smtp_connection())
    except TemporaryFailure as exc:
        if self.request.is_eager:
            return "queued"
        # The retry is a new hand-over: the sweep leaves the row to it.
        Delivery.objects.filter(pk=delivery_id).update(dispatched_at=timezone.now())
        raise self.retry(countdown=exc.delay) from None
    except DATABASE_TROUBLE as exc:
        if self.request.is_eager:
            raise
        countdown = min(2 ** min(self.request.retries, 5), 30)
        log.warning(
            "Envoi %s : base de données injoignable (%s), repris dans %s s",
            delivery_id,
            exc.__class__.__name__,
            countdown,
        )
        raise self.retry(countdown=countdown) from None


@shared_task(
    name="cls_platform.tasks.send_deliveries",
    bind=True,
    max_retries=None,
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_deliveries(self, delivery_ids: list[int]) -> dict[str, int]:
    """Send a chunk of outbox rows over this worker's SMTP connection (see mail.batch).

    A row a temporary SMTP failure put back in the queue is handed over again for its next
    attempt; the others go on. Run inline (no broker), such a row waits for the sweep, as with
    send_delivery. A database that does not answer sends the rows not done back in a few
    seconds; inline, the error goes up.
    """
    from .mail.batch import Interrupted, deliver_many, send_later, time_budget
    from .mail.outbox import dispatch, smtp_connection

    eager = self.request.is_eager
    try:
        outcome = deliver_many(
            delivery_ids, connection=smtp_connection, budget=None if eager else time_budget()
        )
    except Interrupted as exc:
        if eager:
            raise exc.__cause__ from None
        countdown = min(2 ** min(self.request.retries, 5), 30)
        log.warning(
            "Envois %s : base de données injoignable (%s), repris dans %s s",
            exc.remaining,
            exc.__cause__.__class__.__name__,
            countdown,
        )
        raise self.retry(args=(exc.remaining,), countdown=countdown) from None
    if not eager:
        send_later(outcome.later)
    if outcome.again:
        dispatch(outcome.again)
    return dict(outcome.states)


_last_sweep = float("-inf")  # time.monotonic() of this process's last sweep


@shared_task(name="cls_platform.tasks.sweep_outbox", bind=True)
def sweep_outbox(self) -> int:
    """The outbox's sweep, every OUTBOX_SWEEP_SECONDS. Sweeps that piled up in the queue behind
    a backlog arrive one after the other: a worker process that has just swept lets them go."""
    global _last_sweep
    from django.conf import settings

    from .mail.outbox import DATABASE_TROUBLE, sweep

    now = time.monotonic()
    if not self.request.is_eager:
        if now - _last_sweep < 0.8 * settings.OUTBOX_SWEEP_SECONDS:
            return 0
        _last_sweep = now
    try:
        return sweep()
    except DATABASE_TROUBLE as exc:
        # PostgreSQL restarting: the next sweep does the work, a traceback would add nothing.
        log.warning("Balayage de la boîte d'envoi impossible : %s", exc.__class__.__name__)
        return 0
