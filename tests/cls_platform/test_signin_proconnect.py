"""Optional sign-in with ProConnect (OpenID Connect): off unless configured; maps to an existing
account by e-mail and never creates one; signing out of Trame signs out of ProConnect too. The
provider's HTTP answers are mocked (token, keys, user information), signed with a key made for
the test as ProConnect signs its own (RS256)."""

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
from cls_platform.security.oidc import ID_TOKEN_KEY

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
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{PROVIDER}/session/end"
    settings.OIDC_CREATE_USER = False
    settings.OIDC_AUTHENTICATION_CALLBACK_URL = "security:proconnect_callback"
    settings.PROCONNECT_ACR_VALUES = []
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


def provider(email: str, nonce_of: dict[str, str], issued: dict[str, str], **id_claims: Any):
    """The provider's endpoints: the token (an id_token with the nonce sent, and `id_claims`),
    its keys, and the user information (a signed JWT, as ProConnect answers it)."""
    now = int(time.time())
    base = {"iss": PROVIDER, "aud": "trame-test", "iat": now, "exp": now + 60, "sub": "agent-1"}

    def post(url: str, **kwargs: Any) -> Answer:
        assert url == f"{PROVIDER}/token"
        assert kwargs["data"]["code"] == "code-1"
        id_token = signed({**base, "acr": "eidas1", "nonce": nonce_of["nonce"], **id_claims})
        issued["id_token"] = id_token
        return Answer({"access_token": "at-1", "id_token": id_token, "token_type": "Bearer"})

    def get(url: str, **kwargs: Any) -> Answer:
        if url == f"{PROVIDER}/jwks":
            return Answer({"keys": [JWK]})
        assert url == f"{PROVIDER}/userinfo"
        assert kwargs["headers"]["Authorization"] == "Bearer at-1"
        claims = {**base, "email": email, "given_name": "Awa", "usual_name": "Diallo"}
        return Answer(signed(claims), content_type="application/jwt")

    return post, get


def go_through_proconnect(client: Client, email: str, issued: dict | None = None, **id_claims):
    start = client.get("/compte/securite/proconnect/?next=/t/cergy/")
    assert start.status_code == 302
    sent = parse_qs(urlparse(start["Location"]).query)
    assert start["Location"].startswith(f"{PROVIDER}/authorize?")
    # ProConnect's parameters, and no other (it refuses the request otherwise).
    allowed = {"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "claims"}
    assert set(sent) <= allowed
    assert sent["scope"] == ["openid email given_name usual_name"]
    assert len(sent["state"][0]) >= 32 and len(sent["nonce"][0]) >= 32
    issued = {} if issued is None else issued
    post, get = provider(email, {"nonce": sent["nonce"][0]}, issued, **id_claims)
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


def sign_out(client: Client):
    """ "Se déconnecter" (the form of every page's header)."""
    return client.post("/deconnexion/")


def test_signing_out_also_ends_the_proconnect_session_then_comes_back_signed_out(
    proconnect, copilot
):
    client = Client()
    issued: dict[str, str] = {}
    go_through_proconnect(client, copilot.user.email, issued)
    assert client.session[ID_TOKEN_KEY] == issued["id_token"]

    response = sign_out(client)

    assert response.status_code == 302
    end = urlparse(response["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{PROVIDER}/session/end"
    sent = parse_qs(end.query)
    assert sent["id_token_hint"] == [issued["id_token"]]
    back = "http://testserver/compte/securite/proconnect/deconnexion/"
    assert sent["post_logout_redirect_uri"] == [back]
    assert len(sent["state"][0]) >= 32
    # Signed out of Trame already, and the id_token went with the session.
    assert "_auth_user_id" not in client.session
    assert ID_TOKEN_KEY not in client.session

    # ProConnect ends its session and sends the browser back with the state.
    returned = client.get(urlparse(back).path, {"state": sent["state"][0]})
    assert returned["Location"] == "/connexion/"
    page = client.get("/connexion/").content.decode()
    assert "Vous êtes déconnecté de Trame et de ProConnect." in page
    assert client.get("/t/cergy/")["Location"].startswith("/connexion/")


def test_a_password_users_sign_out_stays_in_trame(proconnect, copilot):
    client = Client()
    client.force_login(copilot.user)
    response = sign_out(client)
    assert response["Location"] == "/connexion/"
    assert "_auth_user_id" not in client.session


def test_a_sign_out_return_that_this_browser_did_not_start_confirms_nothing(proconnect, copilot):
    client = Client()
    go_through_proconnect(client, copilot.user.email)
    sign_out(client)
    returned = client.get("/compte/securite/proconnect/deconnexion/", {"state": "x" * 32})
    assert returned["Location"] == "/connexion/"
    assert "déconnecté de Trame et de ProConnect" not in client.get("/connexion/").content.decode()


def test_an_unknown_address_leaves_no_id_token_in_the_session(proconnect, copilot):
    client = Client()
    go_through_proconnect(client, "inconnu@agent.gouv.fr")
    assert ID_TOKEN_KEY not in client.session
    assert sign_out(client)["Location"] == "/connexion/"


def test_an_id_token_issued_to_another_service_is_refused(proconnect, copilot):
    client = Client()
    response = go_through_proconnect(client, copilot.user.email, aud="another-service")
    assert response["Location"] == "/connexion/"
    assert "_auth_user_id" not in client.session


TWO_FACTORS = [
    "eidas2",
    "eidas3",
    "https://proconnect.gouv.fr/assurance/self-asserted-2fa",
    "https://proconnect.gouv.fr/assurance/consistency-checked-2fa",
]


def test_a_required_level_is_asked_as_an_essential_acr_claim(proconnect, settings, client):
    settings.PROCONNECT_ACR_VALUES = TWO_FACTORS
    start = client.get("/compte/securite/proconnect/")
    claims = json.loads(parse_qs(urlparse(start["Location"]).query)["claims"][0])
    assert claims == {"id_token": {"acr": {"essential": True, "values": TWO_FACTORS}}}


def test_a_required_level_that_proconnect_did_not_reach_is_refused_in_french(
    proconnect, settings, copilot
):
    settings.PROCONNECT_ACR_VALUES = TWO_FACTORS
    client = Client()
    response = go_through_proconnect(client, copilot.user.email, acr="eidas1")
    assert response["Location"] == "/connexion/"
    assert "_auth_user_id" not in client.session
    page = client.get("/connexion/").content.decode()
    assert "Trame demande une double authentification à ProConnect" in page


def test_a_required_level_that_proconnect_reached_signs_in(proconnect, settings, copilot):
    settings.PROCONNECT_ACR_VALUES = TWO_FACTORS
    client = Client()
    response = go_through_proconnect(client, copilot.user.email, acr="eidas2")
    assert response["Location"] == "/t/cergy/"
    assert client.session["_auth_user_id"] == str(copilot.user.pk)


def test_a_coordinator_stopped_at_the_second_factor_can_still_sign_out_of_proconnect(
    proconnect, settings, coordinator
):
    settings.DEBUG = False
    settings.TRAME_OTP_REQUIRED = True
    client = Client()
    go_through_proconnect(client, coordinator.user.email)
    assert client.get("/t/cergy/")["Location"].startswith("/compte/securite/double-auth")
    response = sign_out(client)
    assert response["Location"].startswith(f"{PROVIDER}/session/end?")
    assert "_auth_user_id" not in client.session
