"""Reads of the directory, each in a fixed number of queries.

Reads across apps. A structure's page and a person's page show groups, meetings, fiches-actions
and signatures, which the apps standing on this one own (workgroups, actions). Those apps are
never imported here, nor anywhere in partners (an app imports only the apps to its right): their
rows are reached through the reverse relations they declare on the territory, the structure and
the person, then along their own fields. Every such path the directory relies on, in this
module, in filters.py, views.py, forms.py and services.py, and in the templates of
templates/partners, is listed once in `UPPER_APP_READS` below, and
tests/partners/test_cross_app_reads.py checks it both ways: each path listed must resolve on the
models as they stand (a related_name renamed or dropped upstairs fails that test, not a page
that silently shows nothing), and each reverse relation an upper app declares on these models
that partners code names must be listed.

A registry, by which the upper apps would render these sections themselves (as workgroups adds
its calendar feeds to the partner's own page through `register_self_service_section` in
link_views.py), was the other way. It was not taken for these pages: each section is one query and
a list, read with the rest of the page in a fixed number of queries and narrowed by the same
filters; split across three apps, one page would no longer read in one place.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable
from decimal import Decimal
from html import escape
from typing import Any, NamedTuple, TypedDict

from django.db.models import Count, IntegerField, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cls_platform.access import scoped
from cls_platform.models import Access, Delivery, User

from .models import Contact, HandOver, Organization, OrganizationKind

# The paths, from a model of this app or of cls_platform, into the models of the apps above:
# reverse relations those apps declare (`related_name`), then fields of their own. Checked by
# tests/partners/test_cross_app_reads.py; add a path here before reading it anywhere in partners.
UPPER_APP_READS: dict[str, tuple[str, ...]] = {
    "cls_platform.Territory": (
        "contracts",
        "work_groups__name",
        "work_groups__memberships__contact__organization",
        "work_groups__pilots__organization",
        "fiches_actions__number",
        "fiches_actions__title",
        "fiches_actions__contract__title",
        "fiches_actions__pilot_organization",
        "fiches_actions__pilot_contact__organization",
        "fiches_actions__copilots__organization",
        "meetings__starts_at",
        "meetings__group__name",
        "meetings__invitations__attendance",
        "meetings__invitations__contact__organization",
    ),
    "partners.Organization": (
        "signatures__signed_on",
        "signatures__contract__title",
        "signatures__contract__start_year",
        "action_partnerships__role",
        "action_partnerships__level__label",
        "action_partnerships__fiche__number",
        "action_partnerships__fiche__title",
        "action_partnerships__fiche__contract__title",
        "contacts__memberships__group",
        "contacts__piloted_groups",
    ),
    "partners.Contact": (
        "organization__signatures",
        "piloted_groups__name",
        "memberships__kind",
        "memberships__invitations",
        "memberships__reports",
        "memberships__group__name",
        "invitations__rsvp",
        "invitations__attendance",
        "invitations__meeting__starts_at",
        "invitations__meeting__group__name",
        # The review of contacts idle for too long (partners/retention.py) reads their latest
        # interactions in the apps above.
        "invitations__rsvp_at",
        "survey_invitations__updated_at",
        "interviews__held_on",
        "piloted_actions",
        "copiloted_actions",
    ),
}


def organization_list(*, access: Access) -> QuerySet[Organization]:
    # The people in post counted by a subquery, not a join grouped over the whole directory:
    # PostgreSQL counts for the page's fifty rows only (a ten-times directory, same time), and
    # the pagination's count reads the structures alone.
    in_post = (
        Contact.objects.filter(organization=OuterRef("pk"), is_active=True, left_at__isnull=True)
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        scoped(Organization.objects.all(), access)
        .select_related("qpv")
        .prefetch_related("sectors")
        .annotate(contact_count=Coalesce(Subquery(in_post, output_field=IntegerField()), 0))
        .order_by("name")
    )


def contact_list(*, access: Access) -> QuerySet[Contact]:
    qs = scoped(Contact.objects.all(), access).select_related("organization")
    if access.is_viewer:
        qs = qs.filter(anonymized_at__isnull=True)
    return qs.order_by("last_name", "first_name", "pk")


def pk_urls(viewname: str, **kwargs: Any) -> Callable[[Any], str]:
    """The URL of `viewname` for any pk, reversed once: a list of fifty rows builds its links
    without fifty {% url %} tags."""
    marker = "987654321"
    head, tail = reverse(viewname, kwargs={**kwargs, "pk": int(marker)}).rsplit(marker, 1)
    return lambda pk: f"{head}{pk}{tail}"


class OrganizationRow(TypedDict):
    """What a row of the structures' list shows, worked out before the template (a dictionary:
    the template's lookups find its keys at once, where an object's attributes cost a caught
    exception each)."""

    url: str
    name: str
    acronym: str
    archived: bool
    kind: str
    internal: bool
    qpv: str
    sectors: str
    contact_count: int


def organization_rows(
    *, organizations: QuerySet[Organization], territory_slug: str
) -> list[OrganizationRow]:
    """The rows of `organizations` (a page of `organization_list`), from plain values: fifty
    model instances, their QPV and their prefetched sectors cost more than the page's HTML."""
    link = pk_urls("partners:organization_detail", territory=territory_slug)
    # Each label translated once (get_kind_display builds the choices' dictionary per call).
    kinds = {value: str(label) for value, label in OrganizationKind.choices}
    page = list(
        organizations.prefetch_related(None).values_list(
            "pk",
            "name",
            "acronym",
            "archived_at",
            "kind",
            "is_internal",
            "qpv__name",
            "contact_count",
        )
    )
    # The page's sectors, in the order the prefetch read them (Sector.Meta.ordering).
    sectors: dict[int, list[str]] = {}
    if page:
        through = Organization.sectors.through.objects.filter(
            organization_id__in=[row[0] for row in page]
        )
        for organization_id, sector in through.order_by("sector__name").values_list(
            "organization_id", "sector__name"
        ):
            sectors.setdefault(organization_id, []).append(sector)
    return [
        OrganizationRow(
            url=link(pk),
            name=name,
            acronym=acronym,
            archived=archived_at is not None,
            kind=kinds.get(kind, kind),
            internal=internal,
            qpv=qpv or "",
            sectors=", ".join(sectors.get(pk, ())),
            contact_count=contact_count,
        )
        for pk, name, acronym, archived_at, kind, internal, qpv, contact_count in page
    ]


