"""Pages of a fiche's indicators and their measurements."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView

from cls_platform.access import require_edit

from .. import selectors, services
from ..forms.indicators import IndicatorForm, IndicatorValueForm
from ..models import FicheAction, Indicator, IndicatorValue
from ..progress import format_value
from .base import ActionsMixin, CorrectionsMixin


class IndicatorCreateView(ActionsMixin, CreateView):
    model = Indicator
    url_model = FicheAction  # the URL names the fiche
    form_class = IndicatorForm
    template_name = "actions/indicator_form.html"
    write = True

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Indicator(fiche=self.editable_fiche())
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(fiche=self.editable_fiche(), **kwargs)

    def form_valid(self, form: IndicatorForm) -> HttpResponse:
        services.indicator_save(indicator=form.instance)
        messages.success(self.request, _("Indicateur ajouté."))
        return redirect(
            "actions:fiche_detail", territory=self.territory.slug, pk=self.editable_fiche().pk
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
            values=selectors.indicator_values(indicator=self.object),
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
    """GET asks to confirm (RGAA 11.12: no deletion in one click); POST deletes."""

    http_method_names = ["get", "post"]
    write = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        indicator = self.get_object()
        count = indicator.values.count()
        if count:
            consequence = ngettext(
                "Sa mesure sera supprimée avec lui ; il disparaît de la fiche-action et de son fil.",
                "Ses %(count)s mesures seront supprimées avec lui ; il disparaît de la "
                "fiche-action et de son fil.",
                count,
            ) % {"count": count}
        else:
            consequence = _("Il n'a aucune mesure ; il disparaît de la fiche-action.")
        return render(
            request,
            "evaluation/delete_confirm.html",
            {
                "territory": self.territory,
                "heading": _("Supprimer cet indicateur ?"),
                "what": _("Indicateur « %(title)s » de la fiche-action %(number)s %(fiche)s.")
                % {
                    "title": indicator.title,
                    "number": indicator.fiche.number,
                    "fiche": indicator.fiche.title,
                },
                "consequence": consequence,
                "button": _("Supprimer l'indicateur"),
                "cancel": reverse(
                    "actions:indicator_update",
                    kwargs={"territory": self.territory.slug, "pk": indicator.pk},
                ),
            },
        )

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
    confirm_heading = gettext_lazy("Supprimer cette mesure ?")
    confirm_button = gettext_lazy("Supprimer la mesure")
    confirm_consequence = gettext_lazy(
        "Elle disparaît de l'indicateur, de la fiche-action et de son fil."
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

    def describe(self, record: IndicatorValue) -> str:
        indicator = self.get_parent()
        return _("Mesure du %(date)s de « %(indicator)s » : %(value)s.") % {
            "date": date_format(record.measured_on, "j F Y"),
            "indicator": indicator.title,
            "value": format_value(record.value, indicator.unit),
        }

    def records(self) -> list[IndicatorValue]:
        if not hasattr(self, "_records"):
            self._records = selectors.indicator_values(indicator=self.get_parent())
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
