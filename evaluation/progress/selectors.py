"""The progress of a contract, as its progress page shows it and the bilan PDF prints it.

`contract_progress(contract=..., access=...)` reads everything a reader with five minutes needs,
in a constant number of queries (about twenty, whatever the number of fiches, indicators,
groups, meetings, answers and decisions):

- `figures`: fiches-actions by status, late, share done; indicators by standing
  (`actions.progress`: the rules live there, shared with the ARS table);
- `axes`: the same per thematic axis, with each axis's indicators (`Reading`: latest value, its
  date, the value before, trend, standing);
- `groups`: the health of the contract's work groups (`workgroups.health`), as counts and
  dates; the reasons only for readers who may read people (they can name a pilot who left);
- `reports`: the latest compte-rendus sent, with whether the reader may open their PDF (it lists
  the people present: not for signatories);
- `survey`: the latest campaign sent for the contract: response rate and a few headline
  questions (`evaluation.surveys.results`: aggregates only for signatories);
- `milestones`: mid-term review, end of the contract and the planned COPIL meetings;
  `next_milestone`, `last_copil`;
- `decisions`: the COPIL decisions followed up, late ones marked.

Signatories (viewers) read counts and structures: nothing here names a person for them. The
contract must come from `scoped()` for that access (a viewer reads signed contracts only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Axis, AxisKind, Contract, ContractStatus, Indicator
from actions.progress import (
    ContractFigures,
    Reading,
    Standing,
    axis_figures,
    elapsed_share,
    percent,
    readings,
)
from cls_platform.models import Access
from workgroups.health import HealthState, groups_health
from workgroups.models import GroupKind, Meeting, MeetingStatus, WorkGroup

from ..surveys.models import QuestionKind, Survey
from ..surveys.results import QuestionResult, Rate, survey_results
from .models import CopilDecision, DecisionStatus

REPORTS_SHOWN = 5
HEADLINE_QUESTIONS = 4
# The groups in the order a steering committee reads them: itself, the plenary, then themes.
KIND_ORDER = {GroupKind.COPIL: 0, GroupKind.PLENARY: 1, GroupKind.THEMATIC: 2, GroupKind.OTHER: 3}


@dataclass(frozen=True)
class AxisProgress:
    axis: Axis
    figures: ContractFigures
    readings: list[Reading]


@dataclass(frozen=True)
class GroupStanding:
    """A work group's health in figures any reader may read; `reasons` (most serious first)
    only for those who may read people, empty for signatories."""

    group: WorkGroup
    state: str
    label: str
    target: int
    held_last_year: int
    last_held_on: dt.date | None
    next_planned_on: dt.date | None
    participants: int  # distinct people present in the last 12 months
    structures: int
    sectors: int
    vacant_seats: int
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReportLink:
    meeting: Meeting
    held_on: dt.date
    group_name: str
    pdf: bool  # whether the reader may open the PDF, which lists the people present


@dataclass(frozen=True)
class SurveySummary:
    survey: Survey
    rate: Rate
    previous: Survey | None
    previous_rate: Rate | None
    headlines: list[QuestionResult]

    @property
    def rate_percent(self) -> int:
        return percent(self.rate.answered, self.rate.invited)

    @property
    def previous_rate_percent(self) -> int | None:
        if self.previous_rate is None or not self.previous_rate.invited:
            return None
        return percent(self.previous_rate.answered, self.previous_rate.invited)


class MilestoneKind:
    MIDTERM = "midterm"
    END = "end"
    COPIL = "copil"


@dataclass(frozen=True)
class Milestone:
    kind: str
    label: str
    on: dt.date
    past: bool
    meeting: Meeting | None = None


@dataclass(frozen=True)
class DecisionItem:
    decision: CopilDecision
    late: bool

    @property
    def meeting_on(self) -> dt.date | None:
        meeting = self.decision.meeting
        return timezone.localdate(meeting.starts_at) if meeting else None


@dataclass(frozen=True)
class DecisionCounts:
    total: int
    by_status: dict[str, int]
    late: int

    def count(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def open(self) -> int:
        return self.count(DecisionStatus.TODO) + self.count(DecisionStatus.IN_PROGRESS)

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """(status, label, decisions) for each state, in the order of the choices."""
        return [(value, str(label), self.count(value)) for value, label in DecisionStatus.choices]


@dataclass(frozen=True)
class ContractProgress:
    contract: Contract
    today: dt.date
    shows_people: bool  # False for signatories: counts and structures only
    elapsed_percent: int  # of the contract's period
    signatories: list[str]  # structures, in the signature's order
    figures: ContractFigures
    axes: list[AxisProgress]
    readings: list[Reading]
    groups: list[GroupStanding]
    group_counts: list[tuple[str, str, int]]  # (state, label, groups)
    reports: list[ReportLink]
    survey: SurveySummary | None
    milestones: list[Milestone]
    last_copil: Meeting | None
    decisions: list[DecisionItem]
    decision_counts: DecisionCounts

    @property
    def next_milestone(self) -> Milestone | None:
        return next((m for m in self.milestones if not m.past), None)

    @property
    def active_groups(self) -> int:
        return sum(1 for g in self.groups if g.state == HealthState.ACTIVE)

    @property
    def standing_counts(self) -> list[tuple[str, str, int]]:
        """(standing, label, indicators) in the order the page lists them."""
        return [
            (state, str(label), self.figures.standing_count(state))
            for state, label in Standing.LABELS.items()
        ]


def contract_progress(
    *, contract: Contract, access: Access, today: dt.date | None = None
) -> ContractProgress:
    """Everything the progress page shows of `contract` (from `scoped()` for `access`), in a
    constant number of queries. The bilan PDF prints the same object."""
    today = today or timezone.localdate()
    shows_people = not access.is_viewer
    signatories = [
        s.organization.name
        for s in contract.signatories.select_related("organization").order_by("order", "id")
    ]
    thematic = list(contract.axes.filter(kind=AxisKind.THEMATIC).order_by("number"))
    indicators = list_readings(contract, today)
    by_axis = axis_figures(contract, readings=indicators, today=today)
    figures = ContractFigures()  # the contract's: the sum of its axes'
    for numbers in by_axis.values():
        figures.add(numbers)
    axes = [
        AxisProgress(
            axis=axis,
            figures=by_axis.get(axis.pk, ContractFigures()),
            readings=[r for r in indicators if r.indicator.fiche.thematic_axis_id == axis.pk],
        )
        for axis in thematic
    ]
    groups, group_counts = _groups(contract, today, shows_people)
    copil_meetings = list(
        Meeting.objects.filter(group__contract=contract, group__kind=GroupKind.COPIL)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("group")
        .order_by("starts_at", "pk")
    )
    decisions = _decisions(contract, today)
    return ContractProgress(
        contract=contract,
        today=today,
        shows_people=shows_people,
        elapsed_percent=int(elapsed_share(contract, today=today) * 100),
        signatories=signatories,
        figures=figures,
        axes=axes,
        readings=indicators,
        groups=groups,
        group_counts=group_counts,
        reports=_reports(contract, shows_people),
        survey=_survey(contract, access),
        milestones=milestones(contract, copil_meetings, today),
        last_copil=next(
            (
                m
                for m in reversed(copil_meetings)
                if m.status == MeetingStatus.HELD and timezone.localdate(m.starts_at) <= today
            ),
            None,
        ),
        decisions=decisions,
        decision_counts=DecisionCounts(
            total=len(decisions),
            by_status={
                status: sum(1 for d in decisions if d.decision.status == status)
                for status in DecisionStatus.values
            },
            late=sum(1 for d in decisions if d.late),
        ),
    )


def list_readings(contract: Contract, today: dt.date) -> list[Reading]:
    """The contract's indicators with their standing, by axis then fiche: one query."""
    indicators = (
        Indicator.objects.filter(fiche__contract=contract)
        .select_related("fiche")
        .order_by("fiche__thematic_axis__number", "fiche__number", "order", "id")
    )
    return readings(indicators, contract=contract, today=today)


