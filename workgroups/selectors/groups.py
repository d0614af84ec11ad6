"""Reads of the groups: their list with each one's health, and a group's page."""

from __future__ import annotations

from typing import Any

from actions.models import FicheAction
from cls_platform.access import scoped
from cls_platform.models import Access
from cls_platform.rows import Loader
from partners.models import Contact

from ..health import group_health, groups_health, pilots_from, pilots_statement
from ..health_sql import Raw, results
from ..models import Attendance, Meeting, MeetingStatus, Membership, WorkGroup


def group_list(*, access: Access) -> list[WorkGroup]:
    """The groups, each with its `health` and `pilot_list` (with their structure and
    successor), in two queries (one round trip for the health) whatever their number."""
    groups = list(scoped(WorkGroup.objects.all(), access).order_by("contract", "name"))
    # The list shows each group's state, reasons, meetings of the year and pilots: the same
    # without the notes and figures that never change the state (its page gives them).
    healths = groups_health(groups, details=False)
    for group in groups:
        group.health = healths[group.pk]
        group.pilot_list = group.health.pilots  # read once, for the page and for the health
    return groups


# Who came to the group's meetings: the 30 structures that came most (to how many meetings),
# then the sectors (how many people), in one statement written out (the ORM took longer to
# build the two than the database to run them). The people who came are read once, for both
# (MATERIALIZED): PostgreSQL planned the two joins of five tables in 1 ms to run them in 0.7.
_PRESENCE = f"""
WITH came AS MATERIALIZED (
    SELECT i.meeting_id, i.contact_id, c.organization_id
    FROM workgroups_invitation i JOIN partners_contact c ON c.id = i.contact_id
    WHERE i.meeting_id IN (SELECT id FROM workgroups_meeting WHERE group_id = %s)
        AND i.attendance = '{Attendance.PRESENT.value}'
)
SELECT * FROM (
    SELECT 1 AS part, o.name AS name, COUNT(DISTINCT came.meeting_id) AS n
    FROM came JOIN partners_organization o ON o.id = came.organization_id
    GROUP BY o.name ORDER BY n DESC, o.name LIMIT 30
) AS structures
UNION ALL SELECT * FROM (
    SELECT 2 AS part, s.name AS name, COUNT(DISTINCT came.contact_id) AS n
    FROM came
    JOIN partners_organization_sectors os ON os.organization_id = came.organization_id
    JOIN partners_sector s ON s.id = os.sector_id
    GROUP BY s.name
) AS sectors
ORDER BY part, n DESC, name"""


def _presence(rows: list[tuple]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    structures = [
        {"contact__organization__name": name, "times": n} for p, name, n in rows if p == 1
    ]
    sectors = [
        {"contact__organization__sectors__name": name, "people": n} for p, name, n in rows if p == 2
    ]
    return structures, sectors


# The group's meetings, newest first, each with how many came and were invited; the fiches it
# follows: those of its axis and those its meetings discussed; its members and subscribers with
# their contact. Written out and sent together with the presence above and the pilots, one
# round trip: the ORM took five times longer to build them than the database to run them.
_MEETINGS = """
SELECT {meeting},
    (SELECT COUNT(*) FROM workgroups_invitation i WHERE i.meeting_id = m.id) AS invited
FROM workgroups_meeting m WHERE m.group_id = %s ORDER BY m.starts_at DESC"""
_FICHES = """
SELECT {fiche} FROM actions_ficheaction f
WHERE f.contract_id = %s AND (f.thematic_axis_id = %s OR f.id IN (
    SELECT a.fiche_id FROM workgroups_meetingaction a
    JOIN workgroups_meeting m ON m.id = a.meeting_id WHERE m.group_id = %s))
ORDER BY f.number"""
_MEMBERSHIPS = """
SELECT {membership}, {contact} FROM workgroups_membership ms
JOIN partners_contact c ON c.id = ms.contact_id
WHERE ms.group_id = %s ORDER BY ms.kind, c.last_name"""
# The sectors of the pilots' structures, as the list of pilots names them (by name, Sector's
# order), in the same round trip rather than a prefetch of its own after it.
_PILOT_SECTORS = """
SELECT DISTINCT c.organization_id, s.name
FROM workgroups_workgroup_pilots p JOIN partners_contact c ON c.id = p.contact_id
JOIN partners_organization_sectors os ON os.organization_id = c.organization_id
JOIN partners_sector s ON s.id = os.sector_id
WHERE p.workgroup_id = %s ORDER BY c.organization_id, s.name"""


def group_detail(*, group: WorkGroup) -> dict[str, Any]:
    meeting, fiche = Loader.of(Meeting, "m"), Loader.of(FicheAction, "f")
    membership, contact = Loader.of(Membership, "ms"), Loader.of(Contact, "c")
    meeting_rows, presence_rows, fiche_rows, membership_rows, pilot_rows, sector_rows = results(
        [
            (_MEETINGS.format(meeting=meeting.columns), [group.pk]),
            (_PRESENCE, [group.pk]),
            # No axis: NULL matches no fiche, those of the meetings remain.
            (_FICHES.format(fiche=fiche.columns), [group.contract_id, group.axis_id, group.pk]),
            (
                _MEMBERSHIPS.format(membership=membership.columns, contact=contact.columns),
                [group.pk],
            ),
            (pilots_statement(Raw("%s")), [group.pk]),  # one text for every group
            (_PILOT_SECTORS, [group.pk]),
        ]
    )
    meetings = []
    for row in meeting_rows:
        m = meeting.load(row, 0)
        (m.invited,) = row[meeting.width :]
        m.present = m.present_count  # kept by the database (see Meeting.present_count)
        meetings.append(m)
    structures, sectors = _presence(presence_rows)
    fiches = [fiche.load(row, 0) for row in fiche_rows]
    memberships = []
    for row in membership_rows:
        member = membership.load(row, 0)
        member.contact = contact.load(row, membership.width)
        memberships.append(member)
    pilots = pilots_from(pilot_rows).get(group.pk, [])
    pilot_sectors: dict[int, list[str]] = {}
    for organization_id, name in sector_rows:
        pilot_sectors.setdefault(organization_id, []).append(name)
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
        "pilot_sectors": pilot_sectors,
        # The meetings and pilots read above, not again.
        "health": group_health(group, pilots=pilots, meetings=meetings),
    }
