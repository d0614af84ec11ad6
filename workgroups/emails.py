"""How each meeting e-mail is composed from its outbox row (see cls_platform.mail.outbox): what
they all share, and the compte-rendu (the invitation, reminder and cancellation are in
workgroups/invitation_emails.py).

Composers re-fetch from ids what each message needs (what the recipients of one meeting share is
read once per worker process, see "snapshot" below); they return None when the meeting is gone,
and raise `Skip` when the person may no longer get this message: a row queued before the person
unsubscribed, or retrying while they did, is not sent (the same rules as when it was queued,
checked again at the last moment).
"""

from __future__ import annotations

import functools
import itertools
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import router
from django.db.models import Count, Exists, JSONField, Max, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import JSONObject
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cls_platform.mail.composers import Skip, read_ahead, register
from cls_platform.mail.html import nest_headings
from cls_platform.mail.messages import (
    Personal,
    absolute_url,
    build_message,
    coordination_sender,
)
from cls_platform.mail.text import html_to_text
from cls_platform.models import Delivery
from partners.models import Contact
from partners.tokens import mailing_token, unsubscribe_token

from .calendar import duration_label
from .models import (
    INVITATION_KINDS,
    KIND_CANCELLATION,
    KIND_INVITATION,
    KIND_REMINDER,
    KIND_REPORT,
    AgendaItem,
    CalendarFeed,
    Invitation,
    Meeting,
    MeetingAction,
    MeetingDocument,
    Membership,
    WorkGroup,
)
from .selectors import delivery_obstacle, outdated
from .tokens import document_token

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


# --- what the recipients of one meeting e-mail share -------------------------------------------
#
# A sending is 200 messages of the same meeting: a worker reads the meeting, its agenda, its
# group and territory, the compte-rendu's text and files once, renders the templates once, and
# each message only reads what is its own (the person, their choices, their invitation) and
# fills in their name and links. Each message still reads, in the same query as the person, what
# the meeting is now (its fields, its group's and territory's names, how many documents and
# agenda items it has): a meeting moved, cancelled, renamed, or a document added since the
# previous message, makes a new snapshot; what that query cannot see (an agenda item retitled, a
# fiche-action renamed, another coordinator) is read again after SNAPSHOT_SECONDS at most, and at
# once in the process that saves it (signals, see register_composers).

SNAPSHOT_SECONDS = 60
SNAPSHOT_KEEP = 16
# The meeting's fields a message shows or whose change must stop it (cancelled, moved).
_STATE_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "status",
    "description",
    "sequence",
    "change_note",
    "organizer_email",
    "organizer_name",
    "report_written_at",
    "report_sent_at",
    "report_pdf",
    "group_id",
)


@dataclass
class _Snapshot:
    meeting: Meeting  # with its group, territory and agenda
    context: dict[str, Any]  # what every recipient's context holds
    headers: dict[str, Any]  # who writes, whom a reply reaches
    key: tuple[Any, ...]  # names this reading for the shared renderings
    born: float
    extra: dict[str, Any] = field(default_factory=dict)  # per kind, made on first need


_snapshots: OrderedDict[tuple[Any, ...], _Snapshot] = OrderedDict()
_snapshots_lock = threading.Lock()
_generation = itertools.count()


def forget_snapshots(**_kwargs: Any) -> None:
    """Drops what this process read of meetings (connected to the saves that change them)."""
    with _snapshots_lock:
        _snapshots.clear()


@dataclass(frozen=True)
class _Read:
    """One message's own reading: the person, and what the meeting is now."""

    contact: Contact
    state: tuple[Any, ...] | None  # None: the meeting is gone
    has_pdf: bool  # the compte-rendu's PDF is made
    documents: tuple[int, int, int]  # how many, their total size, the last id
    opted_out: bool  # the person's choice for this group and this kind of e-mail
    invitation: tuple[int, str] | None  # (pk, rsvp) of the person's invitation
    feed_token: str | None


