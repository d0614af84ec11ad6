"""The collaboration scale, edited whole."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from ..models import CollaborationLevel


class CollaborationLevelForm(forms.ModelForm):
    rank = forms.IntegerField(
        label=_("Rang"),
        min_value=1,
        max_value=99,
        error_messages={
            "min_value": _("Le rang est un nombre de 1 à 99."),
            "max_value": _("Le rang est un nombre de 1 à 99."),
            "required": _("Indiquez le rang du niveau."),
        },
    )

    class Meta:
        model = CollaborationLevel
        fields = ["rank", "label", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"label": {"required": _("Chaque niveau a un libellé.")}}

    def validate_unique(self) -> None:
        """Ranks are checked across the whole scale when it is saved, so that two levels may
        swap their ranks in one go."""


class CollaborationScaleFormSetBase(BaseModelFormSet):
    def get_unique_error_message(self, unique_check: Sequence[str]) -> str:
        return str(_("Deux niveaux ont le même rang : chaque rang n'est utilisé qu'une fois."))

    def get_form_error(self) -> str:
        return str(_("Ce rang est déjà celui d'un autre niveau."))


CollaborationScaleFormSet = modelformset_factory(
    CollaborationLevel,
    form=CollaborationLevelForm,
    formset=CollaborationScaleFormSetBase,
    extra=1,
    can_delete=True,
)
