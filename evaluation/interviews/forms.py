"""Forms of the interviews: the record of one, and the list's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from actions.models import Axis, Contract
from cls_platform.forms import IsoDateInput
from cls_platform.models import Access
from cls_platform.widgets import PickerField
from partners.models import Contact
from partners.search import (
    contact_label,
    contacts_matching,
    organization_label,
    organizations_matching,
    pickable_organizations,
)
from workgroups.models import WorkGroup

NOTE = forms.Textarea(attrs={"rows": 4})


class AxisChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Axis) -> str:
        return f"{obj} ({obj.contract.period})"


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: WorkGroup) -> str:
        return f"{obj.name} ({obj.contract.period})"


def _choices(access: Access) -> dict[str, Any]:
    territory = access.territory
    return {
        "contract": Contract.objects.filter(territory=territory),
        "axis": Axis.objects.filter(contract__territory=territory).select_related("contract"),
        "group": WorkGroup.objects.filter(territory=territory).select_related("contract"),
    }


class InterviewForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contrat"), queryset=Contract.objects.none())
    held_on = forms.DateField(label=_("Date de l'entretien"), widget=IsoDateInput)
    interviewee = forms.CharField(
        label=_("Ou, hors annuaire : nom et fonction"),
        max_length=200,
        required=False,
        help_text=_("Si la personne ne figure pas dans l'annuaire."),
    )
    axis = AxisChoiceField(label=_("Axe"), queryset=Axis.objects.none(), required=False)
    group = GroupChoiceField(
        label=_("Groupe de travail"), queryset=WorkGroup.objects.none(), required=False
    )
    missions = forms.CharField(label=_("Missions de la structure"), required=False, widget=NOTE)
    territory_actions = forms.CharField(
        label=_("Actions menées sur le territoire"), required=False, widget=NOTE
    )
    needs = forms.CharField(label=_("Besoins"), required=False, widget=NOTE)
    collaboration = forms.CharField(
        label=_("Possibilités de collaboration"),
        required=False,
        widget=NOTE,
        help_text=_("Au sein du groupe de travail ou par d'autres collaborations."),
    )
    follow_up = forms.CharField(label=_("Suites décidées"), required=False, widget=NOTE)

    field_order = [
        "contract",
        "held_on",
        "contact",
        "interviewee",
        "organization",
        "axis",
        "group",
        "missions",
        "territory_actions",
        "needs",
        "collaboration",
        "follow_up",
    ]

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slug = access.territory.slug
        self.fields["contact"] = PickerField(
            label=_("Personne rencontrée (annuaire)"),
            required=False,
            queryset=Contact.objects.filter(
                territory=access.territory, anonymized_at__isnull=True
            ).select_related("organization"),
            search=contacts_matching,
            label_of=contact_label,
            url=reverse("partners:contact_search", kwargs={"territory": slug}),
            help_text=_("Tapez son nom ou celui de sa structure."),
        )
        self.fields["organization"] = PickerField(
            label=_("Structure"),
            required=False,
            queryset=pickable_organizations(access),
            search=organizations_matching,
            label_of=organization_label,
            url=reverse("partners:organization_search", kwargs={"territory": slug}),
            help_text=_("Vide : la structure de la personne choisie dans l'annuaire."),
        )
        for name, queryset in _choices(access).items():
            self.fields[name].queryset = queryset
        self.order_fields(self.field_order)


class InterviewFilterForm(forms.Form):
    """The list's filters: a contract, an axis, a group; how to group the list."""

    contract = forms.ModelChoiceField(
        label=_("Contrat"), queryset=Contract.objects.none(), required=False, empty_label=_("Tous")
    )
    axis = AxisChoiceField(
        label=_("Axe"), queryset=Axis.objects.none(), required=False, empty_label=_("Tous")
    )
    group = GroupChoiceField(
        label=_("Groupe de travail"),
        queryset=WorkGroup.objects.none(),
        required=False,
        empty_label=_("Tous"),
    )
    par = forms.ChoiceField(
        label=_("Classer"),
        choices=[("axe", _("par axe")), ("groupe", _("par groupe de travail"))],
        required=False,
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in _choices(access).items():
            self.fields[name].queryset = queryset

    def filters(self) -> dict[str, object]:
        if not self.is_valid():
            return {}
        return {
            name: self.cleaned_data[name].pk
            for name in ("contract", "axis", "group")
            if self.cleaned_data.get(name)
        }

    def grouping(self) -> str:
        return (self.cleaned_data.get("par") if self.is_valid() else "") or "axe"
