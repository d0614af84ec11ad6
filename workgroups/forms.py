"""Forms of groups and meetings."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.db.models import Q
from django.forms import inlineformset_factory
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.forms.common import SharedPickerField
from actions.models import Axis, FicheAction
from cls_platform.forms import https_urls
from cls_platform.models import Access
from cls_platform.widgets import PickedListField, PickerField, gathered_by, posted_ids
from partners import search
from partners.forms import structure_picker
from partners.models import Contact
from partners.search import contact_label, pickable_contacts, pickable_organizations

from .models import AgendaItem, Meeting, MembershipKind, WorkGroup

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def contact_picker(access: Access, **kwargs: Any) -> PickerField:
    """A searchable field over the territory's reachable people, each shown with their
    structure ("Bruno Faure — CCAS de Cergy")."""
    return search.contact_picker(access.territory, pickable_contacts(access), **kwargs)


def organization_picker(access: Access, **kwargs: Any) -> PickerField:
    return search.organization_picker(access.territory, pickable_organizations(access), **kwargs)


def only_errors_of(form: forms.BaseForm, *names: str) -> None:
    """Forget the form's errors but those of `names`: the form comes back to go on filling it,
    not to be corrected yet (it is checked in full when saved)."""
    errors = form.errors  # runs the checks once
    form._errors = ErrorDict({k: v for k, v in errors.items() if k in names})


# The button of the group form that, without JavaScript, puts the person typed in the picker in
# the list of pilots and brings the form back for another one (nothing saved yet).
ADD_ANOTHER_PILOT = "add_another_pilot"


class WorkGroupForm(forms.ModelForm):
    """The coordinator's form: everything about the group. The pilots chosen so far are listed
    with a box to keep each; the picker adds one (a territory has hundreds of contacts), and
    another after it: static/js/picker.js puts each person chosen in that list, and without
    JavaScript "Ajouter un autre pilote" brings the form back with the one typed in the list."""

    class Meta:
        model = WorkGroup
        fields = [
            "contract",
            "kind",
            "axis",
            "name",
            "target_meetings_per_year",
            "status",
            "invitation_policy",
        ]

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access = access
        territory = access.territory
        self.fields["contract"].queryset = territory.contracts.order_by("-start_year")
        self.fields["axis"].queryset = (
            Axis.objects.filter(contract__territory=territory)
            .select_related("contract")
            .order_by("contract", "kind", "number")
        )
        # The list offers the group's pilots and those chosen since (by the script or by
        # "Ajouter un autre pilote"): a posted id counts only if the picker could offer it.
        chosen = posted_ids(self.data, self.add_prefix("keep_pilots"))
        listed = Q(pk__in=pickable_contacts(access).filter(pk__in=chosen).values("pk"))
        if self.instance.pk:
            listed |= Q(pk__in=self.instance.pilots.values("pk"))
            self.initial.setdefault(
                "keep_pilots", self.instance.pilots.values_list("pk", flat=True)
            )
        self.fields["keep_pilots"] = PickedListField(
            label=_("Pilotes et co-pilotes du groupe"),
            label_of=contact_label,
            queryset=Contact.objects.filter(listed)
            .select_related("organization")
            .order_by("last_name", "first_name", "pk"),
            required=False,
            help_text=_(
                "Chaque personne ajoutée s'inscrit ici ; décochez une case pour retirer la "
                "personne du pilotage."
            ),
        )
        self.fields["add_pilot"] = contact_picker(
            access,
            label=_("Ajouter un·e pilote ou co-pilote"),
            required=False,
            help_text=_(
                "Tapez un nom, un prénom ou une structure, puis choisissez la personne : elle "
                "rejoint la liste ci-dessus, et vous pouvez en ajouter une autre. Le service "
                "santé et un·e professionnel·le d'un autre secteur, idéalement."
            ),
        )
        # With the script, a person chosen in the picker joins the list of boxes at once.
        gathered_by(
            self.fields["add_pilot"],
            self,
            "keep_pilots",
            _("{label} rejoint la liste des pilotes."),
        )
        self.order_fields(
            [
                "contract",
                "kind",
                "axis",
                "name",
                "target_meetings_per_year",
                "status",
                "invitation_policy",
                "keep_pilots",
                "add_pilot",
            ]
        )

    def pilots(self) -> list[Contact]:
        """The group's pilots once saved: those kept, and the one added."""
        pilots = list(self.cleaned_data.get("keep_pilots") or [])
        added = self.cleaned_data.get("add_pilot")
        if added is not None and added not in pilots:
            pilots.append(added)
        return pilots

    def with_pilot_added(self) -> tuple[WorkGroupForm, Contact | None]:
        """ "Ajouter un autre pilote": this form again, nothing saved, the person typed in the
        picker ticked in the list and the picker empty for the next one; with the person added
        (None when the picker could not tell whom: its error then says why)."""
        picker = self.add_prefix("add_pilot")
        self.full_clean()  # resolves what was typed; the other fields wait for the save
        picked = self.cleaned_data.get("add_pilot")
        if picked is None:
            if "add_pilot" not in self.errors:
                self.add_error("add_pilot", _("Tapez le nom de la personne à ajouter."))
            only_errors_of(self, "add_pilot")
            return self, None
        data = self.data.copy()
        kept = [str(pk) for pk in posted_ids(data, self.add_prefix("keep_pilots"))]
        if str(picked.pk) not in kept:
            kept.append(str(picked.pk))
        data.setlist(self.add_prefix("keep_pilots"), kept)
        for name in (picker, f"{picker}_id", f"{picker}_choice"):
            data.pop(name, None)
        again = type(self)(data, instance=self.instance, access=self.access)
        only_errors_of(again)
        return again, picked


