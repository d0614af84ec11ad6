"""The rules of a meeting that pages and services both read: whether it has started, whether it
may still be cancelled, take invitees or answers, what an edit changes, who organises it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cls_platform.models import Role, User
from cls_platform.widgets import fold

from ..models import AgendaItem, Invitation, Meeting, MeetingStatus

# What the meeting form edits; a change of the four first moves the meeting in calendars.
MEETING_MOVE_FIELDS = ("starts_at", "ends_at", "place", "online_url")
MEETING_EDIT_FIELDS = (*MEETING_MOVE_FIELDS, "title", "description")


def not_started_reason(meeting: Meeting) -> str:
    """Why the compte-rendu and the attendance cannot be recorded yet ("" once the meeting has
    started): a report dated before the meeting would tell what has not happened."""
    if meeting.starts_at <= timezone.now():
        return ""
    return _(
        "La réunion n'a pas encore commencé (%(when)s) : le compte-rendu et les présences se "
        "saisissent une fois la réunion commencée."
    ) % {"when": when_it_starts(meeting)}


def when_it_starts(meeting: Meeting) -> str:
    """ "jeudi 11 mars 2027 à 14 h", "… à 14 h 30": as people say it."""
    starts = timezone.localtime(meeting.starts_at)
    return _("%(day)s à %(hour)s") % {
        "day": date_format(starts, "l j F Y"),
        "hour": hour_label(starts),
    }


def hour_label(moment: dt.datetime) -> str:
    return f"{moment.hour} h" if not moment.minute else f"{moment.hour} h {moment.minute:02d}"


def presenter_label(item: AgendaItem) -> str:
    """Who presents an agenda item: the presenter, then the structure presented, unless the
    presenter's text names it already ("Fatou Bonnet, Épicerie sociale" and "Épicerie
    sociale" once, not twice)."""
    presenter = item.presenter.strip()
    organization = item.organization.name if item.organization else ""
    if organization and fold(organization) in fold(presenter):
        organization = ""
    return ", ".join(x for x in (presenter, organization) if x)


def meeting_changes(
    stored: Meeting, meeting: Meeting, fields: Iterable[str] | None
) -> tuple[list[str], bool]:
    """The fields an edit writes (what the person changed, when known) and whether the edit
    moves an invited, upcoming meeting (a new SEQUENCE goes to the invitees)."""
    editable = MEETING_EDIT_FIELDS if fields is None else set(fields) & set(MEETING_EDIT_FIELDS)
    changed = [f for f in editable if getattr(stored, f) != getattr(meeting, f)]
    moved = any(name in MEETING_MOVE_FIELDS for name in changed)
    resend = bool(
        moved
        and stored.invitations_sent_at
        and stored.status == MeetingStatus.PLANNED
        and not stored.is_over
    )
    return changed, resend


def cancel_problem(meeting: Meeting) -> str:
    """Why this meeting can no longer be cancelled ("" when it can)."""
    if meeting.status == MeetingStatus.CANCELLED:
        return _("Cette réunion est déjà annulée.")
    if meeting.status == MeetingStatus.HELD or meeting.is_over:
        return _("Cette réunion a déjà eu lieu : elle ne peut plus être annulée.")
    return ""


def invite_problem(meeting: Meeting) -> str:
    """Why nobody can be invited to this meeting any more ("" while they can)."""
    if meeting.status == MeetingStatus.CANCELLED:
        return _("Cette réunion est annulée : on ne peut plus y inviter.")
    if meeting.is_over:
        return _(
            "Cette réunion est terminée (%(date)s) : on ne peut plus y inviter. Programmez une "
            "nouvelle réunion."
        ) % {"date": timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y")}
    return ""


def rsvp_problem(invitation: Invitation) -> str:
    """Why this invitation can no longer be answered ("" when it can)."""
    if invitation.meeting.status == MeetingStatus.CANCELLED:
        return _("Cette réunion est annulée : il n'est plus possible d'y répondre.")
    if invitation.meeting.is_over:
        return _("Cette réunion est passée : il n'est plus possible d'y répondre.")
    return ""


def organizer_of(meeting: Meeting, user: User | None = None) -> tuple[str, str]:
    """Who organises the meeting in calendars (where "accept" / "decline" replies land): the
    person who sends the invitations, or else the territory's first coordinator; ("", "") when
    there is none (the .ics then names the platform's sending address)."""
    if user is None or not getattr(user, "email", ""):
        user = (
            User.objects.filter(
                accesses__territory_id=meeting.territory_id,
                accesses__role=Role.COORDINATOR,
                is_active=True,
            )
            .order_by("pk")
            .first()
        )
    if user is None:
        return "", ""
    return user.email, user.get_full_name()


def due_reminders(*, days_before: int = 3) -> list[int]:
    """The meetings whose reminders are due: invited, planned, starting in the next days."""
    now = timezone.now()
    return list(
        Meeting.objects.filter(
            status=MeetingStatus.PLANNED,
            invitations_sent_at__isnull=False,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(days=days_before),
        ).values_list("pk", flat=True)
    )
