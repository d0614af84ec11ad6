"""A contact is tied to the account that bears their address: co-pilots edit what they pilot."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from cls_platform.models import Role
from partners import services
from partners.models import Contact
from tests.factories import (
    AccessFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    WorkGroupFactory,
)

pytestmark = pytest.mark.django_db

T = "/t/cergy"


def test_a_copilot_whose_address_is_the_pilots_edits_that_fiche(login_as, territory):
    """No demo shortcut: the pilot contact is made first, the account and its access later."""
    contract = ContractFactory(territory=territory)
    pilot = ContactFactory(territory=territory, email="  Sami.Benali@CMP.fr ")
    mine = FicheActionFactory(contract=contract, pilot_contact=pilot, title="Santé mentale")
    other = FicheActionFactory(contract=contract, thematic_axis=mine.thematic_axis)
    copilot = AccessFactory(
        territory=territory, role=Role.COPILOT, user__email="sami.benali@cmp.fr"
    )
    client = login_as(copilot)

    client.post(f"{T}/fiches/{mine.pk}/etat/", {"status": "in_progress", "progress": 40})
    mine.refresh_from_db()
    assert (mine.status, mine.progress) == ("in_progress", 40)
    assert client.get(f"{T}/fiches/{mine.pk}/modifier/").status_code == 200
    response = client.post(f"{T}/fiches/{other.pk}/etat/", {"status": "done", "progress": 100})
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.status != "done"


def test_a_copilot_edits_the_group_they_pilot_once_their_contact_is_created(login_as, copilot):
    group = WorkGroupFactory(contract=ContractFactory(territory=copilot.territory))
    client = login_as(copilot)
    assert client.get(f"{T}/groupes/{group.pk}/modifier/").status_code == 403
    person = services.contact_create(
        territory=copilot.territory,
        data={"first_name": "Léo", "last_name": "Petit", "email": "COPILOTE@cergy.fr"},
    )
    assert person.user == copilot.user
    group.pilots.add(person)
    assert client.get(f"{T}/groupes/{group.pk}/modifier/").status_code == 200


def test_an_account_of_another_territory_is_not_tied(copilot, other_territory):
    elsewhere = ContactFactory(territory=other_territory, email=copilot.user.email)
    services.contact_update(contact=elsewhere, data={"job_title": "Éducatrice"})
    elsewhere.refresh_from_db()
    assert elsewhere.user is None


def test_changing_the_address_unties_the_account(copilot):
    person = services.contact_create(
        territory=copilot.territory,
        data={"last_name": "Petit", "email": copilot.user.email},
    )
    assert person.user == copilot.user
    services.contact_update(contact=person, data={"email": "autre@asso.fr"})
    person.refresh_from_db()
    assert person.user is None, "another address names another person"


def test_losing_the_access_unties_the_account(copilot):
    person = ContactFactory(territory=copilot.territory, email=copilot.user.email)
    # The fixture's access came first: creating the contact through the factory skipped the
    # services, so tie it the way an access creation would.
    services.access_link_contacts(access=copilot)
    person.refresh_from_db()
    assert person.user == copilot.user
    copilot.delete()
    person.refresh_from_db()
    assert person.user is None


def test_existing_contacts_are_tied_by_the_data_migration(territory):
    access = AccessFactory(territory=territory, role=Role.COPILOT, user__email="ines@pmi.fr")
    person = ContactFactory(territory=territory, email="ines@pmi.fr")
    Contact.objects.filter(pk=person.pk).update(user=None)  # as rows were before the feature
    migration = importlib.import_module("partners.migrations.0004_link_contacts_to_accounts")
    migration.link(apps, None)
    person.refresh_from_db()
    assert person.user == access.user


def test_the_coordinator_sees_the_linked_account_on_the_contact_page(
    login_as, coordinator, copilot, viewer
):
    person = services.contact_create(
        territory=coordinator.territory,
        data={"first_name": "Léo", "last_name": "Petit", "email": copilot.user.email},
    )
    url = f"{T}/annuaire/contacts/{person.pk}/"
    page = login_as(coordinator).get(url).content.decode()
    assert "Compte Trame" in page and "copilote@cergy.fr" in page
    assert "Compte Trame" not in login_as(viewer).get(url).content.decode()


def test_an_imported_copilot_is_tied_to_their_account(copilot):
    from partners.importing import import_partners

    import_partners(
        territory=copilot.territory,
        content=b"Nom;Courriel\nPetit;Copilote@Cergy.fr\n",
        file_name="annuaire.csv",
    )
    assert Contact.objects.get(email="copilote@cergy.fr").user == copilot.user
