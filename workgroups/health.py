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

What health reads of the database, the summary of a group's meetings and the silence limits are
in `workgroups.health_reads`; the findings, their words and the state are here.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partners.models import Contact

from . import health_sql as sql
from .health_reads import (
    _PLANNED,
    NO_MEETING,
    TREND_MEETINGS,
    _Data,
    _held,
    _Meeting,
    _Summary,
    _summary,
    _Words,
    pilots_by_group,
    pilots_from,
    pilots_statement,
    silence_limits,
)
from .models import GroupStatus, Meeting, WorkGroup

TREND_DOWN, TREND_UP = 0.7, 1.2
NAMES_SHOWN = 5
DAY = dt.timedelta(days=1)


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
    return [(pilots_statement(ids), []), summaries_statement(ids, today=today)]


def summaries_statement(ids: list[int] | sql.Raw, *, today: dt.date) -> tuple[str, list]:
    """`health_sql.SUMMARIES` for the groups `ids` (or a subquery, `sql.Raw`) on `today`, with
    its parameters: a row per group, `_Summary`'s fields after the group's id."""
    summary, params = summary_statement(today=today)
    return sql.fill(sql.SUMMARIES, ids, sql.Raw(summary)), params


def summary_statement(*, today: dt.date) -> tuple[str, list]:
    """`health_sql.SUMMARY` on `today` with its parameters: `_Summary`'s fields of the group
    `g`, for a caller that joins it LATERAL to its own groups."""
    summary = sql.fill(sql.SUMMARY, [today], [today + DAY], [today - dt.timedelta(days=364)])
    return summary, [timezone.get_current_timezone_name()] * sql.SUMMARY.count("%s")


def state_of(
    status: str,
    target: int,
    last_held: dt.date | None,
    first_held: dt.date | None,
    held_last_year: int,
    next_planned: dt.date | None,
    attended: Sequence[int],
    pilots_missing: bool,
    today: dt.date,
) -> str:
    """The state alone, as `groups_health` finds it, without a word of its reasons: for a table
    that counts the groups of many territories by state (four hundred a page). The group's
    meetings summed up as `_Summary` holds them (a row of `health_sql.SUMMARY`, taken as it
    comes); `pilots_missing`: no pilot, or a seat vacant as `_pilots` finds it
    (`health_sql.PILOT_SEATS`)."""
    if status != _ACTIVE_GROUP:  # on standby or closed: stopped, whatever else is found
        return _STOPPED
    verdict = silence_verdict(last_held, first_held, held_last_year, next_planned, target, today)
    if verdict == STOPPED_SILENCE:
        return _STOPPED
    if verdict in _FRAGILE_VERDICTS or pilots_missing:
        return _FRAGILE
    return _FRAGILE if attendance_trend(attended)[3] == "baisse" else _ACTIVE


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
    # The meetings held against the target count for an active group only.
    held = summary.held_last_year if health.group.status == GroupStatus.ACTIVE else None
    verdict = silence_verdict(
        summary.last_held, summary.first_held, held, summary.next_planned, target, today
    )
    last = summary.last_held
    if verdict == NEVER_MET:
        text = i18n.gettext(
            "Le groupe ne s'est encore jamais réuni et aucune réunion n'est programmée."
        )
        health.add(HealthState.FRAGILE, text)
    elif verdict == STOPPED_SILENCE:
        text = i18n.gettext(
            "Plus de réunion depuis %(months)s mois (la dernière le %(day)s) pour un groupe qui "
            "se réunit en principe %(rhythm)s : au moins deux réunions manquent."
        )
        health.add(HealthState.STOPPED, text % _silence_words(last, today, target))
    elif verdict == FRAGILE_SILENCE:
        text = i18n.gettext(
            "Pas de réunion depuis %(months)s mois (la dernière le %(day)s), alors que le groupe "
            "se réunit en principe %(rhythm)s."
        )
        health.add(HealthState.FRAGILE, text % _silence_words(last, today, target))
    elif verdict == FEW_MEETINGS or (verdict == FEW_NOTED and details):
        count = health.held_last_year
        level = HealthState.FRAGILE if verdict == FEW_MEETINGS else HealthState.ACTIVE
        text = i18n.ngettext(
            "%(n)s réunion tenue sur les douze derniers mois",
            "%(n)s réunions tenues sur les douze derniers mois",
            count,
        ) % {"n": count}
        text += i18n.ngettext(", pour %(n)s visée.", ", pour %(n)s visées.", target) % {"n": target}
        health.add(level, text)


# What the time since the last meeting held says of a group (`silence_verdict`).
NEVER_MET = "never"  # never met, nothing planned: fragile
STOPPED_SILENCE = "stopped"  # silent past the "stopped" limit of its rhythm
FRAGILE_SILENCE = "fragile"  # past the "fragile" limit
FEW_MEETINGS = "few"  # held in the last 12 months under half its target (prorated): fragile
FEW_NOTED = "few-noted"  # under its target only: a note
_FRAGILE_VERDICTS = (NEVER_MET, FRAGILE_SILENCE, FEW_MEETINGS)
_ACTIVE_GROUP = GroupStatus.ACTIVE.value


def silence_verdict(
    last_held: dt.date | None,
    first_held: dt.date | None,
    held_last_year: int | None,
    next_planned: dt.date | None,
    target: int,
    today: dt.date,
) -> str:
    """The rule on the silence and the meetings of the last 12 months, "" when neither says
    anything: `_silence` writes its finding out, `state_of` reads its level alone. The
    meetings held against the target are not counted when `held_last_year` is None (a group
    that is not active)."""
    if last_held is None:
        return "" if next_planned else NEVER_MET
    fragile, stopped = silence_limits(target)
    silent = (today - last_held).days
    if silent > stopped:
        return STOPPED_SILENCE
    if silent > fragile:
        return FRAGILE_SILENCE
    if target and held_last_year is not None and held_last_year < target:
        # The target is prorated while the group's first meeting is less than a year old.
        expected = target * min(1, (today - first_held).days / 365)
        return FEW_MEETINGS if held_last_year * 2 < expected else FEW_NOTED
    return ""


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
    n, recent, earlier, trend = attendance_trend(attended)
    if not n:
        return
    health.present_recent, health.present_earlier, health.trend = recent, earlier, trend
    if trend == "baisse":
        level, way = HealthState.FRAGILE, i18n.gettext("baisse")
    elif trend == "hausse" and details:  # a note: the state stays what it is
        level, way = HealthState.ACTIVE, i18n.gettext("progresse")
    else:
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


def attendance_trend(attended: Sequence[int]) -> tuple[int, float, float, str]:
    """How many came to the last `n` meetings recorded (`attended`, the latest first) against
    as many before, on average: (n, recent, earlier, "baisse", "hausse" or "stable"); n = 0 and
    "" with fewer than two."""
    n = min(TREND_MEETINGS, len(attended) // 2)
    if not n:
        return 0, 0.0, 0.0, ""
    recent = sum(attended[:n]) / n
    earlier = sum(attended[n : 2 * n]) / n
    if recent <= earlier * TREND_DOWN:
        return n, recent, earlier, "baisse"
    return n, recent, earlier, "hausse" if recent >= earlier * TREND_UP else "stable"


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
