"""Forms of contracts, axes and fiches-actions: French labels, nothing lost on a bad entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.forms import (
    BaseInlineFormSet,
    BaseModelFormSet,
    inlineformset_factory,
    modelformset_factory,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cls_platform.forms import IsoDateInput
from cls_platform.widgets import PickedListField, PickerField, gathered_by, posted_ids
from partners.models import Contact, Organization, Qpv
from partners.search import contact_label as picker_contact_label
from partners.search import contacts_matching

from .models import (
    FIRST_YEAR,
    LAST_YEAR,
    PROGRESS_MESSAGE,
    YEAR_MESSAGE,
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
from .services import WRONG_MEETING, fiche_number_problem

MAX_SIGNATORIES = 12
MAX_PDF_BYTES = 20 * 1024 * 1024
YEAR_ERRORS = {"min_value": YEAR_MESSAGE, "max_value": YEAR_MESSAGE, "invalid": YEAR_MESSAGE}


class SharedModelChoiceField(forms.ModelChoiceField):
    """A select whose options are read once and shared by every form that shows the same list
    (a formset's rows, the sign page's twelve signatories): no query per row, neither to show
    the options nor to check the choice."""

    def share(self, objects: Sequence[Model]) -> None:
        self._shared = {str(obj.pk): obj for obj in objects}
        choices: list[tuple[Any, str]] = [
            (obj.pk, self.label_from_instance(obj)) for obj in objects
        ]
        if self.empty_label is not None:
            choices.insert(0, ("", self.empty_label))
        self.choices = choices

    def to_python(self, value: Any) -> Model | None:
        shared = getattr(self, "_shared", None)
        if shared is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        key = str(value.pk if isinstance(value, Model) else value)
        if key not in shared:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return shared[key]


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
    return PickerField(
        queryset=people,
        search=contacts_matching,
        label_of=contact_label,
        url=reverse("partners:contact_search", kwargs={"territory": territory.slug}),
        **kwargs,
    )


class AmendmentMixin(forms.Form):
    """Adds the amendment note a signed contract's structural change asks for."""

    amendment_help = _(
        "Contrat signé : la modification de sa structure (axes, numérotation, nouvelle fiche) est "
        "gardée dans l'historique des avenants."
    )

    amendment_note = forms.CharField(
        label=_("Avenant autorisant la modification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def drop_amendment_if_unlocked(self, contract: Contract | None) -> None:
        if contract is None or not contract.structure_locked:
            self.fields.pop("amendment_note", None)
        elif "amendment_note" in self.fields:
            self.fields["amendment_note"].help_text = self.amendment_help


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
        organizations = list(
            Organization.objects.filter(territory=territory, archived_at__isnull=True).order_by(
                "name"
            )
        )
        for index in range(1, MAX_SIGNATORIES + 1):
            field = SharedModelChoiceField(
                label=_("Signataire n° %(n)s") % {"n": index},
                queryset=Organization.objects.none(),
                required=index == 1,
                empty_label=_("—"),
            )
            field.share(organizations)
            self.fields[f"signatory_{index}"] = field

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
            # Archived structures are not offered, except the one already piloting.
            self.fields["pilot_organization"].queryset = Organization.objects.filter(
                Q(archived_at__isnull=True) | Q(pk=fiche.pilot_organization_id or 0),
                territory=territory,
            ).order_by("name")
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


class PartnerFormSetBase(BaseInlineFormSet):
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
    field_classes={"organization": SharedModelChoiceField, "level": SharedModelChoiceField},
    extra=2,
    can_delete=True,
)


class FundingLineForm(forms.ModelForm):
    class Meta:
        model = FundingLine
        fields = ["funder", "amount", "status", "year"]
        widgets = {"amount": forms.NumberInput(attrs={"min": 0, "step": "0.01"})}
        error_messages = {"year": YEAR_ERRORS}


FundingFormSet = inlineformset_factory(
    FicheAction,
    FundingLine,
    form=FundingLineForm,
    extra=2,
    can_delete=True,
)


def share_partner_choices(formset: Any, *, territory: Any, fiche: FicheAction | None) -> None:
    """Every partner row offers the same structures and levels: read them once (two queries
    whatever the number of rows). Archived structures stay offered where they already are."""
    offered = Q(archived_at__isnull=True)
    if fiche is not None and fiche.pk:
        offered |= Q(pk__in=fiche.partnerships.values("organization_id"))
    organizations = list(Organization.objects.filter(offered, territory=territory).order_by("name"))
    levels = list(CollaborationLevel.objects.order_by("rank"))
    for form in formset.forms:
        form.fields["organization"].share(organizations)
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


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["kind", "title", "unit", "baseline", "target", "source", "frequency"]
        help_texts = {"frequency": _("Par exemple « annuelle » ou « à chaque session ».")}


class IndicatorValueForm(forms.ModelForm):
    class Meta:
        model = IndicatorValue
        fields = ["measured_on", "value", "comment"]
        widgets = {"measured_on": IsoDateInput}


class CollaborationLevelForm(forms.ModelForm):
    rank = forms.IntegerField(
        label=_("Rang"),
        min_value=1,
        max_value=99,
        error_messages={
            "min_value": _("Le rang est un nombre de 1 à 99."),
            "max_value": _("Le rang est un nombre de 1 à 99."),
            "required": _("Indiquez le rang du niveau."),
        },
    )

    class Meta:
        model = CollaborationLevel
        fields = ["rank", "label", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"label": {"required": _("Chaque niveau a un libellé.")}}

    def validate_unique(self) -> None:
        """Ranks are checked across the whole scale when it is saved, so that two levels may
        swap their ranks in one go."""


class CollaborationScaleFormSetBase(BaseModelFormSet):
    def get_unique_error_message(self, unique_check: Sequence[str]) -> str:
        return str(_("Deux niveaux ont le même rang : chaque rang n'est utilisé qu'une fois."))

    def get_form_error(self) -> str:
        return str(_("Ce rang est déjà celui d'un autre niveau."))


CollaborationScaleFormSet = modelformset_factory(
    CollaborationLevel,
    form=CollaborationLevelForm,
    formset=CollaborationScaleFormSetBase,
    extra=1,
    can_delete=True,
)


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
