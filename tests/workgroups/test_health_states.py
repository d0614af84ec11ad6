"""The state alone (`groups_health(..., details=False)`), summed up by the database on
PostgreSQL (`health_sql.SUMMARY`), says what the full health says: randomised groups and
meetings around every limit the rules read (the day itself, a year ago, the silence limits of
each rhythm, midnight in Paris), on PostgreSQL and on SQLite."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.utils import timezone

from evaluation.portfolio.selectors import group_states_statement
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups import health_sql as sql
from workgroups.health import (
    groups_health,
    silence_limits,
    state_of,
    states_from,
    states_statements,
)
from workgroups.models import Attendance, GroupStatus, Invitation, MeetingStatus, WorkGroup

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 16)
TARGETS = (1, 2, 3, 4, 6, 12)
# Around midnight in Paris, where the day of a meeting and that of its start in UTC differ.
HOURS = (dt.time(0, 10), dt.time(1, 30), dt.time(14), dt.time(22, 50), dt.time(23, 55))
FIELDS = (
    "state",
    "reasons",
    "held_last_year",
    "last_held_on",
    "next_planned_on",
    "trend",
    "present_recent",
    "present_earlier",
)


def summary(health) -> tuple:
    return tuple(getattr(health, name) for name in FIELDS)


def limit_days(target: int) -> list[dt.date]:
    """The days around the limits the rules read for a group of `target` meetings a year."""
    fragile, stopped = silence_limits(target)
    days = [TODAY, TODAY - dt.timedelta(days=365), TODAY - dt.timedelta(days=364)]
    for limit in (fragile, stopped, 365 / target):
        days += [TODAY - dt.timedelta(days=int(limit) + k) for k in (-1, 0, 1, 2)]
    return [d + dt.timedelta(days=k) for d in days for k in (-1, 0, 1)]


def random_groups(rng: random.Random, contract, pilots, n: int) -> None:
    statuses = [GroupStatus.ACTIVE] * 8 + [GroupStatus.STANDBY, GroupStatus.CLOSED]
    meeting_statuses = [MeetingStatus.HELD] * 6 + [MeetingStatus.PLANNED] * 3
    meeting_statuses += [MeetingStatus.CANCELLED]
    people = [ContactFactory(territory=contract.territory) for _ in range(12)]
    for _ in range(n):
        target = rng.choice(TARGETS)
        group = WorkGroupFactory(
            contract=contract, target_meetings_per_year=target, status=rng.choice(statuses)
        )
        group.pilots.set(rng.sample(pilots, rng.choice((0, 1, 1, 2, 2, 3))))
        days = limit_days(target)
        starts = None
        for _m in range(rng.choice((0, 1, 2, 3, 5, 7, 9, 12))):
            if starts is None or rng.random() > 0.1:  # now and then, two at the same time
                if rng.random() < 0.6:
                    day = rng.choice(days)
                else:
                    day = TODAY + dt.timedelta(days=rng.randint(-1100, 200))
                starts = timezone.make_aware(dt.datetime.combine(day, rng.choice(HOURS)))
            meeting = MeetingFactory(
                group=group,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                status=rng.choice(meeting_statuses),
            )
            present = rng.sample(people, rng.choice((0, 1, 2, 3, 4, 6, 8, 10, 12)))
            Invitation.objects.bulk_create(
                Invitation(
                    meeting=meeting,
                    contact=person,
                    territory_id=meeting.territory_id,
                    attendance=Attendance.PRESENT,
                )
                for person in present
            )


@pytest.fixture
def pilots(territory):
    gone = dt.date(2025, 11, 3)
    successor = ContactFactory(territory=territory, last_name="Successeur")
    return [
        ContactFactory(territory=territory, last_name="Présente"),
        ContactFactory(territory=territory, last_name="Active"),
        ContactFactory(territory=territory, last_name="Partie", left_at=gone),
        ContactFactory(
            territory=territory, last_name="Remplacée", left_at=gone, successor=successor
        ),
        ContactFactory(territory=territory, last_name="Désactivée", is_active=False),
        successor,
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_state_alone_says_what_the_full_health_says(territory, pilots, seed):
    rng = random.Random(seed)
    contract = ContractFactory(territory=territory)
    random_groups(rng, contract, pilots, 40)
    groups = list(WorkGroup.objects.filter(contract=contract).order_by("pk"))
    full = {pk: summary(h) for pk, h in groups_health(groups, today=TODAY).items()}
    light = groups_health(groups, today=TODAY, details=False)
    assert {pk: summary(h) for pk, h in light.items()} == full
    # Every state and trend came out, and more than one reason of each state.
    assert {state for state, *_rest in full.values()} == {"active", "fragile", "stopped"}
    assert {values[5] for values in full.values()} == {"", "baisse", "hausse", "stable"}
    if connection.vendor == "postgresql":
        # The table of many territories: a row per group, its meetings summed up LATERAL, the
        # pilots' seats checked by the database, the state alone (`state_of`).
        rows = sql.results([group_states_statement([contract.pk], today=TODAY)])[0]
        table = {
            pk: state_of(status, target, *meetings, missing, TODAY)
            for pk, _contract, status, target, _copil, missing, *meetings in rows
            if status != GroupStatus.CLOSED
        }
        open_groups = [g for g in groups if g.status != GroupStatus.CLOSED]
        assert table == {g.pk: full[g.pk][0] for g in open_groups}
        # And the summaries of the groups' health pages' light reading, by ids.
        rows = sql.results(states_statements([g.pk for g in open_groups], today=TODAY))
        light_table = states_from(open_groups, rows, TODAY)
        assert {pk: summary(h) for pk, h in light_table.items()} == {
            g.pk: full[g.pk] for g in open_groups
        }


def test_a_group_with_only_planned_or_unrecorded_meetings(territory, pilots):
    contract = ContractFactory(territory=territory)
    planned = WorkGroupFactory(contract=contract)
    unrecorded = WorkGroupFactory(contract=contract)
    for group, status, day in (
        (planned, MeetingStatus.PLANNED, TODAY + dt.timedelta(days=20)),
        (planned, MeetingStatus.PLANNED, TODAY - dt.timedelta(days=20)),
        (unrecorded, MeetingStatus.HELD, TODAY - dt.timedelta(days=20)),
    ):
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(14)))
        MeetingFactory(group=group, starts_at=starts, status=status)
    groups = [planned, unrecorded]
    light = groups_health(groups, today=TODAY, details=False)
    full = groups_health(groups, today=TODAY)
    assert {pk: summary(h) for pk, h in light.items()} == {pk: summary(h) for pk, h in full.items()}
    assert light[planned.pk].next_planned_on == TODAY + dt.timedelta(days=20)
    assert light[unrecorded.pk].last_held_on == TODAY - dt.timedelta(days=20)
    assert light[unrecorded.pk].trend == ""
