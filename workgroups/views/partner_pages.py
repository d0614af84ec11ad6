"""The pages a partner reaches without an account, from the links of their e-mails and
calendar: the answer to an invitation, a shared resource, the meeting's page, the compte-rendu's
PDF. Each is reached through a secret of its own (a signed link naming the invitation, the
document, or the meeting and the feed or invitation it was given through): no territory in the
URL, `public_view`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from cls_platform.access import public_view

from .. import feeds, selectors, services
from ..models import Invitation, Rsvp
from ..selectors.partner_pages import partner_document
from ..tokens import document_from_token, invitation_from_token
from .base import error_text


def gone(request: HttpRequest) -> HttpResponse:
    """The page of a link that opens nothing (any more): forged, revoked, or its person erased."""
    return render(request, "partners/self_service_invalid.html", status=404)


RSVP_ANSWERS = {"oui": Rsvp.YES, "non": Rsvp.NO}


@public_view
@require_http_methods(["GET", "HEAD", "POST"])
def rsvp(request: HttpRequest, token: str, answer: str) -> HttpResponse:
    """The "je viens" / "je ne viens pas" links of the e-mails. The signed token is the only
    credential: no account.

    Opening the link changes nothing: hospitals' and administrations' mail filters (Safe Links,
    Proofpoint, Mimecast) open every link of a message before its reader does. The page asks
    for the answer with a form, which a small script (static/js/rsvp.js) submits on load, so
    that the person still answers in one click; its button does the same without JavaScript.
    The POST records the answer and comes back here, where the page says it is recorded.
    """
    invitation_id = invitation_from_token(token)
    invitation = (
        Invitation.objects.select_related("meeting__group", "meeting__territory", "contact")
        .filter(pk=invitation_id, contact__anonymized_at__isnull=True)
        .first()
        if invitation_id
        else None
    )
    if invitation is None or answer not in RSVP_ANSWERS:
        return gone(request)
    wanted = RSVP_ANSWERS[answer]
    error = selectors.rsvp_problem(invitation)
    if request.method == "POST" and not error:
        try:
            services.rsvp_record(invitation=invitation, answer=wanted)
        except ValidationError as exc:
            error = error_text(exc)
        else:
            return redirect(request.path)
    return render(
        request,
        "workgroups/rsvp.html",
        {
            "invitation": invitation,
            "meeting": invitation.meeting,
            "token": token,
            "answer": answer,
            "wanted": wanted,
            "recorded": invitation.rsvp == wanted,
            "error": error,
        },
    )


@public_view
@require_safe
def shared_document(request: HttpRequest, token: str) -> HttpResponse:
    """A resource of a compte-rendu, from the signed link of the e-mail (no account).

    The link names its recipient and is checked at each download: it opens nothing once that
    person is erased (404) or unsubscribed (410, a page saying why), however recent the e-mail."""
    link = document_from_token(token)
    found = partner_document(document_id=link[0], contact_id=link[1]) if link else None
    if found is None:
        return gone(request)
    if found.closed:
        return render(
            request,
            "workgroups/partner_document_closed.html",
            {
                "territory_name": found.territory_name,
                "coordination_email": found.coordination_email,
            },
            status=410,
        )
    document = found.document
    try:
        handle = document.file.open("rb")
    except OSError:  # the file is gone from the storage: the link cannot be served any more
        return gone(request)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.file_name or document.file.name.rsplit("/", 1)[-1],
        content_type=document.content_type or None,
    )


@public_view
def meeting_page(request: HttpRequest, token: str) -> HttpResponse:
    """A meeting as a partner sees it, from their calendar or an e-mail (see
    `selectors.partner_meeting`)."""
    link = feeds.meeting_page_from_token(token)
    context = selectors.partner_meeting(link=link) if link is not None else None
    if context is None:
        return gone(request)
    return render(request, "workgroups/partner_meeting.html", context)


@public_view
@require_safe
def report_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The compte-rendu's PDF, from the signed link of the meeting page: for as long as the
    person is not erased and, when the page came from a feed, that feed is not revoked."""
    link = feeds.report_pdf_from_token(token)
    meeting = selectors.partner_report_meeting(link=link) if link is not None else None
    if meeting is None:
        return gone(request)
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
        return gone(request)
    from ..pdf import meeting_report_pdf  # WeasyPrint loads only when a PDF is made

    response = HttpResponse(meeting_report_pdf(meeting=meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
