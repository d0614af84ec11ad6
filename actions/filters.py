"""django-filter FilterSet of the fiches-actions list."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cls_platform.widgets import PickerValue, PickerWidget, is_id
from partners.filter_form import ListFilterSet, QuickFilterForm
from partners.models import Organization, Qpv
from partners.search import organizations_matching

from .models import ActionStatus, Axis, AxisKind, Contract, FicheAction, OttawaArea, Public

YES_NO = [("oui", _("Oui")), ("non", _("Non"))]


class Once:
    """A queryset read at most once per request, however many selects list it (the thematic and
    the transversal axes), optionally kept to some rows."""

    def __init__(self, queryset: QuerySet, keep: Any = None, *, source: Once | None = None):
        self.queryset, self.keep, self.source = queryset, keep, source
        self._objects: list[Any] | None = None

    def where(self, keep: Any) -> Once:
        return Once(self.queryset, keep, source=self)

    def __iter__(self):
        if self.source is not None:
            return (obj for obj in self.source if self.keep(obj))
        if self._objects is None:
            self._objects = list(self.queryset)
        return iter(self._objects)


class SharedChoiceIterator(ModelChoiceIterator):
    """The options of a select from its field's `shared` rows (a `Once`) when it has some: the
    queryset stays for validating the answer."""

    def __iter__(self):
        shared = getattr(self.field, "shared", None)
        if shared is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in shared:
            yield self.choice(obj)

    def __len__(self) -> int:
        shared = getattr(self.field, "shared", None)
        if shared is None:
            return super().__len__()
        return sum(1 for _ in shared) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        shared = getattr(self.field, "shared", None)
        if shared is None:
            return super().__bool__()
        return self.field.empty_label is not None or any(True for _ in shared)


class SharedChoiceField(forms.ModelChoiceField):
    iterator = SharedChoiceIterator

    def __init__(self, *args: Any, shared: Once | None = None, **kwargs: Any) -> None:
        self.shared = shared
        super().__init__(*args, **kwargs)


class AxisChoiceField(SharedChoiceField):
    """Axes of several contracts look alike ("Axe 1 : Santé mentale" in 2020 and in 2023):
    when more than one contract is listed, each option names its contract ("CLS 2023-2028")."""

    def __init__(self, *args: Any, name_contract: Callable[[], bool] = bool, **kwargs: Any) -> None:
        self.name_contract = name_contract
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Axis) -> str:
        if not self.name_contract():
            return str(obj)
        contract = obj.contract
        return f"{obj} — {contract.kind.upper()} {contract.period}"


class AxisChoiceFilter(filters.ModelChoiceFilter):
    field_class = AxisChoiceField


class StructureSearchField(forms.Field):
    """A structure chosen in the picker (static/js/picker.js puts its id beside the text) or a
    part of a name typed, which filters by every structure it finds (as the directory's search
    does: case and accents ignored). A bare id in the text is a bookmark of the former select
    (?pilot=12): that structure, named in the field."""

    widget = PickerWidget

    def __init__(self, *, queryset: QuerySet | None = None, url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Organization.objects.none()
        self.widget.url = url
        self._found: dict[PickerValue, Any] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> StructureSearchField:
        result = super().__deepcopy__(memo)
        result._found = {}
        return result

    def to_python(self, value: Any) -> Organization | str | None:
        picked = value if isinstance(value, PickerValue) else PickerValue(text=str(value or ""))
        text = picked.text.replace("\x00", "")[:100]  # PostgreSQL refuses NUL in a query
        found: Organization | str | None = None
        for pk in (picked.pk, text):
            if is_id(pk):
                found = self.queryset.filter(pk=int(pk)).first()
                if found is not None:
                    break
        if found is None:
            found = text or None
        self._found[picked] = found
        return found

    def prepare_value(self, value: Any) -> Any:
        # The structure found is named in the text input, its id in the hidden one.
        return self._found.get(value, value) if isinstance(value, PickerValue) else value


class StructureSearchFilter(filters.Filter):
    field_class = StructureSearchField


def structures_in(queryset: QuerySet, value: Organization | str) -> Any:
    """The structure chosen, or those whose name or acronym holds the text (a subquery)."""
    if isinstance(value, Organization):
        return [value.pk]
    return organizations_matching(queryset, value).order_by().values("pk")


class FicheActionFilter(ListFilterSet):
    q = filters.CharFilter(label=_("Numéro ou intitulé"), method="search")
    contract = filters.ModelChoiceFilter(
        label=_("Contrat"), queryset=Contract.objects.none(), empty_label=_("Tous")
    )
    axis = AxisChoiceFilter(
        label=_("Axe thématique"),
        field_name="thematic_axis",
        queryset=Axis.objects.none(),
        empty_label=_("Tous"),
    )
    transversal = AxisChoiceFilter(
        label=_("Axe transversal"),
        field_name="transversal_axes",
        queryset=Axis.objects.none(),
        empty_label=_("Tous"),
    )
    status = filters.ChoiceFilter(
        label=_("État"), choices=ActionStatus.choices, empty_label=_("Tous")
    )
    late = filters.ChoiceFilter(
        label=_("En retard"), choices=YES_NO, method="filter_late", empty_label=_("Indifférent")
    )
    # Searched as one types (a territory has hundreds of structures), never all listed.
    pilot = StructureSearchFilter(
        label=_("Structure pilote"),
        method="filter_pilot",
        help_text=_("Une partie du nom ou du sigle."),
    )
    partner = StructureSearchFilter(
        label=_("Structure partenaire"),
        method="filter_partner",
        help_text=_("Une partie du nom ou du sigle."),
    )
    public = filters.ModelChoiceFilter(
        label=_("Public"),
        field_name="publics",
        queryset=Public.objects.all(),
        empty_label=_("Tous"),
    )
    qpv = filters.ModelChoiceFilter(
        label=_("QPV"), field_name="qpvs", queryset=Qpv.objects.none(), empty_label=_("Tous")
    )
    ottawa = filters.ModelChoiceFilter(
        label=_("Charte d'Ottawa"),
        field_name="ottawa_areas",
        queryset=OttawaArea.objects.all(),
        empty_label=_("Tous"),
    )
    order = filters.OrderingFilter(
        label=_("Trier par"),
        fields=(
            ("number", "number"),
            ("end_date", "end_date"),
            ("progress", "progress"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "number": _("Numéro"),
            "end_date": _("Échéance"),
            "progress": _("Avancement"),
            "updated_at": _("Dernière modification"),
        },
        empty_label=_("Contrat et numéro"),
    )

    # Their options read in one query (the names: each model's __str__); the axes apart
    # (Once, with their contracts).
    options_named_by = {"contract": "title", "public": "name", "qpv": "name", "ottawa": "name"}

    class Meta:
        model = FicheAction
        fields: list[str] = []
        form = QuickFilterForm

    def __init__(self, *args, territory=None, contracts=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if contracts is not None:
            self.filters["contract"].queryset = contracts
            axes = (
                Axis.objects.filter(contract__in=contracts)
                .select_related("contract")
                # What an option names (AxisChoiceField), not the texts of the axes and contracts.
                .only(
                    "contract_id",
                    "kind",
                    "number",
                    "title",
                    "contract__kind",
                    "contract__start_year",
                    "contract__end_year",
                )
                .order_by("contract", "number")
            )
            self.filters["axis"].queryset = axes.filter(kind=AxisKind.THEMATIC)
            self.filters["transversal"].queryset = axes.filter(kind=AxisKind.TRANSVERSAL)
            # Both selects list the axes read once, and tell from them whether they come from
            # several contracts (no query of its own).
            every_axis = Once(axes)

            @cache
            def several() -> bool:
                return len({axis.contract_id for axis in every_axis}) > 1

            for name, kind in (("axis", AxisKind.THEMATIC), ("transversal", AxisKind.TRANSVERSAL)):
                self.filters[name].extra["name_contract"] = several
                self.filters[name].extra["shared"] = every_axis.where(
                    lambda axis, kind=kind: axis.kind == kind
                )
        self.structures = Organization.objects.none()
        if territory is not None:
            self.structures = Organization.objects.filter(territory=territory)
            url = reverse(
                "partners:organization_filter_search", kwargs={"territory": territory.slug}
            )
            for name in ("pilot", "partner"):
                self.filters[name].extra.update(queryset=self.structures, url=url)
            self.filters["qpv"].queryset = Qpv.objects.filter(territory=territory)

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__istartswith=value) | Q(title__icontains=value))

    def filter_late(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "oui":
            return queryset.filter(late=True)
        if value == "non":
            return queryset.filter(late=False)
        return queryset

    def filter_pilot(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(pilot_organization__in=structures_in(self.structures, value))

    def filter_partner(self, queryset: QuerySet, name: str, value) -> QuerySet:
        found = structures_in(self.structures, value)
        return queryset.filter(partnerships__organization__in=found).distinct()
