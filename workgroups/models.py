"""Work groups (thematic GT, COPIL, plenary) and their meetings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from actions.models import READABLE_BY_VIEWERS, Axis, Contract
from cls_platform.models import Territory
from cls_platform.tenancy import TerritoryOwned
from partners.models import Contact

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

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["-starts_at"]
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