class CopilotGroupForm(forms.ModelForm):
    """A co-pilot's form: the group's name and rhythm. Who pilots it, its contract, its state
    and whom its meetings invite are the coordination's decisions (the service refuses them
    from a co-pilot too)."""

    class Meta:
        model = WorkGroup
        fields = ["name", "target_meetings_per_year"]

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def pilots(self) -> None:
        return None  # unchanged


class InitialValueBoundField(forms.BoundField):
    """Django gives the hidden copy of a field's initial value the field's aria-describedby
    (its error, its help), which HTML forbids on a hidden input: the copy keeps none."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        built = super().build_widget_attrs(attrs, widget)
        if (widget or self.field.widget).is_hidden:
            built.pop("aria-describedby", None)
        return built


class MeetingForm(forms.ModelForm):
    bound_field_class = InitialValueBoundField

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


class AgendaItemForm(forms.ModelForm):
    """One agenda line. Its structure is a picker (`limit_agenda_formset`) that has already
    checked the choice against the territory's structures still in use: the model's own check
    of the foreign key (one query per line) is not run again."""

    class Meta:
        model = AgendaItem
        fields = ["kind", "title", "duration_minutes", "presenter", "organization"]

    def _get_validation_exclusions(self) -> set[str]:
        return {*super()._get_validation_exclusions(), "organization"}


class AgendaLineField(forms.ModelChoiceField):
    """The hidden id of a line already saved, taken among the meeting's lines that the formset
    read once (not one query per line). An id that is not one of them (deleted meanwhile,
    another meeting's) names no line: the line is saved as a new one, as the lines are
    rewritten in full (services.meeting_save)."""

    def __init__(self, lines: dict[str, AgendaItem], **kwargs: Any) -> None:
        super().__init__(queryset=AgendaItem.objects.none(), **kwargs)
        self.lines = lines

    def to_python(self, value: Any) -> AgendaItem | None:
        if value in self.empty_values:
            return None
        return self.lines.get(str(value))


AgendaFormSet = inlineformset_factory(
    Meeting,
    AgendaItem,
    form=AgendaItemForm,
    extra=3,
    can_delete=True,
)


def limit_agenda_formset(formset: Any, territory: Any) -> None:
    """Every agenda line's structure is searched as one types (a picker: the page lists none
    of the territory's structures, whatever the directory's size). Whatever the number of
    lines, the structures they name (already saved, or chosen and posted) are read in one
    query, and the lines already saved in one (the formset's)."""
    rows = formset.forms
    lines = {str(form.instance.pk): form.instance for form in rows if form.instance.pk}
    named = {
        form.initial["organization"]
        for form in rows
        if isinstance(form.initial.get("organization"), int)
    }
    pk_name = AgendaItem._meta.pk.name
    pickers: list[SharedPickerField] = []
    for form in rows:
        field = form.fields["organization"]
        picker = structure_picker(
            territory,
            field_class=SharedPickerField,
            label=field.label,
            required=False,
            help_text=_("Tapez le nom ou le sigle d'une structure de l'annuaire."),
        )
        form.fields["organization"] = picker
        pickers.append(picker)
        if pk_name in form.fields:
            old = form.fields[pk_name]
            form.fields[pk_name] = AgendaLineField(
                lines, initial=old.initial, required=False, widget=old.widget
            )
    posted: set[int] = set()
    if formset.is_bound:
        for form in rows:
            name = form.add_prefix("organization")
            for key in (f"{name}_id", f"{name}_choice"):
                posted.update(posted_ids(formset.data, key))
    wanted = named | posted
    # One read for every line: an archived structure is offered no more (the line shows none).
    found = (
        {str(o.pk): o for o in pickers[0].queryset.filter(pk__in=sorted(wanted))}
        if wanted and pickers
        else {}
    )
    for form, picker in zip(rows, pickers, strict=True):
        picker.share(found)
        if "organization" in form.initial:
            form.initial["organization"] = found.get(str(form.initial["organization"]))


class MembershipForm(forms.Form):
    kind = forms.ChoiceField(label=_("Lien avec le groupe"), choices=MembershipKind.choices)

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"] = contact_picker(
            access, label=_("Contact"), help_text=_("Tapez un nom, un prénom ou une structure.")
        )
        self.order_fields(["contact", "kind"])