# One row of the structures' list, as organization_list.html wrote it with the template
# language (same markup and spacing); the page inserts them all at once.
ORGANIZATION_ROW = (
    "\n        <tr>\n"
    '          <th scope="row"><a href="{url}">{name}</a>{acronym}{archived}</th>\n'
    "          <td>{kind}{internal}{qpv}</td>\n"
    "          <td>{sectors}</td>\n"
    "          <td>{contact_count}</td>\n"
    "        </tr>\n      "
)


def organization_table_rows(*, rows: list[OrganizationRow]) -> SafeString:
    """The <tr>s of the structures' list, written in Python (the template language spends
    some 250 calls on a row). Every value a person typed, and every label, is escaped."""
    archived = f' <span class="badge badge--closed">{escape(_("archivée"))}</span>'
    internal = f'<br><span class="muted">{escape(_("service de la collectivité"))}</span>'
    qpv = escape(_("QPV"))
    return mark_safe(
        "".join(
            ORGANIZATION_ROW.format(
                url=escape(row["url"]),
                name=escape(row["name"]),
                acronym=(
                    f' <span\n            class="muted">({escape(row["acronym"])})</span>'
                    if row["acronym"]
                    else ""
                ),
                archived=archived if row["archived"] else "",
                kind=escape(row["kind"]),
                internal=internal if row["internal"] else "",
                qpv=(
                    f'<br><span\n            class="muted">{qpv} {escape(row["qpv"])}</span>'
                    if row["qpv"]
                    else ""
                ),
                sectors=escape(row["sectors"]),
                contact_count=row["contact_count"],
            )
            for row in rows
        )
    )  # every value above escaped


