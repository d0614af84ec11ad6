"""Forms of contracts, axes and fiches-actions: French labels, nothing lost on a bad entry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Contact, Organization, Qpv

from .models import (
    ActionPartner,
    ActionStatus,
    Axis,
    AxisKind,
    CollaborationLevel,
    Contract,
    FicheAction,
    FundingLine,
    Indicator,
    IndicatorValue,
)

MAX_SIGNATORIES = 12
MAX_PDF_BYTES = 20 * 1024 * 1024
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AmendmentMixin(forms.Form):
    """Adds the amendment note a signed contract's structural change asks for."""

    amendment_note = forms.CharField(
        label=_("Avenant autorisant la modification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Contrat signé : la modification de sa structure (axes, numérotation, nouvelle fiche) est gardée dans l'historique des avenants."
        ),
    )

    def drop_amendment_if_unlocked(self, contract: Contract | None) -> None:
        if contract is None or not contract.structure_locked:
            self.fields.pop("amendment_note", None)


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["kind", "title", "start_year", "end_year", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("L'année de fin précède l'année de début."))
        return data


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Date de signature"), widget=DATE)
    document = forms.FileField(label=_("Contrat signé (PDF)"), required=False)

    def __init__(self, *args: Any, territory: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = Organization.objects.filter(
            territory=territory, archived_at__isnull=True
        ).order_by("name")
        for index in range(1, MAX_SIGNATORIES + 1):
            self.fields[f"signatory_{index}"] = forms.ModelChoiceField(
                label=_("Signataire n° %(n)s") % {"n": index},
                queryset=organizations,
                required=index == 1,
                empty_label=_("—"),
            )

    def signatories(self) -> list[Organization]:
        return [
            self.cleaned_data[f"signatory_{i}"]
            for i in range(1, MAX_SIGNATORIES + 1)
            if self.cleaned_data.get(f"signatory_{i}")
        ]

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if not document:
            return document
        if document.size > MAX_PDF_BYTES:
            raise forms.ValidationError(_("Ce fichier dépasse 20 Mo."))
        head = document.read(5)
        document.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("Déposez le contrat signé au format PDF."))
        return document

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [
            data.get(f"signatory_{i}")
            for i in range(1, MAX_SIGNATORIES + 1)
            if data.get(f"signatory_{i}")
        ]
        if len({o.pk for o in chosen}) != len(chosen):
            raise forms.ValidationError(
                _("Une même structure est citée deux fois parmi les signataires.")
            )
        return data


class AxisForm(AmendmentMixin, forms.ModelForm):
    class Meta:
        model = Axis
        fields = ["kind", "number", "title", "description", "objectives"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False
        self.fields["number"].help_text = _("Laissez vide pour prendre le numéro suivant.")
        self.drop_amendment_if_unlocked(contract)


class FicheActionForm(AmendmentMixin, forms.ModelForm):
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
            "start_date": DATE,
            "end_date": DATE,
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

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory = contract.territory
        self.contract = contract
        if "thematic_axis" in self.fields:
            self.fields["thematic_axis"].queryset = contract.axes.filter(
                kind=AxisKind.THEMATIC
            ).order_by("number")
            self.fields["transversal_axes"].queryset = contract.axes.filter(
                kind=AxisKind.TRANSVERSAL
            ).order_by("number")
        self.fields["qpvs"].queryset = Qpv.objects.filter(territory=territory)
        organizations = Organization.objects.filter(
            territory=territory, archived_at__isnull=True
        ).order_by("name")
        self.fields["pilot_organization"].queryset = organizations
        people = (
            Contact.objects.mailable()
            .filter(territory=territory)
            .select_related("organization")
            .order_by("last_name")
        )
        self.fields["pilot_contact"].queryset = people
        self.fields["copilots"].queryset = people
        self.fields["copilots"].widget.attrs["size"] = 6
        self.drop_amendment_if_unlocked(
            contract if self.instance.pk or contract.structure_locked else None
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La fin précède le début."))
        if data.get("territory_scope") == "qpv" and not data.get("qpvs"):
            self.add_error("qpvs", _("Cochez les quartiers prioritaires concernés."))
        return data


class PilotFicheActionForm(FicheActionForm):
    """What a co-pilot may change on an action they pilot: its content, not its place."""

    class Meta(FicheActionForm.Meta):
        fields = [
            f
            for f in FicheActionForm.Meta.fields
            if f not in ("number", "thematic_axis", "transversal_axes")
        ]


PartnerFormSet = inlineformset_factory(
    FicheAction,
    ActionPartner,
    fields=["organization", "role", "level"],
    extra=2,
    can_delete=True,
)

FundingFormSet = inlineformset_factory(
    FicheAction,
    FundingLine,
    fields=["funder", "amount", "status", "year"],
    extra=2,
    can_delete=True,
)


def limit_partner_formset(formset: Any, territory: Any) -> None:
    organizations = Organization.objects.filter(
        territory=territory, archived_at__isnull=True
    ).order_by("name")
    levels = CollaborationLevel.objects.all()
    for form in formset.forms:
        form.fields["organization"].queryset = organizations
        form.fields["level"].queryset = levels


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=ActionStatus.choices)
    progress = forms.IntegerField(label=_("Avancement (%)"), min_value=0, max_value=100)


class UpdateForm(forms.Form):
    happened_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    text = forms.CharField(label=_("Actualité"), widget=forms.Textarea(attrs={"rows": 3}))
    meeting = forms.TypedChoiceField(
        label=_("Discutée en réunion"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, meetings: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", _("Aucune"))] + [
            (m.pk, f"{timezone.localtime(m.starts_at):%d/%m/%Y} · {m.group.name}") for m in meetings
        ]


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["kind", "title", "unit", "baseline", "target", "source", "frequency"]


class IndicatorValueForm(forms.ModelForm):
    class Meta:
        model = IndicatorValue
        fields = ["measured_on", "value", "comment"]
        widgets = {"measured_on": DATE}


class RenewForm(forms.Form):
    title = forms.CharField(label=_("Intitulé du nouveau contrat"), max_length=250)
    start_year = forms.IntegerField(label=_("Année de début"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Année de fin"), min_value=2000, max_value=2100)
    axes = forms.ModelMultipleChoiceField(
        label=_("Axes repris"),
        queryset=Axis.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fiches = forms.ModelMultipleChoiceField(
        label=_("Fiches-actions reprises"),
        queryset=FicheAction.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["axes"].queryset = contract.axes.order_by("kind", "number")
        self.fields["fiches"].queryset = contract.fiches_actions.order_by("number")
