"""Passwords as the CNIL asks (délibération 2022-100): Argon2, 12 characters of three kinds,
refusals in French; changing one's password ends the other sessions."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from cls_platform import settings as project_settings
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def refusals(password: str) -> list[str]:
    try:
        validate_password(password)
    except ValidationError as error:
        return error.messages
    return []


def test_passwords_are_hashed_with_argon2():
    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        assert make_password("Une phrase de passe 2026").startswith("argon2$")


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Court-1", "trop court. Il doit contenir au minimum 12 caractères"),
        ("toutenminusculeslongues", "au moins 3 types de caractères"),
        ("TOUTENMAJUSCULES2026", "au moins 3 types de caractères"),
    ],
)
def test_a_weak_password_is_refused_in_french(password, expected):
    assert any(expected in message for message in refusals(password)), refusals(password)


@pytest.mark.parametrize(
    "password", ["Trois types ici 2026", "ma-phrase-de-passe-42", "Correct-Cheval-Pile"]
)
def test_twelve_characters_of_three_kinds_are_enough(password):
    assert refusals(password) == []


def test_the_password_page_refuses_a_weak_one_in_french_and_keeps_the_old(login_as, copilot):
    client = login_as(copilot)
    response = client.post(
        "/compte/securite/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": "abc123", "new_password2": "abc123"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "trop court" in page
    assert "types de caractères" in page
    copilot.user.refresh_from_db()
    assert copilot.user.check_password(PASSWORD)


def test_a_new_password_ends_the_other_sessions_but_not_this_one(login_as, copilot):
    other = Client()
    assert other.login(username=copilot.user.email, password=PASSWORD)
    client = login_as(copilot)
    new = "Nouvelle phrase 2026 !"
    response = client.post(
        "/compte/securite/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Votre mot de passe est changé." in response.content.decode()
    assert client.get("/t/cergy/").status_code == 200
    assert other.get("/t/cergy/").status_code == 302