def contact_name(
    contact: Contact | ListedContact, *, show_personal: bool, last_first: bool = False
) -> str:
    """How the directory names a person: by name ("Nom Prénom" in the lists, which sort so),
    else by address for those who may read it, else neutrally."""
    if contact.full_name:
        return f"{contact.last_name} {contact.first_name}" if last_first else contact.full_name
    if show_personal and not contact.anonymized_at:
        return contact.email
    return _("Contact sans nom")


def contact_state(contact: Contact | ListedContact, *, show_personal: bool) -> tuple[str, str]:
    """A person's state as a badge (its modifier, its words); a signatory reads no mailing
    state (bounced, unsubscribed)."""
    if contact.anonymized_at:
        return "closed", _("effacé")
    if contact.left_at or not contact.is_active:
        return "closed", _("a quitté la structure")
    if show_personal and contact.bounced_at:
        return "abandoned", _("adresse en erreur")
    if show_personal and contact.unsubscribed_at:
        return "postponed", _("désinscrit")
    return "active", _("en poste")


class ContactRow(TypedDict):
    """What a row of the contacts' list shows, worked out before the template."""

    url: str
    name: str
    organization: str
    job_title: str
    email: str
    badge: str
    state: str


class ListedContact(NamedTuple):
    """The fields of a contact its row reads (contact_name, contact_state), without a model
    instance per row."""

    pk: int
    first_name: str
    last_name: str
    email: str
    job_title: str
    organization_id: int | None
    anonymized_at: dt.datetime | None
    left_at: dt.date | None
    is_active: bool
    bounced_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()  # as Contact.full_name


def contact_rows(
    *, contacts: QuerySet[Contact], territory_slug: str, show_personal: bool
) -> list[ContactRow]:
    """The rows of `contacts` (a page of `contact_list`), from plain values in one query. Each
    row's structure is named by a subquery, which PostgreSQL runs for the page's rows only:
    joined, it hashes every territory's structures before sorting (26 ms at 1,000
    territories)."""
    link = pk_urls("partners:contact_detail", territory=territory_slug)
    structure = (
        Organization.objects.filter(pk=OuterRef("organization_id")).order_by().values("name")
    )
    page = (
        contacts.select_related(None)
        .prefetch_related(None)
        .annotate(structure=Subquery(structure))
        .values_list(*ListedContact._fields, "structure")
    )
    rows = []
    for *fields, structure in page:
        contact = ListedContact(*fields)
        badge, state = contact_state(contact, show_personal=show_personal)
        rows.append(
            ContactRow(
                url=link(contact.pk),
                name=contact_name(contact, show_personal=show_personal, last_first=True),
                organization=structure or "",
                job_title=contact.job_title,
                email=contact.email if show_personal else "",
                badge=badge,
                state=state,
            )
        )
    return rows


CONTACT_ROW = (
    "\n        <tr>\n"
    '          <th scope="row"><a href="{url}">{name}</a></th>\n'
    "          <td>{organization}</td>\n"
    "          <td>{job_title}</td>\n"
    "          {email}\n"
    '          <td><span class="badge badge--{badge}">{state}</span></td>\n'
    "        </tr>\n      "
)


def contact_table_rows(*, rows: list[ContactRow], show_personal: bool) -> SafeString:
    """The <tr>s of the contacts' list, written in Python as contact_list.html wrote them."""
    return mark_safe(
        "".join(
            CONTACT_ROW.format(
                url=escape(row["url"]),
                name=escape(row["name"]),
                organization=escape(row["organization"]) if row["organization"] else "—",
                job_title=escape(row["job_title"]) if row["job_title"] else "—",
                email=f"<td>{escape(row['email'])}</td>" if show_personal else "",
                badge=escape(row["badge"]),
                state=escape(row["state"]),
            )
            for row in rows
        )
    )  # every value above escaped


