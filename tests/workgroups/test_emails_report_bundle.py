"""The files of a compte-rendu are read once per worker process and shared by all its messages;
what is shared follows what the meeting holds now: a document added after the first recipients
were served reaches the next ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from cls_platform.mail import outbox
from cls_platform.models import DeliveryStatus
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups import emails
from workgroups.models import Invitation, MeetingDocument

pytestmark = pytest.mark.django_db


def document(meeting, title: str, content: bytes, name: str) -> MeetingDocument:
    return MeetingDocument.objects.create(
        meeting=meeting,
        title=title,
        file=ContentFile(content, name=name),
        file_name=name,
        size=len(content),
        content_type="application/pdf",
    )


def test_a_document_added_after_the_first_messages_reaches_the_next_ones(
    territory, django_capture_on_commit_callbacks
):
    start = timezone.now() - dt.timedelta(days=2)
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=territory)),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        report="<p>Compte-rendu.</p>",
        report_sent_at=timezone.now(),
    )
    meeting.report_pdf.save("cr.pdf", ContentFile(b"%PDF-1.4 cr"), save=True)
    first, second = (ContactFactory(territory=territory, email=f"p{n}@asso.fr") for n in (1, 2))
    for contact in (first, second):
        Invitation.objects.create(meeting=meeting, contact=contact)
    document(meeting, "Diaporama de la CPAM", b"diapos cpam", "cpam.pdf")
    with django_capture_on_commit_callbacks(execute=False):
        rows = outbox.enqueue(
            territory=territory,
            kind="report",
            topic=meeting.topic,
            recipients=[outbox.Recipient(email=c.email, contact_id=c.pk) for c in (first, second)],
        ).queued

    # This process (a worker) composes the first message: the bundle is now in its cache.
    assert outbox.deliver(rows[0]) == DeliveryStatus.SENT
    document(meeting, "Affiche de l'OPH", b"affiche oph", "oph.pdf")
    assert outbox.deliver(rows[1]) == DeliveryStatus.SENT

    names = [[name for name, _content, _type in m.attachments] for m in mail.outbox]
    assert names[0] == [
        "compte-rendu-" + timezone.localtime(start).strftime("%d-%m-%Y") + ".pdf",
        "cpam.pdf",
    ]
    assert names[1] == [names[0][0], "cpam.pdf", "oph.pdf"]
    contents = dict((name, content) for name, content, _type in mail.outbox[1].attachments)
    assert contents["oph.pdf"] == b"affiche oph"
    assert (
        "Affiche de l'OPH" in mail.outbox[1].body and "Affiche de l'OPH" not in mail.outbox[0].body
    )


def test_messages_of_the_same_report_share_one_reading_of_its_files(
    territory, django_capture_on_commit_callbacks, monkeypatch
):
    start = timezone.now() - dt.timedelta(days=2)
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=territory)),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        report="<p>Compte-rendu.</p>",
        report_sent_at=timezone.now(),
    )
    meeting.report_pdf.save("cr.pdf", ContentFile(b"%PDF-1.4 cr"), save=True)
    contacts = [ContactFactory(territory=territory, email=f"p{n}@asso.fr") for n in range(3)]
    for contact in contacts:
        Invitation.objects.create(meeting=meeting, contact=contact)
    emails._report_bundle.cache_clear()
    with django_capture_on_commit_callbacks(execute=False):
        rows = outbox.enqueue(
            territory=territory,
            kind="report",
            topic=meeting.topic,
            recipients=[outbox.Recipient(email=c.email, contact_id=c.pk) for c in contacts],
        ).queued
    for pk in rows:
        assert outbox.deliver(pk) == DeliveryStatus.SENT
    info = emails._report_bundle.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    assert all(m.attachments[0][1] == b"%PDF-1.4 cr" for m in mail.outbox)
