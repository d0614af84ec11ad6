"""Reads of the table of all the contracts of a user with several territories (an ARS delegation):
one row per contract they may read, in the same few queries whatever the number of territories.

- The contracts and their territory: one query (`contract_rows`, written out).
- Their last COPIL (with the groups), next milestone (no query), fiches and indicators
  (`actions.progress`, two statements) and the health of the groups (`workgroups.health`, the
  groups then their pilots and meetings) only for the rows that need them: the page shown, or
  every row when the table is sorted by one of them (then only that part for every row) or
  exported. On PostgreSQL the groups, their health (its statements select the groups
  themselves, `OPEN_GROUPS`) and the figures go in one round trip (`_fill`). A thousand
  territories then cost the page one light query and a thousand small objects, not a thousand
  COPIL lookups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from django.db import connection
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from actions.models import READABLE_BY_VIEWERS, Contract, ContractKind, ContractStatus
from actions.progress import ContractFigures, figures_from, figures_statements
from cls_platform.departments import department_label, department_name
from cls_platform.models import Access, Role, User
from workgroups import health_sql as sql
from workgroups.health import HealthState, groups_health, states_from, states_statements
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


# `readable_contracts(user)` with FIELDS, in territory order, written out: the ORM took longer
# to build it than the database to run it (portable: placeholders, for SQLite too).
CONTRACT_ROWS = """
SELECT c.id, c.title, c.kind, c.start_year, c.end_year, c.status, c.signed_on,
    t.name, t.slug, t.insee_code, t.department_code, t.population, t.population_year
FROM actions_contract c JOIN cls_platform_territory t ON t.id = c.territory_id
WHERE EXISTS (SELECT 1 FROM cls_platform_access a
    WHERE a.user_id = %s AND a.territory_id = c.territory_id
        AND (a.role <> %s OR c.status IN ({readable})))
