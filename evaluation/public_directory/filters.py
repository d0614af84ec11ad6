"""The searches of the public directory (a GET form, kept apart from how it is shown): by words,
sector, public and neighbourhood on the public page; by name and state on the coordinator's."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from actions.models import Public
from cls_platform.widgets import fold
from partners.models import Organization, Qpv, Sector
from partners.search import Folded, organizations_matching

from .forms import SafeModelChoiceField
from .models import PublicListing
from .selectors import FilterChoices


class ModelChoiceFilter(filters.ModelChoiceFilter):
    """A choice that never reaches the database with an id too long or a NUL."""

    field_class = SafeModelChoiceField


def words_of(text: str) -> list[str]:
    """The words of a search, folded as `Folded` folds the columns; punctuation alone is no
    word, and NUL is dropped (PostgreSQL refuses it in a query)."""
    words = fold((text or "").replace("\x00", "")).split()
    return [word for word in words if any(c.isalnum() for c in word)]


class PublicListingFilter(filters.FilterSet):
    """The public page's search. Parameters in French, as the address shows them."""

    q = filters.CharFilter(label=_("Rechercher"), method="search", max_length=100)
    secteur = ModelChoiceFilter(
        label=_("Secteur"),
        field_name="organization__sectors",
        to_field_name="slug",
        queryset=Sector.objects.none(),
        empty_label=_("Tous les secteurs"),
    )
    public = ModelChoiceFilter(
        label=_("Public accueilli"),
        field_name="publics",
        to_field_name="slug",
        queryset=Public.objects.none(),
        empty_label=_("Tous les publics"),
    )
    quartier = ModelChoiceFilter(
        label=_("Quartier prioritaire (QPV)"),
        field_name="organization__qpv",
        queryset=Qpv.objects.none(),
        empty_label=_("Tous les quartiers"),
    )

    class Meta:
        model = PublicListing
        fields: list[str] = []

    def __init__(self, *args: Any, choices: FilterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["secteur"].queryset = choices.sectors
        self.filters["public"].queryset = choices.publics
        self.filters["quartier"].queryset = choices.qpvs
        self.form.fields["q"].help_text = _("Nom, sigle ou mot de la présentation")

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word typed, ignoring case and accents ("sante" finds "Santé"), in the name,
        the acronym or the presentation of the offer."""
        words = words_of(value)
        if not words:
            return queryset
        queryset = queryset.annotate(
            _name=Folded("organization__name"),
            _acronym=Folded("organization__acronym"),
            _offer=Folded("organization__offer_description"),
        )
        for word in words:
            queryset = queryset.filter(
                Q(_name__contains=word) | Q(_acronym__contains=word) | Q(_offer__contains=word)
            )
        return queryset


YES_NO = [("oui", _("Oui")), ("non", _("Non"))]


class ManageFilter(filters.FilterSet):
    """The coordinator's list: a name, public or not, agreed or not."""

    q = filters.CharFilter(label=_("Nom ou sigle"), method="search", max_length=100)
    public = filters.ChoiceFilter(
        label=_("Dans l'annuaire public"),
        choices=YES_NO,
        method="filter_public",
        empty_label=_("Indifférent"),
    )
    accord = filters.ChoiceFilter(
        label=_("Accord donné"),
        choices=YES_NO,
        method="filter_agreed",
        empty_label=_("Indifférent"),
    )
    secteur = ModelChoiceFilter(
        label=_("Secteur"),
        field_name="sectors",
        queryset=Sector.objects.all(),
        empty_label=_("Tous"),
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not words_of(value):
            return queryset
        return organizations_matching(queryset, value)

    def filter_public(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "oui":
            return queryset.filter(public_listing__is_public=True)
        if value == "non":
            return queryset.exclude(public_listing__is_public=True)
        return queryset

    def filter_agreed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "oui":
            return queryset.filter(public_listing__agreed_on__isnull=False)
        if value == "non":
            return queryset.exclude(public_listing__agreed_on__isnull=False)
        return queryset
