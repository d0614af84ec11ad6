"""COPIL decisions and recommendations, followed up until they are done.

A steering committee (COPIL) decides ("renouveler le CLS", "publier un annuaire de l'offre")
or recommends; each decision becomes an item followed up like a small action: what, who
carries it (a structure of the directory and/or a free label such as "Coordination CLS",
never a person: signatories read them), by when, its state. The meeting of the COPIL that took
it is optional (decisions recorded after the fact, or taken in a plenary). Every change of
state is kept (`CopilDecisionChange`), with the coordinator's comment.

The meeting's page lists them through the reverse relation `meeting.copil_decisions`:
workgroups never imports this app.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import READABLE_BY_VIEWERS, Contract
from cls_platform.models import Territory
from cls_platform.tenancy import TerritoryOwned
from partners.models import Organization
from workgroups.models import Meeting

if TYPE_CHECKING:
    from cls_platform.models import Access


class DecisionKind(models.TextChoices):
    DECISION = "decision", _("Décision")
    RECOMMENDATION = "recommendation", _("Recommandation")


class DecisionStatus(models.TextChoices):
    TODO = "todo", _("À faire")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Faite")
    ABANDONED = "abandoned", _("Abandonnée")


OPEN_STATUSES = (DecisionStatus.TODO, DecisionStatus.IN_PROGRESS)


class CopilDecisionQuerySet(models.QuerySet["CopilDecision"]):
    def for_access(self, access: Access) -> CopilDecisionQuerySet:
        # Signatories read the decisions of what they signed, like the rest of the contract.
        if access.is_viewer:
            return self.filter(contract__status__in=READABLE_BY_VIEWERS)
        return self

    def late(self, today: dt.date | None = None) -> CopilDecisionQuerySet:
        today = today or timezone.localdate()
        return self.filter(due_on__lt=today, status__in=OPEN_STATUSES)


class CopilDecisionManager(models.Manager.from_queryset(CopilDecisionQuerySet)):  # type: ignore[misc]
    # Every list names who carries the decision: the structure comes with it, also through
    # the reverse relations (a meeting's `copil_decisions.all` in a template).
    def get_queryset(self) -> CopilDecisionQuerySet:
        return super().get_queryset().select_related("organization")


class CopilDecision(TerritoryOwned):
    """A decision or recommendation of a contract's steering committee, followed up."""

    territory_parent = "contract"

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="copil_decisions",
        verbose_name=_("territoire"),
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="copil_decisions",
        verbose_name=_("contrat"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copil_decisions",
        verbose_name=_("réunion du comité de pilotage"),
    )
    kind = models.CharField(
        _("nature"), max_length=15, choices=DecisionKind.choices, default=DecisionKind.DECISION
    )
    what = models.TextField(_("décision ou recommandation"))
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copil_decisions",
        verbose_name=_("structure qui la porte"),
    )
    who_label = models.CharField(
        _("qui la porte (libellé)"),
        max_length=200,
        blank=True,
        help_text=_(
            "Un service, une instance ou une fonction (« Coordination CLS », « Tous les "
            "signataires »), jamais le nom d'une personne : les signataires le lisent."
        ),
    )
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.TODO
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    closed_on = models.DateField(_("close le"), null=True, blank=True)
    created_at = models.DateTimeField(_("saisie le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = CopilDecisionManager()

    class Meta:
        verbose_name = _("décision du comité de pilotage")
        verbose_name_plural = _("décisions du comité de pilotage")
        ordering = ["contract", "order", "id"]
        indexes = [models.Index(fields=["contract", "status"], name="copil_decision_status")]

    def __str__(self) -> str:
        return self.what[:80]

    @property
    def who(self) -> str:
        """Who carries it, as the pages say it: the structure, the label, or both."""
        names = [self.organization.name if self.organization else "", self.who_label]
        return " · ".join(name for name in names if name)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_late(self, today: dt.date | None = None) -> bool:
        """Still to do (or under way) after its due date."""
        today = today or timezone.localdate()
        return bool(self.is_open and self.due_on and self.due_on < today)

    @property
    def overdue(self) -> bool:
        """`is_late()` today, for templates."""
        return self.is_late()


class CopilDecisionChange(models.Model):
    """A change of a decision's state, with the coordinator's comment ("annuaire mis en
    ligne le 3 mars"). The author is kept for the coordination; signatories read the rest."""

    decision = models.ForeignKey(
        CopilDecision,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("décision"),
    )
    changed_at = models.DateTimeField(_("le"), default=timezone.now)
    old_status = models.CharField(
        _("ancien état"), max_length=12, choices=DecisionStatus.choices, blank=True
    )
    new_status = models.CharField(_("nouvel état"), max_length=12, choices=DecisionStatus.choices)
    note = models.CharField(_("commentaire"), max_length=500, blank=True)
    author = models.ForeignKey(
        "cls_platform.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )

    class Meta:
        verbose_name = _("suivi d'une décision")
        verbose_name_plural = _("suivi des décisions")
        ordering = ["decision", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_old_status_display() or '—'} → {self.get_new_status_display()}"
