"""The journal of a territory (/t/<territory>/journal/): its audit trail, for its coordination.

Filtered (django-filter) by kind of object, event, person and dates, 50 entries a page; an
object's page links here with `?objet=<kind>&id=<pk>` (templates/includes/history_link.html).
The values of the changes are shown as a person reads them (labels of choices, names of the
related objects, local dates), the related objects of a page being named in one query per
model, whatever the number of entries.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import django_filters as filters
from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.http import urlencode
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import ListView

from .access import TerritoryMixin
from .audit import (
    ACCOUNT_KEY,
    AUDITED,
    MASK,
    AuditEntry,
    AuditEvent,
    key_for_model,
    model_for_key,
)
from .forms import IsoDateInput
from .models import Territory, User

PAGE_SIZE = 50
# A compte-rendu or a description shows its beginning: the journal says what changed, the
# object's page shows it whole.
TEXT_LENGTH = 200
EMPTY = "—"


def object_choices() -> list[tuple[str, str]]:
    from django.apps import apps

    choices = [
        (spec.key, capfirst(apps.get_model(label)._meta.verbose_name_plural))
        for label, spec in AUDITED.items()
    ]
    choices.append((ACCOUNT_KEY, _("Comptes (connexions)")))
    return choices


# The journal holds nothing older than its retention period: dates far outside are typing
# mistakes (and year 1 or 9999 overflow once turned into UTC times).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class JournalFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in ("du", "au"):
            day = cleaned.get(name)
            if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(
                    name,
                    _("Indiquez une date entre %(first)s et %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                )
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and start > end:
            self.add_error("au", _("La date de fin précède la date de début."))
        return cleaned


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditEntryFilter(filters.FilterSet):
    """The journal's filters; dates are compared to local midnights (the index on the territory
    and the time serves them, a date extracted from each entry would not)."""

    objet = filters.ChoiceFilter(
        label=gettext_lazy("Type d'objet"),
        choices=object_choices,
        method="filter_object",
        empty_label=gettext_lazy("Tous"),
    )
    id = filters.NumberFilter(
        method="filter_id",
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**63 - 1,
        decimal_places=0,
    )
    evenement = filters.ChoiceFilter(
        label=gettext_lazy("Événement"),
        field_name="event",
        choices=AuditEvent.choices,
        empty_label=gettext_lazy("Tous"),
    )
    personne = filters.ModelChoiceFilter(
        label=gettext_lazy("Personne"),
        queryset=User.objects.none(),
        method="filter_person",
        empty_label=gettext_lazy("Toutes"),
    )
    du = filters.DateFilter(label=gettext_lazy("Du"), method="filter_from", widget=IsoDateInput)
    au = filters.DateFilter(label=gettext_lazy("Au"), method="filter_until", widget=IsoDateInput)

    class Meta:
        model = AuditEntry
        fields: list[str] = []
        form = JournalFilterForm

    def __init__(self, *args: Any, territory: Territory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["personne"].queryset = User.objects.filter(
            accesses__territory=territory
        ).order_by("full_name", "email")

    def filter_object(self, queryset: QuerySet[AuditEntry], name: str, value: str):
        model = model_for_key(value)
        if model is None:
            return queryset.none()
        return queryset.filter(content_type=ContentType.objects.get_for_model(model))

    def filter_id(self, queryset: QuerySet[AuditEntry], name: str, value: Decimal):
        return queryset.filter(object_id=int(value))

    def filter_person(self, queryset: QuerySet[AuditEntry], name: str, value: User):
        """What the person did, and the sign-ins tried on their account."""
        account = ContentType.objects.get_for_model(User)
        return queryset.filter(Q(actor=value) | Q(content_type=account, object_id=value.pk))

    def filter_from(self, queryset: QuerySet[AuditEntry], name: str, value: dt.date):
        return queryset.filter(timestamp__gte=local_midnight(value))

    def filter_until(self, queryset: QuerySet[AuditEntry], name: str, value: dt.date):
        return queryset.filter(timestamp__lt=local_midnight(value + dt.timedelta(days=1)))


# --- what an entry shows -----------------------------------------------------------------------


@dataclass
class Change:
    label: str
    old: str = ""
    new: str = ""
    # A many-to-many change: "ajout", "retrait" or "vidé", and the objects.
    operation: str = ""
    objects: list[str] = field(default_factory=list)


@dataclass
class JournalRow:
    entry: AuditEntry
    who: str
    event: str
    kind: str
    changes: list[Change]
    summary: str
    history_query: str  # the journal filtered on this entry's object ("" when it has none)

    @property
    def changes_folded(self) -> bool:
        """A creation or a deletion lists every value: folded under a summary line."""
        return self.entry.event in (AuditEvent.CREATE, AuditEvent.DELETE)


M2M_OPERATIONS = {
    "add": gettext_lazy("ajout"),
    "delete": gettext_lazy("retrait"),
    "clear": gettext_lazy("liste vidée"),
}
MESSAGES = {
    "invitations": gettext_lazy("Invitations"),
    "report": gettext_lazy("Compte-rendu"),
    "survey": gettext_lazy("Questionnaire"),
    "survey_reminder": gettext_lazy("Relance du questionnaire"),
}


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _is_reference(model_field: Any) -> bool:
    return model_field is not None and bool(
        getattr(model_field, "many_to_one", False) or getattr(model_field, "one_to_one", False)
    )


def _int(raw: Any) -> int | None:
    text = str(raw)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


class Names:
    """The related objects a page of entries names (ids in the changes), one query per model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        self.found: dict[type[models.Model], dict[int, str]] = {}

    def want(self, model: type[models.Model], raw: Any) -> None:
        pk = _int(raw)
        if pk is not None:
            self.wanted[model].add(pk)

    def fetch(self) -> None:
        for model, ids in self.wanted.items():
            self.found[model] = {
                obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=ids).order_by()
            }

    def name(self, model: type[models.Model], raw: Any) -> str:
        pk = _int(raw)
        if pk is None:
            return EMPTY
        named = self.found.get(model, {}).get(pk)
        return named if named is not None else _("n° %(pk)s (supprimé)") % {"pk": pk}


