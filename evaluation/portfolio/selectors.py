"""Reads of the table of all the contracts of a user with several territories (an ARS delegation):
one row per contract they may read, in the same few queries whatever the number of territories.

- The contracts and their territory: one query (`contract_rows`, written out).
- Their last COPIL (with the groups), next milestone (no query), fiches and indicators
  (`actions.progress`, two statements) and the health of the groups (`workgroups.health`, the
  groups then their pilots and meetings) only for the rows that need them: the page shown, or
  every row when the table is sorted by one of them (then only that part for every row) or
  exported. On PostgreSQL the groups with their state's data (a row each, `GROUP_STATES`) and
  the figures go in one round trip (`_fill`). A thousand territories then cost the page one
  light query and a thousand small objects, not a thousand COPIL lookups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from django.core.cache import caches
from django.db import connection
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from actions.models import READABLE_BY_VIEWERS, Contract, ContractKind, ContractStatus
from actions.progress import (
    STANDINGS_CACHE,
    ContractFigures,
    Versioned,
    figures_from,
    figures_statements,
    keep_standings,
    kept_by_contract,
    kept_standings,
)
from cls_platform.departments import department_label, department_name
from cls_platform.models import Access, Role, User
from cls_platform.rows import placeholders
from workgroups import health_sql as sql
from workgroups.health import (
    HealthState,
    groups_health,
    state_of,
    summary_statement,
)
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
    "indicators_version": "indicators_version",
    "groups_version": "groups_version",
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
    indicators_version: int = 0  # its standings kept under it (actions.progress.kept_standings)
    groups_version: int = 0  # its groups' states kept under it (`kept_groups`)
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
ROW_COLUMNS = """c.id, c.title, c.kind, c.start_year, c.end_year, c.status, c.signed_on,
    t.name, t.slug, t.insee_code, t.department_code, t.population, t.population_year,
    c.indicators_version, c.groups_version"""
READABLE = """
FROM actions_contract c JOIN cls_platform_territory t ON t.id = c.territory_id
WHERE EXISTS (SELECT 1 FROM cls_platform_access a
    WHERE a.user_id = %s AND a.territory_id = c.territory_id
        AND (a.role <> %s OR c.status IN ({readable})))
ORDER BY t.name, c.start_year DESC, c.id"""
CONTRACT_ROWS = f"SELECT {ROW_COLUMNS}{READABLE}"
# Of the same contracts, what the table filters and sorts by territory, department or state
# (`ContractKey`): a thousand territories' rows in full, converted and made objects, cost more
# than the page's fifty read again by id with their figures (`CONTRACTS`, `filled_rows`).
CONTRACT_KEYS = f"""SELECT c.id, t.name, t.department_code, c.status, c.territory_id,
    c.start_year, c.end_year, c.indicators_version, c.groups_version{READABLE}"""
CONTRACTS = f"""SELECT {ROW_COLUMNS}
FROM actions_contract c JOIN cls_platform_territory t ON t.id = c.territory_id
WHERE c.id IN ({{0}})"""


class ContractKey(NamedTuple):
    """A contract as the table filters it and sorts it by territory, department or state."""

    pk: int
    territory_name: str
    department_code: str
    status: str
    territory_id: int
    # What the standings of its indicators are kept under (actions.progress.kept_standings).
    start_year: int
    end_year: int
    indicators_version: int
    # What the states of its groups are kept under (`kept_groups`).
    groups_version: int


def _readable(statement: str, user: User) -> list[tuple]:
    if not user.is_authenticated or not user.is_active:
        return []
    readable = [str(status) for status in READABLE_BY_VIEWERS]
    text = statement.format(readable=placeholders(readable))
    # Through `results`: prepared once a connection sent it twice (the same text for everyone).
    (rows,) = sql.results([(text, [user.pk, Role.VIEWER.value, *readable])])
    return rows


def contract_keys(*, user: User) -> list[ContractKey]:
    """`contract_rows` as keys, in the same order: one query."""
    return [ContractKey(*value) for value in _readable(CONTRACT_KEYS, user)]


def contract_rows(*, user: User, copil: bool = False) -> list[ContractRow]:
    """The contracts the user may read, with their territory, in territory order, the most
    recent contract first: one query. With `copil` (the table sorted by it), the day of their
    last COPIL (the latest held meeting of a group of kind COPIL) in the same query; otherwise
    it comes with the page's groups (`fill`), as the milestone, figures and groups do."""
    route = progress_route()
    if not copil:
        return [ContractRow(*value, route=route) for value in _readable(CONTRACT_ROWS, user)]
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


