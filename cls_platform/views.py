"""Platform pages: sign-in, the territory chooser, the health probe."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import POLICY_PUBLIC, accesses_of, authenticated_view, public_view
from .health import health_report


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez les deux : le mot de passe "
            "est sensible à la casse."
        ),
    }


class LoginView(auth_views.LoginView):
    access_policy = POLICY_PUBLIC
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    access_policy = POLICY_PUBLIC


@authenticated_view
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the territory when there is one; a chooser when there are several."""
    accesses = list(accesses_of(request.user))
    if len(accesses) == 1:
        return redirect("evaluation:dashboard", territory=accesses[0].territory.slug)
    return render(request, "cls_platform/home.html", {"accesses": accesses})


@public_view
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    report, status = health_report()
    return JsonResponse(report, status=status)
