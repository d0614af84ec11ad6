"""`make bench`: one table, each figure beside its floor measured in the same run (bench/suite.py).

Run against PostgreSQL with DATABASE_URL set (and CELERY_BROKER_URL for the send through a
worker); the data is seeded first (idempotent). BENCH_QUICK=1 for the quick mode.
"""

from __future__ import annotations

import os
import secrets
import warnings

import django

# As in production (and as the load test, bench/load): DEBUG off, so no query log, templates
# without debug data, the forms' HTML cached, coordinators past their second factor. The
# benchmark's urlconf serves the floor view; static files keep their plain names.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(40))
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic
django.setup()

from django.core.management import call_command  # noqa: E402

from bench import client_environment  # noqa: E402
from bench.suite import Sizes, report  # noqa: E402


def main() -> None:
    client_environment()
    call_command("migrate", verbosity=0)
    print(report(Sizes.from_env()), flush=True)


if __name__ == "__main__":
    main()
