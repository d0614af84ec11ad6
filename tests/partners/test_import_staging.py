"""The upload page's import: the file is read once, and the confirmation writes exactly what the
preview showed, or nothing (with the reason, in French)."""

from __future__ import annotations

import datetime as dt
import html
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partners import import_reading
from partners.importing import partner_import_stage
from partners.models import Contact, Organization, PartnerImport
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire"
SHEET = (
    "Nom;Prénom;Structure;Courriel\n"
    "Roux;Anne;CCAS;anne@ccas.fr\n"
    "Petit;Bruno;Mission locale;bruno@ml.fr\n"
    "X;Y;Z;pas-une-adresse\n"
)


def text(response) -> str:
    """The page as read: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def upload(client, text: str = SHEET, name: str = "annuaire.csv") -> str:
    """Posts the file; the address of its preview."""
    response = client.post(
        f"{BASE}/import/", {"file": SimpleUploadedFile(name, text.encode("utf-8"))}
    )
    assert response.status_code == 302
    return response["Location"]


def test_the_confirmation_writes_what_the_preview_showed_without_reading_the_file_again(
    login_as, coordinator, monkeypatch
):
    client = login_as(coordinator)
    preview = upload(client)
    page = text(client.get(preview))
    assert "Aperçu de l'import" in page
    assert "anne@ccas.fr" in page and "bruno@ml.fr" in page
    assert "adresse e-mail invalide : « pas-une-adresse »" in page
    assert not Contact.objects.exists(), "a preview writes nothing"

    # Were the file read again, it would now give another person and none of the previewed.
    def reads_differently(content: bytes, file_name: str):
        return [(1, ["Nom", "Courriel"]), (2, ["Autre", "autre@ailleurs.fr"])]

    monkeypatch.setattr(import_reading, "read_rows", reads_differently)
    done = text(client.post(preview, follow=True))

    assert "L'import est enregistré." in done
    assert "Import enregistré" in done
    assert set(Contact.objects.values_list("email", flat=True)) == {"anne@ccas.fr", "bruno@ml.fr"}
    assert set(Organization.objects.values_list("name", flat=True)) == {"CCAS", "Mission locale"}
    report = PartnerImport.objects.get().report
    assert [(line["number"], line["outcome"]) for line in report["lines"]] == [
        (2, "created"),
        (3, "created"),
        (4, "rejected"),
    ]


def test_a_second_confirmation_writes_nothing_more(login_as, coordinator):
    client = login_as(coordinator)
    preview = upload(client)
    client.post(preview, follow=True)
    Contact.objects.filter(email="anne@ccas.fr").update(job_title="Directrice")
    again = text(client.post(preview, follow=True))
    assert "L'import est enregistré." not in again
    assert "Import enregistré" in again
    assert Contact.objects.count() == 2
    assert Contact.objects.get(email="anne@ccas.fr").job_title == "Directrice"


def test_a_directory_changed_since_the_preview_is_refused_in_french(login_as, coordinator):
    client = login_as(coordinator)
    preview = upload(client)
    # Someone types Anne in by hand meanwhile: the file would now update her, not create her.
    ContactFactory(
        territory=coordinator.territory, email="anne@ccas.fr", last_name="Roux", job_title="DG"
    )

    response = client.post(preview, follow=True)

    page = text(response)
    assert response.redirect_chain[-1][0] == f"{BASE}/import/"
    assert "L'annuaire a changé depuis cet aperçu (ligne 2 du fichier)" in page
    assert "rien n'a été importé" in page
    assert list(Contact.objects.values_list("email", "job_title")) == [("anne@ccas.fr", "DG")]
    assert not Organization.objects.filter(name__in=["CCAS", "Mission locale"]).exists()
    assert PartnerImport.objects.get().applied_at is None


@pytest.mark.parametrize(
    "alter",
    [
        pytest.param(lambda content: b"pas un aper\xc3\xa7u", id="garbage"),
        pytest.param(lambda content: content[:-3] + b"abc", id="signature"),
        pytest.param(lambda content: content.replace(b".", b"x", 1), id="payload"),
    ],
)
def test_an_altered_staging_is_refused_in_french(login_as, coordinator, alter):
    client = login_as(coordinator)
    preview = upload(client)
    pending = PartnerImport.objects.get()
    PartnerImport.objects.filter(pk=pending.pk).update(content=alter(bytes(pending.content)))

    page = text(client.post(preview, follow=True))

    assert "Cet aperçu n'est plus valable : rien n'a été importé." in page
    assert not Contact.objects.exists()
    assert not Organization.objects.exists()


def test_a_staging_made_for_another_territory_is_refused(login_as, coordinator, outsider):
    client = login_as(coordinator)
    preview = upload(client)
    elsewhere = partner_import_stage(
        territory=outsider.territory,
        content=SHEET.encode(),
        file_name="annuaire.csv",
        uploaded_by=outsider.user,
    )
    PartnerImport.objects.filter(territory=coordinator.territory).update(
        content=bytes(elsewhere.content)
    )

    page = text(client.post(preview, follow=True))

    assert "Cet aperçu n'est plus valable" in page
    assert not Contact.objects.exists()


def test_a_staging_older_than_a_week_is_refused(login_as, coordinator, monkeypatch):
    client = login_as(coordinator)
    preview = upload(client)
    later = time.time() + dt.timedelta(days=8).total_seconds()
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)

    page = text(client.post(preview, follow=True))

    assert "Cet aperçu n'est plus valable" in page
    assert not Contact.objects.exists()
