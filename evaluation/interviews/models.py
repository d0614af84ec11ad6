"""Interviews of a mid-term review: a coordinator meets partners one by one (Vitry's review of
2025, on the axis "Accès aux droits, aux soins et à la prévention") and records what each does,
needs and could do with others, and what was decided next."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from actions.models import Axis, Contract
from cls_platform.models import Territory, User
from cls_platform.tenancy import TerritoryOwned
from partners.models import Contact, Organization
from workgroups.models import WorkGroup


class Interview(TerritoryOwned):
    """One interview with a partner: who, when, about which axis or group, and the notes."""

    territory_parent = "contract"

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="interviews", verbose_name=_("territoire")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="interviews", verbose_name=_("contrat")
    )
    held_on = models.DateField(_("date de l'entretien"))
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("personne rencontrée"),
    )
    interviewee = models.CharField(
        _("personne rencontrée (hors annuaire)"),
        max_length=200,
        blank=True,
        help_text=_("Si la personne ne figure pas dans l'annuaire : son nom et sa fonction."),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("structure"),
    )
    axis = models.ForeignKey(
        Axis,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("axe"),
    )
    group = models.ForeignKey(
        WorkGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("groupe de travail"),
    )
    missions = models.TextField(_("missions de la structure"), blank=True)
    territory_actions = models.TextField(_("actions menées sur le territoire"), blank=True)
    needs = models.TextField(_("besoins"), blank=True)
    collaboration = models.TextField(_("possibilités de collaboration"), blank=True)
    follow_up = models.TextField(_("suites décidées"), blank=True)
    conducted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mené par"),
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("entretien")
        verbose_name_plural = _("entretiens")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person_label} · {self.held_on:%d/%m/%Y}"

    @property
    def person_label(self) -> str:
        """Who was met, as the list shows it (never an address)."""
        if self.contact_id and self.contact.full_name:
            return self.contact.full_name
        return self.interviewee or str(_("Personne non nommée"))

    @property
    def axis_of_record(self) -> Axis | None:
        """The axis the interview is filed under: its own, or its group's."""
        return self.axis or (self.group.axis if self.group_id else None)
