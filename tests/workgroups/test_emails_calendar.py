"""The calendar parts of invitations, updates and cancellations, as a real SMTP server receives
them (aiosmtpd on loopback): both parts (the alternative that Outlook and Gmail show as an
invitation, and the `.ics` file) are UTF-8, "François Lefèvre" and "—" come back intact, and
every line holds in 75 octets."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage

import pytest
from django.utils import timezone
from icalendar import Calendar

from cls_platform.mail import outbox
from cls_platform.models import Delivery, DeliveryStatus
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from tests.support.smtp import SmtpServer, smtp_server  # noqa: F401  (fixture)
from workgroups.calendar import calendar_uid
from workgroups.models import AgendaItem, Invitation, MeetingStatus

pytestmark = pytest.mark.django_db

TITLE = "Intervention de l'OPH — logements dégradés, « éco-rénovation » et accès aux soins"
ORGANIZER = "Amélie Bérénice Lefèvre — Coordination"


@pytest.fixture
def smtp_settings(settings, smtp_server: SmtpServer):  # noqa: F811
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    return smtp_server


def send_row(territory, kind: str, meeting, contact, revision: int) -> None:
    (pk,) = outbox.enqueue(
        territory=territory,
        kind=kind,
        topic=meeting.topic,
        recipients=[outbox.Recipient(email=contact.email, contact_id=contact.pk)],
        revision=revision,
    ).queued
    assert outbox.deliver(pk, connection=outbox.smtp_connection()) == DeliveryStatus.SENT, (
        Delivery.objects.get(pk=pk).last_error
    )


def calendar_parts(raw: bytes) -> tuple[EmailMessage, EmailMessage]:
    """(the alternative of the body, the attached file), each a text/calendar part."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    alternatives = [p for p in parts if p.get_content_disposition() != "attachment"]
    files = [p for p in parts if p.get_content_disposition() == "attachment"]
    assert len(alternatives) == 1 and len(files) == 1, [p["Content-Type"] for p in parts]
    return alternatives[0], files[0]


def decoded(part: EmailMessage) -> tuple[str, bytes]:
    """The part's text, decoded from its transfer encoding then (strictly) from UTF-8."""
    octets = part.get_payload(decode=True)
    assert isinstance(octets, bytes)
    return octets.decode("utf-8", errors="strict"), octets


def test_invitation_update_and_cancellation_carry_utf8_calendars(
    territory, smtp_settings: SmtpServer
):
    group = WorkGroupFactory(
        contract=ContractFactory(territory=territory), name="GT Habitat — santé"
    )
    start = timezone.now() + dt.timedelta(days=20)
    meeting = MeetingFactory(
        group=group,
        title=TITLE,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Maison de quartier des Hauts-de-Cergy — salle « Érable »",
        organizer_email="amelie@cergy.fr",
        organizer_name=ORGANIZER,
    )
    # Long enough that icalendar folds its lines, with accents near the folds.
    AgendaItem.objects.create(
        meeting=meeting,
        title="Présentation de l'OPH — « éèàùç » " * 4,
        presenter="François Lefèvre",
        order=1,
    )
    francois = ContactFactory(
        territory=territory, first_name="François", last_name="Lefèvre", email="francois@oph.fr"
    )
    Invitation.objects.create(meeting=meeting, contact=francois)

    send_row(territory, "invitation", meeting, francois, 0)
    meeting.starts_at += dt.timedelta(days=1)
    meeting.ends_at += dt.timedelta(days=1)
    meeting.sequence = 1
    meeting.save()
    send_row(territory, "invitation", meeting, francois, 1)
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence = 2
    meeting.save()
    send_row(territory, "cancellation", meeting, francois, 2)

    received = smtp_settings.wait_for(3, timeout=10)
    expected = [
        ("REQUEST", 0, "invitation.ics", start),
        ("REQUEST", 1, "invitation.ics", start + dt.timedelta(days=1)),
        ("CANCEL", 2, "annulation.ics", start + dt.timedelta(days=1)),
    ]
    uids = set()
    for copy, (method, sequence, filename, starts) in zip(received, expected, strict=True):
        assert copy.rcpt_tos == ("francois@oph.fr",)
        alternative, attached = calendar_parts(copy.data)
        assert alternative.get_param("method") == method
        assert attached.get_param("method") == method
        assert attached.get_content_charset() == "utf-8"
        assert attached.get_filename() == filename
        assert attached["Content-Transfer-Encoding"] == "base64"
        texts = []
        for part in (alternative, attached):
            text, octets = decoded(part)
            texts.append(text.replace("\r\n", "\n"))
            lines = octets.replace(b"\r\n", b"\n").split(b"\n")
            assert all(len(line) <= 75 for line in lines), max(lines, key=len)
            assert any(line.startswith(b" ") for line in lines), "long lines were folded"
            for line in lines:
                line.decode("utf-8")  # a fold never splits a character
            cal = Calendar.from_ical(text)
            assert cal["METHOD"] == method
            (event,) = cal.walk("VEVENT")
            uids.add(str(event["UID"]))
            assert event["SEQUENCE"] == sequence
            assert event["DTSTART"].dt == starts.replace(microsecond=0)
            assert str(event["ATTENDEE"]) == "mailto:francois@oph.fr"
            assert event["ATTENDEE"].params["CN"] == "François Lefèvre"
            assert str(event["ORGANIZER"]) == "mailto:amelie@cergy.fr"
            assert event["ORGANIZER"].params["CN"] == ORGANIZER
            assert str(event["SUMMARY"]) == f"GT Habitat — santé — {TITLE}"
            assert "François Lefèvre" in str(event["DESCRIPTION"])
            assert "« éèàùç »" in str(event["DESCRIPTION"])
            assert str(event["LOCATION"]).endswith("salle « Érable »")
            assert event["STATUS"] == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
        assert texts[0] == texts[1], "the two parts say the same"
    assert uids == {calendar_uid(meeting)}