@functools.cache
def _choices(model_field: Any) -> dict[str, str]:
    """The labels of a field's choices, by stored value (fields live as long as the process;
    the labels are those of the only language, French)."""
    return {str(value): str(label) for value, label in getattr(model_field, "flatchoices", [])}


@functools.cache
def _label(model: type[models.Model] | None, name: str) -> str:
    return capfirst(str(getattr(_model_field(model, name), "verbose_name", name)))


def _show(model_field: Any, raw: Any, names: Names) -> str:
    """One value of a change as a person reads it."""
    if raw is None or raw in ("None", ""):
        return EMPTY
    text = str(raw)
    if text == MASK or model_field is None:
        return Truncator(text).chars(TEXT_LENGTH)
    if _is_reference(model_field):
        return names.name(model_field.related_model, text)
    choices = _choices(model_field)
    if choices:
        return choices.get(text, text)
    try:
        if isinstance(model_field, models.BooleanField):
            return _("oui") if text == "True" else _("non")
        if isinstance(model_field, models.DateTimeField):
            moment = dt.datetime.fromisoformat(text)
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=dt.UTC)  # auditlog writes them in UTC
            return formats.date_format(timezone.localtime(moment), "d/m/Y H:i")
        if isinstance(model_field, models.DateField):
            return formats.date_format(dt.date.fromisoformat(text[:10]), "d/m/Y")
        if isinstance(model_field, models.DecimalField):
            return formats.number_format(Decimal(text), use_l10n=True)
    except (ValueError, InvalidOperation):
        pass
    if isinstance(model_field, models.TextField):
        text = " ".join(strip_tags(text).split())
    return Truncator(text).chars(TEXT_LENGTH)


