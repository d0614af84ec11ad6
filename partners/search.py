"""Searching the directory for the pickers: the matching rules, and the JSON views that the
combobox (static/js/picker.js) asks as one types.

A search matches each word typed against the person's first name, last name, structure name or
acronym, ignoring case and accents ("elodie ccas" finds "Élodie Marchand — CCAS de Cergy").
Results never carry an address or a phone: only an id and the label the picker shows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, F, Func, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode

from cls_platform.access import scoped, territory_view
from cls_platform.models import Access
from cls_platform.widgets import PICKER_LIMIT, PickerField, fold, posted_ids

from .models import Contact, Organization

# Accented letters and their plain twin, position by position (French names and a few others).
ACCENTED = "àâäáãåÀÂÄÁÃÅéèêëÉÈÊËîïíìÎÏÍÌôöóòõÔÖÓÒÕùûüúÙÛÜÚçÇÿŸñÑ"
PLAIN = "aaaaaaAAAAAAeeeeEEEEiiiiIIIIoooooOOOOOuuuuUUUUcCyYnN"
LIGATURES = (("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"))
# What may wrap a word typed, and is not part of it: "(CCAS)" is the acronym "ccas".
WRAPPING = "()[]{}«»\"',;:!?"


class Folded(Func):
    """SQL twin of `cls_platform.widgets.fold`: the column in lower case, without accents.

    PostgreSQL's TRANSLATE does it in one call; SQLite has nothing of the kind (and a REPLACE per
    letter overflows its parser), so there the Python function itself is registered on the
    connection. Both fold before lowering: SQLite's LOWER leaves "É" as it is."""

    output_field = CharField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression if hasattr(expression, "resolve_expression") else F(expression))

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        folded = self.source_expressions[0]
        for ligature, plain in LIGATURES:
            folded = Replace(folded, Value(ligature), Value(plain))
        for accented, plain in zip(ACCENTED, PLAIN, strict=True):
            folded = Replace(folded, Value(accented), Value(plain))
        return compiler.compile(Lower(folded))

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        connection.ensure_connection()
        connection.connection.create_function("trame_fold", 1, _fold_or_none, deterministic=True)
        sql, params = compiler.compile(self.source_expressions[0])
        return f"trame_fold({sql})", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        folded = self.source_expressions[0]
        for ligature, plain in LIGATURES:
            folded = Replace(folded, Value(ligature), Value(plain))
        sql, params = compiler.compile(folded)
        return f"LOWER(TRANSLATE({sql}, %s, %s))", (*params, ACCENTED, PLAIN)


def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold(text)


def _words(text: str) -> list[str]:
    # Punctuation alone is no word, nor around one: the picker's labels "Bruno Faure — CCAS" and
    # "Centre social (CS)" typed in full work.
    # NUL is dropped: PostgreSQL refuses it in a query (a 500 for a stray byte in ?q=).
    words = (word.strip(WRAPPING) for word in fold(text.replace("\x00", "")).split())
    return [word for word in words if any(c.isalnum() for c in word)]


