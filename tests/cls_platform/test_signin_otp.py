"""The second factor (TOTP and recovery codes, django-otp) with production-like settings:
required of coordinators and administrators, offered to everyone else."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cls_platform.audit import AuditEntry, AuditEvent
from cls_platform.audit_views import journal_rows
from cls_platform.models import User
from cls_platform.security import otp
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

VERIFY = "/compte/securite/double-authentification/verifier/"
ENROL = "/compte/securite/double-authentification/activer/"
CODES = "/compte/securite/double-authentification/codes-de-secours/"


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.DEBUG = False
    settings.TRAME_OTP_REQUIRED = True


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, t0=-offset * device.step):06d}"


def sign_in(access) -> Client:
    client = Client()
    response = client.post("/connexion/", {"username": access.user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name=otp.TOTP_NAME, confirmed=True)


def test_a_coordinator_without_the_second_factor_cannot_reach_a_territory_page(coordinator):
    enrolled(coordinator.user)
    client = sign_in(coordinator)
    response = client.get("/t/cergy/annuaire/contacts/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Ft%2Fcergy%2Fannuaire%2Fcontacts%2F"
    # Nor write anything: a POST is sent to the check too.
    assert client.post("/t/cergy/annuaire/contacts/nouveau/").status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Code de connexion" in page


def test_a_valid_code_opens_the_page_asked_for(coordinator):
    device = enrolled(coordinator.user)
    client = sign_in(coordinator)
    response = client.post(
        VERIFY, {"code": code_for(device), "next": "/t/cergy/annuaire/contacts/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/t/cergy/annuaire/contacts/"
    assert client.get("/t/cergy/annuaire/contacts/").status_code == 200


def test_a_wrong_code_is_refused_in_french_and_recorded(coordinator):
    device = enrolled(coordinator.user)
    client = sign_in(coordinator)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "Ce code n&#x27;est pas valable." in response.content.decode()
    assert client.get("/t/cergy/").status_code == 302
    entry = AuditEntry.objects.get(event=AuditEvent.SIGN_IN_FAILED)
    assert entry.additional_data == {"second_factor": "wrong_code"}
    assert entry.territory_id == coordinator.territory_id
    (row,) = journal_rows([entry])
    assert row.summary == "Code de double authentification erroné."


def test_a_coordinator_without_a_device_is_sent_to_enrolment_with_a_qr_code_and_the_secret(
    coordinator,
):
    client = sign_in(coordinator)
    response = client.get("/t/cergy/")
    assert response["Location"] == f"{ENROL}?next=%2Ft%2Fcergy%2F"
    page = client.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=coordinator.user, confirmed=False)
    assert "<svg" in page
    assert otp.secret_of(device) in page
    # Reloading the page shows the same secret: the application set up stays valid.
    assert otp.secret_of(device) in client.get(ENROL).content.decode()
    assert TOTPDevice.objects.filter(user=coordinator.user).count() == 1


def test_enrolment_shows_ten_recovery_codes_once_and_reaches_the_audit_trail(coordinator):
    client = sign_in(coordinator)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=coordinator.user)
    response = client.post(ENROL, {"code": code_for(device), "next": "/t/cergy/"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(CODES)
    shown = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4})</code>", page)
    assert len(set(shown)) == 10
    assert "ils ne seront plus jamais affichés" in page
    # Shown once: the page does not show them again.
    assert client.get(CODES)["Location"] == "/compte/securite/"
    assert client.get("/t/cergy/").status_code == 200
    entry = AuditEntry.objects.get(event=AuditEvent.UPDATE, object_id=coordinator.user.pk)
    assert entry.changes == {"double authentification": ["", "activée"]}
    assert entry.actor_id == coordinator.user.pk
    journal = client.get("/t/cergy/journal/?objet=compte").content.decode()
    assert "Double authentification" in journal
    assert "activée" in journal


def test_codes_typed_in_a_row_are_slowed_down(coordinator):
    """django-otp doubles the wait after each wrong code: six digits cannot be guessed."""
    device = enrolled(coordinator.user)
    client = sign_in(coordinator)
    client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert "Trop d&#x27;essais rapprochés : attendez 1 s" in response.content.decode()
    assert client.get("/t/cergy/").status_code == 302


def test_a_wrong_first_code_does_not_enable_the_factor(coordinator):
    client = sign_in(coordinator)
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"})
    assert "Ce code ne correspond pas." in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_a_recovery_code_works_once(coordinator):
    enrolled(coordinator.user)
    codes = otp.make_recovery_codes(coordinator.user)
    first = sign_in(coordinator)
    response = first.post(VERIFY, {"code": codes[0].upper(), "next": "/t/cergy/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/t/cergy/"
    assert "Il vous en reste 9" in response.content.decode()

    second = sign_in(coordinator)
    response = second.post(VERIFY, {"code": codes[0]})
    assert "Ce code n&#x27;est pas valable." in response.content.decode()
    assert second.get("/t/cergy/").status_code == 302
    assert StaticToken.objects.count() == 9


def test_a_code_is_not_accepted_twice(coordinator):
    device = enrolled(coordinator.user)
    code = code_for(device)
    assert sign_in(coordinator).post(VERIFY, {"code": code}).status_code == 302
    replay = sign_in(coordinator).post(VERIFY, {"code": code})
    assert replay.status_code == 200


def test_administrators_need_the_second_factor_too(db):
    admin = User.objects.create_superuser("admin@trame.fr", PASSWORD)
    client = Client()
    client.post("/connexion/", {"username": admin.email, "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


def test_a_copilot_signs_in_without_it_and_is_offered_it(copilot):
    client = sign_in(copilot)
    assert client.get("/t/cergy/").status_code == 200
    page = client.get("/compte/securite/").content.decode()
    assert "Activer la double authentification" in page


def test_once_a_copilot_turned_it_on_it_is_asked_at_each_sign_in(copilot):
    device = enrolled(copilot.user)
    client = sign_in(copilot)
    assert client.get("/t/cergy/")["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get("/t/cergy/").status_code == 200
    # And turned off again from the account's page.
    client.post("/compte/securite/double-authentification/desactiver/", {"confirm": "1"})
    assert not TOTPDevice.objects.filter(user=copilot.user).exists()
    assert sign_in(copilot).get("/t/cergy/").status_code == 200


def test_a_coordinator_cannot_turn_it_off(coordinator):
    device = enrolled(coordinator.user)
    client = sign_in(coordinator)
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post("/compte/securite/double-authentification/desactiver/", follow=True)
    assert "Votre rôle exige la double authentification" in response.content.decode()
    assert TOTPDevice.objects.filter(user=coordinator.user).exists()


def test_public_pages_stay_reachable_before_the_second_factor(coordinator):
    client = sign_in(coordinator)
    assert client.get("/accessibilite/").status_code == 200
    assert client.post("/deconnexion/").status_code == 302


def test_in_development_the_demo_accounts_sign_in_with_their_password_alone(settings, coordinator):
    settings.TRAME_OTP_REQUIRED = False
    client = sign_in(coordinator)
    assert client.get("/t/cergy/").status_code == 200


def test_new_recovery_codes_replace_the_old_ones(coordinator):
    device = enrolled(coordinator.user)
    old = otp.make_recovery_codes(coordinator.user)
    client = sign_in(coordinator)
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(
        "/compte/securite/double-authentification/nouveaux-codes/", {"confirm": "1"}, follow=True
    )
    new = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == {
        otp.code_digests(code)[0] for code in new
    }


def test_the_second_factor_costs_a_page_one_query(coordinator):
    """Whether a session needs it is decided at sign-in; a verified page reads the device once
    (django-otp checks it still exists: removing it ends the verified sessions)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    device = enrolled(coordinator.user)
    client = sign_in(coordinator)
    client.post(VERIFY, {"code": code_for(device)})
    client.get("/t/cergy/annuaire/contacts/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/t/cergy/annuaire/contacts/").status_code == 200
    assert len([q for q in ctx.captured_queries if "otp_" in q["sql"]]) == 1
    device.delete()
    assert client.get("/t/cergy/annuaire/contacts/").status_code == 302
