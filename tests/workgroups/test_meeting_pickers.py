"""The contact and structure pickers of the meeting and group pages, without JavaScript: a name
typed is resolved by the server (one match taken, several offered as a short list, none refused
in French), the structure is shown beside the name, and a walk-in's unknown structure is added to
the directory on the spot. Then who may change a group's pilots."""

from __future__ import annotations

import datetime as dt
import html
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from actions.models import ContractStatus
from partners.models import Contact, ContactSource, Organization
from tests.factories import ContactFactory, ContractFactory, OrganizationFactory
from workgroups import services
from workgroups.models import Attendance, GroupStatus, InvitationPolicy, Membership, WorkGroup
from workgroups.services import attendance as attendance_services

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


def test_a_walk_in_naming_a_structure_created_a_moment_before_joins_it(
    login_as, coordinator, under_way, territory, monkeypatch
):
    """Another walk-in, typed at the same moment on another computer, created "PMI du
    Val-d'Oise" after this one looked for it: the database refuses a second one of that name,
    and this walk-in joins the one just created instead of answering a 500."""
    created_meanwhile = OrganizationFactory(territory=territory, name="PMI du Val-d'Oise")
    look_up = attendance_services._organization_named
    calls: list[str] = []

    def too_early(meeting, name):
        calls.append(name)
        return None if len(calls) == 1 else look_up(meeting, name)

    monkeypatch.setattr(attendance_services, "_organization_named", too_early)

    response = walk_in(login_as(coordinator), under_way, new_organization="PMI du Val-d'Oise")

    assert response.status_code == 200
    assert "Gaëlle Henry est ajouté·e aux présents et à l'annuaire." in text(response)
    assert len(calls) == 2, "looked up again after the refused creation"
    assert Contact.objects.get(email="gaelle.henry@pmi95.fr").organization == created_meanwhile
    assert Organization.objects.filter(territory=territory).count() == 1


def test_a_walk_in_is_not_attached_to_an_archived_structure(
    login_as, coordinator, under_way, territory
):
    archived = OrganizationFactory(
        territory=territory, name="PMI du Val-d'Oise", archived_at=timezone.now()
    )

    response = walk_in(login_as(coordinator), under_way, new_organization="pmi du val-d'oise")

    assert response.status_code == 200
    assert (
        "« PMI du Val-d'Oise » est une structure archivée de l'annuaire : choisissez une "
        "structure active, ou laissez ce champ vide pour ajouter la personne sans structure."
        in text(response)
    )
    assert 'value="gaelle.henry@pmi95.fr"' in response.content.decode(), "nothing typed is lost"
    assert not Contact.objects.filter(email="gaelle.henry@pmi95.fr").exists()
    assert not under_way.invitations.exists()
    archived.refresh_from_db()
    assert archived.archived_at is not None
    assert Organization.objects.filter(territory=territory).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_walk_ins_naming_the_same_new_structure_at_once_share_it(under_way, territory):
    """Two transactions on PostgreSQL: the first walk-in has created the structure and not
    committed yet; the second waits on the name's unique index, is refused when the first
    commits, and joins the structure the first created."""
    created, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def person(first: str) -> dict[str, str]:
        return {
            "first_name": first,
            "last_name": "Henry",
            "email": f"{first.lower()}.henry@pmi95.fr",
            "new_organization": "PMI du Val-d'Oise",
        }

    def first_walk_in() -> None:
        try:
            with transaction.atomic():
                services.walk_in_add(meeting=under_way, data=person("Gaelle"))
                created.set()
                release.wait(10)
        finally:
            connection.close()

    def second_walk_in() -> None:
        try:
            services.walk_in_add(meeting=under_way, data=person("Paul"))
        except Exception as exc:  # what the page would have answered with a 500
            outcome["error"] = exc
        finally:
            connection.close()

    first = threading.Thread(target=first_walk_in)
    first.start()
    assert created.wait(10)
    second = threading.Thread(target=second_walk_in)
    second.start()
    second.join(1.0)
    assert second.is_alive(), "the second waits for the first's structure"
    release.set()
    first.join(10)
    second.join(10)

    assert "error" not in outcome, outcome
    (organization,) = Organization.objects.filter(territory=territory)
    assert organization.name == "PMI du Val-d'Oise"
    people = Contact.objects.filter(email__endswith="@pmi95.fr")
    assert sorted(c.first_name for c in people) == ["Gaelle", "Paul"]
    assert {c.organization_id for c in people} == {organization.pk}
    assert under_way.invitations.filter(attendance=Attendance.PRESENT).count() == 2


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


