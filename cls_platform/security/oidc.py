"""Optional sign-in with ProConnect, the identity federation of French public agents (OpenID
Connect, mozilla-django-oidc). Off unless PROCONNECT_CLIENT_ID is set (settings.py). An agent
lands on the Trame account that has the e-mail address ProConnect vouches for; no account is
ever created, and the second factor is still asked of coordinators and administrators.

What ProConnect's integration rules ask of a service (partenaires.proconnect.gouv.fr,
"Implémentation technique"), and where it is done:
- `state` and `nonce` of 32 characters, checked on return (mozilla-django-oidc's defaults:
  OIDC_STATE_SIZE, OIDC_NONCE_SIZE, OIDC_USE_NONCE); no PKCE, which ProConnect's list of
  authorization parameters does not name (it rejects any other parameter).
- the id_token kept in the session for the sign-out, and only once the account is found
  (`store_tokens`, `ProConnectCallbackView.login_success`); it goes when the session ends.
- on "Se déconnecter", the browser goes to the end_session_endpoint with id_token_hint,
  state and post_logout_redirect_uri (`end_session`), and the state is checked on its way back
  (`ProConnectLogoutReturnView`).
- acr: Trame asks its own second factor of the accounts that need one, whatever the
  sign-in, so it requires no level of ProConnect by default (not every identity provider offers
  a second factor). PROCONNECT_ACR_VALUES asks for one (the `claims` parameter, `essential`),
  and the acr of the id_token is then checked, as ProConnect requires.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from cls_platform.access import POLICY_PUBLIC
from cls_platform.auth import DemoAwareBackend

logger = logging.getLogger("trame.proconnect")

# The id_token of a session opened through ProConnect: the id_token_hint of its sign-out.
ID_TOKEN_KEY = "proconnect_id_token"
# The state sent with the sign-out, kept in the (anonymous) session that follows it.
LOGOUT_STATE_KEY = "proconnect_logout_state"


def enabled() -> bool:
    return bool(getattr(settings, "PROCONNECT_CLIENT_ID", ""))


def required_acr() -> list[str]:
    """The acr values the service requires (PROCONNECT_ACR_VALUES), none by default."""
    return list(getattr(settings, "PROCONNECT_ACR_VALUES", []) or [])


class ProConnectBackend(OIDCAuthenticationBackend):
    """Maps ProConnect's `email` claim to an existing, active account (case ignored)."""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("email"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        email = (claims.get("email") or "").strip()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        # The demo accounts are refused outside development, whatever signs them in.
        return user if DemoAwareBackend().user_can_authenticate(user) else None

    def store_tokens(self, access_token: str, id_token: str) -> None:
        # Not in the session yet: an address that matches no account must leave nothing there.
        # The callback puts it in the signed-in session (login_success); the access token is
        # never kept.
        self.request.proconnect_id_token = id_token  # type: ignore[attr-defined]

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> Any:
        if getattr(settings, "OIDC_CREATE_USER", False):
            raise RuntimeError(
                "ProConnect ne crée jamais de compte : OIDC_CREATE_USER doit être faux."
            )
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ProConnect id_token issued to another client.")
        wanted = required_acr()
        if wanted and payload.get("acr") not in wanted:
            self.request.proconnect_refusal = "acr"  # type: ignore[attr-defined]
            raise SuspiciousOperation(f"ProConnect acr {payload.get('acr')!r} not in {wanted}.")
        return super().get_or_create_user(access_token, id_token, payload)


class ProConnectStartView(OIDCAuthenticationRequestView):
    """The "S'identifier avec ProConnect" button: off to ProConnect (404 when not configured)."""

    access_policy = POLICY_PUBLIC

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if enabled():
            super().__init__(*args, **kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        params = dict(super().get_extra_params(request))
        if wanted := required_acr():
            acr = {"essential": True, "values": wanted}
            params["claims"] = json.dumps({"id_token": {"acr": acr}}, separators=(",", ":"))
        return params


class ProConnectCallbackView(OIDCAuthenticationCallbackView):
    """Back from ProConnect: signed in when the address is a Trame account's, else told why."""

    access_policy = POLICY_PUBLIC

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        # After auth.login, which may have emptied the session of a previous account.
        if id_token := getattr(self.request, "proconnect_id_token", None):
            self.request.session[ID_TOKEN_KEY] = id_token
        return response

    def login_failure(self) -> HttpResponse:
        if getattr(self.request, "proconnect_refusal", "") == "acr":
            message = _(
                "Trame demande une double authentification à ProConnect, et votre connexion "
                "ProConnect n'en avait pas. Activez une application d'authentification sur votre "
                "compte ProConnect et connectez-vous à nouveau, ou connectez-vous avec votre mot "
                "de passe."
            )
        else:
            message = _(
                "La connexion avec ProConnect n'a pas abouti, ou l'adresse e-mail de votre compte "
                "ProConnect n'est celle d'aucun compte Trame. Demandez à la coordination de votre "
                "territoire de créer votre compte avec cette adresse, ou connectez-vous avec votre "
                "mot de passe."
            )
        messages.error(self.request, message)
        return HttpResponseRedirect(reverse("login"))


def id_token_of(request: HttpRequest) -> str | None:
    """The id_token of a session opened through ProConnect (to read before it ends)."""
    return request.session.get(ID_TOKEN_KEY) if enabled() else None


def end_session(request: HttpRequest, id_token: str) -> HttpResponseRedirect:
    """Once signed out of Trame: the browser goes to ProConnect's end_session_endpoint so that
    ProConnect's session (and the identity provider's) ends too, then comes back to
    ProConnectLogoutReturnView. The state waits in the new, anonymous session."""
    state = get_random_string(32)
    request.session[LOGOUT_STATE_KEY] = state
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": state,
            "post_logout_redirect_uri": absolutify(request, reverse("security:proconnect_logout")),
        }
    )
    return HttpResponseRedirect(f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}")


class ProConnectLogoutReturnView(View):
    """post_logout_redirect_uri: back from ProConnect's sign-out, to the sign-in page."""

    access_policy = POLICY_PUBLIC
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        expected = request.session.pop(LOGOUT_STATE_KEY, "")
        if expected and constant_time_compare(expected, request.GET.get("state", "")):
            messages.success(request, _("Vous êtes déconnecté de Trame et de ProConnect."))
        else:
            # Not the sign-out this browser started: nothing to confirm, nobody signed in.
            logger.warning("ProConnect sign-out return with an unexpected state")
        return redirect(settings.LOGOUT_REDIRECT_URL)
