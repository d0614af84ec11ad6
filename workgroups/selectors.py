"""Reads of groups and meetings, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.models import ActionUpdate
from cls_platform.access import scoped
from cls_platform.models import Access, Delivery, DeliveryStatus
from cls_platform.widgets import fold
from partners.emails import mailing_obstacle
from partners.models import Contact, Sector

from .models import (
    INVITATION_KINDS,
    KIND_CANCELLATION,
    KIND_INVITATION,
    KIND_REMINDER,
    KIND_REPORT,
    AgendaItem,
    Attendance,
    GroupStatus,
    Invitation,
    InvitationPolicy,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipKind,
    Rsvp,
    WorkGroup,
)


@dataclass
class GroupHealth:
    """Computed, not stored: is the group alive and staffed?"""

    held_last_year: int
    target: int
    months_since_last: int | None
    vacant_pilots: list[Contact] = field(default_factory=list)

    @property
    def silence_limit(self) -> int:
        expected_gap = 12 // max(self.target, 1)
        return max(9, expected_gap + 3)

    @property
    def behind_target(self) -> bool:
        return self.held_last_year < self.target

    @property
    def warnings(self) -> list[str]:
        notes = []
        if self.vacant_pilots:
            names = ", ".join(p.full_name or str(p) for p in self.vacant_pilots)
            notes.append(
                ngettext(
                    "Co-pilotage à pourvoir : %(names)s a quitté sa structure.",
                    "Co-pilotage à pourvoir : %(names)s ont quitté leur structure.",
                    len(self.vacant_pilots),
                )
                % {"names": names}
            )
        if self.behind_target:
            held = ngettext(
                "%(n)s réunion tenue sur les douze derniers mois",
                "%(n)s réunions tenues sur les douze derniers mois",
                self.held_last_year,
            ) % {"n": self.held_last_year}
            notes.append(
                ngettext(
                    "%(held)s, pour %(target)s visée.",
                    "%(held)s, pour %(target)s visées.",
                    self.target,
                )
                % {"held": held, "target": self.target}
            )
        # Silence is worrying past the group's own rhythm (a yearly group is not late at 9 months).
        if self.months_since_last is not None and self.months_since_last >= self.silence_limit:
            notes.append(_("Pas de réunion depuis %(n)s mois.") % {"n": self.months_since_last})
        return notes


def group_list(*, access: Access) -> list[WorkGroup]:
    year_ago = timezone.now() - dt.timedelta(days=365)
    groups = list(
        scoped(WorkGroup.objects.all(), access)
        .select_related("contract", "axis")
        .prefetch_related(
            Prefetch("pilots", queryset=Contact.objects.select_related("organization"))
        )
        .annotate(
            held_last_year=Count(
                "meetings",
                filter=Q(meetings__status=MeetingStatus.HELD, meetings__starts_at__gte=year_ago),
                distinct=True,  # the memberships join below would multiply it
            ),
            last_meeting=Max("meetings__starts_at", filter=Q(meetings__status=MeetingStatus.HELD)),
            member_count=Count("memberships", distinct=True),
        )
        .order_by("contract", "name")
    )
    for group in groups:
        group.health = health_of(group)
    return groups


def health_of(group: WorkGroup) -> GroupHealth:
    months = None
    if getattr(group, "last_meeting", None):
        months = (timezone.now() - group.last_meeting).days // 30
    vacant = [p for p in group.pilots.all() if p.left_at or not p.is_active]
    target = group.target_meetings_per_year if group.status == GroupStatus.ACTIVE else 0
    return GroupHealth(getattr(group, "held_last_year", 0), target, months, vacant)


def group_detail(*, group: WorkGroup) -> dict[str, Any]:
    meetings = list(
        group.meetings.annotate(
            present=Count("invitations", filter=Q(invitations__attendance=Attendance.PRESENT)),
            invited=Count("invitations"),
        ).order_by("-starts_at")
    )
    present = Invitation.objects.filter(meeting__group=group, attendance=Attendance.PRESENT)
    structures = list(
        present.exclude(contact__organization=None)
        .values("contact__organization__name")
        .annotate(times=Count("meeting", distinct=True))
        .order_by("-times", "contact__organization__name")[:30]
    )
    sectors = list(
        present.exclude(contact__organization__sectors=None)
        .values("contact__organization__sectors__name")
        .annotate(people=Count("contact", distinct=True))
        .order_by("-people")
    )
    fiches = (
        list(
            group.contract.fiches_actions.filter(
                Q(thematic_axis=group.axis) | Q(meeting_links__meeting__group=group)
            )
            .distinct()
            .order_by("number")
        )
        if group.axis_id
        else list(
            group.contract.fiches_actions.filter(meeting_links__meeting__group=group)
            .distinct()
            .order_by("number")
        )
    )
    memberships = list(
        group.memberships.select_related("contact__organization").order_by(
            "kind", "contact__last_name"
        )
    )
    year_ago = timezone.now() - dt.timedelta(days=365)
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    group.held_last_year = sum(1 for m in held if m.starts_at >= year_ago)
    group.last_meeting = held[0].starts_at if held else None
    return {
        "meetings": meetings,
        "attendance": [(m, m.present) for m in reversed(held)][-12:],
        "max_present": max([m.present for m in held], default=0) or 1,
        "structures": structures,
        "sectors": sectors,
        "fiches": fiches,
        "memberships": memberships,
        "pilots": list(
            group.pilots.select_related("organization").prefetch_related("organization__sectors")
        ),
        "health": health_of(group),
    }


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


def not_started_reason(meeting: Meeting) -> str:
    """Why the compte-rendu and the attendance cannot be recorded yet ("" once the meeting has
    started): a report dated before the meeting would tell what has not happened."""
    if meeting.starts_at <= timezone.now():
        return ""
    return _(
        "La réunion n'a pas encore commencé (%(when)s) : le compte-rendu et les présences se "
        "saisissent une fois la réunion commencée."
    ) % {"when": when_it_starts(meeting)}


def when_it_starts(meeting: Meeting) -> str:
    """ "jeudi 11 mars 2027 à 14 h", "… à 14 h 30": as people say it."""
    starts = timezone.localtime(meeting.starts_at)
    return _("%(day)s à %(hour)s") % {"day": date_format(starts, "l j F Y"), "hour": _hour(starts)}


def _hour(moment: dt.datetime) -> str:
    return f"{moment.hour} h" if not moment.minute else f"{moment.hour} h {moment.minute:02d}"


def matches_query(words: list[str], *texts: str) -> bool:
    haystack = fold(" ".join(texts))
    return all(word in haystack for word in words)


def presenter_label(item: AgendaItem) -> str:
    """Who presents an agenda item: the presenter, then the structure presented, unless the
    presenter's text names it already ("Fatou Bonnet, Épicerie sociale" and "Épicerie
    sociale" once, not twice)."""
    presenter = item.presenter.strip()
    organization = item.organization.name if item.organization else ""
    if organization and fold(organization) in fold(presenter):
        organization = ""
    return ", ".join(x for x in (presenter, organization) if x)


