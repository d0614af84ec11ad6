"""Pages of contracts, axes and fiches-actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView, View

from cls_platform.access import TerritoryMixin, can_edit, require_edit, scoped
from cls_platform.forms import add_service_errors

from . import selectors, services
from .exports import fiches_csv, fiches_xlsx
from .filters import FicheActionFilter
from .forms import (
    AxisForm,
    ContractForm,
    FicheActionForm,
    FundingFormSet,
    IndicatorForm,
    IndicatorValueForm,
    PartnerFormSet,
    PilotFicheActionForm,
    RenewForm,
    SignForm,
    StatusForm,
    UpdateForm,
    limit_partner_formset,
)
from .models import Axis, Contract, ContractStatus, FicheAction, Indicator

PAGE_SIZE = 50


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class ActionsMixin(TerritoryMixin):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_coordinate"] = self.access.is_coordinator
        return context

    def contracts(self):
        return scoped(Contract.objects.all(), self.access)

    def fiches(self):
        return scoped(FicheAction.objects.all(), self.access)


# --- contracts -------------------------------------------------------------------------------


class ContractListView(ActionsMixin, ListView):
    template_name = "actions/contract_list.html"
    context_object_name = "contracts"

    def get_queryset(self):
        return selectors.contract_list(access=self.access).select_related("previous")


class ContractDetailView(ActionsMixin, DetailView):
    model = Contract
    template_name = "actions/contract_detail.html"
    context_object_name = "contract"

    def get_queryset(self):
        return self.contracts().select_related("previous")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**selectors.contract_detail(contract=self.object), **kwargs)


class ContractFormMixin(ActionsMixin):
    model = Contract
    form_class = ContractForm
    template_name = "actions/contract_form.html"
    coordinator_only = True

    def get_queryset(self):
        return self.contracts()

    def form_valid(self, form: ContractForm) -> HttpResponse:
        try:
            if form.instance.pk:
                self.object = form.save()
            else:
                self.object = services.contract_create(
                    territory=self.territory, data=form.cleaned_data
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Contrat enregistré."))
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=self.object.pk)


class ContractCreateView(ContractFormMixin, CreateView):
    pass


class ContractUpdateView(ContractFormMixin, UpdateView):
    pass


class ContractObjectMixin(ActionsMixin):
    """A coordinator's page about one contract of the territory."""

    model = Contract
    coordinator_only = True

    def get_contract(self) -> Contract:
        if not hasattr(self, "_contract"):
            self._contract = get_object_or_404(self.contracts(), pk=self.kwargs["pk"])
        return self._contract

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contract=self.get_contract(), **kwargs)


class ContractSignView(ContractObjectMixin, FormView):
    template_name = "actions/contract_sign.html"
    form_class = SignForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "territory": self.territory}

    def get_initial(self) -> dict[str, Any]:
        return {"signed_on": timezone.localdate()}

    def form_valid(self, form: SignForm) -> HttpResponse:
        contract = self.get_contract()
        try:
            services.contract_sign(
                contract=contract,
                signed_on=form.cleaned_data["signed_on"],
                signatories=form.signatories(),
                document=form.cleaned_data.get("document"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Le contrat est signé : sa structure est désormais protégée.")
        )
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=contract.pk)


class ContractCloseView(ContractObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contract = self.get_contract()
        try:
            services.contract_close(contract=contract)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Le contrat est clos."))
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=contract.pk)


