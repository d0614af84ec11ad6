"""The dashboard's evaluation section: groups per health state with the reasons of those that
are not active, the open survey campaign and its response rate, the ways to the surveys, the
interviews (coordinators), the partnership network and each contract's Ottawa matrix."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.evaluation.test_survey_results import answered  # noqa: F401 (a fixture)
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from tests.support.queries import assert_constant_queries
from workgroups.models import Attendance, GroupStatus, Invitation, MeetingStatus

pytestmark = pytest.mark.django_db


def held(group, months_ago: int) -> None:
    starts = timezone.now() - dt.timedelta(days=30 * months_ago)
    meeting = MeetingFactory(
        group=group,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=MeetingStatus.HELD,
    )
    person = ContactFactory(territory=group.territory)
    Invitation.objects.create(meeting=meeting, contact=person, attendance=Attendance.PRESENT)


def groups(territory, n: int = 1) -> None:
    """`n` groups of each state: active, fragile (silent for 6 months), stopped (on standby)."""
    contract = ContractFactory(territory=territory)
    pilot = ContactFactory(territory=territory)
    for k in range(n):
        for name, months, status in (
            ("Vivant", 1, GroupStatus.ACTIVE),
            ("Silencieux", 6, GroupStatus.ACTIVE),
            ("En veille", 1, GroupStatus.STANDBY),
        ):
            group = WorkGroupFactory(
                contract=contract,
                name=f"GT {name} {k}",
                target_meetings_per_year=4,
                status=status,
            )
            group.pilots.add(pilot)
            held(group, months)
            if months == 1:
                MeetingFactory(group=group, status=MeetingStatus.PLANNED)


def page(client) -> str:
    return html.unescape(client.get("/t/cergy/").content.decode())


def section(text: str) -> str:
    """The evaluation section alone (the next meetings name groups too)."""
    return text.partition('id="evaluation"')[2].partition('id="reunions"')[0]


def test_groups_per_state_and_the_reasons_of_those_not_active(login_as, coordinator):
    groups(coordinator.territory)
    text = section(page(login_as(coordinator)))
    assert "Actif : 1" in text and "Fragile : 1" in text and "À l'arrêt : 1" in text
    assert "GT Silencieux 0" in text and "Pas de réunion depuis" in text
    assert "GT En veille 0" in text and "Le groupe a été mis en veille." in text
    assert "GT Vivant 0" not in text


def test_the_open_campaign_and_its_response_rate(login_as, coordinator, answered):  # noqa: F811
    survey = answered["survey"]
    invited = survey.invitations.count()
    replied = survey.invitations.filter(submitted_at__isnull=False).count()
    text = page(login_as(coordinator))
    assert "Bilan 2025" in text and "Bilan 2024" not in text, "the closed one is not open"
    assert f"{replied} réponses sur {invited} sollicitations" in text
    assert f"({round(100 * replied / invited)} %)" in text


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_the_ways_to_the_evaluation_pages(request, login_as, who):
    access = request.getfixturevalue(who)
    contract = ContractFactory(territory=access.territory, status="signed")
    text = page(login_as(access))
    slug = access.territory.slug
    assert reverse("evaluation:survey_list", args=[slug]) in text
    assert reverse("evaluation:partnership_network", args=[slug]) in text
    assert reverse("evaluation:ottawa_matrix", args=[slug, contract.pk]) in text
    interviews = reverse("evaluation:interview_list", args=[slug])
    assert (interviews in text) == (who == "coordinator")


def test_the_evaluation_section_keeps_the_dashboards_query_count(login_as, coordinator):
    groups(coordinator.territory)
    assert_constant_queries(
        login_as(coordinator), "/t/cergy/", lambda: groups(coordinator.territory, n=4)
    )
