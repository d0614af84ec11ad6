"""The e-mails of a meeting before it is held: the invitation (and its update after a move),
the reminder and the cancellation, each with its calendar file for the person (the compte-rendu
is composed in workgroups/emails.py, which holds what every meeting e-mail shares: the snapshot
of the meeting read once per worker process, the message built from it)."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.urls import reverse

from cls_platform.mail.messages import Personal, absolute_url, attach_calendar
from cls_platform.models import Delivery, DeliveryStatus
from partners.models import Contact

from .calendar import meeting_ics
from .emails import _message, _prepare, _Snapshot
from .models import CalendarFeed, Meeting
from .selectors import organizer_of
from .tokens import invitation_token


def _organizer(snapshot: _Snapshot) -> tuple[str, str]:
    """(email, name) of the meeting's organizer in calendars, read once per snapshot."""
    if "organizer" not in snapshot.extra:
        meeting = snapshot.meeting
        # The coordination organises: a calendar's "accept" or "decline" reaches a person, not
        # the no-reply address (the signed links remain the way answers are recorded). Stored
        # when the invitations first went, so that updates and the cancel come from the same
        # organizer.
        email, name = meeting.organizer_email, meeting.organizer_name
        if not email:  # invited before the organizer was stored
            email, name = organizer_of(meeting)
        snapshot.extra["organizer"] = (email, name)
    return snapshot.extra["organizer"]


def _attach_calendar(
    message: EmailMultiAlternatives,
    meeting: Meeting,
    contact: Contact,
    method: str,
    rsvp_url: str = "",
    decline_url: str = "",
    organizer: tuple[str, str] | None = None,
) -> None:
    if organizer is None:
        organizer = (meeting.organizer_email, meeting.organizer_name)
        if not organizer[0]:  # invited before the organizer was stored
            organizer = organizer_of(meeting)
    organizer_email, organizer_name = organizer
    ics = meeting_ics(
        meeting=meeting,
        method=method,
        attendee_email=contact.email,
        attendee_name=contact.full_name,
        rsvp_url=rsvp_url,
        decline_url=decline_url,
        organizer_email=organizer_email or None,
        organizer_name=organizer_name if organizer_email else None,
    )
    attach_calendar(
        message,
        ics,
        method=method,
        filename="annulation.ics" if method == "CANCEL" else "invitation.ics",
    )


def _answer_urls(invitation_pk: int) -> tuple[str, str]:
    token = invitation_token(invitation_pk)
    return (
        absolute_url(reverse("meeting_links:rsvp", kwargs={"token": token, "answer": "oui"})),
        absolute_url(reverse("meeting_links:rsvp", kwargs={"token": token, "answer": "non"})),
    )


def compose_invitation(delivery: Delivery) -> EmailMessage | None:
    prepared = _prepare(delivery)
    if prepared is None:
        return None
    snapshot, contact, read = prepared
    meeting = snapshot.meeting
    # "Modified" only for whoever got an earlier version: a partner invited after a move gets
    # a plain invitation (their calendar has nothing to update, their answer nothing to redo).
    is_update = (
        delivery.revision > 0
        and Delivery.objects.filter(
            topic=delivery.topic,
            kind=delivery.kind,
            contact_id=delivery.contact_id,
            revision__lt=delivery.revision,
            status=DeliveryStatus.SENT,
        ).exists()
    )
    yes_url, no_url = _answer_urls(read.invitation[0])
    feed = _feed_url(contact, meeting, read.feed_token)

    def own(personal: Personal) -> dict[str, Any]:
        values = {"yes_url": personal(yes_url), "no_url": personal(no_url)}
        if feed:  # the template asks whether there is one: only a present one is a marker
            values["feed_url"] = personal(feed)
        return values

    message = _message(
        snapshot,
        contact,
        delivery,
        template="meeting_invitation",
        extra={
            "is_update": is_update,
            "change_note": meeting.change_note.strip() if is_update else "",
            "feed_url": "",
        },
        personal_extra=own,
        variant=(is_update, bool(feed)),
    )
    _attach_calendar(
        message, meeting, contact, "REQUEST", yes_url, no_url, organizer=_organizer(snapshot)
    )
    return message


def compose_reminder(delivery: Delivery) -> EmailMessage | None:
    prepared = _prepare(delivery)
    if prepared is None:
        return None
    snapshot, contact, read = prepared
    yes_url, no_url = _answer_urls(read.invitation[0])
    answered_yes = read.invitation[1] == "yes"
    return _message(
        snapshot,
        contact,
        delivery,
        template="meeting_reminder",
        extra={"answered_yes": answered_yes},
        personal_extra=lambda personal: {"yes_url": personal(yes_url), "no_url": personal(no_url)},
        variant=(answered_yes,),
    )


def compose_cancellation(delivery: Delivery) -> EmailMessage | None:
    prepared = _prepare(delivery)
    if prepared is None:
        return None
    snapshot, contact, _own = prepared
    meeting = snapshot.meeting
    message = _message(
        snapshot,
        contact,
        delivery,
        template="meeting_cancellation",
        extra={"change_note": meeting.change_note.strip()},
    )
    _attach_calendar(message, meeting, contact, "CANCEL", organizer=_organizer(snapshot))
    return message


def _feed_url(contact: Contact, meeting: Meeting, token: str | None = None) -> str:
    """The address of the group's calendar for this person (made on first need: a move's
    update, sent to the same 200 people, only reads the addresses the invitation made)."""
    from .feeds import feed_for, feed_url

    if token:
        return absolute_url(reverse("meeting_links:feed", kwargs={"token": token}))
    feed = CalendarFeed.objects.filter(
        contact_id=contact.pk, group_id=meeting.group_id, revoked_at__isnull=True
    ).first() or feed_for(contact=contact, group=meeting.group)
    return feed_url(feed) if feed is not None else ""
