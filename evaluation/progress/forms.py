"""The form of a COPIL decision: what, who carries it, by when, its state and the COPIL meeting
that took it. The service checks the rest (a meeting of this contract's COPIL, someone who
carries it, a due date after the meeting) and its refusals show beside the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from actions.models import Contract
from cls_platform.forms import IsoDateInput
from cls_platform.models import Access
from cls_platform.widgets import PickerField
from partners.search import organization_label, organizations_matching, pickable_organizations
from workgroups.models import GroupKind, Meeting, MeetingStatus

from .models import CopilDecision, DecisionKind, DecisionStatus


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        day = formats.date_format(timezone.localdate(obj.starts_at), "j F Y")
        title = f" · {obj.title}" if obj.title else ""
        return f"{obj.group.name} du {day}{title}"


def copil_meetings(contract: Contract):
    """The meetings of the contract's steering committee that can take decisions."""
    return (
        Meeting.objects.filter(group__contract=contract, group__kind=GroupKind.COPIL)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("group")
        .order_by("-starts_at")
    )


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Nature"), choices=DecisionKind.choices, initial=DecisionKind.DECISION
    )
    what = forms.CharField(
        label=_("Décision ou recommandation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Indiquez la décision ou la recommandation.")},
    )
    meeting = MeetingChoiceField(
        label=_("Prise lors du comité de pilotage"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("Aucune réunion (décision prise hors séance)"),
        error_messages={
            "invalid_choice": _("Choisissez une réunion du comité de pilotage de ce contrat.")
        },
    )
    who_label = forms.CharField(
        label=_("Qui la porte (libellé)"),
        max_length=200,
        required=False,
        help_text=_(
            "Un service, une instance ou une fonction (« Coordination CLS », « Tous les "
            "signataires »), jamais le nom d'une personne : les signataires le lisent."
        ),
    )
    due_on = forms.DateField(
        label=_("Échéance"),
        required=False,
        widget=IsoDateInput,
        error_messages={"invalid": _("Indiquez une date valide, par exemple 30/06/2026.")},
    )
    status = forms.ChoiceField(
        label=_("État"), choices=DecisionStatus.choices, initial=DecisionStatus.TODO
    )
    note = forms.CharField(
        label=_("Commentaire de suivi"),
        max_length=500,
        required=False,
        help_text=_(
            "Facultatif, gardé dans l'historique de la décision avec son état : « annuaire mis "
            "en ligne », « reportée au prochain COPIL »..."
        ),
    )
    order = forms.IntegerField(
        label=_("Ordre dans la liste"),
        min_value=0,
        max_value=32767,
        required=False,
        help_text=_("Vide : à la fin de la liste."),
        error_messages={
            "invalid": _("Indiquez un nombre entier."),
            "min_value": _("Indiquez un nombre positif ou nul."),
            "max_value": _("Indiquez un nombre plus petit."),
        },
    )

    field_order = [
        "kind",
        "what",
        "meeting",
        "organization",
        "who_label",
        "due_on",
        "status",
        "note",
        "order",
    ]

    def __init__(self, *args: Any, access: Access, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = copil_meetings(contract)
        self.fields["organization"] = PickerField(
            label=_("Structure qui la porte"),
            required=False,
            queryset=pickable_organizations(access),
            search=organizations_matching,
            label_of=organization_label,
            url=reverse(
                "partners:organization_search", kwargs={"territory": access.territory.slug}
            ),
            help_text=_("Une structure de l'annuaire ; le libellé ci-dessous peut la préciser."),
        )
        self.order_fields(self.field_order)

    @staticmethod
    def initial_of(decision: CopilDecision) -> dict[str, Any]:
        return {
            "kind": decision.kind,
            "what": decision.what,
            "meeting": decision.meeting_id,
            "organization": decision.organization,
            "who_label": decision.who_label,
            "due_on": decision.due_on,
            "status": decision.status,
            "order": decision.order,
        }
