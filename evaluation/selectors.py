"""Reads for the dashboards: a fixed number of queries whatever the territory's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from actions.models import READABLE_BY_VIEWERS, ActionStatus, Contract
from cls_platform.access import scoped
from cls_platform.models import Access
from cls_platform.rows import Loader
from workgroups.health import GroupHealth, HealthState, groups_health
from workgroups.health_sql import results
from workgroups.models import GroupStatus, Meeting, MeetingStatus, WorkGroup

from .surveys.models import Survey


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class TerritoryOverview:
    contracts: list[Contract]
    organization_count: int
    internal_organization_count: int
    contact_count: int
    action_count: int
    actions_by_status: list[StatusCount]
    group_count: int
    active_group_count: int
    next_meetings: list[Meeting]
    my_groups: list[WorkGroup] = field(default_factory=list)
    health_counts: list[StatusCount] = field(default_factory=list)  # groups per health state
    unwell: list[GroupHealth] = field(default_factory=list)  # the fragile and stopped groups
    open_surveys: list[Survey] = field(default_factory=list)  # with `invited` and `answered`


def group_healths(
    access: Access, groups: list[WorkGroup] | None = None
) -> tuple[list[StatusCount], list[GroupHealth], int, list[WorkGroup]]:
    """Groups per health state, the fragile or stopped ones with their reasons (stopped
    first), how many groups are active and those a co-pilot pilots: of the `groups` read by
    `territory_overview` (else read here), their pilots and their meetings (`groups_health` for
    the state and its reasons alone: the page shows no notes)."""
    if groups is None:
        groups = list(scoped(WorkGroup.objects.all(), access).order_by("name", "pk"))
    healths = list(groups_health(groups, details=False).values())  # with their pilots
    mine = [h.group for h in healths if any(p.user_id == access.user_id for p in h.pilots)]
    counts = [
        StatusCount(status=value, label=str(label), count=sum(h.state == value for h in healths))
        for value, label in HealthState.choices
    ]
    unwell = [h for h in healths if h.state != HealthState.ACTIVE]
    unwell.sort(key=lambda h: h.state != HealthState.STOPPED)
    active = sum(g.status == GroupStatus.ACTIVE for g in groups)
    return counts, unwell, active, mine if access.is_copilot else []


# The structures (and the internal ones), the contacts one may write to and the fiches per
# status, as (name, count) rows of one statement written out: built with the ORM, its
# subqueries cost more to compile than the database takes to run them. It repeats the rules of
# `Contact.objects.mailable()` and of a viewer's fiches (those of signed contracts, `{fiches}`);
# tests/evaluation/test_dashboard.py holds the figures to those of the ORM.
_COUNTS = """
SELECT 'n_organizations', COUNT(*) FROM partners_organization
    WHERE territory_id = %s AND archived_at IS NULL
UNION ALL SELECT 'n_internal', COUNT(*) FROM partners_organization
    WHERE territory_id = %s AND archived_at IS NULL AND is_internal
UNION ALL SELECT 'n_contacts', COUNT(*) FROM partners_contact
    WHERE territory_id = %s AND is_active AND left_at IS NULL AND unsubscribed_at IS NULL
        AND bounced_at IS NULL AND anonymized_at IS NULL
UNION ALL SELECT f.status, COUNT(*) FROM actions_ficheaction f
    WHERE f.territory_id = %s {fiches}
    GROUP BY f.status"""
_READABLE = ", ".join(f"'{status.value}'" for status in READABLE_BY_VIEWERS)


def _signed(column: str, access: Access) -> str:
    """A viewer's rule, nothing for the other roles: the row's contract (`column`) signed or
    closed, among the territory's (named: else PostgreSQL hashes the contracts of every
    territory, 1,000 of them at 1,000 territories)."""
    if not access.is_viewer:
        return ""
    return (
        f"AND {column} IN (SELECT id FROM actions_contract "
        f"WHERE territory_id = {int(access.territory_id)} AND status IN ({_READABLE}))"
    )


def territory_counts(access: Access) -> dict[str, int]:
    """How many structures ("n_organizations"), internal ones ("n_internal"), contacts one may
    write to ("n_contacts") and fiches of each status the access reads, in one query."""
    (rows,) = results([_counts_statement(access)])
    return _counts_from(rows)


def _counts_statement(access: Access) -> tuple[str, list[Any]]:
    sql = _COUNTS.format(fiches=_signed("f.contract_id", access))
    return sql, [access.territory_id] * 4


def _counts_from(rows: list[tuple]) -> dict[str, int]:
    counts = dict(rows)
    names = ["n_organizations", "n_internal", "n_contacts", *ActionStatus.values]
    return {name: counts.get(name, 0) for name in names}


# The other reads of the page, written out for the same reason and sent with the counts in one
# round trip (`health_sql.results`): the contracts with their fiches and axes counted, the next
# meetings planned with their group's name, the groups, the campaigns open today with how many
# were asked and how many answered. Each repeats the rules of the queryset it replaced
# (`scoped`: the territory, and for a viewer the signed contracts, `{signed}`; the orders of
# `contract_list` and `survey_list`); tests/evaluation/test_dashboard.py holds them to those.
_CONTRACTS = """
SELECT {columns},
    (SELECT COUNT(*) FROM actions_ficheaction f WHERE f.contract_id = c.id),
    (SELECT COUNT(*) FROM actions_axis a WHERE a.contract_id = c.id)
