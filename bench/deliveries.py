"""A compte-rendu to 200 partners end to end (target: under 10 s with one worker) and the
compte-rendu's PDF (target: under 1 s).

The send goes through the real chain: the outbox rows written by `report_send`, Redis (from
CELERY_BROKER_URL), a `celery worker` started for the run on a queue of its own, and an SMTP
server on loopback (aiosmtpd, in this process). The clock runs from the button (`report_send`,
which also makes the PDF) until the 200th message reached the SMTP server.

The worker is another process: it only sees committed rows, so the data is written for real in
a territory made for the run, and deleted at the end. Media go to a temporary folder.

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench.deliveries

BENCH_WORKER_CONCURRENCY sets the worker's processes (1 by default: the bar says one worker).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

RECIPIENTS = 200
SLUG = "banc-essai-envois"
SEND_TIMEOUT = 120.0
START_TIMEOUT = 30.0
REPORT = """Compte-rendu de la réunion du groupe « Accès aux droits et aux soins ».

## Tour de table

- La CPAM présente le parcours « Mission accompagnement santé » et ses critères d'orientation.
- Le CCAS signale une hausse des renoncements aux soins dentaires chez les plus de 60 ans.
- La PMI rappelle les permanences sans rendez-vous du mercredi matin.
- L'association de médiation en santé décrit ses accompagnements physiques vers les soins.

## Décisions

- Une fiche réflexe « ouverture de droits » commune à tous les partenaires, pour septembre.
- Un temps d'interconnaissance avec les pharmacies du quartier à la prochaine réunion.

