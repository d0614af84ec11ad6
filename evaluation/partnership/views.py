"""Pages of the partnership: a contract's Ottawa matrix and the territory's network."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, TemplateView

from actions.models import Contract
from actions.selectors import contract_list
from cls_platform.access import TerritoryMixin
from cls_platform.models import Access
from partners.models import Organization

from .matrix import ottawa_matrix
from .network import MEETING_MINIMUMS, partnership_network, structures_working_with


class OttawaMatrixView(TerritoryMixin, DetailView):
    """Read by everyone of the territory: counts of fiches-actions, no person."""

    model = Contract
    template_name = "evaluation/partnership/ottawa_matrix.html"
    context_object_name = "contract"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(matrix=ottawa_matrix(contract=self.object), **kwargs)


class NetworkForm(forms.Form):
    """Which contract's network to draw, and from how many shared meetings a link counts;
    contracts from a list already read (no query)."""

    contrat = forms.TypedChoiceField(label=_("Contrat"), required=False, coerce=int)
    reunions = forms.TypedChoiceField(
        label=_("Liens par les réunions : présentes ensemble au moins"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: Any, contracts: list[Contract], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contrat"].choices = [
            ("", _("Tous les contrats")),
            *((c.pk, f"{c.title} ({c.period})") for c in contracts),
        ]
        self.fields["reunions"].choices = [
            ("", _("Automatique (dessin lisible)")),
            *(
                (n, ngettext("%(n)d réunion", "%(n)d réunions", n) % {"n": n})
                for n in MEETING_MINIMUMS
            ),
        ]


class PartnershipNetworkView(TerritoryMixin, TemplateView):
    """The structures that work together, drawn and tabulated; one contract or all of them."""

    template_name = "evaluation/partnership/network.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contracts = list(contract_list(access=self.access))
        form = NetworkForm(self.request.GET or None, contracts=contracts)
        # An unknown or foreign contract is ignored, as the fiche list ignores a bad filter.
        chosen = form.cleaned_data if form.is_valid() else {}
        contract = next((c for c in contracts if c.pk == chosen.get("contrat")), None)
        network = partnership_network(
            access=self.access, contract=contract, min_meetings=chosen.get("reunions")
        )
        return super().get_context_data(
            form=form, contracts=contracts, contract=contract, network=network, **kwargs
        )


def working_with_section(access: Access, organization: Organization) -> dict[str, Any]:
    """The section of a structure's page (partners) listing the structures it works with."""
    return {
        "template": "evaluation/partnership/includes/organization_section.html",
        "partners": structures_working_with(organization, access=access),
    }