# Stand-ins for the meeting, the person and the territory in the reading's SQL, compiled once
# per process and kind of e-mail: building this query with the ORM for each of 200 messages
# would cost more than the query itself.
_MEETING, _CONTACT, _TERRITORY = -7_340_001, -7_340_002, -7_340_003
_read_sql: dict[tuple[str, str], tuple[str, tuple[Any, ...]]] = {}


def _reading(
    kind: str,
    *,
    meeting_id: int = _MEETING,
    territory_id: int = _TERRITORY,
    contacts: list[int] | None = None,
) -> QuerySet[Contact]:
    """The query of `_read`, for the stand-ins; or of `_read_many`, for these `contacts`."""
    invitations = kind in INVITATION_KINDS
    meeting = Meeting.objects.filter(pk=meeting_id, territory_id=territory_id)
    state = meeting.values(
        state=JSONObject(
            **{name: name for name in _STATE_FIELDS},
            group_name="group__name",
            territory_name="territory__name",
            coordination_email="territory__coordination_email",
        )
    )[:1]
    documents = (
        MeetingDocument.objects.filter(meeting_id=meeting_id)
        .order_by()
        .values("meeting_id")
        .annotate(state=JSONObject(n=Count("pk"), size=Sum("size"), last=Max("pk")))
        .values("state")
    )
    agenda = (
        AgendaItem.objects.filter(meeting_id=meeting_id)
        .order_by()
        .values("meeting_id")
        .annotate(state=JSONObject(n=Count("pk"), last=Max("pk")))
        .values("state")
    )
    choice = {"invitations": False} if invitations else {"reports": False}
    annotations: dict[str, Any] = {
        "meeting_state": Subquery(state, output_field=JSONField()),
        "documents_state": Subquery(documents, output_field=JSONField()),
        "agenda_state": Subquery(agenda, output_field=JSONField()),
        "opted_out": Exists(
            Membership.objects.filter(
                group__meetings__pk=meeting_id, contact_id=OuterRef("pk"), **choice
            )
        ),
    }
    if invitations:
        annotations["invitation_state"] = Subquery(
            Invitation.objects.filter(meeting_id=meeting_id, contact_id=OuterRef("pk")).values(
                state=JSONObject(pk="pk", rsvp="rsvp")
            )[:1],
            output_field=JSONField(),
        )
    if kind == KIND_INVITATION:
        annotations["feed_token"] = Subquery(
            CalendarFeed.objects.filter(
                contact_id=OuterRef("pk"), group__meetings__pk=meeting_id, revoked_at__isnull=True
            ).values("token")[:1]
        )
    people = Contact.objects.filter(territory_id=territory_id).annotate(**annotations).order_by()
    if contacts is not None:
        return people.filter(pk__in=contacts)
    return people.filter(pk=_CONTACT)[:1]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _read(delivery: Delivery) -> _Read | None:
    """The person of the row with, in the same query, the meeting's state, its documents and
    agenda, the person's choice for its group, their invitation and calendar address; None
    when the person is gone (the caller then takes the long way, which says why)."""
    found, reading = read_ahead(delivery)
    if found:
        return reading
    _prefix, _sep, pk = delivery.topic.partition(":")
    if not pk.isdigit():
        return None
    db = router.db_for_read(Contact)
    compiled = _read_sql.get((db, delivery.kind))
    if compiled is None:
        sql, params = _reading(delivery.kind).query.get_compiler(db).as_sql()
        compiled = _read_sql[(db, delivery.kind)] = (sql, tuple(params))
    sql, stand_ins = compiled
    values = {_MEETING: int(pk), _CONTACT: delivery.contact_id, _TERRITORY: delivery.territory_id}
    params = [
        values[p] if type(p) is int and p in values else p  # a bool is not a stand-in
        for p in stand_ins
    ]
    contact = next(iter(Contact.objects.db_manager(db).raw(sql, params)), None)
    return None if contact is None else _reading_of(contact)


