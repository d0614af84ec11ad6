"""Fixtures of the work-group tests: a group of Cergy, an upcoming meeting, five partners."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory


@pytest.fixture
def group(territory):
    return WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Santé mentale")


def afternoon_in(days: int) -> dt.datetime:
    """14:00 in Paris, `days` from today: a meeting the form can show on one day whatever the
    hour the tests run at (now + 10 days at 22:30 would end after midnight)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(14, 0)))


@pytest.fixture
def meeting(group):
    start = afternoon_in(10)
    return MeetingFactory(
        group=group,
        title="Printemps",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Maison de quartier",
    )


@pytest.fixture
def partners(territory):
    return [
        ContactFactory(territory=territory, first_name=f"P{n}", email=f"p{n}@asso.fr")
        for n in range(5)
    ]


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service and let its e-mails go (the outbox hands them over after commit)."""

    def _send(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return _send
