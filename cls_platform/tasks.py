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
