"""The form pages that choose a structure or a person search the directory as one types (the
pickers of cls_platform/widgets.py) instead of listing it: their HTML and their SQL queries stay
the same when the territory's directory is ten times larger. The contact form (its structure),
the departure form (the successor), the meeting form (each agenda line's structure) and the
public directory's management page (paginated) are measured at one size, then again after the
directory has grown tenfold (as tests/cls_platform/test_query_counts.py's "annuaire-x10")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import Contact, Organization
from tests.factories import ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups.models import AgendaItem

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"
# The directory of a small territory, grown tenfold (a large city, an intercommunality).
STRUCTURES, PEOPLE, FACTOR = 60, 150, 10
# Ids get a digit longer as the tables grow; the size of a page is otherwise the same. A list
# of the grown directory would add some 60 bytes per structure or person: tens of kilobytes.
SLACK = 200


def add_directory(territory, start: int, stop: int) -> None:
    """Structures and people numbered from `start` to `stop` (names of a fixed width: the
    pages that name some show the same ones at both sizes)."""
    organizations = Organization.objects.bulk_create(
        [Organization(territory=territory, name=f"Structure {n:05d}") for n in range(start, stop)]
    )
    Contact.objects.bulk_create(
        [
            Contact(
                territory=territory,
                first_name="Camille",
                last_name=f"Personne{n:05d}",
                email=f"personne{n:05d}@annuaire.fr",
                organization=organizations[n % len(organizations)],
            )
            for n in range(start * PEOPLE // STRUCTURES, stop * PEOPLE // STRUCTURES)
        ]
    )


@pytest.fixture
def pages(territory):
    """The form pages, on a directory of STRUCTURES structures and PEOPLE people."""
    add_directory(territory, 0, STRUCTURES)
    first = Organization.objects.filter(territory=territory).order_by("name")
    person = Contact.objects.filter(territory=territory).order_by("last_name").first()
    group = WorkGroupFactory(contract=ContractFactory(territory=territory))
    start = timezone.now() + dt.timedelta(days=10)
    meeting = MeetingFactory(group=group, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    for n, organization in enumerate(first[:3]):
        AgendaItem.objects.create(
            meeting=meeting, title=f"Point {n}", order=n, organization=organization
        )
    return {
        "contact: nouveau": f"{BASE}/annuaire/contacts/nouveau/",
        "contact: modifier": f"{BASE}/annuaire/contacts/{person.pk}/modifier/",
        "contact: départ": f"{BASE}/annuaire/contacts/{person.pk}/depart/",
        "réunion: programmer": f"{BASE}/groupes/{group.pk}/reunions/nouvelle/",
        "réunion: modifier": f"{BASE}/reunions/{meeting.pk}/modifier/",
        "annuaire public": f"{BASE}/offre-de-sante/",
    }


def measure(client, url: str) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"{url} : {response.status_code}"
    return (
        len(ctx.captured_queries),
        len(response.content),
        [q["sql"] for q in ctx.captured_queries],
    )


def test_the_form_pages_stay_the_same_with_a_ten_times_directory(
    login_as, coordinator, territory, pages
):
    client = login_as(coordinator)
    for url in pages.values():
        client.get(url)  # the session and the caches warm
    before = {name: measure(client, url) for name, url in pages.items()}

    add_directory(territory, STRUCTURES, STRUCTURES * FACTOR)
    assert Contact.objects.filter(territory=territory).count() == PEOPLE * FACTOR

    for name, url in pages.items():
        queries, size, sql = measure(client, url)
        assert queries == before[name][0], (
            f"{name} : {before[name][0]} requêtes, {queries} avec l'annuaire ×{FACTOR}\n"
            + "\n".join(sql)
        )
        assert abs(size - before[name][1]) <= SLACK, (
            f"{name} : {before[name][1]} octets, {size} avec l'annuaire ×{FACTOR}"
        )


def test_the_form_pages_name_only_what_they_show(login_as, coordinator, pages):
    """The grown-directory check above would pass on a page that lists nobody by mistake: each
    page still names what it must (the structure chosen, the agenda's structures)."""
    client = login_as(coordinator)
    edit = client.get(pages["contact: modifier"]).content.decode()
    assert 'name="organization" value="Structure 00000"' in edit
    meeting = client.get(pages["réunion: modifier"]).content.decode()
    for n in range(3):
        assert f'name="odj-{n}-organization" value="Structure {n:05d}"' in meeting
    assert "Structure 00003" not in meeting and "Personne00001" not in edit