class ContractRenewView(ContractObjectMixin, FormView):
    template_name = "actions/contract_renew.html"
    form_class = RenewForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "contract": self.get_contract()}

    def get_initial(self) -> dict[str, Any]:
        contract = self.get_contract()
        length = contract.end_year - contract.start_year
        start = contract.end_year + 1
        return {
            "title": contract.title.replace(contract.period, f"{start}-{start + length}"),
            "start_year": start,
            "end_year": start + length,
            "axes": contract.axes.all(),
            "fiches": contract.fiches_actions.exclude(status__in=["done", "abandoned"]),
        }

    def form_valid(self, form: RenewForm) -> HttpResponse:
        try:
            successor = services.contract_renew(
                contract=self.get_contract(),
                title=form.cleaned_data["title"],
                start_year=form.cleaned_data["start_year"],
                end_year=form.cleaned_data["end_year"],
                axes=list(form.cleaned_data["axes"]),
                fiches=list(form.cleaned_data["fiches"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Le nouveau contrat est créé en préparation."))
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=successor.pk)


class ContractPdfView(ActionsMixin, DetailView):
    model = Contract

    def get_queryset(self):
        return self.contracts()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from .pdf import contract_pdf

        contract = self.get_object()
        return pdf_response(
            contract_pdf(contract=contract),
            f"{self.territory.slug}-{contract.kind}-{contract.period}.pdf",
        )


class ContractDocumentView(ActionsMixin, DetailView):
    """The signed contract's PDF, served only to those who may read the contract."""

    model = Contract

    def get_queryset(self):
        return self.contracts()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contract = self.get_object()
        if not contract.signed_document:
            raise Http404
        return FileResponse(
            contract.signed_document.open("rb"),
            content_type="application/pdf",
            filename=f"contrat-signe-{contract.period}.pdf",
        )


# --- axes ------------------------------------------------------------------------------------


class AxisFormMixin(ActionsMixin):
    model = Axis
    form_class = AxisForm
    template_name = "actions/axis_form.html"
    coordinator_only = True

    def get_queryset(self):
        return Axis.objects.filter(contract__in=self.contracts()).select_related("contract")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "contract": self.get_contract()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contract=self.get_contract(), **kwargs)

    def form_valid(self, form: AxisForm) -> HttpResponse:
        axis = form.instance
        axis.contract = self.get_contract()
        try:
            services.axis_save(
                axis=axis,
                amendment_note=form.cleaned_data.get("amendment_note", ""),
                user=self.request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Axe enregistré."))
        return redirect(
            "actions:contract_detail", territory=self.territory.slug, pk=axis.contract_id
        )


class AxisCreateView(AxisFormMixin, CreateView):
    url_model = Contract  # the URL names the contract the axis is added to

    def get_contract(self) -> Contract:
        return get_object_or_404(self.contracts(), pk=self.kwargs["pk"])

    def get_initial(self) -> dict[str, Any]:
        return {"kind": self.request.GET.get("type", "thematic")}


class AxisUpdateView(AxisFormMixin, UpdateView):
    def get_contract(self) -> Contract:
        return self.object.contract


class AxisMoveView(ActionsMixin, DetailView):
    model = Axis
    coordinator_only = True
    http_method_names = ["post"]

    def get_queryset(self):
        return Axis.objects.filter(contract__in=self.contracts()).select_related("contract")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        axis = self.get_object()
        direction = -1 if request.POST.get("direction") == "up" else 1
        try:
            services.axis_move(
                axis=axis,
                direction=direction,
                amendment_note=request.POST.get("amendment_note", ""),
                user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(
            "actions:contract_detail", territory=self.territory.slug, pk=axis.contract_id
        )


# --- fiches-actions ---------------------------------------------------------------------------


class FicheListView(ActionsMixin, ListView):
    template_name = "actions/fiche_list.html"
    context_object_name = "fiches"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.filterset = FicheActionFilter(
            self.request.GET or None,
            queryset=selectors.fiche_list(access=self.access),
            territory=self.territory,
            contracts=self.contracts().order_by("-start_year"),
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET.copy()
        params.pop("page", None)
        return super().get_context_data(filter=self.filterset, query=params.urlencode(), **kwargs)


class FicheExportView(FicheListView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fiches = self.get_queryset().prefetch_related(
            "transversal_axes", "publics", "qpvs", "ottawa_areas", "partners"
        )
        stamp = timezone.localdate().isoformat()
        if kwargs["format"] == "xlsx":
            response = HttpResponse(
                fiches_xlsx(fiches),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            response = HttpResponse(fiches_csv(fiches), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="fiches-actions-{self.territory.slug}-{stamp}.{kwargs["format"]}"'
        )
        return response


class FicheDetailView(ActionsMixin, DetailView):
    model = FicheAction
    template_name = "actions/fiche_detail.html"
    context_object_name = "fiche"

    def get_queryset(self):
        return self.fiches().select_related(
            "contract", "thematic_axis", "pilot_organization", "pilot_contact", "previous__contract"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        fiche = self.object
        editable = can_edit(self.access, fiche)
        context = super().get_context_data(
            **selectors.fiche_detail(fiche=fiche), can_edit_fiche=editable, **kwargs
        )
        if editable:
            meetings = list(
                fiche.territory.meetings.select_related("group").order_by("-starts_at")[:30]
            )
            context["status_form"] = StatusForm(
                initial={"status": fiche.status, "progress": fiche.progress}
            )
            context["update_form"] = UpdateForm(meetings=meetings)
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
        limit_partner_formset(partners, self.territory)
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
        fiche = form.save(commit=False)
        fiche.contract = self.get_contract()
        m2m = {
            name: form.cleaned_data[name]
            for name in ("transversal_axes", "publics", "qpvs", "copilots", "ottawa_areas")
            if name in form.cleaned_data
        }
        try:
            with transaction.atomic():
                services.fiche_save(
                    fiche=fiche,
                    m2m=m2m,
                    amendment_note=form.cleaned_data.get("amendment_note", ""),
                    user=request.user,
                )
                partners.instance = fiche
                funding.instance = fiche
                partners.save()
                funding.save()
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
        if not hasattr(self, "_contract"):
            self._contract = get_object_or_404(self.contracts(), pk=self.kwargs["pk"])
        return self._contract

    def get_initial(self) -> dict[str, Any]:
        contract = self.get_contract()
        return (
            {
                "status": "planned",
                "progress": 0,
                "thematic_axis": self.request.GET.get("axe") or None,
                "number": "",
            }
            if contract
            else {}
        )


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

    def get_fiche(self) -> FicheAction:
        fiche = get_object_or_404(self.fiches(), pk=self.kwargs["pk"])
        require_edit(self.access, fiche)
        return fiche

    def back(self, fiche: FicheAction) -> HttpResponse:
        return redirect("actions:fiche_detail", territory=self.territory.slug, pk=fiche.pk)


class FicheStatusView(FicheObjectMixin, View):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fiche = self.get_fiche()
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


class FicheUpdatePostView(FicheObjectMixin, View):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fiche = self.get_fiche()
        meetings = list(
            fiche.territory.meetings.select_related("group").order_by("-starts_at")[:30]
        )
        form = UpdateForm(request.POST, meetings=meetings)
        if not form.is_valid():
            messages.error(request, _("Actualité non enregistrée : indiquez sa date et son texte."))
            return self.back(fiche)
        try:
            services.update_post(
                fiche=fiche,
                happened_on=form.cleaned_data["happened_on"],
                text=form.cleaned_data["text"],
                meeting_id=form.cleaned_data["meeting"],
                user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Actualité ajoutée."))
        return self.back(fiche)


class FichePdfView(ActionsMixin, DetailView):
    model = FicheAction

    def get_queryset(self):
        return self.fiches()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from .pdf import fiche_action_pdf

        fiche = self.get_object()
        return pdf_response(fiche_action_pdf(fiche=fiche), f"fiche-action-{fiche.number}.pdf")


# --- indicators --------------------------------------------------------------------------------


class IndicatorCreateView(ActionsMixin, CreateView):
    model = Indicator
    url_model = FicheAction  # the URL names the fiche
    form_class = IndicatorForm
    template_name = "actions/indicator_form.html"
    write = True

    def get_fiche(self) -> FicheAction:
        if not hasattr(self, "_fiche"):
            self._fiche = get_object_or_404(self.fiches(), pk=self.kwargs["pk"])
            require_edit(self.access, self._fiche)
        return self._fiche

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Indicator(fiche=self.get_fiche())
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(fiche=self.get_fiche(), **kwargs)

    def form_valid(self, form: IndicatorForm) -> HttpResponse:
        services.indicator_save(indicator=form.instance)
        messages.success(self.request, _("Indicateur ajouté."))
        return redirect(
            "actions:fiche_detail", territory=self.territory.slug, pk=self.get_fiche().pk
        )


class IndicatorMixin(ActionsMixin):
    model = Indicator

    def get_queryset(self):
        return Indicator.objects.filter(fiche__in=self.fiches()).select_related("fiche")


class IndicatorUpdateView(IndicatorMixin, UpdateView):
    form_class = IndicatorForm
    template_name = "actions/indicator_form.html"
    write = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(fiche=self.object.fiche, **kwargs)

    def form_valid(self, form: IndicatorForm) -> HttpResponse:
        services.indicator_save(indicator=form.instance)
        messages.success(self.request, _("Indicateur enregistré."))
        return redirect(
            "actions:fiche_detail", territory=self.territory.slug, pk=self.object.fiche_id
        )


class IndicatorValueView(IndicatorMixin, DetailView):
    http_method_names = ["post"]
    write = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        indicator = self.get_object()
        form = IndicatorValueForm(request.POST)
        if form.is_valid():
            try:
                services.indicator_value_add(indicator=indicator, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("Mesure enregistrée pour « %(indicator)s ».") % {"indicator": indicator},
                )
        else:
            messages.error(
                request, _("Mesure non enregistrée : indiquez une date et une valeur numérique.")
            )
        return redirect(
            "actions:fiche_detail", territory=self.territory.slug, pk=indicator.fiche_id
        )


def contract_status_label(contract: Contract) -> str:
    return dict(ContractStatus.choices)[contract.status]