ORDER BY t.name, c.start_year DESC, c.id"""


def contract_rows(*, user: User, copil: bool = False) -> list[ContractRow]:
    """The contracts the user may read, with their territory, in territory order, the most
    recent contract first: one query. With `copil` (the table sorted by it), the day of their
    last COPIL (the latest held meeting of a group of kind COPIL) in the same query; otherwise
    it comes with the page's groups (`fill`), as the milestone, figures and groups do."""
    route = progress_route()
    if not copil:
        if not user.is_authenticated or not user.is_active:
            return []
        readable = [str(status) for status in READABLE_BY_VIEWERS]
        statement = CONTRACT_ROWS.format(readable=", ".join(["%s"] * len(readable)))
        with connection.cursor() as cursor:
            cursor.execute(statement, [user.pk, Role.VIEWER.value, *readable])
            return [ContractRow(*value, route=route) for value in cursor.fetchall()]
    values = readable_contracts(user).order_by("territory__name", "-start_year", "pk")
    values = values.annotate(last_copil=last_held(contract=OuterRef("pk"), kind=GroupKind.COPIL))
    return [
        ContractRow(*value, route=route, last_copil=last_copil, copil_read=True)
        for *value, last_copil in values.values_list(*FIELDS.values(), "last_copil")
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
    two queries whatever the number of rows (one round trip on PostgreSQL)."""
    _fill(rows, today=today, figures=True)


def fill_groups(rows: Iterable[ContractRow], *, today: dt.date | None = None) -> None:
    """The groups of the rows not yet filled, counted by health: the groups and their state
    (`workgroups.health`), one round trip on PostgreSQL whatever the number of rows, groups and
    meetings. The query of the groups reads the last COPIL of the rows too (`last_copil`),
    closed COPILs included.

    Groups that are closed are left out: their work is over, they are neither active nor
    stalled. A group on standby counts as stopped, as everywhere else.
    """
    _fill(rows, today=today, groups=True)


def fill(rows: Iterable[ContractRow], *, today: dt.date | None = None) -> None:
    """Everything a row shows: groups and the last COPIL, figures (on PostgreSQL the groups,
    their health and the figures in one round trip), the milestone."""
    rows = list(rows)
    _fill(rows, today=today, groups=True, figures=True)
    fill_copil(rows, today=today)  # none: read with the groups
    fill_milestones(rows, today=today)


# The groups of the contracts ({0}) with, for a COPIL, the day (in the time zone given) of its
# latest meeting held by now: `WorkGroup.objects.filter(...).annotate(held=...)` written out
# (building the correlated subquery with the ORM cost more than running it), sent with the
# figures' statements.
GROUPS = """
SELECT g.id, g.contract_id, g.kind, g.status, g.target_meetings_per_year,
    CASE WHEN g.kind = %s THEN (SELECT (m.starts_at AT TIME ZONE %s)::date
        FROM workgroups_meeting m
        WHERE m.group_id = g.id AND m.status = %s AND m.starts_at <= %s
        ORDER BY m.starts_at DESC LIMIT 1) END
FROM workgroups_workgroup g WHERE g.contract_id IN ({0})"""


# The open groups of the contracts ({0}), those `fill_groups` counts: selected by the health's
# statements themselves (`states_statements`), sent with the groups' statement.
OPEN_GROUPS = f"""SELECT g.id FROM workgroups_workgroup g
WHERE g.contract_id IN ({{0}}) AND g.status <> '{GroupStatus.CLOSED.value}'"""


class GroupRow(NamedTuple):
    """What the table reads of a group: what `groups_health` reads of one, and its contract
    (four hundred groups a page: a model instance each cost more than their statement)."""

    pk: int
    contract_id: int
    kind: str
    status: str
    target_meetings_per_year: int


def groups_statement(contract_ids: list[int]) -> tuple[str, list[Any]]:
    statement = sql.fill(GROUPS, contract_ids)
    zone = timezone.get_current_timezone_name()
    return statement, [GroupKind.COPIL.value, zone, MeetingStatus.HELD.value, timezone.now()]


def groups_from(rows: list[tuple]) -> list[tuple[GroupRow, dt.date | None]]:
    """The groups of the rows of `groups_statement`, each with its last COPIL held."""
    return [(GroupRow(*row[:-1]), row[-1]) for row in rows]


def _fill(
    rows: Iterable[ContractRow],
    *,
    today: dt.date | None = None,
    groups: bool = False,
    figures: bool = False,
) -> None:
    """The groups (and last COPIL), their health and the figures of the rows not yet filled:
    their statements sent together on PostgreSQL."""
    today = today or timezone.localdate()
    rows = list(rows)
    grouping = {row.pk: row for row in rows if row.groups is None} if groups else {}
    counting = [row for row in rows if row.figures is None] if figures else []
    # The rows as the contracts' periods (`pk`, `start_year`, `end_year`: all the figures read
    # of a contract): fifty model instances cost more than the figures' statements.
    periods: list[Any] = counting
    written = bool(grouping) and connection.vendor == "postgresql"
    statements = [groups_statement(list(grouping))] if written else []
    if written:  # the health of the open groups with them: its statements select the groups
        selected = sql.Raw(sql.fill(OPEN_GROUPS, list(grouping)))
        statements += states_statements(selected, today=today)
    statements += figures_statements(periods, today=today)
    results = sql.results(statements) if statements else []
    if grouping:
        loaded = groups_from(results.pop(0)) if written else None
        health = [results.pop(0), results.pop(0)] if written else None
        _count_groups(grouping, loaded, health, today=today)
    if counting:
        numbers = figures_from(periods, results, today=today)
        for row in counting:
            row.figures = numbers[row.pk]


def _count_groups(
    by_contract: dict[int, ContractRow],
    loaded: list[tuple[GroupRow | WorkGroup, dt.date | None]] | None,
    health: list[list[tuple]] | None,
    *,
    today: dt.date,
) -> None:
    """`loaded`: the groups of the rows with their last COPIL, as `groups_from` reads them, and
    `health` the rows of `states_statements` for their open groups; None to read them here
    (SQLite, where the statement's time zone does not apply)."""
    for row in by_contract.values():
        row.groups = {}
    if loaded is None:
        copil = Case(When(kind=GroupKind.COPIL, then=last_held(pk=OuterRef("pk"))))
        query = WorkGroup.objects.filter(contract_id__in=by_contract).annotate(held=copil)
        loaded = [(group, group.held) for group in query.order_by()]
    groups = []
    for group, held in loaded:
        row = by_contract[group.contract_id]
        if not row.copil_read and held and (not row.last_copil or held > row.last_copil):
            row.last_copil = held
        if group.status != GroupStatus.CLOSED:
            groups.append(group)
    for row in by_contract.values():
        row.copil_read = True
    if health is None:
        healths = groups_health(groups, today=today, details=False)
    else:
        healths = states_from(groups, health, today)
    for group_health in healths.values():
        counts, state = by_contract[group_health.group.contract_id].groups, group_health.state
        counts[state] = counts.get(state, 0) + 1
