"""Contacts kept no longer than needed: who is to be reviewed, and the coordinator's decisions.

A person is to be reviewed when nothing has come from them for CONTACT_REVIEW_MONTHS months (36
by default). "Their own" interaction is what the person did, or what shows they still take part:

- being added to the directory (typed in, imported, added at a meeting, named as successor) and
  what the directory notes on their record (`last_activity_at`: creation, confirmation, an
  answer or an attendance recorded, and the coordinator's "keep" decision below);
- confirming or correcting their details, or choosing what they receive, through their link
  (`confirmed_at`);
- answering an invitation, attending a meeting, answering a survey, being interviewed,
  declaring their departure, signing in to Trame with the account tied to them.

What does not count: the e-mails they were sent (a message reaching an inbox says nothing of the
person), their unsubscription (they asked for nothing more), a correction of their record by the
coordination (the coordination says "keep" when it knows the person still takes part).

The list is computed at each request from those dates (nothing is stored, no periodic task), in
a fixed number of queries whatever the number of contacts: each source is probed along a
relation that its app declares on Contact (see partners.selectors.UPPER_APP_READS).

The coordinator's decisions: keep (the clock starts again, recorded with who decided in the
administration's log of the contact: the audit trail records no "keep" event yet), ask the person
through the outbox (the "details check" e-mail with their signed link; confirming through it
brings the clock back to that day), or erase (services.contact_erase, recorded in the audit
trail: a hash of the address keeps an unsubscribed person unsubscribed, and keeps out of later
imports anyone erased).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    Expression,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cls_platform.access import scoped
from cls_platform.models import Access, Delivery, User

from . import services
from .emails import KIND_DETAILS_CHECK, details_check_topic
from .models import Contact

DEFAULT_REVIEW_MONTHS = 36
# Rows per page of the review: a selection is made page by page.
REVIEW_PAGE_SIZE = 100
# Before anything: a date no interaction predates, so that a missing source never wins.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def review_months() -> int:
    return int(getattr(settings, "CONTACT_REVIEW_MONTHS", DEFAULT_REVIEW_MONTHS))


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and hour `months` calendar months earlier (31 March minus one month is the
    last day of February)."""
    local = timezone.localtime(moment)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def review_limit(*, months: int | None = None, now: dt.datetime | None = None) -> dt.datetime:
    """Contacts whose last interaction is older than this are to be reviewed."""
    return months_before(now or timezone.now(), review_months() if months is None else months)


@dataclass(frozen=True)
class Source:
    """One kind of interaction of the person's own, and the date of their latest."""

    key: str
    label: str  # as the review page says it: "Dernière interaction : <label>, le <date>"


def _rows_of(relation: str, **conditions: Any) -> QuerySet[Any]:
    """The outer contact's rows of `relation`, a reverse relation that another app declares on
    Contact (its model is reached through it, never imported), read by its index on the
    contact."""
    reverse = Contact._meta.get_field(relation)
    return reverse.related_model._base_manager.filter(
        **{reverse.field.name: OuterRef("pk")}, **conditions
    ).order_by()


def _latest(relation: str, path: str, **conditions: Any) -> Subquery:
    """The latest `path` date among the outer contact's rows of `relation`."""
    to_contact = Contact._meta.get_field(relation).field.name
    return Subquery(
        _rows_of(relation, **conditions).values(to_contact).annotate(at=Max(path)).values("at")[:1]
    )


def _as_moment(expression: Expression | Subquery | str) -> Expression:
    return Coalesce(
        Cast(expression, output_field=DateTimeField())
        if not isinstance(expression, str)
        else F(expression),
        Value(EPOCH),
        output_field=DateTimeField(),
    )


SOURCES: tuple[Source, ...] = (
    Source("recorded", gettext_lazy("ajout à l'annuaire ou activité notée sur sa fiche")),
    Source("confirmed", gettext_lazy("confirmation de ses coordonnées")),
    Source("answered", gettext_lazy("réponse à une invitation")),
    Source("attended", gettext_lazy("présence à une réunion")),
    Source("surveyed", gettext_lazy("réponse à un questionnaire")),
    Source("interviewed", gettext_lazy("entretien")),
    Source("departure", gettext_lazy("départ signalé")),
    Source("signed_in", gettext_lazy("connexion à Trame")),
)