def contacts_matching(queryset: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    """The contacts of `queryset` that every word of `text` finds in their names or their
    structure's name or acronym, by name."""
    words = _words(text)
    if not words:
        return queryset.none()
    queryset = queryset.annotate(
        _first=Folded("first_name"),
        _last=Folded("last_name"),
        _org=Folded("organization__name"),
        _acronym=Folded("organization__acronym"),
    )
    for word in words:
        queryset = queryset.filter(
            Q(_first__contains=word)
            | Q(_last__contains=word)
            | Q(_org__contains=word)
            | Q(_acronym__contains=word)
        )
    return queryset.select_related("organization").order_by("last_name", "first_name", "pk")


def organizations_matching(queryset: QuerySet[Organization], text: str) -> QuerySet[Organization]:
    """The structures of `queryset` whose name or acronym holds every word of `text`."""
    words = _words(text)
    if not words:
        return queryset.none()
    queryset = queryset.annotate(_name=Folded("name"), _acronym=Folded("acronym"))
    for word in words:
        queryset = queryset.filter(Q(_name__contains=word) | Q(_acronym__contains=word))
    return queryset.order_by("name", "pk")


def contact_label(contact: Contact) -> str:
    """How a picker names a person: the structure beside the name, so that two "Bruno Faure"
    are told apart; never the address (Contact.__str__ falls back to a neutral word)."""
    organization = contact.organization
    if organization is None:
        return str(contact)
    return f"{contact} — {organization.name}"


def organization_label(organization: Organization) -> str:
    return str(organization)


def organization_picker(
    territory: Any,
    structures: QuerySet[Organization],
    *,
    field_class: type[PickerField] = PickerField,
    **kwargs: Any,
) -> Any:
    """A searchable field over `structures` (a territory has hundreds): the page lists none of
    them; static/js/picker.js asks organization_search as one types, and without JavaScript the
    server resolves the name typed on saving."""
    return field_class(
        queryset=structures,
        search=organizations_matching,
        label_of=organization_label,
        url=reverse("partners:organization_search", kwargs={"territory": territory.slug}),
        **kwargs,
    )


def contact_picker(
    territory: Any,
    people: QuerySet[Contact],
    *,
    label_of: Any = contact_label,
    excluded: Contact | None = None,
    **kwargs: Any,
) -> PickerField:
    """A searchable field over `people`, each shown with their structure ("Bruno Faure — CCAS de
    Cergy"), searched through contact_search as for organization_picker.

    `excluded` (the person who leaves, on their departure form) is left out of `people` and out
    of the suggestions alike: the search is asked to leave them out (?exclude=)."""
    url = reverse("partners:contact_search", kwargs={"territory": territory.slug})
    if excluded is not None:
        people = people.exclude(pk=excluded.pk)
        url = f"{url}?{urlencode({'exclude': excluded.pk})}"
    return PickerField(
        queryset=people,
        search=contacts_matching,
        label_of=label_of,
        url=url,
        **kwargs,
    )


def pickable_contacts(access: Access) -> QuerySet[Contact]:
    """Whom a picker offers: the territory's people who can still be reached."""
    return scoped(Contact.objects.mailable(), access).select_related("organization")


def pickable_organizations(access: Access) -> QuerySet[Organization]:
    return scoped(Organization.objects.filter(archived_at__isnull=True), access)


def _results(items: list[Any], label) -> JsonResponse:
    more = len(items) > PICKER_LIMIT
    return JsonResponse(
        {
            "results": [{"id": item.pk, "label": label(item)} for item in items[:PICKER_LIMIT]],
            "more": more,
        }
    )


# write=True: the pickers belong to forms that change data; a signatory (viewer), who changes
# nothing, is refused (403) and reads no list of people through them.
@territory_view(write=True)
def contact_search(request: HttpRequest, access: Access) -> JsonResponse:
    text = request.GET.get("q", "")[:100]
    people = pickable_contacts(access)
    # ?exclude=<id> (repeatable): people the form would refuse (the one who leaves is no
    # successor of their own), not offered. A value that is no id is ignored.
    excluded = posted_ids(request.GET, "exclude")[:PICKER_LIMIT]
    if excluded:
        people = people.exclude(pk__in=excluded)
    found = contacts_matching(people, text)[: PICKER_LIMIT + 1]
    return _results(list(found), contact_label)


@territory_view(write=True)
def organization_search(request: HttpRequest, access: Access) -> JsonResponse:
    text = request.GET.get("q", "")[:100]
    found = organizations_matching(pickable_organizations(access), text)[: PICKER_LIMIT + 1]
    return _results(list(found), organization_label)


# The lists' filters (fiches-actions by pilot or partner structure): every structure of the
# territory, archived ones too (they still pilot fiches). Reading is enough: a signatory reads
# the structures' list anyway, and a structure is no person.
@territory_view()
def organization_filter_search(request: HttpRequest, access: Access) -> JsonResponse:
    text = request.GET.get("q", "")[:100]
    found = organizations_matching(scoped(Organization.objects.all(), access), text)
    return _results(list(found[: PICKER_LIMIT + 1]), organization_label)
