"""Work-group health that warns before a group stops: computed from what the meetings record,
never stored, for every group of a territory in six statements and two round trips that count
rather than read every invitation (`groups_health`); for the groups of many territories at once
(the table of all the contracts of an ARS delegation), the state alone in two statements and one
round trip, the meetings summed up by the database, a row per group (`groups_health(...,
details=False)`, `states_statements` for a caller that sends them with its own).

Measured against the group's own rhythm, `target_meetings_per_year` (at least one), that is a
meeting every `365 / target` days:
- silence since the last meeting held: fragile past 1.5 rhythms (the expected meeting is half a
  period late), stopped past 2.5 (two expected meetings missing), capped at 15 and 24 months.
  4 a year: fragile after 4.5 months, stopped after 7.5; 2 a year: 9 and 15; 1 a year: 15 and
  24. A group that never met with nothing scheduled is fragile.
- meetings held in the last 12 months: under half the target (prorated while the first meeting
  is less than a year old) is fragile; under the target only is noted (Vitry's co-pilots adapt).
- attendance at the last meetings recorded (up to 3) against as many before: down 30 % or more
  is fragile, up 20 % or more is noted.
- a pilot who left their structure, is inactive or erased, and whose successor does not pilot
  the group: a vacant seat, fragile; so is a group without pilots.
- on standby: stopped; closed: stopped, and nothing else is examined.
- partners who stopped coming: came once at least, then missed the last two meetings (or every
  one since, for longer than the "stopped" silence), were invited to the latest, got the
  compte-rendu of a meeting they missed and may still get them. Nothing records that a
  compte-rendu was opened or read (its PDF link logs nothing, a feed's `last_fetched_at` is a
  calendar polling): "still reading" is "still invited and still receiving them". Noted, not a
  state: Cergy sends them on purpose to those who cannot come.
Only meetings marked held count (recording attendance or sending the compte-rendu does it); a
past meeting left "programmée" is noted. Structures, sectors and the share of participants from
outside health are those of the people present in the last 12 months; a new structure came this
calendar year and never before.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection, models
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cls_platform.rows import Loader
from partners.models import Contact, Organization

from . import health_sql as sql
from .models import (
    GroupStatus,
    Meeting,
    MeetingStatus,
    WorkGroup,
)

FRAGILE_RHYTHMS, STOPPED_RHYTHMS = 1.5, 2.5
FRAGILE_CAP_DAYS, STOPPED_CAP_DAYS = 456, 730  # 15 and 24 months
TREND_MEETINGS, TREND_DOWN, TREND_UP = sql.TREND_MEETINGS, 0.7, 1.2
NAMES_SHOWN = 5
DAY = dt.timedelta(days=1)
# Plain strings: read for every meeting of every group, the enum members' lookup cost more.
_HELD, _PLANNED = MeetingStatus.HELD.value, MeetingStatus.PLANNED.value


class HealthState(models.TextChoices):
    """The overall state: that of the most serious finding."""

    ACTIVE = "active", gettext_lazy("actif")
    FRAGILE = "fragile", gettext_lazy("fragile")
    STOPPED = "stopped", gettext_lazy("à l'arrêt")


RANK = {HealthState.ACTIVE: 0, HealthState.FRAGILE: 1, HealthState.STOPPED: 2}
_ACTIVE, _FRAGILE, _STOPPED = HealthState.ACTIVE, HealthState.FRAGILE, HealthState.STOPPED


@dataclass(frozen=True)
class Drifter:
    """A partner who stopped coming and still receives the compte-rendus; for coordinators
    (viewers read the count and the structures in `notes`)."""

    contact_id: int
    name: str
    organization: str
    last_came_on: dt.date


@dataclass(slots=True)  # thousands for a table sorted by the groups' states
class GroupHealth:
    """A group's health on `today`: its state, the sentences that explain it (`reasons`, most
    serious first), what is worth knowing without changing it (`notes`), and the figures."""

    group: WorkGroup
    today: dt.date
    target: int
    held_last_year: int = 0
    last_held_on: dt.date | None = None
    next_planned_on: dt.date | None = None
    present_recent: float | None = None  # mean presence at the last meetings recorded
    present_earlier: float | None = None  # and at as many before
    trend: str = ""  # "hausse", "stable", "baisse"; "" with fewer than two meetings recorded
    structures: list[str] = field(default_factory=list)  # present in the last 12 months
    sectors: list[str] = field(default_factory=list)
    participants: int = 0  # distinct people present in the last 12 months
    outside_health: int = 0  # of whom from structures outside the health sector
    new_structures: list[str] = field(default_factory=list)  # first came this calendar year
    pilots: list[Contact] = field(default_factory=list)  # with their structure and successor
    vacant_pilots: list[Contact] = field(default_factory=list)
    drifters: list[Drifter] = field(default_factory=list)
    findings: list[tuple[str, str]] = field(default_factory=list)  # (state, sentence)

    @property
    def state(self) -> str:
        levels = [level for level, _t in self.findings]  # read for every group of a table
        return _STOPPED if _STOPPED in levels else _FRAGILE if _FRAGILE in levels else _ACTIVE

    @property
    def label(self) -> str:
        return str(HealthState(self.state).label)

    @property
    def reasons(self) -> list[str]:
        serious = [f for f in self.findings if f[0] != HealthState.ACTIVE]
        return [text for _l, text in sorted(serious, key=lambda f: -RANK[f[0]])]

    @property
    def notes(self) -> list[str]:
        return [text for level, text in self.findings if level == HealthState.ACTIVE]

    @property
    def months_since_last(self) -> int | None:
        return months_between(self.last_held_on, self.today) if self.last_held_on else None

    @property
    def outside_health_share(self) -> float | None:
        return self.outside_health / self.participants if self.participants else None

    def add(self, level: str, text: str) -> None:
        self.findings.append((level, text))


def months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


@functools.lru_cache(maxsize=64)  # a few targets, read for every group
def silence_limits(target: int) -> tuple[float, float]:
    """Days without a meeting after which the group is fragile, then stopped."""
    rhythm = 365 / max(target, 1)
    return min(FRAGILE_RHYTHMS * rhythm, FRAGILE_CAP_DAYS), min(
        STOPPED_RHYTHMS * rhythm, STOPPED_CAP_DAYS
    )


def rhythm_words(target: int) -> str:
    """How often the group means to meet, ending "le groupe se réunit en principe …"."""
    target = max(target, 1)
    if target == 1:
        return _("une fois par an")
    if 12 % target:
        return _("%(n)s fois par an") % {"n": target}
    return _("tous les mois") if target == 12 else _("tous les %(n)s mois") % {"n": 12 // target}


def _day(value: dt.date) -> str:
    return date_format(value, "j F Y")


def _number(value: float) -> str:
    return number_format(round(value, 1), decimal_pos=0 if value == round(value) else 1)


def _sorted(names: Iterable[str]) -> list[str]:
    """In dictionary order: "Éducation" between "Culture" and "Jeunesse"."""
    return _sorted_by(names, lambda n: n)


def _sorted_by(items: Iterable, name: Callable[[Any], str]) -> list:
    return sorted(items, key=lambda i: _dictionary_key(name(i)))


@functools.lru_cache(maxsize=4096)  # the same structures come back group after group
def _dictionary_key(name: str) -> str:
    return unicodedata.normalize("NFKD", name.casefold())


def _names(names: list[str]) -> str:
    more = len(names) - NAMES_SHOWN
    tail = ngettext(" et %(n)s autre", " et %(n)s autres", more) % {"n": more} if more > 0 else ""
    return ", ".join(names[:NAMES_SHOWN]) + tail


def groups_health(
    groups: Iterable[WorkGroup],
    *,
    today: dt.date | None = None,
    details: bool = True,
    pilots: Mapping[int, list[Contact]] | None = None,
    meetings: Mapping[int, Iterable[Meeting]] | None = None,
) -> dict[int, GroupHealth]:
    """The health of each group on `today` (default: today in Paris), by group id: two round
    trips (the pilots and the meetings, then four statements) whatever the number of groups,
    meetings and people.

    `details=False` is for tables of many territories: the same state and the same reasons, in
    two statements (one round trip) that sum each group's meetings up (`_Summary`: on
    PostgreSQL by the database, a row per group) and read how many came rather than who did;
    the figures and notes that never change the state (structures, sectors and participants of
    the year, new structures, partners who stopped coming, the next meeting, meetings left
    unrecorded) are left out.

    A page that read them already gives, by group id, the `pilots` (with their structure and
    successor) and the `meetings` (each with `present`, how many came): a query fewer each.
    Of a group, only its `pk`, `status` and `target_meetings_per_year` are read: a table of
    many territories may pass rows holding those rather than model instances (`health.group`
    is then that row).
    """
    groups = list(groups)
    if not groups:
        return {}
    today = today or timezone.localdate()
    ids = [g.pk for g in groups]
    if pilots is None and meetings is None and connection.vendor == "postgresql":
        if not details:  # both read in one round trip, the meetings summed up by the database
            return states_from(groups, sql.results(states_statements(ids, today=today)), today)
        # Both read in one round trip.
        pilot_rows, meeting_rows = sql.results(
            [pilots_statement(ids), _Data.meetings_statement(ids)]
        )
        given = {"pilots": pilots_from(pilot_rows), "meetings": _Data.meetings_from(meeting_rows)}
    else:
        given = {
            "pilots": dict(pilots) if pilots is not None else pilots_by_group(ids),
            "meetings": _Data.given(meetings) if meetings is not None else _Data._meetings(ids),
        }
    if not details:
        summaries = {pk: _summary(rows, today) for pk, rows in given["meetings"].items()}
        data = _Data(meetings={}, summaries=summaries, pilots=given["pilots"])
        return {g.pk: _assess(g, data, today, details=False) for g in groups}
    data = _Data.load(groups, today, **given)
    return {g.pk: _assess(g, data, today) for g in groups}


def states_statements(ids: list[int] | sql.Raw, *, today: dt.date) -> list[tuple[str, list]]:
    """The statements of `groups_health(..., details=False)` on PostgreSQL: the pilots and each
    group's meetings summed up (`_Summary`), for the groups `ids`, or those a subquery written
    by the caller selects (`sql.Raw`, "SELECT id FROM ..."), so that a caller sends them with
    its own statements, one round trip; `states_from` reads their rows."""
    return [
        (pilots_statement(ids), []),
        (
            sql.fill(sql.SUMMARIES, ids, [today], [today + DAY], [today - dt.timedelta(days=364)]),
            [timezone.get_current_timezone_name()] * sql.SUMMARIES.count("%s"),
        ),
    ]


def states_from(
    groups: Iterable[WorkGroup], rows: list[list[tuple]], today: dt.date
) -> dict[int, GroupHealth]:
    """`groups_health(groups, today=today, details=False)` from the rows of
    `states_statements` (the groups it selected may be more than `groups`)."""
    pilot_rows, summary_rows = rows
    summaries = {pk: _Summary(*row) for pk, *row in summary_rows}
    data = _Data(meetings={}, summaries=summaries, pilots=pilots_from(pilot_rows))
    return {g.pk: _assess(g, data, today, details=False) for g in groups}


def group_health(
    group: WorkGroup,
    *,
    today: dt.date | None = None,
    pilots: list[Contact] | None = None,
    meetings: Iterable[Meeting] | None = None,
) -> GroupHealth:
    """One group's health; `pilots` and `meetings` as `groups_health` takes them."""
    healths = groups_health(
        [group],
        today=today,
        pilots=None if pilots is None else {group.pk: pilots},
        meetings=None if meetings is None else {group.pk: meetings},
    )
    return healths[group.pk]


