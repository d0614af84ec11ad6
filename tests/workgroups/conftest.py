"""Fixtures of the work-group tests: a group of Cergy, an upcoming meeting, five partners."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory


@pytest.fixture
def group(territory):
    return WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Santé mentale")


@pytest.fixture
def meeting(group):
    start = timezone.now() + dt.timedelta(days=10)
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
