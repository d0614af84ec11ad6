"""The demo's mail, read as its readers read it.

A newcomer loads the demo, runs the two commands seed_demo names (Cergy's upcoming meeting
waiting for its invitations, and its held meeting whose compte-rendu is written), then the
coordinator moves the upcoming meeting and cancels it. Every message goes through the outbox to a
real SMTP server (aiosmtpd on loopback); each one is read back from the bytes the server got:

- headers: one recipient, a Reply-To that reaches a person, a Date at the Paris offset, a
  Message-ID on the sender's domain, the headers of automatic mail and one-click unsubscribe;
- the text part reads as text (no entity, no tag), names the person, and carries every link of
  the HTML part, each link made for that person;
- the HTML part is a full French document;
- each calendar part (the alternative and the attached file) is strict UTF-8, folded at 75
  octets, and says the right iTIP thing to the right attendee (same UID throughout, SEQUENCE
  raised by the move and the cancellation);
- the compte-rendu carries its PDF, whose text holds the report's headings.

The demo is seeded and mailed once for the module (about 800 messages), in a transaction
rolled back at its end.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import html as html_lib
import io
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import signing
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import resolve
from django.utils import timezone
from django.utils.formats import date_format
from icalendar import Calendar

from cls_platform.celery import app as celery_app
from cls_platform.mail import outbox
from cls_platform.models import Delivery, DeliveryStatus, Role, Territory, User
from partners import services as partner_services
from partners import tokens as partner_tokens
from partners.models import Contact
from tests.factories import ContactFactory
from tests.support.smtp import Received, SmtpServer
from tests.workgroups.conftest import afternoon_in
from workgroups import services
from workgroups.calendar import calendar_uid
from workgroups.models import CalendarFeed, Invitation, Meeting
from workgroups.tokens import invitation_from_token

# The data is seeded and mailed once, by the module's fixture; each test reads inside its
# transaction.
pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)
TAG = re.compile(r"</?[a-z][a-z0-9]*(\s[^<>]*)?/?>", re.IGNORECASE)
LINK = re.compile(r"https?://[^\s<>\"')]+")
HEADING = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>", re.IGNORECASE | re.DOTALL)
MESSAGE_ID = re.compile(r"^<delivery-(\d+)\.([a-z_]+)\.r(\d+)@([^>]+)>$")

# A place long enough, and accented enough, that the calendars fold it with "é" near the fold.
MOVED_PLACE = (
    "Maison de quartier des Linandes — salle « Françoise-Héritier », 1er étage, "
    "entrée par la rue de l'Élysée-Ménilmontant"
)
MOVE_NOTE = (
    "La salle a changé : rendez-vous aux Linandes, une semaine plus tard. Merci à l'équipe !"
)
CANCEL_NOTE = "Réunion annulée : la grève des transports empêche la moitié d'entre vous de venir."


@dataclass
class Mailed:
    """What the module's scenario sent and what it needs to check it."""

    to_invite: int
    to_report: int
    uid: str
    sender_domain: str
    reply_to: set[str]  # the addresses that reach a person of Cergy's coordination
    coordinators: set[str]  # the addresses of Cergy's active coordinators
    leaver: str  # the partner who said they left
    names: dict[str, str]  # recipient address -> how the message must name them
    contacts: dict[int, str]  # contact id -> address
    invitations: dict[int, str]  # invitation id -> address of its contact
    feeds: dict[str, str]  # calendar feed token -> address of its contact
    queued: dict[str, int]  # what the commands and services said they queued, per kind
    sent: dict[str, int]  # deliveries recorded as sent, per kind
    report_headings: list[str]
    fiches: list[str]  # "3.2 Ateliers cuisine..." for each fiche-action the report discussed
    moved_to: dt.datetime
    first_start: dt.datetime
    by_kind: dict[str, list[Received]] = field(default_factory=dict)


def kind_of(message: EmailMessage) -> str:
    """The kind of the outbox row (the "update" of an invitation apart), from its Message-ID."""
    found = MESSAGE_ID.match(str(message["Message-ID"]).strip())
    assert found, message["Message-ID"]
    kind, revision = found[2], int(found[3])
    if kind == "invitation" and revision > 0:
        return "update"
    return kind


