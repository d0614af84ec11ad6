"""Pages of the public directory of the health offer.

For the coordination, under /t/<territory>/offre-de-sante/: the list of structures to choose
the public ones from, the directory's introduction and going online, a structure's public entry.
For anyone, under /offre-de-sante/<territory>/ (the two functions at the end): the published
structures, searchable without JavaScript, and one page per structure. No person appears on
either public page: a structure's public contact is its own, checked against the people of the
directory."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from cls_platform.access import TerritoryMixin, public_view
from cls_platform.forms import add_service_errors
from cls_platform.models import Access
from partners.models import Organization

from ..surveys.editing import ServiceFormView
from . import selectors, services
from .filters import ManageFilter, PublicListingFilter
from .forms import PUBLISH, DirectoryForm, ListingForm, SelectionForm

MANAGE_PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 20
# The largest id the databases store: a longer one in an address is a missing page, not a 500.
MAX_ID = 2**63 - 1


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- the coordination's pages --------------------------------------------------------------


class PublicDirectoryMixin(TerritoryMixin):
    """Publishing speaks for the territory: the coordination only (403 to co-pilots and
    signatories, whatever the method)."""

    coordinator_only = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        address = reverse("public_directory:directory", kwargs={"territory": self.territory.slug})
        return super().get_context_data(
            public_url=self.request.build_absolute_uri(address), **kwargs
        )


class ManageView(PublicDirectoryMixin, TemplateView):
    """The structures of the directory, with their public state; tick some, publish or
    withdraw them."""

    template_name = "evaluation/public_directory/manage.html"

    def organizations(self):
        return selectors.manageable_organizations(access=self.access)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SelectionForm(
            request.POST, organizations=self.organizations().prefetch_related(None)
        )
        if form.is_valid():
            try:
                return self.apply(form)
            except ValidationError as exc:
                add_service_errors(form, exc)
        return self.render_to_response(self.get_context_data(selection=form))

    def apply(self, form: SelectionForm) -> HttpResponse:
        chosen = form.cleaned_data["organizations"]
        if form.cleaned_data["action"] == PUBLISH:
            count = services.listings_publish(
                territory=self.territory,
                organizations=chosen,
                agreed_on=form.cleaned_data["agreed_on"],
            )
            text = ngettext(
                "%(count)d structure ajoutée à l'annuaire public.",
                "%(count)d structures ajoutées à l'annuaire public.",
                count,
            )
        else:
            count = services.listings_withdraw(territory=self.territory, organizations=chosen)
            text = ngettext(
                "%(count)d structure retirée de l'annuaire public.",
                "%(count)d structures retirées de l'annuaire public.",
                count,
            )
        messages.success(self.request, text % {"count": count})
        return redirect(self.request.get_full_path())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        filterset = ManageFilter(self.request.GET or None, queryset=self.organizations())
        page = Paginator(filterset.qs, MANAGE_PAGE_SIZE).get_page(self.request.GET.get("page"))
        selection = kwargs.pop("selection", None) or SelectionForm(
            organizations=Organization.objects.none()
        )
        directory = selectors.directory_or_default(self.territory)
        return super().get_context_data(
            filter=filterset,
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            organizations=page.object_list,
            query=query_without_page(self.request),
            selection=selection,
            chosen=selection.chosen(),
            directory=directory,
            last_updated=selectors.last_updated(directory=directory) if directory.pk else None,
            counts=selectors.publication_counts(access=self.access),
            **kwargs,
        )


class DirectorySettingsView(PublicDirectoryMixin, ServiceFormView):
    """The directory's introduction, and putting it online or offline."""

    form_class = DirectoryForm
    template_name = "evaluation/public_directory/settings.html"

    def load(self) -> None:
        self.directory = selectors.directory_or_default(self.territory)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.directory}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(directory=self.directory, **kwargs)

    def save(self, form: DirectoryForm) -> HttpResponse:
        directory = services.directory_save(
            territory=self.territory,
            is_published=form.cleaned_data["is_published"],
            intro=form.cleaned_data["intro"],
        )
        messages.success(
            self.request,
            _("L'annuaire public est en ligne.")
            if directory.is_published
            else _("L'annuaire public est hors ligne : personne ne peut plus le consulter."),
        )
        return redirect("evaluation:public_directory_manage", territory=self.territory.slug)


class ListingView(PublicDirectoryMixin, ServiceFormView):
    """A structure's public entry: public or not, its agreement, publics, public contact."""

    model = Organization  # the URL's id names a structure (the tenancy walk reads this)
    form_class = ListingForm
    template_name = "evaluation/public_directory/listing_form.html"

    def load(self) -> None:
        if self.kwargs["pk"] > MAX_ID:
            raise Http404
        self.organization = self.named(selectors.manageable_organizations(access=self.access))
        self.listing = selectors.listing_of(self.organization)
        # As stored: the form writes what was posted onto the instance, even when refused.
        self.is_public = self.listing.is_public

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.listing}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            organization=self.organization,
            is_public=self.is_public,
            directory=selectors.directory_or_default(self.territory),
            **kwargs,
        )

    def save(self, form: ListingForm) -> HttpResponse:
        listing = services.listing_save(organization=self.organization, data=form.cleaned_data)
        messages.success(
            self.request,
            (
                _("« %(name)s » figure dans l'annuaire public.")
                if listing.is_public
                else _("« %(name)s » ne figure pas dans l'annuaire public.")
            )
            % {"name": self.organization.name},
        )
        return redirect("evaluation:public_directory_manage", territory=self.territory.slug)


def organization_section(access: Access, organization: Organization) -> dict[str, Any] | None:
    """The section of a structure's page (partners) saying whether it is in the public
    directory, with the link to its public entry: for the coordination only."""
    if not access.is_coordinator:
        return None
    return {
        "template": "evaluation/public_directory/includes/organization_section.html",
        "listing": selectors.listing_of(organization),
    }


# --- the public pages ----------------------------------------------------------------------


@public_view
def public_directory(request: HttpRequest, territory: str) -> HttpResponse:
    directory = selectors.published_directory(territory_slug=territory)
    filterset = PublicListingFilter(
        request.GET or None,
        queryset=selectors.published_listings(directory=directory),
        choices=selectors.filter_choices(directory=directory),
    )
    page = Paginator(filterset.qs, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    searched = any(request.GET.get(name) for name in filterset.filters)
    return render(
        request,
        "evaluation/public_directory/public_list.html",
        {
            "directory": directory,
            "territory": directory.territory,
            "filter": filterset,
            "searched": searched,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "listings": page.object_list,
            "query": query_without_page(request),
            "last_updated": selectors.last_updated(directory=directory),
        },
    )


@public_view
def public_structure(request: HttpRequest, territory: str, pk: int) -> HttpResponse:
    directory = selectors.published_directory(territory_slug=territory)
    if pk > MAX_ID:
        raise Http404
    listing = get_object_or_404(
        selectors.published_listings(directory=directory), organization_id=pk
    )
    return render(
        request,
        "evaluation/public_directory/public_detail.html",
        {
            "directory": directory,
            "territory": directory.territory,
            "listing": listing,
            "organization": listing.organization,
        },
    )
