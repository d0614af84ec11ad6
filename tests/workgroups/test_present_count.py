"""How many came to each meeting is kept on the meeting by the database (triggers on the
invitations, migration 0009): whatever writes the invitations (the attendance services, the bulk
"mark present", removing an invitee, erasing or deleting a contact, moving an invitation, raw
SQL), the group's page and its health show the number of people present. Runs on PostgreSQL
and on SQLite (each vendor has its own triggers)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from partners.services import contact_erase
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups.health import group_health
from workgroups.models import Attendance, Invitation, Meeting, MeetingStatus, Rsvp
from workgroups.services.attendance import attendance_mark_said_yes, attendance_record
from workgroups.services.invitations import invitation_remove

pytestmark = pytest.mark.django_db

BEFORE = "0008_invitation_present_by_meeting"  # the triggers come with 0009


def held_meeting(group, days_ago: int) -> Meeting:
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return MeetingFactory(
        group=group, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), status="held"
    )


def invite(meeting, contacts, **fields) -> list[Invitation]:
    return [Invitation.objects.create(meeting=meeting, contact=c, **fields) for c in contacts]


def true_counts() -> dict[int, int]:
    """Each meeting's people present counted from the invitations, and as the meeting keeps it."""
    return dict(
        Meeting.objects.annotate(
            n=Count("invitations", filter=Q(invitations__attendance=Attendance.PRESENT))
        ).values_list("pk", "n")
    )


def kept_counts() -> dict[int, int]:
    return dict(Meeting.objects.values_list("pk", "present_count"))


@pytest.fixture
def group(territory):
    return WorkGroupFactory(contract=ContractFactory(territory=territory))


def row_of(page: str, meeting: Meeting) -> str:
    """The group page's row of `meeting` in the table of its meetings."""
    start = page.index(f"/reunions/{meeting.pk}/")
    return page[start : page.index("</tr>", start)]


def test_the_group_page_shows_who_came_whatever_wrote_the_attendance(login_as, coordinator, group):
    territory = coordinator.territory
    meeting = held_meeting(group, 7)
    people = [ContactFactory(territory=territory) for _ in range(5)]
    ticked, said_yes, silent = people[:2], people[2:4], people[4]
    invitations = invite(meeting, ticked) + invite(meeting, said_yes, rsvp=Rsvp.YES)
    invite(meeting, [silent])
    url = reverse("workgroups:group_detail", args=[territory.slug, group.pk])
    client = login_as(coordinator)

    attendance_record(meeting=meeting, marks={i.pk: Attendance.PRESENT for i in invitations[:2]})
    assert "<td>2 / 5</td>" in row_of(client.get(url).content.decode(), meeting)

    assert attendance_mark_said_yes(meeting=meeting) == 2  # a queryset .update()
    assert "<td>4 / 5</td>" in row_of(client.get(url).content.decode(), meeting)

    invitation_remove(invitation=invitations[0])  # one who came, taken off the list
    assert "<td>3 / 4</td>" in row_of(client.get(url).content.decode(), meeting)

    contact_erase(contact=ticked[1])  # GDPR: the person goes, the count stays
    assert "<td>3 / 4</td>" in row_of(client.get(url).content.decode(), meeting)

    said_yes[0].delete()  # the invitation goes with the contact (cascade)
    assert "<td>2 / 3</td>" in row_of(client.get(url).content.decode(), meeting)

    later = held_meeting(group, 1)  # an invitation moved to the next meeting
    Invitation.objects.filter(meeting=meeting, contact=said_yes[1]).update(meeting=later)
    page = client.get(url).content.decode()
    assert "<td>1 / 2</td>" in row_of(page, meeting)
    assert "<td>1 / 1</td>" in row_of(page, later)
    assert kept_counts() == true_counts()


def test_the_groups_health_reads_the_kept_count(group, territory):
    people = [ContactFactory(territory=territory) for _ in range(6)]
    older, newer = held_meeting(group, 40), held_meeting(group, 10)
    invite(older, people[:2], attendance=Attendance.PRESENT)
    invite(newer, people[:4], attendance=Attendance.PRESENT)
    invite(newer, people[4:], attendance=Attendance.ABSENT)
    assert group_health(group).present_recent == 4
    Invitation.objects.filter(meeting=newer, contact__in=people[4:]).update(
        attendance=Attendance.PRESENT
    )
    health = group_health(group)
    assert (health.present_recent, health.present_earlier) == (6, 2)


