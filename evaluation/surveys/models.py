"""Partner surveys: questionnaires that coordinators write, campaigns that send them, answers.

A `Questionnaire` (sections, questions, choices) belongs to a territory and is reused from one
campaign to the next, so that two campaigns of the same questionnaire compare question by
question. A `Survey` is one campaign: a contract, an audience (every active partner, or the
people of chosen groups), opening and closing dates. Each person asked has one
`SurveyInvitation` (their signed link names it) and, once they answered, one `Answer` row per
question (per ticked choice for a multiple choice), replaced as a whole each time they edit
until the campaign closes.

The invitation keeps the person's structure and groups as they were when the campaign was sent:
the breakdowns by sector, internal/external and work group do not move when someone changes
structure afterwards.
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
from partners.models import Contact, Organization
from workgroups.models import WorkGroup

if TYPE_CHECKING:
    from cls_platform.models import Access

SCALE_LIMIT = 10


class Questionnaire(TerritoryOwned):
    """A questionnaire the coordination sends to partners, in sections of questions."""

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="questionnaires",
        verbose_name=_("territoire"),
    )
    title = models.CharField(_("intitulé"), max_length=250)
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Affichée en tête du questionnaire, au-dessus des questions."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    """A group of questions, whose results are read together (a condition of a diagnostic)."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("questionnaire"),
    )
    title = models.CharField(_("intitulé"), max_length=250)
    description = models.TextField(_("présentation"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("partie du questionnaire")
        verbose_name_plural = _("parties du questionnaire")
        ordering = ["questionnaire", "position", "id"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Choix unique")
    MULTIPLE = "multiple", _("Choix multiples")
    SCALE = "scale", _("Échelle")
    TEXT = "text", _("Texte libre")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Question(models.Model):
    """One question: a single or multiple choice among its `choices`, a point on a scale, or
    free text."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("partie")
    )
    kind = models.CharField(
        _("type de question"),
        max_length=10,
        choices=QuestionKind.choices,
        default=QuestionKind.SINGLE,
    )
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("précision"), max_length=300, blank=True)
    required = models.BooleanField(_("réponse obligatoire"), default=False)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    scale_min = models.PositiveSmallIntegerField(_("échelle : de"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("échelle : à"), default=5)
    scale_min_label = models.CharField(_("libellé du bas de l'échelle"), max_length=100, blank=True)
    scale_max_label = models.CharField(
        _("libellé du haut de l'échelle"), max_length=100, blank=True
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min"))
                & models.Q(scale_max__lte=SCALE_LIMIT),
                name="question_scale_bounds",
                violation_error_message=_("L'échelle va d'une valeur à une valeur plus haute."),
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))

    def scale_label(self, value: int) -> str:
        """ "1 : Pas du tout", "3", "5 : Tout à fait"."""
        if value == self.scale_min and self.scale_min_label:
            return f"{value} : {self.scale_min_label}"
        if value == self.scale_max and self.scale_max_label:
            return f"{value} : {self.scale_max_label}"
        return str(value)


class Choice(models.Model):
    """One possible answer of a choice question."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    label = models.CharField(_("libellé"), max_length=250)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("réponse proposée")
        verbose_name_plural = _("réponses proposées")
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.label


class SurveyAudience(models.TextChoices):
    ALL_PARTNERS = "all_partners", _("Tous les partenaires actifs du territoire")
    GROUPS = "groups", _("Les participants de groupes de travail choisis")


class SurveyQuerySet(models.QuerySet["Survey"]):
    def for_access(self, access: Access) -> SurveyQuerySet:
        if access.is_viewer:
            return self.filter(contract__status__in=READABLE_BY_VIEWERS)
        return self


class Survey(TerritoryOwned):
    """One campaign of a questionnaire: sent to partners of a contract between two dates."""

    territory_parent = "contract"

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("territoire")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("contrat")
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("questionnaire"),
    )
    title = models.CharField(_("intitulé de la campagne"), max_length=250)
    message = models.TextField(
        _("mot d'accompagnement"),
        blank=True,
        help_text=_("Quelques lignes en tête de l'e-mail et du questionnaire."),
    )
    audience = models.CharField(
        _("destinataires"),
        max_length=15,
        choices=SurveyAudience.choices,
        default=SurveyAudience.ALL_PARTNERS,
    )
    groups = models.ManyToManyField(
        WorkGroup, blank=True, related_name="surveys", verbose_name=_("groupes de travail")
    )
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(
        _("clôture"), help_text=_("Dernier jour pour répondre (jusqu'à minuit).")
    )
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("relances envoyées"), default=0)
    last_reminder_at = models.DateTimeField(_("dernière relance le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("campagne de questionnaire")
        verbose_name_plural = _("campagnes de questionnaire")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_opening",
                violation_error_message=_("La clôture précède l'ouverture."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def topic(self) -> str:
        """How the outbox names this campaign."""
        return f"survey:{self.pk}"

    def is_open(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on

    def is_closed(self, today: dt.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.closes_on

    def is_upcoming(self, today: dt.date | None = None) -> bool:
        return (today or timezone.localdate()) < self.opens_on

    @property
    def state_label(self) -> str:
        if self.is_closed():
            return str(_("Close"))
        if self.is_upcoming():
            return str(_("À venir"))
        return str(_("Ouverte")) if self.sent_at else str(_("Ouverte, non envoyée"))


class SurveyInvitation(TerritoryOwned):
    """One person asked in one campaign: their signed link names this row."""

    territory_parent = "survey"

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        verbose_name=_("territoire"),
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("campagne")
    )
    # Kept when the person is deleted: the campaign's figures stay what they were.
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_invitations",
        verbose_name=_("contact"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_invitations",
        verbose_name=_("structure au moment de l'envoi"),
    )
    groups = models.ManyToManyField(
        WorkGroup,
        blank=True,
        related_name="survey_invitations",
        verbose_name=_("groupes de la personne au moment de l'envoi"),
    )
    submitted_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("réponse modifiée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("invitée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("personne interrogée")
        verbose_name_plural = _("personnes interrogées")
        ordering = ["survey", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "contact"], name="survey_invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact or '?'} · {self.survey}"


class Answer(models.Model):
    """What one person answered to one question: a choice (one row per ticked choice of a
    multiple choice), a point on the scale, or a text."""

    invitation = models.ForeignKey(
        SurveyInvitation,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("personne interrogée"),
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    choice = models.ForeignKey(
        Choice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("réponse choisie"),
    )
    value = models.SmallIntegerField(_("valeur sur l'échelle"), null=True, blank=True)
    text = models.TextField(_("réponse libre"), blank=True)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["invitation", "question", "choice"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "question", "choice"], name="answer_choice_once"
            )
        ]
        indexes = [models.Index(fields=["question", "choice"], name="answer_question_choice")]

    def __str__(self) -> str:
        return f"{self.question} · {self.choice or self.value or self.text[:30]}"