class AddInviteeForm(forms.Form):
    def __init__(self, *args: Any, meeting: Meeting, access: Access, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "inviter_%s")  # ids of its own on the meeting's page
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["contact"] = contact_picker(
            access,
            label=_("Inviter aussi"),
            help_text=_("Tapez un nom, un prénom ou une structure."),
        )

    def clean_contact(self) -> Contact:
        contact = self.cleaned_data["contact"]
        if self.meeting.invitations.filter(contact=contact).exists():
            raise forms.ValidationError(
                _("%(name)s est déjà sur la liste des invités.") % {"name": contact}
            )
        return contact


class WalkInForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(label=_("Adresse e-mail"))
    job_title = forms.CharField(label=_("Fonction"), max_length=200, required=False)
    new_organization = forms.CharField(
        label=_("Nouvelle structure"),
        max_length=250,
        required=False,
        help_text=_("Si sa structure n'est pas dans l'annuaire : elle y est ajoutée."),
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "sur_place_%s")  # ids of its own on the meeting's page
        super().__init__(*args, **kwargs)
        self.fields["organization"] = organization_picker(
            access,
            label=_("Structure"),
            required=False,
            help_text=_("Tapez le nom ou le sigle d'une structure de l'annuaire."),
        )
        self.order_fields(
            ["first_name", "last_name", "email", "job_title", "organization", "new_organization"]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("organization") and data.get("new_organization"):
            self.add_error(
                "new_organization",
                _(
                    "Choisissez une structure de l'annuaire ou indiquez une nouvelle structure, "
                    "pas les deux."
                ),
            )
        return data


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