FROM actions_contract c
WHERE c.territory_id = %s {signed}
ORDER BY c.start_year DESC, c.end_year DESC, c.kind, c.title, c.id"""
_NEXT_MEETINGS = f"""
SELECT {{columns}}, w.name FROM workgroups_meeting m
JOIN workgroups_workgroup w ON w.id = m.group_id
WHERE m.territory_id = %s AND m.starts_at >= %s AND m.status = '{MeetingStatus.PLANNED.value}'
    {{signed}}
ORDER BY m.starts_at, m.id LIMIT %s"""
_GROUPS = """
SELECT {columns} FROM workgroups_workgroup w
WHERE w.territory_id = %s {signed}
ORDER BY w.name, w.id"""
_OPEN_SURVEYS = """
SELECT {columns},
    (SELECT COUNT(*) FROM evaluation_surveyinvitation i WHERE i.survey_id = s.id),
    (SELECT COUNT(*) FROM evaluation_surveyinvitation i
        WHERE i.survey_id = s.id AND i.submitted_at IS NOT NULL)
FROM evaluation_survey s
WHERE s.territory_id = %s AND s.opens_on <= %s AND s.closes_on >= %s {signed}
ORDER BY s.opens_on DESC, s.id DESC"""


def territory_overview(*, access: Access, upcoming: int = 5) -> TerritoryOverview:
    """What the dashboard shows of the territory, in two round trips on PostgreSQL whatever its
    size: the contracts, counts, next meetings, groups and open campaigns together, then the
    groups' health."""
    territory, ops = access.territory_id, connection.ops
    day = ops.adapt_datefield_value(timezone.localdate())
    contract = Loader.of(Contract, "c")
    meeting = Loader.of(Meeting, "m", "id", "group_id", "title", "starts_at", "place")
    group = Loader.of(WorkGroup, "w")
    survey = Loader.of(Survey, "s", "id", "title", "closes_on")
    contract_rows, count_rows, meeting_rows, group_rows, survey_rows = results(
        [
            (
                _CONTRACTS.format(
                    columns=contract.columns,
                    signed=f"AND c.status IN ({_READABLE})" if access.is_viewer else "",
                ),
                [territory],
            ),
            _counts_statement(access),
            (
                _NEXT_MEETINGS.format(
                    columns=meeting.columns, signed=_signed("w.contract_id", access)
                ),
                [territory, ops.adapt_datetimefield_value(timezone.now()), upcoming],
            ),
            (
                _GROUPS.format(columns=group.columns, signed=_signed("w.contract_id", access)),
                [territory],
            ),
            (
                _OPEN_SURVEYS.format(
                    columns=survey.columns, signed=_signed("s.contract_id", access)
                ),
                [territory, day, day],
            ),
        ]
    )
    contracts = []
    for row in contract_rows:
        c = contract.load(row, 0)
        c.action_count, c.axis_count = row[contract.width :]
        contracts.append(c)
    counts = _counts_from(count_rows)
    status_counts = {status: counts[status] for status in ActionStatus.values}
    next_meetings = []
    for row in meeting_rows:
        m = meeting.load(row, 0)
        m.group = WorkGroup.from_db(connection.alias, ["id", "name"], [m.group_id, row[-1]])
        next_meetings.append(m)
    groups = [group.load(row, 0) for row in group_rows]
    health_counts, unwell, active_groups, my_groups = group_healths(access, groups)
    open_surveys = []
    for row in survey_rows:
        s = survey.load(row, 0)
        s.invited, s.answered = row[survey.width :]
        open_surveys.append(s)
    return TerritoryOverview(
        contracts=contracts,
        organization_count=counts["n_organizations"],
        internal_organization_count=counts["n_internal"],
        contact_count=counts["n_contacts"],
        action_count=sum(status_counts.values()),
        actions_by_status=[
            StatusCount(status=value, label=str(label), count=status_counts[value])
            for value, label in ActionStatus.choices
        ],
        group_count=sum(c.count for c in health_counts),
        active_group_count=active_groups,
        next_meetings=next_meetings,
        my_groups=my_groups,
        health_counts=health_counts,
        unwell=unwell,
        open_surveys=open_surveys,
    )
