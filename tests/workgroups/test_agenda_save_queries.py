"""Saving a meeting's agenda costs as many SQL queries with 30 lines as with 3: the lines
already saved (their ids) and the structures they name are read once for all the lines, and
every line is kept as the person left it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MeetingFactory, OrganizationFactory
from tests.workgroups.test_pickers_agenda import meeting_form
from workgroups.models import AgendaItem

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def add_lines(meeting, territory, n: int) -> None:
    start = meeting.agenda_items.count()
    for i in range(start, start + n):
        AgendaItem.objects.create(
            meeting=meeting,
            title=f"Point {i}",
            order=i,
            organization=OrganizationFactory(territory=territory, name=f"Structure {i:02d}"),
        )


def save_queries(client, url: str) -> int:
    """The page's form as a browser sends it, each line's title changed: the queries of the
    save (a redirect to the meeting)."""
    data = meeting_form(client, url)
    lines = int(data["odj-INITIAL_FORMS"])
    for n in range(lines):
        data[f"odj-{n}-title"] = f"Point {n} revu"
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return len(ctx.captured_queries)


def test_saving_3_or_30_agenda_lines_costs_the_same_queries(
    login_as, coordinator, meeting, territory
):
    client = login_as(coordinator)
    url = f"{BASE}/reunions/{meeting.pk}/modifier/"
    add_lines(meeting, territory, 3)
    save_queries(client, url)  # warms the session and the caches

    three = save_queries(client, url)
    add_lines(meeting, territory, 27)
    thirty = save_queries(client, url)

    assert thirty == three, f"{three} requêtes pour 3 lignes, {thirty} pour 30"
    assert three <= 20, f"{three} requêtes"
    saved = list(meeting.agenda_items.select_related("organization").order_by("order"))
    assert len(saved) == 30
    assert [(i.title, i.organization.name) for i in saved] == [
        (f"Point {n} revu", f"Structure {n:02d}") for n in range(30)
    ]


def test_a_line_removed_changed_or_added_is_saved_as_left(
    login_as, coordinator, meeting, territory
):
    client = login_as(coordinator)
    url = f"{BASE}/reunions/{meeting.pk}/modifier/"
    add_lines(meeting, territory, 3)
    data = meeting_form(client, url)
    data["odj-0-DELETE"] = "on"
    data["odj-1-organization"] = ""
    data["odj-1-organization_id"] = ""
    data["odj-3-title"] = "Nouveau point"
    data["odj-3-organization"] = "Structure 00"
    response = client.post(url, data)
    assert response.status_code == 302
    saved = list(meeting.agenda_items.select_related("organization").order_by("order"))
    assert [(i.title, i.organization and i.organization.name) for i in saved] == [
        ("Point 1", None),
        ("Point 2", "Structure 02"),
        ("Nouveau point", "Structure 00"),
    ]


def test_a_line_id_of_another_meeting_changes_nothing_there(
    login_as, coordinator, meeting, territory, group
):
    """A forged (or stale) line id names none of this meeting's lines: the line is saved in
    this meeting as typed, and the other meeting's line is left as it was."""
    other = MeetingFactory(group=group, title="Autre réunion")
    foreign = AgendaItem.objects.create(meeting=other, title="Point d'ailleurs", order=0)
    client = login_as(coordinator)
    url = f"{BASE}/reunions/{meeting.pk}/modifier/"
    add_lines(meeting, territory, 1)
    data = meeting_form(client, url)
    data["odj-0-id"] = str(foreign.pk)
    data["odj-0-title"] = "Point 0 revu"
    response = client.post(url, data)
    assert response.status_code == 302
    foreign.refresh_from_db()
    assert (foreign.meeting, foreign.title) == (other, "Point d'ailleurs")
    assert [i.title for i in meeting.agenda_items.all()] == ["Point 0 revu"]
