"""The partners' own pages, reached from the signed links of their e-mails (no account): their
details and what they receive, their departure, their unsubscription (see link_urls.py).

Mass e-mails carry a link that only asks for a fresh one (`self_service_request`): the page's
button sends, to the address on file, the short-lived link that opens the details and departure
forms (see tokens.py). A forwarded compte-rendu thus lets its reader change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cls_platform.access import public_view
from cls_platform.mail.messages import coordination_address

from . import services
from .forms import HandOverForm, SelfServiceDetailsForm, SelfServicePreferencesForm
from .models import Contact
from .tokens import (
    contact_from_expired_token,
    contact_from_mailing_token,
    contact_from_token,
    contact_from_unsubscribe_token,
    expires_at,
    link_minutes,
    mailing_token,
    opens_self_service,
)

# Sections other apps add to the partner's own page: `provider(request, contact, token)` gives
# a dict with the "template" to include (which reads it as `section`), or None. The directory
# imports none of those apps: workgroups registers its calendar feeds in its AppConfig.ready.
SelfServiceSection = Callable[[HttpRequest, Contact, str], "dict[str, Any] | None"]
_self_service_sections: list[SelfServiceSection] = []


def register_self_service_section(provider: SelfServiceSection) -> None:
    if provider not in _self_service_sections:
        _self_service_sections.append(provider)


def _contact_or_gone(request: HttpRequest, token: str) -> Contact | HttpResponse:
    contact = contact_from_token(token, submitting=request.method == "POST")
    if contact is None:
        return _expired_or_invalid(request, token)
    return contact


def masked_address(email: str) -> str:
    """The address on file as the request pages show it ("p***@asso.fr"): enough for its owner
    to recognise it, too little for whoever holds a forwarded e-mail to learn it."""
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def _fresh_link_context(request: HttpRequest, contact: Contact) -> dict[str, Any]:
    """What the pages that send a fresh link show, and, on their button's POST, the sending:
    through the outbox, to the address on file only, one per few minutes at most."""
    context: dict[str, Any] = {
        "territory_name": contact.territory.name,
        "masked_email": masked_address(contact.email),
        "link_minutes": link_minutes(),
        "every_minutes": int(services.NEW_LINK_EVERY.total_seconds() // 60),
        "coordination_email": coordination_address(contact.territory),
    }
    if request.method == "POST" and request.POST.get("action") == "new_link":
        try:
            sent = services.contact_request_new_link(contact=contact)
        except ValidationError:
            context["refused"] = True
        else:
            context["sent" if sent else "already_sent"] = True
    return context


def _expired_or_invalid(request: HttpRequest, token: str) -> HttpResponse:
    """A forged link gets the generic page; an expired one (its signature holds) names the
    coordination's address and offers a new link, sent to the address on record."""
    contact = contact_from_expired_token(token)
    if contact is None:
        return render(request, "partners/self_service_invalid.html", status=404)
    context = {"token": token, **_fresh_link_context(request, contact)}
    asked = any(key in context for key in ("sent", "already_sent", "refused"))
    return render(
        request, "partners/self_service_expired.html", context, status=200 if asked else 404
    )


@public_view
@require_http_methods(["GET", "HEAD", "POST"])
def self_service_request(request: HttpRequest, token: str) -> HttpResponse:
    """The page "Mettre à jour mes coordonnées", from the link of a mass e-mail: that link may
    have been forwarded, so it opens nothing; its button sends a fresh link to the address on
    file. Opening the page sends nothing (mail filters open every link of a message)."""
    contact = contact_from_mailing_token(token)
    if contact is None:
        return render(request, "partners/self_service_invalid.html", status=404)
    context = {"token": token, **_fresh_link_context(request, contact)}
    return render(request, "partners/self_service_request.html", context)


@public_view
def self_service(request: HttpRequest, token: str) -> HttpResponse:
    contact = _contact_or_gone(request, token)
    if isinstance(contact, HttpResponse):
        return contact
    memberships = list(contact.memberships.select_related("group").order_by("group__name"))
    details = SelfServiceDetailsForm(instance=contact, prefix="details")
    preferences = SelfServicePreferencesForm(
        memberships=memberships,
        prefix="prefs",
        initial={
            "invitations": contact.receives_invitations and not contact.unsubscribed_at,
            "reports": contact.receives_reports and not contact.unsubscribed_at,
        },
    )
    if request.method == "POST":
        if request.POST.get("action") == "details":
            details = SelfServiceDetailsForm(request.POST, instance=contact, prefix="details")
            if details.is_valid():
                services.contact_update(contact=contact, data=details.cleaned_data, confirmed=True)
                messages.success(request, _("Merci, vos coordonnées sont à jour."))
                return HttpResponseRedirect(request.path)
        elif request.POST.get("action") == "preferences":
            preferences = SelfServicePreferencesForm(
                request.POST, memberships=memberships, prefix="prefs"
            )
            if preferences.is_valid():
                services.contact_set_preferences(
                    contact=contact,
                    invitations=preferences.cleaned_data["invitations"],
                    reports=preferences.cleaned_data["reports"],
                    groups=preferences.per_group(),
                )
                messages.success(request, _("Vos choix d'envoi sont enregistrés."))
                return HttpResponseRedirect(request.path)
    sections = [
        section
        for provider in _self_service_sections
        if (section := provider(request, contact, token)) is not None
    ]
    return render(
        request,
        "partners/self_service.html",
        {
            "contact": contact,
            "details": details,
            "preferences": preferences,
            "token": token,
            "sections": sections,
            "coordination_email": coordination_address(contact.territory),
            "expires_at": expires_at(token),
        },
    )


@public_view
def self_service_left(request: HttpRequest, token: str) -> HttpResponse:
    contact = _contact_or_gone(request, token)
    if isinstance(contact, HttpResponse):
        return contact
    form = HandOverForm(request.POST or None, initial={"left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.hand_over_declare(contact=contact, data=form.cleaned_data)
        return render(request, "partners/self_service_left_done.html", {"contact": contact})
    return render(
        request,
        "partners/self_service_left.html",
        {"contact": contact, "form": form, "token": token},
    )


@public_view
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a form token
def self_service_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    # Unsubscribe links never expire (an old e-mail must still let one leave): they open this
    # page only; the way back to one's details needs a self-service link still valid.
    contact = contact_from_unsubscribe_token(token)
    if contact is None:
        return render(request, "partners/self_service_invalid.html", status=404)
    context = {
        "contact": contact,
        "token": token,
        "self_service_token": token if opens_self_service(token) else "",
        # Rather than leave, one may choose what one receives: through a fresh link, sent to the
        # address on file (this page's link may have been forwarded).
        "request_token": "" if contact.unsubscribed_at else mailing_token(contact),
    }
    if request.method == "POST":
        services.contact_unsubscribe(contact=contact)
        return render(request, "partners/self_service_unsubscribed.html", context)
    return render(request, "partners/self_service_unsubscribe.html", context)
