"""How each meeting e-mail is composed from its outbox row (see cls_platform.mail.outbox).

Composers re-fetch everything from ids; they return None when the meeting is gone, and raise
`Skip` when the person may no longer get this message: a row queued before the person
unsubscribed, or retrying while they did, is not sent (the same rules as when it was queued,
checked again at the last moment).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cls_platform.mail.composers import Skip, register
from cls_platform.mail.html import nest_headings
from cls_platform.mail.messages import (
    absolute_url,
    attach_calendar,
    build_message,
    coordination_sender,
)
from cls_platform.mail.text import html_to_text
from cls_platform.models import Delivery, DeliveryStatus
from partners.models import Contact
from partners.tokens import contact_token, unsubscribe_token

from .calendar import duration_label, meeting_ics
from .models import (
    KIND_CANCELLATION,
    KIND_INVITATION,
    KIND_REMINDER,
    KIND_REPORT,
    CalendarFeed,
    Invitation,
    Meeting,
)
from .selectors import delivery_obstacle, organizer_of, outdated
from .tokens import document_token, invitation_token

# Attachments above this total go as signed download links instead.
MAX_ATTACHED_BYTES = 8 * 1024 * 1024


def _meeting(delivery: Delivery) -> Meeting | None:
    _prefix, _sep, pk = delivery.topic.partition(":")
    return (
        Meeting.objects.select_related("group", "territory")
        .prefetch_related("agenda_items")
        .filter(pk=pk, territory_id=delivery.territory_id)
        .first()
    )


def _contact(delivery: Delivery, meeting: Meeting | None, rsvp: str | None = None) -> Contact:
    """The row's contact, if this message may still go to them; raises Skip otherwise."""
    contact = (
        Contact.objects.select_related("organization")
        .filter(pk=delivery.contact_id, territory_id=delivery.territory_id)
        .first()
    )
    if meeting is not None:
        reason = delivery_obstacle(
            meeting=meeting, contact=contact, kind=delivery.kind, rsvp=rsvp
        ) or outdated(meeting, delivery)
        if reason:
            raise Skip(reason)
    return contact


def _clock(moment) -> str:
    """French hours as people write them: "14 h", "9 h 30"."""
    if not moment.minute:
        # Translators: a time of day on the hour ("14 h").
        return _("%(hour)s h") % {"hour": moment.hour}
    # Translators: a time of day ("9 h 30").
    return _("%(hour)s h %(minute)02d") % {"hour": moment.hour, "minute": moment.minute}


def _long_date(moment) -> str:
    """The day as a French letter writes it, with "1er" for the first of the month."""
    return date_format(moment, r"l j\e\r F Y" if moment.day == 1 else "l j F Y")


def _common(meeting: Meeting, contact: Contact) -> tuple[dict[str, Any], dict[str, Any]]:
    """The context every meeting e-mail shares, and the arguments of `build_message` that say
    who writes, whom a reply reaches and how to unsubscribe."""
    token = contact_token(contact)
    # Its own token, which never expires: a one-click unsubscribe from an old e-mail still works.
    unsubscribe = absolute_url(
        reverse(
            "partner_links:self_service_unsubscribe",
            kwargs={"token": unsubscribe_token(contact)},
        )
    )
    starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    # A reply reaches a person: the meeting's organiser (the calendar's ORGANIZER too), or the
    # territory's coordination. The text says so: the From address does not take replies.
    if meeting.organizer_email:
        reply_name, reply_email = meeting.organizer_name.strip(), meeting.organizer_email
    else:
        reply_name, reply_email = coordination_sender(meeting.territory)
    if reply_name.lower() == reply_email.lower():
        reply_name = ""  # a user without a name is stored under their address
    context = {
        "territory_name": meeting.territory.name,
        "group_name": meeting.group.name,
        "meeting_title": meeting.title,
        "date": starts.strftime("%d/%m/%Y"),  # subjects: short
        "long_date": _long_date(starts),  # "mardi 29 décembre 2026", "vendredi 1er janvier"
        "starts": starts,
        "hours": _("%(start)s à %(end)s") % {"start": _clock(starts), "end": _clock(ends)},
        "place": meeting.place,
        "online_url": meeting.online_url,
        "description": meeting.description,
        "agenda": [
            {
                "kind": i.get_kind_display(),
                "title": i.title,
                "duration": i.duration_minutes,
                "duration_label": duration_label(i.duration_minutes),
                "presenter": i.presenter,
            }
            for i in meeting.agenda_items.all()
        ],
        "contact_name": contact.full_name or contact.email,
        "self_service_url": absolute_url(
            reverse("partner_links:self_service", kwargs={"token": token})
        ),
        "unsubscribe_url": unsubscribe,
        "reply_name": reply_name,
        "reply_email": reply_email,
    }
    sender = _("Coordination du CLS de %(territory)s") % {"territory": meeting.territory.name}
    return context, {
        "reply_to": [reply_email],
        "unsubscribe_url": unsubscribe,
        "sender_name": sender,
    }


