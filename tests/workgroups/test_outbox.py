"""The outbox's rules, one by one, without a worker: claiming and its lease, de-duplication, how
SMTP answers are classified, back-off, the sweep and what it resumes, composers that have nothing
to send, a database that drops the connection, retrying failures.

Messages go to Django's in-memory backend, or to a real SMTP server on loopback (aiosmtpd, in
this process) where the server's exact answer matters. Runs on SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import smtplib
import threading
import uuid

import pytest
from django.core import mail
from django.core.mail import EmailMessage, get_connection
from django.db import OperationalError
from django.db import connection as db_connection
from django.db.models import QuerySet
from django.utils import timezone

from cls_platform.mail import composers, outbox
from cls_platform.models import Delivery, DeliveryStatus
from partners.models import Contact
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from tests.support.smtp import SmtpServer, free_port, smtp_server  # noqa: F401  (fixture)
from workgroups import services
from workgroups.models import Invitation

pytestmark = pytest.mark.django_db

KIND = "note"  # a kind of message registered for these tests only
TOPIC = "note:1"


@pytest.fixture(autouse=True)
def note_composer(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Registers the "note" kind; `behaviour["mode"]` makes the composer fail or give up."""
    behaviour: dict[str, object] = {"mode": "ok", "calls": 0}

    def compose(delivery: Delivery) -> EmailMessage | None:
        behaviour["calls"] = int(behaviour["calls"]) + 1
        if behaviour["mode"] == "gone":
            return None
        if behaviour["mode"] == "broken":
            raise RuntimeError("gabarit introuvable")
        if behaviour["mode"] == "bad header":  # Django refuses it only when sending
            return EmailMessage(subject="Note\nBcc: x@y.z", body="Bonjour.", to=["i@example.org"])
        return EmailMessage(subject="Note", body="Bonjour.", to=["ignored@example.org"])

    monkeypatch.setitem(composers._composers, KIND, compose)
    return behaviour


@pytest.fixture
def contacts(territory) -> list[Contact]:
    return [ContactFactory(territory=territory, email=f"p{n}@asso.fr") for n in range(3)]


def recipients(contacts: list[Contact]) -> list[outbox.Recipient]:
    return [outbox.Recipient(email=c.email, contact_id=c.pk) for c in contacts]


def row(territory, *, email: str = "camille@asso.fr", **fields: object) -> Delivery:
    return Delivery.objects.create(
        territory=territory, kind=KIND, topic=TOPIC, to_email=email, **fields
    )


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


# --- claiming ------------------------------------------------------------------------------


def test_a_row_is_claimed_once_in_one_statement_for_a_lease(
    territory, settings, django_assert_num_queries
):
    settings.OUTBOX_LEASE_SECONDS = 20
    delivery = row(territory, email="camille@asso.fr")

    with django_assert_num_queries(1):  # UPDATE ... RETURNING: claimed and read at once
        claimed = outbox.claim(delivery.pk)
    assert outbox.claim(delivery.pk) is None  # the second worker gets nothing

    assert (claimed.pk, claimed.to_email, claimed.kind) == (delivery.pk, "camille@asso.fr", KIND)
    delivery.refresh_from_db()
    assert delivery.status == claimed.status == DeliveryStatus.SENDING
    assert delivery.claimed_at == claimed.claimed_at
    # The lease: another worker may take the row only once it has run out.
    assert delivery.next_attempt_at == claimed.claimed_at + dt.timedelta(seconds=20)


