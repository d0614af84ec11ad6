"""Pages of a contract's axes: creation, edits, order."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, UpdateView

from cls_platform.forms import add_service_errors

from .. import services
from ..forms.contracts import AxisForm
from ..models import Axis, Contract
from .base import ActionsMixin


class AxisMixin(ActionsMixin):
    """A coordinator's page about the axes of the territory's contracts."""

    model = Axis
    coordinator_only = True

    def get_queryset(self):
        return Axis.objects.filter(contract__in=self.contracts()).select_related("contract")


class AxisFormMixin(AxisMixin):
    form_class = AxisForm
    template_name = "actions/axis_form.html"

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
        return self.named_contract()

    def get_initial(self) -> dict[str, Any]:
        return {"kind": self.request.GET.get("type", "thematic")}


class AxisUpdateView(AxisFormMixin, UpdateView):
    def get_contract(self) -> Contract:
        return self.object.contract


class AxisMoveView(AxisMixin, DetailView):
    http_method_names = ["post"]

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
