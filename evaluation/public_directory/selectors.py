"""Reads of the public directory, each in a fixed number of queries: the coordinator's list of
structures with their public state, and the public pages (only structures marked public, not
archived, of a territory whose directory is online)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from actions.models import Public
from cls_platform.access import scoped
from cls_platform.models import Access, Territory
from partners.models import Organization, Qpv, Sector

from .models import PublicDirectory, PublicListing


def directory_or_default(territory: Territory) -> PublicDirectory:
    """The territory's directory as stored, or an offline one not yet saved."""
    return PublicDirectory.objects.filter(territory=territory).first() or PublicDirectory(
        territory=territory
    )


# --- the coordinator's pages ---------------------------------------------------------------


def manageable_organizations(*, access: Access) -> QuerySet[Organization]:
    """The structures a coordinator may publish (not archived), with their public entry."""
    return (
        scoped(Organization.objects.filter(archived_at__isnull=True), access)
        .select_related("public_listing", "qpv")
        .prefetch_related("sectors")
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class PublicationCounts:
    public: int
    agreed: int
    total: int


def publication_counts(*, access: Access) -> PublicationCounts:
    counts = scoped(Organization.objects.filter(archived_at__isnull=True), access).aggregate(
        total=Count("pk"),
        public=Count("pk", filter=Q(public_listing__is_public=True)),
        agreed=Count("pk", filter=Q(public_listing__agreed_on__isnull=False)),
    )
    return PublicationCounts(**counts)


def listing_of(organization: Organization) -> PublicListing:
    """The structure's public entry (read with it when selected with `public_listing`), or a
    private one not yet saved."""
    try:
        return organization.public_listing
    except PublicListing.DoesNotExist:
        return PublicListing(organization=organization, territory_id=organization.territory_id)


# --- the public pages ----------------------------------------------------------------------


def published_directory(*, territory_slug: str) -> PublicDirectory:
    """The directory of the territory at that address, if it is online; 404 otherwise, the same
    whether the territory does not exist or has not published its directory."""
    directory = (
        PublicDirectory.objects.select_related("territory")
        .filter(territory__slug=territory_slug, is_published=True)
        .first()
    )
    if directory is None:
        raise Http404
    return directory


def published_listings(*, directory: PublicDirectory) -> QuerySet[PublicListing]:
    """The structures the public sees: marked public, not archived, of that territory only."""
    return (
        PublicListing.objects.filter(
            territory_id=directory.territory_id,
            is_public=True,
            organization__archived_at__isnull=True,
            organization__territory_id=directory.territory_id,
        )
        .select_related("organization__qpv")
        .prefetch_related("organization__sectors", "publics")
        .order_by("organization__name", "pk")
    )


def last_updated(*, directory: PublicDirectory) -> dt.datetime:
    """When the public page last changed: the latest change of a published structure's entry
    (or of what the directory holds of it), of the introduction, or a structure withdrawn."""
    latest = PublicListing.objects.filter(
        territory_id=directory.territory_id, is_public=True
    ).aggregate(latest=Max("updated_at"))["latest"]
    return max(filter(None, [latest, directory.updated_at]))


@dataclass(frozen=True)
class FilterChoices:
    """What the public search offers: only sectors, publics and neighbourhoods that some
    published structure has, so that no choice leads to an empty page."""

    sectors: QuerySet[Sector]
    publics: QuerySet[Public]
    qpvs: QuerySet[Qpv]


def filter_choices(*, directory: PublicDirectory) -> FilterChoices:
    published = PublicListing.objects.filter(
        territory_id=directory.territory_id,
        is_public=True,
        organization__archived_at__isnull=True,
    )
    organizations = published.values("organization_id")
    return FilterChoices(
        sectors=Sector.objects.filter(organizations__in=organizations).distinct(),
        publics=Public.objects.filter(public_listings__in=published).distinct(),
        qpvs=Qpv.objects.filter(
            territory_id=directory.territory_id, organizations__in=organizations
        ).distinct(),
    )
