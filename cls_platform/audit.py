"""The audit trail: who changed what, who signed in, exported, erased or sent, territory by
territory.

django-auditlog records every change to the models of `AUDITED` (registered here by label, in
`ClsPlatformConfig.ready`: this module imports no app above cls_platform) as an `AuditEntry`,
its LogEntry with two more columns: the territory the object belongs to (indexed with the
time, since a coordinator's journal reads one territory) and the kind of event. What is not a
save goes through `audit_event`: sign-ins and failed sign-ins (signals connected here), exports,
erasures and sends (a one-line call in the view or service that decides them).

Personal data stays minimal: a contact's address and phone are masked in the changes, the
people named in a many-to-many change are stored by id and named when the journal is read, an
export or a sign-in entry holds ids and counts only, and erasing a contact scrubs the entries
about them. The trail is append-only (the admin reads it; nothing edits it) and entries older
than AUDIT_RETENTION_MONTHS are purged every day (`purge_audit_trail`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditlog.cid import set_cid
from auditlog.context import auditlog_disabled
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import AbstractLogEntry, LogEntryManager
from celery import shared_task
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_save
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite

    from .models import Territory, User

MASK = "•••"


class AuditEvent(models.TextChoices):
    CREATE = "create", _("Création")
    UPDATE = "update", _("Modification")
    DELETE = "delete", _("Suppression")
    SIGN_IN = "sign_in", _("Connexion")
    SIGN_IN_FAILED = "sign_in_failed", _("Échec de connexion")
    EXPORT = "export", _("Export")
    ERASURE = "erasure", _("Effacement")
    SEND = "send", _("Envoi")


# auditlog's action for what is not a change of the object (its own "access").
EVENT_ACTION = AbstractLogEntry.Action.ACCESS
ACTION_EVENTS = {
    AbstractLogEntry.Action.CREATE: AuditEvent.CREATE,
    AbstractLogEntry.Action.UPDATE: AuditEvent.UPDATE,
    AbstractLogEntry.Action.DELETE: AuditEvent.DELETE,
}


@dataclass(frozen=True)
class Audited:
    """How one model is followed: the key the journal's filter uses in its URL, how its
    territory is reached, which fields are left out or masked, which relations are followed."""

    key: str
    # The foreign keys to follow to an object that has `territory_id`, when it has none itself.
    territory_path: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    mask: tuple[str, ...] = ()
    m2m: tuple[str, ...] = ()
    # What an erasure blanks: scrubbed from the entries about the erased person.
    erased: tuple[str, ...] = ()


# Left out everywhere: what a save sets by itself (an entry is a change someone made, not a
# save), and the territory, which the entry carries.
EXCLUDED = ("territory", "created_at", "updated_at")
AUDITED: dict[str, Audited] = {
    # Its versions are moved on by the database, not by anyone (actions.models.VERSIONS).
    "actions.contract": Audited("contrat", exclude=("indicators_version", "groups_version")),
    "actions.ficheaction": Audited(
        "fiche",
        m2m=("transversal_axes", "copilots", "publics", "qpvs", "ottawa_areas"),
    ),
    "actions.indicator": Audited("indicateur", territory_path=("fiche",)),
    "actions.indicatorvalue": Audited("mesure", territory_path=("indicator", "fiche")),
    "workgroups.workgroup": Audited("groupe", m2m=("pilots",)),
    "workgroups.meeting": Audited("reunion", exclude=("calendar_uid",)),
    "partners.contact": Audited(
        "contact",
        exclude=("last_activity_at",),
        mask=("email", "phone"),
        erased=("first_name", "last_name", "email", "phone", "job_title", "source_detail"),
    ),
    "partners.organization": Audited("structure", m2m=("sectors",)),
}
# Sign-ins are about an account: the journal's "Comptes".
ACCOUNT_KEY = "compte"
# A many-to-many change names the related objects; people are stored by id only, and named when
# the journal is read (an erased person is then "Personne effacée" everywhere).
PEOPLE_MODELS = {"partners.contact"}


def mask_value(value: str) -> str:
    """auditlog's mask: nothing of the value is kept, only whether there was one."""
    return "" if value in ("", "None") else MASK


def audited(model: type[models.Model]) -> Audited | None:
    return AUDITED.get(model._meta.label_lower)


def model_for_key(key: str) -> type[models.Model] | None:
    """The model the journal's filter names ("fiche" → FicheAction); None when unknown."""
    if key == ACCOUNT_KEY:
        return apps.get_model(settings.AUTH_USER_MODEL)
    for label, spec in AUDITED.items():
        if spec.key == key:
            return apps.get_model(label)
    return None


