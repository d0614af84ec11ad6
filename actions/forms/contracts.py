"""Forms of contracts and their axes: edits, signature and its PDF, renewal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cls_platform.forms import IsoDateInput
from partners.models import Organization

from ..models import FIRST_YEAR, LAST_YEAR, Axis, Contract, FicheAction
from .common import YEAR_ERRORS, AmendmentMixin, organization_picker, share_picked

MAX_SIGNATORIES = 12
MAX_PDF_BYTES = 20 * 1024 * 1024


def clean_signed_pdf(document: Any) -> Any:
    """The signed contract: a real PDF (its first bytes say so, whatever its name), 20 MB at most."""
    if not document:
        return document
    if document.size > MAX_PDF_BYTES:
        raise ValidationError(
            _("Ce fichier dépasse 20 Mo : réduisez sa taille (numérisation en 150 ou 200 ppp).")
        )
    head = document.read(5)
    document.seek(0)
    if head != b"%PDF-":
        raise ValidationError(_("Déposez le contrat signé au format PDF."))
    return document


class ContractForm(AmendmentMixin, forms.ModelForm):
    amendment_help = _(
        "Contrat signé : changer son dispositif ou sa période demande un avenant, gardé dans "
        "l'historique. L'intitulé et la présentation se modifient librement."
    )

    class Meta:
        model = Contract
        fields = ["kind", "title", "start_year", "end_year", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"start_year": YEAR_ERRORS, "end_year": YEAR_ERRORS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update(min=FIRST_YEAR, max=LAST_YEAR)
        self.drop_amendment_if_unlocked(self.instance if self.instance.pk else None)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("L'année de fin précède l'année de début."))
        return data


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Date de signature"), widget=IsoDateInput)
    document = forms.FileField(
        label=_("Contrat signé (PDF)"),
        required=False,
        help_text=_("PDF de 20 Mo au plus. Il peut aussi être déposé plus tard."),
    )

    def __init__(self, *args: Any, territory: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Twelve searchable fields, not twelve <select>s of every structure of the territory;
        # the structures they name are read once for the twelve.
        structures = Organization.objects.filter(
            territory=territory, archived_at__isnull=True
        ).order_by("name")
        pickers = []
        for index in range(1, MAX_SIGNATORIES + 1):
            first = index == 1
            field = organization_picker(
                territory,
                structures,
                label=_("Signataire n° %(n)s") % {"n": index},
                required=first,
                help_text=_("Tapez le nom ou le sigle de chaque structure signataire.")
                if first
                else "",
                error_messages={"required": _("Indiquez au moins une structure signataire.")},
            )
            self.fields[f"signatory_{index}"] = field
            pickers.append((field, self.add_prefix(f"signatory_{index}")))
        share_picked(pickers, self.data)

    def signatories(self) -> list[Organization]:
        return [
            self.cleaned_data[f"signatory_{i}"]
            for i in range(1, MAX_SIGNATORIES + 1)
            if self.cleaned_data.get(f"signatory_{i}")
        ]

    def clean_document(self) -> Any:
        return clean_signed_pdf(self.cleaned_data.get("document"))

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


class SignedDocumentForm(forms.Form):
    """The signed PDF, deposited or replaced after the signature was recorded."""

    document = forms.FileField(
        label=_("Contrat signé (PDF)"),
        help_text=_("PDF de 20 Mo au plus, tel qu'il a été signé."),
        error_messages={"required": _("Choisissez le PDF du contrat signé.")},
    )

    def clean_document(self) -> Any:
        return clean_signed_pdf(self.cleaned_data.get("document"))


class RenewForm(forms.Form):
    title = forms.CharField(label=_("Intitulé du nouveau contrat"), max_length=250)
    start_year = forms.IntegerField(
        label=_("Année de début"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages=YEAR_ERRORS,
    )
    end_year = forms.IntegerField(
        label=_("Année de fin"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages=YEAR_ERRORS,
    )
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


class AxisForm(AmendmentMixin, forms.ModelForm):
    amendment_help = _(
        "Contrat signé : changer l'intitulé, le numéro ou le type d'un axe, ou en ajouter un, "
        "demande un avenant, gardé dans l'historique. Les numéros des fiches suivent celui de "
        "leur axe."
    )

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
        if self.instance.carries_fiches():
            # Structural: its fiches were written for a thematic axis or a working method.
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _(
                "Cet axe porte des fiches-actions : son type ne peut plus changer."
            )
        self.drop_amendment_if_unlocked(contract)
