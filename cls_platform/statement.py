"""The accessibility statement (/accessibilite/) and a territory's register of processing.

Both are generated: the statement from the RGAA grid (cls_platform/rgaa.py), the register from
the territory, the models and the settings (cls_platform/register.py, retention.py).
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView, View

from . import rgaa
from .access import TerritoryMixin, public_view
from .register import processing_register

# The RGAA's model: the three ways to reach the Défenseur des droits.
DEFENDER_FORM_URL = "https://formulaire.defenseurdesdroits.fr/"
DEFENDER_DELEGATES_URL = "https://www.defenseurdesdroits.fr/saisir/delegues"
DEFENDER_POSTAL_ADDRESS = ("Défenseur des droits", "Libre réponse 71120", "75342 Paris CEDEX 07")


def accessibility_contact_email() -> str:
    """Whom a person who cannot reach a content writes to: the instance's, not a territory's."""
    configured = getattr(settings, "ACCESSIBILITY_CONTACT_EMAIL", "") or ""
    return parseaddr(configured or settings.DEFAULT_FROM_EMAIL)[1]


def accessibility(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the footer's « Accessibilité : … » words, computed from the grid."""
    return {"accessibility_status": _status_on(timezone.localdate())}


@lru_cache(maxsize=2)
def _status_on(day: dt.date) -> str:
    # Every rendered template asks; the answer changes only with the day (an audit's validity)
    # and the grid, which is code.
    return rgaa.results(today=day).status


@public_view
@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cls_platform/accessibility.html",
        {
            "results": rgaa.results(),
            "rgaa_version": rgaa.RGAA_VERSION,
            "themes": rgaa.theme_results(),
            "non_conformities": rgaa.non_conformities(),
            "grid": rgaa.GRID,
            "sample_pages": rgaa.SAMPLE_PAGES,
            "technologies": rgaa.TECHNOLOGIES,
            "test_environment": rgaa.TEST_ENVIRONMENT,
            "tools": rgaa.TOOLS,
            "exemptions": rgaa.DISPROPORTIONATE_BURDEN,
            "exempt_contents": rgaa.EXEMPT_CONTENTS,
            "entity": getattr(settings, "ACCESSIBILITY_ENTITY_NAME", "") or "",
            "scheme_url": getattr(settings, "ACCESSIBILITY_SCHEME_URL", "") or "",
            "contact_email": accessibility_contact_email(),
            "site_url": settings.SITE_URL,
            "defender_form_url": DEFENDER_FORM_URL,
            "defender_delegates_url": DEFENDER_DELEGATES_URL,
            "defender_address": DEFENDER_POSTAL_ADDRESS,
        },
    )


@method_decorator(never_cache, name="dispatch")
class ProcessingRegisterView(TerritoryMixin, TemplateView):
    """The territory's register of processing (art. 30 GDPR): its coordination only."""

    template_name = "cls_platform/register.html"
    coordinator_only = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["register"] = processing_register(territory=self.territory)
        return context


class ProcessingRegisterPdfView(TerritoryMixin, View):
    """The same register as a tagged A4 PDF, to print or to hand to the data protection
    officer."""

    coordinator_only = True
    http_method_names = ["get", "head", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from .pdf.rendering import render_pdf

        register = processing_register(territory=self.territory)
        title = f"Registre des traitements · {self.territory.name}"
        content = render_pdf(
            template="cls_platform/register_pdf.html",
            context={"register": register, "territory": self.territory},
            title=title,
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="registre-des-traitements-{self.territory.slug}.pdf"'
        )
        response["Cache-Control"] = "private, no-store"
        return response
