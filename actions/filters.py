"""django-filter FilterSet of the fiches-actions list."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import django_filters as filters
from django import forms
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cls_platform.widgets import PickerValue, PickerWidget, is_id
from partners.filter_form import (
    ListFilterSet,
    QuickFilterForm,
)
from partners.models import Organization, Qpv
from partners.search import organizations_matching

from .models import ActionStatus, Axis, AxisKind, Contract, FicheAction, OttawaArea, Public

YES_NO = [("oui", _("Oui")), ("non", _("Non"))]


class AxisChoiceField(forms.ModelChoiceField):
    """Axes of several contracts look alike ("Axe 1 : Santé mentale" in 2020 and in 2023):
    when more than one contract is listed, each option names its contract ("CLS 2023-2028").
    The list page writes its options from `filter_options` (FicheFilterForm); this naming is
    what Django's own rendering of the field writes."""

    def __init__(self, *args: Any, name_contract: Callable[[], bool] = bool, **kwargs: Any) -> None:
        self.name_contract = name_contract
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Axis) -> str:
        if not self.name_contract():
            return str(obj)
        contract = obj.contract
        return axis_option(obj, contract.kind, contract.start_year, contract.end_year)


def axis_option(axis: Axis, contract_kind: str, start_year: int, end_year: int) -> str:
    return f"{axis} — {contract_kind.upper()} {start_year}-{end_year}"


class AxisChoiceFilter(filters.ModelChoiceFilter):
    field_class = AxisChoiceField


# The options of every select of the form whose choices are rows (contracts, their axes with
# their contract, publics, QPVs, Ottawa areas), in one statement written out: the ORM took
# longer to build the union of five queries than the database to run it. Each part fills the
# sort keys (columns 2 to 7) as its model orders it: contracts as the lists do (most recent
# first), axes by contract then number, publics by order then name, QPVs by name, Ottawa areas
# by order. Portable (placeholders, UNION ALL, ORDER BY positions): SQLite runs it too.
OPTIONS_SQL = """
SELECT 0, -c."start_year", -c."end_year", c."kind", c."title", 0, c."id", c."title",
       '', 0, 0, '', 0, 0
FROM "actions_contract" c WHERE c."id" IN ({contracts})
UNION ALL
SELECT 1, -c."start_year", 0, c."kind", '', a."number", a."id", a."title",
       a."kind", a."number", a."contract_id", c."kind", c."start_year", c."end_year"
FROM "actions_axis" a JOIN "actions_contract" c ON c."id" = a."contract_id"
WHERE a."contract_id" IN ({contracts})
UNION ALL
SELECT 2, p."order", 0, '', p."name", 0, p."id", p."name", '', 0, 0, '', 0, 0
FROM "actions_public" p
UNION ALL
SELECT 3, 0, 0, '', q."name", 0, q."id", q."name", '', 0, 0, '', 0, 0
FROM "partners_qpv" q WHERE q."territory_id" = %s
UNION ALL
SELECT 4, o."order", 0, '', '', 0, o."id", o."name", '', 0, 0, '', 0, 0
FROM "actions_ottawaarea" o
ORDER BY 1, 2, 3, 4, 5, 6, 7"""


def filter_options(*, contracts: QuerySet, territory_id: int) -> dict[str, list[tuple]]:
    """The options (value, label) of the selects `contract`, `axis`, `transversal`, `public`,
    `qpv` and `ottawa` in one query: `contracts` (a queryset, its access rules kept) is a
    subquery; an axis names its contract when the axes come from several contracts, as
    AxisChoiceField does."""
    scope, scope_params = contracts.order_by().values("pk").query.sql_with_params()
    options: dict[str, list[tuple]] = {
        "contract": [],
        "axis": [],
        "transversal": [],
        "public": [],
        "qpv": [],
        "ottawa": [],
    }
    axes = []
    with connection.cursor() as cursor:
        cursor.execute(
            OPTIONS_SQL.format(contracts=scope),
            [*scope_params, *scope_params, territory_id],
        )
        rows = cursor.fetchall()
    by_part = ("contract", None, "public", "qpv", "ottawa")
    for part, _1, _2, _3, _4, _5, pk, label, *axis in rows:
        if part == 1:
            axes.append((pk, label, *axis))
        else:
            options[by_part[part]].append((pk, label))
    several = len({contract_id for *_axis, contract_id, _k, _s, _e in axes}) > 1
    for pk, title, kind, number, _contract_id, contract_kind, start, end in axes:
        axis = Axis(kind=kind, number=number, title=title)
        label = axis_option(axis, contract_kind, start, end) if several else str(axis)
        options["axis" if kind == AxisKind.THEMATIC else "transversal"].append((pk, label))
    return options


class FicheFilterForm(QuickFilterForm):
    """The fiches-actions list's filter form: QuickFilterForm's, with the options of all its
    selects read in one query (`filter_options`) when the FilterSet knows its contracts."""

    # Set by FicheActionFilter on this request's form class: (contracts, territory id).
    options_source: tuple[QuerySet, int] | None = None

    def read_options(self) -> dict[str, list]:
        if self.options_source is None:
            return super().read_options()
        contracts, territory_id = self.options_source
        return filter_options(contracts=contracts, territory_id=territory_id)


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
        # The structure found is named in the text input, its id in the hidden one; a text
        # that filters by every structure it finds stays in the input, as typed.
        found = self._found.get(value, value) if isinstance(value, PickerValue) else value
        return PickerValue(text=found) if isinstance(found, str) else found


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

    # Without contracts and territory (FicheFilterForm reads all the options then), the
    # options of these selects are read in one query (the names: each model's __str__).
    options_named_by = {"contract": "title", "public": "name", "qpv": "name", "ottawa": "name"}

    class Meta:
        model = FicheAction
        fields: list[str] = []
        form = FicheFilterForm

    def __init__(self, *args, territory=None, contracts=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options_source = None
        if contracts is not None:
            self.filters["contract"].queryset = contracts
            # For checking the axis chosen (the options are read by filter_options).
            axes = Axis.objects.filter(contract__in=contracts).select_related("contract")
            self.filters["axis"].queryset = axes.filter(kind=AxisKind.THEMATIC)
            self.filters["transversal"].queryset = axes.filter(kind=AxisKind.TRANSVERSAL)

            @cache
            def several() -> bool:
                return axes.order_by().values("contract_id").distinct().count() > 1

            for name in ("axis", "transversal"):
                self.filters[name].extra["name_contract"] = several
            if territory is not None:
                self.options_source = (contracts, territory.pk)
        self.structures = Organization.objects.none()
        if territory is not None:
            self.structures = Organization.objects.filter(territory=territory)
            url = reverse(
                "partners:organization_filter_search", kwargs={"territory": territory.slug}
            )
            for name in ("pilot", "partner"):
                self.filters[name].extra.update(queryset=self.structures, url=url)
            self.filters["qpv"].queryset = Qpv.objects.filter(territory=territory)

    def get_form_class(self) -> type[forms.Form]:
        form_class = super().get_form_class()
        form_class.options_source = self.options_source
        return form_class

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
