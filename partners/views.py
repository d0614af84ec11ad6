"""Pages of the partner directory, for the coordination (the partners' own pages, reached from
signed links, are in link_views.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    RedirectView,
    TemplateView,
    UpdateView,
    View,
)

from cls_platform.access import TerritoryMixin, require_edit, scoped
from cls_platform.audit import AuditEvent, audit_event
from cls_platform.forms import add_service_errors
from cls_platform.models import Access
from cls_platform.templatetags.people import shows_people

from . import selectors, services
from .emails import details_check_latest
from .exports import directory_csv, directory_xlsx
from .filters import ContactFilter, OrganizationFilter
from .forms import (
    ContactForm,
    DepartureForm,
    ImportUploadForm,
    OrganizationForm,
)
from .importing import ImportFileError, partner_import_confirm, partner_import_stage

# workgroups adds its section to the partner's own page through this name (see its AppConfig).
from .link_views import register_self_service_section as register_self_service_section
from .models import Contact, HandOver, HandOverStatus, Organization, PartnerImport

PAGE_SIZE = 50


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class DirectoryMixin(TerritoryMixin):
    """Directory pages: what a viewer may see of people is decided here, once."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["show_personal"] = shows_people(self.access)
        context["can_edit_directory"] = self.access.is_coordinator
        return context


