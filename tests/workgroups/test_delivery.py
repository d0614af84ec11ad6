"""A compte-rendu to 200 partners through the real chain: PostgreSQL, Redis, a Celery worker in
its own process and an SMTP server on loopback (aiosmtpd, in this process).

What the coordinator is promised (DESIGN.md, flow 3): every recipient gets the compte-rendu and
its PDF exactly once; a server that refuses for a while only delays; a permanent refusal is
recorded against that address and flags the contact, the others still get theirs. What a
killed worker, a Redis or PostgreSQL restart and a long SMTP outage cost is in
test_outbox_faults.py, with beat running the sweep.

The worker (two processes, as `make worker` runs it) has OUTBOX_RETRY_BASE_SECONDS=1 (retries
after 1 s, 2 s, 4 s... instead of 30 s, 1 min...).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
from django.utils import timezone

from cls_platform.models import Delivery, DeliveryStatus
from partners.models import Contact
from tests.factories import (
    ContactFactory,
    ContractFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.services import CeleryWorker, wait_until
from tests.support.smtp import SmtpServer, smtp_server  # noqa: F401  (fixture)
from workgroups import services
from workgroups.models import Attendance, Invitation, Meeting

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 200
FEW = 40  # enough to see refusals and retries interleave with successes, at a fifth of the time
CONCURRENCY = 2
REPORT = """Compte-rendu de la réunion du groupe « Accès aux droits et aux soins ».

## Tour de table

- La CPAM présente le parcours « Mission accompagnement santé ».
- Le CCAS signale une hausse des renoncements aux soins dentaires.

