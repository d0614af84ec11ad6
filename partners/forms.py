"""Forms of the directory: French labels and messages, nothing lost on a bad entry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model
from django.forms.models import model_to_dict
from django.forms.widgets import DateTimeBaseInput
from django.utils.translation import gettext_lazy as _

from cls_platform.forms import IsoDateInput, https_urls
from cls_platform.models import Territory
from cls_platform.widgets import PickerField

from .models import Contact, HandOver, Organization, Qpv, Sector, normalize_email
from .search import contact_picker, organization_picker

MAX_IMPORT_BYTES = 5 * 1024 * 1024
# How an uploaded table's content is told from its name: an XLSX is a zip; a CSV is text that
# starts like no markup, PDF, zip or older Office file.
SNIFF_BYTES = 1024
ZIP_MAGIC = b"PK\x03\x04"
NOT_A_TABLE = (b"<", b"%PDF", ZIP_MAGIC, b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")


class KeepsUnsentFields(forms.ModelForm):
    """A form on a stored record where a field the submission does not carry keeps its stored
    value: a ModelForm empties it instead (a partial POST, an old page, a script that sends only
    what changed). The missing field is read as if its stored value had been sent back, so that
    it is validated, kept, and shown again if the form has errors.

    Checkboxes are the exception: an unchecked box is sent by its absence, so their widgets never
    count as missing (Django's `value_omitted_from_data` says so) and an absent box is unchecked.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_up_fields()
        if self.is_bound and self.instance.pk is not None:
            self.restore_unsent_fields()

    def set_up_fields(self) -> None:
        """Where a form replaces or narrows its fields: before the unsent ones are restored,
        so that each is read back as the field that will check it expects it (a picker's
        choice as an id beside the text, not as a select's bare id)."""

    def unsent_fields(self) -> list[str]:
        model_fields = {f.name for f in self.instance._meta.get_fields()}
        return [
            name
            for name, field in self.fields.items()
            if name in model_fields
            and not field.disabled
            and not isinstance(field, forms.FileField)
            and field.widget.value_omitted_from_data(self.data, self.files, self.add_prefix(name))
        ]

    def restore_unsent_fields(self) -> None:
        unsent = self.unsent_fields()
        if not unsent:
            return
        stored = model_to_dict(self.instance, fields=unsent)
        data = self.data.copy()  # a QueryDict's copy is mutable
        for name in unsent:
            field, key = self.fields[name], self.add_prefix(name)
            value = field.prepare_value(stored.get(name))
            if isinstance(field, PickerField):
                # A picker sends its choice as the id beside the text: the stored one, named.
                data[key] = field.label_of(value) if isinstance(value, Model) else ""
                data[f"{key}_id"] = str(value.pk) if isinstance(value, Model) else ""
            elif isinstance(value, list | tuple):
                items = [str(item) for item in value]
                if hasattr(data, "setlist"):
                    data.setlist(key, items)
                else:
                    data[key] = items
            elif value is None:
                data[key] = ""
            elif isinstance(field.widget, DateTimeBaseInput):
                data[key] = field.widget.format_value(value)
            else:
                data[key] = str(value)
        self.data = data


def structure_picker(territory: Territory, **kwargs: Any) -> PickerField:
    """A searchable field over the territory's structures still in use (not archived): the
    page lists none of them, whatever the directory's size (static/js/picker.js asks
    partners:organization_search as one types; without it the server resolves the name)."""
    structures = Organization.objects.filter(territory=territory, archived_at__isnull=True)
    return organization_picker(territory, structures, **kwargs)


class OrganizationForm(KeepsUnsentFields):
    class Meta:
        formfield_callback = https_urls
        model = Organization
        fields = [
            "name",
            "acronym",
            "kind",
            "sectors",
            "is_internal",
            "address",
            "qpv",
            "website",
            "offer_description",
        ]
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "offer_description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, territory: Territory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.territory = territory
        self.fields["qpv"].queryset = Qpv.objects.filter(territory=territory)
        self.fields["sectors"].queryset = Sector.objects.all()

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        clash = Organization.objects.filter(territory=self.territory, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Une structure porte déjà ce nom dans l'annuaire."))
        return name


class ContactForm(KeepsUnsentFields):
    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "job_title",
            "organization",
            "receives_invitations",
            "receives_reports",
        ]

    def __init__(self, *args: Any, territory: Territory, **kwargs: Any) -> None:
        self.territory = territory
        self.existing: Contact | None = None
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def set_up_fields(self) -> None:
        self.fields["organization"] = structure_picker(
            self.territory,
            label=self.fields["organization"].label,
            required=False,
            help_text=_("Tapez le nom ou le sigle d'une structure de l'annuaire."),
        )

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        clash = Contact.objects.filter(territory=self.territory).with_email(email)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        self.existing = clash.first()
        if self.existing is not None:
            raise forms.ValidationError(
                _(
                    "Cette adresse est déjà celle de %(name)s : ouvrez sa fiche plutôt que d'en créer une seconde."
                ),
                params={"name": self.existing.full_name or self.existing.email},
            )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("first_name") and not data.get("last_name"):
            self.add_error("last_name", _("Indiquez au moins le nom ou le prénom."))
        return data


class DepartureForm(forms.Form):
    left_on = forms.DateField(label=_("Date de départ"), widget=IsoDateInput)
    new_first_name = forms.CharField(
        label=_("Prénom du nouveau contact"), max_length=100, required=False
    )
    new_last_name = forms.CharField(
        label=_("Nom du nouveau contact"), max_length=100, required=False
    )
    new_email = forms.EmailField(label=_("Adresse e-mail du nouveau contact"), required=False)
    new_job_title = forms.CharField(
        label=_("Fonction du nouveau contact"), max_length=200, required=False
    )

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact = contact
        # Searched as one types among the territory's reachable people (the page lists none
        # of them); the one who leaves cannot succeed themself.
        self.fields["successor"] = contact_picker(
            contact.territory,
            Contact.objects.mailable()
            .filter(territory_id=contact.territory_id)
            .select_related("organization"),
            excluded=contact,
            label=_("Successeur déjà dans l'annuaire"),
            required=False,
            help_text=_(
                "Tapez un nom, un prénom ou une structure. Laissez vide s'il n'y a pas de "
                "successeur, ou s'il est nouveau dans l'annuaire (ci-dessous)."
            ),
            error_messages={
                "unavailable": _(
                    "Cette personne ne peut pas succéder (c'est elle qui part, ou elle a quitté "
                    "l'annuaire) : tapez un autre nom."
                )
            },
        )
        self.order_fields(["left_on", "successor"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("successor") and data.get("new_email"):
            raise forms.ValidationError(
                _(
                    "Choisissez un successeur dans l'annuaire ou saisissez-en un nouveau, pas les deux."
                )
            )
        if (data.get("new_first_name") or data.get("new_last_name")) and not data.get("new_email"):
            self.add_error("new_email", _("L'adresse e-mail du nouveau contact est nécessaire."))
        return data

    def new_successor(self) -> dict[str, str] | None:
        """The successor typed in (not picked from the directory), as `contact_create` takes it."""
        data = self.cleaned_data
        if data.get("successor") or not data.get("new_email"):
            return None
        return {
            "email": data["new_email"],
            "first_name": data["new_first_name"],
            "last_name": data["new_last_name"],
            "job_title": data["new_job_title"],
        }


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou Excel (.xlsx)"),
        help_text=_(
            "Une ligne par personne ; colonnes reconnues : Nom, Prénom, Structure, Fonction, "
            "Courriel, Téléphone, Secteur. 5 Mo, 20 000 lignes et 60 colonnes au plus."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(
                _(
                    "Déposez un fichier .csv ou .xlsx (les anciens .xls : enregistrez-les d'abord en .xlsx)."
                )
            )
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Ce fichier dépasse 5 Mo."))
        # The name says nothing of the content: a web page or an image renamed .csv would
        # otherwise be read as a table and answered with a puzzling "no e-mail column".
        upload.seek(0)
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        if name.endswith(".xlsx"):
            disguised = not head.startswith(ZIP_MAGIC)
        else:
            text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
            disguised = text.startswith(NOT_A_TABLE) or b"\x00" in head
        if disguised:
            raise forms.ValidationError(
                _(
                    "« %(name)s » n'est pas un tableau : son contenu ne correspond pas à son "
                    "extension. Enregistrez-le depuis votre tableur au format CSV ou .xlsx."
                )
                % {"name": upload.name}
            )
        return upload


class SelfServiceDetailsForm(KeepsUnsentFields):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "job_title", "phone"]
        # The person's own details: the browser may fill them in (RGAA 11.13, WCAG 1.3.5).
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("first_name") or "").strip() and not (data.get("last_name") or "").strip():
            self.add_error("last_name", _("Indiquez au moins votre nom ou votre prénom."))
        return data


class SelfServicePreferencesForm(forms.Form):
    invitations = forms.BooleanField(
        label=_("Recevoir les invitations aux réunions"), required=False
    )
    reports = forms.BooleanField(label=_("Recevoir les comptes-rendus"), required=False)

    def __init__(self, *args: Any, memberships: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = memberships
        for m in memberships:
            self.fields[f"inv_{m.group_id}"] = forms.BooleanField(
                label=_("Invitations : %(group)s") % {"group": m.group.name},
                required=False,
                initial=m.invitations,
            )
            self.fields[f"rep_{m.group_id}"] = forms.BooleanField(
                label=_("Comptes-rendus : %(group)s") % {"group": m.group.name},
                required=False,
                initial=m.reports,
            )

    def per_group(self) -> dict[int, tuple[bool, bool]]:
        return {
            m.group_id: (
                self.cleaned_data[f"inv_{m.group_id}"],
                self.cleaned_data[f"rep_{m.group_id}"],
            )
            for m in self.memberships
        }


class HandOverForm(forms.ModelForm):
    class Meta:
        model = HandOver
        fields = [
            "left_on",
            "successor_first_name",
            "successor_last_name",
            "successor_email",
            "successor_job_title",
            "message",
        ]
        widgets = {
            "left_on": IsoDateInput,
            "message": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"message": _("Un mot pour la coordination (facultatif)")}
