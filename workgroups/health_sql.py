"""The statements of `workgroups.health` written out in SQL: building them with the ORM cost
more than running them. Counted by the database per group and structure, per group and partner
who missed the latest meeting: never a row per invitation. `details` fills the four of them and
`results` sends them at once, one round trip (each reads the meetings named in it, none another
statement's result); `cls_platform.rows.Loader` makes model instances from their rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cls_platform.models import DeliveryStatus
from cls_platform.rows import results  # noqa: F401  (where the statements here are run)

from .models import KIND_REPORT, Attendance, MeetingStatus

TREND_MEETINGS = 3  # how many meetings recorded a trend compares with as many before


class Raw(str):
    """SQL written by the code (a subquery, "SELECT id FROM ..."), that `fill` puts as is where
    it writes out a list of ids."""


def fill(template: str, *values: Iterable[int | str | dt.date] | dict[int, int] | Raw) -> str:
    """`template` with each `{n}` replaced by the values of `values[n]` written out: ids of
    this database, topics ("meeting:12") and days (`date`), as hundreds of parameters
    cost more to pass than the query to run; "WHEN key THEN value" for a dict (a CASE); `Raw`
    SQL as is. An empty list or dict matches nothing."""
    parts = []
    for items in values:
        if isinstance(items, Raw):
            parts.append(items)
        elif isinstance(items, dict):
            pairs = (f"WHEN {int(k)} THEN {int(v)}" for k, v in items.items())
            parts.append(" ".join(pairs) or "WHEN NULL THEN NULL")
        else:
            parts.append(", ".join(map(_literal, items)) or "NULL")
    return template.format(*parts)


def _literal(value: int | str | dt.date) -> str:
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"DATE '{value.isoformat()}'"
    prefix, _sep, pk = value.partition(":")
    if not (prefix.isalpha() and pk.isdigit()):
        raise ValueError(value)
    return f"'{prefix}:{int(pk)}'"


_PRESENT = f"'{Attendance.PRESENT.value}'"

# The pilots of the groups ({0}) with their structure and successor (their columns filled by
# `str.format` afterwards: {{contact}}, {{organization}}, {{successor}}), in the directory's order.
PILOTS = """
SELECT p.workgroup_id, {{contact}}, {{organization}}, {{successor}}
FROM workgroups_workgroup_pilots p
JOIN partners_contact c ON c.id = p.contact_id
LEFT JOIN partners_organization o ON o.id = c.organization_id
LEFT JOIN partners_contact s ON s.id = c.successor_id
WHERE p.workgroup_id IN ({0})
ORDER BY c.last_name, c.first_name, c.id"""


# The meetings of the groups ({0}) not cancelled, oldest first: the day in the time zone given
# as parameter, computed by the database (converting thousands of datetimes in Python cost more
# than the query, many territories), how many came as the meeting keeps it (`present_count`,
# maintained by triggers: no read of the invitations at all).
MEETINGS = f"""
SELECT m.id, m.group_id, (m.starts_at AT TIME ZONE %s)::date, m.status, m.present_count
FROM workgroups_meeting m
WHERE m.group_id IN ({{0}}) AND m.status <> '{MeetingStatus.CANCELLED.value}'
ORDER BY m.starts_at, m.id"""
# The meetings of the group `g` (the caller's) summed up as `health_reads._Summary` reads them,
# on the day {0} in the time zone given as parameter (each %s): of those held (marked held,
# starting before {1}, the next day, there), the last and first days, how many from {2} (364
# days before {0}), how many came to the last 2 * TREND_MEETINGS recorded (someone present),
# the latest first; the next planned day from {0}. One row (of NULLs, 0 and an empty list for a
# group without meetings) per group rather than one per meeting, for the state alone of the
# groups of many territories. Joined LATERAL, each group's meetings read in the order of the
# index on (group, start, id), the latest first, which `ARRAY_AGG` keeps (the order of its
# input): no sort of all the groups' meetings, none per group. The days' limits are converted
# once, not every meeting's start (that cost more than the rest of the statement).
SUMMARY = f"""
SELECT (MAX(m.starts_at) FILTER (WHERE m.held) AT TIME ZONE %s)::date,
    (MIN(m.starts_at) FILTER (WHERE m.held) AT TIME ZONE %s)::date,
    COUNT(*) FILTER (WHERE m.held AND m.starts_at >= ({{2}}::timestamp AT TIME ZONE %s)),
    (MIN(m.starts_at) FILTER (WHERE m.status = '{MeetingStatus.PLANNED.value}'
        AND m.starts_at >= ({{0}}::timestamp AT TIME ZONE %s)) AT TIME ZONE %s)::date,
    COALESCE((ARRAY_AGG(m.present_count) FILTER (WHERE m.held AND m.present_count > 0))
        [1:{2 * TREND_MEETINGS}], '{{{{}}}}')
