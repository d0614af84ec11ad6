"""Formulas typed into the data never run in the spreadsheets made of it (CSV injection).

A partner types `=HYPERLINK("http://x","y")` as their job title through their self-service
link; a coordinator downloads the directory and opens it in Excel. Every export of the project
is downloaded here and read back (csv module, openpyxl): a text starting like a formula
(`=`, `+`, `-`, `@`) is shown as text, prefixed with an apostrophe as OWASP advises, and no
XLSX cell holds a formula.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions.models import Axis, Contract, FicheAction, Indicator
from cls_platform.models import Access, Role
from evaluation.interviews.models import Interview
from evaluation.opendata.tables import TABLES as OPENDATA_TABLES
from partners.models import Contact, Organization
from tests.conftest import login
from tests.evaluation.test_archive import fill
from tests.factories import AccessFactory, TerritoryFactory
from workgroups.models import Meeting, WorkGroup

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
PLUS = "+cmd"
MINUS = "-1+1"
AT = "@SUM(A1)"
FORMULAS = (HYPERLINK, PLUS, MINUS, AT)
# What a spreadsheet may read as a formula; a negative number is a number, not a formula.
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^-\d+([.,]\d+)?$")


@pytest.fixture(scope="module")
def formulas(django_db_setup, django_db_blocker, tmp_path_factory):
    """Cergy's data, its texts replaced by formulas; built once, rolled back at the end."""
    # The files of the records go where each test's (tests/conftest.py) go, not to var/media.
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.getbasetemp() / "media"))
    with media, django_db_blocker.unblock(), transaction.atomic():
        territory = TerritoryFactory(name="Cergy", slug="cergy")
        coordinator = AccessFactory(
            territory=territory, role=Role.COORDINATOR, user__email="coordinatrice@cergy.fr"
        )
        fill(territory)
        Contact.objects.update(last_name=HYPERLINK, first_name=AT, job_title=PLUS)
        Organization.objects.update(name=MINUS, acronym=AT)
        Contract.objects.update(title=HYPERLINK, open_data_published_at=timezone.now())
        Axis.objects.update(title=AT)
        FicheAction.objects.update(title=PLUS, description=HYPERLINK)
        Indicator.objects.update(title=MINUS)
        WorkGroup.objects.update(name=HYPERLINK)
        Meeting.objects.update(title=AT)
        Interview.objects.update(needs=HYPERLINK, missions=PLUS, follow_up=AT)
        yield coordinator
        transaction.set_rollback(True)


@pytest.fixture
def client(formulas, db) -> Client:
    access = Access.objects.select_related("user").get(pk=formulas.pk)
    return login(Client(), access)


def csv_cells(content: bytes, delimiter: str) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def assert_neutralised(cells: list[str], where: str) -> None:
    """No cell starts like a formula; at least one formula of the data is there, quoted."""
    live = [c for c in cells if FORMULA_START.match(c) and not NUMBER.match(c)]
    assert live == [], f"{where} : formules actives {live[:5]}"
    quoted = {c[1:] for c in cells if c.startswith("'")}
    assert quoted & set(FORMULAS), f"{where} : aucune donnée piégée exportée"


def assert_xlsx_neutralised(content: bytes, where: str) -> None:
    workbook = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where} : formule en {cell.coordinate}"
                if isinstance(cell.value, str) and FORMULA_START.match(cell.value):
                    assert cell.quotePrefix, f"{where} : {cell.coordinate} sans préfixe"
                    texts.append(cell.value)
    assert set(texts) & set(FORMULAS), f"{where} : aucune donnée piégée exportée"


EXPORTS = {
    "partners:export": {"format": "csv"},
    "actions:fiche_export_csv": {},
    "evaluation:interview_export_csv": {},
}
XLSX_EXPORTS = {
    "partners:export": {"format": "xlsx"},
    "actions:fiche_export_xlsx": {},
    "evaluation:interview_export_xlsx": {},
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_csv_exports_show_formulas_as_text(client, name):
    url = reverse(name, kwargs={"territory": "cergy", **EXPORTS[name]})
    response = client.get(url)
    assert response.status_code == 200, url
    assert_neutralised(csv_cells(response.content, ";"), name)


@pytest.mark.parametrize("name", sorted(XLSX_EXPORTS))
def test_xlsx_exports_hold_no_formula(client, name):
    url = reverse(name, kwargs={"territory": "cergy", **XLSX_EXPORTS[name]})
    response = client.get(url)
    assert response.status_code == 200, url
    assert_xlsx_neutralised(response.content, name)


def test_the_portfolio_exports_show_formulas_as_text(client):
    response = client.get(reverse("portfolio:export_csv"))
    assert response.status_code == 200
    assert_neutralised(csv_cells(response.content, ";"), "portfolio:export_csv")
    response = client.get(reverse("portfolio:export_xlsx"))
    assert response.status_code == 200
    assert_xlsx_neutralised(response.content, "portfolio:export_xlsx")


def test_the_archive_shows_formulas_as_text_in_every_csv(client):
    response = client.get(reverse("evaluation:archive_download", kwargs={"territory": "cergy"}))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    every = []
    for name in archive.namelist():
        if name.endswith(".csv"):
            cells = csv_cells(archive.read(name), ";")
            live = [c for c in cells if FORMULA_START.match(c) and not NUMBER.match(c)]
            assert live == [], f"{name} : formules actives {live[:5]}"
            every += cells
    assert_neutralised(every, "archive")


@pytest.mark.parametrize("table", sorted(OPENDATA_TABLES))
def test_open_data_tables_show_formulas_as_text(table, formulas, db):
    """Published for anyone to download and open: the contract's texts, never run."""
    response = Client().get(
        reverse("opendata:table", kwargs={"territory": "cergy", "table": table})
    )
    assert response.status_code == 200
    cells = csv_cells(response.content, ",")
    live = [c for c in cells if FORMULA_START.match(c) and not NUMBER.match(c)]
    assert live == [], f"{table} : formules actives {live[:5]}"


def test_open_data_keeps_the_formulas_text_after_the_quote(formulas, db):
    response = Client().get(
        reverse("opendata:table", kwargs={"territory": "cergy", "table": "fiches-actions"})
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and {row["nom"] for row in rows} == {f"'{PLUS}"}
