"""The `.ics` of an invitation: an iTIP REQUEST / CANCEL that mail clients show as a meeting."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.factories import MeetingFactory
from workgroups.calendar import meeting_ics
from workgroups.models import AgendaItem, Meeting, MeetingStatus

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _sender(settings: object) -> None:
    settings.DEFAULT_FROM_EMAIL = "Trame CLS <ne-pas-repondre@trame.local>"
    settings.TIME_ZONE = "Europe/Paris"


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def meeting_at(start: dt.datetime, **kwargs: object) -> Meeting:
    meeting = MeetingFactory(
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        title="Santé mentale des jeunes",
        group__name="GT Santé mentale",
        place="Maison de quartier des Touleuses, 2 place des Touleuses",
        **kwargs,
    )
    AgendaItem.objects.create(
        meeting=meeting,
        title="Suivi des fiches-actions de l'axe 2",
        duration_minutes=45,
        presenter="Camille Martin",
        order=1,
    )
    AgendaItem.objects.create(
        meeting=meeting,
        title="Présentation de la Maison des adolescents",
        duration_minutes=90,
        order=2,
    )
    return meeting


def invite(meeting: Meeting, method: str = "REQUEST", **kwargs: object) -> bytes:
    kwargs.setdefault("attendee_email", "elodie.dupont@partenaire.fr")
    kwargs.setdefault("attendee_name", "Élodie Dupont")
    return meeting_ics(meeting=meeting, method=method, **kwargs)


def parse(ics: bytes) -> tuple[Calendar, object]:
    cal = Calendar.from_ical(ics)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


@pytest.fixture
def winter_meeting() -> Meeting:
    return meeting_at(paris(2027, 1, 14, 14, 0), online_url="https://visio.exemple.fr/gt-sante")


@pytest.fixture
def summer_meeting() -> Meeting:
    return meeting_at(paris(2027, 7, 8, 9, 30))


def test_request_is_an_itip_invitation(winter_meeting: Meeting) -> None:
    cal, event = parse(invite(winter_meeting, rsvp_url="https://trame.exemple.fr/r/abc"))

    assert cal["METHOD"] == "REQUEST"
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"] == "-//Trame//CLS//FR"
    assert str(winter_meeting.calendar_uid) in str(event["UID"])
    assert str(event["UID"]) == f"{winter_meeting.calendar_uid}@trame.local"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "GT Santé mentale — Santé mentale des jeunes"
    assert event["LOCATION"].startswith("Maison de quartier des Touleuses")
    assert event["URL"] == "https://visio.exemple.fr/gt-sante"
    assert event["DTSTAMP"].dt.utcoffset() == dt.timedelta(0)

    organizer = event["ORGANIZER"]
    assert organizer == "mailto:ne-pas-repondre@trame.local"
    assert organizer.params["CN"] == "Trame CLS"

    attendee = event["ATTENDEE"]
    assert attendee == "mailto:elodie.dupont@partenaire.fr"
    assert attendee.params["CN"] == "Élodie Dupont"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"

    description = str(event["DESCRIPTION"])
    assert "1. Suivi des fiches-actions de l'axe 2 (45 min) — Camille Martin" in description
    assert "2. Présentation de la Maison des adolescents (1 h 30)" in description
    assert "https://visio.exemple.fr/gt-sante" in description
    assert "https://trame.exemple.fr/r/abc" in description


def test_the_description_gives_both_answer_links(winter_meeting: Meeting) -> None:
    _, event = parse(
        invite(
            winter_meeting,
            rsvp_url="https://trame.exemple.fr/reunion/t/oui/",
            decline_url="https://trame.exemple.fr/reunion/t/non/",
        )
    )
    description = str(event["DESCRIPTION"])
    assert "Je viens : https://trame.exemple.fr/reunion/t/oui/" in description
    assert "Je ne viens pas : https://trame.exemple.fr/reunion/t/non/" in description


def test_organizer_can_be_given(winter_meeting: Meeting) -> None:
    _, event = parse(
        invite(
            winter_meeting,
            organizer_email="coordinatrice@cergy.fr",
            organizer_name="Coordination CLS de Cergy",
        )
    )
    assert event["ORGANIZER"] == "mailto:coordinatrice@cergy.fr"
    assert event["ORGANIZER"].params["CN"] == "Coordination CLS de Cergy"


def test_online_only_meeting_is_located_at_its_link() -> None:
    meeting = meeting_at(paris(2027, 3, 4, 10, 0), online_url="https://visio.exemple.fr/copil")
    meeting.place = ""
    meeting.save()
    _, event = parse(invite(meeting))
    assert event["LOCATION"] == "https://visio.exemple.fr/copil"
    assert event["URL"] == "https://visio.exemple.fr/copil"


@pytest.mark.parametrize(
    ("fixture", "wall_time", "utc_offset"),
    [
        ("winter_meeting", (2027, 1, 14, 14, 0), dt.timedelta(hours=1)),
        ("summer_meeting", (2027, 7, 8, 9, 30), dt.timedelta(hours=2)),
    ],
)
def test_times_are_paris_wall_times_with_a_vtimezone(
    request: pytest.FixtureRequest,
    fixture: str,
    wall_time: tuple[int, ...],
    utc_offset: dt.timedelta,
) -> None:
    meeting = request.getfixturevalue(fixture)
    meeting.refresh_from_db()  # as the view would see it: UTC from the database
    ics = invite(meeting)
    cal, event = parse(ics)

    start = event["DTSTART"]
    assert start.params["TZID"] == "Europe/Paris"
    assert start.dt.replace(tzinfo=None) == dt.datetime(*wall_time)
    assert start.dt.utcoffset() == utc_offset
    assert start.dt == meeting.starts_at
    end = event["DTEND"]
    assert end.params["TZID"] == "Europe/Paris"
    assert end.dt == meeting.ends_at
    local = dt.datetime(*wall_time).strftime("%Y%m%dT%H%M%S")
    assert f"DTSTART;TZID=Europe/Paris:{local}".encode() in ics

    timezones = cal.walk("VTIMEZONE")
    assert [tz["TZID"] for tz in timezones] == ["Europe/Paris"]
    assert cal.get_missing_tzids() == set()


def test_vtimezone_uses_rrules_that_agree_with_zoneinfo(winter_meeting: Meeting) -> None:
    """Outlook reads only DTSTART, RRULE and the offsets of a VTIMEZONE (no RDATE)."""
    cal, _ = parse(invite(winter_meeting))
    (vtimezone,) = cal.walk("VTIMEZONE")
    observances = vtimezone.walk("STANDARD") + vtimezone.walk("DAYLIGHT")
    assert len(observances) == 2
    assert all("RRULE" in o and "RDATE" not in o for o in observances)

    described = vtimezone.to_tz(lookup_tzid=False)
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    while moment.year < 2029:
        assert moment.astimezone(described).utcoffset() == moment.astimezone(PARIS).utcoffset()
        moment += dt.timedelta(minutes=30)


def test_reschedule_keeps_the_uid_and_raises_the_sequence(winter_meeting: Meeting) -> None:
    _, first = parse(invite(winter_meeting))

    winter_meeting.starts_at = paris(2027, 1, 21, 9, 0)
    winter_meeting.ends_at = paris(2027, 1, 21, 11, 0)
    winter_meeting.sequence += 1
    winter_meeting.save()
    winter_meeting.refresh_from_db()
    cal, second = parse(invite(winter_meeting))

    assert cal["METHOD"] == "REQUEST"
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] == 1
    assert second["DTSTART"].dt.replace(tzinfo=None) == dt.datetime(2027, 1, 21, 9, 0)
    assert second["DTSTART"].params["TZID"] == "Europe/Paris"


def test_cancel_keeps_the_uid_with_the_raised_sequence(summer_meeting: Meeting) -> None:
    _, request = parse(invite(summer_meeting))

    summer_meeting.sequence += 1
    summer_meeting.status = MeetingStatus.CANCELLED
    summer_meeting.save()
    ics = invite(summer_meeting, method="CANCEL")
    cal, event = parse(ics)

    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == request["UID"]
    assert event["SEQUENCE"] == 1
    assert event["ORGANIZER"] == "mailto:ne-pas-repondre@trame.local"
    assert event["ATTENDEE"] == "mailto:elodie.dupont@partenaire.fr"
    assert "RSVP" not in event["ATTENDEE"].params


def test_lines_end_in_crlf_and_are_folded_at_75_octets() -> None:
    meeting = meeting_at(
        paris(2027, 10, 31, 14, 0),  # the day summer time ends
        online_url="https://visio.exemple.fr/" + "réunion-très-longue-" * 8,
    )
    meeting.description = "Bienvenue à toutes et à tous ! " * 10
    meeting.save()
    ics = invite(meeting, attendee_name="Marie-Bénédicte de La Tour d'Auvergne-Lauraguais")

    assert ics.endswith(b"\r\n")
    lines = ics.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)
    assert any(line.startswith(b" ") for line in lines)  # something was long enough to fold
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character
    _, event = parse(ics)
    assert str(event["DESCRIPTION"]).startswith("Bienvenue à toutes et à tous !")


def test_only_request_and_cancel_are_written(winter_meeting: Meeting) -> None:
    with pytest.raises(ValueError):
        invite(winter_meeting, method="PUBLISH")