@pytest.mark.django_db(transaction=True)
def test_of_workers_claiming_the_same_row_at_once_exactly_one_wins(territory):
    if db_connection.vendor != "postgresql":
        pytest.skip("des écritures concurrentes demandent PostgreSQL (SQLite les sérialise)")
    delivery = row(territory)
    barrier = threading.Barrier(8)
    wins: list[bool] = []

    def worker() -> None:
        from django.db import connection

        try:
            barrier.wait()
            wins.append(outbox.claim(delivery.pk) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(wins) == [False] * 7 + [True]


def test_claim_takes_only_due_queued_rows_and_rows_whose_lease_ran_out(territory):
    due = row(territory, email="due@asso.fr", next_attempt_at=ago(1))
    later = row(territory, email="later@asso.fr", next_attempt_at=ago(-60))
    # Being sent: claimed 10 s ago, lease renewed until 10 s from now.
    busy = row(
        territory,
        email="busy@asso.fr",
        status=DeliveryStatus.SENDING,
        claimed_at=ago(10),
        next_attempt_at=ago(-10),
    )
    # Claimed by a worker that died: nobody renewed its lease, which ran out a second ago.
    dead = row(
        territory,
        email="dead@asso.fr",
        status=DeliveryStatus.SENDING,
        claimed_at=ago(21),
        next_attempt_at=ago(1),
    )
    sent = row(territory, email="sent@asso.fr", status=DeliveryStatus.SENT)
    failed = row(territory, email="failed@asso.fr", status=DeliveryStatus.FAILED)

    claimed = {
        d.to_email for d in (due, later, busy, dead, sent, failed) if outbox.claim(d.pk) is not None
    }

    # A row whose worker died is taken over; a living worker's row is left alone.
    assert claimed == {"due@asso.fr", "dead@asso.fr"}


# --- enqueueing ----------------------------------------------------------------------------


def test_enqueue_writes_one_row_per_person_and_twice_queues_nothing_new(
    territory, contacts, django_capture_on_commit_callbacks
):
    people = [
        *recipients(contacts),
        outbox.Recipient(email="P0@ASSO.FR", contact_id=contacts[0].pk),
    ]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = outbox.enqueue(territory=territory, kind=KIND, topic=TOPIC, recipients=people)
    assert len(first.queued) == 3 and first.skipped == 0
    assert len(callbacks) == 1  # handed to the workers once the transaction commits
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@asso.fr", "p1@asso.fr", "p2@asso.fr"]

    with django_capture_on_commit_callbacks(execute=True):
        second = outbox.enqueue(territory=territory, kind=KIND, topic=TOPIC, recipients=people)
    assert second.queued == [] and second.skipped == 3
    assert Delivery.objects.count() == 3
    assert len(mail.outbox) == 3

    # A new revision (a moved meeting's invitation) is a new message.
    with django_capture_on_commit_callbacks(execute=True):
        third = outbox.enqueue(
            territory=territory, kind=KIND, topic=TOPIC, recipients=people, revision=1
        )
    assert len(third.queued) == 3
    assert len(mail.outbox) == 6


def test_enqueue_hands_over_nothing_before_commit(territory, contacts, monkeypatch):
    handed: list[list[int]] = []
    monkeypatch.setattr(outbox, "dispatch", lambda ids: handed.append(list(ids)))

    result = outbox.enqueue(
        territory=territory, kind=KIND, topic=TOPIC, recipients=recipients(contacts)
    )

    assert len(result.queued) == 3
    assert handed == []  # the test's transaction is never committed: no worker hears of it
    assert Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 3


def test_enqueue_refuses_a_kind_nobody_can_compose(territory, contacts):
    with pytest.raises(LookupError):
        outbox.enqueue(territory=territory, kind="inconnu", topic=TOPIC, recipients=[])
    assert not Delivery.objects.exists()


# --- sending and classifying ----------------------------------------------------------------


def test_deliver_sends_with_the_row_s_address_and_message_id(territory):
    delivery = row(territory)

    assert outbox.deliver(delivery.pk) == DeliveryStatus.SENT

    (message,) = mail.outbox
    assert message.to == ["camille@asso.fr"]
    assert message.extra_headers["Message-ID"] == delivery.message_id
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None
    assert outbox.deliver(delivery.pk) == "skipped"  # a second task for it sends nothing
    assert len(mail.outbox) == 1


def test_the_message_id_is_stable_per_row(territory):
    delivery = row(territory, revision=2)
    assert delivery.message_id == Delivery.objects.get(pk=delivery.pk).message_id
    assert delivery.message_id == f"<delivery-{delivery.pk}.note.r2@trame.local>"


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.fr": (550, b"5.1.1 unknown")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.fr": (553, b"5.1.3 bad address")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.fr": (451, b"4.7.1 greylisted")}), False),
        (smtplib.SMTPRecipientsRefused({"a@x.fr": (421, b"4.3.2 closing")}), False),
        (smtplib.SMTPRecipientsRefused({"a@x.fr": (550, b""), "b@x.fr": (451, b"")}), False),
        (smtplib.SMTPRecipientsRefused({}), False),
        (smtplib.SMTPDataError(554, b"5.7.1 rejected"), True),
        (smtplib.SMTPDataError(451, b"4.3.0 try later"), False),
        (smtplib.SMTPSenderRefused(421, b"4.3.2 closing", "from@x.fr"), False),
        (smtplib.SMTPSenderRefused(553, b"5.7.1 sender refused", "from@x.fr"), True),
        (smtplib.SMTPConnectError(421, b"too many connections"), False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), True),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
    ],
    ids=lambda v: v.__class__.__name__ if isinstance(v, Exception) else str(v),
)
def test_only_5xx_answers_are_permanent(exc, permanent):
    assert outbox.is_permanent(exc) is permanent


