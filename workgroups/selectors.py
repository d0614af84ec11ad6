"""Reads of groups and meetings, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cls_platform.access import scoped
from cls_platform.models import Access, Delivery, DeliveryStatus
from partners.models import Contact

from .models import (
    INVITATION_KINDS,
    KIND_CANCELLATION,
    KIND_INVITATION,
    KIND_REMINDER,
    KIND_REPORT,
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
            names = ", ".join(p.full_name or p.email for p in self.vacant_pilots)
            notes.append(f"Co-pilotage à pourvoir : {names} a quitté sa structure.")
        if self.behind_target:
            notes.append(
                f"{self.held_last_year} réunion(s) tenue(s) sur les douze derniers mois, pour {self.target} visée(s)."
            )
        # Silence is worrying past the group's own rhythm (a yearly group is not late at 9 months).
        if self.months_since_last is not None and self.months_since_last >= self.silence_limit:
            notes.append(f"Pas de réunion depuis {self.months_since_last} mois.")
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


@dataclass
class InvitationRow:
    """One line of a meeting's invitation list, its cells already resolved and escaped: the
    table has a row per invited partner (200 in Cergy), and a template's per-row lookups, loops
    and filters took most of the page's time (150 ms at 200 invitees)."""

    invitation: Invitation
    invitation_delivery: Delivery | None
    report_delivery: Delivery | None
    name: str = ""
    rsvp_label: str = ""
    attendance_label: str = ""
    attendance_options: str = ""  # the <option>s of the attendance <select>, this one selected
    invitation_cell: str = ""
    report_cell: str = ""


def meeting_detail(*, meeting: Meeting) -> dict[str, Any]:
    invitations = list(
        meeting.invitations.select_related("contact__organization")
        # 200 rows: only what the list shows, not the contacts' and structures' every column
        .only(
            "meeting_id",
            "contact_id",
            "rsvp",
            "attendance",
            "walk_in",
            "contact__first_name",
            "contact__last_name",
            "contact__organization_id",
            "contact__organization__name",
        )
        .order_by("contact__last_name", "contact__first_name")
    )
    deliveries = list(
        Delivery.objects.filter(topic=meeting.topic)
        .order_by("revision")
        .only("kind", "contact_id", "status", "attempts", "last_error", "to_email", "revision")
    )
    latest: dict[tuple[str, int | None], Delivery] = {}
    for d in deliveries:
        latest[(d.kind, d.contact_id)] = d  # last revision wins
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
    invited_ids = {i.contact_id for i in invitations}
    rows = []
    for i in invitations:
        invited = latest.get(("invitation", i.contact_id))
        reported = latest.get(("report", i.contact_id))
        rows.append(
            InvitationRow(
                i,
                invited,
                reported,
                name=str(i.contact),
                rsvp_label=rsvp_labels[i.rsvp],
                attendance_label=attendance_labels[i.attendance],
                attendance_options=options[i.attendance],
                invitation_cell=cell(
                    invited, empty=_("sans objet") if i.walk_in else _("pas envoyée")
                ),
                report_cell=cell(reported, empty="—"),
            )
        )
    counts = {
        "invited": len(invitations),
        "yes": sum(1 for i in invitations if i.rsvp == Rsvp.YES),
        "no": sum(1 for i in invitations if i.rsvp == Rsvp.NO),
        "present": sum(1 for i in invitations if i.attendance == Attendance.PRESENT),
    }
    by_label: dict[str, int] = {}
    for d in latest.values():
        label = delivery_label(d.kind, d.status)
        by_label[label] = by_label.get(label, 0) + 1
    return {
        "rows": rows,
        "counts": counts,
        "delivery_counts": list(by_label.items()),
        "failed": [d for d in latest.values() if d.status == DeliveryStatus.FAILED],
        # Subscribers get the compte-rendu without being invited: not in the table's rows.
        "extra_report_deliveries": [
            (d.to_email, cell(d, empty=""))
            for (kind, cid), d in latest.items()
            if kind == "report" and cid not in invited_ids
        ],
        "agenda": list(meeting.agenda_items.select_related("organization")),
        "documents": list(meeting.documents.all()),
        "fiches": list(meeting.action_links.select_related("fiche").order_by("fiche__number")),
    }


class _DeliveryCell:
    """A delivery's state as the invitation list shows it: a badge, and why when it failed, was
    not sent, or waits for another attempt."""

    def __init__(self) -> None:
        self.labels = {value: str(label) for value, label in DeliveryStatus.choices}
        self.retry = _("nouvel essai prévu, tentatives")

    def __call__(self, delivery: Delivery | None, *, empty: str) -> str:
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


def meetings_of(*, access: Access) -> QuerySet[Meeting]:
    return scoped(Meeting.objects.all(), access).select_related("group")


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
    opted out of this group's."""
    opted_out = Membership.objects.filter(group_id=meeting.group_id, invitations=False).values(
        "contact_id"
    )
    return (
        Contact.objects.mailable()
        .filter(territory_id=meeting.territory_id, receives_invitations=True)
        .filter(pk__in=meeting.invitations.values("contact_id"))
        .exclude(pk__in=opted_out)
    )


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
    elif meeting.invitations.exists():
        recipients, revision = invitation_recipients(meeting), meeting.sequence
    else:  # the sending fills the list from the group's policy first
        recipients, revision = default_invitees(meeting), meeting.sequence
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
    if contact is None or contact.anonymized_at:
        return _("la personne a été effacée de l'annuaire")
    if contact.unsubscribed_at:
        return _("la personne s'est désinscrite")
    if contact.bounced_at:
        return _("l'adresse est en erreur")
    if contact.left_at or not contact.is_active:
        return _("la personne a quitté sa structure")
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


def delivery_label(kind: str, status: str) -> str:
    """ "Invitations envoyées", "Comptes-rendus en échec"...: a line of the meeting's "Envois"."""
    if status == DeliveryStatus.SENDING:
        status = DeliveryStatus.QUEUED
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
    return labels.get(kind, {}).get(status, f"{kind} · {status}")