def organization_detail(*, access: Access, organization: Organization) -> dict[str, Any]:
    """A structure's page: people (current and former), groups, actions, signatures.

    Everything that hangs on a contract (groups, actions, meetings, signatures) is read
    through `scoped()`, so that a viewer sees what signed contracts hold and no draft.
    """
    territory = access.territory
    contacts = list(
        organization.contacts.filter(anonymized_at__isnull=True)
        .select_related("successor")
        .order_by("last_name", "first_name")
    )
    # Groups and actions are owned by apps that stand on this one: reached through the
    # reverse relations they declare on the territory, never by importing them.
    groups = list(
        scoped(territory.work_groups.all(), access)
        .filter(
            Q(memberships__contact__organization=organization)
            | Q(pilots__organization=organization)
        )
        .distinct()
        .order_by("name")
    )
    fiches = scoped(territory.fiches_actions.all(), access)
    piloted = list(
        fiches.filter(
            Q(pilot_organization=organization)
            | Q(pilot_contact__organization=organization)
            | Q(copilots__organization=organization)
        )
        .distinct()
        .select_related("contract", "pilot_contact")
        .order_by("contract", "number")
    )
    for action in piloted:
        action.structure_pilots = action.pilot_organization_id == organization.pk or bool(
            action.pilot_contact and action.pilot_contact.organization_id == organization.pk
        )
    partnerships = list(
        organization.action_partnerships.filter(fiche__in=fiches)
        .select_related("fiche__contract", "level")
        .order_by("fiche__contract", "fiche__number")
    )
    signatures = list(
        organization.signatures.filter(contract__in=scoped(territory.contracts.all(), access))
        .select_related("contract")
        .order_by("-contract__start_year")
    )
    present_here = Q(
        invitations__contact__organization=organization, invitations__attendance="present"
    )
    meetings = list(
        scoped(territory.meetings.all(), access)
        .filter(present_here)
        .annotate(people=Count("invitations", filter=present_here))
        .select_related("group")
        .order_by("-starts_at")[:20]
    )
    return {
        "meetings": meetings,
        "current_contacts": [c for c in contacts if c.is_active and not c.left_at],
        "former_contacts": [c for c in contacts if not (c.is_active and not c.left_at)],
        "groups": groups,
        "actions": piloted,
        "partnerships": partnerships,
        "signatures": signatures,
    }


def contact_detail(*, access: Access, contact: Contact) -> dict[str, Any]:
    """A person's page: groups, meetings and seats, read through `scoped()` like the rest."""
    territory = access.territory
    groups = scoped(territory.work_groups.all(), access)
    memberships = list(
        contact.memberships.filter(group__in=groups).select_related("group").order_by("group__name")
    )
    invitations = list(
        contact.invitations.filter(meeting__in=scoped(territory.meetings.all(), access))
        .select_related("meeting__group")
        .order_by("-meeting__starts_at")[:30]
    )
    return {
        "invitations": invitations,
        "memberships": memberships,
        "piloted_groups": list(scoped(contact.piloted_groups.all(), access).order_by("name")),
        "predecessors": list(contact.predecessors.order_by("last_name")),
        "hand_overs": list(contact.hand_overs.order_by("-created_at"))
        if not access.is_viewer
        else [],
    }


def hand_over_preview(*, hand_over: HandOver) -> dict[str, Any]:
    """What confirming a declared departure changes, as services.hand_over_confirm does it: the
    successor named (already in the directory, or to be added to the structure), the groups they
    take over, and the seats that are not passed on (co-piloted groups, fiches-actions)."""
    contact = hand_over.contact
    successor = None
    if hand_over.successor_email:
        successor = (
            Contact.objects.filter(territory_id=contact.territory_id)
            .with_email(hand_over.successor_email)
            .first()
        )
    return {
        "successor": successor,
        "successor_name": str(successor)
        if successor
        else " ".join(
            p for p in (hand_over.successor_first_name, hand_over.successor_last_name) if p
        )
        or hand_over.successor_email,
        "left_on": hand_over.left_on or timezone.localdate(),
        "group_names": list(
            contact.memberships.order_by("group__name").values_list("group__name", flat=True)
        ),
        "piloted_group_names": list(
            contact.piloted_groups.order_by("name").values_list("name", flat=True)
        ),
        "piloted_actions": contact.piloted_actions.count() + contact.copiloted_actions.count(),
    }


