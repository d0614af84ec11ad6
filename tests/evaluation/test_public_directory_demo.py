"""Cergy's demo public directory (demo/cergy/public_directory.py): the structures that agreed,
online, with no person; written once, a second run changes nothing."""

from __future__ import annotations

import html as html_lib

import pytest

from demo.cergy.directory import DIRECTORY
from demo.cergy.public_directory import ENTRIES, seed_public_directory
from demo.directory import seed_directory
from evaluation.public_directory.models import PublicDirectory, PublicListing
from partners.models import Contact, Organization

pytestmark = pytest.mark.django_db


def test_cergy_publishes_the_structures_that_agreed_once(client, territory):
    seed_directory(territory, DIRECTORY)
    assert seed_public_directory(territory) == len(ENTRIES) == 15
    directory = PublicDirectory.objects.get(territory=territory)
    assert directory.is_published and "Visibilité et lisibilité" in directory.intro
    public = PublicListing.objects.filter(territory=territory, is_public=True)
    assert all(listing.agreed_on and listing.publics.exists() for listing in public)

    page = html_lib.unescape(client.get("/offre-de-sante/cergy/").content.decode())
    assert "15 structures" in page
    assert "Centre de santé Denis Mukwege" in page and "Pharmacie de l'Horloge" in page
    assert "Préfecture du Val-d'Oise" not in page  # in the directory, never agreed
    # Never a person of the directory: their names or their addresses.
    for contact in Contact.objects.filter(organization__public_listing__is_public=True)[:40]:
        assert contact.email not in page and contact.full_name not in page
    assert "@cergy-partenaires.demo" not in page

    # A second run changes nothing, and keeps what the coordination wrote since.
    mukwege = Organization.objects.get(territory=territory, name="Centre de santé Denis Mukwege")
    mukwege.offer_description = "Texte revu par la coordination."
    mukwege.save()
    before = dict(public.values_list("pk", "updated_at"))
    directory_before = PublicDirectory.objects.get(territory=territory).updated_at
    assert seed_public_directory(territory) == 15
    assert dict(public.values_list("pk", "updated_at")) == before
    assert PublicDirectory.objects.get(territory=territory).updated_at == directory_before
    mukwege.refresh_from_db()
    assert mukwege.offer_description == "Texte revu par la coordination."


def test_a_directory_taken_offline_stays_offline(territory):
    seed_directory(territory, DIRECTORY)
    seed_public_directory(territory)
    PublicDirectory.objects.filter(territory=territory).update(is_published=False)
    seed_public_directory(territory)
    assert not PublicDirectory.objects.get(territory=territory).is_published
