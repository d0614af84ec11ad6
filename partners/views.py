"""Pages of the partner directory (coordination) and the partners' own signed-link pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
    View,
)

from cls_platform.access import TerritoryMixin, public_view, require_edit, scoped
from cls_platform.forms import add_service_errors
from cls_platform.mail.messages import coordination_address

from . import selectors, services
from .emails import details_check_latest
from .exports import directory_csv, directory_xlsx
from .filters import ContactFilter, OrganizationFilter
from .forms import (
    ContactForm,
    DepartureForm,
    HandOverForm,
    ImportUploadForm,
    OrganizationForm,
    SelfServiceDetailsForm,
    SelfServicePreferencesForm,
)
from .importing import ImportFileError, import_partners
from .models import Contact, HandOver, HandOverStatus, Organization, PartnerImport
from .tokens import (
    contact_from_expired_token,
    contact_from_token,
    contact_from_unsubscribe_token,
    opens_self_service,
)

PAGE_SIZE = 50


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class DirectoryMixin(TerritoryMixin):
    """Directory pages: what a viewer may see of people is decided here, once."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["show_personal"] = not self.access.is_viewer
        context["can_edit_directory"] = self.access.is_coordinator
        return context


# --- structures ----------------------------------------------------------------------------


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
        return super().get_context_data(
            filter=self.filterset, query=query_without_page(self.request), **kwargs
        )


class OrganizationDetailView(DirectoryMixin, DetailView):
    model = Organization
    template_name = "partners/organization_detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        return selectors.organization_list(access=self.access)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        detail = selectors.organization_detail(access=self.access, organization=self.object)
        return super().get_context_data(**detail, **kwargs)


class OrganizationFormMixin(DirectoryMixin):
    model = Organization
    form_class = OrganizationForm
    template_name = "partners/organization_form.html"
    coordinator_only = True

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "territory": self.territory}

    def form_valid(self, form: OrganizationForm) -> HttpResponse:
        form.instance.territory = self.territory
        with transaction.atomic():
            self.object = form.save()
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


class ContactListView(DirectoryMixin, ListView):
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
        return super().get_context_data(
            filter=self.filterset, query=query_without_page(self.request), **kwargs
        )


class ContactDetailView(DirectoryMixin, DetailView):
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
            with transaction.atomic():
                successor = data.get("successor")
                if successor is None and data.get("new_email"):
                    successor = services.existing_contact(
                        territory=self.territory, email=data["new_email"]
                    ) or services.contact_create(
                        territory=self.territory,
                        data={
                            "email": data["new_email"],
                            "first_name": data["new_first_name"],
                            "last_name": data["new_last_name"],
                            "job_title": data["new_job_title"],
                            "organization": contact.organization,
                        },
                        source_detail=services.successor_detail(contact),
                    )
                services.contact_record_departure(
                    contact=contact, left_on=data["left_on"], successor=successor
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


class ReviewListView(DirectoryMixin, ListView):
    """Contacts with no interaction for a long time: to confirm or to erase."""

    template_name = "partners/contact_review.html"
    paginate_by = PAGE_SIZE
    context_object_name = "contacts"

    def get_queryset(self):
        require_edit(self.access)
        return selectors.contacts_to_review(access=self.access)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(review_months=settings.CONTACT_REVIEW_MONTHS, **kwargs)


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
        content = upload.read()
        try:
            report = import_partners(
                territory=self.territory, content=content, file_name=upload.name, dry_run=True
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        pending = PartnerImport.objects.create(
            territory=self.territory,
            file_name=upload.name,
            content=content,
            uploaded_by=self.request.user,
            report=report.as_dict(),
        )
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
        if pending.applied_at is None:
            try:
                with transaction.atomic():
                    locked = PartnerImport.objects.select_for_update().get(pk=pending.pk)
                    if locked.applied_at is None:
                        report = import_partners(
                            territory=self.territory,
                            content=bytes(locked.content),
                            file_name=locked.file_name,
                        )
                        locked.report = report.as_dict()
                        locked.applied_at = timezone.now()
                        locked.content = b""  # personal data is kept no longer than needed
                        locked.save()
            except ImportFileError as exc:
                messages.error(request, str(exc))
                return redirect("partners:import_upload", territory=self.territory.slug)
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
        return scoped(HandOver.objects.all(), self.access).filter(status=HandOverStatus.PENDING)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        hand_over = self.get_object()
        if request.POST.get("decision") == "confirm":
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


# --- the partner's own pages (signed link, no account) -------------------------------------


# Sections other apps add to the partner's own page: `provider(request, contact, token)` gives
# a dict with the "template" to include (which reads it as `section`), or None. The directory
# imports none of those apps: workgroups registers its calendar feeds in its AppConfig.ready.
SelfServiceSection = Callable[[HttpRequest, Contact, str], "dict[str, Any] | None"]
_self_service_sections: list[SelfServiceSection] = []


def register_self_service_section(provider: SelfServiceSection) -> None:
    if provider not in _self_service_sections:
        _self_service_sections.append(provider)


def _contact_or_gone(request: HttpRequest, token: str) -> Contact | HttpResponse:
    contact = contact_from_token(token)
    if contact is None:
        return _expired_or_invalid(request, token)
    return contact


def _expired_or_invalid(request: HttpRequest, token: str) -> HttpResponse:
    """A forged link gets the generic page; an expired one (its signature holds) names the
    coordination's address and offers a new link, sent to the address on record."""
    contact = contact_from_expired_token(token)
    if contact is None:
        return render(request, "partners/self_service_invalid.html", status=404)
    context = {
        "token": token,
        "territory_name": contact.territory.name,
        "coordination_email": coordination_address(contact.territory),
    }
    status = 404
    if request.method == "POST" and request.POST.get("action") == "new_link":
        try:
            sent = services.contact_request_new_link(contact=contact)
        except ValidationError:
            context["refused"] = True
        else:
            context["sent" if sent else "already_sent"] = True
        status = 200
    return render(request, "partners/self_service_expired.html", context, status=status)


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
    }
    if request.method == "POST":
        services.contact_unsubscribe(contact=contact)
        return render(request, "partners/self_service_unsubscribed.html", context)
    return render(request, "partners/self_service_unsubscribe.html", context)


def self_service_url(contact: Contact) -> str:
    from .tokens import contact_token

    return reverse("partner_links:self_service", kwargs={"token": contact_token(contact)})