def _attach_calendar(
    message: EmailMultiAlternatives,
    meeting: Meeting,
    contact: Contact,
    method: str,
    rsvp_url: str = "",
    decline_url: str = "",
) -> None:
    # The coordination organises: a calendar's "accept" or "decline" reaches a person, not the
    # no-reply address (the signed links remain the way answers are recorded). Stored when the
    # invitations first went, so that updates and the cancel come from the same organizer.
    organizer_email, organizer_name = meeting.organizer_email, meeting.organizer_name
    if not organizer_email:  # invited before the organizer was stored
        organizer_email, organizer_name = organizer_of(meeting)
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


def _invitation(delivery: Delivery) -> tuple[Meeting, Invitation, Contact] | None:
    meeting = _meeting(delivery)
    invitation = (
        Invitation.objects.filter(meeting=meeting, contact_id=delivery.contact_id).first()
        if meeting
        else None
    )
    if invitation is None:
        return None
    return meeting, invitation, _contact(delivery, meeting, rsvp=invitation.rsvp)


def compose_invitation(delivery: Delivery) -> EmailMessage | None:
    found = _invitation(delivery)
    if found is None:
        return None
    meeting, invitation, contact = found
    context, headers = _common(meeting, contact)
    token = invitation_token(invitation.pk)
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
    context.update(
        yes_url=absolute_url(
            reverse("meeting_links:rsvp", kwargs={"token": token, "answer": "oui"})
        ),
        no_url=absolute_url(
            reverse("meeting_links:rsvp", kwargs={"token": token, "answer": "non"})
        ),
        is_update=is_update,
        change_note=meeting.change_note.strip() if is_update else "",
        feed_url=_feed_url(contact, meeting),
    )
    message = build_message(
        template="meeting_invitation", to=[delivery.to_email], context=context, **headers
    )
    _attach_calendar(message, meeting, contact, "REQUEST", context["yes_url"], context["no_url"])
    return message


def compose_reminder(delivery: Delivery) -> EmailMessage | None:
    found = _invitation(delivery)
    if found is None:
        return None
    meeting, invitation, contact = found
    context, headers = _common(meeting, contact)
    token = invitation_token(invitation.pk)
    context.update(
        answered_yes=invitation.rsvp == "yes",
        yes_url=absolute_url(
            reverse("meeting_links:rsvp", kwargs={"token": token, "answer": "oui"})
        ),
        no_url=absolute_url(
            reverse("meeting_links:rsvp", kwargs={"token": token, "answer": "non"})
        ),
    )
    return build_message(
        template="meeting_reminder", to=[delivery.to_email], context=context, **headers
    )


def compose_cancellation(delivery: Delivery) -> EmailMessage | None:
    meeting = _meeting(delivery)
    if meeting is None:
        return None
    contact = _contact(delivery, meeting)
    context, headers = _common(meeting, contact)
    context["change_note"] = meeting.change_note.strip()
    message = build_message(
        template="meeting_cancellation", to=[delivery.to_email], context=context, **headers
    )
    _attach_calendar(message, meeting, contact, "CANCEL")
    return message


