"""Writes of the public directory: put it online, publish or withdraw structures, correct a
structure's public entry. A structure is public only once it agreed, and the public contact of
a structure is never a person's address or phone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cls_platform.models import Territory
from partners.models import Contact, Organization, normalize_email

from .models import PublicDirectory, PublicListing

PHONE_CHARACTERS = re.compile(r"^[0-9+ .()\-]+$")


def directory_of(territory: Territory) -> PublicDirectory:
    """The territory's public directory, created offline the first time it is asked for."""
    directory, _created = PublicDirectory.objects.get_or_create(territory=territory)
    return directory


@transaction.atomic
def directory_save(*, territory: Territory, is_published: bool, intro: str) -> PublicDirectory:
    """Put the directory online or offline, and set its introduction."""
    directory = directory_of(territory)
    if is_published and not directory.is_published:
        directory.published_at = timezone.now()
    directory.is_published = is_published
    directory.intro = intro.strip()
    directory.save()
    return directory


def _digits(phone: str) -> str:
    """A number compared on its last nine digits: "01 34 …", "+33 1 34 …" and "0134…" agree."""
    return re.sub(r"\D", "", phone or "")[-9:]


def _check_public_contact(
    *, territory: Territory, email: str, phone: str, errors: dict[str, str]
) -> None:
    """The structure's public channel may not be the address or phone of someone in the
    directory: a person never appears on the public page, even by their number."""
    if email:
        person = (
            Contact.objects.filter(territory=territory).with_email(email).only("first_name").first()
        )
        if person is not None:
            errors["email"] = (
                _(
                    "Cette adresse est celle de %(name)s, une personne de l'annuaire : indiquez "
                    "une adresse générique de la structure (accueil@…, contact@…)."
                )
                % {"name": person.full_name}
                if person.full_name
                else _(
                    "Cette adresse est celle d'une personne de l'annuaire : indiquez une adresse "
                    "générique de la structure (accueil@…, contact@…)."
                )
            )
    if phone:
        if not PHONE_CHARACTERS.match(phone) or len(re.sub(r"\D", "", phone)) < 4:
            errors["phone"] = _(
                "Ce numéro n'est pas valide : des chiffres, avec des espaces, des points ou un "
                "« + » au début."
            )
            return
        wanted = _digits(phone)
        numbers = (
            Contact.objects.filter(territory=territory)
            .exclude(phone="")
            .values_list("first_name", "last_name", "phone")
        )
        for first, last, number in numbers.iterator():
            if _digits(number) == wanted:
                name = f"{first} {last}".strip()
                errors["phone"] = (
                    _(
                        "Ce numéro est celui de %(name)s, une personne de l'annuaire : indiquez "
                        "le numéro d'accueil de la structure."
                    )
                    % {"name": name}
                    if name
                    else _(
                        "Ce numéro est celui d'une personne de l'annuaire : indiquez le numéro "
                        "d'accueil de la structure."
                    )
                )
                return


def _check_agreement(*, agreed_on: dt.date | None, errors: dict[str, str]) -> None:
    if agreed_on is not None and agreed_on > timezone.localdate():
        errors["agreed_on"] = _("La date de l'accord ne peut pas être dans le futur.")


@transaction.atomic
def listing_save(*, organization: Organization, data: dict[str, Any]) -> PublicListing:
    """Record a structure's public entry (creating it the first time). `data`: is_public,
    agreed_on, publics, phone, email."""
    territory = organization.territory
    is_public = bool(data.get("is_public"))
    agreed_on = data.get("agreed_on")
    email = normalize_email(data.get("email", ""))
    phone = " ".join((data.get("phone") or "").split())
    errors: dict[str, str] = {}
    if is_public and organization.archived_at is not None:
        errors["is_public"] = _(
            "Cette structure est archivée : elle ne peut pas figurer dans l'annuaire public."
        )
    if is_public and agreed_on is None:
        errors["agreed_on"] = _(
            "Indiquez la date à laquelle la structure a donné son accord : seules les structures "
            "qui l'ont donné figurent dans l'annuaire public."
        )
    _check_agreement(agreed_on=agreed_on, errors=errors)
    _check_public_contact(territory=territory, email=email, phone=phone, errors=errors)
    if errors:
        raise ValidationError(errors)
    listing = PublicListing.objects.filter(organization=organization).first() or PublicListing(
        organization=organization, territory=territory
    )
    withdrawn = listing.is_public and not is_public
    if is_public and not listing.is_public:
        listing.published_at = timezone.now()
    listing.is_public, listing.agreed_on = is_public, agreed_on
    listing.email, listing.phone = email, phone
    listing.save()
    listing.publics.set(data.get("publics") or [])
    if withdrawn:
        directory_of(territory).save(update_fields=["updated_at"])
    return listing


def _selected(territory: Territory, organizations: Iterable[Organization]) -> list[Organization]:
    selected = list(organizations)
    if any(org.territory_id != territory.pk for org in selected):
        raise ValidationError(
            {"organizations": _("Ces structures n'appartiennent pas au territoire.")}
        )
    if not selected:
        raise ValidationError({"organizations": _("Cochez au moins une structure.")})
    return selected


@transaction.atomic
def listings_publish(
    *,
    territory: Territory,
    organizations: Iterable[Organization],
    agreed_on: dt.date | None = None,
) -> int:
    """Publish the structures chosen from the list; `agreed_on` is the date of the agreement of
    those that had none recorded. Returns how many became public."""
    selected = _selected(territory, organizations)
    errors: dict[str, str] = {}
    _check_agreement(agreed_on=agreed_on, errors=errors)
    archived = [org.name for org in selected if org.archived_at is not None]
    if archived:
        errors["organizations"] = _(
            "Une structure archivée ne peut pas figurer dans l'annuaire public : %(names)s."
        ) % {"names": ", ".join(archived)}
    listings = {
        listing.organization_id: listing
        for listing in PublicListing.objects.filter(organization__in=selected)
    }
    if agreed_on is None:
        without = [
            org.name
            for org in selected
            if org.pk not in listings or listings[org.pk].agreed_on is None
        ]
        if without:
            errors["agreed_on"] = _(
                "Indiquez la date de l'accord de ces structures, qui n'en ont pas encore : "
                "%(names)s."
            ) % {"names": ", ".join(without)}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    made = [
        PublicListing(
            territory=territory,
            organization=org,
            is_public=True,
            agreed_on=agreed_on,
            published_at=now,
            updated_at=now,
        )
        for org in selected
        if org.pk not in listings
    ]
    PublicListing.objects.bulk_create(made)
    changed = [listing for listing in listings.values() if not listing.is_public]
    for listing in changed:
        listing.is_public, listing.published_at, listing.updated_at = True, now, now
        listing.agreed_on = listing.agreed_on or agreed_on
    PublicListing.objects.bulk_update(
        changed, ["is_public", "published_at", "updated_at", "agreed_on"]
    )
    return len(made) + len(changed)


@transaction.atomic
def listings_withdraw(*, territory: Territory, organizations: Iterable[Organization]) -> int:
    """Take the chosen structures out of the public directory (their entry is kept, with the
    date of their agreement, should they come back). Returns how many were public."""
    selected = _selected(territory, organizations)
    withdrawn = PublicListing.objects.filter(
        territory=territory, organization__in=selected, is_public=True
    ).update(is_public=False, updated_at=timezone.now())
    if withdrawn:
        directory_of(territory).save(update_fields=["updated_at"])
    return withdrawn
