"""Subscribable calendars: a secret, revocable `.ics` address per partner and group.

A partner adds a group's meetings to their calendar once; the calendar polls the address, and new
meetings, moves (same UID, higher SEQUENCE) and cancellations (STATUS:CANCELLED) appear without a
new e-mail. The address is a random token (`secrets.token_urlsafe(32)`), not a signed one: it is
revoked by marking its row, and the next display of the partner's page makes a new one.

Also here, the signed links of the partner-facing meeting page (`/reunion/<token>/`), which the
feed's events link to: a stable signature (no timestamp), so that the event's description does
not change at every poll. A link names the meeting and where it was given: the feed (its
events' links close with the address when it is revoked: a leaked address leaks nothing for
longer), or the invitation (the link an e-mail would give: it lives as long as the invitation,
like the answer links of that e-mail, whatever becomes of the person's calendar addresses).
Either way, it opens nothing once the person is erased; nor does the compte-rendu's link that
the page gives, which names the feed too when the page came from one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import NamedTuple

from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cls_platform.mail.messages import absolute_url
from partners.models import Contact

from .models import (
    CalendarFeed,
    GroupStatus,
    Invitation,
    Meeting,
    MeetingStatus,
    Membership,
    WorkGroup,
)

# How far back a feed goes: a year of past meetings, and every one to come.
FEED_HISTORY = dt.timedelta(days=365)
# A calendar polls every few minutes to every few hours: the time of the last reading is written
# at most this often.
FETCH_RECORDED_EVERY = dt.timedelta(hours=1)
FEED_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.HELD, MeetingStatus.CANCELLED)

MEETING_PAGE_SALT = "trame.workgroups.meeting-page"
REPORT_PDF_SALT = "trame.workgroups.report-pdf"
REPORT_PDF_MAX_AGE = 60 * 60 * 24 * 180


def new_token() -> str:
    return secrets.token_urlsafe(32)


# --- reading -----------------------------------------------------------------------------------


def feed_groups(contact: Contact) -> QuerySet[WorkGroup]:
    """The groups whose calendar the person is offered: those they belong to (member,
    subscriber, pilot) and those that invited them in the last year; closed groups left out."""
    since = timezone.now() - FEED_HISTORY
    belongs = Membership.objects.filter(contact_id=contact.pk).values("group_id")
    invited = Meeting.objects.filter(
        invitations__contact_id=contact.pk, starts_at__gte=since
    ).values("group_id")
    piloted = WorkGroup.pilots.through.objects.filter(contact_id=contact.pk).values("workgroup_id")
    return (
        WorkGroup.objects.filter(territory_id=contact.territory_id)
        .filter(Q(pk__in=belongs) | Q(pk__in=invited) | Q(pk__in=piloted))
        .exclude(status=GroupStatus.CLOSED)
        .order_by("name")
    )


def feed_by_token(token: str) -> CalendarFeed | None:
    """The active feed of that address, unless revoked or its person erased."""
    if not token:
        return None
    return (
        CalendarFeed.objects.select_related("group", "contact")
        .filter(token=token, revoked_at__isnull=True, contact__anonymized_at__isnull=True)
        .first()
    )


def feed_known(token: str) -> bool:
    """Whether the address was a feed's (revoked since: the calendar is told so), its person
    not erased."""
    if not token:
        return False
    return CalendarFeed.objects.filter(token=token, contact__anonymized_at__isnull=True).exists()


def feed_meetings(feed: CalendarFeed) -> list[Meeting]:
    """Every planned, held or cancelled meeting of the feed's group from a year back onward,
    in a constant number of queries."""
    return list(
        feed.group.meetings.filter(
            starts_at__gte=timezone.now() - FEED_HISTORY, status__in=FEED_STATUSES
        )
        .prefetch_related("agenda_items")
        .order_by("starts_at", "pk")
    )


def feed_url(feed: CalendarFeed) -> str:
    return absolute_url(reverse("meeting_links:feed", kwargs={"token": feed.token}))


def webcal_url(url: str) -> str:
    """The same address for the calendars that subscribe on a click (webcal://)."""
    _scheme, sep, rest = url.partition("://")
    return f"webcal://{rest}" if sep else url


# --- writing -----------------------------------------------------------------------------------


@transaction.atomic
def feeds_for(*, contact: Contact, groups: Iterable[WorkGroup]) -> list[CalendarFeed]:
    """The active feed of each group for the person, made where there is none (after a
    revocation, the next display makes a new address). Three queries at most."""
    groups = list(groups)
    wanted = {group.pk: group for group in groups}

    def active() -> dict[int, CalendarFeed]:
        return {
            feed.group_id: feed
            for feed in CalendarFeed.objects.filter(
                contact_id=contact.pk, group_id__in=list(wanted), revoked_at__isnull=True
            )
        }

    feeds = active() if wanted else {}
    missing = [
        CalendarFeed(
            territory_id=contact.territory_id, group_id=pk, contact_id=contact.pk, token=new_token()
        )
        for pk in wanted
        if pk not in feeds
    ]
    if missing:
        # Two displays at once: the constraint keeps one active feed per group and person.
        CalendarFeed.objects.bulk_create(missing, ignore_conflicts=True)
        feeds = active()
    result = []
    for group in groups:
        feed = feeds.get(group.pk)
        if feed is not None:
            feed.group = group
            result.append(feed)
    return result


def feed_for(*, contact: Contact, group: WorkGroup) -> CalendarFeed | None:
    found = feeds_for(contact=contact, groups=[group])
    return found[0] if found else None


@transaction.atomic
def feed_revoke(*, feed: CalendarFeed) -> bool:
    """The address stops answering at once; True if it was active."""
    return bool(
        CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def feed_fetched(feed: CalendarFeed) -> None:
    """Note that a calendar read the feed, at most once per FETCH_RECORDED_EVERY: no write at
    every poll."""
    now = timezone.now()
    last = feed.last_fetched_at
    if last is not None and now - last < FETCH_RECORDED_EVERY:
        return
    CalendarFeed.objects.filter(pk=feed.pk).filter(
        Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lt=now - FETCH_RECORDED_EVERY)
    ).update(last_fetched_at=now)
    feed.last_fetched_at = now


# --- the partner-facing meeting page -------------------------------------------------------------


class MeetingPageLink(NamedTuple):
    """What a meeting page's link names: the meeting, and the feed or the invitation it was
    given through (exactly one of the two)."""

    meeting_id: int
    feed_id: int | None = None
    invitation_id: int | None = None


def meeting_page_token(
    meeting_id: int, *, feed_id: int | None = None, invitation_id: int | None = None
) -> str:
    if (feed_id is None) == (invitation_id is None):
        raise ValueError("A meeting page's link is given through one feed or one invitation.")
    origin = {"f": feed_id} if feed_id is not None else {"i": invitation_id}
    return signing.Signer(salt=MEETING_PAGE_SALT).sign_object(
        {"m": meeting_id, **origin}, compress=True
    )


def meeting_page_from_token(token: str) -> MeetingPageLink | None:
    """The link's meeting and origin; None for a forged link, and for the links of the first
    version, which named the person without a feed or an invitation and could not be closed."""
    try:
        data = signing.Signer(salt=MEETING_PAGE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or not _is_id(data.get("m")):
        return None
    feed_id, invitation_id = data.get("f"), data.get("i")
    if _is_id(feed_id) and invitation_id is None:
        return MeetingPageLink(data["m"], feed_id=feed_id)
    if _is_id(invitation_id) and feed_id is None:
        return MeetingPageLink(data["m"], invitation_id=invitation_id)
    return None


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def meeting_page_url(meeting_id: int, contact_id: int, *, feed_id: int | None = None) -> str:
    """The absolute address of the meeting's page for this person: through `feed_id` for a
    feed's events (no query: the feed's poll asks for one per meeting), otherwise through the
    person's invitation to the meeting, "" when they have none."""
    if feed_id is not None:
        token = meeting_page_token(meeting_id, feed_id=feed_id)
    else:
        invitation_id = (
            Invitation.objects.filter(meeting_id=meeting_id, contact_id=contact_id)
            .values_list("pk", flat=True)
            .first()
        )
        if invitation_id is None:
            return ""
        token = meeting_page_token(meeting_id, invitation_id=invitation_id)
    return absolute_url(reverse("meeting_links:meeting_page", kwargs={"token": token}))


class ReportPdfLink(NamedTuple):
    meeting_id: int
    contact_id: int
    feed_id: int | None = None


def report_pdf_token(meeting_id: int, contact_id: int, *, feed_id: int | None = None) -> str:
    data: dict[str, int] = {"m": meeting_id, "c": contact_id}
    if feed_id is not None:
        data["f"] = feed_id
    return signing.dumps(data, salt=REPORT_PDF_SALT, compress=True)


def report_pdf_from_token(token: str) -> ReportPdfLink | None:
    """The link's meeting, person and feed (if the page it came from was a feed's); the view
    checks that the person is not erased and the feed not revoked."""
    try:
        data = signing.loads(token, salt=REPORT_PDF_SALT, max_age=REPORT_PDF_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not (_is_id(data.get("m")) and _is_id(data.get("c"))):
        return None
    feed_id = data.get("f")
    if feed_id is not None and not _is_id(feed_id):
        return None
    return ReportPdfLink(data["m"], data["c"], feed_id)
