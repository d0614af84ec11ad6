"""Writes of the meetings: scheduling, moving (the updated invitation goes to the invitees) and
cancelling (a CANCEL goes to those whose calendar holds the meeting); the refusals that the
other writes of a meeting share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cls_platform.models import Delivery, DeliveryStatus

from ..models import KIND_CANCELLATION, KIND_INVITATION, AgendaItem, Meeting, MeetingStatus, Rsvp
from ..selectors import (
    cancel_problem,
    cancellation_recipients,
    invitation_recipients,
    invite_problem,
    meeting_changes,
    not_started_reason,
)
from .deliveries import enqueue


@transaction.atomic
def meeting_save(
    *,
    meeting: Meeting,
    agenda: Iterable[dict[str, Any]] | None = None,
    fields: Iterable[str] | None = None,
    note: str = "",
) -> Meeting:
    """Schedule or edit a meeting. Moving an invited meeting re-sends the invitation with the
    same calendar UID and a higher SEQUENCE, so that calendars update it in place; `note` (the
    coordinator's words, "la salle a changé") goes with that version, and the answers given to
    the former date no longer count: everyone is asked again, those who declined included.

    An edit locks the meeting's row and writes only what changed (`fields`: what the person
    changed in the form, when known): the page's copy of the meeting may be older than the row
    (invitations sent, or the meeting moved, meanwhile), and two moves at once must each get
    their own SEQUENCE."""
    if meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("La fin doit être après le début.")})
    resend = False
    if meeting.pk is None:
        meeting.save()
        saved = meeting
    else:
        saved = Meeting.objects.select_for_update().get(pk=meeting.pk)
        changed, resend = meeting_changes(saved, meeting, fields)
        for name in changed:
            setattr(saved, name, getattr(meeting, name))
        if resend:
            saved.sequence += 1
            saved.change_note = (note or "").strip()
            changed += ["sequence", "change_note"]
        if changed:
            saved.save(update_fields=changed)
        # The caller's copy tells the truth from now on.
        for name in ("sequence", "status", "invitations_sent_at", "report_sent_at", "change_note"):
            setattr(meeting, name, getattr(saved, name))
    if agenda is not None:
        saved.agenda_items.all().delete()
        AgendaItem.objects.bulk_create(
            [AgendaItem(meeting=saved, order=index, **item) for index, item in enumerate(agenda)]
        )
    if resend:
        # Answers were given to the former date: asked again, declined ones included.
        saved.invitations.exclude(rsvp=Rsvp.PENDING, rsvp_at=None).update(
            rsvp=Rsvp.PENDING, rsvp_at=None
        )
        enqueue(saved, KIND_INVITATION, invitation_recipients(saved), revision=saved.sequence)
    return saved


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, note: str = "") -> Meeting:
    """Cancel a planned meeting: those whose calendar got the invitation get a CANCEL, with
    the coordinator's `note` ("reportée à cause de la grève") when there is one."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    problem = cancel_problem(meeting)
    if problem:
        raise ValidationError(problem)
    # The invitations not yet sent are held until this cancellation commits: a worker cannot
    # claim one in between (the row still "queued" when the recipients are read) and send it
    # from a meeting it still reads as planned, to someone the CANCEL then misses. Once this
    # commits, the worker claims it, finds the meeting cancelled and skips it.
    list(
        Delivery.objects.select_for_update()
        .filter(
            topic=meeting.topic,
            kind=KIND_INVITATION,
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING],
        )
        .values_list("pk", flat=True)
    )
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.change_note = (note or "").strip()
    meeting.save(update_fields=["status", "sequence", "change_note"])
    if meeting.invitations_sent_at:
        enqueue(
            meeting, KIND_CANCELLATION, cancellation_recipients(meeting), revision=meeting.sequence
        )
    return meeting


def ensure_invitable(meeting: Meeting) -> None:
    """Refuse to invite anyone to a cancelled or past meeting."""
    problem = invite_problem(meeting)
    if problem:
        raise ValidationError(problem)


def ensure_started(meeting: Meeting) -> None:
    """The compte-rendu and the attendance tell what happened: not before the meeting starts."""
    reason = not_started_reason(meeting)
    if reason:
        raise ValidationError(reason)
