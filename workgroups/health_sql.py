"""The statements of `workgroups.health` written out in SQL: building them with the ORM cost
more than running them. Counted by the database per group and structure, per group and partner
who missed the latest meeting: never a row per invitation."""

from __future__ import annotations

from collections.abc import Iterable

from cls_platform.models import DeliveryStatus

from .models import KIND_REPORT, Attendance


def fill(template: str, *values: Iterable[int | str] | dict[int, int]) -> str:
    """`template` with each `{n}` replaced by the values of `values[n]` written out: ids of
    this database and topics ("meeting:12"), as hundreds of parameters cost more to pass than
    the query to run; "WHEN key THEN value" for a dict (a CASE). An empty list or dict matches
    nothing."""
    parts = []
    for items in values:
        if isinstance(items, dict):
            pairs = (f"WHEN {int(k)} THEN {int(v)}" for k, v in items.items())
            parts.append(" ".join(pairs) or "WHEN NULL THEN NULL")
        else:
            parts.append(", ".join(map(_literal, items)) or "NULL")
    return template.format(*parts)


def _literal(value: int | str) -> str:
    if isinstance(value, int):
        return str(int(value))
    prefix, _sep, pk = value.partition(":")
    if not (prefix.isalpha() and pk.isdigit()):
        raise ValueError(value)
    return f"'{prefix}:{int(pk)}'"


_PRESENT = f"'{Attendance.PRESENT.value}'"
# Per group and structure: how many people came in the last 12 months, how many times anyone
# came before this year. The meetings are named on both sides of the join: with only the
# invitations' side, PostgreSQL hashes the meetings of every territory (40,000 at 1,000
# territories: 22 ms instead of 2).
PRESENCE = f"""
SELECT m.group_id, c.organization_id, o.name,
    COUNT(DISTINCT CASE WHEN i.meeting_id IN ({{0}}) THEN i.contact_id END),
    SUM(CASE WHEN i.meeting_id IN ({{1}}) THEN 1 ELSE 0 END)
FROM workgroups_invitation i
JOIN workgroups_meeting m ON m.id = i.meeting_id
JOIN partners_contact c ON c.id = i.contact_id
LEFT JOIN partners_organization o ON o.id = c.organization_id
WHERE i.attendance = {_PRESENT} AND i.meeting_id IN ({{2}}) AND m.id IN ({{2}})
GROUP BY m.group_id, c.organization_id, o.name"""
SECTORS = """
SELECT os.organization_id, s.name, s.is_health
FROM partners_organization_sectors os JOIN partners_sector s ON s.id = os.sector_id
WHERE os.organization_id IN ({0})"""
# The compte-rendus sent to whoever missed a group's latest meeting recorded.
REPORTS = f"""
SELECT x.meeting_id, d.topic, d.contact_id
FROM workgroups_invitation x JOIN cls_platform_delivery d ON d.contact_id = x.contact_id
WHERE x.meeting_id IN ({{0}}) AND x.attendance <> {_PRESENT}
    AND d.kind = '{KIND_REPORT}' AND d.status = '{DeliveryStatus.SENT.value}' AND d.topic IN ({{1}})"""
# Of them, who came before and may still get the compte-rendus (`Contact.objects.mailable()`,
# receiving them, not opted out of the group's), with the rank of the last meeting they came to.
ABSENTEES = f"""
SELECT * FROM (
    SELECT m.group_id, i.contact_id, c.first_name, c.last_name, o.name,
        MAX(CASE i.meeting_id {{0}} ELSE 1 END) AS came
    FROM workgroups_invitation i
    JOIN workgroups_meeting m ON m.id = i.meeting_id
    JOIN partners_contact c ON c.id = i.contact_id
    LEFT JOIN partners_organization o ON o.id = c.organization_id
    WHERE i.attendance = {_PRESENT} AND i.meeting_id IN ({{1}}) AND m.id IN ({{1}})
        AND i.contact_id IN ({{2}})
        AND c.is_active AND c.receives_reports AND c.left_at IS NULL
        AND c.unsubscribed_at IS NULL AND c.bounced_at IS NULL AND c.anonymized_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM workgroups_membership s
            WHERE s.group_id = m.group_id AND s.contact_id = i.contact_id AND NOT s.reports)
    GROUP BY m.group_id, i.contact_id, c.first_name, c.last_name, o.name
) AS absentee WHERE came <= 0"""
