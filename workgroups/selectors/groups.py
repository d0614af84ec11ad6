"""Reads of the groups: their list with each one's health, and a group's page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cls_platform.access import scoped
from cls_platform.models import Access
from partners.models import Contact

from ..models import Attendance, GroupStatus, Invitation, MeetingStatus, WorkGroup


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
