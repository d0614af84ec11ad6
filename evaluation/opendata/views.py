"""Open data of signed contracts: the coordination's page that publishes and withdraws them,
and the public addresses (a page, a JSON document, CSV files, the schema)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView, View

from actions.models import READABLE_BY_VIEWERS, Contract
from actions.selectors import CONTRACT_ORDER
from cls_platform.access import TerritoryMixin, public_view, scoped
from cls_platform.models import Territory

from . import services
from .export import LICENCE, Links, last_update, open_data_document, published_contracts
from .tables import TABLES, table_csv

SCHEMA_PATH = settings.BASE_DIR / "docs" / "opendata" / "schema.json"
# Reusers' tools and the browsers of other sites read the data: short public caching.
CACHE_CONTROL = "public, max-age=300"


def public_links(request: HttpRequest, territory: Territory) -> dict[str, Any]:
    """Absolute addresses of a territory's open data, as the coordination hands them out."""

    def absolute(name: str, **kwargs: Any) -> str:
        return request.build_absolute_uri(reverse(f"opendata:{name}", kwargs=kwargs))

    slug = territory.slug
    return {
        "page": absolute("territory", territory=slug),
        "document": absolute("document", territory=slug),
        "schema": absolute("schema"),
        "tables": [
            (table, absolute("table", territory=slug, table=table.slug))
            for table in TABLES.values()
        ],
    }


# --- The coordination's page ---------------------------------------------------------------


class OpenDataManageView(TerritoryMixin, TemplateView):
    """Every contract of the territory with its publication, and the public addresses."""

    template_name = "evaluation/opendata/manage.html"
    coordinator_only = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contracts = list(scoped(Contract.objects.all(), self.access).order_by(*CONTRACT_ORDER))
        published = [
            c for c in contracts if c.open_data_published_at and c.status in READABLE_BY_VIEWERS
        ]
        return super().get_context_data(
            contracts=contracts,
            published=published,
            publishable_statuses=READABLE_BY_VIEWERS,
            links=public_links(self.request, self.territory),
            updated_at=last_update(self.territory) if published else None,
            **kwargs,
        )


class ContractPublicationView(TerritoryMixin, View):
    """Publish (or withdraw) one contract: a form's POST, for the coordination only.

    "Retirer" asks first: reusers' links stop answering and the publication date is lost, so a
    page names the contract and takes a second press (confirm=1); no script needed."""

    model = Contract  # the contract the URL names: the tenancy walk makes one
    coordinator_only = True
    http_method_names = ["post"]
    publish = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contract = get_object_or_404(scoped(Contract.objects.all(), self.access), pk=kwargs["pk"])
        title = {"title": contract.title}
        if not self.publish:
            if request.POST.get("confirm") != "1":
                return render(
                    request,
                    "evaluation/opendata/unpublish_confirm.html",
                    {"territory": self.territory, "access": self.access, "contract": contract},
                )
            services.contract_open_data_unpublish(contract=contract)
            messages.success(request, _("« %(title)s » est retiré des données ouvertes.") % title)
        else:
            try:
                changed = services.contract_open_data_publish(contract=contract)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                message = (
                    _("« %(title)s » est publié en données ouvertes.")
                    if changed
                    else _("« %(title)s » était déjà publié en données ouvertes.")
                )
                messages.success(request, message % title)
        return redirect("evaluation:opendata_manage", territory=self.territory.slug)


# --- Public addresses ----------------------------------------------------------------------


def data_response(
    content: str, *, content_type: str, updated_at: str | None = None, filename: str = ""
) -> HttpResponse:
    response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = CACHE_CONTROL
    if updated_at:
        response["Last-Modified"] = http_date(dt.datetime.fromisoformat(updated_at).timestamp())
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def document_of(request: HttpRequest, slug: str) -> tuple[Territory, dict[str, Any]]:
    """The territory and its document; a territory that publishes nothing answers 404, like
    an unknown one."""
    territory = get_object_or_404(Territory, slug=slug)
    links = public_links(request, territory)
    document = open_data_document(
        territory=territory, links=Links(page=links["page"], schema=links["schema"])
    )
    if document is None:
        raise Http404
    return territory, document


@public_view
@require_safe
def territory_page(request: HttpRequest, territory: str) -> HttpResponse:
    """The datasets of a territory, their links and their last update."""
    place = get_object_or_404(Territory, slug=territory)
    contracts = list(published_contracts(place))
    if not contracts:
        raise Http404
    response = render(
        request,
        "evaluation/opendata/territory.html",
        {
            "place": place,
            "contracts": contracts,
            "links": public_links(request, place),
            "updated_at": last_update(place),
            "licence": LICENCE,
        },
    )
    # The same for everyone (public_base.html shows no signed-in user): shared caches may keep it.
    response["Cache-Control"] = CACHE_CONTROL
    return response


@public_view
@require_safe
def document_json(request: HttpRequest, territory: str) -> HttpResponse:
    _place, document = document_of(request, territory)
    return data_response(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json",
        updated_at=document["dateMiseAJour"],
    )


@public_view
@require_safe
def table_file(request: HttpRequest, territory: str, table: str) -> HttpResponse:
    chosen = TABLES[table]  # the URL's converter accepts only these names
    place, document = document_of(request, territory)
    return data_response(
        table_csv(chosen, document),
        content_type="text/csv",
        updated_at=document["dateMiseAJour"],
        filename=f"{place.slug}-{chosen.filename}",
    )


@public_view
@require_safe
def schema(request: HttpRequest) -> HttpResponse:
    """The JSON Schema of the document, as kept in the repository (docs/opendata/)."""
    return data_response(SCHEMA_PATH.read_text(encoding="utf-8"), content_type="application/json")
