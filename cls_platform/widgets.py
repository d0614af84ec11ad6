"""A searchable picker over a model: a text field enhanced into an accessible combobox.

Without JavaScript the field is a plain text input: the person types a name and the server
resolves it (one match: taken; several: the form comes back with the matches as radio buttons;
none: an error in French). static/js/picker.js turns the input into an ARIA 1.2 combobox that
asks a JSON search view (partners/search.py) as one types, and puts the chosen id in a hidden
input; the server then takes that id, checked against the field's queryset.

This module knows nothing of the apps above it: the field is given its queryset, how to search
it and how to label a match.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

# Most matches a picker lists (the combobox and the radio buttons of the fallback alike).
PICKER_LIMIT = 20
# Longest text a picker searches for (a name, a structure): a longer one is refused in French
# before it reaches the database (the JSON searches cut theirs at 100 characters).
PICKER_TEXT_LIMIT = 200

Search = Callable[[QuerySet[Any], str], QuerySet[Any]]
Label = Callable[[Any], str]


def fold(text: str) -> str:
    """Lower case, without accents: "Élodie" and "elodie" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae").lower()


def is_id(text: str) -> bool:
    """ASCII digits that fit a 64-bit id: "²" passes str.isdigit() and breaks int(), 20 digits
    break SQLite."""
    return text.isascii() and text.isdigit() and len(text) <= 18


@dataclass(frozen=True)
class PickerValue:
    """What the browser sent: the text typed and, when one was chosen, the id."""

    text: str = ""
    pk: str = ""


class PickerWidget(forms.Widget):
    """A text input, a hidden input for the chosen id, and the matches to choose from when the
    server found several for what was typed."""

    template_name = "includes/picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url = ""
        self.label_of: Label = str
        self.matches: list[tuple[Any, str]] = []

    def format_value(self, value: Any) -> PickerValue:  # type: ignore[override]
        if isinstance(value, PickerValue):
            return value
        if isinstance(value, Model):
            return PickerValue(self.label_of(value), str(value.pk))
        return PickerValue()

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            url=self.url,
            matches=self.matches,
            picked=self.format_value(value),
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> PickerValue:
        # A radio button of the fallback list wins over the hidden id the script may have set.
        pk = data.get(f"{name}_choice") or data.get(f"{name}_id") or ""
        return PickerValue(text=(data.get(name) or "").strip(), pk=str(pk).strip())

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_id" not in data and f"{name}_choice" not in data