def test_backoff_doubles_from_30_seconds_up_to_an_hour():
    assert [outbox.backoff(n) for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    assert outbox.backoff(0) == 30


def test_backoff_starts_from_the_configured_wait_and_stops_at_the_configured_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 1
    assert [outbox.backoff(n) for n in range(1, 5)] == [1, 2, 4, 8]
    assert outbox.backoff(20) == 3600
    settings.OUTBOX_RETRY_MAX_SECONDS = 5
    assert [outbox.backoff(n) for n in range(1, 6)] == [1, 2, 4, 5, 5]


def smtp(server: SmtpServer):
    return get_connection(**server.connection_params())


def test_a_550_fails_the_row_at_once_and_flags_the_contact(
    territory,
    smtp_server: SmtpServer,  # noqa: F811
):
    contact = ContactFactory(territory=territory, email="parti@asso.fr")
    delivery = row(territory, email=contact.email, contact_id=contact.pk)
    smtp_server.handler.bounce(contact.email)

    assert outbox.deliver(delivery.pk, connection=smtp(smtp_server)) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "550 5.1.1 Mailbox unavailable"
    assert delivery.attempts == 0
    contact.refresh_from_db()
    assert contact.bounced_at is not None
    assert smtp_server.count == 0


def test_a_rejected_message_fails_the_row_and_says_why(
    territory,
    smtp_server: SmtpServer,  # noqa: F811
):
    delivery = row(territory)
    smtp_server.handler.refuse_next(1, at="DATA", reply="554 5.7.1 Message refusé (contenu)")

    assert outbox.deliver(delivery.pk, connection=smtp(smtp_server)) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert delivery.last_error == "554 5.7.1 Message refusé (contenu)"


@pytest.mark.parametrize(
    ("stage", "reply"),
    [
        ("MAIL", "553 5.7.1 Sender address rejected: not owned by user"),
        ("DATA", "554 5.7.1 Message rejected as spam"),
        ("RCPT", "554 5.7.1 Relay access denied"),
    ],
)
def test_a_permanent_refusal_that_is_not_about_the_address_does_not_flag_the_contact(
    territory,
    stage: str,
    reply: str,
    smtp_server: SmtpServer,  # noqa: F811
):
    """The server refuses our sender or this message's content, not the partner's mailbox:
    the row fails (the coordinator sees why and can retry), the contact stays mailable."""
    contact = ContactFactory(territory=territory, email="camille@asso.fr")
    delivery = row(territory, email=contact.email, contact_id=contact.pk)
    smtp_server.handler.refuse_next(1, at=stage, reply=reply)

    assert outbox.deliver(delivery.pk, connection=smtp(smtp_server)) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert delivery.last_error == reply
    contact.refresh_from_db()
    assert contact.bounced_at is None


@pytest.mark.parametrize("trouble", ["rcpt-451", "data-451", "closing-421", "no-server"])
def test_a_temporary_refusal_queues_the_row_again_after_the_backoff(
    territory,
    settings,
    trouble: str,
    smtp_server: SmtpServer,  # noqa: F811
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    delivery = row(territory, attempts=2)
    params = smtp_server.connection_params()
    if trouble == "rcpt-451":
        smtp_server.handler.refuse_next(1, at="RCPT")
    elif trouble == "data-451":
        smtp_server.handler.refuse_next(1, at="DATA")
    elif trouble == "closing-421":
        smtp_server.handler.close_with_421(count=1)
    else:
        params["port"] = free_port()  # nobody listens there

    before = timezone.now()
    with pytest.raises(outbox.TemporaryFailure) as raised:
        outbox.deliver(delivery.pk, connection=get_connection(**params))

    assert raised.value.delay == 120  # third attempt: 30 s × 2²
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.attempts == 3
    expected_error = {"rcpt-451": "451 4.7.1", "data-451": "451 4.7.1", "closing-421": "421 4.3.2"}
    assert delivery.last_error.startswith(expected_error.get(trouble, "ConnectionRefusedError"))
    assert (
        before + dt.timedelta(seconds=119)
        < delivery.next_attempt_at
        <= timezone.now() + dt.timedelta(seconds=120)
    )
    assert outbox.claim(delivery.pk) is None  # not before its time
    assert smtp_server.count == 0

    # Once due, the same row goes through, with the same Message-ID.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver(delivery.pk, connection=smtp(smtp_server)) == DeliveryStatus.SENT
    (copy,) = smtp_server.messages
    assert copy.message_id == delivery.message_id


def test_after_the_last_attempt_a_temporary_refusal_fails_the_row_without_a_bounce(
    territory,
    settings,
    smtp_server: SmtpServer,  # noqa: F811
):
    contact = ContactFactory(territory=territory, email="greylist@asso.fr")
    last = settings.OUTBOX_MAX_ATTEMPTS
    delivery = row(territory, email=contact.email, contact_id=contact.pk, attempts=last - 1)
    smtp_server.handler.refuse_next(1, at="RCPT")

    assert outbox.deliver(delivery.pk, connection=smtp(smtp_server)) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == last  # what the sweep resumes once the server takes mail
    assert delivery.last_error.startswith("451")
    # Not before the first wait of the schedule: a server that refuses this very message is
    # not asked again at every sweep.
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=25)
    contact.refresh_from_db()
    assert contact.bounced_at is None  # the address may well be fine


def test_a_composer_with_nothing_to_send_fails_the_row(territory, note_composer):
    note_composer["mode"] = "gone"
    delivery = row(territory)

    assert outbox.deliver(delivery.pk) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Plus rien à envoyer (objet supprimé)."
    assert mail.outbox == []


def test_a_broken_composer_fails_the_row_instead_of_leaving_it_sending(territory, note_composer):
    note_composer["mode"] = "broken"
    delivery = row(territory)

    assert outbox.deliver(delivery.pk) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert delivery.last_error == "Composition impossible : gabarit introuvable"


def test_a_message_django_refuses_to_form_fails_the_row_instead_of_leaving_it_sending(
    territory, note_composer
):
    note_composer["mode"] = "bad header"
    delivery = row(territory)

    assert outbox.deliver(delivery.pk) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("BadHeaderError")
    assert mail.outbox == []


def test_an_unexpected_error_while_sending_counts_as_an_attempt(
    territory, note_composer, monkeypatch, settings
):
    """A time limit or a library's own error: the row goes round OUTBOX_MAX_ATTEMPTS times at
    most."""
    delivery = row(territory, attempts=settings.OUTBOX_MAX_ATTEMPTS - 1)

    def interrupted(self, fail_silently=False):
        raise RuntimeError("interrompu")

    monkeypatch.setattr(EmailMessage, "send", interrupted)
    assert outbox.deliver(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (
        DeliveryStatus.FAILED,
        settings.OUTBOX_MAX_ATTEMPTS,
    )
    assert delivery.last_error == "RuntimeError: interrompu"


def test_a_report_whose_meeting_was_deleted_is_failed_not_sent(
    territory, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=territory)),
        starts_at=timezone.now() - dt.timedelta(days=1),
    )
    contact = ContactFactory(territory=territory)
    Invitation.objects.create(meeting=meeting, contact=contact)
    services.report_save(meeting=meeting, html="Texte.")
    with django_capture_on_commit_callbacks(execute=False):
        services.report_send(meeting=meeting)
    delivery = Delivery.objects.get(kind=services.KIND_REPORT)
    meeting.delete()

    assert outbox.deliver(delivery.pk) == DeliveryStatus.FAILED
    assert mail.outbox == []


