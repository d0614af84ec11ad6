"""Pages of fiches-actions: list and its exports, detail, the form with its partners and funding
lines, status, the printed fiche."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView, View

from cls_platform.access import can_edit
from cls_platform.audit import AuditEvent, audit_event
from cls_platform.forms import add_service_errors

from .. import selectors, services
from ..exports import fiches_csv, fiches_xlsx
from ..filters import FicheActionFilter
from ..forms.fiches import (
    FicheActionForm,
    FundingFormSet,
    PartnerFormSet,
    PilotFicheActionForm,
    StatusForm,
    UpdateForm,
    share_partner_choices,
)
from ..forms.indicators import IndicatorValueForm
from ..models import Contract, FicheAction
from ..pdf import unnamed_for_signatories
from .base import ActionsMixin, pdf_response

PAGE_SIZE = 50


class PageWithTotalPaginator(Paginator):
    """Reads the page asked for and the list's total in one query (selectors.fiche_page_rows)
    rather than counting first: the page carries its `rows`, or None when they are to be read
    from its object_list (a list the window cannot count, or a total asked before the page)."""

    def page(self, number: Any) -> Page:
        rows = None
        if "count" not in self.__dict__ and not self.orphans:
            try:
                asked = int(number)
            except (TypeError, ValueError):
                asked = 0  # refused below as Django refuses it
            if asked >= 1:
                bottom = (asked - 1) * self.per_page
                read = selectors.fiche_page_rows(
                    fiches=self.object_list, bottom=bottom, top=bottom + self.per_page
                )
                if read is not None and (read[0] or asked == 1):
                    rows, self.count = read  # an empty page 1: an empty list
        page = super().page(number)
        page.rows = rows
        return page


class FicheListView(ActionsMixin, ListView):
    template_name = "actions/fiche_list.html"
    context_object_name = "fiches"
    paginate_by = PAGE_SIZE
    paginator_class = PageWithTotalPaginator

    def get_queryset(self):
        self.filterset = FicheActionFilter(
            self.request.GET or None,
            queryset=selectors.fiche_list(access=self.access),
            territory=self.territory,
            contracts=self.contracts().order_by(*selectors.CONTRACT_ORDER),
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET.copy()
        params.pop("page", None)
        context = super().get_context_data(
            filter=self.filterset, query=params.urlencode(), **kwargs
        )
        context["rows"] = selectors.fiche_table_rows(
            fiches=context["fiches"],
            rows=context["page_obj"].rows,
            territory_slug=self.territory.slug,
        )
        return context


class FicheExportView(FicheListView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fiches = self.get_queryset().prefetch_related(
            "transversal_axes", "publics", "qpvs", "ottawa_areas", "partners"
        )
        stamp = timezone.localdate().isoformat()
        if kwargs["format"] == "xlsx":  # the URL admits csv and xlsx only
            response = HttpResponse(
                fiches_xlsx(fiches),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            response = HttpResponse(fiches_csv(fiches), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="fiches-actions-{self.territory.slug}-{stamp}.{kwargs["format"]}"'
        )
        audit_event(
            AuditEvent.EXPORT,
            model=FicheAction,
            territory=self.territory,
            format=kwargs["format"],
            rows=fiches.count(),
        )
        return response


class FicheDetailView(ActionsMixin, DetailView):
    model = FicheAction
    template_name = "actions/fiche_detail.html"
    context_object_name = "fiche"

    def get_queryset(self):
        return self.fiches().select_related(
            "contract",
            "territory",
            "thematic_axis",
            "pilot_organization",
            "pilot_contact__successor",
            "previous__contract",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        fiche = self.object
        editable = can_edit(self.access, fiche)
        context = super().get_context_data(
            **selectors.fiche_detail(fiche=fiche), can_edit_fiche=editable, **kwargs
        )
        # Signatories read structures in place of the names typed in free texts: one query.
        unnamed = None
        if self.access.is_viewer:
            unnamed = unnamed_for_signatories(territory_id=fiche.contract.territory_id)
            unnamed.do_not_call_in_templates = True  # a filter's argument, not a value
        context["unnamed"] = unnamed
        if editable:
            context["status_form"] = StatusForm(
                initial={"status": fiche.status, "progress": fiche.progress}
            )
            context["update_form"] = UpdateForm(meetings=selectors.meetings_for(fiche))
            context["value_form"] = IndicatorValueForm(
                initial={"measured_on": timezone.localdate()}
            )
        return context


class FicheFormMixin(ActionsMixin):
    model = FicheAction
    template_name = "actions/fiche_form.html"
    write = True

    def get_form_class(self):
        if self.access.is_coordinator:
            return FicheActionForm
        return PilotFicheActionForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "contract": self.get_contract()}

    def formsets(self) -> tuple[Any, Any]:
        data = self.request.POST if self.request.method == "POST" else None
        instance = (
            self.object
            if getattr(self, "object", None)
            else FicheAction(contract=self.get_contract())
        )
        partners = PartnerFormSet(data, instance=instance, prefix="partenaires")
        funding = FundingFormSet(data, instance=instance, prefix="financements")
        share_partner_choices(partners, territory=self.territory, fiche=instance)
        return partners, funding

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(contract=self.get_contract(), **kwargs)
        if "partner_formset" not in context:
            context["partner_formset"], context["funding_formset"] = self.formsets()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object() if "pk" in kwargs and self.is_update else None
        form = self.get_form()
        partners, funding = self.formsets()
        if not (form.is_valid() and partners.is_valid() and funding.is_valid()):
            return self.render_to_response(
                self.get_context_data(form=form, partner_formset=partners, funding_formset=funding)
            )
        fiche = form.instance  # the form's values, checked and written by the service
        fiche.contract = self.get_contract()
        try:
            services.fiche_save(
                fiche=fiche,
                m2m=form.m2m_values(),
                partners=partners.rows(),
                funding=funding.rows(),
                amendment_note=form.cleaned_data.get("amendment_note", ""),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_to_response(
                self.get_context_data(form=form, partner_formset=partners, funding_formset=funding)
            )
        messages.success(
            request, _("Fiche-action %(number)s enregistrée.") % {"number": fiche.number}
        )
        return redirect("actions:fiche_detail", territory=self.territory.slug, pk=fiche.pk)


class FicheCreateView(FicheFormMixin, CreateView):
    url_model = Contract
    is_update = False
    coordinator_only = True

    def get_contract(self) -> Contract:
        return self.named_contract()

    def get_initial(self) -> dict[str, Any]:
        return {
            "status": "planned",
            "progress": 0,
            "thematic_axis": self.request.GET.get("axe") or None,
            "number": "",
        }


class FicheUpdateView(FicheFormMixin, UpdateView):
    is_update = True

    def get_queryset(self):
        return self.fiches().select_related("contract__territory")

    def get_contract(self) -> Contract:
        return self.object.contract if getattr(self, "object", None) else self.get_object().contract


class FicheObjectMixin(ActionsMixin):
    """A small write on one fiche (status, news, measurement): its pilots may do it too."""

    model = FicheAction
    http_method_names = ["post"]

    def back(self, fiche: FicheAction) -> HttpResponse:
        return redirect("actions:fiche_detail", territory=self.territory.slug, pk=fiche.pk)


class FicheStatusView(FicheObjectMixin, View):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fiche = self.editable_fiche()
        form = StatusForm(request.POST)
        if form.is_valid():
            services.fiche_set_status(
                fiche=fiche,
                status=form.cleaned_data["status"],
                progress=form.cleaned_data["progress"],
                user=request.user,
            )
            messages.success(request, _("État mis à jour."))
        else:
            messages.error(
                request, _("État non enregistré : l'avancement est un nombre entre 0 et 100.")
            )
        return self.back(fiche)


class FichePdfView(ActionsMixin, DetailView):
    model = FicheAction

    def get_queryset(self):
        return self.fiches()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from ..pdf import fiche_action_pdf  # WeasyPrint loads when a PDF is asked for

        fiche = self.get_object()
        return pdf_response(
            fiche_action_pdf(fiche=fiche, for_signatories=self.access.is_viewer),
            f"fiche-action-{fiche.number}.pdf",
        )