def key_for_model(model: type[models.Model]) -> str | None:
    if model._meta.label == settings.AUTH_USER_MODEL:
        return ACCOUNT_KEY
    spec = audited(model)
    return spec.key if spec else None


def territory_of(instance: models.Model) -> int | None:
    """The territory an object belongs to, by its own `territory_id` or through the foreign keys
    of `Audited.territory_path`: the objects already loaded are read, else one query."""
    if hasattr(instance, "territory_id"):
        return instance.territory_id
    spec = audited(type(instance))
    if spec is None or not spec.territory_path:
        return None
    obj: Any = instance
    for index, name in enumerate(spec.territory_path):
        descriptor = getattr(type(obj), name)
        if not descriptor.is_cached(obj):
            fk_id = getattr(obj, descriptor.field.attname)
            if fk_id is None:
                return None
            rest = spec.territory_path[index + 1 :]
            lookup = "__".join((*rest, "territory_id"))
            related = descriptor.field.related_model
            return related._base_manager.filter(pk=fk_id).values_list(lookup, flat=True).first()
        obj = getattr(obj, name)
        if obj is None:
            return None
    return getattr(obj, "territory_id", None)


def represent(instance: models.Model) -> str:
    """How an entry names its object; never a reason for the save it records to fail (an
    object built with a date still a string cannot format it until it is read back)."""
    try:
        return smart_str(instance)
    except Exception:
        return f"{instance._meta.verbose_name} n° {instance.pk}"


# --- the entry -------------------------------------------------------------------------------


class AuditEntryManager(LogEntryManager):
    """auditlog's manager, with the territory and the event set on every entry it writes."""

    def log_create(self, instance: models.Model, force_log: bool = False, **kwargs: Any) -> Any:
        """auditlog's own (its models.py), with `represent` for the object's name: auditlog's
        str() would make a save fail for the entry it writes."""
        from auditlog.cid import get_cid

        if kwargs.get("changes") is None and not force_log:
            return None
        pk = self._get_pk_value(instance)
        kwargs.setdefault("content_type", ContentType.objects.get_for_model(instance))
        kwargs.setdefault("object_pk", pk)
        kwargs.setdefault("object_repr", represent(instance))
        kwargs.setdefault("serialized_data", self._get_serialized_data_or_none(instance))
        if isinstance(pk, int):
            kwargs.setdefault("object_id", pk)
        kwargs.setdefault("cid", get_cid())
        kwargs.setdefault("territory_id", territory_of(instance))
        kwargs.setdefault("event", ACTION_EVENTS.get(kwargs.get("action"), AuditEvent.UPDATE))
        return self.create(**kwargs)

    def log_m2m_changes(
        self,
        changed_queryset: Iterable[models.Model],
        instance: models.Model,
        operation: str,
        field_name: str,
        **kwargs: Any,
    ) -> Any:
        """auditlog's own, except that related people are kept by id, never by name."""
        from auditlog.cid import get_cid

        if isinstance(changed_queryset, models.QuerySet) and not changed_queryset.query.where:
            # A clear(): auditlog hands over the whole related table, not what was removed.
            related, operation = [], "clear"
            label = changed_queryset.model._meta.label_lower
        else:
            related = list(changed_queryset)
            if not related:
                return None
            label = related[0]._meta.label_lower
        people = label in PEOPLE_MODELS
        pk = self._get_pk_value(instance)
        kwargs.update(
            content_type=ContentType.objects.get_for_model(instance),
            object_pk=smart_str(pk),
            object_id=pk if isinstance(pk, int) else None,
            object_repr=represent(instance),
            action=AbstractLogEntry.Action.UPDATE,
            event=AuditEvent.UPDATE,
            territory_id=territory_of(instance),
            changes={
                field_name: {
                    "type": "m2m",
                    "operation": operation,
                    "model": label,
                    "ids": [obj.pk for obj in related],
                    "objects": [f"n° {obj.pk}" if people else smart_str(obj) for obj in related],
                }
            },
        )
        kwargs.setdefault("cid", get_cid())
        return self.create(**kwargs)


class AuditEntry(AbstractLogEntry):
    """One line of the audit trail: a change to a followed object (django-auditlog), a sign-in,
    a failed sign-in, an export, an erasure or a sending; in one territory (none for an account
    with no access, or an unknown one)."""

    # No database constraint: the trail outlives what it tells about, a deleted territory too.
    territory = models.ForeignKey(
        "cls_platform.Territory",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # audit_territory_time below starts with it
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territoire"),
    )
    event = models.CharField(_("événement"), max_length=20, choices=AuditEvent.choices)

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des modifications")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["territory", "-timestamp"], name="audit_territory_time")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} · {self.object_repr}"


# --- registration ----------------------------------------------------------------------------


