"""The archive of the Cergy demo (issue 12, "done when"): it holds every table the issue lists,
each re-read without error in CSV and in JSON, and nothing of Vitry-sur-Seine."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from evaluation.archive.tables import TABLES
from partners.models import Contact

pytestmark = pytest.mark.django_db

# What the issue lists, by file: each must hold rows in the demo.
LISTED = [
    "annuaire/structures",  # directory
    "annuaire/contacts",
    "contrats/contrats",
    "contrats/axes",
    "fiches/fiches_actions",
    "indicateurs/indicateurs",
    "indicateurs/valeurs",
    "groupes/groupes",
    "reunions/reunions",
    "reunions/invitations",  # attendance
    "evaluation/questionnaires",  # surveys
    "evaluation/questions",
    "evaluation/personnes_interrogees",
    "evaluation/reponses",
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def download(slug: str, account: str) -> zipfile.ZipFile:
    client = Client()
    assert client.login(username=account, password="demo-cls-2026")
    response = client.get(f"/t/{slug}/archive/telecharger/")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def demo(seeded, db, settings) -> None:
    settings.DEBUG = True  # demo accounts are refused otherwise


@pytest.fixture
def archive(demo) -> zipfile.ZipFile:
    return download("cergy", "coordination@cergy.demo")


def test_the_cergy_archive_holds_every_table_and_reads_back(archive):
    assert archive.testzip() is None
    counts = {}
    for table in TABLES:
        text = archive.read(f"{table.path}.csv").decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        items = json.loads(archive.read(f"{table.path}.json"))
        assert len(rows) == len(items), table.path
        if table.path != "territoire":
            assert [row["id"] for row in rows] == [str(item["id"]) for item in items]
        counts[table.path] = len(rows)
    empty = [path for path in LISTED if not counts[path]]
    assert not empty, f"tables vides dans l'archive de Cergy : {empty}"
    assert counts["annuaire/contacts"] == Contact.objects.filter(territory__slug="cergy").count()
    # The compte-rendus the demo wrote, in HTML and text.
    reports = [n for n in archive.namelist() if n.startswith("reunions/comptes-rendus/")]
    assert reports and len(reports) % 2 == 0
    readme = archive.read("README.txt").decode()
    assert "Contrat local de santé de Cergy" in readme


def test_the_cergy_archive_holds_nothing_of_vitry(archive):
    vitry = set(
        Contact.objects.filter(territory__slug="vitry-sur-seine").values_list("email", flat=True)
    )
    text = archive.read("annuaire/contacts.csv").decode("utf-8-sig")
    emails = {row["email"] for row in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert emails and not emails & vitry
    for name in archive.namelist():
        content = archive.read(name)
        assert not any(address.encode() in content for address in vitry), name


def test_the_vitry_archive_holds_its_interviews(demo):
    archive = download("vitry-sur-seine", "coordination@vitry.demo")
    interviews = json.loads(archive.read("evaluation/entretiens.json"))
    assert interviews and all(item["held_on"] for item in interviews)
