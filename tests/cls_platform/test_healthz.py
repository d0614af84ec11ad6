"""GET /healthz: the database, the broker and the workers, as other tooling reads them."""

from __future__ import annotations

import socket
import time
from unittest import mock

import pytest
from django.db import OperationalError, connection

from cls_platform.celery import app
from tests.support.services import CeleryWorker

KEYS = {"status", "database", "broker", "workers"}


def get_health(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"].startswith("max-age=0")
    return response, response.json()


def closed_loopback_port() -> int:
    """A loopback port nothing listens on (bound by the system, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_url(settings, monkeypatch):
    """Points the platform (Django settings and the Celery app) at another broker for a test.

    Celery reads the CELERY_BROKER_URL environment variable before its configuration, so the
    variable is overridden too. Everything is restored afterwards.
    """
    changes = app.conf.changes
    had_change, previous = "broker_url" in changes, changes.get("broker_url")

    def point_at(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
        app.conf.broker_url = url

    yield point_at
    if had_change:
        changes["broker_url"] = previous
    else:
        changes.pop("broker_url", None)


@pytest.mark.django_db
def test_healthz_without_broker_runs_tasks_inline(client, settings):
    settings.CELERY_BROKER_URL = ""  # whatever the environment says: no broker

    response, body = get_health(client)

    assert response.status_code == 200
    assert set(body) == KEYS
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] == connection.vendor
    assert body["broker"]["ok"] is True
    assert body["broker"]["mode"] == "eager"
    assert body["workers"] == {"ok": True, "mode": "eager", "count": 0}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_healthz_with_a_running_worker(client, celery_worker_process: CeleryWorker):
    response, body = get_health(client)

    assert response.status_code == 200
    assert body["status"] == "ok", body
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"] == {"ok": True, "mode": "broker"}
    assert body["workers"]["ok"] is True
    assert body["workers"]["count"] >= 1
    assert celery_worker_process.name in body["workers"]["names"]


@pytest.mark.services
@pytest.mark.django_db
def test_healthz_with_redis_up_but_no_worker_is_degraded(client):
    response, body = get_health(client)

    assert response.status_code == 200  # the application still serves
    assert body["status"] == "degraded", body
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "mode": "broker"}
    assert body["workers"]["ok"] is False, f"un worker écoute ce broker: {body['workers']}"
    assert body["workers"]["count"] == 0


@pytest.mark.django_db
def test_healthz_with_unreachable_broker_is_degraded_and_quick(client, broker_url):
    broker_url(f"redis://127.0.0.1:{closed_loopback_port()}/0")

    started = time.monotonic()
    response, body = get_health(client)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert body["status"] == "degraded", body
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]  # the exception's class name, for the operator
    assert body["workers"]["ok"] is False
    # A probe must answer before the load balancer's own timeout; kombu's retries must not hang.
    assert elapsed < 10, f"/healthz a mis {elapsed:.1f} s avec un broker injoignable"


@pytest.mark.django_db
def test_healthz_when_the_database_fails_is_503_and_still_json(client):
    error = OperationalError("connection to server failed: Connection refused")
    with mock.patch.object(connection, "cursor", side_effect=error) as cursor:
        response, body = get_health(client)

    assert cursor.called
    assert response.status_code == 503
    assert set(body) == KEYS
    assert body["status"] == "error"
    assert body["database"] == {
        "ok": False,
        "vendor": connection.vendor,
        "error": "OperationalError",
    }
