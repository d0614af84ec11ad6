"""Forms of a fiche-action: the fiche with its pilots, partners and funding lines; its status and
dated news."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cls_platform.forms import IsoDateInput
from cls_platform.widgets import PickedListField, PickerField, gathered_by, posted_ids
from partners import search
from partners.models import Contact, Organization, Qpv
from partners.search import contact_label as picker_contact_label

from ..models import (
    PROGRESS_MESSAGE,
    ActionPartner,
    ActionStatus,
    AxisKind,
    CollaborationLevel,
    Contract,
    FicheAction,
    FundingLine,
)
from ..services.fiches import WRONG_MEETING, FundingRow, PartnerRow, fiche_number_problem
from .common import (
    YEAR_ERRORS,
    AmendmentMixin,
    SharedModelChoiceField,
    SharedPickerField,
    organization_picker,
    share_picked,
)


def contact_label(contact: Contact) -> str:
    """A person as the pilot fields name them: with their structure, so that two "Bruno
    Faure" are told apart, and whether they left it."""
    label = picker_contact_label(contact)
    if contact.left_at or not contact.is_active or contact.anonymized_at:
        return _("%(name)s (a quitté sa structure)") % {"name": label}
    return label


def contact_picker(territory: Any, people: QuerySet[Contact], **kwargs: Any) -> PickerField:
    """A searchable field over `people` (a territory has hundreds): the combobox asks the
    directory's search as one types; without JavaScript the name typed is resolved on saving."""
    return search.contact_picker(territory, people, label_of=contact_label, **kwargs)


M2M_FIELDS = ("transversal_axes", "publics", "qpvs", "copilots", "ottawa_areas")