def _read_many(deliveries: Sequence[Delivery]) -> dict[int, _Read | None]:
    """`_read` for a chunk of rows, in one query per meeting (see composers.read_ahead)."""
    readings: dict[int, _Read | None] = {}
    db = router.db_for_read(Contact)
    meetings: dict[tuple[str, str, int], list[Delivery]] = {}
    for delivery in deliveries:
        key = (delivery.kind, delivery.topic, delivery.territory_id)
        meetings.setdefault(key, []).append(delivery)
    for (kind, topic, territory_id), rows in meetings.items():
        _prefix, _sep, pk = topic.partition(":")
        if not pk.isdigit():
            continue  # read one by one, the long way
        contacts = [row.contact_id for row in rows if row.contact_id is not None]
        query = _reading(kind, meeting_id=int(pk), territory_id=territory_id, contacts=contacts)
        sql, params = query.query.get_compiler(db).as_sql()
        people = {c.pk: c for c in Contact.objects.db_manager(db).raw(sql, params)}
        for row in rows:
            person = people.get(row.contact_id)
            readings[row.pk] = None if person is None else _reading_of(person)
    return readings


def _reading_of(contact: Contact) -> _Read:
    fields = _json(contact.meeting_state)
    docs = _json(contact.documents_state) or {}
    invitation = _json(getattr(contact, "invitation_state", None))
    state = None
    if fields is not None:
        agenda_state = _json(contact.agenda_state) or {}
        state = (
            tuple(sorted((name, str(value)) for name, value in fields.items())),
            tuple(sorted(agenda_state.items())),
        )
    return _Read(
        contact=contact,
        state=state,
        has_pdf=bool(fields and fields.get("report_pdf")),
        documents=(docs.get("n") or 0, docs.get("size") or 0, docs.get("last") or 0),
        opted_out=bool(contact.opted_out),
        invitation=(invitation["pk"], invitation["rsvp"]) if invitation else None,
        feed_token=getattr(contact, "feed_token", None),
    )


def _snapshot(delivery: Delivery, read: _Read) -> _Snapshot | None:
    """The meeting as this reading found it: read once per worker process and version."""
    key = (delivery.territory_id, delivery.topic, read.state, read.documents)
    now = time.monotonic()
    with _snapshots_lock:
        found = _snapshots.get(key)
        if found is not None and now - found.born < SNAPSHOT_SECONDS:
            _snapshots.move_to_end(key)
            return found
    meeting = _meeting(delivery)
    if meeting is None:
        return None
    context, headers = _shared(meeting)
    snapshot = _Snapshot(
        meeting=meeting,
        context=context,
        headers=headers,
        key=(*key, next(_generation)),
        born=now,
    )
    with _snapshots_lock:
        _snapshots[key] = snapshot
        while len(_snapshots) > SNAPSHOT_KEEP:
            _snapshots.popitem(last=False)
    return snapshot


def _prepare(delivery: Delivery) -> tuple[_Snapshot, Contact, _Read] | None:
    """The snapshot, the person and their reading of a row that may go; None when the meeting
    (or the person's invitation, or the compte-rendu's PDF) is gone; raises Skip when the
    person may not get it."""
    read = _read(delivery)
    if read is None:
        # The person is gone (or the topic is not a meeting's): the long way says which.
        meeting = _meeting(delivery)
        if meeting is None or (delivery.kind == KIND_REPORT and not meeting.report_pdf):
            return None
        if (
            delivery.kind in INVITATION_KINDS
            and delivery.kind != KIND_CANCELLATION
            and not Invitation.objects.filter(
                meeting=meeting, contact_id=delivery.contact_id
            ).exists()
        ):
            return None
        _contact(delivery, meeting)  # raises Skip
        return None
    if read.state is None or (delivery.kind == KIND_REPORT and not read.has_pdf):
        return None
    if delivery.kind in (KIND_INVITATION, KIND_REMINDER) and read.invitation is None:
        return None
    snapshot = _snapshot(delivery, read)
    if snapshot is None:
        return None
    meeting = snapshot.meeting
    reason = delivery_obstacle(
        meeting=meeting,
        contact=read.contact,
        kind=delivery.kind,
        opted_out=read.opted_out,
        rsvp=read.invitation[1] if read.invitation else None,
    ) or outdated(meeting, delivery)
    if reason:
        raise Skip(reason)
    return snapshot, read.contact, read


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


