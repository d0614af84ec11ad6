"""The demo meetings (demo/cergy/ and demo/vitry/, through seed_demo) tell the seeds' story, as
a newcomer would notice it: in Cergy, about 200 partners invited to every group and at most 45
present, two meetings waiting for their button; in Vitry, healthy groups meeting steadily with
short expert talks, stalled groups without a meeting for months and with a vacant co-pilot seat.
Sent e-mails are recorded as sent, so that the two commands send nothing twice."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from actions.models import ActionUpdate, Contract, ContractKind, ContractStatus
from cls_platform.models import Delivery, DeliveryStatus, Territory
from demo.cergy.directory import DIRECTORY
from demo.cergy.groups import seed_groups
from demo.cergy.meetings import CERGY_TO_INVITE, CERGY_TO_REPORT
from demo.directory import seed_directory
from partners.models import Contact, ContactSource
from workgroups.health import group_health as health_of
from workgroups.models import (
    AgendaItem,
    AgendaKind,
    Attendance,
    GroupStatus,
    Invitation,
    InvitationPolicy,
    Meeting,
    MeetingAction,
    MeetingStatus,
    Membership,
    WorkGroup,
)
from workgroups.services import report_recipients

pytestmark = pytest.mark.django_db

STALLED = [
    "Violences faites aux femmes",
    "Sport-santé et nutrition",
    "Petite enfance et parentalité",
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return None


@pytest.fixture
def press(django_capture_on_commit_callbacks):
    """Run a command as an operator would, letting its e-mails go (the outbox hands them to the
    workers once the transaction commits); returns (queued, skipped) as the command prints them."""

    def _press(command: str, meeting: Meeting) -> tuple[int, int]:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command(command, meeting.pk, stdout=out)
        found = re.search(r"(\d+) envoi\(s\) mis en file, (\d+) déjà servi", out.getvalue())
        assert found, out.getvalue()
        return int(found[1]), int(found[2])

    return _press


def cergy(title: str) -> Meeting:
    return Meeting.objects.get(territory__slug="cergy", title=title)


def held_with_sent_report(slug: str):
    return Meeting.objects.filter(
        territory__slug=slug, status=MeetingStatus.HELD, report_sent_at__isnull=False
    )


def vitry_group(axis_title: str) -> WorkGroup:
    return WorkGroup.objects.get(territory__slug="vitry-sur-seine", axis__title=axis_title)


# --- Cergy: the two buttons --------------------------------------------------------------------


def test_cergy_has_an_upcoming_meeting_whose_invitations_are_not_sent(demo):
    meeting = cergy(CERGY_TO_INVITE)
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.starts_at > timezone.now()
    assert meeting.invitations_sent_at is None
    assert not meeting.invitations.exists()
    assert not Delivery.objects.filter(topic=meeting.topic).exists()
    assert meeting.group.invitation_policy == InvitationPolicy.ALL_PARTNERS
    presented = meeting.agenda_items.get(kind=AgendaKind.INTERCONNAISSANCE)
    assert presented.organization.name == "La Maison hospitalière"
    assert meeting.description


def test_cergy_has_a_held_meeting_whose_report_is_written_not_sent(demo):
    meeting = cergy(CERGY_TO_REPORT)
    assert meeting.status == MeetingStatus.HELD and meeting.is_over
    assert "<h3>" in meeting.report and "<script" not in meeting.report
    assert meeting.report_written_at is not None
    assert meeting.report_sent_at is None
    assert not Delivery.objects.filter(topic=meeting.topic, kind="report").exists()
    present = meeting.invitations.filter(attendance=Attendance.PRESENT)
    assert 30 <= present.count() <= 45
    walk_ins = present.filter(walk_in=True).select_related("contact")
    assert walk_ins.count() == 2
    assert {i.contact.source for i in walk_ins} == {ContactSource.WALK_IN}
    # The invitations went out long ago: all recorded as sent.
    invitation_rows = Delivery.objects.filter(topic=meeting.topic, kind="invitation")
    assert invitation_rows.count() >= 180
    assert not invitation_rows.exclude(status=DeliveryStatus.SENT).exists()
    assert meeting.action_links.filter(update__isnull=False).count() == 3


def test_sending_the_invitations_reaches_about_200_partners_once(demo, press):
    meeting = cergy(CERGY_TO_INVITE)
    queued, skipped = press("send_invitations", meeting)
    assert 180 <= queued <= 230 and skipped == 0
    assert len(mail.outbox) == queued
    assert (
        Delivery.objects.filter(topic=meeting.topic, status=DeliveryStatus.SENT).count() == queued
    )
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is not None
    assert press("send_invitations", meeting) == (0, queued)
    assert len(mail.outbox) == queued


def test_sending_the_written_report_reaches_every_recipient_once(demo, press):
    meeting = cergy(CERGY_TO_REPORT)
    expected = report_recipients(meeting).count()
    assert expected >= 180
    queued, skipped = press("send_report", meeting)
    assert (queued, skipped) == (expected, 0)
    assert len(mail.outbox) == expected
    assert press("send_report", meeting) == (0, expected)
    assert len(mail.outbox) == expected


def test_a_past_meeting_whose_report_was_sent_has_nothing_left_to_send(demo, press):
    meeting = cergy("La CPTS de Cergy se présente")
    assert meeting.report_sent_at is not None and not meeting.report_pdf
    before = Delivery.objects.count()
    with pytest.raises(CommandError, match="terminée"):
        call_command("send_invitations", meeting.pk, stdout=io.StringIO())
    queued, skipped = press("send_report", meeting)
    assert queued == 0 and skipped >= 180
    assert Delivery.objects.count() == before
    assert mail.outbox == []


@pytest.mark.parametrize("slug", ["cergy", "vitry-sur-seine"])
def test_every_sent_report_and_invitation_is_recorded_for_each_recipient(demo, slug):
    meetings = list(held_with_sent_report(slug))
    assert len(meetings) >= 10
    for meeting in meetings:
        rows = Delivery.objects.filter(topic=meeting.topic)
        assert not rows.exclude(status=DeliveryStatus.SENT).exists(), meeting
        reported = set(rows.filter(kind="report", revision=0).values_list("contact_id", flat=True))
        assert set(report_recipients(meeting).values_list("pk", flat=True)) <= reported, meeting
        invited = set(
            meeting.invitations.filter(walk_in=False).values_list("contact_id", flat=True)
        )
        assert invited == set(
            rows.filter(kind="invitation").values_list("contact_id", flat=True)
        ), meeting
    upcoming = Meeting.objects.filter(
        territory__slug=slug, status=MeetingStatus.PLANNED, invitations_sent_at__isnull=False
    )
    assert upcoming.exists()
    for meeting in upcoming:
        assert meeting.invitations.exclude(rsvp="pending").exists(), "some have answered"
        served = set(
            Delivery.objects.filter(
                topic=meeting.topic, kind="invitation", revision=meeting.sequence
            ).values_list("contact_id", flat=True)
        )
        assert set(meeting.invitations.values_list("contact_id", flat=True)) <= served


# --- Cergy: everyone invited, at most 45 present, a typed agenda -----------------------------


def test_cergy_invites_all_partners_and_at_most_45_come(demo):
    held = Meeting.objects.filter(
        territory__slug="cergy",
        status=MeetingStatus.HELD,
        group__invitation_policy=InvitationPolicy.ALL_PARTNERS,
    ).annotate(
        invited=Count("invitations"),
        present=Count("invitations", filter=Q(invitations__attendance=Attendance.PRESENT)),
        excused=Count("invitations", filter=Q(invitations__attendance=Attendance.EXCUSED)),
        absent=Count("invitations", filter=Q(invitations__attendance=Attendance.ABSENT)),
    )
    assert held.count() >= 12
    for meeting in held:
        assert 180 <= meeting.invited <= 230, meeting
        assert 20 <= meeting.present <= 45, meeting
        assert meeting.excused and meeting.absent, meeting
    assert max(m.present for m in held) == 45
    assert (
        Contact.objects.filter(territory__slug="cergy", source=ContactSource.WALK_IN).count() >= 4
    ), "the mailing list grows with the meetings"


def test_cergy_meetings_follow_the_narrative_agenda(demo):
    groups = WorkGroup.objects.filter(territory__slug="cergy", axis__isnull=False)
    assert groups.count() == 4
    for group in groups:
        held = group.meetings.filter(status=MeetingStatus.HELD)
        assert held.count() >= 3, group
        for meeting in held:
            kinds = set(meeting.agenda_items.values_list("kind", flat=True))
            assert AgendaKind.FOLLOW_UP in kinds, meeting  # actualités des fiches-actions
            assert AgendaKind.INTERCONNAISSANCE in kinds, meeting
            assert AgendaKind.THEMATIC in kinds, meeting
            assert sum(meeting.agenda_items.values_list("duration_minutes", flat=True)) <= 120
            assert meeting.action_links.exists(), meeting
        year_ago = timezone.now() - dt.timedelta(days=365)
        assert held.filter(starts_at__gte=year_ago).count() >= 2, "two a year, as planned"
    items = AgendaItem.objects.filter(meeting__territory__slug="cergy")
    assert not items.filter(kind=AgendaKind.INTERCONNAISSANCE, organization__isnull=True).exists()
    assert items.filter(kind=AgendaKind.ICEBREAKER, title__icontains="speed meeting").count() >= 4
    # The fiche-action written in a thematic work session is linked to that session.
    link = MeetingAction.objects.get(
        meeting__territory__slug="cergy",
        fiche__number="3.6",
        meeting__starts_at__date=dt.date(2021, 4, 13),
    )
    assert "nouvelle fiche-action" in link.update.text


# --- Vitry: healthy and stalled groups ---------------------------------------------------------


def test_vitry_healthy_groups_meet_three_or_four_times_a_year_steadily(demo):
    year_ago = timezone.now() - dt.timedelta(days=365)
    healthy = WorkGroup.objects.filter(
        territory__slug="vitry-sur-seine",
        status=GroupStatus.ACTIVE,
        target_meetings_per_year__gte=3,
    )
    assert healthy.count() == 3
    for group in healthy:
        held = group.meetings.filter(status=MeetingStatus.HELD).order_by("starts_at")
        assert 3 <= held.filter(starts_at__gte=year_ago).count() <= 4, group
        present = [m.invitations.filter(attendance=Attendance.PRESENT).count() for m in held][-4:]
        assert present == sorted(present), f"{group}: attendance steady or rising {present}"
        assert group.meetings.filter(
            status=MeetingStatus.PLANNED, starts_at__gt=timezone.now()
        ).exists(), "the next meeting is scheduled"
        assert not health_of(group).vacant_pilots
    once = WorkGroup.objects.get(
        territory__slug="vitry-sur-seine", target_meetings_per_year=1, status=GroupStatus.ACTIVE
    )
    assert once.meetings.filter(starts_at__gte=year_ago, status=MeetingStatus.HELD).count() == 1


def test_vitry_expert_talks_last_at_most_an_hour(demo):
    talks = AgendaItem.objects.filter(
        meeting__territory__slug="vitry-sur-seine", kind=AgendaKind.EXPERT
    )
    assert talks.count() >= 8
    assert not talks.filter(duration_minutes__gt=60).exists()
    chemsex = talks.get(title__icontains="chemsex")
    assert chemsex.meeting.group.axis.title == "Santé mentale"
    assert talks.filter(organization__acronym="Réseau ÎSEE").exists()
    assert talks.filter(organization__acronym="CRIPS", title__icontains="papillomavirus").exists()
    # The talk's meeting is the one the fiche's news speaks of: one update, linked to it.
    link = chemsex.meeting.action_links.get(fiche__number="2.5")
    assert "sociologue" in link.update.text
    assert link.update.happened_on == timezone.localtime(chemsex.meeting.starts_at).date()


@pytest.mark.parametrize("axis_title", STALLED)
def test_vitry_stalled_groups_have_a_vacant_copilot_and_no_recent_meeting(demo, axis_title):
    group = vitry_group(axis_title)
    assert group.status == GroupStatus.STANDBY
    vacant = health_of(group).vacant_pilots
    assert len(vacant) == 1 and vacant[0].left_at is not None
    assert vacant[0].successor is None, "the seat is vacant"
    assert group.pilots.count() == 2
    six_months_ago = timezone.now() - dt.timedelta(days=183)
    assert group.meetings.exists()
    assert not group.meetings.filter(starts_at__gte=six_months_ago).exists()
    last = group.meetings.order_by("-starts_at").first()
    assert last.report_sent_at is not None
    # The compte-rendu still went to members who did not come.
    stayed_away = last.invitations.exclude(attendance=Attendance.PRESENT).values("contact_id")
    assert Delivery.objects.filter(
        topic=last.topic, kind="report", contact_id__in=stayed_away, status=DeliveryStatus.SENT
    ).exists()


def test_the_residents_association_stopped_coming_but_still_gets_the_reports(demo):
    group = vitry_group("Violences faites aux femmes")
    relais = Contact.objects.filter(
        territory__slug="vitry-sur-seine",
        organization__name="Association d'habitantes Les Femmes relais",
    )
    first, *_, last = group.meetings.order_by("starts_at")
    assert first.invitations.filter(contact__in=relais, attendance=Attendance.PRESENT).exists()
    assert not last.invitations.filter(contact__in=relais, attendance=Attendance.PRESENT).exists()
    assert Delivery.objects.filter(topic=last.topic, kind="report", contact_id__in=relais).exists()


# --- idempotence and output --------------------------------------------------------------------


def counts() -> dict[str, int]:
    models = [
        Meeting,
        Invitation,
        Delivery,
        AgendaItem,
        MeetingAction,
        Membership,
        Contact,
        ActionUpdate,
        WorkGroup,
        WorkGroup.pilots.through,
    ]
    return {m.__name__: m.objects.count() for m in models}


def test_running_seed_demo_again_changes_no_rows(demo):
    before = counts()
    assert before["Meeting"] >= 50 and before["Delivery"] >= 5000
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before


def test_seed_groups_names_the_two_meetings_to_try(demo):
    territory = Territory.objects.get(slug="cergy")
    contract = Contract.objects.get(
        territory=territory, kind=ContractKind.CLS, status=ContractStatus.SIGNED
    )
    seeded = seed_groups(territory, contract, seed_directory(territory, DIRECTORY))
    assert len(seeded) == 6
    notes = "\n".join(seeded.notes())
    assert f"send_invitations {cergy(CERGY_TO_INVITE).pk}" in notes
    assert f"send_report {cergy(CERGY_TO_REPORT).pk}" in notes


def test_no_compte_rendu_nor_attendance_is_recorded_before_a_meeting_starts(demo):
    """A report written, or people marked present, for a meeting still to come would tell what
    has not happened: the demo has none, as the services refuse them."""
    upcoming = Meeting.objects.filter(starts_at__gt=timezone.now())
    assert upcoming.filter(territory__slug="cergy").exists()
    assert not upcoming.exclude(report="").exists()
    assert not upcoming.filter(report_sent_at__isnull=False).exists()
    assert not upcoming.filter(status=MeetingStatus.HELD).exists()
    assert (
        not Invitation.objects.filter(meeting__in=upcoming)
        .exclude(attendance=Attendance.UNKNOWN)
        .exists()
    )
    assert not Delivery.objects.filter(
        kind="report", topic__in=[m.topic for m in upcoming]
    ).exists()


def test_every_invitation_list_of_the_demo_is_marked_as_prepared(demo):
    """Lists made from the group's rule say so: pressing "Envoyer aux nouveaux invités" on a
    demo meeting does not add the rule's people a second time, and the upcoming meeting whose
    invitations are not sent still offers "Préparer la liste"."""
    made = Meeting.objects.filter(invitations__isnull=False).distinct()
    assert made.exists()
    assert not made.filter(invitees_prepared_at__isnull=True).exists()
    to_invite = cergy(CERGY_TO_INVITE)
    assert to_invite.invitees_prepared_at is None and not to_invite.invitations.exists()
