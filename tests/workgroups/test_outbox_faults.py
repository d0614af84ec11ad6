"""Faults during a 200-recipient compte-rendu, through the real services: PostgreSQL, Redis, a
Celery worker (two processes, as `make worker` runs it) and beat in their own processes, an SMTP
server on loopback (aiosmtpd, in this process).

What the coordinator is promised (DESIGN.md, flow 3, and issue 12): a worker killed mid-send, a
Redis restart, a PostgreSQL restart lose nothing, and each recipient gets the compte-rendu once;
only a message truly in flight when the fault struck (the SMTP server had it, its sender never
learnt it) may arrive twice, with the same Message-ID. The rows caught by the fault go again
within a lease and a sweep of the service being back, not minutes later. An SMTP outage longer
than the whole retry schedule fails the rows, as the coordinator sees them, and they resume by
themselves once the server takes mail again; a 550 stays a failure, shown next to the address.

Short settings, the same for the worker, beat and this process: a lease of LEASE seconds, a
sweep every SWEEP seconds, failed after MAX_ATTEMPTS refusals a second apart. Each
time to recover is measured from the moment the service is back and checked against a generous
bound made of those settings: an outcome, not a benchmark.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cls_platform.mail.batch import BATCH_SIZE
from cls_platform.models import DeliveryStatus
from partners.models import Contact
from tests.conftest import login
from tests.support.services import CeleryWorker, TcpProxy, database_url_for_test_db, wait_until
from tests.support.smtp import SmtpServer, smtp_server  # noqa: F401  (fixture)
from tests.workgroups.test_delivery import (
    addresses,
    make_meeting,  # noqa: F401  (fixture)
    rows,
    states,
)
from workgroups import services
from workgroups.models import Meeting

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 200
CONCURRENCY = 2
LEASE = 5  # OUTBOX_LEASE_SECONDS
SWEEP = 1  # OUTBOX_SWEEP_SECONDS: how often beat sends the sweep
RETRY_MAX = 2  # OUTBOX_RETRY_MAX_SECONDS: waits of 1 s, then 2 s
MAX_ATTEMPTS = 2  # OUTBOX_MAX_ATTEMPTS: one retry, a second after the first refusal
OUTBOX_SETTINGS = {
    "OUTBOX_LEASE_SECONDS": LEASE,
    "OUTBOX_SWEEP_SECONDS": SWEEP,
    "OUTBOX_RETRY_BASE_SECONDS": 1,
    "OUTBOX_RETRY_MAX_SECONDS": RETRY_MAX,
    "OUTBOX_MAX_ATTEMPTS": MAX_ATTEMPTS,
}
# Seconds from the service being back to every row sent: a lease to run out, a sweep to find
# the row, 15 s for the worker to reconnect; plus, measured in the same test, the time the
# first half of the messages took, for the second half to go (on a busy machine, both slow down).
RECOVERY_BOUND = LEASE + SWEEP + 15
# Same, after an SMTP outage: the next sweep's probe finds the server back and resumes the rows.
RESUME_BOUND = SWEEP + RETRY_MAX + 15


@pytest.fixture
def database_proxy(django_db_setup: None) -> Iterator[TcpProxy]:
    """The worker's way to PostgreSQL, which the test cuts and restores."""
    db = django_settings.DATABASES["default"]
    host = db.get("HOST") or "127.0.0.1"
    if host.startswith("/"):
        pytest.fail("DATABASE_URL doit joindre PostgreSQL par TCP (hôte et port), pas un socket")
    proxy = TcpProxy(host, int(db.get("PORT") or 5432)).start()
    yield proxy
    proxy.cut()


