"""The second factor enforced in one place, and sessions renewed while they are used."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from cls_platform.access import POLICY_PUBLIC

from . import otp, sessions


def _declared(view_func: Callable[..., Any], name: str) -> Any:
    """An attribute declared by a view function or, for a class-based view, by its class."""
    value = getattr(view_func, name, None)
    if value is None:
        value = getattr(getattr(view_func, "view_class", None), name, None)
    return value


class SecondFactorMiddleware:
    """A signed-in session that must pass the second factor (decided at sign-in, see
    `otp.mark_session`) and has not yet reaches only public pages (they show nothing private)
    and the pages that set up or check the factor (`second_factor_exempt`); any other page sends
    it to enrolment (no device yet) or to verification, then back to the page asked for.

    After OTPMiddleware (which gives `request.user.is_verified`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if _declared(view_func, "access_policy") == POLICY_PUBLIC:
            return None
        if _declared(view_func, "second_factor_exempt"):
            return None
        session = getattr(request, "session", None)
        if session is None or session.session_key is None or not session.get(otp.NEEDED_KEY):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        target = "security:verify" if session.get(otp.ENROLLED_KEY) else "security:enrol"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse(target) + (f"?{query}" if query else ""))


class IdleSessionMiddleware:
    """Pushes a signed-in session's end back while it is used (see `sessions`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        sessions.renew(request)
        return response
