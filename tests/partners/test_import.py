"""Importing the spreadsheets coordinators keep: every outcome, line by line, all or nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from partners.importing import ImportFileError, import_partners
from partners.models import Contact, ContactSource, Organization, SuppressedAddress, email_hash
from tests.factories import ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

MESSY = """Annuaire des partenaires du CLS (mise à jour mars)
NOM;Prénom;Structure;Fonction;E-mail;Tél.;Secteur
DUPONT;Marie;Centre Communal d'Action Sociale;Directrice;Marie.Dupont@CCAS.fr ;0612345678;Social
;;;;;;
Martin;Paul;Mission locale;Conseiller;;0102030405;Emploi
Benali;Samir;Mission locale;Conseiller;samir.benali@;;
Traoré;Fatou;CPTS;Coordinatrice;fatou@cpts.fr, f.traore@cpts.fr;;
dupont;;centre communal d’action sociale;;marie.dupont@ccas.fr;;
Nguyen;Linh;Association Addictions France;Chargée de prévention;linh.nguyen@addictions.fr;;Santé/Sport/Astrologie
"""


def run(territory, text: str | bytes, name: str = "partenaires.csv", **kwargs):
    content = text.encode("utf-8") if isinstance(text, str) else text
    return import_partners(territory=territory, content=content, file_name=name, **kwargs)


def outcomes(report) -> dict[int, tuple[str, str]]:
    return {line.number: (line.outcome, line.detail) for line in report.lines}


def test_messy_file_report_is_right_line_by_line(territory):
    OrganizationFactory(territory=territory, name="Centre communal d'action sociale")
    report = run(territory, MESSY)
    lines = outcomes(report)
    assert lines[3][0] == "created"
    assert lines[4] == ("rejected", "ligne vide")
    assert lines[5] == ("rejected", "adresse e-mail manquante")
    assert lines[6][0] == "rejected" and "adresse e-mail invalide" in lines[6][1]
    assert lines[7][0] == "rejected" and "plusieurs adresses" in lines[7][1]
    assert lines[8] == ("merged", "fusionnée avec la ligne 3")
    assert lines[9][0] == "created" and "secteur inconnu ignoré : « Astrologie »" in lines[9][1]
    assert report.summary == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "merged": 1,
        "rejected": 4,
    }

    marie = Contact.objects.get(email="marie.dupont@ccas.fr")
    assert (marie.first_name, marie.last_name, marie.phone) == ("Marie", "Dupont", "06 12 34 56 78")
    # Matched to the existing structure despite case, accents and a typographic apostrophe.
    assert marie.organization.name == "Centre communal d'action sociale"
    assert marie.source == ContactSource.IMPORT
    assert marie.source_detail == "partenaires.csv, ligne 3"
    assert marie.last_activity_at is not None
    linh = Contact.objects.get(email="linh.nguyen@addictions.fr")
    assert set(linh.organization.sectors.values_list("slug", flat=True)) == {"sante", "sport"}
    assert report.organizations_created == ["Association Addictions France"]


def test_existing_contacts_are_updated_or_left_alone(territory):
    ContactFactory(
        territory=territory, email="anne@ville.fr", job_title="Chargée de mission", last_name="Roux"
    )
    ContactFactory(
        territory=territory, email="bruno@ville.fr", first_name="Bruno", last_name="Petit"
    )
    report = run(
        territory,
        "Nom,Prénom,Courriel,Fonction\nRoux,Anne,ANNE@ville.fr,Directrice\nPetit,Bruno,bruno@ville.fr,\n",
    )
    lines = outcomes(report)
    assert lines[2][0] == "updated" and "fonction" in lines[2][1]
    assert lines[3][0] == "unchanged"
    assert Contact.objects.get(email="anne@ville.fr").job_title == "Directrice"
    assert Contact.objects.filter(territory=territory).count() == 2


def test_windows_1252_comma_file_with_other_headers(territory):
    text = "Nom complet,Organisme,Mail,Téléphone\nGARCIA Élodie,Maison de quartier des Linandes,elodie@mq.fr,01 34 00 00 00\n"
    report = run(territory, text.encode("cp1252"))
    assert report.summary["created"] == 1
    contact = Contact.objects.get(email="elodie@mq.fr")
    assert (contact.first_name, contact.last_name) == ("Élodie", "Garcia")
    assert contact.organization.name == "Maison de quartier des Linandes"


def test_utf8_bom_and_excel_files_read_alike(territory):
    bom = "\ufeffNom;Prénom;Courriel\nLaurent;Hugo;hugo@asso.fr\n".encode()
    assert run(territory, bom).summary["created"] == 1

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Prénom", "Structure", "Adresse mail", "Téléphone"])
    sheet.append(["Simon", "Inès", "PMI", "ines.simon@pmi.fr", 612345678])  # number: lost zero
    sheet.append([None, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(territory, buffer.getvalue(), name="annuaire.xlsx")
    assert report.summary["created"] == 1
    assert report.summary["rejected"] == 0, "trailing empty rows of a sheet are not rejections"
    assert Contact.objects.get(email="ines.simon@pmi.fr").phone == "06 12 34 56 78"


def test_too_long_values_and_erased_people_are_rejected(territory):
    SuppressedAddress.objects.create(territory=territory, email_sha256=email_hash("efface@asso.fr"))
    long_title = "x" * 201
    report = run(territory, f"Nom;Courriel;Fonction\nA;efface@asso.fr;\nB;b@asso.fr;{long_title}\n")
    lines = outcomes(report)
    assert lines[2][0] == "rejected" and "RGPD" in lines[2][1]
    assert lines[3] == ("rejected", "« Fonction » dépasse 200 caractères")
    assert not Contact.objects.exists()


def test_a_file_without_an_email_column_is_refused_whole(territory):
    with pytest.raises(ImportFileError, match="colonne d'adresses e-mail"):
        run(territory, "Nom;Prénom;Structure\nA;B;C\n")
    assert not Organization.objects.exists()


def test_a_binary_file_is_refused(territory):
    with pytest.raises(ImportFileError):
        run(territory, b"\x00\x01\x02 pas un tableur", name="photo.csv")


def test_dry_run_reports_the_same_and_writes_nothing(territory):
    preview = run(territory, MESSY, dry_run=True)
    assert not Contact.objects.exists()
    assert not Organization.objects.exists()
    real = run(territory, MESSY)
    assert preview.summary == real.summary
    assert [(line.number, line.outcome) for line in preview.lines] == [
        (line.number, line.outcome) for line in real.lines
    ]


def test_an_import_that_fails_half_way_changes_nothing(territory, monkeypatch):
    from partners import importing

    calls = {"n": 0}
    original = importing.Importer.apply

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("coupure de la base")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(importing.Importer, "apply", flaky)
    with pytest.raises(RuntimeError):
        run(territory, "Nom;Structure;Courriel\nA;S1;a@x.fr\nB;S2;b@x.fr\n")
    assert not Contact.objects.exists()
    assert not Organization.objects.exists()


def test_other_territories_are_untouched(territory, other_territory):
    ContactFactory(territory=other_territory, email="partage@asso.fr", job_title="Ancienne")
    run(territory, "Nom;Courriel;Fonction\nA;partage@asso.fr;Nouvelle\n")
    assert Contact.objects.get(territory=other_territory).job_title == "Ancienne"
    assert Contact.objects.get(territory=territory).job_title == "Nouvelle"


def test_command_prints_the_report_and_honours_dry_run(territory, tmp_path):
    path = tmp_path / "partenaires.csv"
    path.write_text(MESSY, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import_partners", str(path), "--territory", territory.slug, "--dry-run", stdout=out
    )
    assert "Simulation de partenaires.csv : 2 créé(s)" in out.getvalue()
    assert "ligne 6 · REJETÉ" in out.getvalue()
    assert not Contact.objects.exists()
    call_command("import_partners", str(path), "--territory", territory.slug, stdout=io.StringIO())
    assert Contact.objects.count() == 2


def test_command_explains_bad_arguments_in_french(territory, tmp_path):
    with pytest.raises(CommandError, match="Territoire inconnu"):
        call_command("import_partners", str(tmp_path / "x.csv"), "--territory", "atlantide")
    with pytest.raises(CommandError, match="Fichier illisible"):
        call_command("import_partners", str(tmp_path / "absent.csv"), "--territory", territory.slug)


def test_structures_match_ignoring_case_accents_and_apostrophes(territory):
    OrganizationFactory(territory=territory, name="Centre communal d'action sociale")
    OrganizationFactory(
        territory=territory, name="Protection maternelle et infantile", acronym="PMI"
    )
    run(
        territory,
        "Nom;Structure;Courriel\n"
        "A;CENTRE COMMUNAL D’ACTION SOCIALE;a@x.fr\n"
        "B;centre  communal d'action   sociale;b@x.fr\n"
        "C;pmi;c@x.fr\n"
        "D;Protection Maternelle et Infantile;d@x.fr\n",
    )
    assert Organization.objects.filter(territory=territory).count() == 2
    assert set(Contact.objects.values_list("organization__name", flat=True)) == {
        "Centre communal d'action sociale",
        "Protection maternelle et infantile",
    }


# --- files as old and odd spreadsheets write them ---------------------------------------------


def test_old_mac_line_endings_are_read(territory):
    report = run(territory, "Nom;Courriel\rRoux;anne@asso.fr\rPetit;bruno@asso.fr\r")
    assert report.summary["created"] == 2
    assert [line.number for line in report.lines] == [2, 3]


def test_a_comma_file_under_a_title_line_is_read(territory):
    text = (
        "Annuaire des partenaires ; mise à jour de mars\n"
        "Nom,Prénom,Courriel,Structure\n"
        "Roux,Anne,anne@asso.fr,CCAS\n"
    )
    report = run(territory, text)
    assert report.summary["created"] == 1
    anne = Contact.objects.get(email="anne@asso.fr")
    assert (anne.first_name, anne.organization.name) == ("Anne", "CCAS")
    assert report.lines[0].number == 3


def test_line_numbers_are_those_of_the_file_when_a_cell_spans_lines(territory):
    text = (
        'Nom;Courriel;Fonction\nRoux;anne@asso.fr;"Directrice\nadjointe"\nPetit;pas-une-adresse;\n'
    )
    report = run(territory, text)
    assert outcomes(report)[4][0] == "rejected", "the bad address is on line 4 of the file"
    assert Contact.objects.get().job_title == "Directrice adjointe"


def test_addresses_too_long_for_the_directory_are_rejected_with_their_line(territory):
    local = "a" * 64
    domain = ".".join(["d" * 60] * 4) + ".fr"  # valid syntax, 313 characters in all
    address = f"{local}@{domain}"
    assert 254 < len(address) <= 320
    report = run(territory, f"Nom;Courriel\nLong;{address}\nCourt;ok@asso.fr\n")
    outcome, detail = outcomes(report)[2]
    assert outcome == "rejected" and "trop longue" in detail
    assert outcomes(report)[3][0] == "created"
    assert Contact.objects.count() == 1


def test_a_huge_cell_is_refused_in_french_not_with_an_error_page(territory, login_as, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "Nom;Courriel;Fonction\nRoux;anne@asso.fr;" + "x" * 200_000 + "\n"
    with pytest.raises(ImportFileError, match="ligne 2"):
        run(territory, text)
    response = login_as(coordinator).post(
        "/t/cergy/annuaire/import/", {"file": SimpleUploadedFile("gros.csv", text.encode())}
    )
    assert response.status_code == 200
    assert "dépasse 128 Ko" in response.content.decode()
    assert not Contact.objects.exists()


def test_the_command_reports_an_unreadable_csv_without_a_traceback(territory, tmp_path):
    path = tmp_path / "gros.csv"
    path.write_text('Nom;Courriel\n"Roux;anne@asso.fr\n' + "x" * 140_000, encoding="utf-8")
    with pytest.raises(CommandError, match="ne peut pas être lu"):
        call_command("import_partners", str(path), "--territory", territory.slug)


def test_an_exported_formula_like_cell_reimports_as_typed(territory):
    report = run(
        territory,
        "Nom;Courriel;Téléphone;Fonction\nRoux;anne@asso.fr;'+33 1 23 45 67 89;'=Cheffe\n",
    )
    assert report.summary["created"] == 1
    anne = Contact.objects.get()
    assert (anne.phone, anne.job_title) == ("+33 1 23 45 67 89", "=Cheffe")