class FicheActionForm(AmendmentMixin, forms.ModelForm):
    amendment_help = _(
        "Contrat signé : ajouter une fiche, la renuméroter ou la changer d'axe demande un "
        "avenant, gardé dans l'historique."
    )

    class Meta:
        model = FicheAction
        fields = [
            "number",
            "title",
            "thematic_axis",
            "transversal_axes",
            "status",
            "progress",
            "context",
            "general_objective",
            "operational_objectives",
            "description",
            "publics",
            "publics_detail",
            "territory_scope",
            "qpvs",
            "pilot_organization",
            "pilot_contact",
            "copilots",
            "start_date",
            "end_date",
            "calendar",
            "budget_total",
            "ottawa_areas",
            "participation",
        ]
        widgets = {
            "transversal_axes": forms.CheckboxSelectMultiple,
            "publics": forms.CheckboxSelectMultiple,
            "qpvs": forms.CheckboxSelectMultiple,
            "ottawa_areas": forms.CheckboxSelectMultiple,
            "start_date": IsoDateInput,
            "end_date": IsoDateInput,
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "budget_total": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
            **{
                f: forms.Textarea(attrs={"rows": 3})
                for f in (
                    "context",
                    "general_objective",
                    "operational_objectives",
                    "description",
                    "calendar",
                )
            },
        }
        error_messages = {
            "progress": {"min_value": PROGRESS_MESSAGE, "max_value": PROGRESS_MESSAGE},
        }
        help_texts = {"progress": _("Une action réalisée est à 100 %.")}

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory = contract.territory
        self.contract = contract
        fiche = self.instance
        if "thematic_axis" in self.fields:
            self.fields["thematic_axis"].queryset = contract.axes.filter(
                kind=AxisKind.THEMATIC
            ).order_by("number")
            self.fields["transversal_axes"].queryset = contract.axes.filter(
                kind=AxisKind.TRANSVERSAL
            ).order_by("number")
        self.fields["qpvs"].queryset = Qpv.objects.filter(territory=territory)
        if "pilot_organization" in self.fields:
            # Searched as one types, not a <select> of every structure. Archived structures
            # are not offered, except the one already piloting.
            self.fields["pilot_organization"] = organization_picker(
                territory,
                Organization.objects.filter(
                    Q(archived_at__isnull=True) | Q(pk=fiche.pilot_organization_id or 0),
                    territory=territory,
                ).order_by("name"),
                label=self.fields["pilot_organization"].label,
                required=False,
                help_text=_("Tapez le nom ou le sigle de la structure."),
            )
        if "pilot_contact" in self.fields:
            self.pilot_pickers(territory, fiche)
        if "number" in self.fields:
            self.fields["number"].help_text = _(
                "Il suit le numéro de l'axe thématique : 2.1, 2.2… pour les fiches de l'axe 2."
            )
        self.drop_amendment_if_unlocked(
            contract if self.instance.pk or contract.structure_locked else None
        )

    def pilot_pickers(self, territory: Any, fiche: FicheAction) -> None:
        """Who pilots the action, chosen in searchable pickers that show each person's
        structure, not in <select>s of every contact; the co-pilots kept with a box each, one
        more added with the picker (each one chosen, with JavaScript)."""
        # People who left are not offered, except those already named here, so that an
        # action whose pilot left can still be saved (and its pilot replaced).
        current = Q(pk=fiche.pilot_contact_id or 0)
        if fiche.pk:
            current |= Q(pk__in=fiche.copilots.values("pk"))
        people = (
            Contact.objects.filter(territory=territory)
            .filter(Q(is_active=True, left_at__isnull=True, anonymized_at__isnull=True) | current)
            .select_related("organization")
            .order_by("last_name", "first_name", "pk")
        )
        model_field = self.fields["pilot_contact"]
        self.fields["pilot_contact"] = contact_picker(
            territory,
            people,
            label=model_field.label,
            required=False,
            help_text=_("Tapez un nom, un prénom ou une structure."),
        )
        # The co-pilots' boxes: those of the fiche, and those chosen since (by the script, or
        # kept from a form sent back); a posted id counts only if the picker could offer it.
        chosen = posted_ids(self.data, self.add_prefix("copilots"))
        listed = Q(pk__in=people.filter(pk__in=chosen).values("pk"))
        if fiche.pk:
            listed |= Q(pk__in=fiche.copilots.values("pk"))
        self.fields["copilots"] = PickedListField(
            label=_("Co-pilotes"),
            label_of=contact_label,
            queryset=Contact.objects.filter(listed)
            .select_related("organization")
            .order_by("last_name", "first_name", "pk"),
            required=False,
            help_text=_("Décochez une case pour retirer la personne du co-pilotage."),
        )
        self.fields["add_copilot"] = contact_picker(
            territory,
            people,
            label=_("Ajouter un·e co-pilote"),
            required=False,
            help_text=_(
                "Tapez un nom, un prénom ou une structure, puis choisissez la personne : elle "
                "rejoint la liste des co-pilotes."
            ),
        )
        gathered_by(
            self.fields["add_copilot"],
            self,
            "copilots",
            _("{label} rejoint la liste des co-pilotes."),
        )
        order = list(self.fields)
        order.insert(order.index("copilots") + 1, order.pop(order.index("add_copilot")))
        self.order_fields(order)

    def m2m_values(self) -> dict[str, Any]:
        """Once valid: the lists the service sets on the fiche (a co-pilot's form has fewer)."""
        return {name: self.cleaned_data[name] for name in M2M_FIELDS if name in self.cleaned_data}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "add_copilot" in self.fields:
            # The view and the service take the co-pilots whole: those kept, and the one added.
            copilots = list(data.get("copilots") or [])
            added = data.get("add_copilot")
            if added is not None and added not in copilots:
                copilots.append(added)
            data["copilots"] = copilots
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La fin précède le début."))
        if data.get("territory_scope") == "qpv" and not data.get("qpvs"):
            self.add_error("qpvs", _("Cochez les quartiers prioritaires concernés."))
        self.check_number(data)
        return data

    def check_number(self, data: dict[str, Any]) -> None:
        """The service's rule, told next to the field with the other mistakes of the page. A
        fiche moved to another axis with its old number is renumbered by the service instead."""
        number, axis = (data.get("number") or "").strip(), data.get("thematic_axis")
        if not number or axis is None or "number" not in self.fields:
            return
        stored = self.instance if self.instance.pk else None
        if stored is not None and number == stored.number:
            return  # unchanged: checked by the service if the axis changed, left alone if not
        problem = fiche_number_problem(number, axis)
        if problem:
            self.add_error("number", problem)


# A fiche's place in the contract and who pilots it: the coordination decides.
COORDINATION_FIELDS = (
    "number",
    "thematic_axis",
    "transversal_axes",
    "pilot_organization",
    "pilot_contact",
    "copilots",
)