# --- sweeping and retrying ----------------------------------------------------------------


def test_sweep_hands_over_lost_queued_rows_and_rows_whose_lease_ran_out_only(
    territory, settings, monkeypatch
):
    settings.OUTBOX_LEASE_SECONDS = 20
    handed: list[int] = []
    monkeypatch.setattr(outbox, "dispatch", lambda ids: handed.extend(ids))
    lost = row(territory, email="lost@asso.fr", next_attempt_at=ago(21))  # its task vanished
    fresh = row(territory, email="fresh@asso.fr")  # its task is surely still on its way
    later = row(territory, email="later@asso.fr", next_attempt_at=ago(-3600))
    dead = row(
        territory,
        email="dead@asso.fr",
        status=DeliveryStatus.SENDING,
        claimed_at=ago(25),
        next_attempt_at=ago(5),  # its worker stopped renewing the lease
    )
    busy = row(
        territory,
        email="busy@asso.fr",
        status=DeliveryStatus.SENDING,
        claimed_at=ago(60),  # a long send, its lease renewed until 15 s from now
        next_attempt_at=ago(-15),
    )
    row(territory, email="sent@asso.fr", status=DeliveryStatus.SENT, next_attempt_at=ago(999))
    row(territory, email="failed@asso.fr", status=DeliveryStatus.FAILED, next_attempt_at=ago(999))

    assert outbox.sweep() == 2

    assert sorted(handed) == sorted([lost.pk, dead.pk])
    assert {fresh.pk, later.pk, busy.pk}.isdisjoint(handed)


