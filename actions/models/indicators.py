"""The indicators of a fiche-action and their dated measurements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import FicheAction

if TYPE_CHECKING:
    from cls_platform.models import User


class IndicatorKind(models.TextChoices):
    PROCESS = "process", _("Processus")
    RESULT = "result", _("Résultat")
    IMPACT = "impact", _("Impact")


class Indicator(models.Model):
    """A process, result or impact indicator of an action, with its baseline and target."""

    fiche = models.ForeignKey(
        FicheAction,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("fiche-action"),
    )
    kind = models.CharField(
        _("type"), max_length=10, choices=IndicatorKind.choices, default=IndicatorKind.PROCESS
    )
    title = models.CharField(_("intitulé"), max_length=300)
    unit = models.CharField(_("unité"), max_length=50, blank=True)
    baseline = models.DecimalField(
        _("valeur de départ"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("cible"), max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("source"), max_length=250, blank=True)
    frequency = models.CharField(_("fréquence de mesure"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["fiche", "order", "id"]

    def __str__(self) -> str:
        return self.title

    def is_copiloted_by(self, user: User) -> bool:
        return self.fiche.is_copiloted_by(user)


class IndicatorValue(models.Model):
    """A dated measurement of an indicator."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicateur")
    )
    measured_on = models.DateField(_("mesuré le"))
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=2)
    comment = models.CharField(_("commentaire"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mesure")
        verbose_name_plural = _("mesures")
        ordering = ["indicator", "measured_on"]
        # An indicator's latest measures read first (actions.progress: the figures of fifty
        # contracts of the ARS table read six thousand indicators' latest), with no sort.
        indexes = [
            models.Index(
                fields=["indicator", "-measured_on", "-id"], name="indicator_value_latest_first"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} ({self.measured_on:%d/%m/%Y})"
