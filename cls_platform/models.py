"""Users, territories (the tenants) and who may do what in each."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .departments import (
    department_label,
    department_name,
    validate_department_code,
    validate_insee_code,
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).strip().lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=(username or "").strip())


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: coordinator, co-pilot, signatory viewer or administrator."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=200, blank=True)
    organization_label = models.CharField(
        _("institution"),
        max_length=200,
        blank=True,
        help_text=_("Service ou institution de la personne (affiché dans l'en-tête)."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    is_demo = models.BooleanField(
        _("compte de démonstration"),
        default=False,
        help_text=_("Les comptes de démonstration sont refusés quand DEBUG est désactivé."),
    )
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).strip().lower()


class TerritoryKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("Intercommunalité (EPCI)")
    DEPARTMENT = "department", _("Département")
    OTHER = "other", _("Autre")


class Territory(models.Model):
    """The city or intercommunality that carries a CLS: the tenant of every other record."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    kind = models.CharField(
        _("type"), max_length=20, choices=TerritoryKind.choices, default=TerritoryKind.COMMUNE
    )
    insee_code = models.CharField(
        _("code INSEE"),
        max_length=5,
        blank=True,
        validators=[validate_insee_code],
        help_text=_("Code officiel géographique de la commune, par exemple 95127 pour Cergy."),
    )
    department_code = models.CharField(
        _("département"),
        max_length=3,
        blank=True,
        validators=[validate_department_code],
        help_text=_("Code du département : 95, 2A, 974…"),
    )
    region = models.CharField(_("région"), max_length=100, blank=True)
    # What an ARS delegation compares its contracts by (the table of all its contracts).
    population = models.PositiveIntegerField(
        _("population"),
        null=True,
        blank=True,
        help_text=_("Population municipale publiée par l'INSEE."),
    )
    population_year = models.PositiveSmallIntegerField(
        _("année de la population"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1960), MaxValueValidator(2100)],
        help_text=_("Année du recensement dont la population est tirée, par exemple 2022."),
    )
    health_service_name = models.CharField(
        _("service porteur"),
        max_length=200,
        blank=True,
        help_text=_("Service de la collectivité qui coordonne le CLS."),
    )
    coordination_email = models.EmailField(
        _("adresse de la coordination"),
        blank=True,
        help_text=_(
            "Adresse à laquelle les partenaires répondent (Reply-To des e-mails, pages des "
            "liens personnels) quand une réunion n'a pas d'organisateur. Vide : l'adresse de la "
            "première personne qui coordonne le territoire."
        ),
    )

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]

    def __str__(self) -> str:
        if self.department_code:
            return f"{self.name} ({self.department_code})"
        return self.name

    def clean(self) -> None:
        super().clean()
        self.insee_code = self.insee_code.strip().upper()
        self.department_code = self.department_code.strip().upper()
        errors = {}
        # A commune's INSEE code starts with its department's code (3 characters overseas).
        if (
            self.kind == TerritoryKind.COMMUNE
            and self.insee_code
            and self.department_code
            and not self.insee_code.startswith(self.department_code)
        ):
            errors["insee_code"] = _(
                "Le code INSEE %(insee)s ne correspond pas au département %(department)s : le "
                "code d'une commune de ce département commence par %(department)s."
            ) % {"insee": self.insee_code, "department": self.department_code}
        if self.population_year and self.population is None:
            errors["population"] = _("Indiquez la population de l'année %(year)s.") % {
                "year": self.population_year
            }
        if errors:
            raise ValidationError(errors)

    @property
    def department_name(self) -> str:
        """ "Val-d'Oise" for 95; "" when the code is empty or unknown."""
        return department_name(self.department_code)

    @property
    def department_label(self) -> str:
        """ "95 · Val-d'Oise"."""
        return department_label(self.department_code)


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordination")
    COPILOT = "copilot", _("Co-pilotage")
    VIEWER = "viewer", _("Signataire (lecture seule)")


class AccessQuerySet(models.QuerySet["Access"]):
    def for_user(self, user: User) -> AccessQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(user=user)


class Access(models.Model):
    """What one user may do in one territory: coordinate, co-pilot some groups, or read."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("utilisateur")
    )
    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("territoire")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("accordé le"), default=timezone.now)

    objects = AccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("accès")
        verbose_name_plural = _("accès")
        ordering = ["territory__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "territory"], name="access_one_per_territory")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.territory} · {self.get_role_display()}"

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_copilot(self) -> bool:
        return self.role == Role.COPILOT

    @property
    def is_viewer(self) -> bool:
        return self.role == Role.VIEWER

    @property
    def can_write(self) -> bool:
        """Whether this access may change anything at all (object rules come on top)."""
        return self.role in (Role.COORDINATOR, Role.COPILOT)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
    # Final, not an error: by the time its turn came the person could no longer be mailed
    # (unsubscribed, address refused, left their structure) or the message no longer made sense
    # (meeting cancelled or over). `last_error` says why.
    SKIPPED = "skipped", _("Non envoyé")


class Delivery(models.Model):
    """One e-mail to one address: the outbox row that makes sending reliable.

    Written in the same transaction as the decision to send, drained by Celery workers that
    claim a row (queued → sending → sent) before touching SMTP. The app that owns a kind of
    message registers how to compose it (`cls_platform.mail.outbox.register`); this row keeps only
    ids and plain values, so it stands below every app that sends mail.
    """

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("territoire")
    )
    kind = models.CharField(_("type de message"), max_length=30)
    topic = models.CharField(
        _("objet"),
        max_length=60,
        help_text=_("Ce dont parle le message, par exemple « meeting:42 »."),
    )
    contact_id = models.BigIntegerField(_("contact"), null=True, blank=True)
    to_email = models.EmailField(_("adresse"))
    revision = models.PositiveIntegerField(
        _("révision"), default=0, help_text=_("Numéro de version (SEQUENCE d'une invitation).")
    )
    status = models.CharField(
        _("état"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    # Last time a task was handed to the broker for this row: the sweep hands a row over again
    # only when this is long past, so that a backlog in Redis is not doubled every minute.
    dispatched_at = models.DateTimeField(_("confié aux workers le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        ordering = ["-created_at", "id"]
        constraints = [
            # One message of a kind, about one thing, per contact: sending twice sends nothing.
            models.UniqueConstraint(
                fields=["kind", "topic", "contact_id", "revision"],
                condition=models.Q(contact_id__isnull=False),
                name="delivery_once_per_contact",
            ),
            models.UniqueConstraint(
                fields=["kind", "topic", "to_email", "revision"],
                condition=models.Q(contact_id__isnull=True),
                name="delivery_once_per_address",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["topic", "kind"], name="delivery_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_email} ({self.get_status_display()})"

    @property
    def message_id(self) -> str:
        """Stable per row: a re-send after a crash carries the same Message-ID."""
        from django.conf import settings

        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "trame.local"
        return f"<delivery-{self.pk}.{self.kind}.r{self.revision}@{domain}>"