def _groups(
    contract: Contract, today: dt.date, shows_people: bool
) -> tuple[list[GroupStanding], list[tuple[str, str, int]]]:
    order = Case(
        *(When(kind=kind, then=Value(rank)) for kind, rank in KIND_ORDER.items()),
        default=Value(9),
        output_field=IntegerField(),
    )
    groups = list(WorkGroup.objects.filter(contract=contract).order_by(order, "name", "pk"))
    healths = groups_health(groups, today=today)
    standings = []
    for group in groups:
        health = healths[group.pk]
        standings.append(
            GroupStanding(
                group=group,
                state=health.state,
                label=health.label,
                target=health.target,
                held_last_year=health.held_last_year,
                last_held_on=health.last_held_on,
                next_planned_on=health.next_planned_on,
                participants=health.participants,
                structures=len(health.structures),
                sectors=len(health.sectors),
                vacant_seats=len(health.vacant_pilots),
                reasons=health.reasons if shows_people else [],
            )
        )
    counts = [
        (state, str(label), sum(1 for s in standings if s.state == state))
        for state, label in HealthState.choices
    ]
    return standings, counts


def _reports(contract: Contract, shows_people: bool) -> list[ReportLink]:
    meetings = (
        Meeting.objects.filter(group__contract=contract, report_sent_at__isnull=False)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("group")
        .order_by("-starts_at", "-pk")[:REPORTS_SHOWN]
    )
    return [
        ReportLink(
            meeting=meeting,
            held_on=timezone.localdate(meeting.starts_at),
            group_name=meeting.group.name,
            pdf=shows_people,
        )
        for meeting in meetings
    ]


