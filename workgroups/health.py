"""Work-group health that warns before a group stops: computed from what the meetings record,
never stored, for every group of a territory in six queries (`groups_health`); for the groups of
many territories at once (the table of all the contracts of an ARS delegation), the state alone
in three (`groups_health(..., details=False)`).

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
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import CharField, Count, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cls_platform.models import Delivery, DeliveryStatus
from partners.models import Contact, Organization

from .models import (
    KIND_REPORT,
    Attendance,
    GroupStatus,
    Invitation,
    Meeting,
    MeetingStatus,
    Membership,
    WorkGroup,
)

FRAGILE_RHYTHMS, STOPPED_RHYTHMS = 1.5, 2.5
FRAGILE_CAP_DAYS, STOPPED_CAP_DAYS = 456, 730  # 15 and 24 months
TREND_MEETINGS, TREND_DOWN, TREND_UP = 3, 0.7, 1.2
NAMES_SHOWN = 5


class HealthState(models.TextChoices):
    """The overall state: that of the most serious finding."""

    ACTIVE = "active", gettext_lazy("actif")
    FRAGILE = "fragile", gettext_lazy("fragile")
    STOPPED = "stopped", gettext_lazy("à l'arrêt")


RANK = {HealthState.ACTIVE: 0, HealthState.FRAGILE: 1, HealthState.STOPPED: 2}


@dataclass(frozen=True)
class Drifter:
    """A partner who stopped coming and still receives the compte-rendus; for coordinators
    (viewers read the count and the structures in `notes`)."""

    contact_id: int
    name: str
    organization: str
    last_came_on: dt.date


@dataclass
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
    vacant_pilots: list[Contact] = field(default_factory=list)
    drifters: list[Drifter] = field(default_factory=list)
    findings: list[tuple[str, str]] = field(default_factory=list)  # (state, sentence)

    @property
    def state(self) -> str:
        return max((level for level, _t in self.findings), key=RANK.get, default=HealthState.ACTIVE)

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
    return sorted(names, key=lambda n: unicodedata.normalize("NFKD", n.casefold()))


def _names(names: list[str]) -> str:
    more = len(names) - NAMES_SHOWN
    tail = ngettext(" et %(n)s autre", " et %(n)s autres", more) % {"n": more} if more > 0 else ""
    return ", ".join(names[:NAMES_SHOWN]) + tail


def groups_health(
    groups: Iterable[WorkGroup], *, today: dt.date | None = None, details: bool = True
) -> dict[int, GroupHealth]:
    """The health of each group on `today` (default: today in Paris), by group id: six queries
    whatever the number of groups, meetings and people.

    `details=False` is for tables of many territories: the same state and the same reasons, in
    three queries that read how many came to each meeting rather than who did; the figures and
    notes that never change the state (structures, sectors and participants of the year, new
    structures, partners who stopped coming, the next meeting, meetings left unrecorded) are
    left out.
    """
    groups = list(groups)
    if not groups:
        return {}
    today = today or timezone.localdate()
    ids = [g.pk for g in groups]
    if not details:
        data = _Data.load_counts(ids, today)
        return {g.pk: _assess(g, data, today, details=False) for g in groups}
    data = _Data.load(ids, today)
    return {g.pk: _assess(g, data, today) for g in groups}


def group_health(group: WorkGroup, *, today: dt.date | None = None) -> GroupHealth:
    return groups_health([group], today=today)[group.pk]


@dataclass
class _Meeting:
    pk: int
    day: dt.date
    status: str
    present: set[int] = field(default_factory=set)  # contact ids (left empty without details)
    attended: int = 0  # how many came


@dataclass
class _Data:
    meetings: dict[int, list[_Meeting]]  # by group, oldest first
    org_of: dict[int, int | None]  # contact id -> organization id, for the people present
    orgs: dict[int, tuple[str, set[str], bool]]  # id -> name, sectors, in the health sector
    pilots: dict[int, list[Contact]]
    absentees: dict[int, list[tuple]]  # by group: who missed its latest meeting, reachable
    reports: set[tuple[int, int]]  # (meeting id, contact id) of the compte-rendus that went

    @staticmethod
    def _meetings(ids: list[int]) -> tuple[dict[int, list[_Meeting]], dict[int, _Meeting]]:
        meetings: dict[int, list[_Meeting]] = defaultdict(list)
        by_pk: dict[int, _Meeting] = {}
        # The day in Paris computed by the database: converting thousands of datetimes in
        # Python cost more than the query (the table of many territories).
        for pk, group_id, day, status in (
            Meeting.objects.filter(group_id__in=ids)
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("starts_at", "pk")
            .values_list("pk", "group_id", TruncDate("starts_at"), "status")
        ):
            by_pk[pk] = _Meeting(pk, day, status)
            meetings[group_id].append(by_pk[pk])
        return meetings, by_pk

    @staticmethod
    def _held(ids: list[int], today: dt.date) -> models.QuerySet[Meeting]:
        end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
        return Meeting.objects.filter(
            group_id__in=ids, status=MeetingStatus.HELD, starts_at__lt=end
        )

    @staticmethod
    def _pilots(ids: list[int]) -> dict[int, list[Contact]]:
        pilots: dict[int, list[Contact]] = defaultdict(list)
        through = WorkGroup.pilots.through.objects.filter(workgroup_id__in=ids)
        for row in through.select_related("contact__organization", "contact__successor"):
            pilots[row.workgroup_id].append(row.contact)
        return dict(pilots)

    @classmethod
    def load_counts(cls, ids: list[int], today: dt.date) -> _Data:
        """What decides the state only: meetings, how many came to each, pilots."""
        meetings, by_pk = cls._meetings(ids)
        for meeting_id, attended in (
            Invitation.objects.filter(
                attendance=Attendance.PRESENT, meeting__in=cls._held(ids, today)
            )
            .order_by()
            .values("meeting_id")
            # Counting the meeting column, not the id, lets an index on the meetings of the
            # people present answer alone (no read of the invitations themselves).
            .annotate(n=Count("meeting_id"))
            .values_list("meeting_id", "n")
        ):
            by_pk[meeting_id].attended = attended
        return cls(dict(meetings), {}, {}, cls._pilots(ids), {}, set())

    @classmethod
    def load(cls, ids: list[int], today: dt.date) -> _Data:
        # Subqueries rather than lists of ids (the same queries whatever the data), none
        # correlated with the rows it filters (a per-row "latest meeting" took seconds).
        meetings, by_pk = cls._meetings(ids)
        held = cls._held(ids, today)
        came = Invitation.objects.filter(attendance=Attendance.PRESENT).order_by()
        present = came.filter(meeting__in=held)
        org_of: dict[int, int | None] = {}
        for meeting_id, contact_id, org_id in present.values_list(
            "meeting_id", "contact_id", "contact__organization_id"
        ):
            by_pk[meeting_id].present.add(contact_id)
            org_of[contact_id] = org_id
        for meeting in by_pk.values():
            meeting.attended = len(meeting.present)

        orgs: dict[int, tuple[str, set[str], bool]] = {}
        for pk, name, sector, is_health in Organization.objects.filter(
            pk__in=present.values("contact__organization_id")
        ).values_list("pk", "name", "sectors__name", "sectors__is_health"):
            _name, sectors, health = orgs.get(pk, (name, set(), False))
            orgs[pk] = (name, sectors | ({sector} if sector else set()), health or bool(is_health))

        pilots = cls._pilots(ids)

        recorded = held.filter(Exists(came.filter(meeting_id=OuterRef("pk"))))
        latest = recorded.exclude(
            Exists(
                recorded.filter(group_id=OuterRef("group_id"), starts_at__gt=OuterRef("starts_at"))
            )
        )
        missed = (
            Invitation.objects.filter(meeting__in=latest)
            .exclude(attendance=Attendance.PRESENT)
            .order_by()
        )
        opted_out = Membership.objects.filter(
            group_id=OuterRef("meeting__group_id"), contact_id=OuterRef("contact_id"), reports=False
        )
        absentees: dict[int, list[tuple]] = defaultdict(list)
        for group_id, *row in (
            missed.filter(contact__in=Contact.objects.mailable().filter(receives_reports=True))
            .exclude(Exists(opted_out))
            .values_list(
                "meeting__group_id",
                "contact_id",
                "contact__first_name",
                "contact__last_name",
                "contact__organization__name",
            )
        ):
            absentees[group_id].append(tuple(row))

        topics = held.annotate(topic=Concat(Value("meeting:"), Cast("pk", CharField())))
        reports = {
            (int(topic.partition(":")[2]), contact_id)
            for topic, contact_id in Delivery.objects.filter(
                kind=KIND_REPORT,
                status=DeliveryStatus.SENT,
                contact_id__in=missed.values("contact_id"),
                topic__in=topics.values("topic"),
            )
            .order_by()
            .values_list("topic", "contact_id")
        }
        return cls(dict(meetings), org_of, orgs, pilots, dict(absentees), reports)


def _assess(group: WorkGroup, data: _Data, today: dt.date, *, details: bool = True) -> GroupHealth:
    health = GroupHealth(group=group, today=today, target=group.target_meetings_per_year)
    if group.status == GroupStatus.CLOSED:
        health.add(HealthState.STOPPED, _("Le groupe est clos."))
        return health
    if group.status == GroupStatus.STANDBY:
        health.add(HealthState.STOPPED, _("Le groupe a été mis en veille."))
    meetings = data.meetings.get(group.pk, [])
    held = [m for m in meetings if m.status == MeetingStatus.HELD and m.day <= today]
    year_ago = today - dt.timedelta(days=365)
    health.held_last_year = sum(1 for m in held if m.day > year_ago)
    health.last_held_on = held[-1].day if held else None
    planned = [m for m in meetings if m.status == MeetingStatus.PLANNED]
    health.next_planned_on = min((m.day for m in planned if m.day >= today), default=None)
    _silence(health, held, [m for m in planned if year_ago < m.day < today], details=details)
    _pilots(health, data.pilots.get(group.pk, []))
    recorded = [m for m in held if m.attended]
    _attendance(health, recorded)
    if details:  # notes only: the state stays what the findings above made it (and so in
        # `_silence`, where the dates written out cost most of a table of many territories)
        _participants(health, data, [m for m in recorded if m.day > year_ago], recorded)
        _drifters(health, data, recorded)
    return health


def _silence(
    health: GroupHealth, held: list[_Meeting], unrecorded: list[_Meeting], *, details: bool = True
) -> None:
    today, target = health.today, health.target
    if unrecorded and details:
        text = ngettext(
            "La réunion du %(days)s n'a ni présences ni compte-rendu : elle ne compte pas comme "
            "tenue.",
            "Les réunions du %(days)s n'ont ni présences ni compte-rendu : elles ne comptent pas "
            "comme tenues.",
            len(unrecorded),
        )
        health.add(HealthState.ACTIVE, text % {"days": ", ".join(_day(m.day) for m in unrecorded)})
    if health.next_planned_on and details:
        text = _("Prochaine réunion programmée le %(day)s.")
        health.add(HealthState.ACTIVE, text % {"day": _day(health.next_planned_on)})
    if not held:
        if not health.next_planned_on:
            text = _("Le groupe ne s'est encore jamais réuni et aucune réunion n'est programmée.")
            health.add(HealthState.FRAGILE, text)
        return
    fragile, stopped = silence_limits(target)
    silent = (today - held[-1].day).days

    def words() -> dict[str, object]:  # written out only for a finding (dates cost)
        return {
            "months": months_between(held[-1].day, today),
            "day": _day(held[-1].day),
            "rhythm": rhythm_words(target),
        }

    if silent > stopped:
        text = _(
            "Plus de réunion depuis %(months)s mois (la dernière le %(day)s) pour un groupe qui "
            "se réunit en principe %(rhythm)s : au moins deux réunions manquent."
        )
        health.add(HealthState.STOPPED, text % words())
    elif silent > fragile:
        text = _(
            "Pas de réunion depuis %(months)s mois (la dernière le %(day)s), alors que le groupe "
            "se réunit en principe %(rhythm)s."
        )
        health.add(HealthState.FRAGILE, text % words())
    elif target and health.group.status == GroupStatus.ACTIVE and health.held_last_year < target:
        count = health.held_last_year
        # The target is prorated while the group's first meeting is less than a year old.
        expected = target * min(1, (today - held[0].day).days / 365)
        level = HealthState.FRAGILE if count * 2 < expected else HealthState.ACTIVE
        if level == HealthState.ACTIVE and not details:
            return
        text = ngettext(
            "%(n)s réunion tenue sur les douze derniers mois",
            "%(n)s réunions tenues sur les douze derniers mois",
            count,
        ) % {"n": count}
        text += ngettext(", pour %(n)s visée.", ", pour %(n)s visées.", target) % {"n": target}
        health.add(level, text)


def _pilots(health: GroupHealth, pilots: list[Contact]) -> None:
    if not pilots:
        health.add(HealthState.FRAGILE, _("Aucun pilote ni co-pilote n'est désigné."))
        return
    ids = {p.pk for p in pilots}
    for person in pilots:
        if person.is_active and not (person.left_at or person.anonymized_at):
            continue
        if person.successor_id in ids:
            continue  # the successor took the seat
        seat = _("Poste de co-pilote vacant") if len(pilots) > 1 else _("Poste de pilote vacant")
        org = person.organization
        words = {
            "seat": seat,
            "who": f"{person.full_name} ({org.name})" if org else person.full_name,
            "day": _day(person.left_at) if person.left_at else "",
            "successor": person.successor.full_name if person.successor else "",
        }
        if person.anonymized_at:
            text = _("%(seat)s : la personne a été effacée de l'annuaire.")
        elif person.left_at and person.successor:
            text = _(
                "%(seat)s : %(who)s a quitté sa structure le %(day)s ; son successeur, "
                "%(successor)s, ne pilote pas encore le groupe."
            )
        elif person.left_at:
            text = _(
                "%(seat)s : %(who)s a quitté sa structure le %(day)s et personne ne lui a succédé."
            )
        else:
            text = _("%(seat)s : la fiche de %(who)s est désactivée dans l'annuaire.")
        health.vacant_pilots.append(person)
        health.add(HealthState.FRAGILE, text % words)
    if len(health.vacant_pilots) == len(pilots) > 1:
        text = _("Plus aucun pilote en poste : personne ne porte le groupe.")
        health.add(HealthState.FRAGILE, text)


def _attendance(health: GroupHealth, recorded: list[_Meeting]) -> None:
    n = min(TREND_MEETINGS, len(recorded) // 2)
    if not n:
        return
    recent = sum(m.attended for m in recorded[-n:]) / n
    earlier = sum(m.attended for m in recorded[-2 * n : -n]) / n
    health.present_recent, health.present_earlier = recent, earlier
    if recent <= earlier * TREND_DOWN:
        health.trend, level, way = "baisse", HealthState.FRAGILE, _("baisse")
    elif recent >= earlier * TREND_UP:
        health.trend, level, way = "hausse", HealthState.ACTIVE, _("progresse")
    else:
        health.trend = "stable"
        return
    text = ngettext(
        "La participation %(way)s : %(recent)s présent·e·s à la dernière réunion, contre "
        "%(earlier)s à la précédente.",
        "La participation %(way)s : %(recent)s présent·e·s en moyenne aux %(n)s dernières "
        "réunions, contre %(earlier)s aux %(n)s précédentes.",
        n,
    )
    words = {"way": way, "n": n, "recent": _number(recent), "earlier": _number(earlier)}
    health.add(level, text % words)


def _participants(
    health: GroupHealth, data: _Data, window: list[_Meeting], recorded: list[_Meeting]
) -> None:
    people = set().union(*(m.present for m in window))
    org_ids = {data.org_of[c] for c in people} - {None}
    health.participants = len(people)
    health.structures = _sorted(data.orgs[o][0] for o in org_ids)
    health.sectors = _sorted(set().union(*(data.orgs[o][1] for o in org_ids)))
    # Outside the health sector: from a structure with sectors, none of them health.
    orgs = [data.orgs[data.org_of[c]] for c in people if data.org_of[c]]
    health.outside_health = sum(
        1 for _n, sectors, health_sector in orgs if sectors and not health_sector
    )
    if health.participants and not health.outside_health:
        text = _("Aucun participant d'un secteur autre que la santé sur les douze derniers mois.")
        health.add(HealthState.ACTIVE, text)
    new_year = dt.date(health.today.year, 1, 1)
    before = {data.org_of[c] for m in recorded if m.day < new_year for c in m.present}
    this_year = {data.org_of[c] for m in recorded if m.day >= new_year for c in m.present}
    health.new_structures = _sorted(data.orgs[o][0] for o in this_year - before - {None})
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
    for contact_id, first_name, last_name, org in data.absentees.get(health.group.pk, []):
        came = [i for i, m in enumerate(recorded) if contact_id in m.present]
        if not came:
            continue  # never came: they did not stop
        last, missed = recorded[came[-1]], recorded[came[-1] + 1 :]
        if len(missed) < 2 and (health.today - last.day).days <= stopped:
            continue
        if any((m.pk, contact_id) in data.reports for m in missed):
            name = f"{first_name} {last_name}".strip()
            health.drifters.append(Drifter(contact_id, name, org or "", last.day))
    if health.drifters:
        count = len(health.drifters)
        text = ngettext(
            "%(n)s partenaire ne vient plus aux réunions mais reçoit toujours les comptes-rendus",
            "%(n)s partenaires ne viennent plus aux réunions mais reçoivent toujours les "
            "comptes-rendus",
            count,
        ) % {"n": count}
        structures = _sorted({d.organization for d in health.drifters if d.organization})
        health.add(HealthState.ACTIVE, text + (f" ({_names(structures)})." if structures else "."))
