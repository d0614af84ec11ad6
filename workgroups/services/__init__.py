"""Writes of the work groups, one module per entity: `groups`, `meetings`, `invitations` (and
the answers), `attendance` (and walk-ins), `reports` (the compte-rendu, its resources and its
sending), `deliveries` (the outbox rows, and the retry of those that failed).

Each service is `@transaction.atomic`, takes keyword arguments and refuses with a
ValidationError in French. Every e-mail goes through the outbox (`cls_platform.mail.outbox`):
rows written in the same transaction as the decision to send, handed to the workers once it
commits. The views, the commands, the tasks and the tests call them as `services.<name>`; the
demo and the tests also read from here the kinds of message, who receives them, and the
report's sanitiser."""

from __future__ import annotations

from ..models import KIND_INVITATION, KIND_REPORT
from ..richtext import sanitize_report
from ..selectors import cancellation_recipients, default_invitees, report_recipients
from .attendance import attendance_mark_said_yes, attendance_record, walk_in_add
from .deliveries import SendResult, deliveries_retry
from .groups import group_save, membership_set
from .invitations import (
    invitation_add,
    invitation_remove,
    invitations_prepare,
    invitations_send,
    reminders_send,
    rsvp_record,
)
from .meetings import meeting_cancel, meeting_save
from .reports import document_add, report_save, report_send

__all__ = [
    "KIND_INVITATION",
    "KIND_REPORT",
    "SendResult",
    "attendance_mark_said_yes",
    "attendance_record",
    "cancellation_recipients",
    "default_invitees",
    "deliveries_retry",
    "document_add",
    "group_save",
    "invitation_add",
    "invitation_remove",
    "invitations_prepare",
    "invitations_send",
    "meeting_cancel",
    "meeting_save",
    "membership_set",
    "reminders_send",
    "report_recipients",
    "report_save",
    "report_send",
    "rsvp_record",
    "sanitize_report",
    "walk_in_add",
]