class PilotFicheActionForm(FicheActionForm):
    """What a co-pilot may change on an action they pilot: its content, not its place in the
    contract, nor who pilots it (that would hand edit rights to others), nor amendments."""

    class Meta(FicheActionForm.Meta):
        fields = [f for f in FicheActionForm.Meta.fields if f not in COORDINATION_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("amendment_note", None)


class RowsFormSet(BaseInlineFormSet):
    """Rows of a fiche that a service saves (fiche_save): the formset only cleans them."""

    def kept_forms(self) -> list[forms.ModelForm]:
        """Once valid: the rows filled in and not ticked for deletion (a row left empty has no
        cleaned data)."""
        return [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data["DELETE"]
        ]


class PartnerFormSetBase(RowsFormSet):
    def rows(self) -> list[PartnerRow]:
        return [
            PartnerRow(
                form.cleaned_data["organization"],
                form.cleaned_data["role"],
                form.cleaned_data["level"],
            )
            for form in self.kept_forms()
        ]

    def get_unique_error_message(self, unique_check: Sequence[str]) -> str:
        return str(
            _(
                "Une même structure est citée deux fois parmi les partenaires : gardez une seule "
                "ligne par structure."
            )
        )

    def get_form_error(self) -> str:
        return str(_("Cette structure figure déjà sur une autre ligne."))


PartnerFormSet = inlineformset_factory(
    FicheAction,
    ActionPartner,
    formset=PartnerFormSetBase,
    fields=["organization", "role", "level"],
    field_classes={"level": SharedModelChoiceField},
    extra=2,
    can_delete=True,
)


class FundingLineForm(forms.ModelForm):
    class Meta:
        model = FundingLine
        fields = ["funder", "amount", "status", "year"]
        widgets = {"amount": forms.NumberInput(attrs={"min": 0, "step": "0.01"})}
        error_messages = {"year": YEAR_ERRORS}


class FundingFormSetBase(RowsFormSet):
    def rows(self) -> list[FundingRow]:
        return [
            FundingRow(
                funder=form.cleaned_data["funder"],
                amount=form.cleaned_data["amount"],
                status=form.cleaned_data["status"],
                year=form.cleaned_data["year"],
                pk=form.instance.pk,
            )
            for form in self.kept_forms()
        ]


FundingFormSet = inlineformset_factory(
    FicheAction,
    FundingLine,
    form=FundingLineForm,
    formset=FundingFormSetBase,
    extra=2,
    can_delete=True,
)


def share_partner_choices(formset: Any, *, territory: Any, fiche: FicheAction | None) -> None:
    """Every partner row picks its structure in a searchable field (a territory has hundreds,
    none is listed in the page) and offers the same levels. Read once for every row: the
    structures the rows name (posted, or already partners) and the levels, two queries
    whatever the number of rows. Archived structures stay offered where they already are."""
    current = None
    offered = Q(archived_at__isnull=True)
    if fiche is not None and fiche.pk:
        current = fiche.partnerships.values("organization_id")
        offered |= Q(pk__in=current)
    base = organization_picker(
        territory,
        Organization.objects.filter(offered, territory=territory).order_by("name"),
        label=_("Structure"),
        error_messages={"required": _("Indiquez la structure partenaire.")},
    )
    pickers: list[tuple[SharedPickerField, str]] = []
    for form in formset.forms:
        field = copy.deepcopy(base)
        form.fields["organization"] = field
        pickers.append((field, form.add_prefix("organization")))
    share_picked(pickers, formset.data, current=current)
    levels = list(CollaborationLevel.objects.order_by("rank"))
    for form in formset.forms:
        form.fields["level"].share(levels)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=ActionStatus.choices)
    progress = forms.IntegerField(
        label=_("Avancement (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Une action réalisée passe à 100 %."),
        error_messages={"min_value": PROGRESS_MESSAGE, "max_value": PROGRESS_MESSAGE},
    )


def meeting_label(meeting: Any) -> str:
    return f"{timezone.localtime(meeting.starts_at):%d/%m/%Y} · {meeting.group.name}"


class UpdateForm(forms.Form):
    happened_on = forms.DateField(label=_("Date"), widget=IsoDateInput, initial=timezone.localdate)
    text = forms.CharField(label=_("Actualité"), widget=forms.Textarea(attrs={"rows": 3}))
    meeting = forms.ModelChoiceField(
        label=_("Discutée en réunion"),
        queryset=None,  # the fiche's contract's meetings, given by the page
        required=False,
        empty_label=_("Aucune"),
        error_messages={"invalid_choice": WRONG_MEETING},
    )

    def __init__(self, *args: Any, meetings: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = meeting_label


class UpdateEditForm(forms.Form):
    happened_on = forms.DateField(label=_("Date"), widget=IsoDateInput)
    text = forms.CharField(label=_("Actualité"), widget=forms.Textarea(attrs={"rows": 4}))
