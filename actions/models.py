"""The contract (CLS, ASV, CLSM), its axes and its fiches-actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from cls_platform.models import Territory
from cls_platform.tenancy import TerritoryOwned
from partners.models import Contact, Organization

if TYPE_CHECKING:
    from cls_platform.models import Access, User


class ContractKind(models.TextChoices):
    CLS = "cls", _("Contrat local de santé (CLS)")
    ASV = "asv", _("Atelier Santé Ville (ASV)")
    CLSM = "clsm", _("Conseil local de santé mentale (CLSM)")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    SIGNED = "signed", _("Signé")
    CLOSED = "closed", _("Clos")


READABLE_BY_VIEWERS = (ContractStatus.SIGNED, ContractStatus.CLOSED)


class ContractQuerySet(models.QuerySet["Contract"]):
    def for_access(self, access: Access) -> ContractQuerySet:
        # Signatories read what they signed: drafts stay between the coordinators.
        if access.is_viewer:
            return self.filter(status__in=READABLE_BY_VIEWERS)
        return self


class Contract(TerritoryOwned):
    """One contract period of a territory (e.g. CLS 2020-2022) with its signatories."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="contracts", verbose_name=_("territoire")
    )
    kind = models.CharField(
        _("dispositif"), max_length=10, choices=ContractKind.choices, default=ContractKind.CLS
    )
    title = models.CharField(_("intitulé"), max_length=250)
    start_year = models.PositiveSmallIntegerField(_("année de début"))
    end_year = models.PositiveSmallIntegerField(_("année de fin"))
    status = models.CharField(
        _("état"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    signed_on = models.DateField(_("signé le"), null=True, blank=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next",
        verbose_name=_("contrat précédent"),
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contrat")
        verbose_name_plural = _("contrats")
        ordering = ["-start_year", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="contract_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> str:
        return f"{self.start_year}-{self.end_year}"


class Signatory(models.Model):
    """An organisation that signed a contract, in the order the signature page lists them."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("contrat")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("structure"),
    )
    signed_on = models.DateField(_("signé le"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("signataire")
        verbose_name_plural = _("signataires")
        ordering = ["contract", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "organization"], name="signatory_once_per_contract"
            )
        ]

    def __str__(self) -> str:
        return str(self.organization)


class AxisKind(models.TextChoices):
    THEMATIC = "thematic", _("Axe thématique")
    TRANSVERSAL = "transversal", _("Axe transversal")


class Axis(models.Model):
    """A thematic axis (groups fiches-actions) or a transversal one (a method across them)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="axes", verbose_name=_("contrat")
    )
    kind = models.CharField(
        _("type"), max_length=12, choices=AxisKind.choices, default=AxisKind.THEMATIC
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("intitulé"), max_length=250)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("axe")
        verbose_name_plural = _("axes")
        ordering = ["contract", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind", "number"], name="axis_unique_number"
            )
        ]

    def __str__(self) -> str:
        prefix = _("Axe") if self.kind == AxisKind.THEMATIC else _("Axe transversal")
        return f"{prefix} {self.number} : {self.title}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    POSTPONED = "postponed", _("Reportée")
    ABANDONED = "abandoned", _("Abandonnée")


class FicheActionQuerySet(models.QuerySet["FicheAction"]):
    def for_access(self, access: Access) -> FicheActionQuerySet:
        if access.is_viewer:
            return self.filter(contract__status__in=READABLE_BY_VIEWERS)
        return self


class FicheAction(TerritoryOwned):
    """One action of a contract, under one thematic axis."""

    territory_parent = "contract"

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="fiches_actions",
        verbose_name=_("territoire"),
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="fiches_actions",
        verbose_name=_("contrat"),
    )
    number = models.CharField(_("numéro"), max_length=10, help_text=_("Par exemple « 2.3 »."))
    title = models.CharField(_("intitulé"), max_length=300)
    thematic_axis = models.ForeignKey(
        Axis,
        on_delete=models.PROTECT,
        related_name="fiches_actions",
        limit_choices_to={"kind": AxisKind.THEMATIC},
        verbose_name=_("axe thématique"),
    )
    transversal_axes = models.ManyToManyField(
        Axis,
        blank=True,
        related_name="transversal_fiches_actions",
        limit_choices_to={"kind": AxisKind.TRANSVERSAL},
        verbose_name=_("axes transversaux"),
    )
    status = models.CharField(
        _("état"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin prévue"), null=True, blank=True)
    pilot_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="piloted_actions",
        verbose_name=_("structure pilote"),
    )
    pilot_contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="piloted_actions",
        verbose_name=_("pilote"),
    )
    copilots = models.ManyToManyField(
        Contact, blank=True, related_name="copiloted_actions", verbose_name=_("co-pilotes")
    )

    objects = FicheActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("fiche-action")
        verbose_name_plural = _("fiches-actions")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="fiche_unique_number"),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="fiche_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def is_copiloted_by(self, user: User) -> bool:
        if self.pilot_contact_id and self.pilot_contact.user_id == user.pk:
            return True
        return self.copilots.filter(user=user).exists()
