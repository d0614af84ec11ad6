"""django-filter FilterSet of the fiches-actions list."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from partners.models import Organization, Qpv

from .models import ActionStatus, Axis, AxisKind, Contract, FicheAction, OttawaArea, Public

YES_NO = [("oui", _("Oui")), ("non", _("Non"))]


class AxisChoiceField(forms.ModelChoiceField):
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
    pilot = filters.ModelChoiceFilter(
        label=_("Structure pilote"),
        field_name="pilot_organization",
        queryset=Organization.objects.none(),
        empty_label=_("Toutes"),
    )
    partner = filters.ModelChoiceFilter(
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
            for name in ("axis", "transversal"):
                self.filters[name].extra["name_contract"] = several
        if territory is not None:
            organizations = Organization.objects.filter(territory=territory).order_by("name")
            self.filters["pilot"].queryset = organizations
            self.filters["partner"].queryset = organizations
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
