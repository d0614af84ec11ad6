"""The meeting's page: its counts, agenda, documents and fiches, and the invitation list with
each person's answer, attendance and e-mails, read in a fixed number of queries whatever the
number of invitees."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connection
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cls_platform.models import DeliveryStatus
from cls_platform.widgets import fold
from partners.models import Organization

from ..health_sql import results as results_of
from ..models import (
    KIND_CANCELLATION,
    KIND_INVITATION,
    KIND_REMINDER,
    KIND_REPORT,
    AgendaItem,
    Attendance,
    Meeting,
    Rsvp,
)
from .meetings import presenter_label

# What the page reads after the meeting's row, written out in SQL and sent together: one round
# trip instead of six, and nothing to build (the ORM took longer to build those six small
# queries than the database to run them). `{m}`: the meeting's id, an integer.
# The invitees with their structure, in the list's order; the counts are made from them.
INVITEES = """
SELECT i.rsvp, i.attendance, c.organization_id, i.id, i.contact_id, i.walk_in,
    c.first_name, c.last_name, o.name, o.acronym
FROM workgroups_invitation i
JOIN partners_contact c ON c.id = i.contact_id
LEFT JOIN partners_organization o ON o.id = c.organization_id
WHERE i.meeting_id = {m}
ORDER BY c.last_name, c.first_name"""
# For a signatory: what the counts need, nobody's name.
INVITEE_COUNTS = """
SELECT i.rsvp, i.attendance, c.organization_id
FROM workgroups_invitation i JOIN partners_contact c ON c.id = i.contact_id
WHERE i.meeting_id = {m}"""
# How many sectors the structures of the people present cover.
SECTORS = f"""
SELECT COUNT(DISTINCT s.sector_id) FROM partners_organization_sectors s
WHERE s.organization_id IN (
    SELECT c.organization_id FROM workgroups_invitation i
    JOIN partners_contact c ON c.id = i.contact_id
    WHERE i.meeting_id = {{m}} AND i.attendance = '{Attendance.PRESENT.value}')"""
AGENDA = """
SELECT a.id, a.kind, a.title, a.duration_minutes, a.presenter, a.organization_id, o.name
FROM workgroups_agendaitem a LEFT JOIN partners_organization o ON o.id = a.organization_id
WHERE a.meeting_id = {m}
ORDER BY a."order", a.id"""
DOCUMENTS = """
SELECT title, size FROM workgroups_meetingdocument WHERE meeting_id = {m} ORDER BY uploaded_at"""
FICHES = """
SELECT f.id, f.number, f.title
FROM workgroups_meetingaction l JOIN actions_ficheaction f ON f.id = l.fiche_id
WHERE l.meeting_id = {m}
ORDER BY f.number"""
# The outbox's rows about the meeting (`Meeting.topic`), oldest revision first.
DELIVERIES = """
SELECT kind, contact_id, status, attempts, last_error, to_email, revision
FROM cls_platform_delivery WHERE topic = 'meeting:{m}'
ORDER BY revision"""


class DeliveryState(NamedTuple):
    """What the meeting page shows of an outbox row (plain values: hundreds per page)."""

    kind: str
    contact_id: int | None
    status: str
    attempts: int
    last_error: str
    to_email: str
    revision: int


class InvitationRow(NamedTuple):
    """One line of a meeting's invitation list, its cells already resolved and escaped: the
    table has a row per invited partner (200 in Cergy), and building 600 model instances and a
    template's per-row lookups took most of the page's time."""

    pk: int
    contact_id: int
    walk_in: bool
    invitation_delivery: DeliveryState | None
    name: str
    organization: str
    rsvp_label: str
    attendance_label: str
    attendance_options: str  # the <option>s of the attendance <select>, this one selected
    invitation_cell: str
    report_cell: str


def matches_query(words: list[str], *texts: str) -> bool:
    text = " ".join(texts)
    # Plain ASCII has no accent to fold: lower case is all fold() would do (200 rows a filter).
    haystack = text.lower() if text.isascii() else fold(text)
    return all(word in haystack for word in words)


def _agenda(rows: list[tuple[Any, ...]]) -> list[AgendaItem]:
    """The agenda's items from their rows, as loaded from the database (what the page reads of
    them: the signatories' page rewrites `who` from the structure), with who presents each."""
    db = connection.alias
    # In the model's order, as `from_db` takes them.
    fields = ("id", "kind", "title", "duration_minutes", "presenter", "organization_id")
    agenda = []
    for *values, organization_name in rows:
        item = AgendaItem.from_db(db, fields, values)
        if item.organization_id is not None:
            item.organization = Organization.from_db(
                db, ("id", "name"), (item.organization_id, organization_name)
            )
        item.who = presenter_label(item)  # type: ignore[attr-defined]
        agenda.append(item)
    return agenda


