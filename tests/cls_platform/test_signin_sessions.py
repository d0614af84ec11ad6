"""Sessions end after inactivity, and everywhere at once on request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from cls_platform.security.sessions import SEEN_KEY
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_out_everywhere_ends_the_sessions_of_other_devices(login_as, copilot, coordinator):
    phone = Client()
    assert phone.login(username=copilot.user.email, password=PASSWORD)
    colleague = Client()
    assert colleague.login(username=coordinator.user.email, password=PASSWORD)
    laptop = login_as(copilot)

    page = laptop.get("/compte/securite/").content.decode()
    assert "Se déconnecter de tous les appareils" in page
    response = laptop.post("/compte/securite/deconnexion-partout/", follow=True)
    assert response.redirect_chain[-1][0] == "/connexion/"
    assert "Vous êtes déconnecté de tous les appareils" in response.content.decode()

    assert phone.get("/t/cergy/").status_code == 302
    assert laptop.get("/t/cergy/").status_code == 302
    # Someone else's session is not touched.
    assert colleague.get("/t/cergy/").status_code == 200


def test_sign_out_everywhere_needs_a_post(login_as, copilot):
    client = login_as(copilot)
    assert client.get("/compte/securite/deconnexion-partout/").status_code == 405
    assert client.get("/t/cergy/").status_code == 200


def test_a_session_left_idle_past_its_limit_is_over(login_as, copilot, settings):
    client = login_as(copilot)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/t/cergy/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_a_session_in_use_is_pushed_back_by_the_idle_limit(login_as, copilot, settings):
    client = login_as(copilot)
    session = client.session
    session[SEEN_KEY] = 0  # last renewed long ago
    session.save()
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=2))
    assert client.get("/t/cergy/").status_code == 200
    left = Session.objects.get().expire_date - timezone.now()
    assert dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 30) < left
    assert left <= dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert settings.SESSION_COOKIE_AGE == settings.TRAME_SESSION_IDLE_MINUTES * 60


def test_pages_seen_within_a_minute_write_no_session(login_as, copilot):
    """The renewal is at most once a minute: a page does not pay a session write each time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login_as(copilot)
    client.get("/t/cergy/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/t/cergy/")
    assert not [
        q for q in ctx.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]
    ]
