"""Reads of the table of all the contracts of a user with several territories (an ARS delegation):
one row per contract they may read, in the same few queries whatever the number of territories.

- The contracts and their territory: one query (`contract_rows`).
- Their last COPIL (one query), next milestone (no query), fiches and indicators
  (`actions.progress.contract_figures`, two queries) and the health of the groups
  (`workgroups.health`, the groups then three queries) only for the rows that need them: the
  page shown, or every row when the table is sorted by one of them (then only that part for
  every row) or exported. A thousand territories then cost the page one light query and a
  thousand small objects, not a thousand COPIL lookups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from actions.models import READABLE_BY_VIEWERS, Contract, ContractKind, ContractStatus
from actions.progress import ContractFigures, contract_figures
from cls_platform.departments import department_label, department_name
from cls_platform.models import Access, Role, User
from workgroups.health import HealthState, groups_health
from workgroups.models import GroupKind, GroupStatus, Meeting, MeetingStatus, WorkGroup


def readable_contracts(user: User) -> QuerySet[Contract]:
    """Every contract of every territory the user has an access to, narrowed as `scoped()`
    narrows each: a signatory (viewer) reads signed and closed contracts only
    (`READABLE_BY_VIEWERS`); coordinators and co-pilots read all their territory's, drafts
    included, as on the territory's own list of contracts."""
    if not user.is_authenticated or not user.is_active:
        return Contract.objects.none()
    access = Access.objects.filter(user=user, territory_id=OuterRef("territory_id"))
    return Contract.objects.filter(
        Exists(access.exclude(role=Role.VIEWER))
        | Q(Exists(access.filter(role=Role.VIEWER)), status__in=READABLE_BY_VIEWERS)
    )


class MilestoneKind:
    MID_TERM = "mid_term"
    FINAL = "final"

    LABELS = {MID_TERM: _("Évaluation à mi-parcours"), FINAL: _("Évaluation finale")}


@dataclass(frozen=True)
class Milestone:
    """The next evaluation of a contract: mid-term at the middle of its period (from 1 January of
    its first year to 31 December of its last), final at the end of its last year."""

    kind: str
    on: dt.date

    @property
    def label(self) -> str:
        return str(MilestoneKind.LABELS[self.kind])

    @property
    def when(self) -> str:
        """ "décembre 2025" for the middle of a period, "fin 2028" for its end."""
        if self.kind == MilestoneKind.FINAL:
            return _("fin %(year)s") % {"year": self.on.year}
        return date_format(self.on, "F Y")


class Period(Protocol):
    start_year: int
    end_year: int


def period_bounds(contract: Period) -> tuple[dt.date, dt.date]:
    return dt.date(contract.start_year, 1, 1), dt.date(contract.end_year, 12, 31)


def next_milestone(contract: Period, *, today: dt.date) -> Milestone | None:
    """The mid-term evaluation until the middle of the period, then the final one until its end;
    None once the period is over."""
    start, end = period_bounds(contract)
    middle = start + (end - start) / 2
    if today <= middle:
        return Milestone(MilestoneKind.MID_TERM, middle)
    if today <= end:
        return Milestone(MilestoneKind.FINAL, end)
    return None


PROGRESS_PAGE = "evaluation:contract_progress"


def progress_route() -> str:
    """The name of the page each row opens: the contract's progress page, or its own page
    while there is no progress page (looked up once per table: a failed reverse is slow)."""
    try:
        reverse(PROGRESS_PAGE, kwargs={"territory": "x", "pk": 1})
    except NoReverseMatch:
        return "actions:contract_detail"
    return PROGRESS_PAGE


# What a row reads, in one query for every contract of the user: plain values rather than
# model instances, which cost most of the page at a thousand territories.
FIELDS = {
    "pk": "pk",
    "title": "title",
    "kind": "kind",
    "start_year": "start_year",
    "end_year": "end_year",
    "status": "status",
    "signed_on": "signed_on",
    "territory_name": "territory__name",
    "territory_slug": "territory__slug",
    "insee_code": "territory__insee_code",
    "department_code": "territory__department_code",
    "population": "territory__population",
    "population_year": "territory__population_year",
}


