"""Pages of contracts, axes and fiches-actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
    View,
)

from cls_platform.access import TerritoryMixin, can_edit, require_edit, scoped
from cls_platform.forms import add_service_errors

from . import selectors, services
from .exports import fiches_csv, fiches_xlsx
from .filters import FicheActionFilter
from .forms import (
    AxisForm,
    CollaborationScaleFormSet,
    ContractForm,
    FicheActionForm,
    FundingFormSet,
    IndicatorForm,
    IndicatorValueForm,
    PartnerFormSet,
    PilotFicheActionForm,
    RenewForm,
    SignedDocumentForm,
    SignForm,
    StatusForm,
    UpdateEditForm,
    UpdateForm,
    share_partner_choices,
)
from .models import (
    ActionUpdate,
    Axis,
    CollaborationLevel,
    Contract,
    ContractStatus,
    FicheAction,
    Indicator,
    IndicatorValue,
)

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
        data = {name: form.cleaned_data[name] for name in ContractForm.Meta.fields}
        try:
            if form.instance.pk:
                self.object = services.contract_update(
                    contract=form.instance,
                    data=data,
                    amendment_note=form.cleaned_data.get("amendment_note", ""),
                    user=self.request.user,
                )
            else:
                self.object = services.contract_create(territory=self.territory, data=data)
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
                user=self.request.user,
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
            services.contract_close(contract=contract, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Le contrat est clos."))
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=contract.pk)


class SignedContractOnlyMixin(ContractObjectMixin):
    """A page about a signed (or closed) contract: a draft sends back to the contract, with why."""

    draft_message = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refuse_draft() or super().get(request, *args, **kwargs)  # type: ignore[misc]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refuse_draft() or super().post(request, *args, **kwargs)  # type: ignore[misc]

    def refuse_draft(self) -> HttpResponse | None:
        contract = self.get_contract()
        if contract.status != ContractStatus.DRAFT:
            return None
        messages.error(self.request, self.draft_message)
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=contract.pk)


class ContractDocumentUploadView(SignedContractOnlyMixin, FormView):
    """Deposit or replace the signed PDF of a signed (or closed) contract."""

    template_name = "actions/contract_document_form.html"
    form_class = SignedDocumentForm
    draft_message = gettext_lazy(
        "Ce contrat est en préparation : le PDF signé se dépose avec l'enregistrement de sa "
        "signature."
    )

    def form_valid(self, form: SignedDocumentForm) -> HttpResponse:
        contract = self.get_contract()
        replacing = bool(contract.signed_document)
        try:
            services.contract_document_set(
                contract=contract, document=form.cleaned_data["document"], user=self.request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Le PDF signé est remplacé.") if replacing else _("Le PDF signé est déposé."),
        )
        return redirect("actions:contract_detail", territory=self.territory.slug, pk=contract.pk)


class ContractRenewView(SignedContractOnlyMixin, FormView):
    template_name = "actions/contract_renew.html"
    form_class = RenewForm
    draft_message = gettext_lazy(
        "Seul un contrat signé ou clos se renouvelle : celui-ci est encore en préparation."
    )

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
        form = UpdateForm(request.POST, meetings=selectors.meetings_for(fiche))
        if not form.is_valid():
            if "meeting" in form.errors:
                messages.error(request, " ".join(form.errors["meeting"]))
            else:
                messages.error(
                    request, _("Actualité non enregistrée : indiquez sa date et son texte.")
                )
            return self.back(fiche)
        meeting = form.cleaned_data["meeting"]
        try:
            services.update_post(
                fiche=fiche,
                happened_on=form.cleaned_data["happened_on"],
                text=form.cleaned_data["text"],
                meeting_id=meeting.pk if meeting else None,
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
        return super().get_context_data(
            fiche=self.object.fiche,
            values=list(self.object.values.order_by("-measured_on", "-id")),
            **kwargs,
        )

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


class IndicatorDeleteView(IndicatorMixin, DetailView):
    http_method_names = ["post"]
    write = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        indicator = self.get_object()
        title, fiche_id = indicator.title, indicator.fiche_id
        count = services.indicator_delete(indicator=indicator)
        if count:
            message = ngettext(
                "Indicateur « %(title)s » supprimé, avec sa mesure.",
                "Indicateur « %(title)s » supprimé, avec ses %(count)s mesures.",
                count,
            )
        else:
            message = _("Indicateur « %(title)s » supprimé.")
        messages.success(request, message % {"title": title, "count": count})
        return redirect("actions:fiche_detail", territory=self.territory.slug, pk=fiche_id)


class CorrectionsMixin(ActionsMixin):
    """A page listing the records of one parent (an indicator's measurements, a fiche's updates),
    each in its own small form: a POST names the record it corrects or deletes, which is looked
    up inside the parent, itself inside what the user may edit."""

    write = True
    record_field = ""  # the POST field naming the record
    saved_message = ""
    deleted_message = ""
    missing_message = ""

    def get_parent(self) -> Any:
        raise NotImplementedError

    def records(self) -> list[Any]:
        raise NotImplementedError

    def make_form(self, record: Any, data: Any = None) -> Any:
        raise NotImplementedError

    def save(self, record: Any, form: Any) -> None:
        raise NotImplementedError

    def delete(self, record: Any) -> None:
        raise NotImplementedError

    def fiche_of(self, parent: Any) -> FicheAction:
        raise NotImplementedError

    def render_page(self, bound: Any = None) -> HttpResponse:
        parent = self.get_parent()
        rows = [
            (
                record,
                bound
                if bound is not None and bound.record.pk == record.pk
                else self.make_form(record),
            )
            for record in self.records()
        ]
        context = self.get_context_data(parent=parent, fiche=self.fiche_of(parent), rows=rows)
        return self.render_to_response(context)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parent = self.get_parent()
        by_pk = {str(record.pk): record for record in self.records()}
        record = by_pk.get(request.POST.get(self.record_field, ""))
        back = redirect(request.path)
        if record is None:  # a second click on "Supprimer", another tab...
            messages.error(request, self.missing_message)
            return back
        if "supprimer" in request.POST:
            self.delete(record)
            messages.success(request, self.deleted_message)
            return back
        form = self.make_form(record, request.POST)
        if form.is_valid():
            try:
                self.save(record, form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, self.saved_message)
                return redirect(
                    "actions:fiche_detail",
                    territory=self.territory.slug,
                    pk=self.fiche_of(parent).pk,
                )
        return self.render_page(bound=form)


class IndicatorValueCorrectionsView(CorrectionsMixin, TemplateView):
    """Correct or delete the measurements of one indicator."""

    model = Indicator
    template_name = "actions/indicator_value_corrections.html"
    record_field = "mesure"
    saved_message = gettext_lazy("Mesure corrigée.")
    deleted_message = gettext_lazy("Mesure supprimée.")
    missing_message = gettext_lazy(
        "Cette mesure n'existe plus : elle a peut-être déjà été supprimée."
    )

    def get_parent(self) -> Indicator:
        if not hasattr(self, "_indicator"):
            indicator = get_object_or_404(
                Indicator.objects.filter(fiche__in=self.fiches()).select_related("fiche"),
                pk=self.kwargs["pk"],
            )
            require_edit(self.access, indicator)
            self._indicator = indicator
        return self._indicator

    def fiche_of(self, parent: Indicator) -> FicheAction:
        return parent.fiche

    def records(self) -> list[IndicatorValue]:
        if not hasattr(self, "_records"):
            self._records = list(self.get_parent().values.order_by("-measured_on", "-id"))
        return self._records

    def make_form(self, record: IndicatorValue, data: Any = None) -> IndicatorValueForm:
        form = IndicatorValueForm(
            data,
            prefix=f"mesure-{record.pk}",
            initial={
                "measured_on": record.measured_on,
                "value": record.value,
                "comment": record.comment,
            },
            # A copy: a refused entry must not show as saved elsewhere on the page.
            instance=IndicatorValue(indicator_id=record.indicator_id),
        )
        form.record = record
        return form

    def save(self, record: IndicatorValue, form: IndicatorValueForm) -> None:
        services.indicator_value_edit(
            value=record,
            measured_on=form.cleaned_data["measured_on"],
            amount=form.cleaned_data["value"],
            comment=form.cleaned_data["comment"],
        )

    def delete(self, record: IndicatorValue) -> None:
        services.indicator_value_delete(value=record)


class ActionUpdateCorrectionsView(CorrectionsMixin, TemplateView):
    """Correct or delete the dated updates of one fiche-action."""

    model = FicheAction
    template_name = "actions/update_corrections.html"
    record_field = "actualite"
    saved_message = gettext_lazy("Actualité corrigée.")
    deleted_message = gettext_lazy("Actualité supprimée.")
    missing_message = gettext_lazy(
        "Cette actualité n'existe plus : elle a peut-être déjà été supprimée."
    )

    def get_parent(self) -> FicheAction:
        if not hasattr(self, "_fiche"):
            fiche = get_object_or_404(self.fiches(), pk=self.kwargs["pk"])
            require_edit(self.access, fiche)
            self._fiche = fiche
        return self._fiche

    def fiche_of(self, parent: FicheAction) -> FicheAction:
        return parent

    def records(self) -> list[ActionUpdate]:
        if not hasattr(self, "_records"):
            self._records = list(
                self.get_parent().updates.select_related("meeting_link__meeting__group")
            )
        return self._records

    def make_form(self, record: ActionUpdate, data: Any = None) -> UpdateEditForm:
        form = UpdateEditForm(
            data,
            prefix=f"actualite-{record.pk}",
            initial={"happened_on": record.happened_on, "text": record.text},
        )
        form.record = record
        return form

    def save(self, record: ActionUpdate, form: UpdateEditForm) -> None:
        services.update_edit(update=record, **form.cleaned_data)

    def delete(self, record: ActionUpdate) -> None:
        services.update_delete(update=record)


# --- reference data --------------------------------------------------------------------------


class CollaborationScaleView(ActionsMixin, FormView):
    """The collaboration scale partners are rated with: its levels' rank, label, description.

    One scale for the whole instance (an instance serves a region, whose scale it is): the
    coordinators of every territory read it, only the instance's administrators (staff) change
    it, since a territory's coordinator would otherwise rename the levels of all the others."""

    template_name = "actions/collaboration_scale.html"
    coordinator_only = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied(
                _("L'échelle est commune à tous les territoires : l'administration la modifie.")
            )
        return super().post(request, *args, **kwargs)

    def get_form(self, form_class: Any = None) -> Any:
        return CollaborationScaleFormSet(
            self.request.POST if self.request.method == "POST" else None,
            queryset=CollaborationLevel.objects.order_by("rank"),
            prefix="niveaux",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["formset"] = context.pop("form")
        context["can_edit"] = self.request.user.is_staff
        context["levels"] = CollaborationLevel.objects.order_by("rank")
        return context

    def form_valid(self, formset: Any) -> HttpResponse:
        removed = [form.instance for form in formset.deleted_forms if form.instance.pk]
        levels = [
            form.instance
            for form in formset.forms
            if form not in formset.deleted_forms and (form.instance.pk or form.has_changed())
        ]
        try:
            services.collaboration_scale_save(levels=levels, removed=removed)
        except ValidationError as exc:
            return self.render_to_response(
                self.get_context_data(form=formset, scale_errors=exc.messages)
            )
        messages.success(self.request, _("Échelle de collaboration enregistrée."))
        return redirect("actions:collaboration_scale", territory=self.territory.slug)


def contract_status_label(contract: Contract) -> str:
    return dict(ContractStatus.choices)[contract.status]
