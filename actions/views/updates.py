"""The dated news of a fiche-action: posting one, correcting or deleting them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from .. import selectors, services
from ..forms.fiches import UpdateEditForm, UpdateForm
from ..models import ActionUpdate, FicheAction
from .base import CorrectionsMixin
from .fiches import FicheObjectMixin


class FicheUpdatePostView(FicheObjectMixin, View):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fiche = self.editable_fiche()
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
    confirm_heading = gettext_lazy("Supprimer cette actualité ?")
    confirm_button = gettext_lazy("Supprimer l'actualité")
    confirm_consequence = gettext_lazy(
        "Elle disparaît du fil de la fiche-action ; si elle rendait compte d'une réunion, le "
        "compte-rendu de la réunion reste."
    )

    def get_parent(self) -> FicheAction:
        return self.editable_fiche()

    def fiche_of(self, parent: FicheAction) -> FicheAction:
        return parent

    def describe(self, record: ActionUpdate) -> str:
        return _("Actualité du %(date)s : %(text)s") % {
            "date": date_format(record.happened_on, "j F Y"),
            "text": Truncator(record.text).chars(200),
        }

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
