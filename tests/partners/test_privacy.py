"""What viewers never see, and what an erasure leaves behind: nothing that names the person."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from actions.models import ContractStatus, FundingLine, Signatory
from cls_platform.models import Delivery, DeliveryStatus
from partners import services
from partners.models import Contact, HandOver, PartnerImport, SuppressedAddress, email_hash
from partners.tasks import purge_pending_imports
from partners.tokens import contact_token
from tests.factories import (
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from workgroups.models import CalendarFeed, Invitation, Membership

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire"


# --- viewers never read an address ------------------------------------------------------------


@pytest.fixture
def nameless(territory):
    """People the directory knows by their address only, as imports and hand-overs make them."""
    org = OrganizationFactory(territory=territory, name="Maison de quartier des Touleuses")
    former = ContactFactory(
        territory=territory, organization=org, first_name="", last_name="", email="avant@mq.fr"
    )
    successor = ContactFactory(
        territory=territory,
        organization=org,
        first_name="",
        last_name="",
        email="apres@mq.fr",
        phone="06 98 76 54 32",
    )
    services.contact_record_departure(
        contact=former, left_on=dt.date(2026, 3, 1), successor=successor
    )
    return {"org": org, "former": former, "successor": successor}


def test_a_contact_without_a_name_is_never_shown_by_address_to_a_viewer(login_as, viewer, nameless):
    client = login_as(viewer)
    org, former, successor = nameless["org"], nameless["former"], nameless["successor"]
    for url in (
        f"{BASE}/contacts/",
        f"{BASE}/contacts/{former.pk}/",
        f"{BASE}/contacts/{successor.pk}/",
    ):
        assert client.get(url).status_code == 403, url
    page = client.get(f"{BASE}/structures/{org.pk}/").content.decode()
    assert "@mq.fr" not in page
    assert "06 98 76 54 32" not in page
    assert str(successor) == "Contact sans nom"


def test_coordinators_still_tell_nameless_contacts_apart_by_their_address(
    login_as, coordinator, nameless
):
    client = login_as(coordinator)
    page = client.get(f"{BASE}/contacts/{nameless['former'].pk}/").content.decode()
    assert "<title>avant@mq.fr" in page
    assert "apres@mq.fr" in page, "the successor is named by address"
    page = client.get(f"{BASE}/structures/{nameless['org'].pk}/").content.decode()
    assert "avant@mq.fr" in page and "apres@mq.fr" in page


def test_a_partner_cannot_blank_their_name_from_their_link(territory):
    person = ContactFactory(territory=territory, first_name="Nadia", last_name="Haddad")
    response = Client().post(
        f"/partenaire/{contact_token(person)}/",
        {
            "action": "details",
            "details-first_name": " ",
            "details-last_name": "",
            "details-job_title": "Infirmière",
        },
    )
    assert response.status_code == 200
    assert "Indiquez au moins votre nom ou votre prénom." in response.content.decode()
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.job_title) == ("Nadia", "Haddad", "")


# --- viewers read signed contracts only, on directory pages too ---------------------------------


@pytest.fixture
def draft_and_signed(territory):
    org = OrganizationFactory(territory=territory, name="CPAM du Val-d'Oise")
    person = ContactFactory(territory=territory, organization=org, last_name="Signataire")
    signed = ContractFactory(territory=territory, title="CLS 2020-2022 signé")
    draft = ContractFactory(
        territory=territory, title="CLS 2026-2030 en préparation", status=ContractStatus.DRAFT
    )
    for contract, word in ((signed, "signé"), (draft, "brouillon")):
        Signatory.objects.create(contract=contract, organization=org)
        group = WorkGroupFactory(contract=contract, name=f"GT {word}")
        Membership.objects.create(group=group, contact=person)
        piloted = WorkGroupFactory(contract=contract, name=f"Pilotage {word}")
        piloted.pilots.add(person)
        meeting = MeetingFactory(group=group, title=f"Réunion {word}")
        Invitation.objects.create(meeting=meeting, contact=person, attendance="present")
    return org, person


def test_a_viewer_sees_no_draft_contract_from_the_directory(login_as, viewer, draft_and_signed):
    org, person = draft_and_signed
    client = login_as(viewer)
    assert client.get(f"{BASE}/contacts/{person.pk}/").status_code == 403
    for url in (f"{BASE}/structures/{org.pk}/",):
        page = client.get(url).content.decode()
        assert "signé" in page, url
        assert "brouillon" not in page, url
        assert "en préparation" not in page, url


def test_a_coordinator_sees_drafts_on_the_same_pages(login_as, coordinator, draft_and_signed):
    org, person = draft_and_signed
    client = login_as(coordinator)
    assert (
        "CLS 2026-2030 en préparation"
        in client.get(f"{BASE}/structures/{org.pk}/").content.decode()
    )
    page = client.get(f"{BASE}/contacts/{person.pk}/").content.decode()
    assert "GT brouillon" in page and "Pilotage brouillon" in page


# --- erasure leaves no address behind ---------------------------------------------------------


@pytest.fixture
def paul(territory):
    return ContactFactory(
        territory=territory, first_name="Paul", last_name="Martin", email="paul.martin@ml.fr"
    )


def test_erasure_scrubs_the_outbox(login_as, coordinator, paul, territory):
    Delivery.objects.create(
        territory=territory,
        kind="report",
        topic="meeting:1",
        contact_id=paul.pk,
        to_email="paul.martin@ml.fr",
        status=DeliveryStatus.FAILED,
        last_error="550 5.1.1 <Paul.Martin@ml.fr>: Recipient address rejected",
    )
    login_as(coordinator).post(f"{BASE}/contacts/{paul.pk}/effacer/")
    delivery = Delivery.objects.get()
    assert "paul" not in delivery.to_email.lower()
    assert "paul" not in delivery.last_error.lower()
    assert delivery.last_error.startswith("550 5.1.1"), "the reason stays, not the address"
    assert delivery.status == DeliveryStatus.FAILED, "the counts stay"


def test_erasure_also_forgets_the_addresses_the_person_had_before(
    login_as, coordinator, paul, territory
):
    """Paul's old address bounced, the coordinator corrected it, then Paul asked to be erased:
    the old address goes from the outbox too, and no old spreadsheet can bring it back."""
    Delivery.objects.create(
        territory=territory,
        kind="report",
        topic="meeting:1",
        contact_id=paul.pk,
        to_email="p.martin@ancien-employeur.fr",
        status=DeliveryStatus.FAILED,
        last_error="550 5.1.1 <p.martin@ancien-employeur.fr>: Recipient address rejected",
    )
    client = login_as(coordinator)
    pending = client.post(
        f"{BASE}/import/",
        {
            "file": SimpleUploadedFile(
                "ancien.csv", b"Nom;Courriel\nMartin;p.martin@ancien-employeur.fr\n"
            )
        },
    )["Location"]

    client.post(f"{BASE}/contacts/{paul.pk}/effacer/")

    delivery = Delivery.objects.get()
    assert "martin" not in f"{delivery.to_email} {delivery.last_error}".lower()
    for address in ("paul.martin@ml.fr", "p.martin@ancien-employeur.fr"):
        assert SuppressedAddress.objects.filter(
            territory=territory, email_sha256=email_hash(address)
        ).exists()
    # The upload waiting for its confirmation held the old address in the file itself.
    assert not PartnerImport.objects.exists()
    assert client.get(pending).status_code == 404


def test_erasure_scrubs_import_reports_and_successors(login_as, coordinator, paul, territory):
    client = login_as(coordinator)
    upload = SimpleUploadedFile(
        "annuaire.csv", b"Nom;Courriel\nMartin;paul.martin@ml.fr\nRoux;anne@ml.fr\n"
    )
    preview = client.post(f"{BASE}/import/", {"file": upload})["Location"]
    client.post(preview)
    client.post(
        f"{BASE}/contacts/{paul.pk}/depart/",
        {"left_on": "2026-10-01", "new_last_name": "Roux", "new_email": "julie.roux@ml.fr"},
    )
    successor = Contact.objects.get(email="julie.roux@ml.fr")
    assert successor.source_detail == "Successeur de Paul Martin"
    HandOver.objects.create(
        contact=ContactFactory(territory=territory),
        successor_first_name="Paul",
        successor_email="paul.martin@ml.fr",
    )

    client.post(f"{BASE}/contacts/{paul.pk}/effacer/")

    stored = json.dumps(PartnerImport.objects.get().report, ensure_ascii=False)
    assert "paul.martin" not in stored
    assert "anne@ml.fr" in stored, "other people's lines are untouched"
    page = client.get(preview).content.decode()
    assert "paul.martin" not in page and "effacée à sa demande" in page
    successor.refresh_from_db()
    assert "Paul" not in successor.source_detail
    assert "Paul" not in client.get(f"{BASE}/contacts/{successor.pk}/").content.decode()
    assert not HandOver.objects.filter(successor_email__icontains="paul").exists()


def test_personal_data_export_includes_the_mail_sent_to_the_person(
    login_as, coordinator, paul, territory
):
    Delivery.objects.create(
        territory=territory,
        kind="invitation",
        topic="meeting:7",
        contact_id=paul.pk,
        to_email=paul.email,
        status=DeliveryStatus.SENT,
    )
    data = json.loads(login_as(coordinator).get(f"{BASE}/contacts/{paul.pk}/donnees/").content)
    (row,) = data["données liées"]["envois"]
    assert (row["kind"], row["to_email"], row["status"]) == (
        "invitation",
        "paul.martin@ml.fr",
        "sent",
    )


def test_uploads_never_confirmed_are_purged_after_a_week(territory, login_as, coordinator):
    old = PartnerImport.objects.create(territory=territory, file_name="vieux.csv", content=b"x")
    recent = PartnerImport.objects.create(territory=territory, file_name="neuf.csv", content=b"x")
    applied = PartnerImport.objects.create(
        territory=territory, file_name="fait.csv", content=b"", applied_at=timezone.now()
    )
    long_ago = timezone.now() - dt.timedelta(days=8)
    PartnerImport.objects.filter(pk__in=[old.pk, applied.pk]).update(created_at=long_ago)
    assert purge_pending_imports.delay().get() == 1
    assert set(PartnerImport.objects.values_list("file_name", flat=True)) == {
        "neuf.csv",
        "fait.csv",
    }
    client = login_as(coordinator)
    assert client.get(f"{BASE}/import/{recent.pk}/").status_code == 200
    assert client.get(f"{BASE}/import/{old.pk}/").status_code == 404


def test_the_purge_runs_every_day(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "partners.tasks.purge_pending_imports" in tasks


def test_an_erased_address_cannot_be_typed_back_onto_another_contact(
    login_as, coordinator, territory
):
    SuppressedAddress.objects.create(territory=territory, email_sha256=email_hash("efface@ml.fr"))
    other = ContactFactory(territory=territory, first_name="Anne", last_name="Roux")
    response = login_as(coordinator).post(
        f"{BASE}/contacts/{other.pk}/modifier/",
        {"first_name": "Anne", "last_name": "Roux", "email": " Efface@ML.fr "},
    )
    assert response.status_code == 200
    assert "effacement de ses données" in response.content.decode()
    other.refresh_from_db()
    assert other.email != "efface@ml.fr"


# --- the personal-data export: valid JSON, this person's data only ------------------------------


@pytest.fixture
def julie(territory):
    """A successor who pilots a funded fiche, sits in a group, was invited and mailed, declared
    her own departure and subscribed to a calendar: every kind of row the export walks."""
    org = OrganizationFactory(territory=territory, name="Mission locale", address="2 rue Neuve")
    paul = ContactFactory(
        territory=territory,
        organization=org,
        first_name="Paul",
        last_name="Martin",
        email="paul.martin@ml.fr",
        phone="06 11 22 33 44",
        job_title="Conseiller santé",
    )
    julie = ContactFactory(
        territory=territory,
        organization=org,
        first_name="Julie",
        last_name="Roux",
        email="julie.roux@ml.fr",
        phone="07 98 76 54 32",
    )
    services.contact_record_departure(contact=paul, left_on=dt.date(2026, 3, 1), successor=julie)
    contract = ContractFactory(territory=territory)
    fiche = FicheActionFactory(
        contract=contract, pilot_contact=paul, budget_total=Decimal("25000.50")
    )
    fiche.copilots.add(julie)
    FundingLine.objects.create(fiche=fiche, funder="ARS", amount=Decimal("15000.00"))
    group = WorkGroupFactory(contract=contract, name="GT Santé mentale")
    Membership.objects.create(group=group, contact=julie)
    Membership.objects.create(group=group, contact=paul)
    meeting = MeetingFactory(group=group, title="Réunion de printemps")
    Invitation.objects.create(meeting=meeting, contact=julie, rsvp="yes")
    CalendarFeed.objects.create(group=group, contact=julie, token="feed-secret-token-0123456789")
    HandOver.objects.create(
        contact=julie,
        left_on=dt.date(2026, 12, 2),
        successor_first_name="Léa",
        successor_last_name="Petit",
        successor_email="lea.petit@ml.fr",
        successor_job_title="Cheffe de projet",
        message="Je pars en janvier.",
    )
    Delivery.objects.create(
        territory=territory,
        kind="invitation",
        topic=f"meeting:{meeting.pk}",
        contact_id=julie.pk,
        to_email=julie.email,
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
    )
    return {"julie": julie, "paul": paul, "fiche": fiche}


def test_personal_data_export_is_valid_json_with_amounts_dates_and_links(
    login_as, coordinator, julie
):
    person = julie["julie"]
    response = login_as(coordinator).get(f"{BASE}/contacts/{person.pk}/donnees/")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["personne"]["email"] == "julie.roux@ml.fr"
    assert data["personne"]["phone"] == "07 98 76 54 32"
    related = data["données liées"]
    (action,) = related["fiches-actions"]
    assert action["budget_total"] == "25000.50", "an amount keeps its exact digits"
    assert action["pilot_contact"] == "Paul Martin"
    assert [row["group"] for row in related["membres des groupes"]] == ["GT Santé mentale"]
    (invitation,) = related["invitations"]
    assert (invitation["meeting"], invitation["rsvp"]) == ("Réunion de printemps", "yes")
    (hand_over,) = related["départs déclarés"]
    assert hand_over["left_on"] == "2026-12-02"
    assert hand_over["message"] == "Je pars en janvier."
    (delivery,) = related["envois"]
    assert delivery["to_email"] == "julie.roux@ml.fr"
    assert dt.datetime.fromisoformat(delivery["sent_at"])


def test_personal_data_export_names_other_people_and_says_nothing_else_about_them(
    login_as, coordinator, julie
):
    """Julie succeeded Paul: her file names him, and holds neither his address nor his phone;
    the successor she named herself is named too, without their address."""
    person = julie["julie"]
    text = login_as(coordinator).get(f"{BASE}/contacts/{person.pk}/donnees/").content.decode()
    data = json.loads(text)
    assert data["données liées"]["personnes auxquelles elle a succédé"] == [{"nom": "Paul Martin"}]
    for elsewhere in ("paul.martin@ml.fr", "06 11 22 33 44", "Conseiller santé"):
        assert elsewhere not in text, elsewhere
    (hand_over,) = data["données liées"]["départs déclarés"]
    assert (hand_over["successor_first_name"], hand_over["successor_last_name"]) == ("Léa", "Petit")
    assert "lea.petit@ml.fr" not in text and "Cheffe de projet" not in text
    assert "feed-secret-token" not in text, "a calendar's secret address is not handed out"
    assert "coordinatrice@cergy.fr" not in text


def test_the_predecessor_export_names_the_successor_only(login_as, coordinator, julie):
    paul = julie["paul"]
    text = login_as(coordinator).get(f"{BASE}/contacts/{paul.pk}/donnees/").content.decode()
    data = json.loads(text)
    assert data["personne"]["email"] == "paul.martin@ml.fr"
    assert data["personne"]["successor"] == "Julie Roux"
    assert "julie.roux@ml.fr" not in text and "07 98 76 54 32" not in text


def test_plain_values_are_json_native():
    from django.utils.translation import gettext_lazy

    from partners.selectors import plain

    values = [
        Decimal("1.10"),
        dt.date(2026, 12, 2),
        dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC),
        dt.time(9, 30),
        dt.timedelta(minutes=90),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        b"binary",
        gettext_lazy("Oui"),
        {"montant": Decimal("2")},
        (Decimal("3"),),
        float("nan"),
    ]
    assert json.loads(json.dumps([plain(v) for v in values])) == [
        "1.10",
        "2026-12-02",
        "2026-12-02T09:30:00+00:00",
        "09:30:00",
        5400.0,
        "12345678-1234-5678-1234-567812345678",
        None,
        "Oui",
        {"montant": "2"},
        ["3"],
        "nan",
    ]


def test_the_personal_data_export_reads_a_fixed_number_of_queries(login_as, coordinator, julie):
    from tests.support.queries import assert_constant_queries

    person = julie["julie"]
    contract = julie["fiche"].contract

    def grow():
        for _ in range(4):
            group = WorkGroupFactory(contract=contract)
            Membership.objects.create(group=group, contact=person)
            meeting = MeetingFactory(group=group, title="")  # named after its group
            Invitation.objects.create(meeting=meeting, contact=person)
            fiche = FicheActionFactory(contract=contract, pilot_contact=julie["paul"])
            fiche.copilots.add(person)

    assert_constant_queries(login_as(coordinator), f"{BASE}/contacts/{person.pk}/donnees/", grow)
