"""Reads of the groups: their list with each one's health, and a group's page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q

from cls_platform.access import scoped
from cls_platform.models import Access
from partners.models import Contact

from ..health import group_health, groups_health
from ..models import Attendance, Invitation, MeetingStatus, WorkGroup


def group_list(*, access: Access) -> list[WorkGroup]:
    groups = list(
        scoped(WorkGroup.objects.all(), access)
        .select_related("contract", "axis")
        .prefetch_related(
            Prefetch("pilots", queryset=Contact.objects.select_related("organization"))
        )
        .order_by("contract", "name")
    )
    healths = groups_health(groups)
    for group in groups:
        group.health = healths[group.pk]
    return groups


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
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
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
        "health": group_health(group),
    }
