"""People move on, choose what they receive, and may ask to be forgotten."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from partners.importing import import_partners
from partners.models import Contact, HandOver, HandOverStatus, SuppressedAddress, email_hash
from partners.tokens import SALT, contact_token
from tests.factories import ContactFactory, ContractFactory, OrganizationFactory, WorkGroupFactory
from workgroups.models import Membership, MembershipKind

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire"


@pytest.fixture
def partner(territory):
    org = OrganizationFactory(territory=territory, name="Mission locale")
    return ContactFactory(
        territory=territory,
        organization=org,
        first_name="Paul",
        last_name="Martin",
        email="paul.martin@ml.fr",
    )


@pytest.fixture
def groups(partner):
    contract = ContractFactory(territory=partner.territory)
    mental = WorkGroupFactory(contract=contract, name="GT Santé mentale")
    housing = WorkGroupFactory(contract=contract, name="GT Habitat")
    Membership.objects.create(group=mental, contact=partner)
    Membership.objects.create(
        group=housing, contact=partner, kind=MembershipKind.SUBSCRIBER, invitations=False
    )
    return mental, housing


def link(contact: Contact, suffix: str = "") -> str:
    return f"/partenaire/{contact_token(contact)}/{suffix}"


# --- departure and successor ---------------------------------------------------------------


def test_successor_inherits_groups_and_subscriptions_and_former_keeps_history(
    login_as, coordinator, partner, groups
):
    mental, _housing = groups
    mental.pilots.add(partner)
    client = login_as(coordinator)
    response = client.post(
        f"{BASE}/contacts/{partner.pk}/depart/",
        {
            "left_on": "2026-10-01",
            "new_first_name": "Julie",
            "new_last_name": "Roux",
            "new_email": "Julie.Roux@ml.fr",
        },
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    successor = Contact.objects.get(email="julie.roux@ml.fr")
    assert partner.left_at == dt.date(2026, 10, 1)
    assert partner.successor == successor
    assert successor.organization == partner.organization
    assert not Contact.objects.mailable().filter(pk=partner.pk).exists()
    inherited = {(m.group.name, m.kind, m.invitations) for m in successor.memberships.all()}
    assert inherited == {("GT Santé mentale", "member", True), ("GT Habitat", "subscriber", False)}
    assert partner.memberships.count() == 2, "the former contact keeps their history"
    assert successor not in mental.pilots.all(), "a co-pilot's seat is not passed on"
    page = client.get(f"{BASE}/contacts/{partner.pk}/").content.decode()
    assert "Julie Roux" in page


def test_successor_chosen_in_the_directory(login_as, coordinator, partner, groups):
    successor = ContactFactory(territory=partner.territory, last_name="Déjà")
    login_as(coordinator).post(
        f"{BASE}/contacts/{partner.pk}/depart/",
        {"left_on": "2026-10-01", "successor_id": successor.pk},
    )
    assert successor.memberships.count() == 2


def test_departure_form_refuses_two_successors_at_once(login_as, coordinator, partner):
    other = ContactFactory(territory=partner.territory)
    response = login_as(coordinator).post(
        f"{BASE}/contacts/{partner.pk}/depart/",
        {"left_on": "2026-10-01", "successor_id": other.pk, "new_email": "x@y.fr"},
    )
    assert "pas les deux" in response.content.decode()
    partner.refresh_from_db()
    assert partner.left_at is None


# --- the partner's signed link ---------------------------------------------------------------


def test_partner_corrects_their_details_without_an_account(partner):
    client = Client()
    url = link(partner)
    page = client.get(url).content.decode()
    assert "Bonjour Paul Martin" in page
    client.post(
        url,
        {
            "action": "details",
            "details-first_name": "Paul",
            "details-last_name": "Martin",
            "details-job_title": "Directeur",
            "details-phone": "0102030405",
        },
    )
    partner.refresh_from_db()
    assert partner.job_title == "Directeur"
    assert partner.confirmed_at is not None


def test_a_partial_submission_of_details_changes_only_what_it_carries(partner):
    """A POST that carries the first name only (an old page, a script) leaves the rest alone:
    a ModelForm would have emptied every field it did not receive."""
    Contact.objects.filter(pk=partner.pk).update(phone="01 02 03 04 05", job_title="Directeur")
    response = Client().post(link(partner), {"action": "details", "details-first_name": "Paulo"})
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.first_name == "Paulo"
    assert (partner.last_name, partner.phone, partner.job_title) == (
        "Martin",
        "01 02 03 04 05",
        "Directeur",
    )


def test_a_partial_submission_with_an_error_shows_the_stored_values_again(partner):
    Contact.objects.filter(pk=partner.pk).update(job_title="Directeur")
    response = Client().post(
        link(partner), {"action": "details", "details-first_name": "", "details-phone": "x" * 40}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Martin"' in page and 'value="Directeur"' in page, "nothing typed is lost"
    partner.refresh_from_db()
    assert (partner.first_name, partner.last_name, partner.job_title) == (
        "Paul",
        "Martin",
        "Directeur",
    )


def test_a_partial_edit_by_the_coordination_keeps_what_it_does_not_carry(
    login_as, coordinator, partner
):
    Contact.objects.filter(pk=partner.pk).update(phone="01 02 03 04 05", job_title="Directeur")
    organization = partner.organization
    response = login_as(coordinator).post(
        f"{BASE}/contacts/{partner.pk}/modifier/",
        {"first_name": "Paulo", "receives_invitations": "on", "receives_reports": "on"},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.first_name, partner.last_name, partner.email) == (
        "Paulo",
        "Martin",
        "paul.martin@ml.fr",
    )
    assert (partner.phone, partner.job_title) == ("01 02 03 04 05", "Directeur")
    assert partner.organization == organization


def test_an_unchecked_box_is_still_an_answer(login_as, coordinator, partner):
    """Browsers send nothing for an unchecked box: its absence is a choice, not a gap."""
    login_as(coordinator).post(
        f"{BASE}/contacts/{partner.pk}/modifier/",
        {"first_name": "Paul", "last_name": "Martin", "email": "paul.martin@ml.fr"},
    )
    partner.refresh_from_db()
    assert not partner.receives_invitations and not partner.receives_reports


def test_the_departure_date_is_shown_in_the_format_date_inputs_read(login_as, coordinator, partner):
    page = login_as(coordinator).get(f"{BASE}/contacts/{partner.pk}/depart/").content.decode()
    today = timezone.localdate()
    assert f'type="date" name="left_on" value="{today:%Y-%m-%d}"' in page
    assert f"{today:%d/%m/%Y}" not in page


def test_the_partner_departure_date_is_shown_in_the_format_date_inputs_read(partner):
    page = Client().get(link(partner, "depart/")).content.decode()
    assert f'name="left_on" value="{timezone.localdate():%Y-%m-%d}"' in page


def test_partner_chooses_what_they_receive_group_by_group(partner, groups):
    mental, housing = groups
    Client().post(
        link(partner),
        {
            "action": "preferences",
            "prefs-invitations": "on",
            "prefs-reports": "on",
            f"prefs-inv_{mental.pk}": "on",
            f"prefs-rep_{housing.pk}": "on",
        },
    )
    choices = {m.group_id: (m.invitations, m.reports) for m in partner.memberships.all()}
    assert choices == {mental.pk: (True, False), housing.pk: (False, True)}


def test_one_click_unsubscribe_needs_no_form_token(partner):
    client = Client(enforce_csrf_checks=True)
    response = client.post(link(partner, "desinscription/"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    partner.refresh_from_db()
    assert partner.unsubscribed_at is not None
    assert not Contact.objects.mailable().filter(pk=partner.pk).exists()


def test_expired_forged_or_erased_links_reveal_nothing(partner, settings):
    forged = link(partner)[:-3] + "xx/"
    assert Client().get(forged).status_code == 404
    old = signing.dumps({"c": partner.pk, "t": partner.territory_id}, salt=SALT, compress=True)
    import time

    real_time = time.time
    try:
        time.time = lambda: real_time() + 200 * 24 * 3600
        response = Client().get(f"/partenaire/{old}/")
    finally:
        time.time = real_time
    assert response.status_code == 404
    assert "expiré" in response.content.decode()
    assert partner.email not in response.content.decode()


def test_partner_declares_departure_and_coordination_confirms(
    login_as, coordinator, partner, groups, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            link(partner, "depart/"),
            {
                "left_on": "2026-11-02",
                "successor_first_name": "Léa",
                "successor_last_name": "Bonnet",
                "successor_email": "lea.bonnet@ml.fr",
                "message": "Je pars en retraite.",
            },
        )
    hand_over = HandOver.objects.get()
    assert hand_over.status == HandOverStatus.PENDING
    partner.refresh_from_db()
    assert partner.left_at is None, "nothing changes before the coordination confirms"
    (notice,) = mail.outbox
    assert notice.to == [coordinator.user.email]
    assert "Paul Martin signale un départ" in notice.subject
    assert "lea.bonnet@ml.fr" in notice.body
    assert "/t/cergy/annuaire/departs/" in notice.body

    client = login_as(coordinator)
    assert "Léa Bonnet" in client.get(f"{BASE}/departs/").content.decode()
    client.post(f"{BASE}/departs/{hand_over.pk}/", {"decision": "confirm", "confirm": "1"})
    partner.refresh_from_db()
    successor = Contact.objects.get(email="lea.bonnet@ml.fr")
    assert partner.left_at == dt.date(2026, 11, 2)
    assert partner.successor == successor
    assert successor.memberships.count() == 2
    # a second click does nothing more
    assert (
        client.post(f"{BASE}/departs/{hand_over.pk}/", {"decision": "confirm"}).status_code == 404
    )


def test_coordination_can_set_aside_a_declared_departure(login_as, coordinator, partner):
    hand_over = HandOver.objects.create(contact=partner, successor_email="farceur@ml.fr")
    login_as(coordinator).post(f"{BASE}/departs/{hand_over.pk}/", {"decision": "reject"})
    hand_over.refresh_from_db()
    partner.refresh_from_db()
    assert hand_over.status == HandOverStatus.REJECTED
    assert partner.left_at is None
    assert not Contact.objects.filter(email="farceur@ml.fr").exists()


# --- GDPR ------------------------------------------------------------------------------------


def test_export_of_everything_held_about_one_person(login_as, coordinator, partner, groups):
    HandOver.objects.create(contact=partner, successor_email="next@ml.fr")
    response = login_as(coordinator).get(f"{BASE}/contacts/{partner.pk}/donnees/")
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="donnees-contact-{partner.pk}.json"'
    )
    data = json.loads(response.content)
    assert data["personne"]["email"] == "paul.martin@ml.fr"
    assert data["personne"]["organization"] == "Mission locale"
    related = data["données liées"]
    assert {row["group"] for row in related["membres des groupes"]} == {
        "GT Santé mentale",
        "GT Habitat",
    }
    (hand_over,) = related["départs déclarés"]
    assert "successor_email" not in hand_over, "the successor's address is theirs, not Paul's"
    assert "next@ml.fr" not in response.content.decode()


def test_erasing_a_person_keeps_counts_and_blocks_reimport(login_as, coordinator, partner, groups):
    territory = partner.territory
    client = login_as(coordinator)
    assert (
        "Effacer définitivement"
        in client.get(f"{BASE}/contacts/{partner.pk}/effacer/").content.decode()
    )
    client.post(f"{BASE}/contacts/{partner.pk}/effacer/")
    partner.refresh_from_db()
    assert partner.anonymized_at is not None
    assert "paul" not in partner.email and partner.first_name == "" and partner.phone == ""
    assert Contact.objects.filter(territory=territory).count() == 1, "the row stays for the counts"
    assert SuppressedAddress.objects.filter(
        territory=territory, email_sha256=email_hash("paul.martin@ml.fr")
    ).exists()
    assert "Paul" not in client.get(f"{BASE}/contacts/").content.decode()

    report = import_partners(
        territory=territory, content=b"Nom;Courriel\nMartin;Paul.Martin@ml.fr\n", file_name="a.csv"
    )
    assert report.summary["rejected"] == 1
    assert "RGPD" in report.lines[0].detail
    response = client.post(
        f"{BASE}/contacts/nouveau/", {"last_name": "Martin", "email": "paul.martin@ml.fr"}
    )
    assert "effacement" in response.content.decode()
    assert Client().get(link(partner)).status_code == 404, "their old links die with them"


def test_the_old_review_address_leads_for_good_to_the_review(login_as, coordinator):
    """Contacts à revoir moved to the retention review (with its decisions): a coordinator's
    saved link to the old address lands there, for good, with the same people listed."""
    territory = coordinator.territory
    old = ContactFactory(
        territory=territory,
        last_name="Ancien",
        last_activity_at=timezone.now() - dt.timedelta(days=37 * 30),
    )
    ContactFactory(
        territory=territory,
        last_name="Récent",
        last_activity_at=timezone.now() - dt.timedelta(days=30),
    )
    client = login_as(coordinator)
    moved = client.get(f"{BASE}/contacts/a-revoir/?page=1")
    assert moved.status_code == 301
    assert moved["Location"] == f"{BASE}/contacts/revue/?page=1"
    page = client.get(moved["Location"])
    assert [c.pk for c in page.context["contacts"]] == [old.pk]
    text = page.content.decode()
    assert "plus de 36 mois" in text and "Ancien" in text and "Récent" not in text
    nav = text.split('aria-label="Annuaire"', 1)[1].split("</nav>", 1)[0]
    assert "/contacts/a-revoir/" not in nav and 'href="/t/cergy/annuaire/contacts/revue/"' in nav


def test_coordination_sends_a_person_their_link_to_check_details(
    login_as, coordinator, partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login_as(coordinator).post(f"{BASE}/contacts/{partner.pk}/demander-confirmation/")
    (message,) = mail.outbox
    assert message.to == ["paul.martin@ml.fr"]
    assert "Vos coordonnées sont-elles à jour" in message.subject
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = next(
        word
        for word in message.body.split()
        if "/partenaire/" in word and "desinscription" not in word
    )
    path = url.split("127.0.0.1:8000", 1)[1]
    assert "Bonjour Paul Martin" in Client().get(path).content.decode()
    html = message.alternatives[0][0]
    assert "Confirmer ou corriger mes coordonnées" in html


def test_no_link_is_sent_to_someone_who_left(login_as, coordinator, partner):
    partner.left_at = timezone.localdate()
    partner.save()
    response = login_as(coordinator).post(
        f"{BASE}/contacts/{partner.pk}/demander-confirmation/", follow=True
    )
    assert "ne peut plus être jointe" in response.content.decode()
    assert not mail.outbox


def test_a_successor_who_asked_to_be_erased_is_refused_with_a_clear_message(
    login_as, coordinator, partner
):
    SuppressedAddress.objects.create(
        territory=partner.territory, email_sha256=email_hash("efface@ml.fr")
    )
    response = login_as(coordinator).post(
        f"{BASE}/contacts/{partner.pk}/depart/",
        {"left_on": "2026-10-01", "new_last_name": "Efface", "new_email": "efface@ml.fr"},
    )
    assert response.status_code == 200
    assert "effacement de ses données" in response.content.decode()
    partner.refresh_from_db()
    assert partner.left_at is None, "nothing is half-written"