def _survey(contract: Contract, access: Access) -> SurveySummary | None:
    survey = (
        Survey.objects.filter(contract=contract, sent_at__isnull=False)
        .order_by("-opens_on", "-pk")
        .first()
    )
    if survey is None:
        return None
    results = survey_results(survey=survey, access=access)
    questions = [
        q
        for section in results.sections
        for q in section.questions
        if q.question.kind != QuestionKind.TEXT and q.respondents
    ]
    return SurveySummary(
        survey=survey,
        rate=results.rate,
        previous=results.previous,
        previous_rate=results.previous_rate,
        headlines=questions[:HEADLINE_QUESTIONS],
    )


def milestones(
    contract: Contract, copil_meetings: list[Meeting], today: dt.date
) -> list[Milestone]:
    """The evaluation's milestones, by date: the mid-term review at the middle of the period,
    the end of the contract (its final evaluation; the day it was closed if it was), and each
    planned meeting of its steering committee."""
    start, end = dt.date(contract.start_year, 1, 1), dt.date(contract.end_year, 12, 31)
    middle = start + (end - start) / 2
    items = [
        Milestone(MilestoneKind.MIDTERM, _("Revue à mi-parcours"), middle, middle < today),
    ]
    if contract.status == ContractStatus.CLOSED and contract.closed_on:
        items.append(
            Milestone(MilestoneKind.END, _("Contrat clos"), contract.closed_on, True),
        )
    else:
        items.append(
            Milestone(MilestoneKind.END, _("Fin du contrat et évaluation finale"), end, end < today)
        )
    for meeting in copil_meetings:
        day = timezone.localdate(meeting.starts_at)
        if meeting.status == MeetingStatus.PLANNED and day >= today:
            items.append(
                Milestone(MilestoneKind.COPIL, _("Comité de pilotage"), day, False, meeting)
            )
    return sorted(items, key=lambda m: m.on)


def decision_queryset(contract: Contract) -> QuerySet[CopilDecision]:
    return contract.copil_decisions.select_related("meeting__group", "organization").order_by(
        "order", "id"
    )


def _decisions(contract: Contract, today: dt.date) -> list[DecisionItem]:
    return [DecisionItem(decision=d, late=d.is_late(today)) for d in decision_queryset(contract)]
