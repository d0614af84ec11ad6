""" "Désactiver la double authentification" and "Générer de nouveaux codes de secours" ask
first: both make something the person holds stop working (the phone's application, the codes kept
on paper), so a page (no script needed) says what is lost and only its second button acts; the
way back changes nothing. A coordinator, who must keep the second factor, gets no question."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cls_platform.security import otp
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNT = "/compte/securite/"
VERIFY = "/compte/securite/double-authentification/verifier/"
REMOVE = "/compte/securite/double-authentification/desactiver/"
RENEW = "/compte/securite/double-authentification/nouveaux-codes/"


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.DEBUG = False
    settings.TRAME_OTP_REQUIRED = True


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def h1_of(html: str) -> str:
    return text_of(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1])


def signed_in_with_second_factor(access) -> tuple[Client, list[str]]:
    """Signed in, the application's code given, ten recovery codes on paper."""
    device = TOTPDevice.objects.create(user=access.user, name=otp.TOTP_NAME, confirmed=True)
    codes = otp.make_recovery_codes(access.user)
    client = Client()
    client.post("/connexion/", {"username": access.user.email, "password": PASSWORD})
    client.post(VERIFY, {"code": f"{totp(device.bin_key):06d}"})
    assert client.get("/t/cergy/").status_code == 200
    return client, codes


def stored_codes(user) -> set[str]:
    return set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


# --- turning the second factor off ------------------------------------------------------------


def test_turning_it_off_asks_first_and_removes_nothing(copilot):
    client, _codes = signed_in_with_second_factor(copilot)
    assert f'action="{REMOVE}"' in client.get(ACCOUNT).content.decode()

    response = client.post(REMOVE)

    assert response.status_code == 200
    html = response.content.decode()
    assert h1_of(html) == "Désactiver la double authentification ?"
    text = text_of(html)
    assert "Votre mot de passe suffira de nouveau pour vous connecter" in text
    assert "vos 10 codes de secours restants ne fonctionneront plus" in text
    assert "il faudra scanner un nouveau QR code" in text
    assert (
        '<button type="submit" name="confirm" value="1" class="button">'
        "Désactiver la double authentification</button>"
    ) in html
    assert f'<form method="post" action="{REMOVE}"' in html
    assert f'<a href="{ACCOUNT}">Revenir à la sécurité du compte sans rien désactiver</a>' in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert TOTPDevice.objects.filter(user=copilot.user).exists()
    assert len(stored_codes(copilot.user)) == 10
    # The way back: the account's page, still on.
    assert "Générer de nouveaux codes de secours" in client.get(ACCOUNT).content.decode()


def test_the_second_press_turns_it_off_and_says_so(copilot):
    client, _codes = signed_in_with_second_factor(copilot)
    response = client.post(REMOVE, {"confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == ACCOUNT
    assert "La double authentification est désactivée." in text_of(response.content.decode())
    assert not TOTPDevice.objects.filter(user=copilot.user).exists()
    assert not stored_codes(copilot.user)


def test_a_coordinator_gets_no_question_and_keeps_it(coordinator):
    client, _codes = signed_in_with_second_factor(coordinator)
    assert f'action="{REMOVE}"' not in client.get(ACCOUNT).content.decode()
    for data in ({}, {"confirm": "1"}):
        response = client.post(REMOVE, data, follow=True)
        text = text_of(response.content.decode())
        assert "Votre rôle exige la double authentification : elle reste active." in text
        assert "Désactiver la double authentification ?" not in text
    assert TOTPDevice.objects.filter(user=coordinator.user).exists()
    assert len(stored_codes(coordinator.user)) == 10


def test_without_a_second_factor_there_is_nothing_to_ask(copilot):
    client = Client()
    client.post("/connexion/", {"username": copilot.user.email, "password": PASSWORD})
    for url in (REMOVE, RENEW):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"] == ACCOUNT


def test_signed_out_no_question(copilot):
    for url in (REMOVE, RENEW):
        response = Client().post(url)
        assert response.status_code == 302 and response["Location"].startswith("/connexion/")


# --- new recovery codes ------------------------------------------------------------------------


def test_new_codes_ask_first_and_the_old_ones_keep_working(coordinator):
    client, old = signed_in_with_second_factor(coordinator)
    before = stored_codes(coordinator.user)

    response = client.post(RENEW)

    assert response.status_code == 200
    html = response.content.decode()
    assert h1_of(html) == "Générer de nouveaux codes de secours ?"
    text = text_of(html)
    assert (
        "Vos 10 codes de secours actuels ne fonctionneront plus dès que les nouveaux seront "
        "générés, même s'ils sont notés ou imprimés."
    ) in text
    assert "s'afficheront une seule fois" in text
    assert (
        '<button type="submit" name="confirm" value="1" class="button">'
        "Générer de nouveaux codes de secours</button>"
    ) in html
    assert f'<a href="{ACCOUNT}">Revenir à la sécurité du compte en gardant mes codes</a>' in html
    assert stored_codes(coordinator.user) == before
    assert not re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4})</code>", html)
    # An old code still opens a session.
    assert otp.verify(coordinator.user, old[0]) is not None


def test_the_second_press_shows_new_codes_once(coordinator):
    client, old = signed_in_with_second_factor(coordinator)
    response = client.post(RENEW, {"confirm": "1"}, follow=True)
    new = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert otp.verify(coordinator.user, old[1]) is None


def test_with_one_code_left_the_question_says_so(copilot):
    client, _codes = signed_in_with_second_factor(copilot)
    keep = StaticToken.objects.filter(device__user=copilot.user).first()
    StaticToken.objects.filter(device__user=copilot.user).exclude(pk=keep.pk).delete()
    assert "Votre code de secours actuel ne fonctionnera plus" in text_of(
        client.post(RENEW).content.decode()
    )
    assert "votre code de secours restant ne fonctionnera plus" in text_of(
        client.post(REMOVE).content.decode()
    )


@pytest.mark.parametrize("url", [REMOVE, RENEW])
def test_each_question_costs_a_handful_of_queries(copilot, url):
    client, _codes = signed_in_with_second_factor(copilot)
    client.post(url)  # warms the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(url).status_code == 200
    assert len(ctx) == QUESTION_QUERIES[url], [q["sql"] for q in ctx]


# Session, user, the verified device; (off only) is it required?; a second factor?; the codes
# left; the territories of the page's header.
QUESTION_QUERIES = {REMOVE: 7, RENEW: 6}
