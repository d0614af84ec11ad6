"""The account's security pages: the second factor (set up, checked at sign-in, recovery codes),
the password, and signing out of every device."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from cls_platform.access import POLICY_AUTHENTICATED, authenticated_view
from cls_platform.audit import AuditEvent

from . import otp
from .audit import record_account_event
from .forms import CodeForm
from .sessions import sign_out_everywhere

# The journal names a change by its key when the model has no such field: said in French.
SECOND_FACTOR_CHANGE = "double authentification"


def exempt(view: Any) -> Any:
    """A page a session reaches before its second factor is checked (SecondFactorMiddleware)."""
    view.second_factor_exempt = True
    return view


def too_soon(seconds: int) -> str:
    return _(
        "Trop d'essais rapprochés : attendez %(seconds)d s avant de saisir un nouveau code."
    ) % {"seconds": seconds}


def next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@exempt
@authenticated_view
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the application: a QR code and the secret in text, then a first code proves it."""
    user = request.user
    required = otp.is_required_for(user)
    if otp.has_second_factor(user) and not request.user.is_verified():
        return redirect(f"{reverse('security:verify')}?{request.GET.urlencode()}")
    device = otp.pending_device(user)
    form = CodeForm(
        request.POST or None,
        help_text=_("Les six chiffres affichés par l'application, sans espace."),
    )
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["code"].split())
        wait = otp.wait_seconds(device)
        if wait:
            form.add_error("code", too_soon(wait))
        elif code.isdigit() and device.verify_token(code):
            codes = otp.confirm_device(device=device)
            otp_login(request, device)
            request.session[otp.ENROLLED_KEY] = True
            request.session[otp.NEEDED_KEY] = True
            request.session[otp.FRESH_CODES_KEY] = codes
            record_account_event(
                AuditEvent.UPDATE,
                user=user,
                request=request,
                changes={SECOND_FACTOR_CHANGE: ["", str(_("activée"))]},
                second_factor="enrolled",
            )
            query = urlencode({"next": next_url(request)})
            return redirect(f"{reverse('security:recovery_codes')}?{query}")
        else:
            form.add_error(
                "code",
                _(
                    "Ce code ne correspond pas. Vérifiez l'heure du téléphone et saisissez le "
                    "code affiché à cet instant."
                ),
            )
    return render(
        request,
        "security/enrol.html",
        {
            "form": form,
            "qr_svg": otp.qr_svg(device),
            "secret": otp.secret_of(device),
            "required": required,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@exempt
@authenticated_view
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """At sign-in: the application's code, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(next_url(request))
    if not otp.has_second_factor(user):
        return redirect(f"{reverse('security:enrol')}?{request.GET.urlencode()}")
    form = CodeForm(
        request.POST or None,
        help_text=_(
            "Les six chiffres affichés par l'application, ou l'un de vos codes de secours."
        ),
    )
    if request.method == "POST" and form.is_valid():
        wait = otp.wait_seconds(*otp.devices_of(user))
        device = None if wait else otp.verify(user, form.cleaned_data["code"])
        if wait:
            form.add_error("code", too_soon(wait))
        elif device is not None:
            otp_login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = otp.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    _(
                        "Code de secours accepté : il ne servira plus. Il vous en reste %(n)d ; "
                        "générez-en de nouveaux depuis « Sécurité du compte »."
                    )
                    % {"n": left},
                )
            return redirect(next_url(request))
        else:
            record_account_event(
                AuditEvent.SIGN_IN_FAILED, user=user, request=request, second_factor="wrong_code"
            )
            form.add_error(
                "code",
                _(
                    "Ce code n'est pas valable. Saisissez le code affiché à cet instant par "
                    "l'application, ou un code de secours qui n'a pas encore servi."
                ),
            )
    return render(
        request,
        "security/verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@exempt
@authenticated_view
@never_cache
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown this once."""
    codes = request.session.pop(otp.FRESH_CODES_KEY, None)
    if not codes:
        return redirect("security:account")
    return render(
        request, "security/recovery_codes.html", {"codes": codes, "next": next_url(request)}
    )


@authenticated_view
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    """ "Sécurité du compte": the second factor, recovery codes left, password, other devices."""
    user = request.user
    enrolled = otp.has_second_factor(user)
    return render(
        request,
        "security/account.html",
        {
            "enrolled": enrolled,
            "required": otp.is_required_for(user),
            "codes_left": otp.remaining_recovery_codes(user) if enrolled else 0,
            "idle_minutes": settings.TRAME_SESSION_IDLE_MINUTES,
        },
    )


@authenticated_view
@require_POST
@never_cache
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes. The codes kept on paper stop working at once, so the button asks
    first: a page says so and takes a second press (confirm=1)."""
    if not otp.has_second_factor(request.user):
        return redirect("security:account")
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "security/recovery_codes_renew_confirm.html",
            {"codes_left": otp.remaining_recovery_codes(request.user)},
        )
    request.session[otp.FRESH_CODES_KEY] = otp.make_recovery_codes(request.user)
    return redirect("security:recovery_codes")


@authenticated_view
@require_POST
@never_cache
def remove(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off: only for an account that is not required to have one.

    The application's secret and the recovery codes are deleted (turning it on again means a new
    QR code), so the button asks first: a page says so and takes a second press (confirm=1)."""
    user = request.user
    if otp.is_required_for(user):
        messages.error(
            request, _("Votre rôle exige la double authentification : elle reste active.")
        )
        return redirect("security:account")
    if not otp.has_second_factor(user):
        return redirect("security:account")
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "security/second_factor_remove_confirm.html",
            {"codes_left": otp.remaining_recovery_codes(user)},
        )
    otp.remove_second_factor(user=user)
    request.session[otp.ENROLLED_KEY] = False
    request.session[otp.NEEDED_KEY] = False
    record_account_event(
        AuditEvent.UPDATE,
        user=user,
        request=request,
        changes={SECOND_FACTOR_CHANGE: [str(_("activée")), ""]},
        second_factor="removed",
    )
    messages.success(request, _("La double authentification est désactivée."))
    return redirect("security:account")


@authenticated_view
@require_POST
def sign_out_all(request: HttpRequest) -> HttpResponse:
    """ "Se déconnecter de tous les appareils": every session of the account ends, this one too."""
    user = request.user
    sign_out_everywhere(user=user)
    logout(request)
    messages.success(
        request,
        _(
            "Vous êtes déconnecté de tous les appareils : chacun vous demandera de vous reconnecter."
        ),
    )
    return redirect("login")


class PasswordChangeView(LoginRequiredMixin, auth_views.PasswordChangeView):
    """Django's own (the other sessions end, this one stays), in the account's pages."""

    access_policy = POLICY_AUTHENTICATED
    template_name = "security/password_change.html"
    success_url = reverse_lazy("security:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Votre mot de passe est changé."))
        return response
