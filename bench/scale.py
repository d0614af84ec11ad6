"""The main pages beside the floor (a bare view, bench/floor.py), after `seed_scale`.

BENCH_TERRITORIES territories (10 by default) are created if missing (`seed_scale`, demo/
scale.py), plus one territory whose directory is ten times larger ("banc-annuaire-x10": 2,500
contacts, 900 structures), whose pages are compared with their own time in a normal territory
(target: 1.3 times). Each page, the floor (and the same page at normal size) are requested in
turn, so that all see the same load of the machine. Accounts of the benchmark's own (not demo
ones) sign in with force_login: coordination and read-only access to "echelle-0001", and an
ARS-like account that reads every territory (the /contrats/ table). On PostgreSQL the
planner's statistics and visibility map are refreshed (VACUUM ANALYZE) after seeding.
"""

from __future__ import annotations

import io
import random
import statistics
import time
from contextlib import contextmanager

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench.floor import URL as FLOOR_URL
from bench.table import Figure, Row, duration, ratio_row

SLUG = "echelle-0001"
LARGE = "banc-annuaire-x10"
PAGE_TARGET = 5.0
LARGE_TARGET = 1.3


@contextmanager
def sizes(*, quick: bool):
    """demo/scale.py's sizes, with fewer meetings in quick mode (200 invitees each still)."""
    from demo import scale

    saved = scale.MEETINGS
    scale.MEETINGS = 3 if quick else saved
    try:
        yield scale
    finally:
        scale.MEETINGS = saved


def prepare(territories: int, *, quick: bool) -> str:
    """The territories (idempotent) and the benchmark's accounts; returns a line for the log."""
    from cls_platform.models import Access, Role, Territory, User

    started = time.perf_counter()
    with sizes(quick=quick) as scale:
        call_command("seed_scale", territories=territories, stdout=io.StringIO())
        if not Territory.objects.filter(slug=LARGE).exists():
            contacts, organizations = scale.CONTACTS, scale.ORGANIZATIONS
            scale.CONTACTS, scale.ORGANIZATIONS = contacts * 10, organizations * 10
            try:
                with transaction.atomic():
                    scale.seed_territory(LARGE, 9999, random.Random(10))
            finally:
                scale.CONTACTS, scale.ORGANIZATIONS = contacts, organizations
    accounts = {
        f"banc-coordination@{SLUG}.bench": [(SLUG, Role.COORDINATOR)],
        f"banc-lecture@{SLUG}.bench": [(SLUG, Role.VIEWER)],
        f"banc-coordination@{LARGE}.bench": [(LARGE, Role.COORDINATOR)],
    }
    for email, grants in accounts.items():
        user = User.objects.filter(email=email).first() or User.objects.create_user(email)
        for slug, role in grants:
            Access.objects.get_or_create(
                user=user, territory=Territory.objects.get(slug=slug), defaults={"role": role}
            )
    ars = User.objects.filter(email="banc-ars@bench.invalid").first()
    ars = ars or User.objects.create_user("banc-ars@bench.invalid")
    Access.objects.bulk_create(
        [
            Access(user=ars, territory=territory, role=Role.VIEWER)
            for territory in Territory.objects.filter(slug__startswith="echelle-")
        ],
        ignore_conflicts=True,
    )
    if connection.vendor == "postgresql":
        # Fresh bulk rows: the planner's statistics, and the visibility map that index-only
        # scans need (autovacuum's work on a live database; without it, counting who came to
        # 2,000 meetings reads 70,000 rows from the heap). VACUUM cannot run in a transaction
        # (a test's): ANALYZE alone there.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    count = Territory.objects.filter(slug__startswith="echelle-").count()
    spent = duration(time.perf_counter() - started)
    return f"{count} territoire(s) « echelle-* » et « {LARGE} » prêts en {spent}"


def signed_in(user, **defaults) -> Client:
    """A session past the second factor when the account must have one (coordinators, when
    TRAME_OTP_REQUIRED, the default with DEBUG off), as after a real sign-in: OTPMiddleware
    then loads its device on every request, as in production."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cls_platform.security import otp

    required = otp.is_required_for(user)
    if required:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name=otp.TOTP_NAME)
    client = Client(**defaults)
    client.force_login(user)
    if required:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def client_for(email: str) -> Client:
    from cls_platform.models import User

    return signed_in(User.objects.get(email=email))


class Unkept:
    """A client that forgets, before each page, the indicators' standings and the groups' states
    kept for the day (the "figures" cache): each page is then the day's first view of its
    contracts, which reads their indicators' latest measures and their groups' states."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, url: str):
        from django.core.cache import caches

        caches["figures"].clear()
        return self.client.get(url)