Prochaine réunion en juin, au centre social des Touleuses."""


@pytest.fixture
def celery_worker_options(smtp_server: SmtpServer) -> dict:  # noqa: F811
    """The worker sends to this test's SMTP server and retries fast; two processes, as
    `make worker` runs it."""
    return {
        "env": {**smtp_server.env, "OUTBOX_RETRY_BASE_SECONDS": "1"},
        "concurrency": CONCURRENCY,
    }


@pytest.fixture
def make_meeting(territory, settings):
    """A held meeting of n invited partners, its compte-rendu written, not yet sent."""
    settings.OUTBOX_RETRY_BASE_SECONDS = 1  # as the worker

    def make(recipients: int = RECIPIENTS) -> Meeting:
        group = WorkGroupFactory(
            contract=ContractFactory(territory=territory), name="GT Accès aux droits et aux soins"
        )
        start = timezone.now() - dt.timedelta(days=2)
        meeting = MeetingFactory(
            group=group,
            title="Printemps",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            place="Centre social des Touleuses",
        )
        organization = OrganizationFactory(territory=territory)
        contacts = ContactFactory.create_batch(
            recipients, territory=territory, organization=organization
        )
        Invitation.objects.bulk_create(
            Invitation(
                meeting=meeting,
                contact=contact,
                territory_id=territory.pk,
                attendance=Attendance.PRESENT if n % 4 == 0 else Attendance.UNKNOWN,
            )
            for n, contact in enumerate(contacts)
        )
        return services.report_save(meeting=meeting, html=REPORT)

    return make


def addresses(meeting: Meeting) -> set[str]:
    return {
        email.lower()
        for email in Contact.objects.filter(invitations__meeting=meeting).values_list(
            "email", flat=True
        )
    }


def rows(meeting: Meeting):
    return Delivery.objects.filter(topic=meeting.topic, kind=services.KIND_REPORT)


def states(meeting: Meeting) -> Counter:
    return Counter(rows(meeting).values_list("status", flat=True))


def wait_all_done(meeting: Meeting, *, timeout: float) -> None:
    """Until no row is queued or sending."""

    def done() -> bool:
        counts = states(meeting)
        return not counts[DeliveryStatus.QUEUED] and not counts[DeliveryStatus.SENDING]

    wait_until(done, timeout=timeout, interval=0.1, message=lambda: f"états : {states(meeting)}")


def assert_report_with_pdf(copy, meeting: Meeting, pdf: bytes) -> None:
    assert copy.subject.startswith("Compte-rendu : GT Accès aux droits et aux soins")
    (attachment,) = copy.pdfs
    assert attachment.filename.startswith("compte-rendu-")
    assert attachment.payload == pdf


def test_a_report_reaches_200_partners_exactly_once_with_its_pdf(
    make_meeting,
    smtp_server: SmtpServer,  # noqa: F811
    celery_worker_process: CeleryWorker,
):
    meeting = make_meeting(RECIPIENTS)
    expected = addresses(meeting)
    assert len(expected) == RECIPIENTS

    start = time.monotonic()
    result = services.report_send(meeting=meeting)
    assert (result.queued, result.skipped) == (RECIPIENTS, 0)
    smtp_server.wait_for(RECIPIENTS, timeout=60)
    elapsed = time.monotonic() - start
    wait_all_done(meeting, timeout=10)

    assert states(meeting) == {DeliveryStatus.SENT: RECIPIENTS}
    copies = smtp_server.by_recipient()
    assert set(copies) == expected
    assert {a: len(c) for a, c in copies.items() if len(c) != 1} == {}
    assert smtp_server.count == RECIPIENTS
    meeting.refresh_from_db()
    pdf = meeting.report_pdf.read()
    assert pdf.startswith(b"%PDF")
    message_ids = dict(rows(meeting).values_list("to_email", "pk"))
    for address, (copy,) in copies.items():
        assert copy.message["To"] == address
        assert copy.message_id == Delivery(pk=message_ids[address], kind="report").message_id
        assert_report_with_pdf(copy, meeting, pdf)
    assert len({copy.message_id for (copy,) in copies.values()}) == RECIPIENTS
    print(f"\n{RECIPIENTS} comptes-rendus remis en {elapsed:.2f} s (concurrence {CONCURRENCY})")

    # Pressing the button again (or `send_report`) sends nothing new.
    again = services.report_send(meeting=meeting)
    assert (again.queued, again.skipped) == (0, RECIPIENTS)
    time.sleep(1)
    assert smtp_server.count == RECIPIENTS


TROUBLES = {
    # every address refused once at RCPT, accepted on the next try
    "greylisting-451": lambda handler: handler.greylist(),
    # half of the messages refused once their content is sent
    "data-451": lambda handler: handler.refuse_next(FEW // 2, at="DATA"),
    # the server hangs up on everybody for two seconds
    "closing-421": lambda handler: handler.close_with_421(seconds=2),
}


def test_a_server_refusing_for_a_while_only_delays_the_report(
    make_meeting,
    settings,
    smtp_server: SmtpServer,  # noqa: F811
    celery_worker_process: CeleryWorker,
):
    """One meeting per kind of trouble, one after the other on the same worker."""
    handler = smtp_server.handler
    for trouble, make_trouble in TROUBLES.items():
        handler.behave()
        handler.clear()
        meeting = make_meeting(FEW)
        make_trouble(handler)

        start = time.monotonic()
        services.report_send(meeting=meeting)
        smtp_server.wait_for(FEW, timeout=60)
        wait_all_done(meeting, timeout=30)
        elapsed = time.monotonic() - start

        refusals = handler.events
        assert refusals, f"{trouble} : le serveur n'a rien refusé"
        assert {e.code for e in refusals} == {421 if trouble == "closing-421" else 451}, trouble
        if trouble == "greylisting-451":
            assert len(refusals) == FEW
        if trouble == "data-451":
            assert len(refusals) == FEW // 2
        assert states(meeting) == {DeliveryStatus.SENT: FEW}, trouble
        copies = smtp_server.by_recipient()
        assert set(copies) == addresses(meeting), trouble
        assert all(len(c) == 1 for c in copies.values()), trouble
        # Each refusal cost its row one attempt, and a wait; none was given up.
        attempts = list(rows(meeting).values_list("attempts", flat=True))
        assert sum(attempts) == len(refusals), trouble
        assert max(attempts) < settings.OUTBOX_MAX_ATTEMPTS
        print(
            f"\n{trouble} : {len(refusals)} refus, {sum(1 for a in attempts if a)} envois "
            f"repris, tous remis en {elapsed:.1f} s"
        )


def test_a_permanent_refusal_fails_that_address_flags_the_contact_and_spares_the_others(
    make_meeting,
    smtp_server: SmtpServer,  # noqa: F811
    celery_worker_process: CeleryWorker,
):
    meeting = make_meeting(FEW)
    expected = addresses(meeting)
    gone = sorted(expected)[FEW // 2]
    smtp_server.handler.bounce(gone)

    services.report_send(meeting=meeting)
    smtp_server.wait_for(FEW - 1, timeout=60)
    wait_all_done(meeting, timeout=10)

    assert states(meeting) == {DeliveryStatus.SENT: FEW - 1, DeliveryStatus.FAILED: 1}
    failed = rows(meeting).get(status=DeliveryStatus.FAILED)
    assert failed.to_email == gone
    assert failed.last_error.startswith("550 5.1.1")
    assert failed.attempts == 0  # not retried: 5xx is for good
    contact = Contact.objects.get(pk=failed.contact_id)
    assert contact.bounced_at is not None  # flagged by partners.receivers
    assert contact not in Contact.objects.mailable()
    copies = smtp_server.by_recipient()
    assert set(copies) == expected - {gone}
    assert all(len(c) == 1 for c in copies.values())
    assert [(e.code, e.address) for e in smtp_server.handler.events] == [(550, gone)]