@pytest.fixture
def celery_worker_options(
    request: pytest.FixtureRequest,
    smtp_server: SmtpServer,  # noqa: F811
    settings,
) -> dict:
    """The worker and beat send to this test's SMTP server with the short settings; through the
    test's own Redis, or its proxy to PostgreSQL, when the test asks for them."""
    for name, value in OUTBOX_SETTINGS.items():
        setattr(settings, name, value)  # the same in this process
    env = {**smtp_server.env, **{name: str(value) for name, value in OUTBOX_SETTINGS.items()}}
    if "redis_server" in request.fixturenames:
        env["CELERY_BROKER_URL"] = request.getfixturevalue("redis_server").url
    if "database_proxy" in request.fixturenames:
        env["DATABASE_URL"] = database_url_for_test_db(
            host="127.0.0.1", port=request.getfixturevalue("database_proxy").port
        )
    return {"env": env, "concurrency": CONCURRENCY}


class HalfWay:
    """Runs `fault` in the SMTP server's thread when the server has half of the messages,
    before its 250 is written: the message reached the server, its sender does not know yet."""

    def __init__(self, server: SmtpServer, fault) -> None:
        self.server, self.fault = server, fault
        self.struck = threading.Event()
        self.message = None
        self.started = self.at = time.monotonic()
        server.handler.before_reply = self

    def __call__(self, received) -> None:
        if not self.struck.is_set() and self.server.count >= RECIPIENTS // 2:
            self.fault()
            self.message, self.at = received, time.monotonic()
            self.struck.set()

    @property
    def first_half(self) -> float:
        """Seconds the first half of the messages took (from the fault's arming)."""
        return self.at - self.started

    def wait(self) -> str:
        """Waits for the fault; returns the address of the message it caught."""
        assert self.struck.wait(timeout=120), f"{self.server.count} messages reçus, pas de panne"
        self.server.handler.before_reply = None
        (address,) = self.message.rcpt_tos
        return address.lower()


def in_flight(meeting: Meeting) -> set[int]:
    """The rows a worker had in hand: the only ones that may have reached the server unrecorded."""
    return set(rows(meeting).filter(status=DeliveryStatus.SENDING).values_list("pk", flat=True))


def wait_done(meeting: Meeting, *, since: float) -> float:
    """Waits until no row is queued, being sent, or failed for a temporary reason; returns the
    seconds it took from `since` (when the service came back)."""

    def done() -> bool:
        pending = rows(meeting).filter(
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
        ) | rows(meeting).filter(status=DeliveryStatus.FAILED, attempts__gte=MAX_ATTEMPTS)
        return not pending.exists()

    wait_until(done, timeout=120, interval=0.1, message=lambda: f"états : {states(meeting)}")
    return time.monotonic() - since


def assert_served_once(meeting: Meeting, server: SmtpServer, *, caught: set[int]) -> dict:
    """Every recipient got the compte-rendu; a second copy only for a row that was in flight,
    with the same Message-ID. Returns the doubled addresses."""
    copies = server.by_recipient()
    assert set(copies) == addresses(meeting)  # nobody lost
    row_of = dict(rows(meeting).values_list("to_email", "pk"))
    doubled = {address: c for address, c in copies.items() if len(c) > 1}
    for address, same in doubled.items():
        assert row_of[address] in caught, f"{address} reçu {len(same)} fois sans être en cours"
        assert len(same) == 2
        assert same[0].message_id == same[1].message_id  # a receiving server can de-duplicate
    assert server.count == RECIPIENTS + len(doubled)
    assert states(meeting) == {DeliveryStatus.SENT: RECIPIENTS}
    return doubled


def assert_recovered_in_time(name: str, recovered: float, fault: HalfWay, doubled, caught):
    bound = RECOVERY_BOUND + fault.first_half
    print(
        f"\n{name} : {len(caught)} envoi(s) en cours au moment de la panne, "
        f"{len(doubled)} copie(s) en double ; tout remis {recovered:.1f} s après le retour "
        f"du service (borne {RECOVERY_BOUND} s + {fault.first_half:.1f} s pour la seconde moitié)"
    )
    assert recovered <= bound