def meeting_detail(
    *, meeting: Meeting, query: str = "", personal: bool = True, started: bool = True
) -> dict[str, Any]:
    """Everything the meeting's page shows, in one round trip whatever the number of invitees
    (`health_sql.results`). The counts are the whole list's; `query` narrows the rows shown (name,
    structure or acronym, ignoring case and accents). `personal` is False for signatories:
    counts only, no person's answer, attendance or delivery (their rows are not even built).
    Before the meeting has `started`, the sectors present are not counted (the page shows no
    presence)."""
    m = int(meeting.pk)
    statements = [INVITEES if personal else INVITEE_COUNTS, AGENDA, DOCUMENTS, FICHES]
    if started:
        statements.append(SECTORS)
    if personal:
        statements.append(DELIVERIES)
    results = results_of([statement.format(m=m) for statement in statements])
    rows_read, agenda, documents, fiches = results[:4]
    answers = Counter(map(itemgetter(0), rows_read))
    attendances = Counter(map(itemgetter(1), rows_read))
    present, yes, unknown = Attendance.PRESENT, Rsvp.YES, Attendance.UNKNOWN
    counts = {
        "invited": len(rows_read),
        "yes": answers[yes],
        "no": answers[Rsvp.NO],
        "present": attendances[present],
        "excused": attendances[Attendance.EXCUSED],
        "structures": len({i[2] for i in rows_read if i[1] == present} - {None}),
        # Said they would come, not yet ticked: what "mark those who said yes" would change.
        "yes_unmarked": len([1 for i in rows_read if i[0] == yes and i[1] == unknown]),
        "sectors": results[4][0][0] if started else 0,
    }
    context: dict[str, Any] = {
        "counts": counts,
        "query": query.strip(),
        "agenda": _agenda(agenda),
        "documents": documents,  # (title, size)
        "fiches": fiches,  # (id, number, title)
        "rows": [],
        "shown": 0,
        "delivery_counts": [],
        "failed": [],
        "extra_report_deliveries": [],
    }
    if not personal:
        return context

    invited_ids = {i[4] for i in rows_read}  # before the filter: the whole list
    words = fold(query).split()
    if words:
        rows_read = [
            i for i in rows_read if matches_query(words, i[6], i[7], i[8] or "", i[9] or "")
        ]
    latest: dict[tuple[str, int | None], DeliveryState] = {}
    for values in results[-1]:
        state = DeliveryState(*values)
        latest[(state.kind, state.contact_id)] = state  # last revision wins
    rsvp_labels = {value: str(label) for value, label in Rsvp.choices}
    attendance_labels = {value: str(label) for value, label in Attendance.choices}
    options = {
        selected: format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, mark_safe(" selected") if value == selected else "", label)
                for value, label in attendance_labels.items()
            ),
        )
        for selected in attendance_labels
    }
    cell = _DeliveryCell()
    # The cells of a row without an e-mail (most of them before anything is sent), written once.
    not_sent = cell(None, empty=_("pas envoyée"))
    not_applicable = cell(None, empty=_("sans objet"))
    no_report = cell(None, empty="—")
    nameless = _("Contact sans nom")
    rows = []
    append = rows.append
    for rsvp, attendance, _org, pk, contact_id, walk_in, first, last, org_name, _acr in rows_read:
        invited = latest.get((KIND_INVITATION, contact_id))
        report = latest.get((KIND_REPORT, contact_id))
        append(
            InvitationRow(
                pk,
                contact_id,
                walk_in,
                invited,
                # As Contact.__str__: never the address.
                f"{first} {last}".strip() or nameless,
                org_name or "",
                rsvp_labels[rsvp],
                attendance_labels[attendance],
                options[attendance],
                (not_applicable if walk_in else not_sent) if invited is None else cell(invited),
                no_report if report is None else cell(report),
            )
        )
    label_of = delivery_labels()
    by_label: dict[str, int] = {}
    for d in latest.values():
        label = label_of(d.kind, d.status)
        by_label[label] = by_label.get(label, 0) + 1
    context.update(
        rows=rows,
        shown=len(rows),
        delivery_counts=list(by_label.items()),
        failed=[d for d in latest.values() if d.status == DeliveryStatus.FAILED],
        # Subscribers get the compte-rendu without being invited: not in the table's rows.
        extra_report_deliveries=[
            (d.to_email, cell(d, empty=""))
            for (kind, cid), d in latest.items()
            if kind == KIND_REPORT and cid not in invited_ids
        ],
    )
    return context


