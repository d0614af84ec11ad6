"""Lockout after repeated failed sign-ins (django-axes), per account and per address.

Axes counts the failures of each account (the e-mail address, as typed, lower-cased) and of each
address; past AXES_FAILURE_LIMIT of either, sign-ins are refused for AXES_COOLOFF_TIME, the right
password too, and the sign-in page says until when, in French. An administrator lifts a lockout
in the admin ("Tentatives de connexion") or with `manage.py axes_reset_username ADRESSE`.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from cls_platform.audit import AuditEvent

from .audit import record_account_event


class LockoutBackend(AxesStandaloneBackend):
    """Axes' gate, first of AUTHENTICATION_BACKENDS. An authentication without a request (the
    test client's `login`, a management command) has no address to count and is not a sign-in
    from the outside: it is let through to the next backend instead of failing."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt is counted against: the e-mail address as the sign-in form's
    backend reads it (spaces and case do not make a new account to guess)."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None and hasattr(request, "POST"):
        typed = request.POST.get("username")
    typed = (typed or "").strip().lower()
    return typed or None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The sign-in page again, saying the account is locked and until when (each try during the
    lockout starts the wait again, so the wait runs from now)."""
    from cls_platform.views import LoginForm

    cool_off = get_cool_off(request)
    retry_at = timezone.localtime(timezone.now() + cool_off) if cool_off else None
    form = LoginForm(request, initial={"username": username_of(request, credentials) or ""})
    response = TemplateResponse(
        request,
        "registration/login.html",
        {"form": form, "locked_out": True, "retry_at": retry_at, "next": ""},
        status=429,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response.render()


def record_lockout(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    """A lockout in the audit trail, when it starts (the tries refused during it are failed
    sign-ins, which the trail records anyway)."""
    from cls_platform.models import User

    if request is None or getattr(request, "axes_failures_since_start", None) != (
        get_failure_limit(request, kwargs.get("credentials"))
    ):
        return
    user = User.objects.filter(email__iexact=username).first() if username else None
    record_account_event(AuditEvent.SIGN_IN_FAILED, user=user, request=request, lockout=True)