def test_a_worker_killed_mid_send_costs_only_what_it_had_in_flight_and_a_lease(
    make_meeting,  # noqa: F811
    smtp_server: SmtpServer,  # noqa: F811
    celery_worker_process: CeleryWorker,
    celery_beat_process,
):
    meeting = make_meeting(RECIPIENTS)
    worker = celery_worker_process
    # SIGKILL to the worker and its pool, as the OOM killer would: nothing acknowledged.
    fault = HalfWay(smtp_server, lambda: os.killpg(worker.process.pid, signal.SIGKILL))

    services.report_send(meeting=meeting)
    unrecorded = fault.wait()
    worker.kill()  # reaps it
    # What its processes had claimed: a chunk each at most (outbox.batch), one message each
    # in flight.
    caught = in_flight(meeting)
    assert 1 <= len(caught) <= CONCURRENCY * BATCH_SIZE
    worker.restart()
    back = time.monotonic()
    recovered = wait_done(meeting, since=back)

    doubled = assert_served_once(meeting, smtp_server, caught=caught)
    # The message the server had when the worker died went again (its sender never had the
    # 250), once the lease of its row ran out: the only kind of copy a recipient may get twice.
    assert unrecorded in doubled
    assert len(doubled) <= CONCURRENCY  # the rows claimed and not sent yet went once
    assert_recovered_in_time("worker tué", recovered, fault, doubled, caught)


def test_a_redis_restart_mid_send_loses_no_message_and_doubles_none(
    redis_server,
    make_meeting,  # noqa: F811
    smtp_server: SmtpServer,  # noqa: F811
    celery_worker_process: CeleryWorker,
    celery_beat_process,
):
    meeting = make_meeting(RECIPIENTS)
    fault = HalfWay(smtp_server, lambda: None)

    services.report_send(meeting=meeting)
    fault.wait()
    caught = in_flight(meeting)
    # The worker restarted if the broker's restart kills it, as its container is.
    with celery_worker_process.supervised() as exits:
        # Killed and started again empty: the tasks it held (a hundred rows) are gone.
        back = redis_server.restart(down_for=1.0)
        queued = states(meeting)[DeliveryStatus.QUEUED]
        recovered = wait_done(meeting, since=back)
    if exits:  # only the known defect is forgiven, any other death fails the test
        assert "Unrecoverable error" in celery_worker_process.log_text(), exits
        print(f"\nworker arrêté par le redémarrage de Redis (code {exits}), relancé")

    doubled = assert_served_once(meeting, smtp_server, caught=caught)
    assert doubled == {}  # the worker recorded in PostgreSQL what it was sending
    assert queued > 0  # rows whose task Redis lost, sent all the same
    assert_recovered_in_time("Redis redémarré", recovered, fault, doubled, caught)


def test_a_database_restart_as_the_server_accepts_is_waited_for_not_sent_twice(
    database_proxy: TcpProxy,
    make_meeting,  # noqa: F811
    smtp_server: SmtpServer,  # noqa: F811
    celery_worker_process: CeleryWorker,
    celery_beat_process,
):
    meeting = make_meeting(RECIPIENTS)
    # Every connection of the worker dropped, new ones refused, as a restarting PostgreSQL
    # does; at the worst moment: the server has the message, its sender does not know yet.
    fault = HalfWay(smtp_server, database_proxy.cut)

    services.report_send(meeting=meeting)
    unrecorded = fault.wait()
    assert database_proxy.connections > 0  # the worker did go through the proxy
    caught = in_flight(meeting)
    time.sleep(2.0)  # down for two seconds, as long as a restart takes
    back = database_proxy.restore()
    recovered = wait_done(meeting, since=back)

    doubled = assert_served_once(meeting, smtp_server, caught=caught)
    # Its sender learnt it left while the database was away, and recorded it once it came
    # back: sent once.
    assert unrecorded not in doubled
    assert doubled == {}
    assert_recovered_in_time("PostgreSQL coupé", recovered, fault, doubled, caught)


