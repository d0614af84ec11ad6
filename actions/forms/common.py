"""What the forms of contracts and fiches-actions share: year messages, shared selects and
structure pickers, the amendment note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cls_platform.widgets import PickerField, PickerValue, posted_ids
from partners import search
from partners.models import Organization

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


class SharedPickerField(PickerField):
    """A picker among several of a page over the same objects (a formset's rows, the sign
    page's twelve signatories): the objects they name, posted or already chosen, are read once
    for all of them (`share_picked`), not once each. An id that was not read (another
    territory's, forged) is checked as any picker does it, and refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shared: dict[str, Model] = {}

    def share(self, objects: dict[str, Model]) -> None:
        self._shared = objects

    def prepare_value(self, value: Any) -> Any:
        if not isinstance(value, PickerValue | Model) and str(value) in self._shared:
            return self._shared[str(value)]
        return super().prepare_value(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, PickerValue) and value.pk in self._shared and "\x00" not in value.text:
            self.widget.matches = []
            return self._shared[value.pk]
        return super().to_python(value)


def share_picked(
    pickers: Sequence[tuple[SharedPickerField, str]],
    data: Any,
    *,
    current: QuerySet[Any] | None = None,
) -> None:
    """Read in one query what `pickers` (each with its name in the posted `data`) name: the
    ids posted (chosen in the combobox or among the matches), and `current` (the ids already
    chosen, which the page shows). Nothing posted nor chosen: no query."""
    if not pickers:
        return
    ids = {
        pk
        for _field, name in pickers
        for key in (f"{name}_id", f"{name}_choice")
        for pk in posted_ids(data, key)
    }
    objects: dict[str, Model] = {}
    if ids or current is not None:
        wanted = Q(pk__in=sorted(ids))
        if current is not None:
            wanted |= Q(pk__in=current)
        objects = {str(obj.pk): obj for obj in pickers[0][0].queryset.filter(wanted)}
    for field, _name in pickers:
        field.share(objects)


def organization_picker(
    territory: Any, structures: QuerySet[Organization], **kwargs: Any
) -> SharedPickerField:
    """A searchable field over `structures` (a territory has hundreds): the combobox asks the
    directory's search as one types; without JavaScript the name typed is resolved on saving."""
    return search.organization_picker(
        territory, structures, field_class=SharedPickerField, **kwargs
    )


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
