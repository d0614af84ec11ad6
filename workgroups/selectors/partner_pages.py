"""What a partner reaches without an account, through the links of their calendar and e-mails:
a meeting's page, the compte-rendu's PDF. Each link names the feed or the invitation it was
given through; the page opens nothing once that feed is revoked, or the person erased."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from cls_platform.mail.messages import coordination_address
from partners.models import Contact

from ..feeds import MeetingPageLink, ReportPdfLink, report_pdf_token
from ..models import CalendarFeed, Invitation, Meeting, MeetingDocument, MeetingStatus, Rsvp
from ..tokens import document_token, invitation_token
from .meetings import rsvp_problem


def partner_meeting(*, link: MeetingPageLink) -> dict[str, Any] | None:
    """A meeting as a partner sees it, from their calendar: when, where, the agenda, their
    answer (the buttons post to the invitation's answer link), the compte-rendu once sent; None
    when the link opens nothing any more.

    The link names the feed it was given through (closed when that address is revoked) or the
    invitation (as an e-mail would give it: open as long as the invitation is)."""
    meeting = (
        Meeting.objects.select_related("group", "territory")
        .prefetch_related("agenda_items", "documents")
        .filter(pk=link.meeting_id)
        .first()
    )
    if meeting is None:
        return None
    # The feed or the invitation the link was given through must still be there: a revoked
    # address's events open nothing any more. Either way, an erased person's links open nothing.
    if link.feed_id is not None:
        feed = (
            CalendarFeed.objects.select_related("contact")
            .filter(
                pk=link.feed_id,
                group_id=meeting.group_id,
                revoked_at__isnull=True,
                contact__territory_id=meeting.territory_id,
                contact__anonymized_at__isnull=True,
            )
            .first()
        )
        contact = feed.contact if feed is not None else None
        invitation = (
            meeting.invitations.filter(contact=contact).first() if contact is not None else None
        )
    else:
        feed = None
        invitation = (
            Invitation.objects.select_related("contact")
            .filter(
                pk=link.invitation_id,
                meeting_id=meeting.pk,
                contact__territory_id=meeting.territory_id,
                contact__anonymized_at__isnull=True,
            )
            .first()
        )
        contact = invitation.contact if invitation is not None else None
    if contact is None:
        return None
    answer = None
    if invitation is not None:
        answer_token = invitation_token(invitation.pk)
        answer = {
            "rsvp": invitation.rsvp,
            "label": invitation.get_rsvp_display(),
            "yes_url": reverse(
                "meeting_links:rsvp", kwargs={"token": answer_token, "answer": "oui"}
            ),
            "no_url": reverse(
                "meeting_links:rsvp", kwargs={"token": answer_token, "answer": "non"}
            ),
            "problem": rsvp_problem(invitation),
        }
    report = None
    # A compte-rendu sent before its PDF was kept (or whose file is gone) is made on demand.
    if meeting.report_sent_at and (meeting.report_pdf or meeting.report.strip()):
        report = {
            "pdf_url": reverse(
                "meeting_links:report_pdf",
                kwargs={
                    "token": report_pdf_token(
                        meeting.pk, contact.pk, feed_id=feed.pk if feed is not None else None
                    )
                },
            ),
            "documents": [
                {
                    "title": document.title,
                    "url": reverse(
                        "meeting_links:document",
                        kwargs={"token": document_token(document.pk, contact.pk)},
                    ),
                }
                for document in meeting.documents.all()
            ],
        }
    return {
        "meeting": meeting,
        "cancelled": meeting.status == MeetingStatus.CANCELLED,
        "agenda": list(meeting.agenda_items.all()),
        "answer": answer,
        "answered_yes": answer is not None and answer["rsvp"] == Rsvp.YES,
        "answered_no": answer is not None and answer["rsvp"] == Rsvp.NO,
        "report": report,
        "coordination_email": coordination_address(meeting.territory),
    }


def partner_report_meeting(*, link: ReportPdfLink) -> Meeting | None:
    """The meeting whose compte-rendu the link opens: for as long as the person is not erased
    and, when the page the link came from was a feed's, that feed is not revoked."""
    meeting = (
        Meeting.objects.select_related("group", "territory")
        .filter(pk=link.meeting_id, report_sent_at__isnull=False)
        .first()
    )
    if meeting is None:
        return None
    contact = Contact.objects.filter(
        pk=link.contact_id, territory_id=meeting.territory_id, anonymized_at__isnull=True
    )
    if link.feed_id is not None:
        contact = contact.filter(
            calendar_feeds__pk=link.feed_id,
            calendar_feeds__group_id=meeting.group_id,
            calendar_feeds__revoked_at__isnull=True,
        )
    return meeting if contact.exists() else None


@dataclass(frozen=True)
class PartnerDocument:
    """What a shared document's link opens: the document, or why it no longer does for the
    person it was sent to (`closed`: "" when open)."""

    document: MeetingDocument
    territory_name: str
    coordination_email: str
    closed: str = ""


DOCUMENT_UNSUBSCRIBED = "unsubscribed"


def partner_document(*, document_id: int, contact_id: int) -> PartnerDocument | None:
    """The document a recipient's link names, checked at each download: None (nothing to say)
    when the document or the person is gone, erased or of another territory; closed when the
    person has since unsubscribed (the link is theirs, and they no longer receive the CLS's
    e-mails). Two queries."""
    document = (
        MeetingDocument.objects.select_related("meeting__territory").filter(pk=document_id).first()
    )
    if document is None:
        return None
    territory = document.meeting.territory
    person = (
        Contact.objects.filter(pk=contact_id, territory_id=territory.pk, anonymized_at__isnull=True)
        .values("unsubscribed_at")
        .first()
    )
    if person is None:
        return None
    return PartnerDocument(
        document=document,
        territory_name=territory.name,
        coordination_email=coordination_address(territory) if person["unsubscribed_at"] else "",
        closed=DOCUMENT_UNSUBSCRIBED if person["unsubscribed_at"] else "",
    )