class _DeliveryCell:
    """A delivery's state as the invitation list shows it: a badge, and why when it failed, was
    not sent, or waits for another attempt. Most rows share a state ("Envoyé"): each distinct
    one is written once."""

    def __init__(self) -> None:
        self.labels = {value: str(label) for value, label in DeliveryStatus.choices}
        self.retry = _("nouvel essai prévu, tentatives")
        self.written: dict[tuple[Any, ...], str] = {}

    def __call__(self, delivery: DeliveryState | None, *, empty: str = "") -> str:
        key = (
            (empty,)
            if delivery is None
            else (delivery.status, delivery.attempts, delivery.last_error)
        )
        if key not in self.written:
            self.written[key] = self.write(delivery, empty)
        return self.written[key]

    def write(self, delivery: DeliveryState | None, empty: str) -> str:
        if delivery is None:
            return format_html('<span class="muted">{}</span>', empty)
        badge = format_html(
            '<span class="badge badge--delivery-{}">{}</span>',
            delivery.status,
            self.labels.get(delivery.status, delivery.status),
        )
        note = ""
        if delivery.status in (DeliveryStatus.FAILED, DeliveryStatus.SKIPPED):
            note = capfirst(delivery.last_error)
        elif delivery.status == DeliveryStatus.QUEUED and delivery.attempts:
            note = f"{self.retry} ({delivery.attempts})"
        if not note:
            return badge
        return format_html('{}<br><span class="muted">{}</span>', badge, note)


def delivery_labels() -> Callable[[str, str], str]:
    """The label of a line of the meeting's "Envois" for a kind and a state: "Invitations
    envoyées", "Comptes-rendus en échec"...; the sixteen translations looked up once (the
    meeting page labels hundreds of deliveries)."""
    labels = {
        KIND_INVITATION: {
            DeliveryStatus.SENT: _("Invitations envoyées"),
            DeliveryStatus.QUEUED: _("Invitations en cours"),
            DeliveryStatus.FAILED: _("Invitations en échec"),
            DeliveryStatus.SKIPPED: _("Invitations non envoyées"),
        },
        KIND_REPORT: {
            DeliveryStatus.SENT: _("Comptes-rendus envoyés"),
            DeliveryStatus.QUEUED: _("Comptes-rendus en cours"),
            DeliveryStatus.FAILED: _("Comptes-rendus en échec"),
            DeliveryStatus.SKIPPED: _("Comptes-rendus non envoyés"),
        },
        KIND_REMINDER: {
            DeliveryStatus.SENT: _("Rappels envoyés"),
            DeliveryStatus.QUEUED: _("Rappels en cours"),
            DeliveryStatus.FAILED: _("Rappels en échec"),
            DeliveryStatus.SKIPPED: _("Rappels non envoyés"),
        },
        KIND_CANCELLATION: {
            DeliveryStatus.SENT: _("Annulations envoyées"),
            DeliveryStatus.QUEUED: _("Annulations en cours"),
            DeliveryStatus.FAILED: _("Annulations en échec"),
            DeliveryStatus.SKIPPED: _("Annulations non envoyées"),
        },
    }

    def label(kind: str, status: str) -> str:
        if status == DeliveryStatus.SENDING:
            status = DeliveryStatus.QUEUED
        return labels.get(kind, {}).get(status, f"{kind} · {status}")

    return label
