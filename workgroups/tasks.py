"""Periodic work of the groups: reminders before meetings."""

from __future__ import annotations

from celery import shared_task

from .models import Meeting


@shared_task(name="workgroups.tasks.send_due_reminders")
def send_due_reminders() -> int:
    """Reminders for meetings in the next days, to those who have not declined (once each)."""
    from .selectors import due_reminders
    from .services import reminders_send

    queued = 0
    for meeting_id in due_reminders():
        meeting = Meeting.objects.filter(pk=meeting_id).first()
        if meeting is not None:
            queued += reminders_send(meeting=meeting).queued
    return queued