def test_saving_a_meeting_read_before_the_attendance_keeps_the_count(group, territory):
    meeting = held_meeting(group, 3)
    stale = Meeting.objects.get(pk=meeting.pk)  # read with nobody present yet
    invite(meeting, [ContactFactory(territory=territory) for _ in range(3)], attendance="present")
    stale.report = "<p>Compte-rendu</p>"
    stale.save()  # writes every column, present_count = 0 among them
    stale.refresh_from_db()
    assert stale.present_count == 3
    Meeting.objects.filter(pk=meeting.pk).update(present_count=99)  # nor by hand
    assert Meeting.objects.get(pk=meeting.pk).present_count == 3


def test_the_kept_count_equals_the_invitations_after_random_writes(territory):
    rng = random.Random(2026)
    groups = [WorkGroupFactory(contract=ContractFactory(territory=territory)) for _ in range(2)]
    meetings = [held_meeting(rng.choice(groups), d) for d in range(1, 7)]
    contacts = [ContactFactory(territory=territory) for _ in range(20)]
    choices = [a for a, _label in Attendance.choices]
    table = connection.ops.quote_name(Invitation._meta.db_table)
    for _step in range(60):
        meeting = rng.choice(meetings)
        taken = set(meeting.invitations.values_list("contact_id", flat=True))
        free = [c for c in contacts if c.pk not in taken]
        action = rng.randrange(7)
        if action == 0 and free:
            Invitation.objects.bulk_create(
                Invitation(
                    territory=territory, meeting=meeting, contact=c, attendance=rng.choice(choices)
                )
                for c in rng.sample(free, min(len(free), rng.randint(1, 5)))
            )
        elif action == 1 and free:
            invite(meeting, [rng.choice(free)], attendance=rng.choice(choices))
        elif action == 2:
            meeting.invitations.filter(
                pk__in=list(meeting.invitations.values_list("pk", flat=True)[:3])
            ).update(attendance=rng.choice(choices))
        elif action == 3:
            for invitation in meeting.invitations.all()[:2]:
                invitation.attendance = rng.choice(choices)
                invitation.save()
        elif action == 4:
            meeting.invitations.filter(
                pk__in=[i.pk for i in meeting.invitations.all()[:2]]
            ).delete()
        elif action == 5:
            other = rng.choice(meetings)
            busy = other.invitations.values_list("contact_id", flat=True)
            Invitation.objects.filter(
                pk__in=list(
                    meeting.invitations.exclude(contact_id__in=list(busy)).values_list(
                        "pk", flat=True
                    )[:2]
                )
            ).update(meeting=other)
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET attendance = %s WHERE meeting_id = %s",
                    [rng.choice(choices), meeting.pk],
                )
        assert kept_counts() == true_counts(), (_step, action)
    meetings[0].delete()
    assert kept_counts() == true_counts()
    assert sum(true_counts().values()) > 0


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_meetings_already_held(territory):
    group = WorkGroupFactory(contract=ContractFactory(territory=territory))
    meeting = held_meeting(group, 5)
    invite(meeting, [ContactFactory(territory=territory) for _ in range(4)])
    executor = MigrationExecutor(connection)
    executor.migrate([("workgroups", BEFORE)])
    try:
        with connection.cursor() as cursor:  # written before the count existed
            cursor.execute(
                "UPDATE workgroups_invitation SET attendance = %s WHERE meeting_id = %s",
                [Attendance.PRESENT.value, meeting.pk],
            )
    finally:  # every migration back, those that depend on the ones undone too
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Meeting.objects.get(pk=meeting.pk).present_count == 4
    Invitation.objects.filter(meeting=meeting).first().delete()  # the triggers are back
    assert Meeting.objects.get(pk=meeting.pk).present_count == 3
    assert meeting.status == MeetingStatus.HELD