def pilots_by_group(ids: list[int]) -> dict[int, list[Contact]]:
    """The pilots of the groups `ids` with their structure and successor, by group id, in the
    directory's order as on the group pages: what `groups_health` takes as `pilots`, in one
    query, written out (the ORM took twenty times longer to build it than the database to run
    it)."""
    (rows,) = sql.results([pilots_statement(ids)])
    return pilots_from(rows)


def pilots_statement(ids: list[int] | sql.Raw) -> str:
    """The statement of `pilots_by_group`, for a caller that sends it with others."""
    contact, organization = Loader.of(Contact, "c"), Loader.of(Organization, "o")
    successor = Loader.of(Contact, "s")
    return sql.fill(sql.PILOTS, ids).format(
        contact=contact.columns, organization=organization.columns, successor=successor.columns
    )


def pilots_from(rows: list[tuple]) -> dict[int, list[Contact]]:
    """`pilots_by_group` from the rows of `pilots_statement`."""
    contact, organization = Loader.of(Contact, "c"), Loader.of(Organization, "o")
    successor = Loader.of(Contact, "s")
    pilots: dict[int, list[Contact]] = defaultdict(list)
    for group_id, *row in rows:
        person = contact.load(row, 0)
        person.organization = organization.load(row, contact.width)
        person.successor = successor.load(row, contact.width + organization.width)
        pilots[group_id].append(person)
    return dict(pilots)