def filled_rows(keys: Sequence[ContractKey], *, today: dt.date | None = None) -> list[ContractRow]:
    """The contracts of `keys` in full, in their order, with everything a row shows (`fill`):
    on PostgreSQL read with their groups and figures, one round trip."""
    if connection.vendor != "postgresql":
        rows = _rows_by_id(keys)
        fill(rows, today=today)
        return rows
    today = today or timezone.localdate()
    ids = [key.pk for key in keys]
    kept = kept_standings(keys, today=today)
    states = kept_groups(keys, today=today)
    statements = [(CONTRACTS.format(placeholders(ids)), ids)] if ids else []
    grouping = [pk for pk in ids if pk not in states]
    statements += _fill_statements(grouping, keys, today=today, kept=kept)
    results = sql.results(statements) if statements else []
    rows = _rows_by_id(keys, results.pop(0) if results else [])
    if len(rows) < len(ids):  # deleted since its key was read: the figures read again
        fill(rows, today=today)
        return rows
    _fill_groups_kept(rows, states)
    _fill_from([row for row in rows if row.pk not in states], rows, results, today=today, kept=kept)
    fill_milestones(rows, today=today)
    return rows


def _rows_by_id(
    keys: Sequence[ContractKey], values: list[tuple] | None = None
) -> list[ContractRow]:
    """The rows of `CONTRACTS` (read here when not given) in the order of `keys`; a contract
    deleted since its key was read is left out."""
    if values is None:
        with connection.cursor() as cursor:
            cursor.execute(CONTRACTS.format(placeholders(keys)), [k.pk for k in keys])
            values = cursor.fetchall()
    route = progress_route()
    by_id = {value[0]: ContractRow(*value, route=route) for value in values}
    return [by_id[key.pk] for key in keys if key.pk in by_id]


# The groups of the contracts ({0}), a row each, with what `health.state_of` reads of one: its
# status and target, whether a pilot's seat is vacant or none is filled ({1}:
# `health_sql.PILOT_SEATS` of the groups; not examined for a closed group) and its meetings
# summed up ({2}: `health.summary_statement`, LATERAL); for a COPIL, closed or not, the day (in
# the time zone given) of its latest meeting held by now. One statement, sent with the
# figures', where the groups, their pilots and their meetings' summaries took three, and four
# hundred groups' pilots, findings and sentences were made in Python to count their states.
GROUP_STATES = f"""
SELECT g.id, g.contract_id, g.status, g.target_meetings_per_year,
    CASE WHEN g.kind = %s THEN (SELECT (m.starts_at AT TIME ZONE %s)::date
        FROM workgroups_meeting m
        WHERE m.group_id = g.id AND m.status = %s AND m.starts_at <= %s
        ORDER BY m.starts_at DESC LIMIT 1) END,
    g.status <> '{GroupStatus.CLOSED.value}' AND (seats.group_id IS NULL OR seats.vacant),
    s.*
FROM workgroups_workgroup g
LEFT JOIN ({{1}}) AS seats (group_id, vacant) ON seats.group_id = g.id
CROSS JOIN LATERAL ({{2}}) AS s
WHERE g.contract_id IN ({{0}})"""
GROUPS_OF = "ARRAY(SELECT id FROM workgroups_workgroup WHERE contract_id IN ({0}))"


def group_states_statement(contract_ids: list[int], *, today: dt.date) -> tuple[str, list[Any]]:
    """`GROUP_STATES` of the contracts, with its parameters: the contracts' ids among them, so
    that its text is the same for every page of fifty contracts (prepared once a connection
    sent it twice: cls_platform.rows.results)."""
    summary, summary_params = summary_statement(today=today)
    ids = sql.Raw(placeholders(contract_ids))
    seats = sql.fill(sql.PILOT_SEATS, sql.Raw(sql.fill(GROUPS_OF, ids)))
    zone = timezone.get_current_timezone_name()
    copil = [GroupKind.COPIL.value, zone, MeetingStatus.HELD.value, timezone.now()]
    statement = sql.fill(GROUP_STATES, ids, sql.Raw(seats), sql.Raw(summary))
    # In the order of the statement's text: the COPIL's, the seats', the summary's, the groups'.
    return statement, [*copil, *contract_ids, *summary_params, *contract_ids]


def _fill(
    rows: Iterable[ContractRow],
    *,
    today: dt.date | None = None,
    groups: bool = False,
    figures: bool = False,
) -> None:
    """The groups (and last COPIL), their states and the figures of the rows not yet filled:
    their statements sent together on PostgreSQL."""
    today = today or timezone.localdate()
    rows = list(rows)
    grouping = [row for row in rows if row.groups is None] if groups else []
    if grouping:
        states = kept_groups([row for row in grouping if not row.copil_read], today=today)
        _fill_groups_kept(grouping, states)
        grouping = [row for row in grouping if row.pk not in states]
    counting = [row for row in rows if row.figures is None] if figures else []
    kept = kept_standings(counting, today=today)
    statements = _fill_statements([row.pk for row in grouping], counting, today=today, kept=kept)
    results = sql.results(statements) if statements else []
    _fill_from(grouping, counting, results, today=today, kept=kept)


