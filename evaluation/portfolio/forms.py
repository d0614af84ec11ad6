"""The filters of the table of all one's contracts (a GET form: the address says what is shown)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from actions.models import ContractStatus
from cls_platform.departments import department_label
from cls_platform.departments import sort_key as department_order

from .selectors import ContractRow


class RememberedSelect(forms.Select):
    """A select whose HTML is remembered for the same name, value, attributes, choices and
    language: an ARS delegation's table lists a hundred departments, whose options the
    template engine wrote out again on every request (a tenth of the page's time)."""

    known: dict[tuple, str] = {}
    LIMIT = 512

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        try:
            key = (
                name,
                value,
                tuple(sorted((attrs or {}).items())),
                tuple((choice, str(label)) for choice, label in self.choices),
                get_language(),
                renderer,
            )
            hash(key)
        except TypeError:  # a value or an attribute that cannot be a key: written out
            return super().render(name, value, attrs, renderer)
        html = self.known.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(self.known) >= self.LIMIT:
                self.known.clear()
            self.known[key] = html
        return html


class Choices(BaseChoiceIterator):
    """Choices already in their final shape, that the field and the widget take as they are
    (a list is checked item by item again each time it is read: a hundred departments, half a
    dozen times a page)."""

    def __init__(self, items: list[tuple[str, Any]]) -> None:
        self.items = items

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(self.items)


@functools.lru_cache(maxsize=64)
def department_choices(codes: frozenset[str], language: str) -> Choices:
    """ "All", then the departments `codes` in INSEE's order with their names: the same for
    every page of a user, in their `language`."""
    ordered = sorted((code for code in codes if code), key=department_order)
    return Choices([("", _("Tous")), *((code, department_label(code)) for code in ordered)])


class PortfolioFilterForm(forms.Form):
    department = forms.ChoiceField(label=_("Département"), required=False, widget=RememberedSelect)
    status = forms.ChoiceField(label=_("État du contrat"), required=False, widget=RememberedSelect)

    def __init__(self, data: Any, *, departments: Iterable[str], statuses: Iterable[str]) -> None:
        # Any of the form's own fields in the address makes it bound (page or order alone do
        # not count as a filter, and an empty address shows everything).
        bound = any(data.get(name) for name in ("department", "status"))
        super().__init__(data if bound else None)
        self.fields["department"].choices = department_choices(
            frozenset(departments), get_language()
        )
        # The states of the user's contracts only: a signatory never sees one in preparation.
        present = set(statuses)
        self.fields["status"].choices = [
            ("", _("Tous")),
            *((value, label) for value, label in ContractStatus.choices if value in present),
        ]
        self.fields["department"].error_messages["invalid_choice"] = _(
            "Aucun de vos contrats n'est dans le département « %(value)s » : choisissez-en un dans "
            "la liste. Ce filtre n'est pas appliqué."
        )
        self.fields["status"].error_messages["invalid_choice"] = _(
            "« %(value)s » n'est pas un état de contrat : choisissez-en un dans la liste. Ce "
            "filtre n'est pas appliqué."
        )

    def filter(self, rows: list[ContractRow]) -> list[ContractRow]:
        """The rows that match the valid filters; a filter in error filters nothing."""
        if not self.is_bound:
            return rows
        self.is_valid()
        wanted = self.cleaned_data
        if department := wanted.get("department"):
            rows = [row for row in rows if row.department_code == department]
        if status := wanted.get("status"):
            rows = [row for row in rows if row.status == status]
        return rows
