"""The contact and structure pickers of the meeting and group pages, without JavaScript: a name
typed is resolved by the server (one match taken, several offered as a short list, none refused
in French), the structure is shown beside the name, and a walk-in's unknown structure is added to
the directory on the spot. Then who may change a group's pilots."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils import timezone

from actions.models import ContractStatus
from partners.models import Contact, ContactSource, Organization
from tests.factories import ContactFactory, ContractFactory, OrganizationFactory
from workgroups import services
from workgroups.models import Attendance, GroupStatus, InvitationPolicy, Membership, WorkGroup

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.fixture
def namesakes(territory):
    """Two "Bruno Faure", in two structures."""
    ccas = OrganizationFactory(territory=territory, name="CCAS de Cergy")
    cpts = OrganizationFactory(territory=territory, name="CPTS de Cergy")
    return [
        ContactFactory(territory=territory, first_name="Bruno", last_name="Faure", organization=org)
        for org in (ccas, cpts)
    ]


@pytest.fixture
def under_way(meeting):
    meeting.starts_at = timezone.now() - dt.timedelta(hours=1)
    meeting.ends_at = timezone.now() + dt.timedelta(hours=1)
    meeting.save()
    return meeting


# --- inviting one more -----------------------------------------------------------------------


@pytest.fixture
def meeting(meeting):
    """A group that invites its members, who are none yet: the list holds whom one adds."""
    meeting.group.invitation_policy = InvitationPolicy.MEMBERS
    meeting.group.save()
    return meeting


def test_a_name_matching_two_people_brings_them_back_to_choose_from(
    login_as, coordinator, meeting, namesakes
):
    client = login_as(coordinator)
    url = f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/"

    response = client.post(url, {"contact": "bruno faure"})

    assert response.status_code == 200
    page = text(response)
    assert (
        "Plusieurs correspondances pour « bruno faure » : choisissez dans la liste ci-dessous."
        in page
    )
    raw = response.content.decode()
    for contact, structure in zip(namesakes, ("CCAS de Cergy", "CPTS de Cergy"), strict=True):
        assert f'type="radio" name="contact_choice" value="{contact.pk}"' in raw
        assert f"Bruno Faure — {structure}" in page
    assert 'value="bruno faure"' in raw, "what was typed is kept"
    assert not meeting.invitations.exists()

    client.post(url, {"contact": "bruno faure", "contact_choice": namesakes[1].pk})
    assert list(meeting.invitations.values_list("contact_id", flat=True)) == [namesakes[1].pk]


def test_a_name_matching_one_person_is_taken_and_none_is_explained(
    login_as, coordinator, meeting, namesakes, territory
):
    ContactFactory(territory=territory, first_name="Élodie", last_name="Marchand")
    client = login_as(coordinator)
    url = f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/"

    nobody = client.post(url, {"contact": "Zoé Introuvable"})
    assert nobody.status_code == 200
    assert "Aucune correspondance dans l'annuaire pour « Zoé Introuvable »." in text(nobody)

    response = client.post(url, {"contact": "elodie"}, follow=True)
    assert "Élodie Marchand est invité·e." in text(response)
    # The combobox's label typed in full picks that very person.
    client.post(url, {"contact": "Bruno Faure — CPTS de Cergy"})
    invited = set(
        meeting.invitations.values_list("contact__last_name", "contact__organization__name")
    )
    assert ("Faure", "CPTS de Cergy") in invited and ("Faure", "CCAS de Cergy") not in invited


def test_someone_already_invited_is_refused_in_french(login_as, coordinator, meeting, namesakes):
    services.invitation_add(meeting=meeting, contact=namesakes[0])
    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/", {"contact_id": namesakes[0].pk}
    )
    assert "Bruno Faure est déjà sur la liste des invités." in text(response)


def test_an_id_from_another_territory_is_not_taken(login_as, coordinator, meeting, other_territory):
    stranger = ContactFactory(territory=other_territory, first_name="Bruno", last_name="Vitry")
    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/invitations/ajouter/", {"contact_id": stranger.pk}
    )
    assert response.status_code == 200
    assert not meeting.invitations.exists()


def test_the_pickers_offer_a_search_not_a_select_of_every_contact(
    login_as, coordinator, under_way, namesakes
):
    raw = login_as(coordinator).get(f"{BASE}/reunions/{under_way.pk}/").content.decode()
    assert 'data-picker-url="/t/cergy/annuaire/recherche/contacts/"' in raw
    assert 'data-picker-url="/t/cergy/annuaire/recherche/structures/"' in raw
    assert "<option" not in raw.split('id="presences"')[1].split("</section>")[0]
    assert "js/picker.js" in raw


# --- walk-ins --------------------------------------------------------------------------------


def walk_in(client, meeting, **data):
    fields = {"first_name": "Gaëlle", "last_name": "Henry", "email": "gaelle.henry@pmi95.fr"}
    return client.post(
        f"{BASE}/reunions/{meeting.pk}/presences/nouvelle-personne/",
        {**fields, **data},
        follow=True,
    )


def test_a_walk_in_from_a_structure_not_in_the_directory_adds_both(
    login_as, coordinator, under_way, territory
):
    response = walk_in(login_as(coordinator), under_way, new_organization="  PMI  du Val-d'Oise ")

    assert "Gaëlle Henry est ajouté·e aux présents et à l'annuaire." in text(response)
    organization = Organization.objects.get(territory=territory, name="PMI du Val-d'Oise")
    contact = Contact.objects.get(email="gaelle.henry@pmi95.fr")
    assert contact.organization == organization
    assert contact.source == ContactSource.WALK_IN
    assert under_way.invitations.get(contact=contact).attendance == Attendance.PRESENT


def test_a_new_structure_of_an_existing_name_is_the_existing_one(
    login_as, coordinator, under_way, territory
):
    existing = OrganizationFactory(territory=territory, name="PMI du Val-d'Oise")
    walk_in(login_as(coordinator), under_way, new_organization="pmi du val-d'oise")
    assert (
        Organization.objects.filter(territory=territory, name__iexact="pmi du val-d'oise").count()
        == 1
    )
    assert Contact.objects.get(email="gaelle.henry@pmi95.fr").organization == existing


def test_a_walk_in_s_structure_picked_by_name(login_as, coordinator, under_way, territory):
    relais = OrganizationFactory(
        territory=territory, name="Association Relais Santé", acronym="ARS95"
    )
    walk_in(login_as(coordinator), under_way, organization="relais sante")
    assert Contact.objects.get(email="gaelle.henry@pmi95.fr").organization == relais


def test_a_picked_and_a_new_structure_at_once_are_refused_keeping_what_was_typed(
    login_as, coordinator, under_way, territory
):
    OrganizationFactory(territory=territory, name="Association Relais Santé")
    response = walk_in(
        login_as(coordinator), under_way, organization="Relais", new_organization="PMI"
    )
    assert "pas les deux" in text(response)
    assert 'value="gaelle.henry@pmi95.fr"' in response.content.decode()
    assert not Contact.objects.filter(email="gaelle.henry@pmi95.fr").exists()
    assert not Organization.objects.filter(name="PMI").exists()


# --- group members and pilots ---------------------------------------------------------------


def test_a_member_is_added_with_the_picker(login_as, coordinator, group, namesakes):
    client = login_as(coordinator)
    url = f"{BASE}/groupes/{group.pk}/membres/"
    several = client.post(url, {"contact": "Faure", "kind": "member"})
    assert several.status_code == 200 and "Plusieurs correspondances" in text(several)
    client.post(url, {"contact": "Faure", "contact_choice": namesakes[0].pk, "kind": "subscriber"})
    assert list(group.memberships.values_list("contact_id", "kind")) == [
        (namesakes[0].pk, "subscriber")
    ]


def group_data(group: WorkGroup, **changes) -> dict:
    data = {
        "contract": group.contract_id,
        "kind": group.kind,
        "axis": "",
        "name": group.name,
        "target_meetings_per_year": group.target_meetings_per_year,
        "status": group.status,
        "invitation_policy": group.invitation_policy,
    }
    data.update(changes)
    return data


def test_the_coordinator_keeps_pilots_with_boxes_and_adds_one_with_the_picker(
    login_as, coordinator, group, namesakes, territory
):
    kept, _dropped = namesakes
    group.pilots.set(namesakes)
    newcomer = ContactFactory(territory=territory, first_name="Chloé", last_name="Dupuis")
    client = login_as(coordinator)
    page = text(client.get(f"{BASE}/groupes/{group.pk}/modifier/"))
    assert "Bruno Faure — CCAS de Cergy" in page and "Bruno Faure — CPTS de Cergy" in page

    client.post(
        f"{BASE}/groupes/{group.pk}/modifier/",
        group_data(group, keep_pilots=[kept.pk], add_pilot="chloé dupuis"),
    )

    assert set(group.pilots.all()) == {kept, newcomer}


def test_a_copilot_cannot_replace_the_pilots_nor_change_the_group_s_rules(
    login_as, copilot, group, territory
):
    me = ContactFactory(territory=territory, user=copilot.user)
    group.pilots.add(me)
    other = ContactFactory(territory=territory)
    elsewhere = ContractFactory(territory=territory, status=ContractStatus.DRAFT)
    client = login_as(copilot)
    form = client.get(f"{BASE}/groupes/{group.pk}/modifier/").context["form"]
    assert set(form.fields) == {"name", "target_meetings_per_year"}

    response = client.post(
        f"{BASE}/groupes/{group.pk}/modifier/",
        group_data(
            group,
            name="GT Santé mentale des jeunes",
            pilots=[other.pk],
            keep_pilots=[other.pk],
            add_pilot=str(other.pk),
            contract=elsewhere.pk,
            status=GroupStatus.CLOSED,
            invitation_policy=InvitationPolicy.MEMBERS,
        ),
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "GT Santé mentale des jeunes", "the group's life is the co-pilot's"
    assert list(group.pilots.all()) == [me]
    assert (group.contract_id, group.status, group.invitation_policy) != (
        elsewhere.pk,
        GroupStatus.CLOSED,
        InvitationPolicy.MEMBERS,
    )
    assert group.status == GroupStatus.ACTIVE
    assert group.invitation_policy == InvitationPolicy.ALL_PARTNERS
    assert client.get(f"{BASE}/groupes/{group.pk}/modifier/").status_code == 200, "still theirs"


def test_the_service_refuses_a_copilot_s_change_of_pilots_or_rules(copilot, group, territory):
    me = ContactFactory(territory=territory, user=copilot.user)
    group.pilots.add(me)
    other = ContactFactory(territory=territory)
    with pytest.raises(Exception, match="Seule la coordination"):
        services.group_save(group=group, pilots=[other], access=copilot)
    stale = WorkGroup.objects.get(pk=group.pk)
    stale.status = GroupStatus.CLOSED
    with pytest.raises(Exception, match="Seule la coordination"):
        services.group_save(group=stale, access=copilot)
    group.refresh_from_db()
    assert group.status == GroupStatus.ACTIVE and list(group.pilots.all()) == [me]
    # Their own pilots, unchanged, and the group's name: fine.
    stale = WorkGroup.objects.get(pk=group.pk)
    stale.name = "Nouveau nom"
    services.group_save(group=stale, pilots=[me], access=copilot)
    assert WorkGroup.objects.get(pk=group.pk).name == "Nouveau nom"
    assert Membership.objects.count() == 0
