"""`make bench`: server time of the main pages on the demo data, in the configured database.

Prints the median and the 95th percentile of repeated renders per page, with the query count.
Run against PostgreSQL with DATABASE_URL set; the demo is loaded first (idempotent).
"""

from __future__ import annotations

import io
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cls_platform.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "50"))
PAGES = [
    ("coordination@cergy.demo", "/t/cergy/"),
    ("ars-idf@ars.demo", "/t/vitry-sur-seine/"),
    ("coordination@cergy.demo", "/t/cergy/annuaire/structures/"),
    ("coordination@cergy.demo", "/t/cergy/annuaire/contacts/"),
    ("ars-idf@ars.demo", "/t/cergy/annuaire/contacts/?q=ma"),
]


def main() -> None:
    setup_test_environment()
    settings.DEBUG = True  # the demo accounts sign in only in development mode
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    print(f"base : {connection.vendor}, {RUNS} rendus par page")
    for email, url in PAGES:
        client = Client()
        client.force_login(client_user(email))
        client.get(url)
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(
            f"{url:28} médiane {statistics.median(timings):6.1f} ms · p95 {p95:6.1f} ms · "
            f"{len(ctx.captured_queries)} requêtes"
        )
    from bench import bilan, deliveries, imports, meeting, pdfs, scale

    for line in (
        imports.run() + pdfs.run() + bilan.run() + deliveries.run() + meeting.run() + scale.run()
    ):
        print(line)


def client_user(email: str):
    from cls_platform.models import User

    return User.objects.get(email=email)


if __name__ == "__main__":
    main()
