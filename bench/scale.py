"""Server time of the main pages at scale (target: under 100 ms), after `seed_scale`.

BENCH_TERRITORIES (default 20) territories are created if missing; DESIGN's bar is 1,000
(`BENCH_TERRITORIES=1000 make bench` on PostgreSQL, about twenty minutes of seeding once).
"""

from __future__ import annotations

import io
import os
import statistics
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def run() -> list[str]:
    from cls_platform.models import User
    from workgroups.models import Meeting

    territories = int(os.environ.get("BENCH_TERRITORIES", "20"))
    started = time.perf_counter()
    call_command("seed_scale", territories=territories, stdout=io.StringIO())
    lines = [
        f"seed_scale : {territories} territoire(s) prêts en {time.perf_counter() - started:.1f} s"
    ]
    settings.DEBUG = True  # demo-style accounts sign in only in development mode
    client = Client()
    client.force_login(User.objects.get(email="coordination@echelle-0001.scale"))
    meeting = Meeting.objects.filter(territory__slug="echelle-0001").order_by("starts_at").first()
    base = "/t/echelle-0001"
    pages = [
        f"{base}/",
        f"{base}/annuaire/structures/",
        f"{base}/annuaire/contacts/",
        f"{base}/fiches/",
        f"{base}/contrats/{meeting.group.contract_id}/",
        f"{base}/groupes/",
        f"{base}/groupes/{meeting.group_id}/",
        f"{base}/reunions/{meeting.pk}/",
    ]
    for url in pages:
        client.get(url)
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        median = statistics.median(timings)
        verdict = "OK" if median < 100 else "AU-DELÀ DE L'OBJECTIF"
        lines.append(
            f"{url.replace(base, '…'):34} médiane {median:6.1f} ms · p95 {statistics.quantiles(timings, n=20)[-1]:6.1f} ms · "
            f"{len(ctx.captured_queries)} requêtes · {verdict}"
        )
    return lines