Prochaine réunion en juin, au centre social des Touleuses."""


def verdict(ok: bool) -> str:
    return "OK" if ok else "AU-DELÀ DE L'OBJECTIF"


def build_meeting():
    """A held meeting of 200 invited partners with its compte-rendu written, committed."""
    from actions.models import Contract, ContractStatus
    from cls_platform.models import Territory
    from partners.models import Contact, Organization
    from workgroups import services
    from workgroups.models import Attendance, Invitation, Meeting, WorkGroup

    Territory.objects.filter(slug=SLUG).delete()  # left over by an interrupted run
    territory = Territory.objects.create(name="Banc d'essai envois", slug=SLUG)
    contract = Contract.objects.create(
        territory=territory,
        title="Contrat local de santé du banc d'essai",
        start_year=2023,
        end_year=2028,
        status=ContractStatus.SIGNED,
        signed_on=dt.date(2023, 9, 21),
    )
    group = WorkGroup.objects.create(
        territory=territory, contract=contract, name="GT Accès aux droits et aux soins"
    )
    start = timezone.now() - dt.timedelta(days=2)
    meeting = Meeting.objects.create(
        territory=territory,
        group=group,
        title="Réunion de printemps",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Centre social des Touleuses",
    )
    organizations = Organization.objects.bulk_create(
        Organization(territory=territory, name=f"Structure partenaire n° {i}") for i in range(60)
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            territory=territory,
            first_name="Camille",
            last_name=f"Durand {i}",
            email=f"camille.durand{i}@banc-essai.invalid",
            organization=organizations[i % len(organizations)],
        )
        for i in range(RECIPIENTS)
    )
    Invitation.objects.bulk_create(
        Invitation(
            territory=territory,
            meeting=meeting,
            contact=contact,
            attendance=Attendance.PRESENT if i % 5 == 0 else Attendance.UNKNOWN,
        )
        for i, contact in enumerate(contacts)
    )
    return services.report_save(meeting=meeting, html=REPORT)


def time_pdf(meeting) -> tuple[float, float, int]:
    """First render in this process, then the median of three warm ones; and the size."""
    from workgroups.pdf import meeting_report_pdf

    start = time.perf_counter()
    document = meeting_report_pdf(meeting=meeting)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        meeting_report_pdf(meeting=meeting)
        warm.append(time.perf_counter() - start)
    return cold, statistics.median(warm), len(document)


class Worker:
    """A `celery worker` on a queue of its own, with the environment the send needs."""

    def __init__(self, *, env: dict[str, str], concurrency: int, log_path: Path) -> None:
        token = uuid.uuid4().hex[:10]
        self.queue = f"trame-bench-{token}"
        self.node = f"bench-{token}@"
        self.log_path = log_path
        script = Path(sys.executable).with_name("celery")
        celery = [str(script)] if script.exists() else [sys.executable, "-m", "celery"]
        command = [
            *celery,
            "-A",
            "cls_platform",
            "worker",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "--loglevel=WARNING",
            "-n",
            f"{self.node}%h",
            "--without-gossip",
            "--without-mingle",
            f"--queues={self.queue}",
        ]
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "cls_platform.settings", **env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, app) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"le worker s'est arrêté :\n{self.log_tail()}")
            replies = app.control.ping(timeout=0.5) or []
            if any(name.startswith(self.node) for reply in replies for name in reply):
                return
        raise RuntimeError(f"le worker ne répond pas :\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)

    def cpu_seconds(self) -> float | None:
        """User and system CPU of the worker and its pool children so far (Linux /proc)."""
        total, tick = 0.0, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        try:
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                fields = stat.rsplit(")", 1)[1].split()
                if int(fields[2]) == self.process.pid:  # process group: the worker's own
                    total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            return None
        return total or None

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return ""


def delete_queue(app, queue: str) -> None:
    from kombu import Exchange, Queue

    with app.connection_for_write() as conn:
        bound = Queue(queue, Exchange(queue, "direct"), routing_key=queue)(conn.default_channel)
        bound.declare()
        bound.purge()
        bound.delete()


def time_send(meeting, workdir: Path, concurrency: int) -> list[str]:
    from cls_platform.celery import app
    from cls_platform.models import Delivery, DeliveryStatus
    from tests.support.smtp import SmtpServer
    from workgroups import services

    with SmtpServer() as server:
        worker = Worker(
            env={**server.env, "MEDIA_ROOT": str(settings.MEDIA_ROOT)},
            concurrency=concurrency,
            log_path=workdir / "worker.log",
        )
        previous_queue = app.conf.task_default_queue
        try:
            worker.wait_ready(app)
            app.conf.task_default_queue = worker.queue
            cpu_before = worker.cpu_seconds()
            start = time.monotonic()
            result = services.report_send(meeting=meeting)  # PDF, rows, commit, hand-over
            queued = time.monotonic() - start
            deadline = start + SEND_TIMEOUT
            while server.count < RECIPIENTS:
                if time.monotonic() > deadline or worker.process.poll() is not None:
                    return [
                        f"envoi de {RECIPIENTS} comptes-rendus : ÉCHEC, {server.count} messages "
                        f"reçus après {SEND_TIMEOUT:.0f} s\n{worker.log_tail()}"
                    ]
                time.sleep(0.01)
            elapsed = time.monotonic() - start
            first = server.messages[0].received_at - start
            cpu_after = worker.cpu_seconds()
            rows = Delivery.objects.filter(topic=meeting.topic)
            while rows.filter(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]).exists():
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            recorded = time.monotonic() - start
            sent = rows.filter(status=DeliveryStatus.SENT).count()
        finally:
            app.conf.task_default_queue = previous_queue
            worker.stop()
            delete_queue(app, worker.queue)
        copies = server.by_recipient()
        with_pdf = sum(1 for c in copies.values() if len(c) == 1 and c[0].pdfs)
        size = len(server.messages[0].data) // 1024 if server.messages else 0
    cpu = (
        f"{(cpu_after - cpu_before) / RECIPIENTS * 1000:.0f} ms de CPU du worker par message"
        if cpu_before is not None and cpu_after is not None
        else "CPU du worker non mesuré"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [
        f"compte-rendu à {RECIPIENTS} destinataires, 1 worker (concurrence {concurrency}) : "
        f"{elapsed:.2f} s jusqu'au {RECIPIENTS}e message reçu par le serveur SMTP "
        f"(objectif < 10 s, {verdict(elapsed < 10)}) · {RECIPIENTS / elapsed:.0f} messages/s",
        f"  dont report_send (PDF, {result.queued} envois en file) {queued:.2f} s, premier message "
        f"à {first:.2f} s, tous marqués envoyés à {recorded:.2f} s · {sent} envoyés, "
        f"{len(copies)} adresses servies, {with_pdf} une seule fois avec le PDF, "
        f"{size} Kio par message · {cpu} · charge de la machine {load:.1f} "
        f"({os.cpu_count()} cœurs)",
    ]


def run() -> list[str]:
    from cls_platform.models import Territory

    concurrency = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "1"))
    workdir = Path(tempfile.mkdtemp(prefix="trame-bench-envois-"))
    try:
        with override_settings(MEDIA_ROOT=str(workdir / "media")):
            if not settings.CELERY_BROKER_URL:
                with transaction.atomic():  # nothing to share with a worker: leave no trace
                    lines = [pdf_line(build_meeting())]
                    transaction.set_rollback(True)
                return [
                    *lines,
                    f"envoi de {RECIPIENTS} comptes-rendus : non mesuré, CELERY_BROKER_URL n'est "
                    "pas défini (il faut Redis et un worker)",
                ]
            meeting = build_meeting()  # committed: the worker must see it
            return [pdf_line(meeting), *time_send(meeting, workdir, concurrency)]
    finally:
        Territory.objects.filter(slug=SLUG).delete()
        shutil.rmtree(workdir, ignore_errors=True)


def pdf_line(meeting) -> str:
    cold, warm, size = time_pdf(meeting)
    return (
        f"PDF du compte-rendu ({RECIPIENTS // 5} présents, {size // 1024} Kio) : "
        f"{warm:.2f} s (objectif < 1 s, {verdict(warm < 1)}) · premier rendu du "
        f"processus {cold:.2f} s"
    )


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cls_platform.settings")
    django.setup()
    for line in run():
        print(line)