class _Meeting(NamedTuple):
    """A meeting as health reads it (a tuple: two thousand of them for a table of many
    territories, where a class instance each cost more than reading them)."""

    pk: int
    day: dt.date
    status: str
    attended: int = 0  # how many came


class _Summary(NamedTuple):
    """What the state reads of a group's meetings (`_summary`): of those held (marked held, on
    `today` at the latest), the last and first days, how many in the last 12 months, how many
    came to the last recorded (held with someone present), up to `2 * TREND_MEETINGS` of them,
    the latest first; the next planned day from `today`. On PostgreSQL the database sums the
    meetings up (`health_sql.SUMMARIES`, a row per group rather than one per meeting)."""

    last_held: dt.date | None = None
    first_held: dt.date | None = None
    held_last_year: int = 0
    next_planned: dt.date | None = None
    attended: Sequence[int] = ()


NO_MEETING = _Summary()


def _held(meetings: list[_Meeting], today: dt.date) -> list[_Meeting]:
    """The meetings that count as held: marked held, on `today` at the latest."""
    return [m for m in meetings if m.status == _HELD and m.day <= today]


def _summary(meetings: list[_Meeting], today: dt.date, held: list | None = None) -> _Summary:
    """`meetings` (oldest first) summed up; `held`: `_held(meetings, today)`, when known."""
    held = _held(meetings, today) if held is None else held
    if not held:
        planned = [m.day for m in meetings if m.status == _PLANNED and m.day >= today]
        return _Summary(next_planned=min(planned, default=None))
    year_ago = today - dt.timedelta(days=365)
    recorded = [m.attended for m in held if m.attended]
    return _Summary(
        last_held=held[-1].day,
        first_held=held[0].day,
        # Lists rather than generators: four hundred groups a table, each resumed once a meeting.
        held_last_year=len([m for m in held if m.day > year_ago]),
        next_planned=min(
            [m.day for m in meetings if m.status == _PLANNED and m.day >= today], default=None
        ),
        attended=recorded[: -2 * TREND_MEETINGS - 1 : -1],
    )


