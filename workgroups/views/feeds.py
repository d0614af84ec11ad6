"""The groups' calendar feeds, for partners without an account: the feed itself (text/calendar,
reached through its random token), its revocation and the feeds' section of the partner's own
page (reached through the self-service link)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cls_platform.access import public_view
from partners.models import Contact
from partners.tokens import contact_from_token

from .. import feeds
from ..calendar import feed_ics
from ..models import CalendarFeed
from .partner_pages import gone


@public_view
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The group's meetings as a calendar to subscribe to (text/calendar, UTF-8)."""
    found = feeds.feed_by_token(token)
    if found is None:
        # Calendars show the body of a refused subscription in their error message.
        known = feeds.feed_known(token)
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
    page then shows a new one.

    The calendars subscribed to it stop updating and the meeting pages it led to close, so
    "Révoquer" asks first: a page names the group and takes a second press (confirm=1)."""
    contact = contact_from_token(token)
    found = (
        CalendarFeed.objects.select_related("group").filter(pk=pk, contact=contact).first()
        if contact is not None
        else None
    )
    if found is None:
        return gone(request)
    back = reverse("partner_links:self_service", kwargs={"token": token}) + "#agendas"
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "workgroups/feed_revoke_confirm.html",
            {"group_name": found.group.name, "back_url": back},
        )
    feeds.feed_revoke(feed=found)
    messages.success(
        request,
        _(
            "L'ancienne adresse de l'agenda « %(group)s » ne fonctionne plus. Une nouvelle "
            "adresse est affichée ci-dessous : abonnez votre agenda à celle-ci."
        )
        % {"group": found.group.name},
    )
    return redirect(back)


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
