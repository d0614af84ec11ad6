"""A territory's whole data in one ZIP (evaluation/archive/): each table in CSV and JSON read
back and compared with the database, the documents byte for byte, the compte-rendus in HTML and
text, a README of every file and column, nothing of another territory, coordinators only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.test import Client
from django.utils import timezone

from actions.models import (
    ActionPartner,
    ActionUpdate,
    AxisKind,
    CollaborationLevel,
    ContractAmendment,
    ContractEvent,
    ContractEventKind,
    FundingLine,
    Indicator,
    IndicatorValue,
    OttawaArea,
    Public,
    Signatory,
    StatusChange,
)
from cls_platform.audit import AuditEntry, AuditEvent
from evaluation.archive.building import LIST_SEPARATOR
from evaluation.archive.tables import NOT_ARCHIVED, TABLES
from evaluation.interviews.models import Interview
from evaluation.progress.models import CopilDecision, CopilDecisionChange
from evaluation.public_directory.models import PublicDirectory, PublicListing
from evaluation.surveys.models import Answer, Question, SurveyInvitation
from partners.models import Contact, HandOver, Qpv, Sector
from partners.services import contact_erase
from tests.evaluation.test_survey_data import campaign
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    UserFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries
from workgroups.models import AgendaItem, Invitation, MeetingAction, MeetingDocument, Membership

pytestmark = pytest.mark.django_db

URL = "/t/cergy/archive/telecharger/"
PAGE = "/t/cergy/archive/"
MARKER = "zqxmarqueur"
SIGNED_PDF = b"%PDF-1.7\n% contrat signe \xe9\xe8\n%%EOF\n"
SLIDES = bytes(range(256)) * 40  # binary, not UTF-8: compared byte for byte
REPORT_PDF = b"%PDF-1.7\n% compte-rendu\n%%EOF\n"
REPORT_HTML = (
    "<h2>Points abordés</h2><p>Le <strong>CCAS</strong> présente l'Espace santé.</p>"
    "<ul><li>Dépistage</li><li>Accès aux droits</li></ul>"
)


def fill(territory, *, marker: str = "", size: int = 1, tag: str = "") -> dict:
    """A territory with a row of each kind the archive holds (`size` of the repeated ones);
    `tag` tells apart the rows of a second call."""
    sector = Sector.objects.get_or_create(slug="sante", defaults={"name": "Santé"})[0]
    qpv = Qpv.objects.create(territory=territory, name=f"Axe Majeur-Horloge {marker}{tag}")
    org = OrganizationFactory(territory=territory, name=f"CCAS {marker}{tag}", qpv=qpv)
    org.sectors.add(sector)
    paul = ContactFactory(
        territory=territory,
        organization=org,
        first_name="Paul",
        last_name=f"Martin {marker}",
        email=f"paul{marker}{tag}@ccas.fr",
        phone="01 02 03 04 05",
        job_title='=HYPERLINK("http://x")',
        unsubscribed_at=timezone.now() - dt.timedelta(days=3),
    )
    erased = ContactFactory(
        territory=territory, organization=org, email=f"efface{marker}{tag}@a.fr"
    )
    HandOver.objects.create(contact=paul, successor_email=f"lea{marker}@ccas.fr")
    contract = ContractFactory(territory=territory, title=f"CLS 2023-2028 {marker}")
    contract.signed_document.save("contrat-signe.pdf", ContentFile(SIGNED_PDF))
    Signatory.objects.create(contract=contract, organization=org, order=1)
    ContractAmendment.objects.create(
        contract=contract, number=1, adopted_on=dt.date(2025, 1, 15), note=f"Avenant {marker}"
    )
    ContractEvent.objects.create(contract=contract, kind=ContractEventKind.SIGNED)
    thematic = AxisFactory(contract=contract, title=f"Accès aux soins {marker}")
    transversal = AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, title="Coordination")
    level = CollaborationLevel.objects.order_by(
        "rank"
    ).first() or CollaborationLevel.objects.create(rank=1, label="Échange d'informations")
    public = Public.objects.first() or Public.objects.create(name="Jeunes", slug="jeunes")
    area = OttawaArea.objects.first() or OttawaArea.objects.create(name="Agir", slug="agir")
    author = UserFactory(full_name="Claire Coordinatrice")
    fiches = []
    for n in range(size):
        fiche = FicheActionFactory(
            contract=contract,
            thematic_axis=thematic,
            title=f"Action {n} {marker}",
            pilot_organization=org,
            pilot_contact=paul,
            budget_total=Decimal("12500.50"),
        )
        fiche.transversal_axes.add(transversal)
        fiche.copilots.add(paul)
        fiche.publics.add(public)
        fiche.ottawa_areas.add(area)
        fiche.qpvs.add(qpv)
        ActionPartner.objects.create(fiche=fiche, organization=org, role="Porteur", level=level)
        FundingLine.objects.create(fiche=fiche, funder="ARS", amount=Decimal("3000.25"), year=2024)
        ActionUpdate.objects.create(
            fiche=fiche, happened_on=dt.date(2024, 3, 1), text=f"Lancée {marker}", author=author
        )
        StatusChange.objects.create(fiche=fiche, old_status="planned", new_status="in_progress")
        indicator = Indicator.objects.create(fiche=fiche, title=f"Personnes reçues {marker}")
        IndicatorValue.objects.create(
            indicator=indicator, measured_on=dt.date(2024, 6, 30), value=Decimal("42.5")
        )
        fiches.append(fiche)
    group = WorkGroupFactory(contract=contract, axis=thematic, name=f"GT Accès {marker}")
    group.pilots.add(paul)
    Membership.objects.create(group=group, contact=paul)
    start = timezone.now() - dt.timedelta(days=10)
    meetings = []
    for n in range(size):
        meeting = MeetingFactory(
            group=group,
            title=f"Réunion {n} {marker}",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            report=REPORT_HTML + f"<p>{marker}</p>",
            report_written_at=start + dt.timedelta(days=1),
        )
        meeting.report_pdf.save("compte-rendu.pdf", ContentFile(REPORT_PDF))
        AgendaItem.objects.create(meeting=meeting, title=f"Tour de table {marker}")
        Invitation.objects.create(meeting=meeting, contact=paul, attendance="present")
        Invitation.objects.create(meeting=meeting, contact=erased, rsvp="no")
        MeetingAction.objects.create(meeting=meeting, fiche=fiches[0], note=f"Suivi {marker}")
        MeetingDocument.objects.create(
            meeting=meeting,
            title=f"Diaporama {marker}",
            file=ContentFile(SLIDES, name="diaporama.pdf"),
            file_name="Diaporama du CCAS.pdf",
            size=len(SLIDES),
            content_type="application/pdf",
        )
        meetings.append(meeting)
    survey = campaign(territory, contract=contract, title=f"Bilan {marker}")
    invitation = SurveyInvitation.objects.create(
        survey=survey, contact=paul, organization=org, submitted_at=timezone.now()
    )
    invitation.groups.add(group)
    question = Question.objects.filter(section__questionnaire=survey.questionnaire).first()
    Answer.objects.create(invitation=invitation, question=question, text=f"Très utile {marker}")
    Interview.objects.create(
        contract=contract,
        held_on=dt.date(2025, 5, 12),
        contact=paul,
        organization=org,
        needs=f"Un lieu de réunion {marker}",
        conducted_by=author,
    )
    decision = CopilDecision.objects.create(
        contract=contract, what=f"Relancer le GT {marker}", who_label="Coordination"
    )
    CopilDecisionChange.objects.create(decision=decision, old_status="", new_status="open")
    PublicDirectory.objects.get_or_create(
        territory=territory, defaults={"is_published": True, "intro": f"Offre {marker}"}
    )
    listing = PublicListing.objects.create(territory=territory, organization=org, is_public=True)
    listing.publics.add(public)
    contact_erase(contact=erased)
    return {"paul": paul, "contract": contract, "fiche": fiches[0], "meeting": meetings[0]}


@pytest.fixture
def data(territory):
    return fill(territory)


@pytest.fixture
def other_data(outsider):
    return fill(outsider.territory, marker=MARKER)


def download(client: Client) -> zipfile.ZipFile:
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="trame-cergy-')
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def read_csv(archive: zipfile.ZipFile, path: str) -> list[dict[str, str]]:
    text = archive.read(f"{path}.csv").decode("utf-8")
    assert text.startswith("\ufeff"), "a BOM, for a French Excel"
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def read_json(archive: zipfile.ZipFile, path: str) -> list[dict]:
    return json.loads(archive.read(f"{path}.json").decode("utf-8"))


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {str(row["id"]): row for row in rows}


@pytest.fixture
def archive(login_as, coordinator, data, other_data) -> zipfile.ZipFile:
    return download(login_as(coordinator))


# --- every table, read back ------------------------------------------------------------------


def test_every_table_is_there_in_csv_and_json_with_the_rows_of_the_database(archive, coordinator):
    from evaluation.archive.building import table_queryset

    names = set(archive.namelist())
    assert "README.txt" in names
    assert archive.testzip() is None
    for table in TABLES:
        csv_rows = read_csv(archive, table.path)
        json_rows = read_json(archive, table.path)
        expected = table_queryset(table, coordinator).count()
        assert len(csv_rows) == len(json_rows) == expected, table.path
        assert expected > 0, f"{table.path} : la donnée de test devrait remplir chaque table"
        keys = [column.key for column in table.columns]
        header = archive.read(f"{table.path}.csv").decode("utf-8-sig").splitlines()[0]
        assert header.split(";") == keys, table.path
        for row in json_rows:
            assert list(row) == keys, table.path


def test_contacts_read_back_as_stored(archive, data):
    paul = Contact.objects.get(pk=data["paul"].pk)
    row = by_id(read_csv(archive, "annuaire/contacts"))[str(paul.pk)]
    item = by_id(read_json(archive, "annuaire/contacts"))[str(paul.pk)]
    assert row["first_name"] == item["first_name"] == "Paul"
    assert row["email"] == item["email"] == paul.email
    assert row["phone"] == "01 02 03 04 05"
    assert row["organization_id"] == str(paul.organization_id) == str(item["organization_id"])
    # A text that starts like a formula never runs in a spreadsheet; JSON keeps it exact.
    assert row["job_title"] == "'" + paul.job_title
    assert item["job_title"] == paul.job_title
    assert dt.datetime.fromisoformat(row["unsubscribed_at"]) == paul.unsubscribed_at
    assert row["is_active"] == "oui" and item["is_active"] is True
    assert row["left_at"] == "" and item["left_at"] is None
    assert (row["source"], row["source_libelle"]) == (paul.source, paul.get_source_display())
    assert "user" not in row and "user_id" not in row
    # The erased person keeps a row, with no name and no address.
    erased = Contact.objects.get(territory=paul.territory, anonymized_at__isnull=False)
    erased_row = by_id(read_csv(archive, "annuaire/contacts"))[str(erased.pk)]
    assert erased_row["last_name"] == "Personne effacée"
    assert erased_row["email"].endswith("@anonyme.invalid")


def test_links_and_reference_data_read_back(archive, data):
    fiche = data["fiche"]
    row = by_id(read_csv(archive, "fiches/fiches_actions"))[str(fiche.pk)]
    item = by_id(read_json(archive, "fiches/fiches_actions"))[str(fiche.pk)]
    axes = sorted(fiche.transversal_axes.values_list("pk", flat=True))
    assert item["transversal_axes_ids"] == axes
    assert row["transversal_axes_ids"] == LIST_SEPARATOR.join(map(str, axes))
    assert item["publics"] == [p.name for p in fiche.publics.all()]
    assert item["ottawa_areas"] == [a.name for a in fiche.ottawa_areas.all()]
    assert item["copilots_ids"] == [data["paul"].pk]
    assert row["budget_total"] == item["budget_total"] == "12500.50"
    assert (row["status"], row["status_libelle"]) == (fiche.status, fiche.get_status_display())
    structures = by_id(read_json(archive, "annuaire/structures"))
    assert structures[str(fiche.pilot_organization_id)]["sectors"] == ["Santé"]
    partner = read_json(archive, "fiches/partenaires")[0]
    assert partner["level"] == str(ActionPartner.objects.get(fiche=fiche).level)
    value = read_csv(archive, "indicateurs/valeurs")[0]
    stored = IndicatorValue.objects.get(pk=value["id"]).value
    assert stored == Decimal("42.5")
    assert (value["measured_on"], value["value"]) == ("2024-06-30", str(stored))
    update = read_csv(archive, "fiches/actualites")[0]
    assert update["author_nom"] == "Claire Coordinatrice"
    assert "coordinatrice@" not in archive.read("fiches/actualites.csv").decode()
    interview = read_json(archive, "evaluation/entretiens")[0]
    assert interview["conducted_by_nom"] == "Claire Coordinatrice"
    answers = read_json(archive, "evaluation/reponses")
    assert answers[0]["text"] == "Très utile "
    attendance = {r["attendance"] for r in read_csv(archive, "reunions/invitations")}
    assert "present" in attendance
    territory = read_json(archive, "territoire")
    assert (
        territory == [{**territory[0], "name": "Cergy", "slug": "cergy"}]
        and "id" not in territory[0]
    )


def test_documents_are_in_the_archive_byte_for_byte(archive, data):
    meeting, contract = data["meeting"], data["contract"]
    document = MeetingDocument.objects.get(meeting=meeting)
    row = by_id(read_csv(archive, "reunions/documents"))[str(document.pk)]
    assert row["file"].startswith("documents/reunions/documents/")
    assert archive.read(row["file"]) == SLIDES
    contract_row = by_id(read_csv(archive, "contrats/contrats"))[str(contract.pk)]
    assert archive.read(contract_row["signed_document"]) == SIGNED_PDF
    meeting_row = by_id(read_csv(archive, "reunions/reunions"))[str(meeting.pk)]
    assert archive.read(meeting_row["report_pdf"]) == REPORT_PDF


def test_compte_rendus_are_given_in_html_and_in_text(archive, data):
    meeting = data["meeting"]
    row = by_id(read_json(archive, "reunions/reunions"))[str(meeting.pk)]
    assert "report" not in row
    page = archive.read(row["report_html"]).decode()
    assert page.startswith("<!DOCTYPE html>") and REPORT_HTML in page
    text = archive.read(row["report_texte"]).decode()
    assert "Points abordés" in text and "- Dépistage" in text and "<" not in text
    assert row["report_html"] == f"reunions/comptes-rendus/{meeting.pk}.html"


def test_nothing_of_another_territory_is_inside(archive, other_data):
    for name in archive.namelist():
        content = archive.read(name)
        assert MARKER.encode() not in content, name
    other_ids = {str(other_data["paul"].pk)}
    assert not other_ids & set(by_id(read_csv(archive, "annuaire/contacts")))
    assert str(other_data["meeting"].pk) not in by_id(read_csv(archive, "reunions/reunions"))


def test_the_readme_describes_every_file_and_column_in_french(archive, coordinator):
    readme = archive.read("README.txt").decode()
    assert max(len(line) for line in readme.splitlines()) <= 78
    assert readme.startswith("Archive des données du Contrat local de santé de Cergy")
    flat = " ".join(readme.split())
    for table in TABLES:
        assert f"{table.path}.csv et {table.path}.json" in flat
        for column in table.columns:
            assert f"\n  {column.key} : " in readme, (table.path, column.key)
    assert "first_name : prénom ; texte" in flat
    assert "status : état ; texte. Codes : planned = " in flat
    assert "annuaire/contacts.csv et annuaire/contacts.json : contacts (2 lignes)" in flat
    assert "Ce qui n'est pas dans l'archive" in readme
    assert "Documents absents" not in readme


def test_a_missing_file_leaves_its_column_empty_and_is_named_in_the_readme(
    login_as, coordinator, data
):
    document = MeetingDocument.objects.get(meeting=data["meeting"])
    document.file.storage.delete(document.file.name)
    archive = download(login_as(coordinator))
    assert by_id(read_csv(archive, "reunions/documents"))[str(document.pk)]["file"] == ""
    readme = archive.read("README.txt").decode()
    assert "Documents absents" in readme and document.file.name in readme


def test_every_model_is_archived_or_said_to_be_left_out():
    archived = {table.model._meta.label for table in TABLES}
    project = {
        model._meta.label
        for label in ("cls_platform", "partners", "actions", "workgroups", "evaluation")
        for model in apps.get_app_config(label).get_models()
    }
    assert not archived & set(NOT_ARCHIVED)
    assert project - archived - set(NOT_ARCHIVED) == set(), "ajoutez la table ou sa raison"


# --- who, and how -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [URL, PAGE])
def test_only_the_coordination_downloads(client, login_as, url, copilot, viewer, outsider):
    for access, status in ((copilot, 403), (viewer, 403), (outsider, 404)):
        client.logout()
        assert login_as(access).get(url).status_code == status
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_the_archive_is_never_cached_and_is_sent_from_a_file(login_as, coordinator, data):
    client = login_as(coordinator)
    response = client.get(URL)
    assert "no-store" in response["Cache-Control"]
    assert isinstance(response, FileResponse) and response.streaming
    assert int(response["Content-Length"]) > len(SLIDES)
    assert len(b"".join(response.streaming_content)) == int(response["Content-Length"])
    page = client.get(PAGE)
    assert "no-store" in page["Cache-Control"]
    assert "Télécharger l'archive (ZIP)" in page.content.decode()


def test_the_download_is_recorded_in_the_audit_trail_with_counts_only(login_as, coordinator, data):
    download(login_as(coordinator))
    entry = AuditEntry.objects.get(event=AuditEvent.EXPORT, territory=coordinator.territory)
    assert entry.actor_id == coordinator.user_id
    assert entry.additional_data["format"] == "zip"
    assert entry.additional_data["rows"] > 0 and entry.additional_data["documents"] == 3
    assert "@" not in str(entry.additional_data) + entry.object_repr


def test_the_download_keeps_a_constant_query_count(login_as, coordinator):
    territory = coordinator.territory
    fill(territory)
    count = assert_constant_queries(
        login_as(coordinator), URL, lambda: fill(territory, size=6, tag="bis"), at_most=70
    )
    assert count > len(TABLES)


def test_the_page_lists_what_is_inside_and_what_is_not(login_as, coordinator):
    page = login_as(coordinator).get(PAGE).content.decode()
    for table in TABLES:
        assert f"{table.path}.csv" in page
    assert "agendas abonnés" in page.lower()
