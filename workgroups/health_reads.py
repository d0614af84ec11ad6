"""What work-group health reads of the database, and how it sums a group's meetings up: the
pilots (with their structure and successor), the meetings, one summary per group
(`_Summary`, computed by PostgreSQL for the tables of many territories), and for a group's
page the people who came, their structures' sectors and the partners who stopped coming
(`_Data.load`). The rules that judge a group from them are in `workgroups.health`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cls_platform.rows import Loader
from partners.models import Contact, Organization

from . import health_sql as sql
from .models import Meeting, MeetingStatus, WorkGroup

TREND_MEETINGS = sql.TREND_MEETINGS
# Plain strings: read for every meeting of every group, the enum members' lookup cost more.
_HELD, _PLANNED = MeetingStatus.HELD.value, MeetingStatus.PLANNED.value

FRAGILE_RHYTHMS, STOPPED_RHYTHMS = 1.5, 2.5
FRAGILE_CAP_DAYS, STOPPED_CAP_DAYS = 456, 730  # 15 and 24 months


@functools.lru_cache(maxsize=64)  # a few targets, read for every group
def silence_limits(target: int) -> tuple[float, float]:
    """Days without a meeting after which the group is fragile, then stopped."""
    rhythm = 365 / max(target, 1)
    return min(FRAGILE_RHYTHMS * rhythm, FRAGILE_CAP_DAYS), min(
        STOPPED_RHYTHMS * rhythm, STOPPED_CAP_DAYS
    )


def _number(value: float) -> str:
    return number_format(round(value, 1), decimal_pos=0 if value == round(value) else 1)


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
