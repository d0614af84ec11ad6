"""Work groups (thematic GT, COPIL, plenary) and their meetings."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import READABLE_BY_VIEWERS, ActionUpdate, Axis, Contract, FicheAction
from cls_platform.models import Territory
from cls_platform.tenancy import TerritoryOwned
from partners.models import Contact, Organization

if TYPE_CHECKING:
    from cls_platform.models import Access, User


class GroupKind(models.TextChoices):
    THEMATIC = "thematic", _("Groupe de travail thématique")
    COPIL = "copil", _("Comité de pilotage (COPIL)")
    PLENARY = "plenary", _("Plénière")
    OTHER = "other", _("Autre instance")


class GroupStatus(models.TextChoices):
    ACTIVE = "active", _("Actif")
    STANDBY = "standby", _("En veille")
    CLOSED = "closed", _("Clos")


class InvitationPolicy(models.TextChoices):
    ALL_PARTNERS = "all_partners", _("Tous les partenaires actifs du territoire")
    MEMBERS = "members", _("Les membres du groupe")


class WorkGroupQuerySet(models.QuerySet["WorkGroup"]):
    def for_access(self, access: Access) -> WorkGroupQuerySet:
        if access.is_viewer:
            return self.filter(contract__status__in=READABLE_BY_VIEWERS)
        return self


# PostgreSQL's triggers (actions/migrations/0010) name its contract_id, kind, status and
# target_meetings_per_year, and its pilots' table: a rename is made there too.
class WorkGroup(TerritoryOwned):
    """A standing group of a contract, usually one per thematic axis, co-piloted."""

    territory_parent = "contract"

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="work_groups",
        verbose_name=_("territoire"),
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="work_groups", verbose_name=_("contrat")
    )
    kind = models.CharField(
        _("type"), max_length=10, choices=GroupKind.choices, default=GroupKind.THEMATIC
    )
    axis = models.ForeignKey(
        Axis,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_groups",
        verbose_name=_("axe"),
    )
    name = models.CharField(_("nom"), max_length=250)
    pilots = models.ManyToManyField(
        Contact, blank=True, related_name="piloted_groups", verbose_name=_("pilotes et co-pilotes")
    )
    target_meetings_per_year = models.PositiveSmallIntegerField(
        _("réunions visées par an"), default=2
    )
    status = models.CharField(
        _("état"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.ACTIVE
    )
    invitation_policy = models.CharField(
        _("qui inviter"),
        max_length=15,
        choices=InvitationPolicy.choices,
        default=InvitationPolicy.ALL_PARTNERS,
    )

    objects = WorkGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("groupe de travail")
        verbose_name_plural = _("groupes de travail")
        ordering = ["contract", "name"]

    def __str__(self) -> str:
        return self.name

    def is_copiloted_by(self, user: User) -> bool:
        return self.pilots.filter(user=user).exists()


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Programmée")
    HELD = "held", _("Tenue")
    CANCELLED = "cancelled", _("Annulée")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def for_access(self, access: Access) -> MeetingQuerySet:
        if access.is_viewer:
            return self.filter(group__contract__status__in=READABLE_BY_VIEWERS)
        return self


# PostgreSQL's triggers (actions/migrations/0010) name its group_id, starts_at, status and
# present_count: a rename is made there too.
class Meeting(TerritoryOwned):
    """A dated session of a group."""

    territory_parent = "group"

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("territoire")
    )
    group = models.ForeignKey(
        WorkGroup, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("groupe")
    )
    title = models.CharField(_("intitulé"), max_length=250, blank=True)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    online_url = models.URLField(_("lien de visioconférence"), blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    description = models.TextField(_("mot d'accueil de l'invitation"), blank=True)
    # iTIP: one UID for the meeting's whole life, SEQUENCE raised at each re-send that changes it.
    calendar_uid = models.UUIDField(_("identifiant d'agenda"), default=uuid.uuid4, editable=False)
    sequence = models.PositiveIntegerField(_("version de l'invitation"), default=0)
    invitations_sent_at = models.DateTimeField(_("invitations envoyées le"), null=True, blank=True)
    # When the invitation list was filled from the group's rule: an extra invitee added before
    # that is added to the rule's list, never instead of it.
    invitees_prepared_at = models.DateTimeField(
        _("liste des invités préparée le"), null=True, blank=True
    )
    # The coordinator's words to the invitees with the latest update or the cancellation
    # ("la salle a changé", "reportée à cause de la grève"): carried by the e-mails of that
    # version (`sequence`).
    change_note = models.TextField(_("message joint à la modification"), blank=True)
    # ORGANIZER of the .ics, fixed when the invitations first go: an update or a cancellation
    # must come from the same organizer, or calendars treat it as someone else's event.
    organizer_email = models.EmailField(_("organisateur (adresse)"), blank=True)
    organizer_name = models.CharField(_("organisateur (nom)"), max_length=200, blank=True)
    report = models.TextField(_("compte-rendu"), blank=True)
    report_written_at = models.DateTimeField(_("compte-rendu rédigé le"), null=True, blank=True)
    report_sent_at = models.DateTimeField(_("compte-rendu envoyé le"), null=True, blank=True)
    report_pdf = models.FileField(_("compte-rendu (PDF)"), upload_to="comptes-rendus/", blank=True)
    # How many invitations say "present": kept by the database's triggers on the invitations
    # (migration 0009), whatever writes them (services, `.update()`, cascades, the admin, raw
    # SQL); a write of a stale value (a `save()` of a meeting read earlier) is replaced by the
    # count. Read by group health on every group page, the dashboard and the ARS table.
    present_count = models.PositiveIntegerField(_("personnes présentes"), default=0, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["-starts_at"]
        indexes = [
            # A group's meetings, the latest first, with what its health sums up of them
            # (`health_sql.SUMMARY`) read from the index alone on PostgreSQL.
            models.Index(
                fields=["group", "-starts_at", "-id"],
                name="meeting_group_latest",
                include=["status", "present_count"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"{self.group} — {self.starts_at:%d/%m/%Y}"

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("La fin doit être après le début.")})

    @property
    def topic(self) -> str:
        """How the outbox names this meeting."""
        return f"meeting:{self.pk}"

    @property
    def is_over(self) -> bool:
        return self.ends_at <= timezone.now()

    def is_copiloted_by(self, user: User) -> bool:
        return self.group.is_copiloted_by(user)


# Kinds of outbox message about a meeting (`Delivery.kind`, with topic "meeting:<pk>").
KIND_INVITATION = "invitation"
KIND_CANCELLATION = "cancellation"
KIND_REMINDER = "reminder"
KIND_REPORT = "report"
# The kinds that follow the person's choice about invitations (the report follows "reports").
INVITATION_KINDS = frozenset({KIND_INVITATION, KIND_CANCELLATION, KIND_REMINDER})


class MembershipKind(models.TextChoices):
    MEMBER = "member", _("Membre")
    SUBSCRIBER = "subscriber", _("Abonné·e aux comptes-rendus")


class Membership(TerritoryOwned):
    """A contact's tie to a group: member (invited) or subscriber (reports only), with opt-outs."""

    territory_parent = "group"

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("territoire"),
    )
    group = models.ForeignKey(
        WorkGroup, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("groupe")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("contact")
    )
    kind = models.CharField(
        _("lien"), max_length=12, choices=MembershipKind.choices, default=MembershipKind.MEMBER
    )
    invitations = models.BooleanField(_("reçoit les invitations de ce groupe"), default=True)
    reports = models.BooleanField(_("reçoit les comptes-rendus de ce groupe"), default=True)
    created_at = models.DateTimeField(_("depuis le"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre d'un groupe")
        verbose_name_plural = _("membres des groupes")
        ordering = ["group", "contact"]
        constraints = [
            models.UniqueConstraint(fields=["group", "contact"], name="membership_once_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.group}"


class MeetingAction(TerritoryOwned):
    """A fiche-action discussed at a meeting, with what was said: it appears in the action's
    timeline through the reverse relation `fiche.meeting_links`."""

    territory_parent = "meeting"

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="meeting_actions",
        verbose_name=_("territoire"),
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_links", verbose_name=_("réunion")
    )
    fiche = models.ForeignKey(
        FicheAction,
        on_delete=models.CASCADE,
        related_name="meeting_links",
        verbose_name=_("fiche-action"),
    )
    update = models.OneToOneField(
        ActionUpdate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_link",
        verbose_name=_("actualité"),
    )
    note = models.TextField(_("ce qui en a été dit"), blank=True)

    class Meta:
        verbose_name = _("fiche-action discutée")
        verbose_name_plural = _("fiches-actions discutées")
        ordering = ["meeting", "fiche"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "fiche"], name="meeting_action_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.fiche.number}"


class AgendaKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Suivi des fiches-actions")
    INTERCONNAISSANCE = "interconnaissance", _("Interconnaissance : une structure se présente")
    THEMATIC = "thematic", _("Travail thématique")
    EXPERT = "expert", _("Intervention d'expert")
    ICEBREAKER = "icebreaker", _("Brise-glace, animation")
    OTHER = "other", _("Autre")


class AgendaItem(models.Model):
    """One typed item of a meeting's agenda."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("réunion")
    )
    kind = models.CharField(
        _("type"), max_length=20, choices=AgendaKind.choices, default=AgendaKind.THEMATIC
    )
    title = models.CharField(_("intitulé"), max_length=250)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=30)
    presenter = models.CharField(_("intervenant·e"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("structure présentée"),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Rsvp(models.TextChoices):
    PENDING = "pending", _("Sans réponse")
    YES = "yes", _("Vient")
    NO = "no", _("Ne vient pas")


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Non renseigné")
    PRESENT = "present", _("Présent·e")
    EXCUSED = "excused", _("Excusé·e")
    ABSENT = "absent", _("Absent·e")


class Invitation(TerritoryOwned):
    """One contact invited to one meeting: their answer, then whether they came."""

    territory_parent = "meeting"

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("territoire"),
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("réunion")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("contact")
    )
    rsvp = models.CharField(_("réponse"), max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    rsvp_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    attendance = models.CharField(
        _("présence"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    walk_in = models.BooleanField(_("venu·e sans invitation"), default=False)
    created_at = models.DateTimeField(_("invité·e le"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "contact__last_name", "contact__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "contact"], name="invitation_once")
        ]
        indexes = [
            # Who came, counted per meeting (group health on the progress page, the dashboard
            # and the table of all contracts): read from this small index alone, never from
            # the invitations themselves (mostly people who did not come).
            models.Index(
                fields=["meeting"],
                condition=models.Q(attendance=Attendance.PRESENT),
                name="invitation_present_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.meeting}"


class MeetingDocument(models.Model):
    """A resource shared at a meeting (a presenter's slides...), sent with the compte-rendu."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="documents", verbose_name=_("réunion")
    )
    title = models.CharField(_("titre"), max_length=250)
    file = models.FileField(_("fichier"), upload_to="reunions/")
    file_name = models.CharField(_("nom du fichier"), max_length=250, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document de réunion")
        verbose_name_plural = _("documents de réunion")
        ordering = ["meeting", "uploaded_at"]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(TerritoryOwned):
    """A partner's subscription to a group's meetings: a secret `.ics` address that calendars
    poll, so that new meetings, moves and cancellations appear without a new e-mail. Revoked by
    the partner (or the coordination) when the address leaked; a new one can then be made."""

    territory_parent = "group"

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("territoire"),
    )
    group = models.ForeignKey(
        WorkGroup,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("groupe"),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("contact"),
    )
    token = models.CharField(_("jeton secret"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_fetched_at = models.DateTimeField(_("dernière lecture"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda abonné")
        verbose_name_plural = _("agendas abonnés")
        ordering = ["group", "contact", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "contact"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.group}"