def _with_presenters(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    agenda = list(items)
    for item in agenda:
        item.who = presenter_label(item)  # type: ignore[attr-defined]
    return agenda


def meeting_detail(*, meeting: Meeting, query: str = "", personal: bool = True) -> dict[str, Any]:
    """Everything the meeting's page shows, in a fixed number of queries whatever the number of
    invitees. The counts are the whole list's; `query` narrows the rows shown (name, structure
    or acronym, ignoring case and accents). `personal` is False for signatories: counts only,
    no person's answer, attendance or delivery (their rows are not even built)."""
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


# --- who receives what ---------------------------------------------------------------------------
# One query per kind of message, used both to send and to tell the coordinator beforehand how
# many will receive it: the count on a confirmation page is the count of the sending.


def default_invitees(meeting: Meeting) -> QuerySet[Contact]:
    """Who the group's policy invites: every active partner of the territory (Cergy's choice)
    or the group's members; minus those who opted out of invitations, overall or for this group."""
    group = meeting.group
    contacts = Contact.objects.mailable().filter(
        territory_id=meeting.territory_id, receives_invitations=True
    )
    if group.invitation_policy == InvitationPolicy.MEMBERS:
        contacts = contacts.filter(
            memberships__group=group, memberships__kind=MembershipKind.MEMBER
        ) | contacts.filter(piloted_groups=group)
    opted_out = Membership.objects.filter(group=group, invitations=False).values("contact_id")
    return contacts.exclude(pk__in=opted_out).distinct()


def invitation_recipients(meeting: Meeting) -> QuerySet[Contact]:
    """The invited contacts who may get this meeting's invitation, update or cancellation now:
    reachable (not unsubscribed, bounced, departed nor erased), taking invitations, and not
    opted out of this group's. A move's update goes to all of them, those who had declined
    included: the new date may suit them."""
    return _invitable(meeting).filter(pk__in=meeting.invitations.values("contact_id"))


def _invitable(meeting: Meeting) -> QuerySet[Contact]:
    opted_out = Membership.objects.filter(group_id=meeting.group_id, invitations=False).values(
        "contact_id"
    )
    return (
        Contact.objects.mailable()
        .filter(territory_id=meeting.territory_id, receives_invitations=True)
        .exclude(pk__in=opted_out)
    )


def invitation_send_recipients(meeting: Meeting) -> QuerySet[Contact]:
    """Whom "Envoyer les invitations" (or "… aux nouveaux invités") mails: the invitation list,
    plus the group's rule when the list was never prepared (the sending prepares it first: an
    extra invitee is added to the rule, never instead of it), minus those who declined this
    version of the meeting (a move puts every answer back to "sans réponse")."""
    invited = Q(pk__in=meeting.invitations.values("contact_id"))
    if meeting.invitees_prepared_at is None:
        invited |= Q(pk__in=default_invitees(meeting).values("pk"))
    declined = meeting.invitations.filter(rsvp=Rsvp.NO).values("contact_id")
    return _invitable(meeting).filter(invited).exclude(pk__in=declined)


def cancellation_recipients(meeting: Meeting) -> QuerySet[Contact]:
    """Who is told of a cancellation: the invitees whose invitation reached them (it is in
    their calendar) or is being sent at this moment, and who may still be mailed.

    A row "sending" when the coordinator cancels ends "sent" a moment later: without the
    CANCEL, the meeting would stay in that calendar (a CANCEL for a UID never received, if
    the worker skips it after all, is ignored by calendars). A row still "queued" is left
    out: its worker finds the meeting cancelled and skips it (meeting_cancel makes sure of
    that by locking those rows first)."""
    received = Delivery.objects.filter(
        topic=meeting.topic,
        kind=KIND_INVITATION,
        status__in=[DeliveryStatus.SENT, DeliveryStatus.SENDING],
    ).values("contact_id")
    return invitation_recipients(meeting).filter(pk__in=received)


def report_recipients(meeting: Meeting) -> QuerySet[Contact]:
    """Every invited contact and every subscriber of the group, without duplicates, minus the
    unsubscribed, bounced and departed, and those who asked not to get this group's reports."""
    group = meeting.group
    opted_out = Membership.objects.filter(group=group, reports=False).values("contact_id")
    invited = Invitation.objects.filter(meeting=meeting).values("contact_id")
    subscribed = Membership.objects.filter(group=group, kind=MembershipKind.SUBSCRIBER).values(
        "contact_id"
    )
    # Subqueries rather than joins: each contact once without a DISTINCT over its columns.
    return (
        Contact.objects.mailable()
        .filter(territory_id=meeting.territory_id, receives_reports=True)
        .filter(Q(pk__in=invited) | Q(pk__in=subscribed))
        .exclude(pk__in=opted_out)
    )


@dataclass(frozen=True)
class SendPreview:
    """What pressing "send" will do: `count` new e-mails, `already` people served before."""

    count: int
    already: int


def send_preview(*, meeting: Meeting, kind: str) -> SendPreview:
    """The confirmation page's figures, from the very queries the sending uses."""
    if kind == KIND_REPORT:
        recipients, revision = report_recipients(meeting), 0
    else:
        recipients, revision = invitation_send_recipients(meeting), meeting.sequence
    served = (
        Delivery.objects.filter(topic=meeting.topic, kind=kind, revision=revision)
        .exclude(status=DeliveryStatus.SKIPPED)
        .values("contact_id")
    )
    already = recipients.filter(pk__in=served).count()
    return SendPreview(count=recipients.count() - already, already=already)


def delivery_obstacle(
    *,
    meeting: Meeting,
    contact: Contact | None,
    kind: str,
    opted_out: bool | None = None,
    rsvp: str | None = None,
) -> str:
    """Why this message may not go to this person now ("" when it may), in French, as the
    coordinator reads it next to the address. `opted_out` (the person's choice for this group)
    and `rsvp` are looked up when not given."""
    invitations = kind in INVITATION_KINDS
    # Erased, unsubscribed, bounced, left: the directory's rules, the same for all its e-mails.
    reason = mailing_obstacle(contact)
    if reason:
        return reason
    if invitations and not contact.receives_invitations:
        return _("la personne ne souhaite plus recevoir les invitations")
    if not invitations and not contact.receives_reports:
        return _("la personne ne souhaite plus recevoir les comptes-rendus")
    if opted_out is None:
        choice = {"invitations": False} if invitations else {"reports": False}
        opted_out = Membership.objects.filter(
            group_id=meeting.group_id, contact_id=contact.pk, **choice
        ).exists()
    if opted_out:
        if invitations:
            return _("la personne ne souhaite plus recevoir les invitations de ce groupe")
        return _("la personne ne souhaite plus recevoir les comptes-rendus de ce groupe")
    if kind in (KIND_INVITATION, KIND_REMINDER) and meeting.status == MeetingStatus.CANCELLED:
        return _("la réunion est annulée")
    if invitations and meeting.is_over:
        return _("la réunion est passée")
    if kind == KIND_REMINDER:
        if rsvp is None:
            rsvp = (
                meeting.invitations.filter(contact_id=contact.pk)
                .values_list("rsvp", flat=True)
                .first()
            )
        if rsvp == Rsvp.NO:
            return _("la personne a répondu qu'elle ne vient pas")
    return ""


def outdated(meeting: Meeting, delivery: Delivery) -> str:
    """Why this row's message is no longer the one to send ("" when it is): an invitation to a
    meeting moved since, whose newer version (a higher SEQUENCE) went or goes separately."""
    if delivery.kind == KIND_INVITATION and delivery.revision < meeting.sequence:
        return _("une version plus récente de l'invitation a été envoyée")
    return ""


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


# --- the compte-rendu's first draft --------------------------------------------------------------


def report_draft(*, meeting: Meeting) -> str:
    """A first draft of the compte-rendu from what the meeting already knows, for the editor
    to start from when the report is empty: the agenda with its presenters, the structures
    present and excused, the fiches-actions discussed with their latest news, the documents
    shared. Sanitised HTML, in five queries whatever the meeting's size."""
    from .services import sanitize_report  # the services own the report's rules

    parts: list[str] = []

    def section(title: str, items: list[str]) -> None:
        if items:
            parts.append(format_html("<h3>{}</h3>", title))
            parts.append("<ul>" + "".join(format_html("<li>{}</li>", i) for i in items) + "</ul>")

    starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    where = meeting.place or (_("en visioconférence") if meeting.online_url else "")
    parts.append(
        format_html(
            "<p>{}</p>",
            _("Réunion du %(day)s, de %(start)s à %(end)s%(where)s.")
            % {
                "day": date_format(starts, "l j F Y"),
                "start": _hour(starts),
                "end": _hour(ends),
                "where": f", {where}" if where else "",
            },
        )
    )
    agenda = []
    for item in meeting.agenda_items.select_related("organization"):
        who = presenter_label(item)
        agenda.append(
            format_html("<strong>{}</strong> ({})", item.title, who)
            if who
            else format_html("<strong>{}</strong>", item.title)
        )
    section(_("Ordre du jour"), agenda)

    attendance = (
        meeting.invitations.filter(
            Q(attendance__in=[Attendance.PRESENT, Attendance.EXCUSED]) | Q(rsvp=Rsvp.NO)
        )
        .values_list("attendance", "contact__organization__name")
        .order_by("contact__organization__name")
    )
    # Structures only: the compte-rendu goes to every partner and signatories read it. A
    # person without a structure is counted, never named ("2 personnes sans structure").
    present: dict[str, None] = {}
    excused: dict[str, None] = {}
    alone = {"present": 0, "excused": 0}
    for status, organization in attendance:
        came = status == Attendance.PRESENT  # otherwise excused, or answered no and not seen
        if organization:
            (present if came else excused)[organization] = None
        else:
            alone["present" if came else "excused"] += 1

    def names(structures: Iterable[str], people: int) -> list[str]:
        if not people:
            return list(structures)
        without = ngettext(
            "%(n)s personne sans structure", "%(n)s personnes sans structure", people
        ) % {"n": people}
        return [*structures, without]

    section(_("Structures présentes"), names(present, alone["present"]))
    section(
        _("Structures excusées"),
        names([name for name in excused if name not in present], alone["excused"]),
    )

    latest = ActionUpdate.objects.filter(fiche_id=OuterRef("fiche_id")).order_by(
        "-happened_on", "-id"
    )
    fiches = []
    for link in (
        meeting.action_links.select_related("fiche")
        .annotate(
            news=Subquery(latest.values("text")[:1]),
            news_on=Subquery(latest.values("happened_on")[:1]),
        )
        .order_by("fiche__number")
    ):
        title = format_html("<strong>{} {}</strong>", link.fiche.number, link.fiche.title)
        if link.news:
            fiches.append(
                format_html("{} : {} ({})", title, link.news, date_format(link.news_on, "j F Y"))
            )
        else:
            fiches.append(title)
    section(_("Fiches-actions évoquées"), fiches)
    section(_("Documents partagés"), [d.title for d in meeting.documents.all()])
    return sanitize_report("\n".join(parts))