@dataclass
class ContractRow:
    """One contract of the table, with what the row shows."""

    pk: int
    title: str
    kind: str
    start_year: int
    end_year: int
    status: str
    signed_on: dt.date | None
    territory_name: str
    territory_slug: str
    insee_code: str
    department_code: str
    population: int | None
    population_year: int | None
    route: str = PROGRESS_PAGE  # of the page the row opens (`progress_route`)
    figures: ContractFigures | None = None  # filled by `fill_figures`
    groups: dict[str, int] | None = None  # health state -> open groups, by `fill_groups`
    last_copil: dt.date | None = None  # the day (in Paris) of the last COPIL held
    copil_read: bool = False  # `last_copil` filled by `fill_copil`
    milestone: Milestone | None = None  # filled by `fill_milestones`
    milestone_read: bool = False

    @property
    def url(self) -> str:
        return reverse(self.route, kwargs={"territory": self.territory_slug, "pk": self.pk})

    @property
    def period(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    @property
    def kind_label(self) -> str:
        return str(ContractKind(self.kind).label) if self.kind in ContractKind.values else ""

    @property
    def status_label(self) -> str:
        return (
            str(ContractStatus(self.status).label) if self.status in ContractStatus.values else ""
        )

    @property
    def department_name(self) -> str:
        return department_name(self.department_code)

    @property
    def department_label(self) -> str:
        return department_label(self.department_code)

    @property
    def population_text(self) -> str:
        """ "69 965" (grouped as in French), "" when not recorded."""
        if self.population is None:
            return ""
        return number_format(self.population, force_grouping=True)

    def group_count(self, state: str) -> int:
        return self.groups.get(state, 0) if self.groups else 0

    @property
    def active_groups(self) -> int:
        return self.group_count(HealthState.ACTIVE)

    @property
    def fragile_groups(self) -> int:
        return self.group_count(HealthState.FRAGILE)

    @property
    def stopped_groups(self) -> int:
        return self.group_count(HealthState.STOPPED)

    @property
    def late(self) -> int:
        return self.figures.late if self.figures else 0

    @property
    def late_share(self) -> int:
        return self.figures.share(self.figures.late) if self.figures else 0

    @property
    def in_progress_share(self) -> int:
        return self.figures.share(self.figures.in_progress) if self.figures else 0

    @property
    def on_track_share(self) -> int | None:
        """Indicators reached or on track, in % of those with a target; None without any."""
        figures = self.figures
        if not figures or not figures.measurable:
            return None
        return round(figures.on_track * 100 / figures.measurable)


def last_held(**group: Any) -> Subquery:
    """The day (in Paris) of the latest meeting held of the groups `group` selects (an
    OuterRef)."""
    return Subquery(
        Meeting.objects.filter(
            status=MeetingStatus.HELD,
            starts_at__lte=timezone.now(),
            **{f"group__{key}": value for key, value in group.items()},
        )
        .order_by("-starts_at")
        .values(day=TruncDate("starts_at"))[:1]
    )


def contract_rows(*, user: User, copil: bool = False) -> list[ContractRow]:
    """The contracts the user may read, with their territory, in territory order, the most
    recent contract first: one query. With `copil` (the table sorted by it), the day of their
    last COPIL (the latest held meeting of a group of kind COPIL) in the same query; otherwise
    it comes with the page's groups (`fill`), as the milestone, figures and groups do."""
    values = readable_contracts(user).order_by("territory__name", "-start_year", "pk")
    if copil:
        values = values.annotate(
            last_copil=last_held(contract=OuterRef("pk"), kind=GroupKind.COPIL)
        )
    values = values.values_list(*FIELDS.values(), *(["last_copil"] if copil else []))
    route = progress_route()
    if not copil:
        return [ContractRow(*value, route=route) for value in values]
    return [
        ContractRow(*value, route=route, last_copil=last_copil, copil_read=True)
        for *value, last_copil in values
    ]


def fill_copil(rows: Iterable[ContractRow], *, today: dt.date | None = None) -> None:
    """The last COPIL of the rows that `fill_groups` did not fill (one query, none after it)."""
    by_contract = {row.pk: row for row in rows if not row.copil_read}
    if not by_contract:
        return
    days = (
        Contract.objects.filter(pk__in=by_contract)
        .annotate(day=last_held(contract=OuterRef("pk"), kind=GroupKind.COPIL))
        .values_list("pk", "day")
    )
    for pk, day in days:
        by_contract[pk].last_copil, by_contract[pk].copil_read = day, True


def fill_milestones(rows: Iterable[ContractRow], *, today: dt.date | None = None) -> None:
    """The next evaluation of the rows not yet filled (no query)."""
    today = today or timezone.localdate()
    for row in rows:
        if not row.milestone_read:
            row.milestone, row.milestone_read = next_milestone(row, today=today), True


def fill_figures(rows: Iterable[ContractRow], *, today: dt.date | None = None) -> None:
    """Fiches and indicators of the rows not yet filled (`actions.progress.contract_figures`):
    two queries whatever the number of rows."""
    rows = [row for row in rows if row.figures is None]
    if not rows:
        return
    periods = [Contract(pk=r.pk, start_year=r.start_year, end_year=r.end_year) for r in rows]
    figures = contract_figures(periods, today=today or timezone.localdate())
    for row in rows:
        row.figures = figures[row.pk]


def fill_groups(rows: Iterable[ContractRow], *, today: dt.date | None = None) -> None:
    """The groups of the rows not yet filled, counted by health: four queries (the groups, then
    their state in three) whatever the number of rows, groups and meetings. The query of the
    groups reads the last COPIL of the rows too (`last_copil`), closed COPILs included.

    Groups that are closed are left out: their work is over, they are neither active nor
    stalled. A group on standby counts as stopped, as everywhere else.
    """
    by_contract = {row.pk: row for row in rows if row.groups is None}
    if not by_contract:
        return
    for row in by_contract.values():
        row.groups = {}
    copil = Case(When(kind=GroupKind.COPIL, then=last_held(pk=OuterRef("pk"))))
    groups = []
    for group in (
        WorkGroup.objects.filter(contract_id__in=by_contract).annotate(held=copil).order_by()
    ):
        row = by_contract[group.contract_id]
        if (
            not row.copil_read
            and group.held
            and (not row.last_copil or group.held > row.last_copil)
        ):
            row.last_copil = group.held
        if group.status != GroupStatus.CLOSED:
            groups.append(group)
    for row in by_contract.values():
        row.copil_read = True
    for health in groups_health(groups, today=today, details=False).values():
        counts = by_contract[health.group.contract_id].groups
        counts[health.state] = counts.get(health.state, 0) + 1


def fill(rows: Iterable[ContractRow], *, today: dt.date | None = None) -> None:
    """Everything a row shows: groups and the last COPIL (four queries), the milestone, figures
    (two queries)."""
    rows = list(rows)
    fill_groups(rows, today=today)
    fill_copil(rows, today=today)  # none: read with the groups
    fill_milestones(rows, today=today)
    fill_figures(rows, today=today)
