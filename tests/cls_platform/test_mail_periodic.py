"""`python manage.py run_periodic`: what Celery beat does in production, done inline under
`make run` (no broker): reminders before meetings, retries of messages the SMTP server refused
for a while, housekeeping. The loop is driven by a fake clock: no test sleeps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from cls_platform.management.commands.run_periodic import Entry, Scheduler
from cls_platform.models import Delivery, DeliveryStatus
from partners import services as partner_services
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups.models import Invitation

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_tick_sends_what_is_due_and_queues_the_reminders(
    territory, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = ""
    # A details check the SMTP server refused for a while: queued, its next attempt now due.
    waiting = ContactFactory(territory=territory, email="attente@asso.fr")
    with django_capture_on_commit_callbacks(execute=False):
        partner_services.contact_request_confirmation(contact=waiting)
    Delivery.objects.update(
        attempts=1,
        last_error="451 4.7.1 Greylisted",
        next_attempt_at=timezone.now() - dt.timedelta(minutes=2),
    )
    # A meeting in two days whose invitations went: its reminders are due.
    start = timezone.now() + dt.timedelta(days=2)
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=territory)),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        invitations_sent_at=timezone.now() - dt.timedelta(days=10),
    )
    invited = ContactFactory(territory=territory, email="invitee@asso.fr")
    Invitation.objects.create(meeting=meeting, contact=invited)

    clock = Clock()
    scheduler = Scheduler.from_settings(clock=clock)
    with django_capture_on_commit_callbacks(execute=True):  # each task commits on its own
        ran = scheduler.tick()

    assert set(ran) == set(settings.CELERY_BEAT_SCHEDULE)
    retried = Delivery.objects.get(kind="details_check")
    assert retried.status == DeliveryStatus.SENT
    reminder = Delivery.objects.get(kind="reminder", topic=meeting.topic)
    assert reminder.contact_id == invited.pk
    assert sorted(m.to[0] for m in mail.outbox) == ["attente@asso.fr", "invitee@asso.fr"]
    assert next(m for m in mail.outbox if m.to == ["invitee@asso.fr"]).subject.startswith("Rappel")

    # Nothing is due again at once; a minute later, the sweep is (it runs every few seconds).
    assert scheduler.tick() == []
    clock.now += 61
    assert scheduler.tick() == ["sweep-outbox"]
    assert scheduler.seconds_to_next() == pytest.approx(settings.OUTBOX_SWEEP_SECONDS)


def test_a_failing_task_is_logged_and_the_others_still_run(caplog):
    ran: list[str] = []

    def run_task(name: str) -> None:
        ran.append(name)
        if name == "broken":
            raise RuntimeError("base verrouillée")

    scheduler = Scheduler(
        entries=[Entry("a", "broken", 60), Entry("b", "fine", 60)],
        clock=Clock(),
        run_task=run_task,
    )
    assert scheduler.tick() == ["a", "b"]
    assert ran == ["broken", "fine"]
    assert "Tâche périodique broken en échec" in caplog.text


def test_the_loop_stops_when_asked():
    scheduler = Scheduler(entries=[Entry("a", "task", 3600)], clock=Clock())
    calls: list[str] = []

    def run_task(name: str) -> None:
        calls.append(name)
        scheduler.stop.set()  # as the SIGTERM handler does

    scheduler.run_task = run_task
    scheduler.run()  # returns at once: the wait is cut short by the event
    assert calls == ["task"]


def test_with_a_broker_beat_does_it_and_the_command_refuses(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    with pytest.raises(CommandError, match="Celery beat"):
        call_command("run_periodic", "--once")
