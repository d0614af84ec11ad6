"""Optional sign-in with ProConnect (OpenID Connect): off unless configured; maps to an existing
account by e-mail and never creates one. The provider's HTTP answers are mocked (token, keys,
user information), signed with a key made for the test as ProConnect signs its own (RS256)."""

from __future__ import annotations

import json
import time
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from cls_platform.models import User

pytestmark = pytest.mark.django_db

PROVIDER = "https://proconnect.test/api/v2"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = {
    **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())),
    "kid": "k1",
    "alg": "RS256",
}


@pytest.fixture
def proconnect(settings):
    settings.PROCONNECT_CLIENT_ID = "trame-test"
    settings.OIDC_RP_CLIENT_ID = "trame-test"
    settings.OIDC_RP_CLIENT_SECRET = "secret-test"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email given_name usual_name"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROVIDER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{PROVIDER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{PROVIDER}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{PROVIDER}/jwks"
    settings.OIDC_CREATE_USER = False
    settings.OIDC_AUTHENTICATION_CALLBACK_URL = "security:proconnect_callback"
    settings.OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "cls_platform.security.oidc.ProConnectBackend",
    ]


def signed(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k1"})


class Answer:
    """What `requests` hands back: the provider's answer, without a network."""

    def __init__(self, body: Any, content_type: str = "application/json") -> None:
        self.status_code = 200
        self.url = ""
        self.headers = {"content-type": content_type}
        self.text = body if isinstance(body, str) else json.dumps(body)
        self._body = body

    def json(self) -> Any:
        return self._body if not isinstance(self._body, str) else json.loads(self._body)

    def raise_for_status(self) -> None:
        return None


def provider(email: str, nonce_of: dict[str, str]):
    """The provider's endpoints: the token (an id_token with the nonce sent), its keys, and the
    user information (a signed JWT, as ProConnect answers it)."""
    now = int(time.time())
    base = {"iss": PROVIDER, "aud": "trame-test", "iat": now, "exp": now + 60, "sub": "agent-1"}

    def post(url: str, **kwargs: Any) -> Answer:
        assert url == f"{PROVIDER}/token"
        assert kwargs["data"]["code"] == "code-1"
        id_token = signed({**base, "nonce": nonce_of["nonce"]})
        return Answer({"access_token": "at-1", "id_token": id_token, "token_type": "Bearer"})

    def get(url: str, **kwargs: Any) -> Answer:
        if url == f"{PROVIDER}/jwks":
            return Answer({"keys": [JWK]})
        assert url == f"{PROVIDER}/userinfo"
        assert kwargs["headers"]["Authorization"] == "Bearer at-1"
        claims = {**base, "email": email, "given_name": "Awa", "usual_name": "Diallo"}
        return Answer(signed(claims), content_type="application/jwt")

    return post, get


def go_through_proconnect(client: Client, email: str):
    start = client.get("/compte/securite/proconnect/?next=/t/cergy/")
    assert start.status_code == 302
    sent = parse_qs(urlparse(start["Location"]).query)
    assert start["Location"].startswith(f"{PROVIDER}/authorize?")
    assert sent["acr_values"] == ["eidas1"]
    post, get = provider(email, {"nonce": sent["nonce"][0]})
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", side_effect=post),
        mock.patch("mozilla_django_oidc.auth.requests.get", side_effect=get),
    ):
        return client.get(
            "/compte/securite/proconnect/retour/", {"code": "code-1", "state": sent["state"][0]}
        )


def test_without_configuration_there_is_no_button_and_no_route(client, db):
    assert "ProConnect" not in client.get("/connexion/").content.decode()
    assert client.get("/compte/securite/proconnect/").status_code == 404
    assert client.get("/compte/securite/proconnect/retour/?code=x&state=y").status_code == 404


def test_the_button_shows_when_configured(proconnect, client):
    assert "S'identifier avec ProConnect" in client.get("/connexion/").content.decode()


def test_proconnect_signs_in_the_account_with_the_same_email(proconnect, copilot):
    client = Client()
    response = go_through_proconnect(client, "Copilote@Cergy.fr")
    assert response.status_code == 302
    assert response["Location"] == "/t/cergy/"
    assert client.session["_auth_user_id"] == str(copilot.user.pk)
    assert client.get("/t/cergy/").status_code == 200


def test_an_unknown_address_creates_no_account_and_is_told_in_french(proconnect, copilot):
    client = Client()
    response = go_through_proconnect(client, "inconnu@agent.gouv.fr")
    assert response["Location"] == "/connexion/"
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="inconnu@agent.gouv.fr").exists()
    page = client.get("/connexion/").content.decode()
    assert "n&#x27;est celle d&#x27;aucun compte Trame" in page


def test_a_coordinator_signed_in_by_proconnect_still_needs_the_second_factor(
    proconnect, settings, coordinator
):
    settings.DEBUG = False
    settings.TRAME_OTP_REQUIRED = True
    client = Client()
    go_through_proconnect(client, coordinator.user.email)
    response = client.get("/t/cergy/")
    assert response["Location"].startswith("/compte/securite/double-authentification/activer/")
