"""Calendar lines folded at 75 octets whatever falls on the fold: a group name, a place, an
attendee's name in which "é" (2 octets), "—" (3) or "😀" (4) straddles every possible fold
position. A fold in the middle of a character makes the whole `.ics` unreadable to some clients
(the previous round's "unreadable .ics"), so each line must hold whole characters."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from tests.factories import MeetingFactory
from tests.workgroups.conftest import afternoon_in
from workgroups.calendar import feed_ics, meeting_ics
from workgroups.models import AgendaItem

pytestmark = pytest.mark.django_db

WIDE = "é—😀"  # 2, 3 and 4 octets in UTF-8


def lines_of(ics: bytes) -> list[bytes]:
    assert ics.endswith(b"\r\n")
    lines = ics[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    return lines


def check(ics: bytes) -> Calendar:
    lines = lines_of(ics)
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)
    for line in lines:
        line.decode("utf-8")  # whole characters on every line
    return Calendar.from_ical(ics.decode("utf-8"))


@pytest.fixture
def meeting():
    start = afternoon_in(15)
    meeting = MeetingFactory(
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        title="Habitat indigne — « éco-rénovation »",
        group__name="GT Habitat, cadre de vie et santé environnementale — Saint-Étienne",
    )
    AgendaItem.objects.create(
        meeting=meeting, title="Présentation de l'ARS — qualité de l'air intérieur", order=1
    )
    return meeting


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_every_fold_position_keeps_whole_characters(meeting, method):
    for shift in range(76):
        pad = "x" * shift
        meeting.place = f"{pad}{WIDE * 12} Maison de quartier des Touleuses"
        meeting.group.name = f"{pad}{WIDE * 8} Groupe de travail"
        name = f"{pad}Marie-Bénédicte {WIDE * 6} de La Tour d'Auvergne"
        cal = check(
            meeting_ics(
                meeting=meeting,
                method=method,
                attendee_email="marie@partenaire.fr",
                attendee_name=name,
                organizer_email="amelie@cergy.fr",
                organizer_name=f"{pad}Amélie Lefèvre {WIDE * 4}",
            )
        )
        (event,) = cal.walk("VEVENT")
        assert str(event["LOCATION"]) == meeting.place, shift
        assert event["ATTENDEE"].params["CN"] == name, shift
        assert str(event["SUMMARY"]).startswith(meeting.group.name), shift


def page(meeting) -> str:
    return f"https://trame.exemple.fr/reunion/{meeting.pk}/"


def test_the_group_s_feed_folds_the_same_way(meeting):
    for shift in range(0, 76, 5):
        meeting.place = "x" * shift + WIDE * 12
        cal = check(feed_ics(name=f"{'y' * shift}{WIDE * 6}", meetings=[meeting], page_url=page))
        (event,) = cal.walk("VEVENT")
        assert str(event["LOCATION"]) == meeting.place