class PeoplePageMixin(DirectoryMixin):
    """A page about people (the contacts, one contact): signatories get none (403)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not shows_people(self.access):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)


# --- structures ----------------------------------------------------------------------------

# Sections other apps add to a structure's page: `provider(access, organization)` gives a dict
# with the "template" to include (which reads it as `section`), or None. The directory imports
# none of those apps: evaluation registers the structures one works with in its AppConfig.ready.
OrganizationSection = Callable[[Access, Organization], "dict[str, Any] | None"]
_organization_sections: list[OrganizationSection] = []


def register_organization_section(provider: OrganizationSection) -> None:
    if provider not in _organization_sections:
        _organization_sections.append(provider)


class OrganizationListView(DirectoryMixin, ListView):
    template_name = "partners/organization_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "organizations"

    def get_queryset(self):
        self.filterset = OrganizationFilter(
            self.request.GET or None,
            queryset=selectors.organization_list(access=self.access),
            territory=self.territory,
            groups=scoped(self.territory.work_groups.all(), self.access).order_by("name"),
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(
            filter=self.filterset, query=query_without_page(self.request), **kwargs
        )
        rows = selectors.organization_rows(
            organizations=context["organizations"], territory_slug=self.territory.slug
        )
        context["rows"] = rows
        context["table_rows"] = selectors.organization_table_rows(rows=rows)
        return context


class OrganizationDetailView(DirectoryMixin, DetailView):
    model = Organization
    template_name = "partners/organization_detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        return selectors.organization_list(access=self.access)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        detail = selectors.organization_detail(access=self.access, organization=self.object)
        sections = [provider(self.access, self.object) for provider in _organization_sections]
        return super().get_context_data(**detail, sections=[s for s in sections if s], **kwargs)


class OrganizationFormMixin(DirectoryMixin):
    model = Organization
    form_class = OrganizationForm
    template_name = "partners/organization_form.html"
    coordinator_only = True

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "territory": self.territory}

    def form_valid(self, form: OrganizationForm) -> HttpResponse:
        form.instance.territory = self.territory
        self.object = services.organization_save(
            organization=form.instance, sectors=form.cleaned_data["sectors"]
        )
        messages.success(
            self.request,
            _("La structure « %(name)s » est enregistrée.") % {"name": self.object.name},
        )
        return redirect(
            "partners:organization_detail", territory=self.territory.slug, pk=self.object.pk
        )


class OrganizationCreateView(OrganizationFormMixin, CreateView):
    pass


class OrganizationUpdateView(OrganizationFormMixin, UpdateView):
    pass


# --- contacts ------------------------------------------------------------------------------


class ContactListView(PeoplePageMixin, ListView):
    template_name = "partners/contact_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "contacts"

    def get_queryset(self):
        self.filterset = ContactFilter(
            self.request.GET or None,
            queryset=selectors.contact_list(access=self.access),
            territory=self.territory,
            groups=scoped(self.territory.work_groups.all(), self.access).order_by("name"),
            personal=not self.access.is_viewer,
        )
        if self.access.is_viewer:
            # A bounced address or an unsubscription is a person's mailing state: a viewer
            # neither sees it nor lists the people in it.
            for name in ("bounced", "unsubscribed"):
                self.filterset.filters.pop(name, None)
        return self.filterset.qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(
            filter=self.filterset, query=query_without_page(self.request), **kwargs
        )
        rows = selectors.contact_rows(
            contacts=context["contacts"],
            territory_slug=self.territory.slug,
            show_personal=context["show_personal"],
        )
        context["rows"] = rows
        context["table_rows"] = selectors.contact_table_rows(
            rows=rows, show_personal=context["show_personal"]
        )
        return context


class ContactDetailView(PeoplePageMixin, DetailView):
    model = Contact
    template_name = "partners/contact_detail.html"
    context_object_name = "contact"

    def get_queryset(self):
        return selectors.contact_list(access=self.access).select_related("successor", "user")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        detail = selectors.contact_detail(access=self.access, contact=self.object)
        # The last details check and how its sending went (never shown to signatories).
        details_check = None if self.access.is_viewer else details_check_latest(self.object)
        return super().get_context_data(**detail, details_check=details_check, **kwargs)


class ContactFormMixin(DirectoryMixin):
    model = Contact
    form_class = ContactForm
    template_name = "partners/contact_form.html"
    coordinator_only = True

    def get_queryset(self):
        return selectors.contact_list(access=self.access).filter(anonymized_at__isnull=True)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "territory": self.territory}

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if "structure" in self.request.GET:
            initial["organization"] = self.request.GET["structure"]
        return initial

    def form_valid(self, form: ContactForm) -> HttpResponse:
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            if form.instance.pk:
                self.object = services.contact_update(contact=form.instance, data=data)
            else:
                self.object = services.contact_create(territory=self.territory, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Le contact « %(name)s » est enregistré.") % {"name": self.object}
        )
        return redirect("partners:contact_detail", territory=self.territory.slug, pk=self.object.pk)


class ContactCreateView(ContactFormMixin, CreateView):
    pass


class ContactUpdateView(ContactFormMixin, UpdateView):
    pass


class ContactObjectMixin(DirectoryMixin):
    """A coordinator-only page about one contact (departure, personal data, erasure)."""

    model = Contact
    coordinator_only = True

    def get_contact(self) -> Contact:
        if not hasattr(self, "_contact"):
            require_edit(self.access)  # reading someone's whole file is a coordinator's act too
            qs = selectors.contact_list(access=self.access).filter(anonymized_at__isnull=True)
            self._contact = get_object_or_404(qs, pk=self.kwargs["pk"])
        return self._contact


class ContactDepartureView(ContactObjectMixin, FormView):
    template_name = "partners/contact_departure.html"
    form_class = DepartureForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "contact": self.get_contact()}

    def get_initial(self) -> dict[str, Any]:
        return {"left_on": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contact=self.get_contact(), **kwargs)

    def form_valid(self, form: DepartureForm) -> HttpResponse:
        contact = self.get_contact()
        data = form.cleaned_data
        try:
            services.contact_record_departure(
                contact=contact,
                left_on=data["left_on"],
                successor=data.get("successor"),
                new_successor=form.new_successor(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Le départ de %(name)s est enregistré.") % {"name": contact}
        )
        return redirect("partners:contact_detail", territory=self.territory.slug, pk=contact.pk)


class ContactConfirmationRequestView(ContactObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = self.get_contact()
        try:
            services.contact_request_confirmation(contact=contact)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s va recevoir un lien pour vérifier ses coordonnées.")
                % {"name": contact},
            )
        return redirect("partners:contact_detail", territory=self.territory.slug, pk=contact.pk)


class ContactPersonalDataView(ContactObjectMixin, View):
    """Everything held about one person, as JSON (GDPR right of access)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = self.get_contact()
        payload = json.dumps(
            selectors.contact_personal_data(contact=contact), ensure_ascii=False, indent=2
        )
        response = HttpResponse(payload, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="donnees-contact-{contact.pk}.json"'
        )
        audit_event(AuditEvent.EXPORT, target=contact, format="json")
        return response


class ContactEraseView(ContactObjectMixin, TemplateView):
    template_name = "partners/contact_erase.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contact=self.get_contact(), **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = self.get_contact()
        services.contact_erase(contact=contact)
        messages.success(
            request,
            _(
                "Les données de la personne ont été effacées ; son adresse ne pourra plus être importée."
            ),
        )
        return redirect("partners:contact_list", territory=self.territory.slug)