def _shared(meeting: Meeting) -> tuple[dict[str, Any], dict[str, Any]]:
    """The context every meeting e-mail shares, whoever receives it, and the arguments of
    `build_message` that say who writes and whom a reply reaches."""
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
        "reply_name": reply_name,
        "reply_email": reply_email,
    }
    sender = _("Coordination du CLS de %(territory)s") % {"territory": meeting.territory.name}
    return context, {"reply_to": [reply_email], "sender_name": sender}


def _recipient(contact: Contact, personal: Personal) -> tuple[dict[str, Any], str]:
    """What a meeting e-mail says to this person alone (as markers of `personal`), and their
    one-click unsubscribe address."""
    # The details link of a mass e-mail only asks for a fresh link, sent to the address on file:
    # a forwarded compte-rendu lets its reader change nothing.
    token = mailing_token(contact)
    # Its own token, which never expires: a one-click unsubscribe from an old e-mail still works.
    unsubscribe = absolute_url(
        reverse(
            "partner_links:self_service_unsubscribe",
            kwargs={"token": unsubscribe_token(contact)},
        )
    )
    return {
        "contact_name": personal(contact.full_name or contact.email),
        "self_service_url": personal(
            absolute_url(reverse("partner_links:self_service_request", kwargs={"token": token}))
        ),
        "unsubscribe_url": personal(unsubscribe),
    }, unsubscribe


def _message(
    snapshot: _Snapshot,
    contact: Contact,
    delivery: Delivery,
    *,
    template: str,
    extra: dict[str, Any] | None = None,
    personal_extra: Callable[[Personal], dict[str, Any]] | None = None,
    variant: tuple[Any, ...] = (),
) -> EmailMultiAlternatives:
    """The message of `template` for this person: the snapshot's context, `extra` (the same for
    every recipient of this `variant`), and their own values (markers filled in)."""
    personal = Personal()
    own, unsubscribe = _recipient(contact, personal)
    context = {**snapshot.context, **(extra or {}), **own}
    if personal_extra is not None:
        context.update(personal_extra(personal))
    return build_message(
        template=template,
        to=[delivery.to_email],
        context=context,
        unsubscribe_url=unsubscribe,
        personal=personal,
        shared=(snapshot.key, variant, settings.SITE_URL),
        **snapshot.headers,
    )


@dataclass(frozen=True)
class ReportBundle:
    """The files every recipient of one compte-rendu shares: read once per worker process, not
    once per message (the PDF and the shared files are the same bytes for all 200)."""

    pdf_name: str
    pdf: bytes
    documents: tuple[tuple[int, str, str, str, bytes | None], ...]  # pk, title, name, type, bytes
    attached: bool


def _documents_state(meeting: Meeting) -> tuple[int, int, int]:
    found = meeting.documents.order_by().aggregate(n=Count("pk"), size=Sum("size"), last=Max("pk"))
    return (found["n"] or 0, found["size"] or 0, found["last"] or 0)


def report_bundle(meeting: Meeting) -> ReportBundle:
    """The bundle of what the meeting's compte-rendu is made of now.

    Keyed by its parts (the PDF's file name; how many documents, their total size and the last
    one's id), which each message reads with its person: a document added after the first
    recipients were served reaches the next ones, from a worker that had cached the bundle
    without it."""
    return _report_bundle(meeting.pk, meeting.report_pdf.name, _documents_state(meeting))


