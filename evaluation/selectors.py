"""Reads for the dashboards: a fixed number of queries whatever the territory's size."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from actions.models import READABLE_BY_VIEWERS, ActionStatus, Contract
from actions.selectors import contract_list
from cls_platform.access import scoped
from cls_platform.models import Access
from workgroups.health import GroupHealth, HealthState, groups_health
from workgroups.models import GroupStatus, Meeting, MeetingStatus, WorkGroup

from .surveys.models import Survey
from .surveys.selectors import survey_list


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
    access: Access,
) -> tuple[list[StatusCount], list[GroupHealth], int, list[WorkGroup]]:
    """Groups per health state, the fragile or stopped ones with their reasons (stopped
    first), how many groups are active and those a co-pilot pilots: the groups, their pilots
    and their meetings (`groups_health` for the state and its reasons alone: the page shows no
    notes), two queries whatever the number of groups."""
    groups = list(scoped(WorkGroup.objects.all(), access).order_by("name"))
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
_VIEWER_FICHES = (
    f"AND f.contract_id IN (SELECT id FROM actions_contract WHERE status IN ({_READABLE}))"
)


def territory_counts(access: Access) -> dict[str, int]:
    """How many structures ("n_organizations"), internal ones ("n_internal"), contacts one may
    write to ("n_contacts") and fiches of each status the access reads, in one query."""
    sql = _COUNTS.format(fiches=_VIEWER_FICHES if access.is_viewer else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [access.territory_id] * 4)
        rows = dict(cursor.fetchall())
    names = ["n_organizations", "n_internal", "n_contacts", *ActionStatus.values]
    return {name: rows.get(name, 0) for name in names}


def territory_overview(*, access: Access, upcoming: int = 5) -> TerritoryOverview:
    contracts = list(contract_list(access=access))
    counts = territory_counts(access)
    status_counts = {status: counts[status] for status in ActionStatus.values}
    next_meetings = list(
        scoped(Meeting.objects.all(), access)
        .filter(starts_at__gte=timezone.now(), status=MeetingStatus.PLANNED)
        .select_related("group")
        .only("title", "place", "starts_at", "group__name")  # what group_rows writes
        .order_by("starts_at")[:upcoming]
    )
    health_counts, unwell, active_groups, my_groups = group_healths(access)
    today = timezone.localdate()
    open_surveys = list(
        survey_list(access=access)
        .filter(opens_on__lte=today, closes_on__gte=today)
        .select_related(None)
        .only("title", "closes_on")
    )
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