def get(client: Client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def counted(client: Client, url: str) -> int:
    connection.queries_log.clear()  # a full log (9,000 queries) would count none
    with CaptureQueriesContext(connection) as ctx:
        get(client, url)
    return len(ctx.captured_queries)


def alternate(*targets: tuple[Client, str], runs: int) -> list[Figure]:
    """Requests in turn (after one counted warm-up each), so that all see the same load."""
    queries = [counted(client, url) for client, url in targets]
    timings: list[list[float]] = [[] for _ in targets]
    for _ in range(runs):
        for spent, (client, url) in zip(timings, targets, strict=True):
            spent.append(get(client, url))
    return [
        Figure(statistics.median(spent), runs, count)
        for spent, count in zip(timings, queries, strict=True)
    ]


def paired(client: Client, url: str, other: str, runs: int) -> tuple[Figure, Figure]:
    """A page and its floor requested in turn."""
    page, floor = alternate((client, url), (client, other), runs=runs)
    return page, floor


def pages(slug: str) -> list[tuple[str, str]]:
    from workgroups.models import Meeting

    meeting = Meeting.objects.filter(territory__slug=slug).order_by("starts_at").first()
    base = f"/t/{slug}"
    return [
        ("tableau de bord", f"{base}/"),
        ("structures", f"{base}/annuaire/structures/"),
        ("contacts", f"{base}/annuaire/contacts/"),
        ("fiches-actions", f"{base}/fiches/"),
        ("contrat", f"{base}/contrats/{meeting.group.contract_id}/"),
        ("groupes", f"{base}/groupes/"),
        ("groupe", f"{base}/groupes/{meeting.group_id}/"),
        ("réunion (200 invités)", f"{base}/reunions/{meeting.pk}/"),
    ]


def run(runs: int) -> list[Row]:
    from cls_platform.models import Territory

    rows: list[Row] = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        count = Territory.objects.filter(slug__startswith="echelle-").count()
        section = f"pages, {count} territoires (coordination)"
        client = client_for(f"banc-coordination@{SLUG}.bench")
        for label, url in pages(SLUG):
            page, floor = paired(client, url, FLOOR_URL, runs)
            rows.append(ratio_row(section, label, page, "vue nue", floor, at_most=PAGE_TARGET))
        section = f"pages, {count} territoires (lecture seule, ARS)"
        viewer = client_for(f"banc-lecture@{SLUG}.bench")
        for label, url in pages(SLUG):
            if viewer.get(url).status_code != 200:  # a coordinator's page only
                continue
            page, floor = paired(viewer, url, FLOOR_URL, runs)
            rows.append(
                ratio_row(
                    section, f"{label} (lecture)", page, "vue nue", floor, at_most=PAGE_TARGET
                )
            )
        ars = client_for("banc-ars@bench.invalid")
        for label, url in (
            (f"tableau ARS /contrats/ ({count} territoires)", "/contrats/"),
            (f"accueil ARS, choix parmi {count} territoires", "/"),
        ):
            page, floor = paired(ars, url, FLOOR_URL, runs)
            rows.append(ratio_row(section, label, page, "vue nue", floor, at_most=PAGE_TARGET))
        page, floor = paired(Unkept(ars), "/contrats/", FLOOR_URL, runs)
        rows.append(
            ratio_row(
                section,
                "tableau ARS, 1re vue du jour (rien de gardé)",
                page,
                "vue nue",
                floor,
                at_most=None,
            )
        )
        section = f"pages, annuaire ×10 ({LARGE}), à côté de la même page ×1 et de la vue nue"
        large = client_for(f"banc-coordination@{LARGE}.bench")
        for (label, url), (_, normal) in zip(pages(LARGE), pages(SLUG), strict=True):
            page, own, floor = alternate(
                (large, url), (client, normal), (large, FLOOR_URL), runs=runs
            )
            rows.append(
                ratio_row(section, f"{label} ×10", page, "même page ×1", own, at_most=LARGE_TARGET)
            )
            rows.append(
                ratio_row(section, f"{label} ×10", page, "vue nue", floor, at_most=PAGE_TARGET)
            )
    return rows