@pytest.fixture
def pilots(territory):
    """Three people of three sectors who could pilot a new group."""
    return [
        ContactFactory(
            territory=territory,
            first_name=first,
            last_name=last,
            organization=OrganizationFactory(territory=territory, name=structure),
        )
        for first, last, structure in (
            ("Émilie", "Faure", "Direction de la santé publique"),
            ("David", "Esnault", "Mission locale"),
            ("Chloé", "Dupuis", "CPTS de Cergy"),
        )
    ]


def new_group(territory, **changes) -> dict:
    data = {
        "contract": ContractFactory(territory=territory).pk,
        "kind": "thematic",
        "axis": "",
        "name": "GT Santé des jeunes",
        "target_meetings_per_year": 4,
        "status": GroupStatus.ACTIVE,
        "invitation_policy": InvitationPolicy.ALL_PARTNERS,
    }
    data.update(changes)
    return data


def test_a_new_group_takes_several_pilots_one_after_the_other_without_javascript(
    login_as, coordinator, territory, pilots
):
    """ "Ajouter un autre pilote" brings the form back, nothing saved, the person typed ticked
    in the list and the picker empty; the group is created with all of them."""
    emilie, david, chloe = pilots
    client = login_as(coordinator)
    url = f"{BASE}/groupes/nouveau/"
    assert "Ajouter un autre pilote" in text(client.get(url))
    data = new_group(territory)

    first = client.post(url, {**data, "add_pilot": "émilie faure", "add_another_pilot": "1"})

    assert first.status_code == 200
    assert not WorkGroup.objects.exists(), "nothing saved yet"
    raw = first.content.decode()
    assert f'name="keep_pilots" value="{emilie.pk}" id="id_keep_pilots_0" checked' in raw
    assert '<input type="text" name="add_pilot" value=""' in raw, "the picker is empty again"
    assert 'value="GT Santé des jeunes"' in raw, "what was typed is kept"
    page = text(first)
    assert (
        "Émilie Faure — Direction de la santé publique rejoint la liste des pilotes, pas encore "
        "enregistrée" in page
    )
    assert "contient des erreurs" not in page

    second = client.post(
        url,
        {**data, "keep_pilots": [emilie.pk], "add_pilot": "mission", "add_another_pilot": "1"},
    )
    assert second.status_code == 200 and not WorkGroup.objects.exists()
    assert set(second.context["form"]["keep_pilots"].value()) == {str(emilie.pk), str(david.pk)}

    saved = client.post(url, {**data, "keep_pilots": [emilie.pk, david.pk], "add_pilot": "chloé"})

    assert saved.status_code == 302
    group = WorkGroup.objects.get()
    assert group.name == "GT Santé des jeunes"
    assert set(group.pilots.all()) == {emilie, david, chloe}


def test_a_new_group_takes_the_pilots_the_script_put_in_the_list(
    login_as, coordinator, territory, pilots, other_territory
):
    """static/js/picker.js ticks a box per person chosen: the form takes each of them, and
    only people the picker could offer (not another territory's, not a forged id)."""
    stranger = ContactFactory(territory=other_territory)
    client = login_as(coordinator)
    url = f"{BASE}/groupes/nouveau/"

    for forged in (stranger.pk, "99999999999999999999", "²"):
        refused = client.post(url, new_group(territory, keep_pilots=[pilots[0].pk, forged]))
        assert refused.status_code == 200, forged
        assert "keep_pilots" in refused.context["form"].errors
        assert not WorkGroup.objects.exists()

    client.post(url, new_group(territory, keep_pilots=[p.pk for p in pilots]))

    assert set(WorkGroup.objects.get().pilots.all()) == set(pilots)


def test_adding_another_pilot_whose_name_matches_two_people_asks_which_and_nothing_else(
    login_as, coordinator, territory, namesakes
):
    response = login_as(coordinator).post(
        f"{BASE}/groupes/nouveau/",
        new_group(territory, name="", add_pilot="bruno faure", add_another_pilot="1"),
    )

    assert response.status_code == 200 and not WorkGroup.objects.exists()
    page = text(response)
    assert "Plusieurs correspondances pour « bruno faure »" in page
    assert "Bruno Faure — CCAS de Cergy" in page and "Bruno Faure — CPTS de Cergy" in page
    # The empty name is said when saving, not while the pilots are being chosen.
    assert set(response.context["form"].errors) == {"add_pilot"}

    empty = login_as(coordinator).post(
        f"{BASE}/groupes/nouveau/", new_group(territory, add_pilot="", add_another_pilot="1")
    )
    assert "Tapez le nom de la personne à ajouter." in text(empty)


def test_a_copilot_s_form_offers_no_pilot_to_add(login_as, copilot, group, territory):
    group.pilots.add(ContactFactory(territory=territory, user=copilot.user))
    page = text(login_as(copilot).get(f"{BASE}/groupes/{group.pk}/modifier/"))
    assert "Ajouter un autre pilote" not in page


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
