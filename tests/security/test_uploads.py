"""Files that are not what their name says, too large, or built to exhaust the server.

At each upload of the project (the partners' import, a meeting's shared resources, a
contract's signed PDF): an HTML page or an SVG image named .pdf (or .csv, .xlsx), a file one
byte over the limit, an XLSX of a few hundred kilobytes whose sheet inflates past 100 MB. Each
is refused with a French message that says what to do, and nothing is stored: no row, no file
in the media folder.
"""

from __future__ import annotations

import functools
import html
import io
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actions.forms.contracts import MAX_PDF_BYTES
from partners.forms import MAX_IMPORT_BYTES
from partners.models import Contact, PartnerImport
from tests.conftest import login
from tests.factories import ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups.models import MeetingDocument
from workgroups.services.reports import MAX_DOCUMENT_BYTES

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>\n'
)
DISGUISED = {"html": HTML, "svg": SVG}


def media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@functools.cache
def xlsx_bomb(inflated: int = 110 * 1024 * 1024) -> bytes:
    """A workbook Excel would open, whose one sheet inflates to `inflated` bytes of XML: a
    header the import recognises, then the same empty row again and again."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
            'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="Annuaire" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        head = (
            '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Nom'
            '</t></is></c><c r="B1" t="inlineStr"><is><t>Courriel</t></is></c></row>'
        )
        tail = "</sheetData></worksheet>"
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head.encode())
            chunk = b"<row/>" * (1024 * 1024 // 6)
            written = len(head)
            while written < inflated:
                sheet.write(chunk)
                written += len(chunk)
            sheet.write(tail.encode())
    return buffer.getvalue()


def test_the_bomb_is_small_and_inflates_past_100_mb():
    bomb = xlsx_bomb()
    assert len(bomb) < 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert sum(part.file_size for part in archive.infolist()) > 100 * 1024 * 1024


# --- the partners' import -----------------------------------------------------------------------


@pytest.fixture
def import_page(territory, coordinator):
    client = login(Client(), coordinator)
    url = reverse("partners:import_upload", kwargs={"territory": territory.slug})

    def upload(name: str, content: bytes) -> str:
        before, files = Contact.objects.count(), media_files()
        response = client.post(url, {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200, "the form again, with its error"
        assert PartnerImport.objects.count() == 0
        assert Contact.objects.count() == before
        assert media_files() == files
        return html.unescape(response.content.decode())

    return upload


@pytest.mark.parametrize("kind", sorted(DISGUISED))
@pytest.mark.parametrize("extension", ["pdf", "csv", "xlsx"])
def test_the_import_refuses_a_page_or_an_image_named_as_a_table(import_page, kind, extension):
    page = import_page(f"annuaire.{extension}", DISGUISED[kind])
    if extension == "pdf":
        assert "Déposez un fichier .csv ou .xlsx" in page
    else:
        assert f"« annuaire.{extension} » n'est pas un tableau : son contenu ne correspond" in page


def test_the_import_refuses_a_file_over_its_limit(import_page):
    content = b"Nom;Courriel\n" + b"Martin;martin@exemple.fr\n" * (MAX_IMPORT_BYTES // 24 + 1)
    assert len(content) > MAX_IMPORT_BYTES
    assert "Ce fichier dépasse 5 Mo." in import_page("annuaire.csv", content)


def test_the_import_refuses_an_xlsx_zip_bomb_without_inflating_it(import_page):
    bomb = xlsx_bomb()
    started = time.monotonic()
    page = import_page("annuaire.xlsx", bomb)
    assert time.monotonic() - started < 5, "refused from the zip's directory, not read"
    assert "Ce fichier Excel" in page and "Mo" in page


# --- a meeting's shared resources -----------------------------------------------------------------


@pytest.fixture
def meeting_upload(territory, coordinator):
    meeting = MeetingFactory(group=WorkGroupFactory(contract=ContractFactory(territory=territory)))
    client = login(Client(), coordinator)
    url = reverse(
        "workgroups:document_upload", kwargs={"territory": territory.slug, "pk": meeting.pk}
    )

    def upload(name: str, content: bytes) -> str:
        files = media_files()
        response = client.post(
            url, {"title": "", "file": SimpleUploadedFile(name, content)}, follow=True
        )
        assert response.status_code == 200
        assert not MeetingDocument.objects.exists()
        assert media_files() == files
        return html.unescape(response.content.decode())

    return upload


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_a_meeting_refuses_a_page_or_an_image_named_pdf(meeting_upload, kind):
    page = meeting_upload("ordre-du-jour.pdf", DISGUISED[kind])
    assert "ne ressemble pas à un PDF" in page
    assert "son contenu ne correspond pas à son extension" in page


@pytest.mark.parametrize("name", ["page.html", "plan.svg", "page.htm"])
def test_a_meeting_refuses_a_page_or_an_image_by_its_own_name(meeting_upload, name):
    page = meeting_upload(name, SVG if name.endswith("svg") else HTML)
    assert "Type de fichier refusé : PDF, documents bureautiques ou images seulement." in page


def test_a_meeting_refuses_a_page_named_as_an_office_file(meeting_upload):
    page = meeting_upload("diaporama.pptx", HTML)
    assert "ne ressemble pas à une présentation PowerPoint" in page


def test_a_meeting_refuses_a_file_over_its_limit(meeting_upload):
    content = b"%PDF-1.7\n" + b"0" * MAX_DOCUMENT_BYTES
    page = meeting_upload("diaporama.pdf", content)
    assert "Ce fichier dépasse 15 Mo" in page


# --- a contract's signed PDF ----------------------------------------------------------------------


@pytest.fixture
def contract_upload(territory, coordinator):
    contract = ContractFactory(territory=territory)
    client = login(Client(), coordinator)
    url = reverse(
        "actions:contract_document_upload", kwargs={"territory": territory.slug, "pk": contract.pk}
    )

    def upload(name: str, content: bytes) -> str:
        files = media_files()
        response = client.post(url, {"document": SimpleUploadedFile(name, content)})
        assert response.status_code == 200, "the form again, with its error"
        contract.refresh_from_db()
        assert not contract.signed_document
        assert media_files() == files
        return html.unescape(response.content.decode())

    return upload


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_a_contract_refuses_a_page_or_an_image_named_pdf(contract_upload, kind):
    assert "Déposez le contrat signé au format PDF." in contract_upload(
        "contrat.pdf", DISGUISED[kind]
    )


def test_a_contract_refuses_a_pdf_over_its_limit(contract_upload):
    content = b"%PDF-1.7\n" + b"0" * MAX_PDF_BYTES
    assert "Ce fichier dépasse 20 Mo" in contract_upload("contrat.pdf", content)


@pytest.mark.parametrize("name", ["budget.xlsx", "compte-rendu.docx"])
def test_a_meeting_refuses_a_zip_bomb_named_as_an_office_file(meeting_upload, name):
    """Stored, it would be sent to every recipient, whose spreadsheet program would choke."""
    page = meeting_upload(name, xlsx_bomb())
    assert f"« {name} » se décompresse en un volume démesuré" in page
    assert "Déposez-en une version PDF." in page


def test_a_meeting_takes_a_real_office_file(territory, coordinator):
    """The guard of the bomb test: an ordinary workbook, zipped the same way, is taken."""
    from cls_platform.spreadsheets import xlsx_bytes

    meeting = MeetingFactory(group=WorkGroupFactory(contract=ContractFactory(territory=territory)))
    url = reverse(
        "workgroups:document_upload", kwargs={"territory": territory.slug, "pk": meeting.pk}
    )
    content = xlsx_bytes([["Nom", "Courriel"]] * 2000, title="Budget")
    response = login(Client(), coordinator).post(
        url, {"title": "", "file": SimpleUploadedFile("budget.xlsx", content)}, follow=True
    )
    assert "Ressource « budget.xlsx » ajoutée." in html.unescape(response.content.decode())
    assert MeetingDocument.objects.get().file_name == "budget.xlsx"
