"""Reads of the groups: their list with each one's health, and a group's page."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q

from cls_platform.access import scoped
from cls_platform.models import Access
from partners.models import Contact

from ..health import group_health, groups_health
from ..models import Attendance, MeetingStatus, WorkGroup


def group_list(*, access: Access) -> list[WorkGroup]:
    groups = list(
        scoped(WorkGroup.objects.all(), access)
        .select_related("contract", "axis")
        .prefetch_related(
            Prefetch("pilots", queryset=Contact.objects.select_related("organization", "successor"))
        )
        .order_by("contract", "name")
    )
    # The pilots read once, for the page and for the health.
    healths = groups_health(groups, pilots={g.pk: list(g.pilots.all()) for g in groups})
    for group in groups:
        group.health = healths[group.pk]
    return groups


# Who came to the group's meetings: the 30 structures that came most (to how many meetings),
# then the sectors (how many people), in one statement written out (the ORM took longer to
# build the two than the database to run them).
_PRESENCE = f"""
SELECT * FROM (
    SELECT 1 AS part, o.name AS name, COUNT(DISTINCT i.meeting_id) AS n
    FROM workgroups_invitation i
    JOIN workgroups_meeting m ON m.id = i.meeting_id
    JOIN partners_contact c ON c.id = i.contact_id
    JOIN partners_organization o ON o.id = c.organization_id
    WHERE m.group_id = %s AND i.attendance = '{Attendance.PRESENT.value}'
    GROUP BY o.name ORDER BY n DESC, o.name LIMIT 30
) AS structures
UNION ALL SELECT * FROM (
    SELECT 2 AS part, s.name AS name, COUNT(DISTINCT i.contact_id) AS n
    FROM workgroups_invitation i
    JOIN workgroups_meeting m ON m.id = i.meeting_id
    JOIN partners_contact c ON c.id = i.contact_id
    JOIN partners_organization_sectors os ON os.organization_id = c.organization_id
    JOIN partners_sector s ON s.id = os.sector_id
    WHERE m.group_id = %s AND i.attendance = '{Attendance.PRESENT.value}'
    GROUP BY s.name
) AS sectors
ORDER BY part, n DESC, name"""


def _presence(group: WorkGroup) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with connection.cursor() as cursor:
        cursor.execute(_PRESENCE, [group.pk, group.pk])
        rows = cursor.fetchall()
    structures = [
        {"contact__organization__name": name, "times": n} for p, name, n in rows if p == 1
    ]
    sectors = [
        {"contact__organization__sectors__name": name, "people": n} for p, name, n in rows if p == 2
    ]
    return structures, sectors


def group_detail(*, group: WorkGroup) -> dict[str, Any]:
    meetings = list(
        group.meetings.annotate(
            present=Count("invitations", filter=Q(invitations__attendance=Attendance.PRESENT)),
            invited=Count("invitations"),
        ).order_by("-starts_at")
    )
    structures, sectors = _presence(group)
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
    pilots = list(
        group.pilots.select_related("organization", "successor").prefetch_related(
            "organization__sectors"
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
        "pilots": pilots,
        # The meetings and pilots read above, not again.
        "health": group_health(group, pilots=pilots, meetings=meetings),
    }
