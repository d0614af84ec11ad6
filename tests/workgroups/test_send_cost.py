"""Sending at the cost of the mail itself: a compte-rendu to 50 people costs, per message, only
what is that person's own (recording it sent), and per chunk of rows a worker takes at once
(outbox.batch.BATCH_SIZE) claiming them and reading the people with the meeting's state; the
meeting, its agenda and files are read, and the templates rendered, once. The messages read as before: each person's name and links, the PDF, nothing of another
recipient's."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from cls_platform.mail import batch, outbox
from cls_platform.models import DeliveryStatus
from partners.tokens import contact_from_mailing_token, contact_from_unsubscribe_token
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups import emails, services
from workgroups.models import AgendaItem, Invitation, Meeting, MeetingDocument
from workgroups.tokens import document_from_token, invitation_from_token

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")
# A signed token's date and signature (payload:date:signature): the same link signed a second
# later differs there only.
SIGNED = re.compile(r"/([.\w-]+):\w+:[\w-]+/")
MEETING_OR_AGENDA = re.compile(r'FROM "workgroups_(meeting|agendaitem)"')


def reads_meeting(sql: str) -> bool:
    """A query that reads the meeting or its agenda by itself (not as a subquery of the one
    that reads the person)."""
    return bool(MEETING_OR_AGENDA.search(sql)) and 'FROM "partners_contact"' not in sql


def held_meeting(territory, people: int, *, names=None, prefix="p") -> tuple[Meeting, list]:
    start = timezone.now() - dt.timedelta(days=2)
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Accès"),
        title="Réunion de printemps",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    AgendaItem.objects.create(meeting=meeting, title="Tour de table", duration_minutes=20)
    contacts = [
        ContactFactory(
            territory=territory,
            first_name=(names[i][0] if names else "Camille"),
            last_name=(names[i][1] if names else f"Durand {i}"),
            email=f"{prefix}{i}@asso.fr",
        )
        for i in range(people)
    ]
    for contact in contacts:
        Invitation.objects.create(meeting=meeting, contact=contact)
    meeting = services.report_save(
        meeting=meeting, html="<h3>Décisions</h3><p>Une fiche réflexe pour septembre.</p>"
    )
    return meeting, contacts


def send_report(meeting, capture) -> list[dict]:
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        result = services.report_send(meeting=meeting)
    assert result.queued == meeting.invitations.count()
    return queries.captured_queries


def test_per_message_queries_do_not_grow_and_never_read_the_meeting_again(
    territory, django_capture_on_commit_callbacks
):
    first, _ = held_meeting(territory, 1, prefix="premier")
    small, _ = held_meeting(territory, 5, prefix="petit")
    large, _ = held_meeting(territory, 50, prefix="grand")
    send_report(first, django_capture_on_commit_callbacks)  # what a process does once
    mail.outbox.clear()
    few = send_report(small, django_capture_on_commit_callbacks)
    many = send_report(large, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 55
    # Per message, record it sent; per chunk (one of 5 rows, two of 50), claim its rows and
    # read its people (with the meeting's state in the same query).
    assert batch.BATCH_SIZE == 25
    assert len(many) - len(few) == 45 * 1 + (2 - 1) * 2, "\n".join(
        q["sql"][:160] for q in many[-9:]
    )
    meeting_reads = [
        len([q for q in queries if reads_meeting(q["sql"])]) for queries in (few, many)
    ]
    assert meeting_reads[0] == meeting_reads[1]


def parts(message, *, unsigned: bool = False) -> dict:
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    if unsigned:
        found = parts(message)
        return {
            name: SIGNED.sub(r"/\1/", value) if isinstance(value, str) else value
            for name, value in found.items()
        }
    return {
        "subject": str(parsed["Subject"]),
        "text": parsed.get_body(("plain",)).get_content(),
        "html": parsed.get_body(("html",)).get_content(),
        "attachments": [
            (a.get_filename(), a.get_content_type(), a.get_payload(decode=True))
            for a in parsed.iter_attachments()
        ],
        "unsubscribe": str(parsed["List-Unsubscribe"]).strip(),
    }


def token_of(url: str) -> str:
    (token,) = [
        part for part in urlsplit(url).path.split("/") if re.fullmatch(r"[.\w-]+:\w+:[\w-]+", part)
    ]
    return token


def test_each_message_is_the_one_composed_alone_with_its_own_name_and_links(
    territory, django_capture_on_commit_callbacks
):
    names = [("Zoé", "D'Arc & <Fils>"), ("Léon", "Martin"), ("Inès", "« Ben » Saïd")]
    meeting, contacts = held_meeting(territory, 3, names=names)
    MeetingDocument.objects.create(
        meeting=meeting,
        title="Diaporama de la CPAM",
        file=ContentFile(b"%PDF-1.4 diapos", name="cpam.pdf"),
        file_name="cpam.pdf",
        size=15,
        content_type="application/pdf",
    )
    mail.outbox.clear()
    send_report(meeting, django_capture_on_commit_callbacks)
    sent = {m.to[0]: parts(m) for m in mail.outbox}
    unsigned = {m.to[0]: parts(m, unsigned=True) for m in mail.outbox}
    assert len(sent) == 3

    rows = {d.to_email: d for d in meeting_deliveries(meeting)}
    for contact in contacts:
        got = sent[contact.email]
        # The same message composed alone, from nothing this process kept.
        emails.forget_snapshots()
        emails._report_bundle.cache_clear()
        alone = parts(emails.compose_report(rows[contact.email]), unsigned=True)
        assert unsigned[contact.email] == alone
        assert SIGNED.search(got["text"]) and not SIGNED.search(alone["text"])

        name = f"{contact.first_name} {contact.last_name}"
        assert f"Bonjour {name}," in got["text"]
        assert f"Bonjour {escape(name)}," in got["html"]
        assert "trameslot" not in got["text"] + got["html"] + got["subject"]
        assert got["subject"].startswith("Compte-rendu : GT Accès du ")
        for other in contacts:
            if other != contact:
                assert other.last_name not in got["text"]
        # Every link of the message is this person's: details, unsubscribe, the document.
        links = LINK.findall(got["text"])
        assert contact_from_mailing_token(token_of(links[-2])) == contact
        assert contact_from_unsubscribe_token(token_of(links[-1])) == contact
        assert got["unsubscribe"] == f"<{links[-1]}>"
        (document_link,) = [u for u in links if "/document/" in u]
        assert document_from_token(token_of(document_link))[1] == contact.pk
        assert [(name, kind) for name, kind, _data in got["attachments"]] == [
            (
                "compte-rendu-"
                + timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y")
                + ".pdf",
                "application/pdf",
            ),
            ("cpam.pdf", "application/pdf"),
        ]
        assert got["attachments"][0][2].startswith(b"%PDF")


def meeting_deliveries(meeting):
    from cls_platform.models import Delivery

    return Delivery.objects.filter(topic=meeting.topic, kind="report").order_by("id")


def test_a_meeting_changed_elsewhere_between_two_messages_shows_in_the_next_one(
    territory, django_capture_on_commit_callbacks
):
    """A worker keeps what it read of the meeting; a change made by another process (no signal
    reaches the worker: an UPDATE here) still shows in the next message."""
    meeting, contacts = held_meeting(territory, 2)
    meeting.report_pdf.save("cr.pdf", ContentFile(b"%PDF-1.4 cr"), save=True)
    Meeting.objects.filter(pk=meeting.pk).update(report_sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False):
        rows = outbox.enqueue(
            territory=territory,
            kind="report",
            topic=meeting.topic,
            recipients=[outbox.Recipient(email=c.email, contact_id=c.pk) for c in contacts],
        ).queued
    mail.outbox.clear()
    assert outbox.deliver(rows[0]) == DeliveryStatus.SENT
    Meeting.objects.filter(pk=meeting.pk).update(title="Réunion d'été")
    group = meeting.group
    type(group).objects.filter(pk=group.pk).update(name="GT Accès aux soins")
    assert outbox.deliver(rows[1]) == DeliveryStatus.SENT

    first, second = (parts(m) for m in mail.outbox)
    assert "GT Accès du" in first["subject"]
    assert "GT Accès aux soins du" in second["subject"]


def test_an_invitation_outdated_by_a_move_made_elsewhere_is_not_sent(
    territory, django_capture_on_commit_callbacks
):
    start = timezone.now() + dt.timedelta(days=10)
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=territory)),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    contacts = [ContactFactory(territory=territory, email=f"i{n}@asso.fr") for n in range(2)]
    invitations = [Invitation.objects.create(meeting=meeting, contact=c) for c in contacts]
    with django_capture_on_commit_callbacks(execute=False):
        rows = outbox.enqueue(
            territory=territory,
            kind="invitation",
            topic=meeting.topic,
            recipients=[outbox.Recipient(email=c.email, contact_id=c.pk) for c in contacts],
        ).queued
    mail.outbox.clear()
    assert outbox.deliver(rows[0]) == DeliveryStatus.SENT
    # Moved by the web process: its newer version goes separately.
    Meeting.objects.filter(pk=meeting.pk).update(sequence=1)
    assert outbox.deliver(rows[1]) == DeliveryStatus.SKIPPED
    assert len(mail.outbox) == 1
    # The answer links of the one that went are its recipient's own invitation.
    (went,) = [i for i in invitations if i.contact.email == mail.outbox[0].to[0]]
    text = parts(mail.outbox[0])["text"]
    answer = [u for u in LINK.findall(text) if "/oui" in u]
    assert answer and invitation_from_token(answer[0].rstrip("/").split("/")[-2]) == went.pk
