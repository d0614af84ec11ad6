"""Reads of the work groups, one module per page or question, each in a fixed number of
queries: `groups` (the list and a group's page), `meetings` (the rules of a meeting: started,
cancellable, invitable, answerable, moved), `meeting_page`, `recipients` (who receives what),
`reports` (the compte-rendu's first draft), `partner_pages` (what the partners' links open).

The names below are those the views, the services, the e-mails and the tests read as
`selectors.<name>`."""

from __future__ import annotations

from .groups import group_detail, group_list
from .meeting_page import InvitationRow, meeting_detail
from .meetings import (
    cancel_problem,
    due_reminders,
    invite_problem,
    meeting_changes,
    not_started_reason,
    organizer_of,
    rsvp_problem,
    when_it_starts,
)
from .partner_pages import partner_meeting, partner_report_meeting
from .recipients import (
    MovePreview,
    cancel_preview,
    cancellation_recipients,
    default_invitees,
    delivery_obstacle,
    invitation_recipients,
    invitation_send_recipients,
    move_preview,
    outdated,
    report_recipients,
    send_counts,
    send_preview,
    version_recipient_count,
)
from .reports import report_draft

__all__ = [
    "InvitationRow",
    "MovePreview",
    "cancel_preview",
    "cancel_problem",
    "cancellation_recipients",
    "default_invitees",
    "delivery_obstacle",
    "due_reminders",
    "group_detail",
    "group_list",
    "invitation_recipients",
    "invitation_send_recipients",
    "invite_problem",
    "meeting_changes",
    "meeting_detail",
    "move_preview",
    "not_started_reason",
    "organizer_of",
    "outdated",
    "partner_meeting",
    "partner_report_meeting",
    "report_draft",
    "report_recipients",
    "rsvp_problem",
    "send_counts",
    "send_preview",
    "version_recipient_count",
    "when_it_starts",
]
