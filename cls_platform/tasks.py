"""Platform housekeeping run by Celery beat."""

from __future__ import annotations

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="cls_platform.tasks.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Drop expired sign-in sessions; returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(
    name="cls_platform.tasks.send_delivery",
    bind=True,
    max_retries=None,  # the outbox counts attempts itself (cls_platform.mail.outbox.MAX_ATTEMPTS)
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_delivery(self, delivery_id: int) -> str:
    """Send one outbox row; a temporary SMTP failure comes back later with back-off.

    Run inline (no broker), a temporary failure ends here: the row stays queued with its next
    attempt time for the sweep. Retrying inline would raise celery's Retry into the request that
    decided to send (after its commit) and stop the rest of the batch.
    """
    from .mail.outbox import TemporaryFailure, deliver, smtp_connection
    from .models import Delivery

    try:
        return deliver(delivery_id, connection=smtp_connection())
    except TemporaryFailure as exc:
        if self.request.is_eager:
            return "queued"
        # The retry is a new hand-over: the sweep leaves the row to it.
        Delivery.objects.filter(pk=delivery_id).update(dispatched_at=timezone.now())
        raise self.retry(countdown=exc.delay) from None


@shared_task(name="cls_platform.tasks.sweep_outbox")
def sweep_outbox() -> int:
    from .mail.outbox import sweep

    return sweep()