def _count(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _summary(entry: AuditEntry) -> str:
    data = entry.additional_data or {}
    if entry.event == AuditEvent.EXPORT:
        if "rows" not in data:  # one object's data (a person's, as JSON)
            return _("Format %(format)s") % {"format": str(data.get("format", "")).upper()}
        rows = _count(data.get("rows"))
        return ngettext(
            "Format %(format)s · %(rows)s ligne", "Format %(format)s · %(rows)s lignes", rows
        ) % {"format": str(data.get("format", "")).upper(), "rows": rows}
    if entry.event == AuditEvent.SEND:
        queued, skipped = _count(data.get("queued")), _count(data.get("skipped"))
        message = str(MESSAGES.get(data.get("message", ""), data.get("message", "")))
        text = ngettext(
            "%(message)s : %(queued)s e-mail mis en file d'envoi",
            "%(message)s : %(queued)s e-mails mis en file d'envoi",
            queued,
        ) % {"message": message, "queued": queued}
        if skipped:
            text += ngettext(
                " (%(skipped)s personne l'avait déjà reçu)",
                " (%(skipped)s personnes l'avaient déjà reçu)",
                skipped,
            ) % {"skipped": skipped}
        return text
    if entry.event == AuditEvent.ERASURE:
        return _("Données de la personne effacées.")
    if entry.event == AuditEvent.SIGN_IN_FAILED and data.get("lockout"):
        return _("Compte bloqué après des échecs répétés.")
    if entry.event == AuditEvent.SIGN_IN_FAILED and data.get("second_factor") == "wrong_code":
        return _("Code de double authentification erroné.")
    if entry.event == AuditEvent.SIGN_IN_FAILED and not entry.object_pk:
        return _("Adresse sans compte.")
    return ""


def journal_rows(entries: list[AuditEntry], *, filtered_object: bool = False) -> list[JournalRow]:
    """What the journal shows of each entry; the related objects named in one query per model."""
    names = Names()
    models_of: dict[int, type[models.Model] | None] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        models_of[entry.pk] = model
        for name, values in (entry.changes or {}).items():
            model_field = _model_field(model, name)
            if isinstance(values, dict) and values.get("type") == "m2m":
                target = getattr(model_field, "related_model", None)
                for pk in values.get("ids", []):
                    if target is not None:
                        names.want(target, pk)
            elif _is_reference(model_field) and isinstance(values, list):
                for raw in values:
                    names.want(model_field.related_model, raw)
    names.fetch()
    rows = []
    for entry in entries:
        model = models_of[entry.pk]
        changes = []
        for name, values in sorted((entry.changes or {}).items()):
            model_field = _model_field(model, name)
            label = _label(model, name)
            if isinstance(values, dict) and values.get("type") == "m2m":
                target = getattr(model_field, "related_model", None)
                ids = values.get("ids")
                shown = (
                    [names.name(target, pk) for pk in ids]
                    if ids is not None and target is not None
                    else [str(o) for o in values.get("objects", [])]
                )
                changes.append(
                    Change(
                        label,
                        operation=str(M2M_OPERATIONS.get(values.get("operation"), "")),
                        objects=shown,
                    )
                )
            elif isinstance(values, list) and len(values) == 2:
                old, new = (_show(model_field, v, names) for v in values)
                if entry.event == AuditEvent.CREATE and new == EMPTY:
                    continue  # a creation lists the values given, not the empty ones
                changes.append(Change(label, old=old, new=new))
        key = key_for_model(model) if model is not None else None
        history = ""
        if not filtered_object and key and entry.object_id:
            history = urlencode({"objet": key, "id": entry.object_id})
        rows.append(
            JournalRow(
                entry=entry,
                who=_who(entry),
                event=entry.get_event_display(),
                kind=capfirst(model._meta.verbose_name) if model is not None else "",
                changes=changes,
                summary=_summary(entry),
                history_query=history,
            )
        )
    return rows


def _who(entry: AuditEntry) -> str:
    if entry.actor is not None:
        return str(entry.actor)
    if entry.actor_email:
        return entry.actor_email  # an account deleted since
    if entry.event == AuditEvent.SIGN_IN_FAILED:
        return _("Inconnu")
    return _("Système, ou un partenaire par son lien")


# --- the page --------------------------------------------------------------------------------


class AuditTrailView(TerritoryMixin, ListView):
    """The trail of the territory: its coordination only (co-pilots and signatories: 403)."""

    coordinator_only = True
    template_name = "cls_platform/audit/journal.html"
    paginate_by = PAGE_SIZE
    context_object_name = "entries"

    def get_queryset(self) -> QuerySet[AuditEntry]:
        self.filterset = AuditEntryFilter(
            self.request.GET or None,
            queryset=AuditEntry.objects.filter(territory=self.territory)
            .select_related("content_type", "actor")
            .order_by("-timestamp", "-id"),
            territory=self.territory,
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        cleaned = getattr(self.filterset.form, "cleaned_data", {})
        one_object = bool(cleaned.get("objet") and cleaned.get("id"))
        entries = list(context["entries"])
        context.update(
            filter=self.filterset,
            query=params.urlencode(),
            rows=journal_rows(entries, filtered_object=one_object),
            one_object=one_object,
            object_label=entries[0].object_repr if one_object and entries else "",
            retention_months=settings.AUDIT_RETENTION_MONTHS,
        )
        return context
