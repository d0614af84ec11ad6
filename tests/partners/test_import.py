"""Importing the spreadsheets coordinators keep: every outcome, line by line, all or nothing."""

from __future__ import annotations

import io
import zipfile

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
    assert "Simulation de partenaires.csv : créés : 2 ; mis à jour : 0 ;" in out.getvalue()
    assert "(s)" not in out.getvalue()
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
    assert "la ligne 2 dépasse 20\u202f000 caractères" in response.content.decode()
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


# --- bounded reading: a small file cannot take the import down ---------------------------------

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org'
        '/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{SHEET_NS}" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets>'
        '<sheet name="Partenaires" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
    ),
}


def cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def partner_row(number: int) -> str:
    return (
        f'<row r="{number}">{cell(f"A{number}", f"Nom{number}")}'
        f"{cell(f'B{number}', f'p{number}@asso.fr')}</row>"
    )


def xlsx_file(path, chunks) -> bytes:
    """An .xlsx written part by part, its sheet streamed chunk by chunk: the test stays light in
    memory however large the sheet's XML is once inflated."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in PACKAGE_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{SHEET_NS}"><sheetData>'.encode())
            sheet.write(f'<row r="1">{cell("A1", "Nom")}{cell("B1", "Courriel")}</row>'.encode())
            for chunk in chunks:
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")
    return path.read_bytes()


@pytest.fixture
def openpyxl_untouched(monkeypatch):
    """Fails the test if openpyxl is asked to open a workbook."""
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to read the file")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


@pytest.fixture
def zip_bomb(tmp_path) -> bytes:
    """200 MB of sheet XML in a file of a few hundred kilobytes."""
    block = "<row>" + cell("A2", "x") * 4000 + "</row>"  # about 200 KB
    megabyte = block * 5
    return xlsx_file(tmp_path / "bombe.xlsx", (megabyte for _ in range(200)))


def test_a_zip_bomb_is_refused_before_anything_is_inflated(
    territory, zip_bomb, openpyxl_untouched, monkeypatch
):
    from cls_platform import spreadsheets

    assert len(zip_bomb) < 2 * 1024 * 1024
    monkeypatch.setattr(spreadsheets, "scan_sheet", openpyxl_untouched_scan)
    with pytest.raises(ImportFileError, match="se décompresse en plus de 50 Mo"):
        run(territory, zip_bomb, name="bombe.xlsx")
    assert not Contact.objects.exists()


def openpyxl_untouched_scan(*args, **kwargs):
    raise AssertionError("the sheet was inflated")


def test_a_zip_bomb_is_refused_from_the_upload_page_and_the_command(
    territory, login_as, coordinator, zip_bomb, openpyxl_untouched, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login_as(coordinator).post(
        "/t/cergy/annuaire/import/", {"file": SimpleUploadedFile("bombe.xlsx", zip_bomb)}
    )
    assert response.status_code == 200
    assert "se décompresse en plus de 50 Mo" in response.content.decode()
    path = tmp_path / "bombe.xlsx"
    with pytest.raises(CommandError, match="se décompresse en plus de 50 Mo"):
        call_command("import_partners", str(path), "--territory", territory.slug)
    assert not Contact.objects.exists()


def test_one_part_inflating_far_more_than_it_weighs_is_refused(territory, tmp_path):
    """Under the total limit, but 2 MB of XML that weigh a few kilobytes: not a spreadsheet."""
    row = "<row>" + "<c/>" * 10_000 + "</row>"
    content = xlsx_file(tmp_path / "dense.xlsx", [row * 50])
    with pytest.raises(ImportFileError, match="anormalement répétitives"):
        run(territory, content, name="dense.xlsx")


def test_a_sheet_with_too_many_rows_is_refused_before_openpyxl_reads_it(
    territory, tmp_path, openpyxl_untouched
):
    from cls_platform.spreadsheets import TooManyRows, xlsx_rows
    from partners.import_reading import HEADER_SEARCH_ROWS, MAX_DATA_ROWS

    content = xlsx_file(tmp_path / "long.xlsx", (partner_row(n) for n in range(2, 30_002)))
    with pytest.raises(ImportFileError, match="Le fichier dépasse 20\u202f000 lignes"):
        run(territory, content, name="long.xlsx")
    # The streaming scan stopped at the first value past the limit, not at the end of the file.
    with pytest.raises(TooManyRows) as refused:
        xlsx_rows(content, max_rows=MAX_DATA_ROWS + HEADER_SEARCH_ROWS, max_columns=60)
    assert refused.value.row == MAX_DATA_ROWS + HEADER_SEARCH_ROWS + 1
    assert not Contact.objects.exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_row_limit_counts_the_rows_under_the_header(territory, tmp_path, monkeypatch, kind):
    from partners import import_reading

    monkeypatch.setattr(import_reading, "MAX_DATA_ROWS", 5)

    def content(rows: int) -> bytes:
        if kind == "csv":
            lines = ["Titre de l'annuaire", "Nom;Courriel"]
            lines += [f"Nom{n};p{n}@asso.fr" for n in range(rows)] + [";", ";"]
            return "\n".join(lines).encode()
        return xlsx_file(tmp_path / f"{rows}.xlsx", (partner_row(n) for n in range(2, rows + 2)))

    assert run(territory, content(5), name=f"a.{kind}", dry_run=True).summary["created"] == 5
    with pytest.raises(ImportFileError, match="Le fichier dépasse 5 lignes"):
        run(territory, content(6), name=f"b.{kind}")
    assert not Contact.objects.exists()


def test_a_csv_with_too_many_rows_is_refused(territory):
    text = "Nom;Courriel\n" + "".join(f"Nom{n};p{n}@asso.fr\n" for n in range(30_000))
    with pytest.raises(ImportFileError, match="Le fichier dépasse 20\u202f000 lignes"):
        run(territory, text)
    assert not Contact.objects.exists()


def test_values_beyond_the_column_limit_are_refused(territory, tmp_path):
    far = '<row r="2">' + cell("A2", "Roux") + cell("B2", "anne@asso.fr") + cell("BJ2", "x")
    content = xlsx_file(tmp_path / "large.xlsx", [far + "</row>"])
    with pytest.raises(ImportFileError, match=r"dépasse 60 colonnes \(une valeur en colonne 62"):
        run(territory, content, name="large.xlsx")
    text = "Nom;Courriel" + ";" * 70 + "\nRoux;anne@asso.fr" + ";" * 60 + "x\n"
    with pytest.raises(ImportFileError, match=r"dépasse 60 colonnes \(une valeur en colonne 62"):
        run(territory, text)
    # Empty cells far to the right (a sheet formatted wide) are no reason to refuse.
    wide = '<row r="2">' + cell("A2", "Roux") + cell("B2", "anne@asso.fr") + '<c r="ZZ2"/>'
    assert run(territory, xlsx_file(tmp_path / "w.xlsx", [wide + "</row>"])).summary == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "merged": 0,
        "rejected": 0,
    }


def test_a_row_with_more_cells_than_excel_has_columns_is_unreadable(territory, tmp_path):
    row = '<row r="2">' + "<c/>" * 20_000 + "</row>"
    content = xlsx_file(tmp_path / "x.xlsx", [row])
    with pytest.raises(ImportFileError, match="ne peut pas être lu"):
        run(territory, content, name="x.xlsx")


def test_a_sheet_declaring_entities_is_unreadable(territory, tmp_path):
    path = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in PACKAGE_PARTS.items():
            archive.writestr(name, text)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>'
            f'<worksheet xmlns="{SHEET_NS}"><sheetData><row r="1">{cell("A1", "&a;")}</row>'
            "</sheetData></worksheet>",
        )
    with pytest.raises(ImportFileError, match="ne peut pas être lu"):
        run(territory, path.read_bytes(), name="dtd.xlsx")


def test_a_hand_written_xlsx_within_the_limits_imports(territory, tmp_path):
    content = xlsx_file(tmp_path / "ok.xlsx", [partner_row(2), partner_row(3)])
    assert run(territory, content, name="ok.xlsx").summary["created"] == 2
    assert set(Contact.objects.values_list("email", flat=True)) == {"p2@asso.fr", "p3@asso.fr"}


def test_a_csv_line_longer_than_the_limit_names_its_line(territory):
    text = "Nom;Courriel\nRoux;anne@asso.fr\nPetit;" + "x" * 25_000 + "\n"
    with pytest.raises(ImportFileError, match="la ligne 3 dépasse 20\u202f000 caractères"):
        run(territory, text)


def test_the_bounded_reader_reads_what_openpyxl_reads(tmp_path):
    """Shared and inline strings, rich text, numbers, booleans: the same values as openpyxl's
    own reading, which the import no longer uses because it cannot be bounded."""
    from openpyxl import load_workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    from cls_platform.spreadsheets import xlsx_rows

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Courriel", "Téléphone", "Taux", "Actif"])
    sheet.append(["Émilie", "emilie@asso.fr", 612345678, 0.5, True])
    sheet.append([])
    sheet["A4"] = CellRichText(["Ma", TextBlock(InlineFont(b=True), "rie")])
    sheet["E4"] = False
    extra = workbook.create_sheet("Autre")
    extra.append(["ignorée"])
    path = tmp_path / "types.xlsx"
    workbook.save(path)
    content = path.read_bytes()

    expected = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    theirs = [list(row) for row in expected.worksheets[0].iter_rows(values_only=True)]
    ours = [row for _number, row in xlsx_rows(content, max_rows=100, max_columns=60)]
    width = max(len(row) for row in theirs)
    assert [row + [None] * (width - len(row)) for row in ours] == theirs
    assert ours[1] == ["Émilie", "emilie@asso.fr", 612345678, 0.5, True]
    assert ours[3][0] == "Marie"
