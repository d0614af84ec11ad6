"""Settings read from the environment, each case in a subprocess (settings are read once per
process): links in e-mails follow the port `make run` serves, SQLite waits for a lock, and the
health check is not redirected to HTTPS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cls_platform.test_deploy import BASE_DIR, production_env

SHOW = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({'site_url': settings.SITE_URL, "
    "'csrf': settings.CSRF_TRUSTED_ORIGINS, "
    "'options': settings.DATABASES['default'].get('OPTIONS', {}), "
    "'localtime': settings.EMAIL_USE_LOCALTIME}))"
)


def settings_with(tmp_path: Path, **env: str | None) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL")}
    environment.update(
        DJANGO_SETTINGS_MODULE="cls_platform.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'trame.sqlite3'}",
    )
    for key, value in env.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_links_follow_the_port_make_run_serves(tmp_path):
    shown = settings_with(tmp_path, PORT="8123")
    assert shown["site_url"] == "http://127.0.0.1:8123"
    assert shown["csrf"] == ["http://127.0.0.1:8123"]
    assert settings_with(tmp_path)["site_url"] == "http://127.0.0.1:8000"


def test_an_explicit_site_url_wins_over_the_port(tmp_path):
    shown = settings_with(tmp_path, PORT="8123", SITE_URL="https://cls.exemple.fr/")
    assert shown["site_url"] == "https://cls.exemple.fr"


def test_sqlite_waits_for_the_other_process_s_lock_and_mail_dates_are_local(tmp_path):
    shown = settings_with(tmp_path)
    assert shown["options"]["timeout"] == 20
    assert shown["localtime"] is True


def test_the_makefile_passes_the_port_to_the_server_and_the_periodic_tasks():
    recipe = (BASE_DIR / "Makefile").read_text(encoding="utf-8").split("\nrun: demo\n", 1)[1]
    recipe = recipe.split("\n\n", 1)[0]
    assert "PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)" in recipe
    assert "PORT=$(PORT) $(BIN)/python manage.py run_periodic &" in recipe
    assert "trap" in recipe


CHECK_REDIRECTS = (
    "import django, json; django.setup(); from django.test import Client; c = Client(); "
    "h = c.get('/healthz'); p = c.get('/connexion/'); "
    "print(json.dumps({'healthz': h.status_code, 'page': p.status_code, "
    "'location': p.get('Location', '')}))"
)


def test_the_health_check_is_not_redirected_to_https_but_pages_are(tmp_path):
    env = production_env(
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'trame.sqlite3'}",
        CELERY_BROKER_URL=None,
    )
    result = subprocess.run(
        [sys.executable, "-c", CHECK_REDIRECTS],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["page"] == 301
    assert shown["location"] == "https://testserver/connexion/"
    assert shown["healthz"] in (200, 503), "answered over plain HTTP, not redirected"
