"""Shared fixtures. Named people, as in healthchecks' tests: each test says who acts.

- `coordinator`, `copilot`, `viewer`: accesses to `territory`;
- `outsider`: coordinator of `other_territory`, who must see nothing of `territory`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Transactional tests empty every table at teardown. On PostgreSQL, django-auditlog's own
# LogEntry table (created by its migrations, unused since AUDITLOG_LOGENTRY_MODEL names ours)
# references users without being a model Django flushes: TRUNCATE must cascade to it.
from django.core.management.commands import flush as _flush
from django.test import Client

from cls_platform.models import Access, Role, Territory

_flush_handle = _flush.Command.handle


def _flush_cascading(self, **options):
    options["allow_cascade"] = True
    return _flush_handle(self, **options)


_flush.Command.handle = _flush_cascading

from tests.factories import PASSWORD, AccessFactory, TerritoryFactory  # noqa: E402

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Fixtures kept in their own modules: real Chromium with axe-core, a real Celery worker.
pytest_plugins = [
    "tests.support.browser",
    "tests.support.services",
    "tests.support.parallel",
    # A browser test fails on any Content-Security-Policy violation (console or report).
    "tests.support.csp_watch",
]


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Real hashing costs a third of a second per password: tests sign in hundreds of times.
    Session-wide, so that data seeded once per module is hashed the same way."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _pdf_parts_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The parts of printed contracts are kept apart from the developer's var/cache."""
    from django.conf import settings
    from django.test import override_settings

    caches = {**settings.CACHES}
    caches["pdf"] = {**caches["pdf"], "LOCATION": str(tmp_path_factory.mktemp("pdf-cache"))}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _no_standings_kept_from_another_test() -> None:
    """The indicators' standings and groups' states kept for the day (the "figures" cache) are
    keyed by contract id and version: a rolled-back test's ids and versions come back, with
    other indicators and groups."""
    from django.core.cache import caches

    caches["figures"].clear()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(
    settings: object, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Uploaded files and generated PDFs never land in the developer's var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")


@pytest.fixture(autouse=True)
def _eager_celery(request: pytest.FixtureRequest, settings: object) -> None:
    """Tasks run inline except in tests that start a real worker (marked `services`)."""
    from cls_platform.celery import app

    eager = request.node.get_closest_marker("services") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def territory(db: None) -> Territory:
    return TerritoryFactory(name="Cergy", slug="cergy")


@pytest.fixture
def other_territory(db: None) -> Territory:
    return TerritoryFactory(name="Vitry-sur-Seine", slug="vitry-sur-seine", department_code="94")


def _access(territory: Territory, role: str, email: str) -> Access:
    return AccessFactory(territory=territory, role=role, user__email=email)


@pytest.fixture
def coordinator(territory: Territory) -> Access:
    return _access(territory, Role.COORDINATOR, "coordinatrice@cergy.fr")


@pytest.fixture
def copilot(territory: Territory) -> Access:
    return _access(territory, Role.COPILOT, "copilote@cergy.fr")


@pytest.fixture
def viewer(territory: Territory) -> Access:
    return _access(territory, Role.VIEWER, "delegation@ars.fr")


@pytest.fixture
def outsider(other_territory: Territory) -> Access:
    return _access(other_territory, Role.COORDINATOR, "coordinatrice@vitry.fr")


def login(client: Client, access: Access) -> Client:
    assert client.login(username=access.user.email, password=PASSWORD)
    return client


@pytest.fixture
def login_as(client: Client):
    def _login(access: Access) -> Client:
        return login(client, access)

    return _login
