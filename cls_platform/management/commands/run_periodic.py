"""`python manage.py run_periodic`: the periodic tasks of CELERY_BEAT_SCHEDULE, run inline.

Under `make run` there is no broker and no beat: without this, the reminders before meetings
would never go and a message refused for a while by the SMTP server (4xx) would wait forever in
the outbox. `make run` starts this beside the web server and stops it with it.

Each task runs in this process at its interval (the first time at start), in a try/except that
logs: one failing task neither stops the others nor the loop. SIGTERM and SIGINT stop it between
two tasks. With a broker configured (production), Celery beat does this job: the command refuses
to run, so that nothing runs twice.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

log = logging.getLogger("cls_platform.periodic")

Clock = Callable[[], float]


@dataclass
class Entry:
    """One line of the beat schedule: which task, how often, when next."""

    name: str
    task: str
    every: float  # seconds
    next_at: float = 0.0  # on `clock`; 0: at the first tick


def seconds_of(schedule: Any) -> float:
    """The interval of a beat schedule entry: a number of seconds, a timedelta, or a Celery
    schedule (its run_every)."""
    if isinstance(schedule, int | float):
        return float(schedule)
    if isinstance(schedule, dt.timedelta):
        return schedule.total_seconds()
    run_every = getattr(schedule, "run_every", None)
    if isinstance(run_every, dt.timedelta):
        return run_every.total_seconds()
    # A crontab: once an hour is close enough for a development server.
    return 3600.0


@dataclass
class Scheduler:
    """Runs the due entries at each `tick()`; `run()` ticks until `stop` is set."""

    entries: list[Entry]
    clock: Clock = time.monotonic
    stop: threading.Event = field(default_factory=threading.Event)
    run_task: Callable[[str], Any] | None = None

    @classmethod
    def from_settings(cls, **kwargs: Any) -> Scheduler:
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", {}) or {}
        entries = [
            Entry(name=name, task=spec["task"], every=max(seconds_of(spec["schedule"]), 1.0))
            for name, spec in schedule.items()
        ]
        return cls(entries=entries, **kwargs)

    def _run(self, task_name: str) -> Any:
        if self.run_task is not None:
            return self.run_task(task_name)
        from cls_platform.celery import app

        # Tasks register when their module is imported (a worker imports them all at start).
        importlib.import_module(task_name.rpartition(".")[0])
        # Inline, in this process: the task's own `.delay()` calls (the sweep handing rows to
        # `send_delivery`) run inline too, as no broker is configured.
        return app.tasks[task_name].apply(throw=True).get()

    def tick(self) -> list[str]:
        """Runs every entry that is due; returns the names of those that ran."""
        ran = []
        for entry in self.entries:
            if self.stop.is_set():
                break
            now = self.clock()
            if now < entry.next_at:
                continue
            entry.next_at = now + entry.every
            try:
                result = self._run(entry.task)
            except Exception:
                log.exception("Tâche périodique %s en échec", entry.task)
            else:
                log.debug("Tâche périodique %s : %s", entry.task, result)
            ran.append(entry.name)
        return ran

    def seconds_to_next(self) -> float:
        if not self.entries:
            return 60.0
        return max(min(entry.next_at for entry in self.entries) - self.clock(), 0.0)

    def run(self) -> None:
        while not self.stop.is_set():
            self.tick()
            # Woken at once by a signal (Event.wait), at most a minute asleep.
            self.stop.wait(min(self.seconds_to_next(), 60.0))


class Command(BaseCommand):
    help = (
        "Exécute les tâches périodiques (rappels, relances de la boîte d'envoi, ménage) dans ce "
        "processus, à leur rythme, quand aucun courtier Celery n'est configuré (make run)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Exécute une fois chaque tâche, puis s'arrête."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.CELERY_BROKER_URL:
            raise CommandError(
                "CELERY_BROKER_URL est défini : Celery beat exécute déjà les tâches périodiques "
                "(make beat). run_periodic ne sert qu'en l'absence de courtier (make run)."
            )
        scheduler = Scheduler.from_settings()
        if options["once"]:
            scheduler.tick()
            return

        def stop(signum: int, _frame: object) -> None:
            scheduler.stop.set()

        # Installed even where the shell started us with SIGINT ignored (a background job of
        # `make run`): Ctrl-C stops us with the web server.
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(entry.task for entry in scheduler.entries)
        self.stdout.write(f"Tâches périodiques exécutées dans ce processus : {names}")
        scheduler.run()
        self.stdout.write("Tâches périodiques arrêtées.")