@dataclass(frozen=True)
class _Presence:
    """Who came to a group's meetings held, by structure (`org_id` None: people without one)."""

    org_id: int | None
    name: str
    people: int  # distinct people present in the last 12 months
    before: int  # presences before this calendar year


class _Words:
    """`gettext` and `ngettext` remembered for one call of `groups_health` (one language): the
    same sentences come back group after group, and each lookup searches every catalog."""

    def __init__(self) -> None:
        self.known: dict[tuple, str] = {}

    def gettext(self, message: str) -> str:
        key = (message,)
        if key not in self.known:
            self.known[key] = _(message)
        return self.known[key]

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        key = (singular, plural, n)
        if key not in self.known:
            self.known[key] = ngettext(singular, plural, n)
        return self.known[key]

    def number(self, value: float) -> str:
        """`_number`, remembered: the same means come back (a locale's format read each time)."""
        key = (value, "number")
        if key not in self.known:
            self.known[key] = _number(value)
        return self.known[key]


@dataclass
class _Data:
    meetings: dict[int, list[_Meeting]]  # by group, oldest first
    summaries: dict[int, _Summary] = field(default_factory=dict)  # by group, without details
    presence: dict[int, list[_Presence]] = field(default_factory=dict)  # by group
    sectors: dict[int, tuple[set[str], bool]] = field(default_factory=dict)  # by structure id
    pilots: dict[int, list[Contact]] = field(default_factory=dict)
    # By group: who missed its latest meeting recorded, came before, may still get the
    # compte-rendus: (contact id, first name, last name, structure, the index among the
    # meetings recorded of the last one they came to).
    absentees: dict[int, list[tuple]] = field(default_factory=dict)
    reports: set[tuple[int, int]] = field(default_factory=set)  # (meeting id, contact id) sent
    i18n: _Words = field(default_factory=_Words)

    @staticmethod
    def _meetings(ids: list[int]) -> dict[int, list[_Meeting]]:
        meetings: dict[int, list[_Meeting]] = defaultdict(list)
        if connection.vendor == "postgresql":
            # Written out: the ORM took ten times longer to build the statement than the
            # database to run it.
            (rows,) = sql.results([_Data.meetings_statement(ids)])
            return _Data.meetings_from(rows)
        rows = (
            Meeting.objects.filter(group_id__in=ids)
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("starts_at", "pk")
        )
        for pk, group_id, *row in rows.values_list(
            "pk", "group_id", TruncDate("starts_at"), "status", "present_count"
        ):
            meetings[group_id].append(_Meeting(pk, *row))
        return meetings

    @staticmethod
    def meetings_statement(ids: list[int]) -> tuple[str, list[str]]:
        """`_meetings` on PostgreSQL: the statement and its parameter, the time zone."""
        return sql.fill(sql.MEETINGS, ids), [timezone.get_current_timezone_name()]

    @staticmethod
    def meetings_from(rows: list[tuple]) -> dict[int, list[_Meeting]]:
        meetings: dict[int, list[_Meeting]] = defaultdict(list)
        for pk, group_id, day, status, attended in rows:
            meetings[group_id].append(_Meeting(pk, day, status, attended))
        return meetings

    @staticmethod
    def given(meetings: Mapping[int, Iterable[Meeting]]) -> dict[int, list[_Meeting]]:
        """`_meetings` from meetings read by the caller, each with `present`."""
        return {
            group_id: [
                _Meeting(m.pk, timezone.localdate(m.starts_at), m.status, m.present)
                for m in sorted(rows, key=lambda m: (m.starts_at, m.pk))
                if m.status != MeetingStatus.CANCELLED
            ]
            for group_id, rows in meetings.items()
        }

    @classmethod
    def load(
        cls,
        groups: list[WorkGroup],
        today: dt.date,
        *,
        meetings: dict[int, list[_Meeting]],
        pilots: dict[int, list[Contact]],
    ) -> _Data:
        """Counted by the database per group and structure, per group and partner who missed
        the latest meeting: never a row per invitation. In SQL written out (health_sql.py), over
        the `meetings` read first and named by their ids: those held, in the last 12 months,
        before this calendar year."""
        year_ago, new_year = today - dt.timedelta(days=365), dt.date(today.year, 1, 1)
        held, window, before, latest, rank, last = {}, [], [], {}, {}, {}
        for group in groups:
            recorded = []
            for m in meetings.get(group.pk, []):
                if m.status == MeetingStatus.HELD and m.day <= today:
                    held[m.pk] = group.pk
                    window += [m.pk] if m.day > year_ago else []
                    before += [m.pk] if m.day < new_year else []
                    recorded += [m] if m.attended else []
            if not recorded:
                continue
            latest[recorded[-1].pk] = group.pk
            # Who came last to recorded[i] stopped coming if they missed two meetings since or
            # stayed away longer than the "stopped" silence, that is i <= last[group]: the
            # database keeps those whose highest rank i - last[group] is 0 at most.
            stopped = silence_limits(group.target_meetings_per_year)[1]
            away = [i for i, m in enumerate(recorded) if (today - m.day).days > stopped]
            last[group.pk] = max(len(recorded) - 3, away[-1] if away else -1)
            rank.update((m.pk, i - last[group.pk]) for i, m in enumerate(recorded))
        presence: dict[int, list[_Presence]] = defaultdict(list)
        sectors: dict[int, tuple[set[str], bool]] = {}
        reports, missed = set(), set()
        absentees: dict[int, list[tuple]] = defaultdict(list)
        statements = sql.details(
            groups=held,
            held=list(held),
            window=window,
            before=before,
            latest=list(latest),
            rank=rank,
        )
        presence_rows, sector_rows, report_rows, absentee_rows = sql.results(statements)
        for group_id, *row in presence_rows:
            presence[group_id].append(_Presence(*row))
        for org_id, name, is_health in sector_rows:
            names, health = sectors.get(org_id, (set(), False))
            sectors[org_id] = (names | ({name} if name else set()), health or bool(is_health))
        for latest_id, topic, contact_id in report_rows:
            reports.add((int(topic.partition(":")[2]), contact_id))
            missed.add((latest[latest_id], contact_id))
        for group_id, contact_id, first_name, last_name, org, came in absentee_rows:
            if (group_id, contact_id) in missed:
                row = (contact_id, first_name, last_name, org, came + last[group_id])
                absentees[group_id].append(row)
        return cls(
            meetings=dict(meetings),
            presence=dict(presence),
            sectors=sectors,
            pilots=pilots,
            absentees=dict(absentees),
            reports=reports,
        )