FROM (
    SELECT starts_at, status, present_count,
        status = '{MeetingStatus.HELD.value}'
            AND starts_at < ({{1}}::timestamp AT TIME ZONE %s) AS held
    FROM workgroups_meeting
    WHERE group_id = g.id
        AND status IN ('{MeetingStatus.HELD.value}', '{MeetingStatus.PLANNED.value}')
    ORDER BY starts_at DESC, id DESC
) AS m"""
# `SUMMARY` for each of the groups ({0}), after its id.
SUMMARIES = """
SELECT g.id, s.* FROM workgroups_workgroup g CROSS JOIN LATERAL ({1}) AS s
WHERE g.id IN ({0})"""
# The pilots' seats of the groups ({0}) as `health._pilots` finds them, a row per group with
# pilots: whether one is vacant (fragile), a pilot who left their structure, is inactive or
# erased and whose successor does not pilot the group. A group without a row has no pilot at
# all (fragile too). For the state alone of the groups of many territories (`health.state_of`),
# joined to the caller's groups: one pass over their pilots rather than two lookups a group.
# The successor is looked up in the pilots' unique index, for a pilot who left only: "OFFSET 0"
# keeps PostgreSQL from turning the NOT EXISTS into a hash of every group's pilots of the
# instance (16,000 at 1,000 territories, 3 of the ARS table's 17 ms, and growing with them).
# The groups come as an array ({0}: ARRAY(SELECT id ...)), made before the pilots are read:
# given as a subquery, PostgreSQL may read every pilot of the instance and hash the groups rather
# than look the groups' pilots up in their index (the ARS table's statement, 1,000 territories:
# 0.8 ms of 10 faster this way with the application's random_page_cost, 1 to 2 ms with
# PostgreSQL's default).
PILOT_SEATS = """
SELECT p.workgroup_id,
    BOOL_OR(NOT (c.is_active AND c.left_at IS NULL AND c.anonymized_at IS NULL)
        AND NOT EXISTS (SELECT 1 FROM workgroups_workgroup_pilots q
            WHERE q.workgroup_id = p.workgroup_id AND q.contact_id = c.successor_id OFFSET 0))
FROM workgroups_workgroup_pilots p JOIN partners_contact c ON c.id = p.contact_id
WHERE p.workgroup_id = ANY({0})
GROUP BY p.workgroup_id"""
# Per group ({0}: each meeting's group, a CASE) and structure: how many people came in the last
# 12 months ({1}), how many times anyone came before this year ({2}), to the meetings held
# ({3}). The group read from the CASE rather than by joining the meetings: that join cost more
# than the count itself, and made PostgreSQL expect a hundredth of the rows.
PRESENCE = f"""
SELECT CASE i.meeting_id {{0}} END, c.organization_id, o.name,
    COUNT(DISTINCT CASE WHEN i.meeting_id IN ({{1}}) THEN i.contact_id END),
    SUM(CASE WHEN i.meeting_id IN ({{2}}) THEN 1 ELSE 0 END)