def test_a_swept_row_of_a_dead_worker_is_sent_again_with_the_same_message_id(territory):
    delivery = row(
        territory, status=DeliveryStatus.SENDING, claimed_at=ago(30), next_attempt_at=ago(1)
    )

    assert outbox.sweep() == 1  # tasks are eager here: the sweep's task sends it

    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"] == delivery.message_id
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_a_living_worker_s_lease_is_renewed_and_a_lost_one_is_not(territory, settings):
    settings.OUTBOX_LEASE_SECONDS = 20
    delivery = row(territory)
    mine = outbox.claim(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=ago(-2))  # nearly over

    outbox._keeper.renew({delivery.pk: mine.claimed_at})

    delivery.refresh_from_db()
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=19)
    # The lease ran out and another worker claimed the row: the first one renews nothing.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=ago(1))
    theirs = outbox.claim(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=ago(-2))
    outbox._keeper.renew({delivery.pk: mine.claimed_at})
    delivery.refresh_from_db()
    assert delivery.next_attempt_at < timezone.now() + dt.timedelta(seconds=3)
    assert delivery.claimed_at == theirs.claimed_at


def test_a_worker_that_lost_its_lease_cannot_undo_the_next_one_s_outcome(territory):
    delivery = row(territory)
    first = outbox.claim(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=ago(1))  # lease ran out
    second = outbox.claim(delivery.pk)
    assert outbox.mark(second, DeliveryStatus.FAILED, "550 5.1.1 Mailbox unavailable")

    # The first worker comes back with a 451: the row stays as the second one left it.
    assert not outbox.mark(first, DeliveryStatus.QUEUED, "451 4.7.1 Greylisted", attempts=1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (
        DeliveryStatus.FAILED,
        "550 5.1.1 Mailbox unavailable",
    )
    # But a message that did leave is recorded as sent, whoever holds the row.
    outbox._mark_sent(first)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_database_lost_after_the_server_accepted_is_waited_for_not_a_reason_to_send_again(
    territory, monkeypatch
):
    """PostgreSQL restarts just as the SMTP server says 250: the worker waits for it to come
    back and records "sent", instead of leaving the row to be sent a second time."""
    delivery = row(territory)
    update = QuerySet.update
    drops = {"left": 3}

    def dropping(self, **fields):
        if fields.get("status") == DeliveryStatus.SENT and drops["left"]:
            drops["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return update(self, **fields)

    monkeypatch.setattr(QuerySet, "update", dropping)

    assert outbox.deliver(delivery.pk) == DeliveryStatus.SENT

    assert drops["left"] == 0
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_a_database_lost_before_sending_gives_the_row_back_at_once(territory, note_composer):
    def unreachable(delivery):
        raise OperationalError("terminating connection due to administrator command")

    composers._composers[KIND] = unreachable
    delivery = row(territory)

    with pytest.raises(OperationalError):  # the task tries again in a moment
        outbox.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED  # not "failed": nothing was wrong with it
    assert delivery.next_attempt_at <= timezone.now()
    assert outbox.claim(delivery.pk) is not None


def test_sweep_does_not_double_a_backlog_the_broker_still_holds(territory, settings, monkeypatch):
    """A backlog in Redis: the rows' tasks are there, just late. The sweep hands rows over
    again only when the broker holds fewer tasks than there are rows waiting (Redis lost
    them), and never a row handed over less than a lease ago."""
    settings.OUTBOX_LEASE_SECONDS = 20
    handed: list[int] = []
    held = {"tasks": 2}
    monkeypatch.setattr(outbox, "dispatch", lambda ids: handed.extend(ids))
    monkeypatch.setattr(outbox, "broker_backlog", lambda: held["tasks"])
    waiting = [
        row(territory, email="a@asso.fr", next_attempt_at=ago(120), dispatched_at=ago(100)),
        row(territory, email="b@asso.fr", next_attempt_at=ago(900), dispatched_at=ago(400)),
    ]
    just_handed = row(territory, email="c@asso.fr", next_attempt_at=ago(120), dispatched_at=ago(5))

    assert outbox.sweep() == 0
    assert handed == []

    held["tasks"] = 1  # one task fewer than rows: lost, which one cannot tell; both go again
    assert outbox.sweep() == 2
    assert sorted(handed) == sorted(r.pk for r in waiting)
    assert just_handed.pk not in handed


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_sweep_reads_from_redis_how_many_tasks_it_still_holds(territory, settings):
    """Rows handed over to a queue no worker reads yet: Redis holds their tasks, the sweep
    does not hand them over again however late they are."""
    from cls_platform.celery import app
    from tests.support.services import _delete_queue

    settings.OUTBOX_LEASE_SECONDS = 20
    queue = f"trame-test-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        assert outbox.broker_backlog() == 0  # no such queue yet
        late = [row(territory, email=f"p{n}@asso.fr") for n in range(3)]
        assert outbox.dispatch([r.pk for r in late]) == 3
        assert outbox.broker_backlog() == 3
        Delivery.objects.update(next_attempt_at=ago(60), dispatched_at=ago(60))

        assert outbox.sweep() == 0
        assert outbox.broker_backlog() == 3  # nothing added

        _delete_queue(app, queue)  # Redis lost them (restarted empty)
        assert outbox.sweep() == 3
        assert outbox.broker_backlog() == 3  # handed over again, once
    finally:
        app.conf.task_default_queue = previous
        _delete_queue(app, queue)


def exhausted(territory, email: str, **fields: object) -> Delivery:
    """A row whose retry schedule an SMTP outage used up: failed, resumable."""
    fields = {
        "status": DeliveryStatus.FAILED,
        "attempts": 8,
        "last_error": "421 4.3.2 Service not available, closing transmission channel",
        "next_attempt_at": ago(5),
        **fields,
    }
    return row(territory, email=email, **fields)


def use_smtp(settings, server: SmtpServer) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10


@pytest.mark.django_db(transaction=True)
def test_rows_failed_by_a_long_outage_resume_by_themselves_once_the_server_takes_mail(
    territory,
    settings,
    smtp_server: SmtpServer,  # noqa: F811
):
    use_smtp(settings, smtp_server)
    settings.OUTBOX_MAX_ATTEMPTS = 8
    settings.OUTBOX_RESUME_DAYS = 5
    outage = [exhausted(territory, f"p{n}@asso.fr") for n in range(3)]
    refused = row(
        territory,
        email="parti@asso.fr",
        status=DeliveryStatus.FAILED,
        attempts=2,
        last_error="550 5.1.1 Mailbox unavailable",
        next_attempt_at=ago(999),
    )
    not_yet = exhausted(territory, "plus-tard@asso.fr", next_attempt_at=ago(-600))
    too_old = exhausted(territory, "ancien@asso.fr")
    Delivery.objects.filter(pk=too_old.pk).update(created_at=ago(6 * 24 * 3600))

    # Still down: the sweep's probe is refused, nothing is tried.
    smtp_server.handler.close_with_421(seconds=60)
    assert outbox.sweep() == 0
    assert [e.stage for e in smtp_server.handler.events] == ["MAIL"]  # the probe, once
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}

    smtp_server.handler.close_with_421()  # the server is back
    assert outbox.sweep() == 3  # tasks are eager here: they are sent at once

    assert sorted(smtp_server.by_recipient()) == ["p0@asso.fr", "p1@asso.fr", "p2@asso.fr"]
    for delivery in outage:
        delivery.refresh_from_db()
        assert (delivery.status, delivery.last_error) == (DeliveryStatus.SENT, "")
    for delivery in (refused, not_yet, too_old):
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED


def test_a_resumed_row_refused_again_waits_longer_and_a_550_ends_its_resumption(
    territory,
    settings,
    smtp_server: SmtpServer,  # noqa: F811
):
    settings.OUTBOX_MAX_ATTEMPTS = 8
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    full = exhausted(territory, "boite-pleine@asso.fr", attempts=9)
    smtp_server.handler.refuse_next(1, at="RCPT", reply="452 4.2.2 Mailbox full")
    Delivery.objects.filter(pk=full.pk).update(status=DeliveryStatus.QUEUED)

    assert outbox.deliver(full.pk, connection=smtp(smtp_server)) == DeliveryStatus.FAILED

    full.refresh_from_db()
    assert (full.status, full.attempts) == (DeliveryStatus.FAILED, 10)
    assert full.next_attempt_at > timezone.now() + dt.timedelta(seconds=55)  # 30 s, 1 min...

    gone = exhausted(territory, "parti@asso.fr")
    smtp_server.handler.bounce("parti@asso.fr")
    Delivery.objects.filter(pk=gone.pk).update(status=DeliveryStatus.QUEUED)

    assert outbox.deliver(gone.pk, connection=smtp(smtp_server)) == DeliveryStatus.FAILED

    gone.refresh_from_db()
    assert gone.last_error.startswith("550 5.1.1")
    assert gone.attempts < settings.OUTBOX_MAX_ATTEMPTS  # no longer one the sweep resumes
    Delivery.objects.filter(pk=gone.pk).update(next_attempt_at=ago(999))
    assert outbox.resume_failed(now=timezone.now()) == []


def test_retry_failed_puts_the_failed_rows_of_a_message_back(
    territory, django_capture_on_commit_callbacks
):
    failed = row(
        territory, email="a@asso.fr", status=DeliveryStatus.FAILED, attempts=8, last_error="550"
    )
    sent = row(territory, email="b@asso.fr", status=DeliveryStatus.SENT)
    other_topic = Delivery.objects.create(
        territory=territory,
        kind=KIND,
        topic="note:2",
        to_email="c@asso.fr",
        status=DeliveryStatus.FAILED,
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = outbox.retry_failed(territory=territory, topic=TOPIC)

    assert result.queued == [failed.pk] and result.skipped == {}
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (DeliveryStatus.SENT, 0, "")
    assert [m.to for m in mail.outbox] == [["a@asso.fr"]]
    assert Delivery.objects.get(pk=sent.pk).status == DeliveryStatus.SENT
    assert Delivery.objects.get(pk=other_topic.pk).status == DeliveryStatus.FAILED


def test_retry_failed_is_limited_to_the_territory(territory, other_territory):
    row(territory, status=DeliveryStatus.FAILED)
    assert outbox.retry_failed(territory=other_territory, topic=TOPIC).queued == []
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


# --- the whole report through a real SMTP server, tasks run inline ---------------------------


@pytest.mark.django_db(transaction=True)
def test_a_report_goes_through_smtp_once_per_partner_with_its_pdf(
    territory,
    settings,
    smtp_server: SmtpServer,  # noqa: F811
):
    use_smtp(settings, smtp_server)
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Nutrition"),
        starts_at=timezone.now() - dt.timedelta(days=1),
        ends_at=timezone.now() - dt.timedelta(days=1) + dt.timedelta(hours=2),
    )
    people = [ContactFactory(territory=territory, email=f"p{n}@asso.fr") for n in range(5)]
    for contact in people:
        Invitation.objects.create(meeting=meeting, contact=contact)
    smtp_server.handler.bounce("p3@asso.fr")
    services.report_save(meeting=meeting, html="Compte-rendu du groupe nutrition.")

    result = services.report_send(meeting=meeting)  # commits: the tasks run inline, now

    assert result.queued == 5
    copies = smtp_server.by_recipient()
    assert sorted(copies) == ["p0@asso.fr", "p1@asso.fr", "p2@asso.fr", "p4@asso.fr"]
    meeting.refresh_from_db()
    pdf = meeting.report_pdf.read()
    for address, (copy,) in copies.items():
        (attachment,) = copy.pdfs
        assert attachment.payload == pdf
        row_ = Delivery.objects.get(to_email=address)
        assert copy.message_id == row_.message_id
        assert row_.status == DeliveryStatus.SENT
    assert Delivery.objects.get(to_email="p3@asso.fr").status == DeliveryStatus.FAILED
    assert Contact.objects.get(email="p3@asso.fr").bounced_at is not None

    again = services.report_send(meeting=meeting)
    assert (again.queued, again.skipped) == (0, 4)  # the bounced contact is no longer mailable
    assert smtp_server.count == 4


# --- handing rows over never breaks the request that decided to send ------------------------


@pytest.mark.django_db(transaction=True)
def test_a_temporary_refusal_with_tasks_inline_leaves_the_row_queued_and_the_page_answers(
    territory,
    settings,
    client,
    smtp_server: SmtpServer,  # noqa: F811
):
    """No broker, a real SMTP server answering 451 to the first address: the coordinator's
    send still ends on the meeting page, the other invitations go, the refused one waits."""
    from tests.conftest import login
    from tests.factories import AccessFactory

    use_smtp(settings, smtp_server)
    access = AccessFactory(territory=territory, role="coordinator", user__email="c@cergy.fr")
    meeting = MeetingFactory(group=WorkGroupFactory(contract=ContractFactory(territory=territory)))
    for n in range(3):
        Invitation.objects.create(
            meeting=meeting, contact=ContactFactory(territory=territory, email=f"p{n}@asso.fr")
        )
    smtp_server.handler.refuse_next(1, at="RCPT")

    response = login(client, access).post(
        f"/t/cergy/reunions/{meeting.pk}/invitations/envoyer/", follow=True
    )

    assert response.status_code == 200
    assert re.search(
        r"3 invitation(s|\(s\)) en cours d'envoi", html.unescape(response.content.decode())
    )
    rows = Delivery.objects.filter(kind="invitation")
    assert sorted(rows.values_list("status", flat=True)) == ["queued", "sent", "sent"]
    waiting = rows.get(status=DeliveryStatus.QUEUED)
    assert waiting.attempts == 1 and waiting.last_error.startswith("451")
    assert waiting.next_attempt_at > timezone.now()
    assert smtp_server.count == 2

    # The sweep sends it once its time has come.
    Delivery.objects.filter(pk=waiting.pk).update(next_attempt_at=ago(21))
    assert outbox.sweep() == 1
    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.SENT
    assert smtp_server.count == 3


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_leaves_the_rows_queued_for_the_sweep_and_the_page_answers(
    territory, client, monkeypatch
):
    from kombu.exceptions import OperationalError

    from cls_platform import tasks
    from tests.conftest import login
    from tests.factories import AccessFactory

    access = AccessFactory(territory=territory, role="coordinator", user__email="c@cergy.fr")
    meeting = MeetingFactory(group=WorkGroupFactory(contract=ContractFactory(territory=territory)))
    for n in range(3):
        Invitation.objects.create(
            meeting=meeting, contact=ContactFactory(territory=territory, email=f"p{n}@asso.fr")
        )
    attempts: list[list[int]] = []

    def unreachable(delivery_ids: list[int]) -> None:
        attempts.append(delivery_ids)
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(outbox, "_eager", lambda: False)  # as with CELERY_BROKER_URL set
    monkeypatch.setattr(outbox, "chunked", lambda ids: [[pk] for pk in ids])  # a task a row
    monkeypatch.setattr(tasks.send_deliveries, "delay", unreachable)

    response = login(client, access).post(
        f"/t/cergy/reunions/{meeting.pk}/invitations/envoyer/", follow=True
    )

    assert response.status_code == 200
    assert re.search(
        r"3 invitation(s|\(s\)) en cours d'envoi", html.unescape(response.content.decode())
    )
    assert len(attempts) == 1  # the first failure stops the batch: no timeout per row
    rows = Delivery.objects.filter(kind="invitation")
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}
    assert not rows.filter(dispatched_at__isnull=False).exists()

    # Redis is back: the sweep hands them over (tasks inline here) once they are overdue.
    monkeypatch.undo()
    rows.update(next_attempt_at=ago(21))
    assert outbox.sweep() == 3
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(mail.outbox) == 3