def _feed_url(contact: Contact, meeting: Meeting) -> str:
    """The address of the group's calendar for this person (made on first need: a move's
    update, sent to the same 200 people, only reads the addresses the invitation made)."""
    from .feeds import feed_for, feed_url

    feed = CalendarFeed.objects.filter(
        contact_id=contact.pk, group_id=meeting.group_id, revoked_at__isnull=True
    ).first() or feed_for(contact=contact, group=meeting.group)
    return feed_url(feed) if feed is not None else ""


@dataclass(frozen=True)
class ReportBundle:
    """The files every recipient of one compte-rendu shares: read once per worker process, not
    once per message (the PDF and the shared files are the same bytes for all 200)."""

    pdf_name: str
    pdf: bytes
    documents: tuple[tuple[int, str, str, str, bytes | None], ...]  # pk, title, name, type, bytes
    attached: bool


def report_bundle(meeting: Meeting) -> ReportBundle:
    """The bundle of what the meeting's compte-rendu is made of now.

    Keyed by its parts (the PDF's file name, each document's id and size), read with one small
    query per message: a document added after the first recipients were served reaches the
    next ones, from a worker that had cached the bundle without it."""
    parts = tuple(meeting.documents.order_by("uploaded_at", "pk").values_list("pk", "size"))
    return _report_bundle(meeting.pk, meeting.report_pdf.name, parts)


@functools.lru_cache(maxsize=8)
def _report_bundle(
    meeting_id: int, pdf_name: str, parts: tuple[tuple[int, int], ...]
) -> ReportBundle:
    meeting = Meeting.objects.get(pk=meeting_id)
    documents = list(meeting.documents.filter(pk__in=[pk for pk, _size in parts]))
    documents.sort(key=lambda d: [pk for pk, _size in parts].index(d.pk))
    attached = sum(size for _pk, size in parts) <= MAX_ATTACHED_BYTES
    files = []
    for d in documents:
        content = None
        if attached:
            with d.file.open("rb") as handle:
                content = handle.read()
        files.append(
            (d.pk, d.title, d.file_name or d.file.name.rsplit("/", 1)[-1], d.content_type, content)
        )
    with meeting.report_pdf.storage.open(pdf_name, "rb") as pdf:
        pdf_bytes = pdf.read()
    day = timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y")
    return ReportBundle(
        pdf_name=f"compte-rendu-{day}.pdf",
        pdf=pdf_bytes,
        documents=tuple(files),
        attached=attached,
    )


def compose_report(delivery: Delivery) -> EmailMessage | None:
    meeting = _meeting(delivery)
    if meeting is None or not meeting.report_pdf:
        return None
    contact = _contact(delivery, meeting)
    bundle = report_bundle(meeting)
    context, headers = _common(meeting, contact)
    report_text = html_to_text(meeting.report)
    # The fiches-actions the report does not name already (the draft the meeting page writes
    # lists them): the same list twice in a row reads as a mistake.
    fiches = [
        name
        for name in (
            f"{link.fiche.number} {link.fiche.title}"
            for link in meeting.action_links.select_related("fiche").order_by("fiche__number")
        )
        if " ".join(name.split()) not in " ".join(report_text.split())
    ]
    context.update(
        # Sanitised with nh3 when saved; its sections under the e-mail's <h1>.
        report_html=nest_headings(meeting.report, top=2),
        report_text=report_text,
        documents=[
            {
                "title": title,
                "url": absolute_url(
                    reverse(
                        "meeting_links:document", kwargs={"token": document_token(pk, contact.pk)}
                    )
                ),
            }
            for pk, title, _name, _type, _content in bundle.documents
        ],
        documents_attached=bundle.attached,
        fiches=fiches,
    )
    message = build_message(
        template="meeting_report", to=[delivery.to_email], context=context, **headers
    )
    message.attach(bundle.pdf_name, bundle.pdf, "application/pdf")
    for _pk, _title, name, content_type, content in bundle.documents:
        if content is not None:
            message.attach(name, content, content_type)
    return message


def register_composers() -> None:
    register(KIND_INVITATION, compose_invitation)
    register(KIND_REMINDER, compose_reminder)
    register(KIND_CANCELLATION, compose_cancellation)
    register(KIND_REPORT, compose_report)