def _assess(group: WorkGroup, data: _Data, today: dt.date, *, details: bool = True) -> GroupHealth:
    health = GroupHealth(
        group=group,
        today=today,
        target=group.target_meetings_per_year,
        pilots=data.pilots.get(group.pk, []),
    )
    if group.status == GroupStatus.CLOSED:
        health.add(HealthState.STOPPED, data.i18n.gettext("Le groupe est clos."))
        return health
    if group.status == GroupStatus.STANDBY:
        text = data.i18n.gettext("Le groupe a été mis en veille.")
        health.add(HealthState.STOPPED, text)
    if details:
        meetings = data.meetings.get(group.pk, [])
        held = _held(meetings, today)
        summary = _summary(meetings, today, held)
    else:
        summary = data.summaries.get(group.pk, NO_MEETING)
    health.held_last_year = summary.held_last_year
    health.last_held_on = summary.last_held
    health.next_planned_on = summary.next_planned
    if details:  # meetings left unrecorded: a note only
        year_ago = today - dt.timedelta(days=365)
        unrecorded = [m for m in meetings if m.status == _PLANNED and year_ago < m.day < today]
        _silence(health, summary, unrecorded, data.i18n)
    else:
        _silence(health, summary, [], data.i18n, details=False)
    _pilots(health, health.pilots, data.i18n)
    _attendance(health, summary.attended, data.i18n, details=details)
    if details:  # notes only: the state stays what the findings above made it (and so in
        # `_silence`, where the dates written out cost most of a table of many territories)
        _participants(health, data)
        _drifters(health, data, [m for m in held if m.attended])
    return health


