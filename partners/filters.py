"""django-filter FilterSets of the directory, kept apart from how the filters are shown."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .filter_form import ListFilterSet, QuickFilterForm
from .models import Contact, Organization, OrganizationKind, Qpv, Sector

YES_NO = [("oui", _("Oui")), ("non", _("Non"))]


def yes_no(queryset: QuerySet, value: str, **yes: object) -> QuerySet:
    """ "oui" keeps the rows matching `yes`, "non" the others, anything else keeps all."""
    if value == "oui":
        return queryset.filter(**yes)
    if value == "non":
        return queryset.exclude(**yes)
    return queryset


class OrganizationFilter(ListFilterSet):
    q = filters.CharFilter(label=_("Nom ou sigle"), method="search")
    sector = filters.ModelChoiceFilter(
        label=_("Secteur"),
        field_name="sectors",
        queryset=Sector.objects.all(),
        empty_label=_("Tous"),
    )
    kind = filters.ChoiceFilter(
        label=_("Type"), choices=OrganizationKind.choices, empty_label=_("Tous")
    )
    internal = filters.ChoiceFilter(
        label=_("Service de la collectivité"),
        choices=YES_NO,
        method="filter_internal",
        empty_label=_("Indifférent"),
    )
    qpv = filters.ModelChoiceFilter(
        label=_("QPV"), queryset=Qpv.objects.none(), empty_label=_("Tous")
    )
    signatory = filters.ChoiceFilter(
        label=_("Signataire d'un contrat"),
        choices=YES_NO,
        method="filter_signatory",
        empty_label=_("Indifférent"),
    )
    archived = filters.ChoiceFilter(
        label=_("Archivée"), choices=YES_NO, method="filter_archived", empty_label=_("Indifférent")
    )
    # The territory's groups (owned by the workgroups app) are handed in by the view.
    group = filters.ModelChoiceFilter(
        label=_("Groupe de travail"),
        queryset=Organization.objects.none(),
        method="filter_group",
        empty_label=_("Tous"),
    )
    order = filters.OrderingFilter(
        label=_("Trier par"),
        fields=(("name", "name"), ("contact_count", "contact_count"), ("created_at", "created_at")),
        field_labels={
            "name": _("Nom"),
            "contact_count": _("Nombre de contacts"),
            "created_at": _("Date d'ajout"),
        },
        empty_label=_("Nom"),
    )

    # Their options read in one query (the names: each model's __str__).
    options_named_by = {"sector": "name", "qpv": "name", "group": "name"}

    class Meta:
        model = Organization
        fields: list[str] = []
        form = QuickFilterForm

    def __init__(self, *args, territory=None, groups=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if territory is not None:
            self.filters["qpv"].queryset = Qpv.objects.filter(territory=territory)
        if groups is not None:
            self.filters["group"].queryset = groups

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return (
            queryset.filter(Q(name__icontains=value) | Q(acronym__icontains=value))
            if value
            else queryset
        )

    def filter_internal(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return yes_no(queryset, value, is_internal=True)

    def filter_signatory(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "oui":
            return queryset.filter(signatures__isnull=False).distinct()
        if value == "non":
            return queryset.filter(signatures__isnull=True)
        return queryset

    def filter_archived(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return yes_no(queryset, value, archived_at__isnull=False)

    def filter_group(self, queryset: QuerySet, name: str, value) -> QuerySet:
        """Structures one of whose people is a member, a subscriber or a pilot of the group."""
        if not value:
            return queryset
        group_id = getattr(value, "pk", value)
        taking_part = Organization.objects.filter(
            Q(contacts__memberships__group_id=group_id) | Q(contacts__piloted_groups__id=group_id)
        ).values("pk")
        # A subquery, not a join: the contact count annotated on the list stays right.
        return queryset.filter(pk__in=taking_part)


class ContactFilter(ListFilterSet):
    q = filters.CharFilter(label=_("Nom, adresse ou structure"), method="search")
    sector = filters.ModelChoiceFilter(
        label=_("Secteur"),
        field_name="organization__sectors",
        queryset=Sector.objects.all(),
        empty_label=_("Tous"),
    )
    kind = filters.ChoiceFilter(
        label=_("Type de structure"),
        field_name="organization__kind",
        choices=OrganizationKind.choices,
        empty_label=_("Tous"),
    )
    internal = filters.ChoiceFilter(
        label=_("Service de la collectivité"),
        choices=YES_NO,
        method="filter_internal",
        empty_label=_("Indifférent"),
    )
    qpv = filters.ModelChoiceFilter(
        label=_("QPV"),
        field_name="organization__qpv",
        queryset=Qpv.objects.none(),
        empty_label=_("Tous"),
    )
    signatory = filters.ChoiceFilter(
        label=_("Structure signataire"),
        choices=YES_NO,
        method="filter_signatory",
        empty_label=_("Indifférent"),
    )
    active = filters.ChoiceFilter(
        label=_("En poste"), choices=YES_NO, method="filter_active", empty_label=_("Indifférent")
    )
    bounced = filters.ChoiceFilter(
        label=_("Adresse en erreur"),
        choices=YES_NO,
        method="filter_bounced",
        empty_label=_("Indifférent"),
    )
    unsubscribed = filters.ChoiceFilter(
        label=_("Désinscrit"),
        choices=YES_NO,
        method="filter_unsubscribed",
        empty_label=_("Indifférent"),
    )
    # The territory's groups (owned by the workgroups app) are handed in by the view.
    group = filters.ModelChoiceFilter(
        label=_("Groupe de travail"),
        queryset=Contact.objects.none(),
        method="filter_group",
        empty_label=_("Tous"),
    )
    order = filters.OrderingFilter(
        label=_("Trier par"),
        fields=(
            ("last_name", "last_name"),
            ("organization__name", "organization"),
            ("last_activity_at", "activity"),
        ),
        field_labels={
            "last_name": _("Nom"),
            "organization__name": _("Structure"),
            "last_activity_at": _("Dernière interaction"),
        },
        empty_label=_("Nom"),
    )

    # Their options read in one query (the names: each model's __str__).
    options_named_by = {"sector": "name", "qpv": "name", "group": "name"}

    class Meta:
        model = Contact
        fields: list[str] = []
        form = QuickFilterForm

    def __init__(self, *args, territory=None, groups=None, personal: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Viewers never see addresses, so they cannot search by them either.
        self.personal = personal
        if territory is not None:
            self.filters["qpv"].queryset = Qpv.objects.filter(territory=territory)
        if groups is not None:
            self.filters["group"].queryset = groups

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        match = (
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(organization__name__icontains=value)
            | Q(organization__acronym__icontains=value)
        )
        if self.personal:
            match |= Q(email__icontains=value)
        return queryset.filter(match)

    def filter_internal(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return yes_no(queryset, value, organization__is_internal=True)

    def filter_signatory(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "oui":
            return queryset.filter(organization__signatures__isnull=False).distinct()
        if value == "non":
            return queryset.exclude(organization__signatures__isnull=False)
        return queryset

    def filter_active(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "oui":
            return queryset.filter(is_active=True, left_at__isnull=True)
        if value == "non":
            return queryset.filter(Q(is_active=False) | Q(left_at__isnull=False))
        return queryset

    def filter_bounced(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return yes_no(queryset, value, bounced_at__isnull=False)

    def filter_unsubscribed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return yes_no(queryset, value, unsubscribed_at__isnull=False)

    def filter_group(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        group_id = getattr(value, "pk", value)
        return queryset.filter(memberships__group_id=group_id).distinct()
