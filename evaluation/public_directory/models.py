"""The public directory of the territory's health offer (Cergy's transversal axis "Visibilité et
lisibilité de l'offre de santé"): a coordinator publishes, at a public address, the structures
of the directory that agreed, with what they offer and to whom.

Two records: one per territory (is the directory online, its introduction) and one per structure
(is it public, when it agreed, the publics it serves, the structure's own public phone and
e-mail). What a structure offers, its sectors, address, QPV and website are the directory's
(partners.Organization): the public page reads them there, so that they are written once."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import Public
from cls_platform.models import Territory
from cls_platform.tenancy import TerritoryOwned
from partners.models import Organization, Qpv


class PublicDirectory(TerritoryOwned):
    """A territory's public directory: online or not, and the text that introduces it."""

    territory = models.OneToOneField(
        Territory,
        on_delete=models.CASCADE,
        related_name="public_directory",
        verbose_name=_("territoire"),
    )
    is_published = models.BooleanField(_("annuaire public en ligne"), default=False)
    intro = models.TextField(
        _("texte de présentation"),
        blank=True,
        help_text=_("Affiché en tête de l'annuaire public : à qui il s'adresse, qui le tient."),
    )
    published_at = models.DateTimeField(_("mis en ligne le"), null=True, blank=True)
    # Any change of what the public page shows that no published structure carries: the
    # introduction, going online, a structure withdrawn.
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("annuaire public de l'offre de santé")
        verbose_name_plural = _("annuaires publics de l'offre de santé")
        ordering = ["territory__name"]

    def __str__(self) -> str:
        return str(_("Offre de santé · %(name)s") % {"name": self.territory.name})


class PublicListing(TerritoryOwned):
    """A structure's public entry: published or not, the date it agreed, the publics it serves,
    and a public contact channel of the structure itself (a reception desk, a generic mailbox),
    never a person's."""

    territory_parent = "organization"

    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="public_listings",
        verbose_name=_("territoire"),
    )
    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="public_listing",
        verbose_name=_("structure"),
    )
    is_public = models.BooleanField(_("dans l'annuaire public"), default=False)
    agreed_on = models.DateField(
        _("accord de la structure le"),
        null=True,
        blank=True,
        help_text=_("Date à laquelle la structure a accepté de figurer dans l'annuaire public."),
    )
    publics = models.ManyToManyField(
        Public, blank=True, related_name="public_listings", verbose_name=_("publics accueillis")
    )
    phone = models.CharField(
        _("téléphone de la structure"),
        max_length=30,
        blank=True,
        help_text=_("Un numéro d'accueil de la structure, jamais celui d'une personne."),
    )
    email = models.EmailField(
        _("adresse e-mail de la structure"),
        blank=True,
        help_text=_("Une adresse générique (accueil@…, contact@…), jamais celle d'une personne."),
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)

    class Meta:
        verbose_name = _("fiche publique d'une structure")
        verbose_name_plural = _("fiches publiques des structures")
        ordering = ["organization__name"]
        indexes = [models.Index(fields=["territory", "is_public"], name="listing_public_idx")]

    def __str__(self) -> str:
        return str(self.organization)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)


# What the public page shows of a structure lives in the directory (partners), which does not
# know this app: a change there dates the structure's public entry. Connected with the models
# (this module is loaded with the app's models), so that no change made elsewhere is missed.


def listings_touched(**lookup: Any) -> int:
    return PublicListing.objects.filter(**lookup).update(updated_at=timezone.now())


@receiver(post_save, sender=Organization, dispatch_uid="evaluation.public_listing_structure")
def date_listing_of_changed_structure(
    sender: Any, *, instance: Organization, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not (created or raw):
        listings_touched(organization_id=instance.pk)


@receiver(
    m2m_changed, sender=Organization.sectors.through, dispatch_uid="evaluation.public_sectors"
)
def date_listing_of_new_sectors(
    sender: Any, *, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        listings_touched(organization_id=instance.pk)
    elif pk_set:
        listings_touched(organization_id__in=pk_set)


@receiver(post_save, sender=Qpv, dispatch_uid="evaluation.public_listing_qpv")
def date_listings_of_renamed_qpv(
    sender: Any, *, instance: Qpv, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not (created or raw):
        listings_touched(organization__qpv_id=instance.pk)