@functools.lru_cache(maxsize=8)
def _report_bundle(meeting_id: int, pdf_name: str, parts: tuple[int, int, int]) -> ReportBundle:
    meeting = Meeting.objects.get(pk=meeting_id)
    documents = list(meeting.documents.order_by("uploaded_at", "pk"))
    attached = sum(d.size for d in documents) <= MAX_ATTACHED_BYTES
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


def _report_parts(snapshot: _Snapshot) -> dict[str, Any]:
    """The compte-rendu's text in both forms and the fiches-actions it does not name already,
    made once per snapshot."""
    if "report" not in snapshot.extra:
        meeting = snapshot.meeting
        report_text = html_to_text(meeting.report)
        # The fiches-actions the report does not name already (the draft the meeting page
        # writes lists them): the same list twice in a row reads as a mistake.
        fiches = [
            name
            for name in (
                f"{link.fiche.number} {link.fiche.title}"
                for link in meeting.action_links.select_related("fiche").order_by("fiche__number")
            )
            if " ".join(name.split()) not in " ".join(report_text.split())
        ]
        snapshot.extra["report"] = {
            # Sanitised with nh3 when saved; its sections under the e-mail's <h1>.
            "report_html": nest_headings(meeting.report, top=2),
            "report_text": report_text,
            "fiches": fiches,
        }
    return snapshot.extra["report"]


def compose_report(delivery: Delivery) -> EmailMessage | None:
    prepared = _prepare(delivery)
    if prepared is None:
        return None
    snapshot, contact, read = prepared
    meeting = snapshot.meeting
    if not meeting.report_pdf:
        return None
    bundle = _report_bundle(meeting.pk, meeting.report_pdf.name, read.documents)

    def documents(personal: Personal) -> dict[str, Any]:
        return {
            "documents": [
                {
                    "title": title,
                    "url": personal(
                        absolute_url(
                            reverse(
                                "meeting_links:document",
                                kwargs={"token": document_token(pk, contact.pk)},
                            )
                        )
                    ),
                }
                for pk, title, _name, _type, _content in bundle.documents
            ]
        }

    message = _message(
        snapshot,
        contact,
        delivery,
        template="meeting_report",
        extra={**_report_parts(snapshot), "documents_attached": bundle.attached},
        personal_extra=documents,
        variant=(bundle.pdf_name, len(bundle.documents), bundle.attached),
    )
    message.attach(bundle.pdf_name, bundle.pdf, "application/pdf")
    for _pk, _title, name, content_type, content in bundle.documents:
        if content is not None:
            message.attach(name, content, content_type)
    return message


def register_composers() -> None:
    from .invitation_emails import compose_cancellation, compose_invitation, compose_reminder

    register(KIND_INVITATION, compose_invitation, read_many=_read_many)
    register(KIND_REMINDER, compose_reminder, read_many=_read_many)
    register(KIND_CANCELLATION, compose_cancellation, read_many=_read_many)
    register(KIND_REPORT, compose_report, read_many=_read_many)
    from actions.models import FicheAction
    from cls_platform.models import Access, Territory

    # What a snapshot holds beyond what each message reads again: saved in this process, it is
    # read again at once (elsewhere, within SNAPSHOT_SECONDS).
    for model in (Meeting, AgendaItem, MeetingDocument, MeetingAction, WorkGroup, Territory):
        post_save.connect(forget_snapshots, sender=model, dispatch_uid=f"mail-{model.__name__}")
        post_delete.connect(forget_snapshots, sender=model, dispatch_uid=f"mail-{model.__name__}")
    for model in (FicheAction, Access):
        post_save.connect(forget_snapshots, sender=model, dispatch_uid=f"mail-{model.__name__}")
        post_delete.connect(forget_snapshots, sender=model, dispatch_uid=f"mail-{model.__name__}")
