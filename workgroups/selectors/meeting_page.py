"""The meeting's page: its counts, agenda, documents and fiches, and the invitation list with
each person's answer, attendance and e-mails, read in a fixed number of queries whatever the
number of invitees."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cls_platform.models import Delivery, DeliveryStatus
from cls_platform.widgets import fold
from partners.models import Sector

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


def _with_presenters(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    agenda = list(items)
    for item in agenda:
        item.who = presenter_label(item)  # type: ignore[attr-defined]
    return agenda


def meeting_detail(
    *, meeting: Meeting, query: str = "", personal: bool = True, started: bool = True
) -> dict[str, Any]:
    """Everything the meeting's page shows, in a fixed number of queries whatever the number of
    invitees. The counts are the whole list's; `query` narrows the rows shown (name, structure
    or acronym, ignoring case and accents). `personal` is False for signatories: counts only,
    no person's answer, attendance or delivery (their rows are not even built). Before the
    meeting has `started`, the sectors present are not counted (the page shows no presence)."""
    # Plain values, not model instances: 200 invitees with their contact and structure.
    invitations = list(
        meeting.invitations.order_by("contact__last_name", "contact__first_name").values_list(
            "pk",
            "contact_id",
            "rsvp",
            "attendance",
            "walk_in",
            "contact__first_name",
            "contact__last_name",
            "contact__organization_id",
            "contact__organization__name",
            "contact__organization__acronym",
        )
    )
    present = [i for i in invitations if i[3] == Attendance.PRESENT]
    counts = {
        "invited": len(invitations),
        "yes": sum(1 for i in invitations if i[2] == Rsvp.YES),
        "no": sum(1 for i in invitations if i[2] == Rsvp.NO),
        "present": len(present),
        "excused": sum(1 for i in invitations if i[3] == Attendance.EXCUSED),
        "structures": len({i[7] for i in present} - {None}),
        # Said they would come, not yet ticked: what "mark those who said yes" would change.
        "yes_unmarked": sum(
            1 for i in invitations if i[2] == Rsvp.YES and i[3] == Attendance.UNKNOWN
        ),
    }
    # The sectors of the structures present: one query, whatever the number present.
    counts["sectors"] = (
        Sector.objects.filter(
            organizations__contacts__invitations__meeting=meeting,
            organizations__contacts__invitations__attendance=Attendance.PRESENT,
        )
        .values("pk")
        .distinct()
        .count()
        if started
        else 0
    )
    context: dict[str, Any] = {
        "counts": counts,
        "query": query.strip(),
        "agenda": _with_presenters(meeting.agenda_items.select_related("organization")),
        "documents": list(meeting.documents.all()),
        "fiches": list(meeting.action_links.select_related("fiche").order_by("fiche__number")),
        "rows": [],
        "shown": 0,
        "delivery_counts": [],
        "failed": [],
        "extra_report_deliveries": [],
    }
    if not personal:
        return context

    nameless = _("Contact sans nom")

    def name_of(first: str, last: str) -> str:
        return f"{first} {last}".strip() or nameless  # as Contact.__str__: never the address

    invited_ids = {i[1] for i in invitations}  # before the filter: the whole list
    words = fold(query).split()
    if words:
        invitations = [
            i for i in invitations if matches_query(words, i[5], i[6], i[8] or "", i[9] or "")
        ]
    latest: dict[tuple[str, int | None], DeliveryState] = {}
    for values in (
        Delivery.objects.filter(topic=meeting.topic)
        .order_by("revision")
        .values_list(
            "kind", "contact_id", "status", "attempts", "last_error", "to_email", "revision"
        )
    ):
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
    not_sent, not_applicable = _("pas envoyée"), _("sans objet")
    rows = []
    for pk, contact_id, rsvp, attendance, walk_in, first, last, _org, org_name, _acr in invitations:
        invited = latest.get((KIND_INVITATION, contact_id))
        rows.append(
            InvitationRow(
                pk=pk,
                contact_id=contact_id,
                walk_in=walk_in,
                invitation_delivery=invited,
                name=name_of(first, last),
                organization=org_name or "",
                rsvp_label=rsvp_labels[rsvp],
                attendance_label=attendance_labels[attendance],
                attendance_options=options[attendance],
                invitation_cell=cell(invited, empty=not_applicable if walk_in else not_sent),
                report_cell=cell(latest.get((KIND_REPORT, contact_id)), empty="—"),
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

    def __call__(self, delivery: DeliveryState | None, *, empty: str) -> str:
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
