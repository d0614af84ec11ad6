"""What /healthz reports: the database, the broker and the workers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection


def database_state() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "cannot serve"
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def broker_and_workers_state(timeout: float = 1.0) -> tuple[dict[str, Any], dict[str, Any]]:
    from cls_platform.celery import app

    if not settings.CELERY_BROKER_URL:
        inline = {"ok": True, "mode": "eager", "detail": "tâches exécutées dans le processus web"}
        return inline, {"ok": True, "mode": "eager", "count": 0}
    try:
        # No retry and a short connect timeout: a probe must answer fast, even when it fails.
        with app.connection_for_write(connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)
    except Exception as exc:
        return (
            {"ok": False, "mode": "broker", "error": exc.__class__.__name__},
            {"ok": False, "mode": "broker", "count": 0},
        )
    try:
        replies = app.control.ping(timeout=timeout) or []
    except Exception as exc:
        return {"ok": True, "mode": "broker"}, {"ok": False, "error": exc.__class__.__name__}
    names = sorted(name for reply in replies for name in reply)
    return {"ok": True, "mode": "broker"}, {"ok": bool(names), "count": len(names), "names": names}


def health_report() -> tuple[dict[str, Any], int]:
    database = database_state()
    broker, workers = broker_and_workers_state()
    # The application can serve pages as long as its database answers; a missing worker only
    # delays e-mails (the outbox keeps them), so it degrades the state without failing it.
    if not database["ok"]:
        status, code = "error", 503
    elif broker["ok"] and workers["ok"]:
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    return {"status": status, "database": database, "broker": broker, "workers": workers}, code
