"""Optional sign-in with ProConnect, the identity federation of French public agents (OpenID
Connect, mozilla-django-oidc). Off unless PROCONNECT_CLIENT_ID is set (settings.py). An agent
lands on the Trame account that has the e-mail address ProConnect vouches for; no account is
ever created, and the second factor is still asked of coordinators and administrators.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from cls_platform.access import POLICY_PUBLIC
from cls_platform.auth import DemoAwareBackend


def enabled() -> bool:
    return bool(getattr(settings, "PROCONNECT_CLIENT_ID", ""))


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

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> Any:
        if getattr(settings, "OIDC_CREATE_USER", False):
            raise RuntimeError(
                "ProConnect ne crée jamais de compte : OIDC_CREATE_USER doit être faux."
            )
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


class ProConnectCallbackView(OIDCAuthenticationCallbackView):
    """Back from ProConnect: signed in when the address is a Trame account's, else told why."""

    access_policy = POLICY_PUBLIC

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def login_failure(self) -> HttpResponse:
        messages.error(
            self.request,
            _(
                "La connexion avec ProConnect n'a pas abouti, ou l'adresse e-mail de votre compte "
                "ProConnect n'est celle d'aucun compte Trame. Demandez à la coordination de votre "
                "territoire de créer votre compte avec cette adresse, ou connectez-vous avec votre "
                "mot de passe."
            ),
        )
        return HttpResponseRedirect(reverse("login"))