def register_models() -> None:
    """Follow the models of AUDITED (AppConfig.ready: every app is loaded by then)."""
    from auditlog.registry import auditlog

    for label, spec in AUDITED.items():
        model = apps.get_model(label)
        # The model's own columns: a creation would otherwise list its reverse relations too.
        excluded = {*EXCLUDED, *spec.exclude}
        columns = [
            f.name
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in excluded
        ]
        auditlog.register(
            model,
            include_fields=columns,
            exclude_fields=sorted(excluded),
            mask_fields=list(spec.mask),
            mask_callable="cls_platform.audit.mask_value",
            m2m_fields=set(spec.m2m),
        )


def connect() -> None:
    """Called once from ClsPlatformConfig.ready."""
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    register_models()
    pre_save.connect(stamp_entry, sender=AuditEntry, dispatch_uid="cls_platform.audit.stamp")
    user_logged_in.connect(record_sign_in, dispatch_uid="cls_platform.audit.sign_in")
    user_login_failed.connect(record_failed_sign_in, dispatch_uid="cls_platform.audit.failed")


def register_admin(site: AdminSite) -> None:
    """Read-only administration of the trail (auditlog's own admin, which cannot add, change or
    delete), with the territory and the event, and a search on what this User model has."""
    from auditlog.admin import LogEntryAdmin

    class AuditEntryAdmin(LogEntryAdmin):
        list_display = ["created", "territory", "event", "resource_url", "msg_short", "user_url"]
        list_filter = ["event", "territory"]
        list_select_related = ["content_type", "actor", "territory"]
        search_fields = ["object_repr", "actor__email", "actor__full_name", "actor_email"]

    if site.is_registered(AuditEntry):
        site.unregister(AuditEntry)
    site.register(AuditEntry, AuditEntryAdmin)


# --- who acts, from where ---------------------------------------------------------------------

# Set on a request whose sign-in failed: its address is worth keeping (an attack shows there).
SIGN_IN_ATTEMPT = "_audit_sign_in_attempt"


def identified(request: HttpRequest) -> bool:
    """Whether the request comes from a signed-in person or a sign-in attempt: the address of a
    partner opening a link of an e-mail (no account) is never kept."""
    user = getattr(request, "user", None)
    return bool(
        (user is not None and user.is_authenticated) or getattr(request, SIGN_IN_ATTEMPT, False)
    )


# The request being served, for the entries it saves (`stamp_entry`): set by AuditMiddleware for
# the request's duration only, None elsewhere (tasks, commands, the shell).
_request: ContextVar[HttpRequest | None] = ContextVar("trame_audit_request", default=None)


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware (the signed-in person becomes the actor of what the request
    records), keeping the remote address only for signed-in people and sign-in attempts.

    Nothing is read before an entry is saved: auditlog's own reads the user (hence the session)
    at the start of every request, which marks every page, public ones too, "Vary: Cookie". Nor
    is anything connected per request: auditlog's connects a pre_save receiver when a request
    starts and disconnects it when it ends (and empties the signal's cache both times), for
    every page, when only a page that writes saves an entry. Here `stamp_entry` is connected
    once, and finds the request in a context variable (one per thread: right under gthread
    workers too)."""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        set_cid(request)
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def stamp_entry(sender: Any, instance: AuditEntry, **kwargs: Any) -> None:
    """pre_save of AuditEntry, during a request: what auditlog's middleware would write (its
    `_set_extra_data`): the signed-in person as the actor unless the entry names one, and the
    remote address and port, only for a signed-in person or a sign-in attempt."""
    request = _request.get()
    if request is None:
        return
    user = getattr(request, "user", None)
    # Django's lazy user: resolved here, once an entry is saved.
    if instance.actor is None and isinstance(user, get_user_model()):
        instance.actor = user
        instance.actor_email = getattr(user, "email", None)
    known = identified(request)
    instance.remote_addr = AuditlogMiddleware._get_remote_addr(request) if known else None
    instance.remote_port = AuditlogMiddleware._get_remote_port(request) if known else None


def _remote_addr(request: HttpRequest | None) -> str | None:
    if request is None or not hasattr(request, "META"):
        return None
    return AuditlogMiddleware._get_remote_addr(request) or None


# --- events that are not a save ----------------------------------------------------------------


def audit_event(
    event: AuditEvent,
    *,
    target: models.Model | None = None,
    model: type[models.Model] | None = None,
    territory: Territory | int | None = None,
    actor: User | None = None,
    **details: Any,
) -> AuditEntry | None:
    """Record an export, an erasure or a sending (sign-ins are recorded by their signals).

    `target` is the object concerned (the meeting whose compte-rendu goes, the contact erased);
    an export of a list names its `model` instead. `details` are ids, counts and formats, never
    a person's name or address. Within a request, the signed-in person is the actor (auditlog's
    middleware); a command or a task records none unless given one.
    """
    if event not in (AuditEvent.EXPORT, AuditEvent.ERASURE, AuditEvent.SEND):
        raise ValueError(f"audit_event records exports, erasures and sends, not {event!r}.")
    if auditlog_disabled.get():  # auditlog's disable_auditlog(), e.g. around a bulk seeding
        return None
    model = type(target) if target is not None else model
    if model is None:
        raise ValueError("audit_event needs a target or a model.")
    territory_id = territory.pk if hasattr(territory, "pk") else territory
    if territory_id is None and target is not None:
        territory_id = territory_of(target)
    if target is not None and (model._meta.label_lower in PEOPLE_MODELS):
        # An entry about a person holds their id, not their name.
        represented = f"{model._meta.verbose_name} n° {target.pk}"
    elif target is not None:
        represented = represent(target)
    else:
        represented = str(model._meta.verbose_name_plural)
    entry = AuditEntry(
        territory_id=territory_id,
        event=event,
        action=EVENT_ACTION,
        content_type=ContentType.objects.get_for_model(model),
        object_pk=smart_str(target.pk) if target is not None else "",
        object_id=target.pk if target is not None else None,
        object_repr=represented,
        actor=actor,
        actor_email=actor.email if actor is not None else None,
        additional_data=details or None,
    )
    entry.save()
    if event == AuditEvent.ERASURE and target is not None:
        scrub_entries_about(target)
    return entry


def scrub_entries_about(target: models.Model) -> int:
    """After an erasure: the entries about the person keep who changed what field and when, not
    the values the erasure blanked, nor the person's name."""
    spec = audited(type(target))
    erased = set(spec.erased) if spec else set()
    entries = list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(target)), object_id=target.pk
        ).exclude(event=AuditEvent.ERASURE)
    )
    represented = f"{type(target)._meta.verbose_name} n° {target.pk}"
    for entry in entries:
        entry.object_repr = represented
        if entry.changes:
            entry.changes = {
                name: [mask_value(str(v)) for v in values]
                if name in erased and isinstance(values, list)
                else values
                for name, values in entry.changes.items()
            }
    AuditEntry.objects.bulk_update(entries, ["object_repr", "changes"])
    return len(entries)