def _silence(
    health: GroupHealth,
    summary: _Summary,
    unrecorded: list[_Meeting],
    i18n: _Words,
    *,
    details: bool = True,
) -> None:
    today, target = health.today, health.target
    if unrecorded and details:
        text = i18n.ngettext(
            "La réunion du %(days)s n'a ni présences ni compte-rendu : elle ne compte pas comme "
            "tenue.",
            "Les réunions du %(days)s n'ont ni présences ni compte-rendu : elles ne comptent pas "
            "comme tenues.",
            len(unrecorded),
        )
        health.add(HealthState.ACTIVE, text % {"days": ", ".join(_day(m.day) for m in unrecorded)})
    if health.next_planned_on and details:
        text = i18n.gettext("Prochaine réunion programmée le %(day)s.")
        health.add(HealthState.ACTIVE, text % {"day": _day(health.next_planned_on)})
    last = summary.last_held
    if last is None:
        if not health.next_planned_on:
            text = i18n.gettext(
                "Le groupe ne s'est encore jamais réuni et aucune réunion n'est programmée."
            )
            health.add(HealthState.FRAGILE, text)
        return
    fragile, stopped = silence_limits(target)
    silent = (today - last).days
    if silent > stopped:
        text = i18n.gettext(
            "Plus de réunion depuis %(months)s mois (la dernière le %(day)s) pour un groupe qui "
            "se réunit en principe %(rhythm)s : au moins deux réunions manquent."
        )
        health.add(HealthState.STOPPED, text % _silence_words(last, today, target))
    elif silent > fragile:
        text = i18n.gettext(
            "Pas de réunion depuis %(months)s mois (la dernière le %(day)s), alors que le groupe "
            "se réunit en principe %(rhythm)s."
        )
        health.add(HealthState.FRAGILE, text % _silence_words(last, today, target))
    elif target and health.group.status == GroupStatus.ACTIVE and health.held_last_year < target:
        count = health.held_last_year
        # The target is prorated while the group's first meeting is less than a year old.
        expected = target * min(1, (today - summary.first_held).days / 365)
        level = HealthState.FRAGILE if count * 2 < expected else HealthState.ACTIVE
        if level == HealthState.ACTIVE and not details:
            return
        text = i18n.ngettext(
            "%(n)s réunion tenue sur les douze derniers mois",
            "%(n)s réunions tenues sur les douze derniers mois",
            count,
        ) % {"n": count}
        text += i18n.ngettext(", pour %(n)s visée.", ", pour %(n)s visées.", target) % {"n": target}
        health.add(level, text)


