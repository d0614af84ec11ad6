"""The partners' side of the groups (no account): the calendar feed of a group, the meeting page
its events link to, the compte-rendu's PDF, and the feeds' section of the partner's own page.

Each is reached through a secret of its own (the feed's random token, a signed link naming the
meeting and the feed or invitation it was given through, the self-service link): no territory
in the URL, `public_view`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cls_platform.access import public_view
from cls_platform.mail.messages import coordination_address
from partners.models import Contact
from partners.tokens import contact_from_token

from . import feeds
from .calendar import feed_ics
from .models import CalendarFeed, Invitation, Meeting, MeetingStatus, Rsvp
from .services import rsvp_problem
from .tokens import document_token, invitation_token


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/self_service_invalid.html", status=404)


@public_view
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The group's meetings as a calendar to subscribe to (text/calendar, UTF-8)."""
    found = feeds.feed_by_token(token)
    if found is None:
        # Calendars show the body of a refused subscription in their error message.
        known = (
            CalendarFeed.objects.filter(token=token, contact__anonymized_at__isnull=True).exists()
            if token
            else False
        )
        body = (
            _(
                "Cet agenda a été révoqué. Une nouvelle adresse se trouve sur votre page personnelle."
            )
            if known
            else _("Cet agenda n'existe pas.")
        )
        return HttpResponse(
            body, status=410 if known else 404, content_type="text/plain; charset=utf-8"
        )
    contact_id, feed_id = found.contact_id, found.pk
    body = feed_ics(
        name=found.group.name,
        meetings=feeds.feed_meetings(found),
        # Through this feed: revoking the address closes the pages its events lead to.
        page_url=lambda meeting: feeds.meeting_page_url(meeting.pk, contact_id, feed_id=feed_id),
    )
    feeds.feed_fetched(found)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="agenda-{found.group_id}.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@public_view
@require_POST
def feed_revoke(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """From the partner's own page (its self-service token): this address stops answering; the
    page then shows a new one."""
    contact = contact_from_token(token)
    found = (
        CalendarFeed.objects.select_related("group").filter(pk=pk, contact=contact).first()
        if contact is not None
        else None
    )
    if found is None:
        return _gone(request)
    feeds.feed_revoke(feed=found)
    messages.success(
        request,
        _(
            "L'ancienne adresse de l'agenda « %(group)s » ne fonctionne plus. Une nouvelle "
            "adresse est affichée ci-dessous : abonnez votre agenda à celle-ci."
        )
        % {"group": found.group.name},
    )
    return redirect(reverse("partner_links:self_service", kwargs={"token": token}) + "#agendas")


def self_service_feeds(request: HttpRequest, contact: Contact, token: str) -> dict[str, Any] | None:
    """The feeds' section of the partner's own page (registered with partners.views): one line
    per group the person belongs to or was invited by in the last year."""
    groups = list(feeds.feed_groups(contact))
    if not groups:
        return None
    rows = []
    for item in feeds.feeds_for(contact=contact, groups=groups):
        url = feeds.feed_url(item)
        rows.append(
            {
                "id": item.pk,
                "group": item.group.name,
                "url": url,
                "webcal": feeds.webcal_url(url),
                "revoke_url": reverse(
                    "meeting_links:feed_revoke", kwargs={"token": token, "pk": item.pk}
                ),
            }
        )
    return {"template": "workgroups/partner_feeds.html", "feeds": rows}


@public_view
def meeting_page(request: HttpRequest, token: str) -> HttpResponse:
    """A meeting as a partner sees it, from their calendar: when, where, the agenda, their
    answer (the buttons post to the invitation's answer link), the compte-rendu once sent.

    The link names the feed it was given through (closed when that address is revoked) or the
    invitation (as an e-mail would give it: open as long as the invitation is)."""
    link = feeds.meeting_page_from_token(token)
    if link is None:
        return _gone(request)
    meeting = (
        Meeting.objects.select_related("group", "territory")
        .prefetch_related("agenda_items", "documents")
        .filter(pk=link.meeting_id)
        .first()
    )
    if meeting is None:
        return _gone(request)
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
        return _gone(request)
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
                    "token": feeds.report_pdf_token(
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
    return render(
        request,
        "workgroups/partner_meeting.html",
        {
            "meeting": meeting,
            "cancelled": meeting.status == MeetingStatus.CANCELLED,
            "agenda": list(meeting.agenda_items.all()),
            "answer": answer,
            "answered_yes": answer is not None and answer["rsvp"] == Rsvp.YES,
            "answered_no": answer is not None and answer["rsvp"] == Rsvp.NO,
            "report": report,
            "coordination_email": coordination_address(meeting.territory),
        },
    )


@public_view
@require_safe
def report_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The compte-rendu's PDF, from the signed link of the meeting page: for as long as the
    person is not erased and, when the page came from a feed, that feed is not revoked."""
    link = feeds.report_pdf_from_token(token)
    meeting = (
        Meeting.objects.select_related("group", "territory")
        .filter(pk=link.meeting_id, report_sent_at__isnull=False)
        .first()
        if link is not None
        else None
    )
    if meeting is None:
        return _gone(request)
    contact = Contact.objects.filter(
        pk=link.contact_id, territory_id=meeting.territory_id, anonymized_at__isnull=True
    )
    if link.feed_id is not None:
        contact = contact.filter(
            calendar_feeds__pk=link.feed_id,
            calendar_feeds__group_id=meeting.group_id,
            calendar_feeds__revoked_at__isnull=True,
        )
    if not contact.exists():
        return _gone(request)
    filename = f"compte-rendu-{timezone.localtime(meeting.starts_at):%d-%m-%Y}.pdf"
    handle = None
    if meeting.report_pdf:
        try:
            handle = meeting.report_pdf.open("rb")
        except OSError:  # the file is gone from the storage: made again below
            handle = None
    if handle is not None:
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type="application/pdf"
        )
    if not meeting.report.strip():
        return _gone(request)
    from .pdf import meeting_report_pdf  # WeasyPrint loads only when a PDF is made

    response = HttpResponse(meeting_report_pdf(meeting=meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
