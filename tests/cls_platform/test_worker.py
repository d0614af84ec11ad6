"""A real Celery worker, in its own process, runs a task sent through Redis."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from cls_platform.celery import app
from cls_platform.tasks import clear_expired_sessions
from tests.support.services import CeleryWorker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_clears_expired_sessions(celery_worker_process: CeleryWorker):
    now = timezone.now()
    Session.objects.create(
        session_key="expired-session", session_data="", expire_date=now - timedelta(days=1)
    )
    Session.objects.create(
        session_key="valid-session", session_data="", expire_date=now + timedelta(days=1)
    )
    assert not app.conf.task_always_eager  # sent through the broker, not run here

    result = clear_expired_sessions.delay()

    wait_until(
        lambda: not Session.objects.filter(session_key="expired-session").exists(),
        timeout=20,
        message="la session expirée est toujours là",
    )
    assert list(Session.objects.values_list("session_key", flat=True)) == ["valid-session"]

    # It ran in the worker's process: its log records this very task, with the count it returned.
    log = celery_worker_process.wait_for_log(f"[{result.id}] succeeded", timeout=20)
    line = next(line for line in log.splitlines() if f"[{result.id}] succeeded" in line)
    assert "cls_platform.tasks.clear_expired_sessions" in line
    assert line.rstrip().endswith(": 1")
    assert f"[{result.id}] received" in log
    assert celery_worker_process.process.pid != os.getpid()
