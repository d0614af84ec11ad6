"""Recovery codes are kept hashed: a copy of the database hands out no second factor, and the
codes people hold, made before or after the change, each still open one sign-in."""

from __future__ import annotations

import importlib
import io
import re
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cls_platform.models import User
from cls_platform.security import otp
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

VERIFY = "/compte/securite/double-authentification/verifier/"
ENROL = "/compte/securite/double-authentification/activer/"
ACCOUNT = "/compte/securite/"
REFUSED = "Ce code n&#x27;est pas valable."
migration = importlib.import_module("cls_platform.security.migrations.0001_hash_recovery_codes")


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.DEBUG = False
    settings.TRAME_OTP_REQUIRED = True


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def sign_in(user: User) -> Client:
    client = Client()
    response = client.post("/connexion/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def stored_tokens() -> list[str]:
    """The table as a copy of the database shows it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM otp_static_statictoken")
        return [row[0] for row in cursor.fetchall()]


def enrol(user: User) -> list[str]:
    """Through the pages: the application set up, the ten codes read off the page."""
    client = sign_in(user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    page = client.post(ENROL, {"code": code_for(device)}, follow=True).content.decode()
    codes = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4})</code>", page)
    assert len(set(codes)) == 10
    return codes


def signs_in_with(user: User, code: str) -> bool:
    client = sign_in(user)
    response = client.post(VERIFY, {"code": code, "next": "/t/cergy/"})
    if response.status_code == 200:
        assert REFUSED in response.content.decode()
        return False
    return client.get("/t/cergy/").status_code == 200


def run_migration() -> None:
    """The data migration, on the models as they stood when it was written."""
    apps = MigrationLoader(connection).project_state(("otp_static", "0003_add_timestamps")).apps
    migration.hash_clear_codes(apps, SimpleNamespace(connection=connection))


def test_the_database_holds_no_recovery_code_in_clear(coordinator):
    codes = enrol(coordinator.user)
    stored = stored_tokens()
    assert len(stored) == 10
    for code in codes:
        bare = code.replace("-", "")
        assert not any(code in token or bare in token for token in stored)


def test_a_recovery_code_signs_in_once_and_the_count_left_goes_down(coordinator):
    codes = enrol(coordinator.user)
    client = sign_in(coordinator.user)
    response = client.post(VERIFY, {"code": codes[0], "next": "/t/cergy/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/t/cergy/"
    assert "Il vous en reste 9" in response.content.decode()
    assert "Il vous reste 9 codes de secours." in client.get(ACCOUNT).content.decode()

    assert not signs_in_with(coordinator.user, codes[0])
    assert len(stored_tokens()) == 9


def test_a_code_typed_in_capitals_with_spaces_or_without_its_dash_is_accepted(coordinator):
    codes = enrol(coordinator.user)
    assert signs_in_with(coordinator.user, codes[0].upper())
    assert signs_in_with(coordinator.user, f"  {codes[1].replace('-', ' - ')} ")
    assert signs_in_with(coordinator.user, codes[2].replace("-", ""))
    assert not signs_in_with(coordinator.user, codes[2])


def test_a_clear_code_from_before_the_migration_works_once(coordinator):
    TOTPDevice.objects.create(user=coordinator.user, name=otp.TOTP_NAME, confirmed=True)
    device = StaticDevice.objects.create(user=coordinator.user, name=otp.STATIC_NAME)
    # As codes were stored until now, and as django-otp's own command made them (in bulk: saved
    # one by one, they are now hashed on the way in).
    StaticToken.objects.bulk_create(
        [
            StaticToken(device=device, token="a1b2-c3d4"),
            StaticToken(device=device, token="k5tq2ldm"),
        ]
    )
    assert sorted(stored_tokens()) == ["a1b2-c3d4", "k5tq2ldm"]

    run_migration()
    assert not {"a1b2-c3d4", "k5tq2ldm"} & set(stored_tokens())
    # Run again (after going back, which keeps the digests): the digests stay as they are.
    run_migration()

    assert signs_in_with(coordinator.user, "A1B2-C3D4")
    assert signs_in_with(coordinator.user, "k5tq2ldm")
    assert stored_tokens() == []
    # A wrong code slows the next one down: the refusal comes last.
    assert not signs_in_with(coordinator.user, "a1b2-c3d4")


def test_a_code_added_by_django_otp_s_command_is_stored_hashed_and_works_once(coordinator):
    """`manage.py addstatictoken` (and django-otp's admin) save a code one by one: the table
    keeps its digest, the command still prints the code to hand on, and it opens one sign-in."""
    TOTPDevice.objects.create(user=coordinator.user, name=otp.TOTP_NAME, confirmed=True)
    out = io.StringIO()
    call_command("addstatictoken", coordinator.user.email, stdout=out)
    printed = out.getvalue().strip()
    call_command("addstatictoken", coordinator.user.email, token="a1b2-c3d4", stdout=io.StringIO())
    assert re.fullmatch(r"[a-z2-7]{8}", printed), printed
    stored = stored_tokens()
    assert len(stored) == 2 and printed not in stored and "a1b2-c3d4" not in stored
    assert all(otp.CODE_DIGEST.fullmatch(token) for token in stored)

    assert signs_in_with(coordinator.user, printed.upper())
    assert signs_in_with(coordinator.user, "A1B2 C3D4")
    assert stored_tokens() == []
    # Spent: a wrong code slows the next one down, so the refusal comes last.
    assert not signs_in_with(coordinator.user, printed)


def test_a_digest_saved_one_by_one_is_not_hashed_again(coordinator):
    static = StaticDevice.objects.create(user=coordinator.user, name=otp.STATIC_NAME)
    token = StaticToken.objects.create(device=static, token=otp.code_digests("9f8e-7d6c")[0])
    assert token.token == stored_tokens()[0] == otp.code_digests("9f8e-7d6c")[0]


def test_codes_made_before_a_secret_key_rotation_keep_working(settings, coordinator):
    codes = enrol(coordinator.user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-0123456789-abcdefghijklmnop"
    assert signs_in_with(coordinator.user, codes[0])
    assert not signs_in_with(coordinator.user, codes[0])
    # A wrong code counts once towards the wait, however many keys are tried.
    assert StaticDevice.objects.get(user=coordinator.user).throttling_failure_count == 1


@pytest.mark.django_db(transaction=True)
def test_one_recovery_code_sent_twice_at_once_opens_one_session(coordinator):
    """The second request, arriving while the first is spending the code, is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("des requêtes simultanées demandent PostgreSQL (SQLite les sérialise)")
    user = coordinator.user
    TOTPDevice.objects.create(user=user, name=otp.TOTP_NAME, confirmed=True)
    code = otp.make_recovery_codes(user)[0]
    second: list[bool] = []

    def send_again() -> None:
        from django.db import connection as own

        try:
            second.append(otp.verify(user, code) is not None)
        finally:
            own.close()

    with transaction.atomic():
        assert otp.verify(user, code) is not None
        thread = threading.Thread(target=send_again)
        thread.start()
        with connection.cursor() as cursor:
            for _ in range(400):
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted"
                    " AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.025)
            else:
                pytest.fail("la seconde requête n'a pas attendu la première")
    thread.join()
    assert second == [False]
    assert StaticToken.objects.count() == 9


def test_an_all_digit_recovery_code_is_not_a_wrong_application_code(coordinator):
    device = TOTPDevice.objects.create(user=coordinator.user, name=otp.TOTP_NAME, confirmed=True)
    static = StaticDevice.objects.create(user=coordinator.user, name=otp.STATIC_NAME)
    StaticToken.objects.create(device=static, token=otp.code_digests("1234-5678")[0])
    assert signs_in_with(coordinator.user, "1234 5678")
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_the_admin_shows_neither_codes_nor_their_digests(db):
    admin = User.objects.create_superuser("admin@trame.fr", PASSWORD)
    codes = enrol(admin)
    client = sign_in(admin)
    totp_device = TOTPDevice.objects.get(user=admin)
    client.post(VERIFY, {"code": codes[0]})
    static = StaticDevice.objects.get(user=admin)
    pages = [
        client.get(f"/admin/otp_static/staticdevice/{static.pk}/change/"),
        client.get("/admin/otp_static/staticdevice/"),
        client.get(f"/admin/otp_totp/totpdevice/{totp_device.pk}/change/"),
        client.get("/admin/otp_totp/totpdevice/"),
    ]
    assert [page.status_code for page in pages] == [200] * 4
    text = "".join(page.content.decode() for page in pages)
    assert stored_tokens()
    for secret in [*codes[1:], *stored_tokens(), totp_device.key]:
        assert secret not in text
