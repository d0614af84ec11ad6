"""Lockout after repeated failed sign-ins, per account and per address (django-axes), with
production-like settings: the right password is refused too, the page says until when."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

from cls_platform.audit import AuditEntry, AuditEvent
from cls_platform.audit_views import journal_rows
from tests.factories import PASSWORD, AccessFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.DEBUG = False
    settings.TRAME_OTP_REQUIRED = True
    settings.AXES_FAILURE_LIMIT = 10


def sign_in(client: Client, email: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        "/connexion/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_thirty_failed_sign_ins_lock_the_account_out_with_the_right_password_too(copilot):
    email = copilot.user.email
    answers = [sign_in(Client(), email, f"mauvais-{n}").status_code for n in range(30)]
    # Nine are told the password is wrong; from the tenth the lockout answers.
    assert answers[:9] == [200] * 9
    assert answers[9:] == [429] * 21

    client = Client()
    response = sign_in(client, email, PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert "Connexion bloquée temporairement." in page
    assert re.search(r"Réessayez après \d\d:\d\d", page)
    assert "_auth_user_id" not in client.session
    assert int(response["Retry-After"]) == 30 * 60


def test_the_lockout_counts_the_account_whatever_case_or_spaces_it_is_typed_in(copilot):
    for n in range(10):
        sign_in(Client(), f"  COPILOTE@cergy.FR{' ' * n}", "mauvais", address=f"198.51.100.{n}")
    response = sign_in(Client(), copilot.user.email, PASSWORD, address="192.0.2.1")
    assert response.status_code == 429


def test_one_address_trying_many_accounts_is_locked_out_but_not_the_others(copilot):
    for n in range(10):
        sign_in(Client(), f"inconnu{n}@exemple.fr", "mauvais")
    assert sign_in(Client(), copilot.user.email, PASSWORD).status_code == 429
    # The same person from another address signs in: the account itself was not attacked.
    other = sign_in(Client(), copilot.user.email, PASSWORD, address="192.0.2.44")
    assert other.status_code == 302


def test_an_administrator_lifts_the_lockout(copilot):
    for _ in range(10):
        sign_in(Client(), copilot.user.email, "mauvais")
    assert sign_in(Client(), copilot.user.email, PASSWORD).status_code == 429
    call_command("axes_reset_username", copilot.user.email)
    call_command("axes_reset_ip", "203.0.113.7")
    assert sign_in(Client(), copilot.user.email, PASSWORD).status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(copilot):
    for _ in range(9):
        sign_in(Client(), copilot.user.email, "mauvais")
    assert sign_in(Client(), copilot.user.email, PASSWORD).status_code == 302
    for _ in range(9):
        sign_in(Client(), copilot.user.email, "mauvais")
    assert sign_in(Client(), copilot.user.email, PASSWORD).status_code == 302


def test_failed_sign_ins_and_the_lockout_reach_the_audit_trail_without_the_password(copilot):
    for n in range(12):
        sign_in(Client(), copilot.user.email, f"secret-tape-{n}")
    failed = AuditEntry.objects.filter(event=AuditEvent.SIGN_IN_FAILED, object_id=copilot.user.pk)
    lockouts = [e for e in failed if (e.additional_data or {}).get("lockout")]
    assert len(lockouts) == 1
    assert lockouts[0].territory_id == copilot.territory_id
    assert failed.count() == 12 + 1
    # The coordinator's journal says what happened in words.
    (row,) = journal_rows(lockouts)
    assert row.summary == "Compte bloqué après des échecs répétés."
    stored = " ".join(str(e.__dict__) for e in AuditEntry.objects.all())
    assert "secret-tape" not in stored


def test_the_lockout_leaves_no_password_in_the_attempts_table(copilot):
    from axes.models import AccessAttempt

    for _ in range(3):
        sign_in(Client(), copilot.user.email, "secret-tape")
    attempt = AccessAttempt.objects.get()
    assert "secret-tape" not in attempt.post_data
    assert attempt.failures_since_start == 3


def test_sign_ins_without_a_request_are_not_counted(copilot):
    """The test client's login (and management commands) have no address: not an attack."""
    AccessFactory(user__email="autre@cergy.fr", territory=copilot.territory)
    for _ in range(15):
        assert not Client().login(username=copilot.user.email, password="mauvais")
    assert Client().login(username=copilot.user.email, password=PASSWORD)