def _account_entries(
    user: User | None, event: AuditEvent, request: HttpRequest | None
) -> list[AuditEntry]:
    """A sign-in entry in each territory the account has access to, so that each coordination
    reads its own people's sign-ins; one with no territory for an account with none."""
    from .models import Access, User

    territories: list[int | None] = []
    if user is not None:
        territories = list(Access.objects.filter(user=user).values_list("territory_id", flat=True))
    content_type = ContentType.objects.get_for_model(User)
    now = timezone.now()
    cid = str(uuid.uuid4())  # ties the copies of one sign-in together
    return [
        AuditEntry(
            territory_id=territory_id,
            event=event,
            action=EVENT_ACTION,
            content_type=content_type,
            object_pk=smart_str(user.pk) if user is not None else "",
            object_id=user.pk if user is not None else None,
            object_repr=smart_str(user) if user is not None else str(_("Compte inconnu")),
            actor=user if event == AuditEvent.SIGN_IN else None,
            actor_email=user.email if (user is not None and event == AuditEvent.SIGN_IN) else None,
            remote_addr=_remote_addr(request),
            timestamp=now,
            cid=cid,
        )
        for territory_id in territories or [None]
    ]


def record_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if auditlog_disabled.get():
        return
    AuditEntry.objects.bulk_create(_account_entries(user, AuditEvent.SIGN_IN, request))


def record_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """The account tried (when it exists) and the address the attempt came from; never the
    password, nor what was typed as an address when no account has it."""
    from .models import User

    if auditlog_disabled.get():
        return
    if request is not None:
        setattr(request, SIGN_IN_ATTEMPT, True)
    typed = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "").strip()
    user = User.objects.filter(email__iexact=typed).first() if typed else None
    AuditEntry.objects.bulk_create(_account_entries(user, AuditEvent.SIGN_IN_FAILED, request))


# --- retention -------------------------------------------------------------------------------


def audit_purge(*, months: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete the entries older than `months` (AUDIT_RETENTION_MONTHS); returns how many."""
    months = settings.AUDIT_RETENTION_MONTHS if months is None else months
    limit = (now or timezone.now()) - relativedelta(months=months)
    deleted, _detail = AuditEntry.objects.filter(timestamp__lt=limit).delete()
    return deleted


@shared_task(name="cls_platform.audit.purge_audit_trail")
def purge_audit_trail() -> int:
    """Daily (CELERY_BEAT_SCHEDULE "purge-audit-trail")."""
    return audit_purge()
