"""Signing in with an e-mail address; demo accounts only in development."""

from __future__ import annotations

import pytest
from django.test import Client

from cls_platform.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_in_any_case_lands_on_dashboard(coordinator):
    response = Client().post(
        "/connexion/",
        {"username": "  Coordinatrice@Cergy.FR ", "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/t/cergy/"
    assert "Coordination" in response.content.decode()


def test_wrong_password_is_refused_in_french(coordinator):
    response = Client().post(
        "/connexion/", {"username": coordinator.user.email, "password": "mauvais"}
    )
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in response.content.decode()
    assert "_auth_user_id" not in Client().session


def test_user_without_any_territory_is_told_so(db):
    user = User.objects.create_user("orphelin@exemple.fr", PASSWORD)
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert "aucun territoire" in response.content.decode()


def test_sign_out_needs_a_post_and_ends_the_session(login_as, coordinator):
    client = login_as(coordinator)
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert client.get("/t/cergy/").status_code == 302


@pytest.mark.parametrize("debug", [True, False])
def test_demo_accounts_work_only_in_development(settings, debug):
    settings.DEBUG = debug
    User.objects.create_user("demo@exemple.demo", settings.DEMO_PASSWORD, is_demo=True)
    User.objects.create_user("reel@exemple.fr", settings.DEMO_PASSWORD)
    assert Client().login(username="demo@exemple.demo", password=settings.DEMO_PASSWORD) is debug
    # The demo password itself is refused in production, even on a real account.
    assert Client().login(username="reel@exemple.fr", password=settings.DEMO_PASSWORD) is debug


def test_a_form_sent_without_its_security_token_is_refused_in_french(coordinator):
    """Cookies blocked, or a page left open for days: the refusal says so, in French."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/connexion/", {"username": coordinator.user.email, "password": PASSWORD}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Envoi refusé" in page
    assert "Rien n'a été enregistré." in page
    assert '<html lang="fr"' in page
