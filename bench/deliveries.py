"""A compte-rendu to 200 partners end to end (target: within 2 times Django building and sending
the same messages in one process) and the compte-rendu's PDF (target: under 1 s).

The send goes through the real chain: the outbox rows written by `report_send`, Redis (from
CELERY_BROKER_URL), a `celery worker` started for the run on a queue of its own, and an SMTP
server on loopback (aiosmtpd, in this process). The clock runs from the button (`report_send`,
which also makes the PDF) until the 200th message reached the SMTP server. Without
CELERY_BROKER_URL (quick mode, tests) the tasks run eagerly in this process instead.

The floors are sent to the same server: the very messages received, rebuilt by Django
(EmailMultiAlternatives, one connection) and, as bytes, by a plain smtplib loop.

The worker is another process: it only sees committed rows, so the data is written for real in
a territory made for the run, and deleted at the end. Media go to a temporary folder. Through a
worker, the send is made BENCH_PDF_RUNS times (3), each with a meeting of its own and a worker
started for it, and the median kept: one send of 1.4 to 2 s on this machine varies by a third
from one run to the next (the button's own work went from 0.15 to 0.66 s).

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench.deliveries

BENCH_WORKER_CONCURRENCY sets the worker's processes (1 by default: the bar says one worker).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from bench.table import Figure, Row, duration, ratio_row, time_row, timed

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


def build_meeting(recipients: int = RECIPIENTS):
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
        for i in range(recipients)
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


def chain_send(meeting, server, workdir: Path, concurrency: int, recipients: int):
    """The real chain: report_send, Redis, a worker, the SMTP server. (seconds, notes)."""
    from cls_platform.celery import app
    from workgroups import services

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
        while server.count < recipients:
            if time.monotonic() > deadline or worker.process.poll() is not None:
                raise RuntimeError(
                    f"envoi : {server.count} messages reçus après {SEND_TIMEOUT:.0f} s\n"
                    + worker.log_tail()
                )
            time.sleep(0.01)
        elapsed = time.monotonic() - start
        cpu_after = worker.cpu_seconds()
    finally:
        app.conf.task_default_queue = previous_queue
        worker.stop()
        delete_queue(app, worker.queue)
    cpu = (
        f"{(cpu_after - cpu_before) / recipients * 1000:.0f} ms de CPU du worker par message"
        if cpu_before is not None and cpu_after is not None
        else "CPU du worker non mesuré"
    )
    return elapsed, [
        f"envoi : 1 worker (concurrence {concurrency}), dont report_send ({result.queued} en "
        f"file) {duration(queued)} · {cpu}"
    ]


def eager_send(meeting, server, recipients: int):
    """Without a worker (quick mode, or no broker): the same chain in this process, the tasks
    run eagerly on the commit."""
    from cls_platform.celery import app
    from workgroups import services

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=server.host,
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        start = time.monotonic()
        try:
            services.report_send(meeting=meeting)  # sends on its commit, tasks run eagerly
        finally:
            app.conf.task_always_eager = eager
        elapsed = time.monotonic() - start
    if server.count < recipients:
        raise RuntimeError(f"envoi sans worker : {server.count} messages sur {recipients}")
    return elapsed, ["envoi : sans worker, tâches exécutées dans ce processus"]


def django_send(server, received) -> None:
    """Floor: Django building the same messages (bodies, alternatives, PDFs) and sending them
    over one connection, in one process."""
    from django.core.mail import EmailMultiAlternatives, get_connection

    specs = [parts(copy) for copy in received]
    start = server.count
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=server.host,
        port=server.port,
        username="",
        password="",
        use_tls=False,
    )
    messages = []
    for spec in specs:
        message = EmailMultiAlternatives(
            spec["subject"], spec["text"], spec["from"], spec["to"], connection=connection
        )
        if spec["html"]:
            message.attach_alternative(spec["html"], "text/html")
        for attachment in spec["attachments"]:
            message.attach(*attachment)
        messages.append(message)
    connection.send_messages(messages)
    assert server.count - start == len(received), "plancher Django : messages perdus"


def parts(copy) -> dict:
    message = copy.message
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return {
        "subject": str(message["Subject"]),
        "from": str(message["From"]),
        "to": list(copy.rcpt_tos),
        "text": text.get_content() if text else "",
        "html": html.get_content() if html else "",
        "attachments": [(a.filename, a.payload, a.content_type) for a in copy.attachments],
    }


def smtplib_send(server, received) -> None:
    """Floor: a plain smtplib loop sending the very bytes received, over one connection."""
    start = server.count
    with smtplib.SMTP(server.host, server.port) as client:
        for copy in received:
            client.sendmail(copy.mail_from, list(copy.rcpt_tos), copy.data)
    assert server.count - start == len(received), "plancher smtplib : messages perdus"


def run(
    recipients: int = RECIPIENTS, runs: int = 3, *, worker: bool = True
) -> tuple[list[Row], list[str]]:
    """worker=False, or no CELERY_BROKER_URL: the send is made in this process."""
    from bench.pdfs import bare_pdf, pdf_text
    from cls_platform.models import Territory
    from tests.support.smtp import SmtpServer
    from workgroups.pdf import meeting_report_pdf

    concurrency = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "1"))
    workdir = Path(tempfile.mkdtemp(prefix="trame-bench-envois-"))
    section = f"compte-rendu à {recipients} destinataires"
    try:
        with override_settings(MEDIA_ROOT=str(workdir / "media")), SmtpServer() as server:
            meeting = build_meeting(recipients)  # committed: a worker must see it
            document = meeting_report_pdf(meeting=meeting)
            pdf = timed(lambda: meeting_report_pdf(meeting=meeting), runs)
            pdf_floor = timed(lambda: bare_pdf(pdf_text(document)), runs, count_queries=False)
            through_worker = bool(worker and settings.CELERY_BROKER_URL)
            sends: list[float] = []
            for attempt in range(runs if through_worker else 1):
                if attempt:  # a meeting of its own each time, the server's inbox emptied
                    server.handler.clear()
                    meeting = build_meeting(recipients)
                if through_worker:
                    elapsed, notes = chain_send(meeting, server, workdir, concurrency, recipients)
                else:
                    elapsed, notes = eager_send(meeting, server, recipients)
                sends.append(elapsed)
            received = server.messages[:recipients]
            copies = server.by_recipient()
            with_pdf = sum(1 for c in copies.values() if len(c) == 1 and c[0].pdfs)
            in_django = timed(lambda: django_send(server, received), runs, count_queries=False)
            in_smtplib = timed(lambda: smtplib_send(server, received), runs, count_queries=False)
    finally:
        Territory.objects.filter(slug=SLUG).delete()
        shutil.rmtree(workdir, ignore_errors=True)
    send = Figure(statistics.median(sends), len(sends))
    label = f"envoi jusqu'au {recipients}e message reçu"
    if len(sends) > 1:
        notes.append("envoi : essais de " + " ; ".join(duration(spent) for spent in sends))
    notes.append(
        f"envoi : {len(copies)} adresses servies, {with_pdf} une seule fois avec le PDF, "
        f"{len(received[0].data) // 1024} Kio par message"
    )
    return [
        ratio_row(
            section, label, send, "Django, mêmes messages, 1 processus", in_django, at_most=2
        ),
        ratio_row(section, label, send, "boucle smtplib, mêmes octets", in_smtplib, at_most=None),
        time_row(
            section,
            "PDF du compte-rendu",
            pdf,
            "WeasyPrint, même texte sans style",
            pdf_floor,
            under=1,
        ),
    ], notes


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cls_platform.settings")
    django.setup()
    from bench.table import render

    rows, notes = run()
    print(render(rows))
    print("\n".join(notes))