def _silence_words(last: dt.date, today: dt.date, target: int) -> dict[str, object]:
    """The words of a silence's finding: written out only for one (dates cost)."""
    return {
        "months": months_between(last, today),
        "day": _day(last),
        "rhythm": rhythm_words(target),
    }


def _pilots(health: GroupHealth, pilots: list[Contact], i18n: _Words) -> None:
    if not pilots:
        health.add(HealthState.FRAGILE, i18n.gettext("Aucun pilote ni co-pilote n'est désigné."))
        return
    ids = {p.pk for p in pilots}
    for person in pilots:
        if person.is_active and not (person.left_at or person.anonymized_at):
            continue
        if person.successor_id in ids:
            continue  # the successor took the seat
        seat = (
            i18n.gettext("Poste de co-pilote vacant")
            if len(pilots) > 1
            else i18n.gettext("Poste de pilote vacant")
        )
        org = person.organization
        words = {
            "seat": seat,
            "who": f"{person.full_name} ({org.name})" if org else person.full_name,
            "day": _day(person.left_at) if person.left_at else "",
            "successor": person.successor.full_name if person.successor else "",
        }
        if person.anonymized_at:
            text = i18n.gettext("%(seat)s : la personne a été effacée de l'annuaire.")
        elif person.left_at and person.successor:
            text = i18n.gettext(
                "%(seat)s : %(who)s a quitté sa structure le %(day)s ; son successeur, "
                "%(successor)s, ne pilote pas encore le groupe."
            )
        elif person.left_at:
            text = i18n.gettext(
                "%(seat)s : %(who)s a quitté sa structure le %(day)s et personne ne lui a succédé."
            )
        else:
            text = i18n.gettext("%(seat)s : la fiche de %(who)s est désactivée dans l'annuaire.")
        health.vacant_pilots.append(person)
        health.add(HealthState.FRAGILE, text % words)
    if len(health.vacant_pilots) == len(pilots) > 1:
        text = i18n.gettext("Plus aucun pilote en poste : personne ne porte le groupe.")
        health.add(HealthState.FRAGILE, text)


