"""Group health on the table of all contracts reads how many came to each meeting from the
meeting itself (`Meeting.present_count`, kept by triggers: workgroups migration 0009), not
from the invitations; the partial index of the invitations marked present (migration 0008)
still serves the statements that read who came (the group page's details, the triggers' check):
the database's own plan says so (SQLite here, PostgreSQL in the service runs)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups.health import groups_health
from workgroups.models import Attendance, Invitation, MeetingStatus

pytestmark = pytest.mark.django_db

INDEX = "invitation_present_meeting"


def plan_of(sql: str) -> str:
    """The plan the database chooses; on PostgreSQL, with the few rows of a test, a sequential
    scan always wins: it is set aside so that the choice between indexes shows."""
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(explain + sql)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def test_health_reads_the_kept_count_and_who_came_reads_the_partial_index(territory):
    group = WorkGroupFactory(contract=ContractFactory(territory=territory))
    people = [ContactFactory(territory=territory) for _ in range(6)]
    for weeks in (2, 6, 10):
        starts = timezone.now() - dt.timedelta(weeks=weeks)
        meeting = MeetingFactory(
            group=group,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            status=MeetingStatus.HELD,
        )
        for n, person in enumerate(people):
            Invitation.objects.create(
                meeting=meeting,
                contact=person,
                attendance=Attendance.PRESENT if n % 2 else Attendance.ABSENT,
            )
    with CaptureQueriesContext(connection) as queries:
        health = groups_health([group], details=False)
    assert health[group.pk].group == group
    assert health[group.pk].present_recent == 3
    # On PostgreSQL the meetings are read with the pilots, two statements sent at once.
    statements = [s for q in queries.captured_queries for s in q["sql"].split(";\n")]
    assert not [s for s in statements if "workgroups_invitation" in s], statements
    assert [s for s in statements if "present_count" in s]
    sql = (
        "SELECT COUNT(*) FROM workgroups_invitation i"
        f" WHERE i.meeting_id = {meeting.pk} AND i.attendance = 'present'"
    )
    # The captured SQL has its parameters written in: planned as it ran.
    plan = plan_of(sql)
    assert INDEX in plan, plan