def test_dispatch_records_when_rows_were_handed_over(territory, monkeypatch):
    from cls_platform import tasks

    handed: list[list[int]] = []
    monkeypatch.setattr(outbox, "_eager", lambda: False)
    monkeypatch.setattr(tasks.send_deliveries, "delay", handed.append)
    delivery = row(territory)

    assert outbox.dispatch([delivery.pk]) == 1

    assert handed == [[delivery.pk]]
    delivery.refresh_from_db()
    assert delivery.dispatched_at is not None


# --- counting what a sending queued -----------------------------------------------------------


def test_sending_twice_before_the_worker_drains_counts_one_queued_not_two(
    territory, contacts, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(group=WorkGroupFactory(contract=ContractFactory(territory=territory)))
    Invitation.objects.create(meeting=meeting, contact=contacts[0])
    # Only that person: the group's rule (every partner) was applied and left out the others.
    services.invitations_prepare(meeting=meeting)
    meeting.invitations.exclude(contact=contacts[0]).delete()

    with django_capture_on_commit_callbacks(execute=False) as first_callbacks:
        first = services.invitations_send(meeting=meeting)
    with django_capture_on_commit_callbacks(execute=False):
        second = services.invitations_send(meeting=meeting)

    assert (first.queued, first.skipped) == (1, 0)
    assert (second.queued, second.skipped) == (0, 1)
    assert Delivery.objects.count() == 1
    for callback in first_callbacks:
        callback()
    assert len(mail.outbox) == 1