FROM workgroups_invitation i
JOIN partners_contact c ON c.id = i.contact_id
LEFT JOIN partners_organization o ON o.id = c.organization_id
WHERE i.attendance = {_PRESENT} AND i.meeting_id IN ({{3}})
GROUP BY CASE i.meeting_id {{0}} END, c.organization_id, o.name"""
# The sectors of the structures of the people present in the last 12 months ({0}).
SECTORS = f"""
SELECT os.organization_id, s.name, s.is_health
FROM partners_organization_sectors os JOIN partners_sector s ON s.id = os.sector_id
WHERE os.organization_id IN (
    SELECT c.organization_id FROM workgroups_invitation i
    JOIN partners_contact c ON c.id = i.contact_id
    WHERE i.attendance = {_PRESENT} AND i.meeting_id IN ({{0}}))"""
# The compte-rendus ({1}: "meeting:12") sent to whoever missed a group's latest meeting recorded
# ({0}).
_REPORTED = f"""
FROM workgroups_invitation x JOIN cls_platform_delivery d ON d.contact_id = x.contact_id
WHERE x.meeting_id IN ({{0}}) AND x.attendance <> {_PRESENT}
    AND d.kind = '{KIND_REPORT}' AND d.status = '{DeliveryStatus.SENT.value}' AND d.topic IN ({{1}})"""
REPORTS = f"SELECT x.meeting_id, d.topic, d.contact_id{_REPORTED}"
# Of them, who came before and may still get the compte-rendus (`Contact.objects.mailable()`,
# receiving them, not opted out of the group's), with the rank ({2}: a CASE) of the last meeting
# held ({3}) they came to, and the group ({4}: each meeting's, a CASE). The group read from the
# CASE rather than by joining the meetings: a table fewer to plan (planning took PostgreSQL
# twenty times longer than running the statement, and a third less without it), and no
# hashing of the meetings of every territory (40,000 at 1,000 territories), as a join on the
# invitations' side alone did. Who opted out of the group's compte-rendus is checked once per
# partner and group, after counting.
ABSENTEES = f"""
SELECT * FROM (
    SELECT CAST(CASE i.meeting_id {{4}} END AS bigint) AS group_id, i.contact_id,
        c.first_name, c.last_name, o.name, MAX(CASE i.meeting_id {{2}} ELSE 1 END) AS came
    FROM workgroups_invitation i
    JOIN partners_contact c ON c.id = i.contact_id
    LEFT JOIN partners_organization o ON o.id = c.organization_id
    WHERE i.attendance = {_PRESENT} AND i.meeting_id IN ({{3}})
        AND i.contact_id IN (SELECT d.contact_id{_REPORTED})
        AND c.is_active AND c.receives_reports AND c.left_at IS NULL
        AND c.unsubscribed_at IS NULL AND c.bounced_at IS NULL AND c.anonymized_at IS NULL
    GROUP BY 1, i.contact_id, c.first_name, c.last_name, o.name
) AS absentee
WHERE came <= 0 AND NOT EXISTS (SELECT 1 FROM workgroups_membership s
    WHERE s.group_id = absentee.group_id AND s.contact_id = absentee.contact_id
        AND NOT s.reports)"""


def details(
    *,
    groups: dict[int, int],
    held: list[int],
    window: list[int],
    before: list[int],
    latest: list[int],
    rank: dict[int, int],
) -> list[str]:
    """`PRESENCE`, `SECTORS`, `REPORTS` and `ABSENTEES` filled: `groups` the group of each
    meeting `held`, `window` those of the last 12 months, `before` those before this year,
    `latest` each group's latest recorded, `rank` each recorded meeting's rank (see
    `_Data.load`). None needs another's result: `results` runs them in one round trip."""
    topics = [f"meeting:{pk}" for pk in held]
    return [
        fill(PRESENCE, groups, window, before, held),
        fill(SECTORS, window),
        fill(REPORTS, latest, topics),
        fill(ABSENTEES, latest, topics, rank, held, groups),
    ]