def source_dates() -> dict[str, Expression]:
    """`at_<key>` for each source: when the person last did that (EPOCH if never)."""
    return {
        "at_recorded": Coalesce(
            "last_activity_at", "created_at", Value(EPOCH), output_field=DateTimeField()
        ),
        "at_confirmed": _as_moment("confirmed_at"),
        "at_answered": _as_moment(_latest("invitations", "rsvp_at")),
        "at_attended": _as_moment(
            _latest("invitations", "meeting__starts_at", attendance="present")
        ),
        "at_surveyed": _as_moment(_latest("survey_invitations", "updated_at")),
        "at_interviewed": _as_moment(_latest("interviews", "held_on")),
        "at_departure": _as_moment(_latest("hand_overs", "created_at")),
        "at_signed_in": _as_moment("user__last_login"),
    }


def active_since(limit: dt.datetime) -> Q:
    """The person did something of their own at `limit` or later: the same sources as
    `source_dates`, each tested by a probe that stops at the first row found."""
    return (
        Q(last_activity_at__gte=limit)
        | Q(last_activity_at__isnull=True, created_at__gte=limit)
        | Q(confirmed_at__gte=limit)
        | Q(user__last_login__gte=limit)
        | Q(Exists(_rows_of("invitations", rsvp_at__gte=limit)))
        | Q(Exists(_rows_of("invitations", attendance="present", meeting__starts_at__gte=limit)))
        | Q(Exists(_rows_of("survey_invitations", updated_at__gte=limit)))
        | Q(Exists(_rows_of("interviews", held_on__gte=timezone.localdate(limit))))
        | Q(Exists(_rows_of("hand_overs", created_at__gte=limit)))
    )


def recorded_interaction() -> Greatest:
    """The latest of the dates stored on the contact (creation or activity noted, confirmation,
    sign-in): the review's sort. Answers and attendance recorded in Trame move the activity
    noted too (workgroups' services), so the order follows them; what only the other sources
    know (a survey, an interview) shows in each row's own date."""
    dates = source_dates()
    return Greatest(
        *(dates[key] for key in ("at_recorded", "at_confirmed", "at_signed_in")),
        output_field=DateTimeField(),
    )


def _request_topic() -> Concat:
    return Concat(Value("contact:"), Cast(OuterRef("pk"), output_field=CharField()))


FILTER_ALL = ""
FILTER_NEVER_ASKED = "jamais-sollicites"
FILTER_ASKED = "sollicites"
FILTERS = (
    (FILTER_ALL, gettext_lazy("Toutes les personnes à revoir")),
    (FILTER_NEVER_ASKED, gettext_lazy("Jamais sollicitées")),
    (FILTER_ASKED, gettext_lazy("Déjà sollicitées, sans réponse")),
)


def contacts_to_review(
    *,
    access: Access,
    months: int | None = None,
    now: dt.datetime | None = None,
    asked: str = FILTER_ALL,
) -> QuerySet[Contact]:
    """The territory's contacts (not erased) with no interaction of their own since
    `review_limit()`, the longest idle first. The filter probes each source once per contact
    (it stops at the first row found); the dates themselves are read for one page at a time by
    `with_sources`."""
    limit = review_limit(months=months, now=now)
    queryset = (
        scoped(Contact.objects.all(), access)
        .filter(anonymized_at__isnull=True)
        .exclude(active_since(limit))
    )
    if asked in (FILTER_NEVER_ASKED, FILTER_ASKED):
        requests = Exists(
            Delivery.objects.filter(
                territory_id=access.territory_id, kind=KIND_DETAILS_CHECK, topic=_request_topic()
            )
        )
        queryset = queryset.filter(requests if asked == FILTER_ASKED else ~requests)
    return (
        queryset.select_related("organization")
        .annotate(recorded_interaction=recorded_interaction())
        .order_by("recorded_interaction", "last_name", "first_name", "pk")
    )


