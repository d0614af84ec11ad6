"""The partner directory: structures, the people who work there, sectors and QPV."""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from cls_platform.models import Territory
from cls_platform.tenancy import TerritoryOwned


def normalize_email(email: str) -> str:
    """Addresses compare ignoring case and surrounding spaces."""
    return (email or "").strip().lower()


def email_hash(email: str) -> str:
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()


class Sector(models.Model):
    """A field of public action (health, education, sport...): reference data shared by all."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=50, unique=True)
    is_health = models.BooleanField(_("secteur de la santé"), default=False)

    class Meta:
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Qpv(TerritoryOwned):
    """A priority neighbourhood (quartier prioritaire de la politique de la ville)."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="qpvs", verbose_name=_("territoire")
    )
    name = models.CharField(_("nom"), max_length=200)
    code = models.CharField(_("code QPV"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("quartier prioritaire (QPV)")
        verbose_name_plural = _("quartiers prioritaires (QPV)")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "name"], name="qpv_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class OrganizationKind(models.TextChoices):
    CITY_SERVICE = "city_service", _("Service de la collectivité")
    INSTITUTION = "institution", _("Institution publique")
    ASSOCIATION = "association", _("Association")
    HOSPITAL = "hospital", _("Établissement de santé")
    HEALTH_CENTRE = "health_centre", _("Centre ou maison de santé")
    SCHOOL = "school", _("Établissement scolaire")
    PROFESSIONAL = "professional", _("Professionnel·le libéral·e")
    COMPANY = "company", _("Entreprise, bailleur")
    RESIDENTS = "residents", _("Collectif d'habitants")
    OTHER = "other", _("Autre")


class Organization(TerritoryOwned):
    """A partner structure: association, institution, city service, health centre, school..."""

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="organizations",
        verbose_name=_("territoire"),
    )
    name = models.CharField(_("nom"), max_length=250)
    acronym = models.CharField(_("sigle"), max_length=50, blank=True)
    kind = models.CharField(
        _("type"), max_length=20, choices=OrganizationKind.choices, default=OrganizationKind.OTHER
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="organizations", verbose_name=_("secteurs")
    )
    is_internal = models.BooleanField(
        _("service interne"), default=False, help_text=_("Service de la collectivité porteuse.")
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    qpv = models.ForeignKey(
        Qpv,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("QPV"),
    )
    website = models.URLField(_("site web"), blank=True)
    offer_description = models.TextField(_("présentation de l'offre"), blank=True)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "territory", Lower("name"), name="organization_unique_name_per_territory"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class ContactSource(models.TextChoices):
    MANUAL = "manual", _("Saisie par la coordination")
    IMPORT = "import", _("Import de fichier")
    WALK_IN = "walk_in", _("Ajout en réunion")
    SELF_SERVICE = "self_service", _("Déclaré par un partenaire")
    DEMO = "demo", _("Données de démonstration")


class ContactQuerySet(models.QuerySet["Contact"]):
    def mailable(self) -> ContactQuerySet:
        """Contacts who may receive mail: active, not departed, not unsubscribed, not bounced."""
        return self.filter(
            is_active=True,
            left_at__isnull=True,
            unsubscribed_at__isnull=True,
            bounced_at__isnull=True,
            anonymized_at__isnull=True,
        )

    def with_email(self, email: str) -> ContactQuerySet:
        return self.filter(email__iexact=normalize_email(email))


# PostgreSQL's triggers (actions/migrations/0010) name its is_active, left_at, anonymized_at and
# successor_id: a rename is made there too.
class Contact(TerritoryOwned):
    """A person at a structure, reached by e-mail; people move on and name a successor."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("territoire")
    )
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    email = models.EmailField(_("adresse e-mail"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    job_title = models.CharField(_("fonction"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("structure"),
    )
    user = models.ForeignKey(
        "cls_platform.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("compte utilisateur"),
        help_text=_("Compte de la personne quand elle co-pilote un groupe ou une action."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    left_at = models.DateField(_("a quitté la structure le"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successeur"),
    )
    receives_invitations = models.BooleanField(_("reçoit les invitations"), default=True)
    receives_reports = models.BooleanField(_("reçoit les comptes-rendus"), default=True)
    unsubscribed_at = models.DateTimeField(_("désinscrit le"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("adresse en erreur depuis le"), null=True, blank=True)
    source = models.CharField(
        _("origine"), max_length=20, choices=ContactSource.choices, default=ContactSource.MANUAL
    )
    source_detail = models.CharField(
        _("précision sur l'origine"),
        max_length=250,
        blank=True,
        help_text=_("Fichier et ligne d'import, réunion, personne qui l'a signalé..."),
    )
    confirmed_at = models.DateTimeField(_("dernière confirmation"), null=True, blank=True)
    last_activity_at = models.DateTimeField(
        _("dernière interaction"),
        null=True,
        blank=True,
        help_text=_("Création, confirmation, réponse à une invitation, présence en réunion."),
    )
    anonymized_at = models.DateTimeField(_("effacé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                "territory", Lower("email"), name="contact_unique_email_per_territory"
            )
        ]

    def __str__(self) -> str:
        # Never the address: __str__ ends up in pages, forms and messages that viewers read.
        return self.full_name or str(_("Contact sans nom"))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)


class SuppressedAddress(TerritoryOwned):
    """What remains of an erased person: a hash, so that no later import can mail them again."""

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="suppressed_addresses",
        verbose_name=_("territoire"),
    )
    email_sha256 = models.CharField(_("empreinte de l'adresse"), max_length=64)
    created_at = models.DateTimeField(_("effacée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("adresse supprimée")
        verbose_name_plural = _("adresses supprimées")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "email_sha256"], name="suppressed_once_per_territory"
            )
        ]

    def __str__(self) -> str:
        return self.email_sha256[:12]


class HandOverStatus(models.TextChoices):
    PENDING = "pending", _("À confirmer")
    CONFIRMED = "confirmed", _("Confirmé")
    REJECTED = "rejected", _("Écarté")


class HandOver(TerritoryOwned):
    """A partner says they left and names a successor; the coordination confirms."""

    territory_parent = "contact"

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="hand_overs", verbose_name=_("territoire")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="hand_overs", verbose_name=_("contact")
    )
    left_on = models.DateField(_("date de départ"), null=True, blank=True)
    successor_first_name = models.CharField(_("prénom du successeur"), max_length=100, blank=True)
    successor_last_name = models.CharField(_("nom du successeur"), max_length=100, blank=True)
    successor_email = models.EmailField(_("adresse e-mail du successeur"), blank=True)
    successor_job_title = models.CharField(_("fonction du successeur"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=HandOverStatus.choices, default=HandOverStatus.PENDING
    )
    created_at = models.DateTimeField(_("déclaré le"), auto_now_add=True)
    decided_at = models.DateTimeField(_("traité le"), null=True, blank=True)

    class Meta:
        verbose_name = _("départ déclaré")
        verbose_name_plural = _("départs déclarés")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.contact} → {self.successor_email or '?'}"


class PartnerImport(TerritoryOwned):
    """An uploaded spreadsheet between its preview and its confirmation: `content` holds the file
    as read and cleaned once (the signed staged result of partners/importing.py) until it is
    confirmed, `report` the preview, then what was imported."""

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="partner_imports",
        verbose_name=_("territoire"),
    )
    file_name = models.CharField(_("fichier"), max_length=250)
    content = models.BinaryField(_("contenu"))
    uploaded_by = models.ForeignKey(
        "cls_platform.User", on_delete=models.SET_NULL, null=True, verbose_name=_("déposé par")
    )
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    applied_at = models.DateTimeField(_("importé le"), null=True, blank=True)
    report = models.JSONField(_("compte rendu"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import de partenaires")
        verbose_name_plural = _("imports de partenaires")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
