"""django-filter FilterSet of the fiches-actions list."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from partners.models import Organization, Qpv

from .models import ActionStatus, Axis, AxisKind, Contract, FicheAction, OttawaArea, Public

YES_NO = [("oui", _("Oui")), ("non", _("Non"))]


class Once:
    """A queryset read at most once per request, however many selects list it (the pilot and the
    partner structure; the thematic and the transversal axes), optionally kept to some rows."""

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


class SharedChoiceFilter(filters.ModelChoiceFilter):
    field_class = SharedChoiceField


class AxisChoiceField(SharedChoiceField):
    """Axes of several contracts look alike ("Axe 1 : Santé mentale" in 2020 and in 2023):
    when more than one contract is listed, each option names its contract ("CLS 2023-2028")."""

    def __init__(self, *args: Any, name_contract: bool = False, **kwargs: Any) -> None:
        self.name_contract = name_contract
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Axis) -> str:
        if not self.name_contract:
            return str(obj)
        contract = obj.contract
        return f"{obj} — {contract.kind.upper()} {contract.period}"


class AxisChoiceFilter(filters.ModelChoiceFilter):
    field_class = AxisChoiceField


class FicheActionFilter(filters.FilterSet):
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
    pilot = SharedChoiceFilter(
        label=_("Structure pilote"),
        field_name="pilot_organization",
        queryset=Organization.objects.none(),
        empty_label=_("Toutes"),
    )
    partner = SharedChoiceFilter(
        label=_("Structure partenaire"),
        method="filter_partner",
        queryset=Organization.objects.none(),
        empty_label=_("Toutes"),
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

    class Meta:
        model = FicheAction
        fields: list[str] = []

    def __init__(self, *args, territory=None, contracts=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if contracts is not None:
            self.filters["contract"].queryset = contracts
            axes = (
                Axis.objects.filter(contract__in=contracts)
                .select_related("contract")
                .order_by("contract", "number")
            )
            several = contracts.order_by().values("pk")[:2].count() > 1
            self.filters["axis"].queryset = axes.filter(kind=AxisKind.THEMATIC)
            self.filters["transversal"].queryset = axes.filter(kind=AxisKind.TRANSVERSAL)
            # Both selects list the axes read once.
            every_axis = Once(axes)
            for name, kind in (("axis", AxisKind.THEMATIC), ("transversal", AxisKind.TRANSVERSAL)):
                self.filters[name].extra["name_contract"] = several
                self.filters[name].extra["shared"] = every_axis.where(
                    lambda axis, kind=kind: axis.kind == kind
                )
        if territory is not None:
            organizations = Organization.objects.filter(territory=territory).order_by("name")
            self.filters["pilot"].queryset = organizations
            self.filters["partner"].queryset = organizations
            # The pilot and the partner selects list the structures read once.
            structures = Once(organizations)
            self.filters["pilot"].extra["shared"] = structures
            self.filters["partner"].extra["shared"] = structures
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

    def filter_partner(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(partnerships__organization=value).distinct()
