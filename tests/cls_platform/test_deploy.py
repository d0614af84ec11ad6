"""Production settings: `check --deploy` is clean, and a missing secret key stops everything.

Each case runs `manage.py` in a subprocess, because settings are read once per process.
"""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE = BASE_DIR / "manage.py"

# Variables that loosen production settings on purpose (compose serves plain HTTP, a test may
# shorten HSTS, the test suite's conftest allows the ORM inside Playwright's event loop): a
# production check must not inherit them from the test run or the developer's shell.
LOOSENING = (
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_HSTS_SECONDS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SETTINGS_MODULE",
)


def random_secret_key(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def production_env(**overrides: str | None) -> dict[str, str]:
    """The environment of a production server; DATABASE_URL is inherited from the test run."""
    env = {k: v for k, v in os.environ.items() if k not in LOOSENING}
    env.update(
        DJANGO_SETTINGS_MODULE="cls_platform.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=random_secret_key(),
        DJANGO_ALLOWED_HOSTS="cls.example.fr",
        SITE_URL="https://cls.example.fr",
        PYTHONIOENCODING="utf-8",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNING" not in output.upper(), output
    # Any security.W0xx or other system-check identifier would mean a finding.
    assert "(security." not in output and "?: (" not in output, output


@pytest.mark.parametrize("secret", [None, ""], ids=["absent", "empty"])
def test_settings_refuse_to_load_without_a_secret_key_when_debug_is_off(secret):
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=secret))
    assert result.returncode != 0, result.stdout + result.stderr
    # The reason is stated, in French, and names the variable to set.
    assert "DJANGO_SECRET_KEY doit être défini" in result.stderr, result.stderr
    assert "System check identified" not in result.stdout
