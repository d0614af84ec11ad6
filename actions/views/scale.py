"""The collaboration scale partners are rated with."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from .. import services
from ..forms.scale import CollaborationScaleFormSet
from ..models import CollaborationLevel
from .base import ActionsMixin


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