def command(name: str, *args: object) -> str:
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command(name, *args, stdout=out)
    return out.getvalue()


def queued_by(output: str) -> int:
    found = re.search(r"(\d+) envoi\(s\) mis en file", output)
    assert found, output
    return int(found[1])


@pytest.fixture(scope="module")
def mailed(django_db_setup, django_db_blocker, tmp_path_factory) -> Mailed:
    """Seed, run both commands, move, cancel, ask one person to check their details; every
    message as the SMTP server received it, by kind."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the outbox delivers as the requests commit
    server = SmtpServer().start()
    smtp = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=server.host,
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=10,
        MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-mail-media")),
    )
    try:
        with django_db_blocker.unblock(), smtp, transaction.atomic():
            try:
                yield _scenario(server)
            finally:
                outbox.smtp_connection().close()  # the worker's connection: its server goes
            transaction.set_rollback(True)
    finally:
        server.stop()
        celery_app.conf.task_always_eager = eager


def _scenario(server: SmtpServer) -> Mailed:
    # The newcomer reads the two commands to try in seed_demo's output.
    notes = command("seed_demo")
    to_invite = int(re.search(r"send_invitations (\d+)", notes)[1])
    to_report = int(re.search(r"send_report (\d+)", notes)[1])
    cergy = Territory.objects.get(slug="cergy")
    queued: Counter[str] = Counter()
    seeded_up_to = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    queued["invitation"] = queued_by(command("send_invitations", to_invite))
    queued["report"] = queued_by(command("send_report", to_report))

    meeting = Meeting.objects.get(pk=to_invite)
    # A reminder, to one invitee (the periodic task sends them three days before).
    reminded = meeting.invitations.order_by("pk").select_related("contact").first().contact
    with TestCase.captureOnCommitCallbacks(execute=True):
        queued["reminder"] = len(
            outbox.enqueue(
                territory=cergy,
                kind="reminder",
                topic=meeting.topic,
                recipients=[outbox.Recipient(email=reminded.email, contact_id=reminded.pk)],
            ).queued
        )
    first_start = meeting.starts_at
    local_day = timezone.localtime(meeting.starts_at).date()
    moved_to = afternoon_in((local_day - timezone.localdate()).days + 7)
    meeting.starts_at, meeting.ends_at = moved_to, moved_to + dt.timedelta(hours=2)
    meeting.place = MOVED_PLACE
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.meeting_save(
            meeting=meeting, fields=["starts_at", "ends_at", "place"], note=MOVE_NOTE
        )
    queued["update"] = Delivery.objects.filter(
        topic=meeting.topic, kind="invitation", revision=1
    ).count()
    # A partner who joins the directory after the move is invited to the meeting as it is now.
    newcomer = ContactFactory(
        territory=cergy,
        first_name="Noémie",
        last_name="Lefèvre-Ågren",
        email="noemie.lefevre@exemple.fr",
        organization=Contact.objects.filter(territory=cergy).first().organization,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.invitation_add(meeting=meeting, contact=newcomer).mailed
    queued["late_invitation"] = 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.meeting_cancel(meeting=meeting, note=CANCEL_NOTE)
    queued["cancellation"] = Delivery.objects.filter(
        topic=meeting.topic, kind="cancellation"
    ).count()

    # The directory's own message, to one partner of the demo.
    someone = Contact.objects.mailable().filter(territory=cergy).order_by("pk").first()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert partner_services.contact_request_confirmation(contact=someone)
    queued["details_check"] = 1
    # Then the same partner says they left: the coordination is told.
    with TestCase.captureOnCommitCallbacks(execute=True):
        hand_over = partner_services.hand_over_declare(
            contact=someone,
            data={
                "successor_first_name": "Léa",
                "successor_last_name": "N'Diaye-Hôte",
                "successor_email": "lea.ndiaye@exemple.fr",
                "message": "Je pars à la fin du mois.\nLéa reprend le dossier « santé mentale ».",
            },
        )
    queued["hand_over"] = Delivery.objects.filter(topic=f"handover:{hand_over.pk}").count()

    sent = Counter(
        "late_invitation"
        if contact_id == newcomer.pk and kind == "invitation"
        else "update"
        if kind == "invitation" and revision
        else kind
        for kind, revision, contact_id in Delivery.objects.filter(
            pk__gt=seeded_up_to, status=DeliveryStatus.SENT
        ).values_list("kind", "revision", "contact_id")
    )
    expected = sum(queued.values())
    messages = server.wait_for(expected, timeout=30)
    by_kind: dict[str, list[Received]] = {}
    for received in messages:
        kind = kind_of(received.message)
        if received.rcpt_tos == (newcomer.email,) and kind == "update":
            kind = "late_invitation"
        by_kind.setdefault(kind, []).append(received)

    contacts = Contact.objects.filter(territory=cergy)
    coordinators = User.objects.filter(
        is_active=True, accesses__territory=cergy, accesses__role=Role.COORDINATOR
    ).values_list("email", flat=True)
    reported = Meeting.objects.get(pk=to_report)
    report = reported.report
    mailed = Mailed(
        to_invite=to_invite,
        to_report=to_report,
        uid=calendar_uid(meeting),
        sender_domain=email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].split("@")[1],
        reply_to={a.lower() for a in [*coordinators, cergy.coordination_email] if a},
        coordinators={a.lower() for a in coordinators},
        leaver=someone.email.lower(),
        names={c.email.lower(): c.full_name or c.email for c in contacts},
        contacts={c.pk: c.email.lower() for c in contacts},
        invitations={
            pk: email_.lower()
            for pk, email_ in Invitation.objects.filter(meeting_id=to_invite).values_list(
                "pk", "contact__email"
            )
        },
        feeds={
            token: email_.lower()
            for token, email_ in CalendarFeed.objects.filter(territory=cergy).values_list(
                "token", "contact__email"
            )
        },
        queued=dict(queued),
        sent=dict(sent),
        report_headings=[
            " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", h)).split())
            for _level, h in HEADING.findall(report)
        ],
        fiches=[
            f"{link.fiche.number} {link.fiche.title}"
            for link in reported.action_links.select_related("fiche")
        ],
        moved_to=moved_to,
        first_start=first_start,
        by_kind=by_kind,
    )
    print(  # the figures of the report, shown with -s
        "\nCourriels de la démo par type : "
        + ", ".join(f"{kind} {len(copies)}" for kind, copies in sorted(by_kind.items()))
    )
    return mailed


# --- reading one message -----------------------------------------------------------------------


def text_of(message: EmailMessage) -> str:
    # On the wire every line ends in CRLF, and the parser keeps them in the content.
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def calendar_parts_of(message: EmailMessage) -> list[EmailMessage]:
    return [p for p in message.walk() if p.get_content_type() == "text/calendar"]


def calendar_parts(message: EmailMessage) -> tuple[EmailMessage, EmailMessage]:
    """(the alternative of the body, the attached file), each a text/calendar part."""
    parts = calendar_parts_of(message)
    inline = [p for p in parts if p.get_content_disposition() != "attachment"]
    files = [p for p in parts if p.get_content_disposition() == "attachment"]
    assert len(inline) == 1 and len(files) == 1, [p["Content-Type"] for p in parts]
    return inline[0], files[0]


class _Document(HTMLParser):
    """What a document's outline needs: the doctype, the tags with their attributes, the
    title, the heading levels in order."""

    def __init__(self) -> None:
        super().__init__()
        self.doctype = ""
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self.headings: list[int] = []
        self._in_title = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag) -> None:
        self._in_title = False

    def handle_data(self, data) -> None:
        if self._in_title:
            self.title += data


def link_owner(url: str, mailed: Mailed) -> str | None:
    """The address of the person a signed link was made for (None: a link that names nobody)."""
    assert url.startswith(settings.SITE_URL), url
    match = resolve(urlsplit(url).path)  # every link leads to a page of the platform
    token = match.kwargs.get("token")
    if match.view_name == "meeting_links:rsvp":
        return mailed.invitations[invitation_from_token(token)]
    if match.view_name == "meeting_links:feed":
        return mailed.feeds[token]
    if match.view_name == "partner_links:self_service":
        return mailed.contacts[signing.loads(token, salt=partner_tokens.SALT)["c"]]
    if match.view_name == "partner_links:self_service_unsubscribe":
        return mailed.contacts[signing.loads(token, salt=partner_tokens.UNSUBSCRIBE_SALT)["c"]]
    return None


def reply_address(message: EmailMessage) -> str:
    (reply_to,) = email.utils.getaddresses([str(message["Reply-To"])])
    return reply_to[1].lower()


def check_headers(received: Received, mailed: Mailed) -> None:
    """The headers of partner mail; the coordination's notice differs where it says."""
    message = received.message
    (recipient,) = received.rcpt_tos
    notice = kind_of(message) == "hand_over"
    to = email.utils.getaddresses([str(message["To"])])
    assert [address.lower() for _name, address in to] == [recipient.lower()]
    name, sender = email.utils.parseaddr(str(message["From"]))
    default_name, default_address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    assert sender == default_address
    # Who writes, in the inbox's list: the CLS to partners, the platform to the coordination.
    assert name == (default_name if notice else "Coordination du CLS de Cergy")
    reply_to = reply_address(message)
    assert reply_to != sender.lower()
    if notice:
        assert recipient.lower() in mailed.coordinators and reply_to == mailed.leaver
    else:
        assert reply_to in mailed.reply_to, reply_to
    sent_at = email.utils.parsedate_to_datetime(str(message["Date"]))
    assert sent_at.utcoffset() == sent_at.astimezone(PARIS).utcoffset(), message["Date"]
    found = MESSAGE_ID.match(str(message["Message-ID"]).strip())
    assert found and found[4] == mailed.sender_domain, message["Message-ID"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "fr"
    if notice:  # mail to the platform's own users: nothing to unsubscribe from
        assert message["List-Unsubscribe"] is None
        return
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<") and unsubscribe.endswith(">"), unsubscribe
    assert resolve(urlsplit(unsubscribe[1:-1]).path).view_name == (
        "partner_links:self_service_unsubscribe"
    )
    assert link_owner(unsubscribe[1:-1], mailed) == recipient.lower()


def check_text_and_html(received: Received, mailed: Mailed) -> None:
    message = received.message
    recipient = received.rcpt_tos[0].lower()
    text, html = text_of(message), html_of(message)
    assert not ENTITY.search(text), ENTITY.search(text)
    assert not TAG.search(text), TAG.search(text)
    assert not ENTITY.search(str(message["Subject"]))
    assert "\n\n\n" not in text
    lines = text.splitlines()
    assert "-- " in lines  # the signature, set apart as clients expect
    if kind_of(message) == "hand_over":
        leaver = mailed.names[mailed.leaver]
        assert lines[0] == "Bonjour,"
        assert f"{leaver} (" in lines[2] and "indique avoir quitté sa structure" in lines[2]
        assert f"Répondre à ce message écrit à {leaver} ({mailed.leaver})." in lines
    else:
        assert lines[0] == f"Bonjour {mailed.names[recipient]},"
        # Where a reply goes (the From address takes none).
        assert "Une question ? Répondez à ce message : il parviendra à " in text
        assert f"({reply_address(message)})." in text

    document = _Document()
    document.feed(html)
    assert document.doctype.lower() == "doctype html"
    tags = [tag for tag, _attrs in document.tags]
    assert tags[:2] == ["html", "head"] and "body" in tags
    assert document.tags[0][1].get("lang") == "fr"
    assert ("meta", {"charset": "utf-8"}) in document.tags
    assert document.title.strip()
    assert html.rstrip().endswith("</html>")
    if document.headings:  # an outline without a gap, as the W3C checker wants it
        assert document.headings[0] == 1, document.headings
        for before, after in zip(document.headings, document.headings[1:], strict=False):
            assert after <= before + 1, document.headings

    hrefs = [attrs["href"] for tag, attrs in document.tags if tag == "a" and attrs.get("href")]
    assert hrefs
    for href in hrefs:
        assert href in text, f"{href} manque dans la partie texte"
    for url in LINK.findall(text):
        owner = link_owner(url, mailed)
        assert owner in (None, recipient), (url, owner, recipient)


def check_calendars(received: Received, mailed: Mailed, *, method: str, sequence: int) -> Calendar:
    """Both calendar parts; returns the event, the same in both."""
    recipient = received.rcpt_tos[0].lower()
    inline, attached = calendar_parts(received.message)
    assert attached.get_filename() == ("annulation.ics" if method == "CANCEL" else "invitation.ics")
    contents = set()
    for part in (inline, attached):
        assert part.get_content_charset() == "utf-8"
        assert part.get_param("method") == method
        octets = part.get_payload(decode=True)
        octets.decode("utf-8", errors="strict")
        assert octets.endswith(b"\r\n")
        lines = octets[:-2].split(b"\r\n")
        assert all(b"\n" not in line and b"\r" not in line for line in lines)
        assert all(len(line) <= 75 for line in lines), max(lines, key=len)
        for line in lines:
            line.decode("utf-8")  # a fold never splits a character
        contents.add(octets)
    # The same octets in both parts: one reading with icalendar says what both say.
    (octets,) = contents
    cal = Calendar.from_ical(octets.decode("utf-8"))
    assert cal["METHOD"] == method
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == mailed.uid
    assert event["SEQUENCE"] == sequence
    assert str(event["ATTENDEE"]).lower() == f"mailto:{recipient}"
    assert event["ATTENDEE"].params["CN"] == mailed.names[recipient]
    assert str(event["ORGANIZER"]).lower() == f"mailto:{reply_address(received.message)}"
    assert event["STATUS"] == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
    return event


def french_day(moment: dt.datetime) -> str:
    """ "mardi 5 janvier 2027", "vendredi 1er janvier 2027"."""
    local = timezone.localtime(moment)
    day = "1er" if local.day == 1 else str(local.day)
    return f"{date_format(local, 'l')} {day} {date_format(local, 'F Y')}"


KINDS = [
    "invitation",
    "update",
    "late_invitation",
    "reminder",
    "cancellation",
    "report",
    "details_check",
    "hand_over",
]


def test_dates_read_as_a_french_letter_writes_them():
    from workgroups.emails import _clock, _long_date

    paris = dt.datetime(2027, 1, 1, 9, 30, tzinfo=PARIS)
    assert _long_date(paris) == "vendredi 1er janvier 2027"
    assert _long_date(paris.replace(day=5)) == "mardi 5 janvier 2027"
    assert (_clock(paris), _clock(paris.replace(hour=14, minute=0))) == ("9 h 30", "14 h")


# --- the figures -------------------------------------------------------------------------------


def test_every_queued_message_reached_the_server_once(mailed):
    counts = {kind: len(copies) for kind, copies in mailed.by_kind.items()}
    assert counts == mailed.queued
    assert counts == mailed.sent
    assert 180 <= counts["invitation"] <= 230
    assert 180 <= counts["report"] <= 230
    # The move reaches every invitee, the cancellation those whose calendar has the meeting
    # (the newcomer's too).
    assert counts["update"] == counts["invitation"]
    assert counts["cancellation"] == counts["invitation"] + 1
    assert counts["reminder"] == counts["details_check"] == counts["late_invitation"] == 1
    assert counts["hand_over"] == len(mailed.coordinators) >= 1
    for kind, copies in mailed.by_kind.items():
        recipients = [r.rcpt_tos for r in copies]
        assert all(len(r) == 1 for r in recipients), kind
        assert len(set(recipients)) == len(recipients), f"{kind}: someone got two copies"


# --- every message, by kind --------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_message_has_the_headers_a_client_expects(mailed, kind):
    assert mailed.by_kind[kind]
    for received in mailed.by_kind[kind]:
        check_headers(received, mailed)


@pytest.mark.parametrize("kind", KINDS)
def test_every_text_part_reads_alone_and_every_html_part_is_a_french_document(mailed, kind):
    for received in mailed.by_kind[kind]:
        check_text_and_html(received, mailed)


def test_every_invitation_is_a_request_for_its_recipient(mailed):
    for received in mailed.by_kind["invitation"]:
        event = check_calendars(received, mailed, method="REQUEST", sequence=0)
        assert event["DTSTART"].dt == mailed.first_start
        text = text_of(received.message)
        assert "\nJe viens : http" in text and "\nJe ne viens pas : http" in text
        assert "Ajouter toutes les réunions de ce groupe à votre agenda : http" in text


def test_the_reminder_gives_the_facts_and_both_answers(mailed):
    (received,) = mailed.by_kind["reminder"]
    assert str(received.message["Subject"]).strip().startswith("Rappel : GT 2")
    assert not calendar_parts_of(received.message)
    text = text_of(received.message)
    moment = french_day(mailed.first_start)
    assert f"Quand : le {moment}, de 14 h à 16 h" in text
    assert "\nJe viens : http" in text and "\nJe ne viens pas : http" in text


def test_the_coordination_reads_who_left_and_who_follows(mailed):
    for received in mailed.by_kind["hand_over"]:
        text = text_of(received.message)
        assert "Successeur proposé : Léa N'Diaye-Hôte <lea.ndiaye@exemple.fr>" in text
        assert "Je pars à la fin du mois.\nLéa reprend le dossier « santé mentale »." in text


def test_every_update_moves_the_same_event_and_says_why(mailed):
    moved = french_day(mailed.moved_to)
    for received in mailed.by_kind["update"]:
        event = check_calendars(received, mailed, method="REQUEST", sequence=1)
        assert event["DTSTART"].dt == mailed.moved_to
        assert str(event["LOCATION"]) == MOVED_PLACE
        message = received.message
        assert str(message["Subject"]).strip().startswith("[Modifié] Invitation")
        text = text_of(message)
        assert MOVE_NOTE in text and MOVED_PLACE in text
        assert f"Quand : le {moved}, de 14 h à 16 h" in text
        assert "Les réponses données avant ce changement ne comptent plus" in text
        assert MOVE_NOTE in html_lib.unescape(html_of(message))


def test_a_partner_invited_after_the_move_gets_a_plain_invitation(mailed):
    """Nothing to update in their calendar, no answer to give again: not "[Modifié]"."""
    (received,) = mailed.by_kind["late_invitation"]
    event = check_calendars(received, mailed, method="REQUEST", sequence=1)
    assert event["DTSTART"].dt == mailed.moved_to
    message = received.message
    assert str(message["Subject"]).strip().startswith("Invitation : GT 2")
    text = text_of(message)
    assert text.startswith("Bonjour Noémie Lefèvre-Ågren,\n\nVous êtes invité·e")
    assert "a changé" not in text and MOVE_NOTE not in text
    assert "a changé" not in html_of(message)


def test_every_cancellation_cancels_the_same_event_and_says_why(mailed):
    moved = french_day(mailed.moved_to)
    for received in mailed.by_kind["cancellation"]:
        check_calendars(received, mailed, method="CANCEL", sequence=2)
        message = received.message
        assert str(message["Subject"]).strip().startswith("[Annulé]")
        text = text_of(message)
        assert CANCEL_NOTE in text and f"prévue le {moved}, de 14 h à 16 h, est annulée" in text


def pdf_text(pdf: bytes) -> str:
    """The PDF read with poppler, as the PDF tests read it (tests/actions/test_pdf.py)."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return " ".join(text.replace("\u00a0", " ").split())


def test_every_report_carries_the_same_pdf_with_the_reports_headings(mailed):
    assert len(mailed.report_headings) >= 4 and len(mailed.fiches) >= 2
    pdfs = set()
    for received in mailed.by_kind["report"]:
        (pdf,) = received.pdfs
        assert pdf.filename.startswith("compte-rendu-") and pdf.filename.endswith(".pdf")
        pdfs.add(pdf.payload)
        text = text_of(received.message)
        for heading in mailed.report_headings:
            assert f"\n\n{heading}\n\n" in text, heading  # a heading on its own line
        for fiche in mailed.fiches:  # named by the report: not listed a second time
            assert text.count(fiche) == 1, fiche
    (pdf,) = pdfs
    assert pdf.startswith(b"%PDF-")
    printed = pdf_text(pdf)
    for heading in mailed.report_headings:
        assert heading in printed, heading