def with_sources(contacts: Iterable[Contact]) -> list[Contact]:
    """The contacts with the date of each source (`at_<key>`), the latest of them
    (`last_interaction`) and whether they pilot a group or a fiche-action (`pilots`), in one
    query for all."""
    contacts = list(contacts)
    if not contacts:
        return contacts
    pilots = Exists(
        Contact.objects.filter(pk=OuterRef("pk")).filter(
            Q(piloted_groups__isnull=False)
            | Q(piloted_actions__isnull=False)
            | Q(copiloted_actions__isnull=False)
        )
    )
    dates = source_dates()
    rows = {
        row.pop("pk"): row
        for row in Contact.objects.filter(pk__in=[c.pk for c in contacts])
        .annotate(**dates, pilots=pilots)
        .values("pk", *dates, "pilots")
    }
    for contact in contacts:
        for name, value in rows.get(contact.pk, {}).items():
            setattr(contact, name, value)
        contact.last_interaction = max(getattr(contact, name, None) or EPOCH for name in dates)
    return contacts


def last_interaction_label(contact: Contact) -> str:
    """What the person last did, of the sources annotated on `contact`."""
    best = max(SOURCES, key=lambda source: getattr(contact, f"at_{source.key}", EPOCH) or EPOCH)
    return str(best.label)


def latest_requests(contacts: Iterable[Contact]) -> dict[int, Delivery]:
    """The latest "details check" e-mail of each contact, in one query."""
    contacts = list(contacts)
    if not contacts:
        return {}
    topics = {details_check_topic(c.pk): c.pk for c in contacts}
    latest: dict[int, Delivery] = {}
    for delivery in Delivery.objects.filter(
        territory_id=contacts[0].territory_id, kind=KIND_DETAILS_CHECK, topic__in=list(topics)
    ).order_by("topic", "-created_at", "-id"):
        latest.setdefault(topics[delivery.topic], delivery)
    return latest


def unreachable_reason(contact: Contact) -> str:
    """Why the person cannot be asked by e-mail ("" if they can), as the review page says it."""
    if contact.unsubscribed_at:
        return _("désinscrite : ne reçoit plus aucun e-mail")
    if contact.bounced_at:
        return _("adresse en erreur")
    if contact.left_at or not contact.is_active:
        return _("a quitté sa structure")
    return ""


# --- decisions -----------------------------------------------------------------------------


def _record(*, user: User, contacts: Iterable[Contact], flag: int, message: str) -> None:
    """The administration's log keeps who decided what, and when (Django admin's history of
    each contact). Never the person's name: the log outlives an erasure."""
    content_type = ContentType.objects.get_for_model(Contact)
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                user_id=user.pk,
                content_type_id=content_type.pk,
                object_id=str(contact.pk),
                object_repr=_("Contact n° %(pk)s") % {"pk": contact.pk},
                action_flag=flag,
                change_message=message,
            )
            for contact in contacts
        ]
    )


@transaction.atomic
def contacts_keep(*, contacts: Iterable[Contact], user: User) -> int:
    """The coordination keeps these people: their clock starts again today. Returns how many."""
    contacts = list(contacts)
    if not contacts:
        return 0
    now = timezone.now()
    Contact.objects.filter(pk__in=[c.pk for c in contacts]).update(
        last_activity_at=now, updated_at=now
    )
    _record(
        user=user,
        contacts=contacts,
        flag=CHANGE,
        message=_("Gardé après la revue des contacts sans interaction (%(months)s mois).")
        % {"months": review_months()},
    )
    return len(contacts)


@dataclass
class AskOutcome:
    """What asking a selection did: who gets an e-mail, who already has one on its way, who
    cannot be asked (with the reason)."""

    queued: list[Contact] = field(default_factory=list)
    pending: list[Contact] = field(default_factory=list)
    refused: list[tuple[Contact, str]] = field(default_factory=list)


def contacts_ask(*, contacts: Iterable[Contact]) -> AskOutcome:
    """Send each person their link to check their details (the directory's "details check"
    e-mail, through the outbox): one who confirms is kept."""
    outcome = AskOutcome()
    for contact in contacts:
        try:
            queued = services.contact_request_confirmation(contact=contact)
        except ValidationError as exc:
            outcome.refused.append((contact, " ".join(exc.messages)))
            continue
        (outcome.queued if queued else outcome.pending).append(contact)
    return outcome


@transaction.atomic
def contacts_erase(*, contacts: Iterable[Contact]) -> int:
    """Erase each person (services.contact_erase, which records the erasure and who decided it
    in the audit trail)."""
    erased = 0
    for contact in contacts:
        services.contact_erase(contact=contact)
        erased += 1
    return erased
