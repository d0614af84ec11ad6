"""Forms of the public directory's management: the directory itself, a structure's public entry,
and the choice of structures to publish from the list. French labels, nothing lost on a bad
entry (a form comes back with what was typed, errors beside the fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from actions.models import Public
from cls_platform.forms import IsoDateInput
from cls_platform.widgets import is_id
from partners.forms import KeepsUnsentFields
from partners.models import Organization

from .models import PublicDirectory, PublicListing


def queryable(field: forms.ModelChoiceField, value: object) -> bool:
    """A value the database can be asked about: an id that fits a bigint (SQLite and PostgreSQL
    fail on a longer one, a 500 for a stray "?quartier=99999999999999999999"), or a text
    without NUL (PostgreSQL refuses it)."""
    text = str(value)
    return is_id(text) if field.to_field_name is None else "\x00" not in text


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not queryable(self, value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        for item in value:
            if not queryable(self, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class DirectoryForm(KeepsUnsentFields):
    class Meta:
        model = PublicDirectory
        fields = ["is_published", "intro"]
        labels = {"is_published": _("Mettre l'annuaire public en ligne")}
        help_texts = {
            "is_published": _(
                "En ligne, n'importe qui peut le consulter : seules y figurent les structures "
                "que vous avez rendues publiques."
            )
        }
        widgets = {"intro": forms.Textarea(attrs={"rows": 5})}


class ListingForm(KeepsUnsentFields):
    class Meta:
        model = PublicListing
        fields = ["is_public", "agreed_on", "publics", "phone", "email"]
        field_classes = {"publics": SafeModelMultipleChoiceField}
        labels = {"is_public": _("Faire figurer cette structure dans l'annuaire public")}
        widgets = {
            "agreed_on": IsoDateInput,
            "publics": forms.CheckboxSelectMultiple,
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["publics"].queryset = Public.objects.all()


PUBLISH, WITHDRAW = "publier", "retirer"


class SelectionForm(forms.Form):
    """Structures ticked in the list, and what to do with them."""

    organizations = SafeModelMultipleChoiceField(
        label=_("Structures"),
        queryset=Organization.objects.none(),
        error_messages={
            "required": _("Cochez au moins une structure."),
            "invalid_choice": _(
                "Une structure cochée n'est plus dans la liste (archivée entre-temps ?) : "
                "rechargez la page."
            ),
            "invalid_pk_value": _("Cette structure est inconnue."),
        },
    )
    agreed_on = forms.DateField(
        label=_("Date de leur accord"),
        required=False,
        widget=IsoDateInput,
        help_text=_(
            "Pour publier : la date à laquelle ces structures ont accepté de figurer dans "
            "l'annuaire public (gardée pour celles dont l'accord est déjà noté)."
        ),
    )
    action = forms.ChoiceField(
        choices=[(PUBLISH, _("Publier")), (WITHDRAW, _("Retirer"))],
        error_messages={"required": _("Choisissez de publier ou de retirer ces structures.")},
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations

    def chosen(self) -> set[str]:
        """The ids ticked, as sent: the list shows them ticked again after an error."""
        return set(self.data.getlist("organizations")) if self.is_bound else set()