class PickerField(forms.Field):
    """One object of `queryset`, chosen in the combobox or typed and resolved by `search`."""

    widget = PickerWidget
    default_error_messages = {
        "required": _("Indiquez un nom."),
        "unavailable": _("Ce choix n'est pas proposé ici : tapez le nom pour chercher à nouveau."),
        "none": _("Aucune correspondance dans l'annuaire pour « %(text)s »."),
        "several": _(
            "Plusieurs correspondances pour « %(text)s » : choisissez dans la liste ci-dessous."
        ),
        "long": _("Tapez au plus %(limit)d caractères : un nom ou une structure."),
    }

    def __init__(
        self,
        *,
        queryset: QuerySet[Any],
        search: Search,
        label_of: Label = str,
        url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.queryset = queryset
        self._initial_objects: dict[str, Any] = {}  # an initial id's object, read once
        # What each value sent resolved to: the form shown again (another field in error)
        # names the object found, not the text typed, and keeps its id.
        self._resolved: dict[PickerValue, Any] = {}
        self.search = search
        self.label_of = label_of
        self.url = url

    def __deepcopy__(self, memo: dict[int, Any]) -> PickerField:
        result = super().__deepcopy__(memo)
        result.queryset = self.queryset.all()
        result._initial_objects = {}
        result._resolved = {}
        return result

    @property
    def url(self) -> str:
        return self.widget.url

    @url.setter
    def url(self, value: str) -> None:
        self.widget.url = value

    @property
    def label_of(self) -> Label:
        return self._label_of

    @label_of.setter
    def label_of(self, value: Label) -> None:
        self._label_of = value
        self.widget.label_of = value

    def prepare_value(self, value: Any) -> Any:
        """An initial value given as an id (a ModelForm's, for a foreign key) shown as the
        object it names: its label in the text input, its id in the hidden one, so that the
        form, sent untouched, keeps it."""
        if isinstance(value, PickerValue):
            return self._resolved.get(value, value)
        if isinstance(value, Model) or value in self.empty_values:
            return value
        text = str(value)
        if not is_id(text):
            return value
        if text not in self._initial_objects:
            self._initial_objects[text] = self.queryset.filter(pk=int(text)).first()
        return self._initial_objects[text] or PickerValue()

    def to_python(self, value: Any) -> Any:
        if isinstance(value, Model) or value is None:
            return value
        picked = value if isinstance(value, PickerValue) else PickerValue(text=str(value))
        self.widget.matches = []
        if "\x00" in picked.text or "\x00" in picked.pk:
            # PostgreSQL refuses NUL in a query: Django's own French message, not a 500.
            ProhibitNullCharactersValidator()("\x00")
        if is_id(picked.pk):
            found = self.queryset.filter(pk=int(picked.pk)).first()
            if found is not None:
                return found
        text = picked.text
        if not text:
            if picked.pk:
                # A choice this field does not offer (someone who left since, another
                # territory's, a forged id): refused, not taken as "nobody".
                raise ValidationError(self.error_messages["unavailable"], code="unavailable")
            return None
        if len(text) > PICKER_TEXT_LIMIT:
            raise ValidationError(
                self.error_messages["long"], code="long", params={"limit": PICKER_TEXT_LIMIT}
            )
        matches = list(self.search(self.queryset, text)[: PICKER_LIMIT + 1])
        if len(matches) == 1:
            return matches[0]
        # "Bruno Faure — CCAS de Cergy" typed in full (the label the combobox shows) is one.
        exact = [m for m in matches if fold(self.label_of(m)) == fold(text)]
        if len(exact) == 1:
            return exact[0]
        if not matches:
            if picked.pk:
                # A choice not offered here, sent with its label (the leaver as their own
                # successor, a forged id): said so, rather than "nothing found".
                raise ValidationError(self.error_messages["unavailable"], code="unavailable")
            raise ValidationError(self.error_messages["none"], code="none", params={"text": text})
        self.widget.matches = [(m.pk, self.label_of(m)) for m in matches[:PICKER_LIMIT]]
        raise ValidationError(self.error_messages["several"], code="several", params={"text": text})

    def clean(self, value: Any) -> Any:
        found = super().clean(value)
        if isinstance(value, PickerValue) and isinstance(found, Model):
            self._resolved[value] = found
        return found

    def has_changed(self, initial: Any, data: Any) -> bool:
        before = str(initial.pk if isinstance(initial, Model) else initial or "")
        picked = data.pk if isinstance(data, PickerValue) else ""
        typed = data.text if isinstance(data, PickerValue) else ""
        if not picked:
            # Emptied, or a name typed and not chosen (resolved anew: a change).
            return bool(typed or before)
        return picked != before


def posted_ids(data: Any, name: str) -> list[int]:
    """The ids posted under `name` that can be ids at all (see `is_id`)."""
    values = data.getlist(name) if hasattr(data, "getlist") else []
    return [int(value) for value in map(str, values) if is_id(value)]


class PickedListField(forms.ModelMultipleChoiceField):
    """The list a picker fills (a group's pilots, a fiche's co-pilots): a box per object chosen
    so far, ticked, to untick for removing it; each named by `label_of`. With JavaScript,
    static/js/picker.js adds a box for each object chosen in the picker whose input names the
    list (data-picker-into)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, label_of: Label = str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj: Any) -> str:
        return self.label_of(obj)

    def _check_values(self, value: Any) -> Any:
        # A forged value that is no id ("²", 20 digits) is refused here: the database would
        # answer it with an error (SQLite cannot hold such an integer), a 500.
        for pk in value:
            if not is_id(str(pk)):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


def gathered_by(picker: PickerField, form: forms.BaseForm, name: str, added: str) -> None:
    """Make `picker` fill the list field `name` of `form` (its boxes' container, its field's
    name) with JavaScript, `added` ("{label} rejoint la liste") said to screen readers."""
    picker.widget.attrs.update(
        {
            "data-picker-into": form.auto_id % name if form.auto_id else "",
            "data-picker-into-name": form.add_prefix(name),
            "data-picker-added": added,
        }
    )