class ReviewListView(DirectoryMixin, RedirectView):
    """The first list of contacts to review, at its old address: the retention review
    (partners/retention_views.py) replaced it, with the decisions it lacked. Coordinators' saved
    links lead there; everyone else gets what the review itself answers them."""

    coordinator_only = True
    permanent = True
    pattern_name = "partners:retention_review"
    query_string = True  # a saved ?page=2 still reads page 2


class DirectoryExportView(DirectoryMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_edit(self.access)
        contacts = selectors.contact_list(access=self.access)
        stamp = timezone.localdate().isoformat()
        if kwargs["format"] not in ("csv", "xlsx"):  # the URL allows no other; kept as a guard
            raise Http404
        if kwargs["format"] == "xlsx":
            response = HttpResponse(
                directory_xlsx(contacts),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            response = HttpResponse(directory_csv(contacts), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="annuaire-{self.territory.slug}-{stamp}.{kwargs["format"]}"'
        )
        audit_event(
            AuditEvent.EXPORT,
            model=Contact,
            territory=self.territory,
            format=kwargs["format"],
            rows=contacts.count(),
        )
        return response


# --- import --------------------------------------------------------------------------------


class ImportUploadView(DirectoryMixin, FormView):
    template_name = "partners/import_upload.html"
    form_class = ImportUploadForm
    coordinator_only = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_edit(self.access)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: ImportUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            pending = partner_import_stage(
                territory=self.territory,
                content=upload.read(),
                file_name=upload.name,
                uploaded_by=self.request.user,
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        return redirect("partners:import_detail", territory=self.territory.slug, pk=pending.pk)


class ImportDetailView(DirectoryMixin, DetailView):
    """The preview of an upload, then, once confirmed, its report."""

    model = PartnerImport
    template_name = "partners/import_detail.html"
    context_object_name = "partner_import"
    coordinator_only = True

    def get_queryset(self):
        require_edit(self.access)
        return scoped(PartnerImport.objects.all(), self.access)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        pending = self.get_object()
        try:
            confirmed = partner_import_confirm(partner_import=pending)
        except ImportFileError as exc:  # the staging was altered, expired, or went stale
            messages.error(request, str(exc))
            return redirect("partners:import_upload", territory=self.territory.slug)
        if confirmed:
            messages.success(request, _("L'import est enregistré."))
        return redirect("partners:import_detail", territory=self.territory.slug, pk=pending.pk)


# --- departures declared by partners --------------------------------------------------------


class HandOverListView(DirectoryMixin, ListView):
    template_name = "partners/handover_list.html"
    context_object_name = "hand_overs"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        require_edit(self.access)
        return (
            scoped(HandOver.objects.all(), self.access)
            .select_related("contact__organization")
            .order_by("status", "-created_at")
        )


class HandOverDecisionView(DirectoryMixin, DetailView):
    model = HandOver
    coordinator_only = True
    http_method_names = ["post"]

    def get_queryset(self):
        return (
            scoped(HandOver.objects.all(), self.access)
            .filter(status=HandOverStatus.PENDING)
            .select_related("contact__organization")
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """ "Confirmer le départ" asks first: the person stops receiving mail and a successor
        (maybe added to the directory) takes their groups, which no page undoes; a page says so
        and takes a second press (confirm=1). "Écarter" only marks the declaration set aside: the
        directory is unchanged and a departure can still be recorded from the person's page."""
        hand_over = self.object = self.get_object()
        if request.POST.get("decision") == "confirm":
            if request.POST.get("confirm") != "1":
                return render(
                    request,
                    "partners/handover_confirm.html",
                    self.get_context_data(
                        hand_over=hand_over, **selectors.hand_over_preview(hand_over=hand_over)
                    ),
                )
            try:
                successor = services.hand_over_confirm(hand_over=hand_over)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("partners:handover_list", territory=self.territory.slug)
            text = _("Départ confirmé.")
            if successor:
                text += " " + _("%(name)s reprend ses groupes et ses envois.") % {"name": successor}
            messages.success(request, text)
        else:
            services.hand_over_reject(hand_over=hand_over)
            messages.info(request, _("Départ écarté : l'annuaire reste inchangé."))
        return redirect("partners:handover_list", territory=self.territory.slug)
