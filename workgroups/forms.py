"""Forms of groups and meetings."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import Axis, FicheAction
from cls_platform.forms import https_urls
from partners.models import Contact, Organization

from .models import AgendaItem, Meeting, MembershipKind, WorkGroup

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


class WorkGroupForm(forms.ModelForm):
    class Meta:
        model = WorkGroup
        fields = [
            "contract",
            "kind",
            "axis",
            "name",
            "pilots",
            "target_meetings_per_year",
            "status",
            "invitation_policy",
        ]

    def __init__(self, *args: Any, territory: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = territory.contracts.order_by("-start_year")
        self.fields["axis"].queryset = (
            Axis.objects.filter(contract__territory=territory)
            .select_related("contract")
            .order_by("contract", "kind", "number")
        )
        self.fields["pilots"].queryset = (
            Contact.objects.mailable()
            .filter(territory=territory)
            .select_related("organization")
            .order_by("last_name")
        )
        self.fields["pilots"].help_text = _(
            "Le service santé et un·e professionnel·le d'un autre secteur, idéalement."
        )


class MeetingForm(forms.ModelForm):
    day = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start = forms.TimeField(
        label=_("Début"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=_("Fin"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    class Meta:
        formfield_callback = https_urls
        model = Meeting
        fields = ["title", "place", "online_url", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            starts = timezone.localtime(self.instance.starts_at)
            ends = timezone.localtime(self.instance.ends_at)
            # To the minute, as the time fields show them: an untouched time is unchanged.
            self.initial.update(
                day=starts.date(),
                start=starts.time().replace(second=0, microsecond=0),
                end=ends.time().replace(second=0, microsecond=0),
            )
        else:
            self.initial.setdefault("start", dt.time(14, 0))
            self.initial.setdefault("end", dt.time(16, 0))
        self.order_fields(["day", "start", "end", "title", "place", "online_url", "description"])
        # The values the page was opened with travel with the form: `changed_fields` then
        # names what this person changed, not what differs from a row someone else changed
        # since (saving would undo their move).
        for field in self.fields.values():
            field.show_hidden_initial = True

    def changed_fields(self) -> list[str]:
        """The meeting's fields this person changed (the date and times make its start and
        end): saving writes those only, not what someone else changed meanwhile."""
        fields = [name for name in self.changed_data if name in self._meta.fields]
        if {"day", "start", "end"} & set(self.changed_data):
            fields += ["starts_at", "ends_at"]
        return fields

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            if end <= start:
                self.add_error("end", _("La fin doit être après le début."))
            else:
                self.instance.starts_at = dt.datetime.combine(day, start, tzinfo=PARIS)
                self.instance.ends_at = dt.datetime.combine(day, end, tzinfo=PARIS)
        return data


AgendaFormSet = inlineformset_factory(
    Meeting,
    AgendaItem,
    fields=["kind", "title", "duration_minutes", "presenter", "organization"],
    extra=3,
    can_delete=True,
)


def limit_agenda_formset(formset: Any, territory: Any) -> None:
    """Every agenda line offers the territory's structures: one query for all the lines (each
    line's <select> would otherwise run its own, and the page would grow with the agenda)."""
    organizations = Organization.objects.filter(
        territory=territory, archived_at__isnull=True
    ).order_by("name")
    choices = [("", "---------"), *((o.pk, o.name) for o in organizations.only("pk", "name"))]
    for form in formset.forms:
        field = form.fields["organization"]
        field.queryset = organizations  # what a submitted value is checked against
        field.choices = choices  # what the <select> lists, built once


class MembershipForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none())
    kind = forms.ChoiceField(label=_("Lien avec le groupe"), choices=MembershipKind.choices)

    def __init__(self, *args: Any, territory: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = (
            Contact.objects.mailable()
            .filter(territory=territory)
            .select_related("organization")
            .order_by("last_name", "first_name")
        )


class AddInviteeForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Inviter aussi"), queryset=Contact.objects.none())

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = (
            Contact.objects.mailable()
            .filter(territory_id=meeting.territory_id)
            .exclude(invitations__meeting=meeting)
            .only("first_name", "last_name")  # the label is the name (Contact.__str__)
            .order_by("last_name", "first_name")
        )


class WalkInForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(label=_("Adresse e-mail"))
    job_title = forms.CharField(label=_("Fonction"), max_length=200, required=False)
    organization = forms.ModelChoiceField(
        label=_("Structure"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, territory: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            territory=territory, archived_at__isnull=True
        ).order_by("name")


class ReportForm(forms.Form):
    # static/js/report-editor.js turns this textarea into a rich-text editor (toolbar, paste
    # from a word processor); without JavaScript it stays a textarea taking simple text.
    report = forms.CharField(
        label=_("Compte-rendu"),
        widget=forms.Textarea(attrs={"rows": 18, "data-rich-editor": ""}),
        help_text=_(
            "Titres, gras, italique, listes et liens sont gardés, y compris dans un texte collé "
            "depuis un traitement de texte ; le reste de la mise en forme est retiré à "
            "l'enregistrement."
        ),
    )
    fiches = forms.ModelMultipleChoiceField(
        label=_("Fiches-actions évoquées (une actualité est ajoutée à chacune)"),
        queryset=FicheAction.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fiches"].queryset = FicheAction.objects.filter(
            contract=meeting.group.contract
        ).order_by("number")


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Titre de la ressource"), max_length=250, required=False)
    file = forms.FileField(label=_("Fichier (PDF, bureautique, image ; 15 Mo au plus)"))