def test_an_smtp_outage_longer_than_the_retry_schedule_resumes_by_itself_and_a_550_stays(
    make_meeting,  # noqa: F811
    smtp_server: SmtpServer,  # noqa: F811
    celery_worker_process: CeleryWorker,
    celery_beat_process,
    coordinator,
):
    meeting = make_meeting(RECIPIENTS)
    expected = addresses(meeting)
    gone = sorted(expected)[::40]  # five addresses refused for good
    handler = smtp_server.handler
    handler.bounce(*gone)
    handler.close_with_421(seconds=3600)  # "421 Service not available" until the test says

    services.report_send(meeting=meeting)
    # Every row runs through its whole retry schedule: failed, as the coordinator sees it.
    wait_until(
        lambda: states(meeting) == {DeliveryStatus.FAILED: RECIPIENTS},
        timeout=120,
        message=lambda: f"états : {states(meeting)}",
    )
    assert set(rows(meeting).values_list("attempts", flat=True)) == {MAX_ATTEMPTS}
    assert all(
        e.startswith("421 4.3.2") for e in rows(meeting).values_list("last_error", flat=True)
    )
    # Beat's sweeps find the server still down (their probe gets a 421) and try nothing more.
    refusals = len(handler.events)
    time.sleep(3 * SWEEP)
    probes = handler.events[refusals:]
    # One probe per sweep and per worker process at most, even for sweeps that piled up.
    assert 1 <= len(probes) <= 3 * CONCURRENCY + 2, f"{len(probes)} sondes en 3 balayages"
    assert {(e.stage, e.code) for e in probes} == {("MAIL", 421)}
    assert states(meeting) == {DeliveryStatus.FAILED: RECIPIENTS}
    assert smtp_server.count == 0

    handler.close_with_421()  # the server takes mail again; the addresses refused stay refused
    back = time.monotonic()
    wait_until(
        lambda: (
            not rows(meeting)
            .filter(status=DeliveryStatus.FAILED, attempts__gte=MAX_ATTEMPTS)
            .exists()
        ),
        timeout=60,
        message=lambda: f"états : {states(meeting)}",
    )
    resumed = time.monotonic() - back  # every row back in the queue, in a worker's hands, or done
    wait_done(meeting, since=back)

    assert states(meeting) == {
        DeliveryStatus.SENT: RECIPIENTS - len(gone),
        DeliveryStatus.FAILED: len(gone),
    }
    copies = smtp_server.by_recipient()
    assert set(copies) == expected - set(gone)
    assert all(len(c) == 1 for c in copies.values())
    # A 550 is for good: refused once, not resumed, the contact flagged, the reason shown to the
    # coordinator next to the address.
    time.sleep(2 * SWEEP)
    refused = [e.address.lower() for e in handler.events if e.code == 550]
    assert sorted(refused) == sorted(gone)
    failed = rows(meeting).filter(status=DeliveryStatus.FAILED)
    assert sorted(failed.values_list("to_email", flat=True)) == sorted(gone)
    assert all(e.startswith("550 5.1.1") for e in failed.values_list("last_error", flat=True))
    assert Contact.objects.filter(email__in=gone, bounced_at__isnull=False).count() == len(gone)
    page = login(Client(), coordinator).get(f"/t/cergy/reunions/{meeting.pk}/")
    text = page.content.decode()
    for address in gone:
        assert f"<strong>{address}</strong> · 550 5.1.1 Mailbox unavailable" in text
    assert resumed <= RESUME_BOUND
    print(
        f"\npanne SMTP : {RECIPIENTS} envois en échec après {MAX_ATTEMPTS} refus 421 chacun, "
        f"repris {resumed:.1f} s après le retour du serveur (borne {RESUME_BOUND} s) ; "
        f"{len(gone)} adresses refusées (550) laissées en échec"
    )