def _fill_statements(
    grouping: list[int],
    counting: Sequence[Versioned],
    *,
    today: dt.date,
    kept: dict[int, dict[str, int]],
) -> list:
    """The statements of `_fill` for the contracts whose groups (`grouping`, on PostgreSQL
    only) and figures (`counting`, but the indicators of those `kept`) are wanted."""
    statements = []
    if grouping and connection.vendor == "postgresql":
        statements.append(group_states_statement(grouping, today=today))
    return statements + figures_statements(counting, today=today, kept=kept)


def _fill_from(
    grouping: list[ContractRow],
    counting: list[ContractRow],
    results: list[list[tuple]],
    *,
    today: dt.date,
    kept: dict[int, dict[str, int]],
) -> None:
    """`grouping` and `counting` filled from the `results` of `_fill_statements`."""
    if grouping:
        by_contract = {row.pk: row for row in grouping}
        copil_unread = [row for row in grouping if not row.copil_read]
        for row in grouping:
            row.groups = {}
        if connection.vendor == "postgresql":
            _count_states(by_contract, results.pop(0), today=today)
            keep_groups(copil_unread, today=today)
        else:
            _count_groups(by_contract, today=today)
        for row in grouping:
            row.copil_read = True
    if counting:
        # The rows as the contracts' periods (`pk`, `start_year`, `end_year`: all the figures
        # read of a contract): fifty model instances cost more than the figures' statements.
        numbers = figures_from(counting, results, today=today, kept=kept)
        keep_standings(counting, numbers, today=today, kept=kept)
        for row in counting:
            row.figures = numbers[row.pk]


# The states of a contract's groups on a day (counts by state) and its last COPIL, kept (the
# "figures" cache, beside the indicators' standings) under its `groups_version`, which
# PostgreSQL's triggers move on whenever a group, a meeting, a pilot or a pilot's standing in the
# directory changes (actions/migrations/0010): the groups' states of fifty contracts took
# PostgreSQL a third of the ARS table's page. The states change with the day (a group falls
# silent), hence the day in the key. On PostgreSQL only: elsewhere nothing moves the version.
class GroupsVersioned(Protocol):
    pk: int
    groups_version: int


def _groups_key(contract: GroupsVersioned, today: dt.date) -> str:
    return f"groups:{contract.pk}:{contract.groups_version}:{today.isoformat()}"


def kept_groups(
    contracts: Iterable[GroupsVersioned], *, today: dt.date
) -> dict[int, tuple[dict[str, int], dt.date | None]]:
    """The groups' states and last COPIL kept for `today` of those of the contracts that have
    them, by id (none but on PostgreSQL)."""
    if connection.vendor != "postgresql":
        return {}
    return kept_by_contract(contracts, lambda contract: _groups_key(contract, today))


def keep_groups(rows: Iterable[ContractRow], *, today: dt.date) -> None:
    """Keep for `today` the groups' states and last COPIL of the rows just read from
    `GROUP_STATES` (rows whose last COPIL was read with them, not before)."""
    new = {_groups_key(row, today): (dict(row.groups or {}), row.last_copil) for row in rows}
    if new:
        caches[STANDINGS_CACHE].set_many(new)


def _fill_groups_kept(
    rows: Iterable[ContractRow], states: dict[int, tuple[dict[str, int], dt.date | None]]
) -> None:
    for row in rows:
        if row.pk in states:
            groups, last_copil = states[row.pk]
            row.groups = dict(groups)
            if not row.copil_read:
                row.last_copil, row.copil_read = last_copil, True


def _held_copil(row: ContractRow, held: dt.date | None) -> None:
    if not row.copil_read and held and (not row.last_copil or held > row.last_copil):
        row.last_copil = held


def _count_states(
    by_contract: dict[int, ContractRow], rows: list[tuple], *, today: dt.date
) -> None:
    """The rows of `group_states_statement` counted by state into `by_contract`."""
    closed = GroupStatus.CLOSED.value
    for _pk, contract_id, status, target, held, pilots_missing, *summary in rows:
        row = by_contract[contract_id]
        if held is not None:
            _held_copil(row, held)
        if status != closed:
            state = state_of(status, target, *summary, pilots_missing, today)
            counts = row.groups
            counts[state] = counts.get(state, 0) + 1


def _count_groups(by_contract: dict[int, ContractRow], *, today: dt.date) -> None:
    """`_count_states` read through the ORM and `groups_health` (SQLite, where the statement's
    time zone does not apply)."""
    copil = Case(When(kind=GroupKind.COPIL, then=last_held(pk=OuterRef("pk"))))
    query = WorkGroup.objects.filter(contract_id__in=by_contract).annotate(held=copil)
    groups = []
    for group in query.order_by():
        _held_copil(by_contract[group.contract_id], group.held)
        if group.status != GroupStatus.CLOSED:
            groups.append(group)
    for group_health in groups_health(groups, today=today, details=False).values():
        counts = by_contract[group_health.group.contract_id].groups
        counts[group_health.state] = counts.get(group_health.state, 0) + 1
