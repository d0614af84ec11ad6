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
