"""Reads for the dashboards: a fixed number of queries whatever the territory's size."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from actions.models import ActionStatus, Contract, FicheAction
from actions.selectors import contract_list
from cls_platform.access import scoped
from cls_platform.models import Access
from partners.models import Contact, Organization
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


def group_healths(access: Access) -> tuple[list[StatusCount], list[GroupHealth]]:
    """Groups per health state, and the fragile or stopped ones with their reasons (stopped
    first): the group query and the six of `groups_health`, whatever the number of groups."""
    groups = scoped(WorkGroup.objects.all(), access).order_by("name")
    healths = list(groups_health(groups).values())
    counts = [
        StatusCount(status=value, label=str(label), count=sum(h.state == value for h in healths))
        for value, label in HealthState.choices
    ]
    unwell = [h for h in healths if h.state != HealthState.ACTIVE]
    unwell.sort(key=lambda h: h.state != HealthState.STOPPED)
    return counts, unwell


def territory_overview(*, access: Access, upcoming: int = 5) -> TerritoryOverview:
    contracts = list(contract_list(access=access))
    organizations = scoped(Organization.objects.filter(archived_at__isnull=True), access).aggregate(
        total=Count("id"), internal=Count("id", filter=Q(is_internal=True))
    )
    contact_count = scoped(Contact.objects.mailable(), access).count()
    status_counts = {
        row["status"]: row["n"]
        for row in scoped(FicheAction.objects.all(), access)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    }
    groups = scoped(WorkGroup.objects.all(), access).aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=GroupStatus.ACTIVE))
    )
    next_meetings = list(
        scoped(Meeting.objects.all(), access)
        .filter(starts_at__gte=timezone.now(), status=MeetingStatus.PLANNED)
        .select_related("group")
        .order_by("starts_at")[:upcoming]
    )
    my_groups: list[WorkGroup] = []
    if access.is_copilot:
        my_groups = list(
            scoped(WorkGroup.objects.all(), access)
            .filter(pilots__user=access.user)
            .distinct()
            .order_by("name")
        )
    health_counts, unwell = group_healths(access)
    today = timezone.localdate()
    open_surveys = list(
        survey_list(access=access).filter(opens_on__lte=today, closes_on__gte=today)
    )
    return TerritoryOverview(
        contracts=contracts,
        organization_count=organizations["total"],
        internal_organization_count=organizations["internal"],
        contact_count=contact_count,
        action_count=sum(status_counts.values()),
        actions_by_status=[
            StatusCount(status=value, label=str(label), count=status_counts.get(value, 0))
            for value, label in ActionStatus.choices
        ],
        group_count=groups["total"],
        active_group_count=groups["active"],
        next_meetings=next_meetings,
        my_groups=my_groups,
        health_counts=health_counts,
        unwell=unwell,
        open_surveys=open_surveys,
    )
