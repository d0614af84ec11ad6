"""Platform pages: sign-in, the territory chooser, the health probe."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import POLICY_PUBLIC, accesses_of, authenticated_view, public_view
from .departments import codes_matching, department_label
from .health import health_report
from .models import Role
from .security import oidc
from .security.oidc import enabled as oidc_enabled

HOME_PAGE_SIZE = 50
MARK_SLUG = "territoire-repere"


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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["proconnect"] = oidc_enabled()
        return context


class LogoutView(auth_views.LogoutView):
    access_policy = POLICY_PUBLIC

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Signed in through ProConnect: ProConnect's session ends too (security/oidc.py).
        id_token = oidc.id_token_of(request)
        response = super().post(request, *args, **kwargs)
        return oidc.end_session(request, id_token) if id_token else response


def territories_matching(text: str) -> Q:
    """Accesses whose territory's name or INSEE code holds `text`, or whose department is the
    one named or numbered: "cergy", "95127", "95", "val-d'oise", "marne"."""
    text = text.strip()
    match = Q(territory__name__icontains=text) | Q(territory__insee_code__startswith=text.upper())
    if slug := slugify(text):  # "evry" finds "Évry-Courcouronnes" whatever the database
        match |= Q(territory__slug__icontains=slug)
    if codes := codes_matching(text):
        match |= Q(territory__department_code__in=codes)
    return match


@authenticated_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the territory when there is one; when there are several, a chooser that
    searches (`?q=`) and pages through them, the same few queries for 2 or 1,000 accesses."""
    accesses = accesses_of(request.user)
    # One territory or several: two slugs read unsorted (sorting a delegation's thousand
    # territories by name to keep two was 0.7 of the query's 0.8 ms).
    first = list(accesses.order_by().values_list("territory__slug", flat=True)[:2])
    if len(first) == 1:
        return redirect("evaluation:dashboard", territory=first[0])
    # The navigation's "several territories" is known already: no query of its own.
    request._several_territories = len(first) > 1  # type: ignore[attr-defined]
    page, context = territory_page(request, accesses.values_list(*CARD_FIELDS), HOME_PAGE_SIZE)
    cards = list(page.object_list)
    context.update(accesses=cards, cards=territory_cards(cards), several=len(first) > 1)
    return render(request, "cls_platform/home.html", context)


# What a card shows of an access, read as plain values (fifty accesses and their territories
# as model instances were a tenth of the page).
CARD_FIELDS = (
    "role",
    "territory__slug",
    "territory__name",
    "territory__department_code",
    "territory__insee_code",
)


def territory_cards(accesses: list[tuple]) -> SafeString:
    """The chooser's cards (`CARD_FIELDS` of each access), as the template's loop wrote them
    (fifty a page: their links, departments and roles through the template language were most
    of the page's time). Names and codes escaped; the rest are the site's own labels, escaped as
    well."""
    if not accesses:
        return mark_safe("")
    head, tail = reverse("evaluation:dashboard", kwargs={"territory": MARK_SLUG}).split(MARK_SLUG)
    roles = {value: escape(str(label)) for value, label in Role.choices}
    insee = gettext("INSEE %(code)s")
    cards = []
    for role, slug, name, department, code in accesses:
        where = ""
        if department or code:
            label = escape(department_label(department)) if department else ""
            dot = " · " if department and code else ""
            number = escape(insee % {"code": code}) if code else ""
            where = f'<p class="muted">{label}{dot}{number}</p>'
        cards.append(
            '\n  \n  <li class="card">\n'
            f'    <h2 class="card__title"><a href="{escape(head)}{escape(slug)}'
            f'{escape(tail)}">{escape(name)}</a></h2>\n'
            f"    {where}\n"
            f"    <p>{roles.get(role, '')}</p>\n"
            "  </li>\n  \n  "
        )
    # Safe: every value escaped.
    return mark_safe("".join(cards))


def territory_page(request: HttpRequest, accesses, size: int) -> tuple[Page, dict]:
    """One page of `accesses` narrowed by `?q=` (territories_matching), and what
    includes/territory_search.html and includes/pagination.html read: the home chooser and the
    site map."""
    # PostgreSQL refuses a NUL in a query: typed or forged, it is dropped, not a 500.
    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    found = accesses.filter(territories_matching(text)) if text else accesses
    page = Paginator(found, size).get_page(request.GET.get("page"))
    return page, {
        "q": text,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "query": urlencode({"q": text}) if text else "",
    }


@public_view
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    report, status = health_report()
    return JsonResponse(report, status=status)
