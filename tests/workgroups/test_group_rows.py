"""The lists of the group pages and of the dashboard written in Python (workgroups/group_rows.py):
what people typed reads as text, never as markup, and the health they show follows a meeting
recorded at once (it is computed on each request, never kept)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from tests.workgroups.test_health import meet
from workgroups.models import Attendance, Invitation, MeetingStatus

pytestmark = pytest.mark.django_db

MARKUP = "<b>gras</b>"
SHOWN = "&lt;b&gt;gras&lt;/b&gt;"


def page(client, route: str, *args) -> str:
    response = client.get(reverse(route, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_names_typed_with_markup_read_as_text_on_the_group_pages_and_the_dashboard(
    login_as, coordinator
):
    territory = coordinator.territory
    contract = ContractFactory(territory=territory)
    # No pilot: fragile, so that the dashboard lists it with its reason.
    group = WorkGroupFactory(contract=contract, name=f"GT {MARKUP}")
    present = ContactFactory(territory=territory, first_name="Léa", last_name=MARKUP)
    meet(group, timezone.localdate() - dt.timedelta(days=30), [present])
    MeetingFactory(group=group, title=f"Atelier {MARKUP}", place=f"Salle {MARKUP}")
    client = login_as(coordinator)
    for text in (
        page(client, "workgroups:group_list", territory.slug),
        page(client, "workgroups:group_detail", territory.slug, group.pk),
        page(client, "evaluation:dashboard", territory.slug),
    ):
        assert f"GT {SHOWN}" in text
        assert MARKUP not in text
    text = page(client, "evaluation:dashboard", territory.slug)
    assert f"Atelier {SHOWN}" in text and f"Salle {SHOWN}" in text
    assert "Aucun pilote ni co-pilote n&#x27;est désigné." in text


def test_the_pages_count_a_meeting_as_soon_as_its_attendance_is_recorded(login_as, coordinator):
    territory = coordinator.territory
    group = WorkGroupFactory(
        contract=ContractFactory(territory=territory),
        name="GT Nutrition",
        target_meetings_per_year=4,
    )
    group.pilots.set([ContactFactory(territory=territory)])
    people = [ContactFactory(territory=territory) for _ in range(2)]
    meet(group, timezone.localdate() - dt.timedelta(days=60), people)
    # Past, still "programmée": it does not count until someone records who came.
    meeting = meet(
        group, timezone.localdate() - dt.timedelta(days=10), status=MeetingStatus.PLANNED
    )
    client = login_as(coordinator)
    assert "<td>1 / 4</td>" in page(client, "workgroups:group_list", territory.slug)
    detail = page(client, "workgroups:group_detail", territory.slug, group.pk)
    assert "1 pour 4 visées" in detail and "<td>0 / 0</td>" in detail

    for person in people:
        Invitation.objects.create(meeting=meeting, contact=person, attendance=Attendance.PRESENT)
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status"])

    assert "<td>2 / 4</td>" in page(client, "workgroups:group_list", territory.slug)
    detail = page(client, "workgroups:group_detail", territory.slug, group.pk)
    assert "2 pour 4 visées" in detail and "<td>2 / 2</td>" in detail


@pytest.mark.parametrize("role", ["coordinator", "viewer"])
def test_the_list_gives_each_groups_state_and_reasons_in_one_round_trip_for_health(
    login_as, request, role
):
    """The list reads the health without the figures only its group's page shows: the same
    state and reasons as the group's full health, a vacant seat named to coordinators and as a
    professional of their structure to signatories; the groups, then their pilots and meetings
    together (PostgreSQL; one statement each on SQLite)."""
    from html import escape

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils.text import capfirst

    from partners.models import Organization
    from workgroups.health import group_health
    from workgroups.models import GroupStatus

    access = request.getfixturevalue(role)
    territory = access.territory
    contract = ContractFactory(territory=territory)
    ccas = Organization.objects.create(territory=territory, name="CCAS")
    today = timezone.localdate()
    left = ContactFactory(
        territory=territory, first_name="Léa", last_name="Partie", organization=ccas
    )
    left.left_at = today - dt.timedelta(days=40)
    left.save()
    vacant = WorkGroupFactory(contract=contract, name="GT Vacant", target_meetings_per_year=4)
    vacant.pilots.set([left])
    lively = WorkGroupFactory(contract=contract, name="GT Vivant", target_meetings_per_year=4)
    lively.pilots.set([ContactFactory(territory=territory, organization=ccas)])
    standby = WorkGroupFactory(contract=contract, name="GT Veille", status=GroupStatus.STANDBY)
    crowd = [ContactFactory(territory=territory, organization=ccas) for _ in range(4)]
    for days in (300, 200, 100, 20):
        meet(lively, today - dt.timedelta(days=days), crowd[: 1 + days // 100])
        meet(vacant, today - dt.timedelta(days=days), crowd[:2])
    meet(lively, today + dt.timedelta(days=20), status=MeetingStatus.PLANNED)

    client = login_as(access)
    client.get(reverse("workgroups:group_list", args=[territory.slug]))
    with CaptureQueriesContext(connection) as ctx:
        text = page(client, "workgroups:group_list", territory.slug)
    # Session, user, access, the groups, their health.
    assert len(ctx.captured_queries) == (5 if connection.vendor == "postgresql" else 6)
    for group in (vacant, lively, standby):
        health = group_health(group)
        row = text[text.index(f">{group.name}</a>") :]
        row = row[: row.index("</tr>")]
        assert f"{escape(capfirst(health.label))}</span>" in row
        assert row.count('class="warning"') == len(health.reasons)
        assert f"<td>{health.held_last_year} / {group.target_meetings_per_year}</td>" in row
    assert "Prochaine réunion programmée" not in text, "a note: the group's page gives it"
    if role == "viewer":
        assert "Léa" not in text and "un·e professionnel·le de CCAS (CCAS) a quitté" in text
    else:
        assert "Léa Partie (CCAS) a quitté sa structure" in text
