"""The contract (CLS, ASV, CLSM), its axes and its fiches-actions (their indicators:
`actions/models/indicators.py`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cls_platform.models import Territory
from cls_platform.tenancy import TerritoryOwned
from partners.models import Contact, Organization, Qpv

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

FIRST_YEAR, LAST_YEAR = 2000, 2100
YEAR_MESSAGE = _("Indiquez une année entre 2000 et 2100.")
YEAR_VALIDATORS = [
    MinValueValidator(FIRST_YEAR, message=YEAR_MESSAGE),
    MaxValueValidator(LAST_YEAR, message=YEAR_MESSAGE),
]
PROGRESS_MESSAGE = _("L'avancement est un pourcentage entre 0 et 100.")


class ContractQuerySet(models.QuerySet["Contract"]):
    def for_access(self, access: Access) -> ContractQuerySet:
        # Signatories read what they signed: drafts stay between the coordinators.
        if access.is_viewer:
            return self.filter(status__in=READABLE_BY_VIEWERS)
        return self


# What only the database moves on (`Contract.save` leaves them out).
VERSIONS = ("indicators_version", "groups_version")


class Contract(TerritoryOwned):
    """One contract period of a territory (e.g. CLS 2020-2022) with its signatories."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="contracts", verbose_name=_("territoire")
    )
    kind = models.CharField(
        _("dispositif"), max_length=10, choices=ContractKind.choices, default=ContractKind.CLS
    )
    title = models.CharField(_("intitulé"), max_length=250)
    start_year = models.PositiveSmallIntegerField(_("année de début"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("année de fin"), validators=YEAR_VALIDATORS)
    status = models.CharField(
        _("état"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    signed_on = models.DateField(_("signé le"), null=True, blank=True)
    signed_document = models.FileField(_("contrat signé (PDF)"), upload_to="contrats/", blank=True)
    description = models.TextField(_("présentation"), blank=True)
    closed_on = models.DateField(_("clos le"), null=True, blank=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next",
        verbose_name=_("contrat précédent"),
    )
    open_data_published_at = models.DateTimeField(
        _("publié en données ouvertes le"),
        null=True,
        blank=True,
        help_text=_(
            "Vide : le contrat n'est pas publié. La coordination le publie ou le retire depuis "
            "la page « Données ouvertes »."
        ),
    )
    # One more each time one of its indicators or measures is written or deleted
    # (actions/signals.py): the standings kept for the day (actions.progress) are kept under it.
    indicators_version = models.PositiveIntegerField(default=0, editable=False)
    # One more each time one of its groups, their meetings or pilots, or a pilot's standing in
    # the directory changes, by PostgreSQL's triggers (migration 0010, whatever writes them,
    # bulk updates included): the groups' states kept for the day (evaluation.portfolio.kept)
    # are kept under it.
    groups_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contrat")
        verbose_name_plural = _("contrats")
        ordering = ["-start_year", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="contract_end_after_start",
                violation_error_message=_("L'année de fin précède l'année de début."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved as usual, but for the versions (`VERSIONS`), which only the database moves on:
        an instance read before a change of its indicators or groups would otherwise write its
        old version back, and the figures kept under that version, older than the change, would
        be shown again."""
        if (
            kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
            and not self._state.adding
            and self.pk
        ):
            deferred = self.get_deferred_fields()  # as Django does: what was not read stays
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name not in VERSIONS
                and field.attname not in deferred
            ]
        super().save(*args, **kwargs)

    @property
    def period(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    @property
    def structure_locked(self) -> bool:
        """Once signed, axes and numbering change only through an amendment (avenant)."""
        return self.status != ContractStatus.DRAFT


class ContractAmendment(models.Model):
    """An amendment (avenant) to a signed contract: why its structure changed, and when."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("contrat")
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    adopted_on = models.DateField(_("adopté le"))
    note = models.TextField(_("objet de l'avenant"))
    changes = models.TextField(_("modifications apportées"), blank=True)
    created_by = models.ForeignKey(
        "cls_platform.User", on_delete=models.SET_NULL, null=True, verbose_name=_("saisi par")
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)

    class Meta:
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="amendment_unique_number")
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.number} : {self.note[:60]}"


class ContractEventKind(models.TextChoices):
    SIGNED = "signed", _("Signature enregistrée")
    DOCUMENT_ADDED = "document_added", _("Contrat signé (PDF) déposé")
    DOCUMENT_REPLACED = "document_replaced", _("Contrat signé (PDF) remplacé")
    CLOSED = "closed", _("Contrat clos")


class ContractEvent(models.Model):
    """A dated step of a contract that is not an amendment (numbered apart): signed, PDF, closed."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="events", verbose_name=_("contrat")
    )
    kind = models.CharField(_("type"), max_length=20, choices=ContractEventKind.choices)
    detail = models.CharField(_("précisions"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "cls_platform.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("saisi par"),
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("étape du contrat")
        verbose_name_plural = _("historique du contrat")
        ordering = ["contract", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d/%m/%Y})"


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


# "Axe 7 :", "AXE 7 -", "Axe transversal 2." typed at the start of an axis's title.
AXIS_TITLE_PREFIX = re.compile(r"\s*axe(?:\s+transversal)?\s*(\d+)\s*[:.\-–—]?\s*", re.IGNORECASE)


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
    objectives = models.TextField(_("objectifs"), blank=True)

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
        return f"{self.label} : {self.plain_title}"

    @property
    def label(self) -> str:
        """How the contract names the axis before its title: «Axe 7», «Axe transversal 2»."""
        if self.kind == AxisKind.THEMATIC:
            return _("Axe %(number)s") % {"number": self.number}
        return _("Axe transversal %(number)s") % {"number": self.number}

    @property
    def plain_title(self) -> str:
        """The title without the "Axe 7 :" that some contracts type into it, so that pages
        which put the axis's number before its title never read "Axe 7 : Axe 7 : ..."."""
        match = AXIS_TITLE_PREFIX.match(self.title or "")
        if match and int(match.group(1)) == self.number and self.title[match.end() :].strip():
            return self.title[match.end() :].strip()
        return self.title

    def carries_fiches(self) -> bool:
        """Whether fiches-actions hang on this axis (as their thematic or a transversal axis)."""
        if self.pk is None:
            return False
        return self.fiches_actions.exists() or self.transversal_fiches_actions.exists()


class Public(models.Model):
    """A target public (children, young people, elderly...): reference data shared by all."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant"), unique=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("public")
        verbose_name_plural = _("publics")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class OttawaArea(models.Model):
    """One of the five action areas of the Ottawa Charter for health promotion."""

    name = models.CharField(_("nom"), max_length=150, unique=True)
    slug = models.SlugField(_("identifiant"), unique=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("axe de la Charte d'Ottawa")
        verbose_name_plural = _("axes de la Charte d'Ottawa")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class CollaborationLevel(models.Model):
    """A level of the intersectoral collaboration scale (Bilodeau, Parent, Potvin, 2019 by
    default); labels live in data so that a region using another scale can edit them."""

    rank = models.PositiveSmallIntegerField(_("rang"), unique=True)
    label = models.CharField(_("libellé"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("niveau de collaboration")
        verbose_name_plural = _("niveaux de collaboration")
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"{self.rank}. {self.label}"


class TerritoryScope(models.TextChoices):
    WHOLE = "whole", _("Tout le territoire")
    QPV = "qpv", _("Quartiers prioritaires (QPV)")


class Participation(models.TextChoices):
    NONE = "none", _("Pas de participation des habitants")
    INFORMATION = "information", _("Information")
    CONSULTATION = "consultation", _("Consultation")
    CONCERTATION = "concertation", _("Concertation")
    CO_CONSTRUCTION = "co_construction", _("Co-construction")
    EMPOWERMENT = "empowerment", _("Pouvoir d'agir des habitants")


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
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"),
        default=0,
        validators=[
            MinValueValidator(0, message=PROGRESS_MESSAGE),
            MaxValueValidator(100, message=PROGRESS_MESSAGE),
        ],
    )
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
    context = models.TextField(_("contexte et constats"), blank=True)
    general_objective = models.TextField(_("objectif général"), blank=True)
    operational_objectives = models.TextField(
        _("objectifs opérationnels"), blank=True, help_text=_("Un objectif par ligne.")
    )
    description = models.TextField(_("description de l'action"), blank=True)
    publics = models.ManyToManyField(
        Public, blank=True, related_name="fiches_actions", verbose_name=_("publics visés")
    )
    publics_detail = models.CharField(_("précisions sur les publics"), max_length=300, blank=True)
    territory_scope = models.CharField(
        _("territoire d'intervention"),
        max_length=5,
        choices=TerritoryScope.choices,
        default=TerritoryScope.WHOLE,
    )
    qpvs = models.ManyToManyField(
        Qpv, blank=True, related_name="fiches_actions", verbose_name=_("QPV concernés")
    )
    partners = models.ManyToManyField(
        Organization,
        through="ActionPartner",
        blank=True,
        related_name="partner_actions",
        verbose_name=_("partenaires"),
    )
    ottawa_areas = models.ManyToManyField(
        OttawaArea,
        blank=True,
        related_name="fiches_actions",
        verbose_name=_("axes de la Charte d'Ottawa"),
    )
    participation = models.CharField(
        _("participation des habitants"),
        max_length=20,
        choices=Participation.choices,
        default=Participation.NONE,
    )
    calendar = models.TextField(_("calendrier prévisionnel"), blank=True)
    budget_total = models.DecimalField(
        _("budget total (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("Le budget ne peut pas être négatif."))],
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("action du contrat précédent"),
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = FicheActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("fiche-action")
        verbose_name_plural = _("fiches-actions")
        ordering = ["contract", "number"]
        indexes = [models.Index(fields=["contract", "status", "end_date"], name="fiche_counts")]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="fiche_unique_number",
                violation_error_message=_(
                    "Ce numéro est déjà celui d'une autre fiche-action du contrat."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="fiche_progress_percent",
                violation_error_message=PROGRESS_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def is_copiloted_by(self, user: User) -> bool:
        if self.pilot_contact_id and self.pilot_contact.user_id == user.pk:
            return True
        return self.copilots.filter(user=user).exists()

    @property
    def pilot_has_left(self) -> bool:
        """The named pilot left their structure or was deactivated: the action needs a new one."""
        pilot = self.pilot_contact
        return bool(pilot and (pilot.left_at or not pilot.is_active or pilot.anonymized_at))

    @property
    def is_late(self) -> bool:
        return bool(
            self.end_date
            and self.end_date < timezone.localdate()
            and self.status not in (ActionStatus.DONE, ActionStatus.ABANDONED)
        )


class ActionPartner(models.Model):
    """A structure taking part in an action, with its role and level of collaboration."""

    fiche = models.ForeignKey(
        FicheAction,
        on_delete=models.CASCADE,
        related_name="partnerships",
        verbose_name=_("fiche-action"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="action_partnerships",
        verbose_name=_("structure"),
    )
    role = models.CharField(_("rôle"), max_length=250, blank=True)
    level = models.ForeignKey(
        CollaborationLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("niveau de collaboration"),
    )

    class Meta:
        verbose_name = _("partenaire de l'action")
        verbose_name_plural = _("partenaires de l'action")
        ordering = ["fiche", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiche", "organization"],
                name="action_partner_once",
                violation_error_message=_("Cette structure est déjà partenaire de l'action."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.fiche.number}"


class FundingStatus(models.TextChoices):
    SECURED = "secured", _("Acquis")
    REQUESTED = "requested", _("Demandé")


class FundingLine(models.Model):
    """One funder's share of an action's budget."""

    fiche = models.ForeignKey(
        FicheAction,
        on_delete=models.CASCADE,
        related_name="funding_lines",
        verbose_name=_("fiche-action"),
    )
    funder = models.CharField(_("financeur"), max_length=200)
    amount = models.DecimalField(
        _("montant (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0, message=_("Un montant ne peut pas être négatif."))],
    )
    status = models.CharField(
        _("état"), max_length=10, choices=FundingStatus.choices, default=FundingStatus.REQUESTED
    )
    year = models.PositiveSmallIntegerField(
        _("année"), null=True, blank=True, validators=YEAR_VALIDATORS
    )

    class Meta:
        verbose_name = _("ligne de financement")
        verbose_name_plural = _("lignes de financement")
        ordering = ["fiche", "-amount"]

    def __str__(self) -> str:
        return f"{self.funder} : {self.amount} €"


class ActionUpdate(models.Model):
    """Dated news of an action (the "actualités des fiches-actions")."""

    fiche = models.ForeignKey(
        FicheAction,
        on_delete=models.CASCADE,
        related_name="updates",
        verbose_name=_("fiche-action"),
    )
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("actualité"))
    author = models.ForeignKey(
        "cls_platform.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("auteur"),
    )
    created_at = models.DateTimeField(_("saisie le"), auto_now_add=True)
    edited_at = models.DateTimeField(_("corrigée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")
        ordering = ["fiche", "-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.fiche.number} · {self.happened_on:%d/%m/%Y}"


class StatusChange(models.Model):
    """A change of an action's status or progress, kept for its timeline."""

    fiche = models.ForeignKey(
        FicheAction,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("fiche-action"),
    )
    changed_at = models.DateTimeField(_("le"), default=timezone.now)
    old_status = models.CharField(_("ancien état"), max_length=12, choices=ActionStatus.choices)
    new_status = models.CharField(_("nouvel état"), max_length=12, choices=ActionStatus.choices)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    author = models.ForeignKey(
        "cls_platform.User", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("par")
    )

    class Meta:
        verbose_name = _("changement d'état")
        verbose_name_plural = _("changements d'état")
        ordering = ["fiche", "-changed_at"]

    def __str__(self) -> str:
        return f"{self.fiche.number} : {self.get_old_status_display()} → {self.get_new_status_display()}"


# The indicators and their measures, in a module of their own (after FicheAction, which they point
# to), read from here as every other model of the app.
from .indicators import Indicator, IndicatorKind, IndicatorValue  # noqa: E402, F401