# Never exported: the tenant (named once at the top) and the sign-in account (its address is
# the account's, and a co-pilot's account is not data the directory holds about them).
PERSONAL_FIELDS_SKIPPED = {"territory", "user"}
# Credentials, not data about the person: a file that travels by e-mail must not carry a working
# secret (a calendar feed's token opens the feed to whoever reads it).
SECRET_FIELDS = {"token", "password"}
# Fields of a related row that describe someone else, by model: that person appears by name
# only (the hand-over's successor is named; their address and job title stay in the directory).
OTHER_PERSON_FIELDS: dict[type[Model], set[str]] = {
    HandOver: {"successor_email", "successor_job_title"},
}


def name_of(obj: Model) -> str:
    """How a related record appears in an export: by its name, never by an address."""
    if isinstance(obj, User):
        # A User's __str__ falls back to its e-mail address.
        return obj.full_name or str(_("Compte sans nom"))
    return str(obj)


def plain(value: Any) -> Any:
    """A JSON-native value (str, int, float, bool, None, list, dict) for any model value, so that
    json.dumps needs no encoder: amounts keep their exact digits as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, Model):
        return name_of(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    return str(value)  # lazy translations, enums, anything a later field may hold


def exported_fields(model: type[Model]) -> list[Any]:
    hidden = PERSONAL_FIELDS_SKIPPED | SECRET_FIELDS | OTHER_PERSON_FIELDS.get(model, set())
    return [field for field in model._meta.concrete_fields if field.name not in hidden]


def row_of(obj: Model) -> dict[str, Any]:
    """A row as a person would read it: related records by name, not by id."""
    return {field.name: plain(getattr(obj, field.name)) for field in exported_fields(type(obj))}


def related_names(model: type[Model]) -> list[str]:
    """The foreign keys a row names, and those their names may read (a meeting without a title
    is named after its group): joined once, so the export's queries do not grow with its rows."""
    paths = []
    for field in exported_fields(model):
        if field.is_relation and (field.many_to_one or field.one_to_one):
            paths.append(field.name)
            paths.extend(
                f"{field.name}__{inner.name}"
                for inner in exported_fields(field.related_model)
                if inner.is_relation and (inner.many_to_one or inner.one_to_one)
            )
    return paths


def contact_personal_data(*, contact: Contact) -> dict[str, Any]:
    """Everything held about one person (GDPR art. 15), whatever app holds it.

    Walks every relation pointing at the contact, so rows added by later features are exported
    without this function knowing them. The file holds this person's data only: other people
    met along the way (a predecessor, a fiche's pilot, a successor they named) appear by name,
    never with their address, phone or anything else about them. Every value is JSON-native.
    """
    person = row_of(contact)
    person["source"] = contact.get_source_display()
    related: dict[str, list[dict[str, Any]]] = {}
    for relation in Contact._meta.related_objects:
        accessor = relation.get_accessor_name()
        if not accessor:
            continue
        model = relation.related_model
        if relation.one_to_one:
            # A one-to-one reverse relation is a row or nothing, not a manager.
            single = model._default_manager.filter(**{relation.field.name: contact})
            manager = single.select_related(*related_names(model))
        else:
            manager = getattr(contact, accessor, None)
        if manager is None or not hasattr(manager, "all"):
            continue
        if model is Contact:
            # Other people (those this person succeeded): who they are, nothing about them.
            rows = [{"nom": name_of(other)} for other in manager.order_by("last_name", "pk")]
            label = str(_("personnes auxquelles elle a succédé"))
        else:
            queryset = manager.all().select_related(*related_names(model))
            rows = [row_of(obj) for obj in queryset]
            label = str(model._meta.verbose_name_plural)
        if rows:
            related[label] = rows
    deliveries = [
        row_of(d)
        for d in Delivery.objects.filter(
            territory_id=contact.territory_id, contact_id=contact.pk
        ).order_by("created_at", "pk")
    ]
    if deliveries:
        related[str(Delivery._meta.verbose_name_plural)] = deliveries
    return {
        "territoire": contact.territory.name,
        "exporté le": timezone.now().isoformat(),
        "personne": person,
        "données liées": related,
    }
