"""What the forms of contracts and fiches-actions share: year messages, shared selects, the
amendment note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from ..models import YEAR_MESSAGE, Contract

YEAR_ERRORS = {"min_value": YEAR_MESSAGE, "max_value": YEAR_MESSAGE, "invalid": YEAR_MESSAGE}


class SharedModelChoiceField(forms.ModelChoiceField):
    """A select whose options are read once and shared by every form that shows the same list
    (a formset's rows, the sign page's twelve signatories): no query per row, neither to show
    the options nor to check the choice."""

    def share(self, objects: Sequence[Model]) -> None:
        self._shared = {str(obj.pk): obj for obj in objects}
        choices: list[tuple[Any, str]] = [
            (obj.pk, self.label_from_instance(obj)) for obj in objects
        ]
        if self.empty_label is not None:
            choices.insert(0, ("", self.empty_label))
        self.choices = choices

    def to_python(self, value: Any) -> Model | None:
        shared = getattr(self, "_shared", None)
        if shared is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        key = str(value.pk if isinstance(value, Model) else value)
        if key not in shared:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return shared[key]


class AmendmentMixin(forms.Form):
    """Adds the amendment note a signed contract's structural change asks for."""

    amendment_help = _(
        "Contrat signé : la modification de sa structure (axes, numérotation, nouvelle fiche) est "
        "gardée dans l'historique des avenants."
    )

    amendment_note = forms.CharField(
        label=_("Avenant autorisant la modification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def drop_amendment_if_unlocked(self, contract: Contract | None) -> None:
        if contract is None or not contract.structure_locked:
            self.fields.pop("amendment_note", None)
        elif "amendment_note" in self.fields:
            self.fields["amendment_note"].help_text = self.amendment_help