def _attendance(
    health: GroupHealth, attended: Sequence[int], i18n: _Words, *, details: bool = True
) -> None:
    """`attended`: how many came to the last meetings recorded, the latest first."""
    n = min(TREND_MEETINGS, len(attended) // 2)
    if not n:
        return
    recent = sum(attended[:n]) / n
    earlier = sum(attended[n : 2 * n]) / n
    health.present_recent, health.present_earlier = recent, earlier
    if recent <= earlier * TREND_DOWN:
        health.trend, level, way = "baisse", HealthState.FRAGILE, i18n.gettext("baisse")
    elif recent >= earlier * TREND_UP:
        health.trend = "hausse"
        if not details:  # a note: the state stays what it is
            return
        level, way = HealthState.ACTIVE, i18n.gettext("progresse")
    else:
        health.trend = "stable"
        return
    text = i18n.ngettext(
        "La participation %(way)s : %(recent)s présent·e·s à la dernière réunion, contre "
        "%(earlier)s à la précédente.",
        "La participation %(way)s : %(recent)s présent·e·s en moyenne aux %(n)s dernières "
        "réunions, contre %(earlier)s aux %(n)s précédentes.",
        n,
    )
    words = {"way": way, "n": n, "recent": i18n.number(recent), "earlier": i18n.number(earlier)}
    health.add(level, text % words)


def _participants(health: GroupHealth, data: _Data) -> None:
    rows = data.presence.get(health.group.pk, [])
    health.participants = sum(row.people for row in rows)
    window = [row for row in rows if row.org_id and row.people]
    health.structures = _sorted(row.name for row in window)
    sectors = [data.sectors.get(row.org_id, (set(), False)) for row in window]
    health.sectors = _sorted(set().union(*(names for names, _h in sectors)))
    # Outside the health sector: from a structure with sectors, none of them health.
    health.outside_health = sum(
        row.people
        for row, (names, is_health) in zip(window, sectors, strict=True)
        if names and not is_health
    )
    if health.participants and not health.outside_health:
        text = _("Aucun participant d'un secteur autre que la santé sur les douze derniers mois.")
        health.add(HealthState.ACTIVE, text)
    health.new_structures = _sorted(row.name for row in rows if row.org_id and not row.before)
    if health.new_structures:
        count = len(health.new_structures)
        text = ngettext(
            "%(n)s nouvelle structure cette année : %(names)s.",
            "%(n)s nouvelles structures cette année : %(names)s.",
            count,
        )
        health.add(HealthState.ACTIVE, text % {"n": count, "names": _names(health.new_structures)})


def _drifters(health: GroupHealth, data: _Data, recorded: list[_Meeting]) -> None:
    _fragile, stopped = silence_limits(health.target)
    for contact_id, first_name, last_name, org, came in data.absentees.get(health.group.pk, []):
        last, missed = recorded[came], recorded[came + 1 :]
        if len(missed) < 2 and (health.today - last.day).days <= stopped:
            continue
        if any((m.pk, contact_id) in data.reports for m in missed):
            name = f"{first_name} {last_name}".strip()
            health.drifters.append(Drifter(contact_id, name, org or "", last.day))
    if health.drifters:
        health.drifters = _sorted_by(health.drifters, lambda d: d.name)
        count = len(health.drifters)
        text = ngettext(
            "%(n)s partenaire ne vient plus aux réunions mais reçoit toujours les comptes-rendus",
            "%(n)s partenaires ne viennent plus aux réunions mais reçoivent toujours les "
            "comptes-rendus",
            count,
        ) % {"n": count}
        structures = _sorted({d.organization for d in health.drifters if d.organization})
        health.add(HealthState.ACTIVE, text + (f" ({_names(structures)})." if structures else "."))
